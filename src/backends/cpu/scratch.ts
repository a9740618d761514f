// Reusable scratch memory of the TS kernels (im2col blocks, the GEMM's packed panels): one grow-only
// buffer per named slot, so a kernel called in a loop works in the same pages every call. A fresh
// typed array per call costs its zero fill and, from about 128 KiB (where the C allocator maps fresh
// memory and unmaps it on free), a page fault per 4 KiB touched: together as much time as the
// arithmetic of a small convolution. JS runs one kernel at a time; a kernel that calls another while
// holding a scratch array (convolution -> matmul) uses a different slot.

import type { Storage, View } from "../../backend.js";
import type { DType } from "../../dtype.js";

/** Slots keep buffers up to this size; a larger request gets memory of its own, left to the GC. */
const MAX_KEPT_BYTES = 1 << 25;

const slots = new Map<string, ArrayBuffer>();

/** A typed-array constructor the scratch memory can be viewed through. */
interface ScratchCtor<T> {
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

/**
 * `n` elements of scratch memory in slot `slot`, with unspecified contents: the caller writes every
 * element it reads. Valid until the next request of the same slot.
 */
export function scratch<T>(slot: string, ctor: ScratchCtor<T>, n: number): T {
  const bytes = n * ctor.BYTES_PER_ELEMENT;
  let buf = slots.get(slot);
  if (!buf || buf.byteLength < bytes) {
    buf = new ArrayBuffer(bytes);
    if (bytes <= MAX_KEPT_BYTES) slots.set(slot, buf);
  }
  return new ctor(buf, 0, n);
}

/** A view of a scratch array (float32 or float64) as a tensor of `dtype`, for a kernel such as matmul. */
export function scratchView(
  data: Float32Array | Float64Array,
  dtype: DType,
  shape: number[],
  strides: number[],
  offset = 0,
): View {
  const storage = { device: "cpu", dtype, numel: data.length, version: 0, data } as Storage;
  return { storage, shape, strides, offset, dtype };
}
