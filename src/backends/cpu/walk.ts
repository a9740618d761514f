// The odometer walk over strided operands that the TS kernels share.

import type { Shape } from "../../shape.js";

/**
 * Call `fn` with the element offset of each operand at every index of `shape` (an odometer walk).
 * `strides[k]` are the strides of operand k; offsets start at `offsets`.
 */
export function walk(
  shape: Shape,
  strides: readonly Shape[],
  offsets: readonly number[],
  fn: (pos: number[]) => void,
): void {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  const pos = [...offsets];
  for (let it = 0; it < n; it++) {
    fn(pos);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      for (let k = 0; k < pos.length; k++) pos[k]! += strides[k]![d]!;
      if (idx[d]! < shape[d]!) break;
      for (let k = 0; k < pos.length; k++) pos[k]! -= strides[k]![d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}
