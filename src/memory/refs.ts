// Reference counts of storages. A storage is shared by every tensor that views it (views, `detach()`,
// parameters) and by autograd's saved references; `dispose()` and released saved tensors drop one
// reference each, and the backend frees the memory (`backend.free`) when the last one goes. Tensors
// that are never disposed keep their reference until the garbage collector takes the storage.

import { getBackend, type Storage } from "../backend.js";

/** Count one more holder of `s` (a new tensor handle or a saved reference). */
export function retainStorage(s: Storage): void {
  s.refs = (s.refs ?? 0) + 1;
}

/** Drop one holder of `s`; the last one frees its memory where the backend frees memory explicitly. */
export function releaseStorage(s: Storage): void {
  const left = (s.refs ?? 1) - 1;
  s.refs = left;
  if (left <= 0) getBackend(s.device).free?.(s);
}
