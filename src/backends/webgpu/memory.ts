// The memory side of `torch.webgpu`: statistics of the buffer pool, and the leak reporter behind the
// FinalizationRegistry backstop of storage.ts. With leak reporting on (`setLeakReporting(true)` or
// the environment variable TORCHTS_WEBGPU_LEAKS=1) every webgpu storage records where it was created
// (a stack trace: costly, so off by default); when one is garbage collected without `dispose()`, its
// buffer goes back to the pool and `console.warn` names that place, once per place. Leaks are
// counted in `memoryStats().leaked` either way.

import { env, pipelineCount, poolStats } from "./gpu.js";

/** GPU memory of the webgpu device, from the buffer pool's bookkeeping. */
export interface MemoryStats {
  /** Bytes of the buffers held by live storages (sizes rounded up to the pool's size classes). */
  bytesInUse: number;
  /** Number of buffers held by live storages. */
  buffersInUse: number;
  /** Bytes of free buffers kept in the pool for reuse (`emptyCache()` destroys them). */
  bytesPooled: number;
  /** Number of free buffers kept in the pool. */
  buffersPooled: number;
  /** Storages the garbage collector reclaimed because no tensor using them was disposed (leaks). */
  leaked: number;
  /** Compiled compute pipelines in the cache. */
  pipelines: number;
}

let reporting = env("TORCHTS_WEBGPU_LEAKS") === "1";
let leaked = 0;
const reported = new Set<string>();

/** Current GPU memory use of the webgpu device. */
export function memoryStats(): MemoryStats {
  return { ...poolStats(), leaked, pipelines: pipelineCount() };
}

/**
 * Record where each webgpu tensor is created (on) or not (off, the default unless
 * TORCHTS_WEBGPU_LEAKS=1), so that a tensor garbage collected without `dispose()` is reported with
 * the place that made it. Recording costs a stack trace per tensor: for debugging.
 */
export function setLeakReporting(on: boolean): void {
  reporting = on;
}

/** Whether creation sites are being recorded. */
export function isLeakReporting(): boolean {
  return reporting;
}

/** This package's source root, whose stack frames are left out of creation sites. */
const ownRoot = ((): string[] => {
  try {
    const root = new URL("../../", import.meta.url);
    return [root.href, decodeURIComponent(root.pathname)];
  } catch {
    return [];
  }
})();

/** @internal where the caller is being created (the first frames outside torchts), when reporting. */
export function creationSite(): string | null {
  if (!reporting) return null;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40; // deep enough to get past torchts's own frames
  const frames = (new Error().stack ?? "").split("\n").slice(1);
  Error.stackTraceLimit = limit;
  const user = frames.filter((f) => !ownRoot.some((r) => r && f.includes(r)));
  return (user.length ? user : frames).slice(0, 8).join("\n");
}

/** @internal called by the backstop when a storage was reclaimed by the garbage collector. */
export function noteLeak(site: string | null, bytes: number): void {
  leaked++;
  if (site === null || reported.has(site)) return;
  reported.add(site);
  console.warn(
    `torchts webgpu: a tensor was garbage collected without dispose() (its ${bytes}-byte buffer went back to ` +
      `the pool late); use dispose(), \`using\` or torch.tidy. It was created\n${site}`,
  );
}
