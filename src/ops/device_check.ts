// Value checks that work on every device: ops that must reject bad values (an index out of range, a
// target outside [0, C), an integer division by zero) compute a bool tensor of the bad positions and
// call `checkValues`. On devices that read synchronously (cpu) it raises at once; on the others
// (webgpu) the backend's `assertNone` kernel flags the error on the device and it is raised at the
// next readback (`await x.data()`, `await x.itemAsync()`, ...), like CUDA's device-side asserts.

import { getBackend } from "../backend.js";
import type { Tensor } from "../tensor.js";
import { noGrad } from "../autograd/gradmode.js";
import { expand } from "./views.js";

/** `message` with `{0}`, `{1}` replaced by the given values (integers as integers). */
export function formatCheck(message: string, values: readonly number[]): string {
  return message.replace(/\{(\d)\}/g, (_, k: string) => String(values[Number(k)]));
}

/**
 * Raise `message` (a RangeError) if any element of the bool tensor `bad` is set. `{0}`, `{1}` in the
 * message stand for the elements of `values` (broadcast to bad's shape) at the first bad position
 * (on webgpu: the first one the device reports). Synchronous on the CPU, deferred to the next
 * readback on devices that cannot read synchronously.
 */
export function checkValues(bad: Tensor, values: readonly Tensor[], message: string): void {
  if (bad.numel() === 0) return;
  const backend = getBackend(bad.device);
  noGrad(() => {
    const vals = values.map((v) => expand(v.detach(), [...bad.shape]));
    if (backend.asyncOnly && backend.kernels.assertNone) {
      backend.kernels.assertNone(bad, vals, message);
      return;
    }
    const flags = bad.dataSync();
    const i = flags.findIndex((f) => f !== 0);
    if (i < 0) return;
    throw new RangeError(
      formatCheck(
        message,
        vals.map((v) => v.dataSync()[i]!),
      ),
    );
  });
}

/** Whether tensors of `device` can be read synchronously (the CPU; not webgpu). */
export function readsSync(device: string): boolean {
  return !getBackend(device).asyncOnly;
}
