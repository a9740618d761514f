// AsyncLocalStorage for scoped state that follows async functions across `await` (grad mode, tidy
// scopes). Loaded without a static Node-only import, so bundles for browsers carry no Node module;
// there it is null and callers keep a synchronous current value instead.

/** The part of Node's AsyncLocalStorage the scopes use. */
export interface AsyncStore<T> {
  getStore(): T | undefined;
  run<R>(store: T, fn: () => R): R;
}

/** A new AsyncLocalStorage when running on Node; null in browsers (or if Node lacks it). */
export async function createAsyncStore<T>(): Promise<AsyncStore<T> | null> {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (!proc?.versions?.node) return null;
  const name = "node:async_hooks";
  try {
    const mod = (await import(/* @vite-ignore */ name)) as { AsyncLocalStorage: new () => AsyncStore<T> };
    return new mod.AsyncLocalStorage();
  } catch {
    return null;
  }
}
