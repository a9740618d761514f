// Host copies of tensor values for ops whose result SHAPE depends on the values (nonzero, unique,
// masked select, bool-mask indexing, repeatInterleave with a tensor, bincount, ctcLoss lengths).
// `hostData` reads synchronously where the device allows it (cpu). Devices that read only
// asynchronously (webgpu, as browsers do) raise an error naming the async form instead; the async
// forms read their inputs with `await` into a scope (`withHostValues`) and then run the very same
// synchronous code, in which `hostData` finds the values.

import type { Storage } from "../backend.js";
import type { StorageArray } from "../dtype.js";
import { readContiguous, type Tensor } from "../tensor.js";
import { readsSync } from "./device_check.js";

/** Storages read for the async form running now, innermost last. */
const scopes: Map<Storage, StorageArray>[] = [];

/**
 * The elements of `t` in row-major order, on the host. On a device without synchronous reads they
 * must have been read by `withHostValues` (t itself or a view of a tensor read there); otherwise the
 * error says to use `asyncForm` (e.g. "torch.nonzeroAsync(x)") for the op `op`.
 */
export function hostData(t: Tensor, op: string, asyncForm: string): StorageArray {
  if (readsSync(t.device)) return t.dataSync();
  for (let i = scopes.length - 1; i >= 0; i--) {
    const data = scopes[i]!.get(t.storage);
    if (data) return readContiguous(t, data);
  }
  throw new Error(
    `${op}(): the shape of the result depends on the values of a ${t.device} tensor, which cannot be read ` +
      `synchronously on ${t.device}: use the async form \`await ${asyncForm}\``,
  );
}

/**
 * Read the tensors that `fn` needs on the host (asynchronously, where the device requires it), then
 * run `fn`, in which `hostData` of those tensors (or views of them) succeeds. The async forms of the
 * data-dependent ops are this around their synchronous code.
 */
export async function withHostValues<R>(tensors: readonly (Tensor | null | undefined)[], fn: () => R): Promise<R> {
  const scope = new Map<Storage, StorageArray>();
  for (const t of tensors)
    if (t && !readsSync(t.device) && !scope.has(t.storage)) scope.set(t.storage, await t.backend.read(t.storage));
  scopes.push(scope);
  try {
    return fn();
  } finally {
    scopes.pop();
  }
}
