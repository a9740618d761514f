// Reads the storages of every tensor inside a value (Maps, arrays, plain objects) ahead of
// serialization, with `await`, so that `torch.save` / `saveFile` work for tensors on devices that
// cannot be read synchronously (webgpu), like PyTorch saving CUDA tensors.

import type { Storage } from "../backend.js";
import type { StorageArray } from "../dtype.js";
import { Tensor } from "../tensor.js";

/** Storage contents by storage, as read from the device. */
export type HostValues = Map<Storage, StorageArray>;

/** Read (asynchronously) the storage of every tensor reachable from `obj`. */
export async function readHostValues(obj: unknown): Promise<HostValues> {
  const out: HostValues = new Map();
  const seen = new Set<unknown>();
  const pending: Promise<void>[] = [];
  const visit = (v: unknown): void => {
    if (v === null || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    if (v instanceof Tensor) {
      const s = v.storage;
      if (!out.has(s)) {
        out.set(s, new Float32Array(0)); // placeholder until the read lands
        pending.push(v.backend.read(s).then((a) => void out.set(s, a)));
      }
    } else if (v instanceof Map) for (const x of v.values()) visit(x);
    else if (Array.isArray(v)) for (const x of v) visit(x);
    else for (const x of Object.values(v)) visit(x);
  };
  visit(obj);
  await Promise.all(pending);
  return out;
}

/** The storage contents of `t`: from `values` when read ahead, else read synchronously. */
export function storageValues(t: Tensor, values?: HostValues): StorageArray {
  return values?.get(t.storage) ?? t.backend.readSync(t.storage);
}
