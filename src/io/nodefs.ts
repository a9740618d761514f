// File access for Node, loaded on demand so the core bundles for browsers without Node modules.
// Only the few fs/promises calls torchts uses are typed here.

/** An open file (subset of Node's FileHandle). */
export interface FileHandle {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

/** The subset of node:fs/promises torchts uses. */
export interface NodeFs {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  open(path: string, flags: string): Promise<FileHandle>;
}

/** node:fs/promises, or a clear error outside Node. */
export async function nodeFs(): Promise<NodeFs> {
  const name = "node:fs/promises";
  try {
    return (await import(/* @vite-ignore */ name)) as NodeFs;
  } catch {
    throw new Error("file access needs Node.js; in a browser, pass bytes to the in-memory functions instead");
  }
}
