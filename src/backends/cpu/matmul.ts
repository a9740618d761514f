// The TS kernels' matmul. Each output element is the float64 sum of its K products in order
// k = 0, 1, ..., K-1, rounded once to the output dtype (exact for every dtype's values). Operands are
// copied into unit-stride float64 panels per batch, except one that is already unit-stride along K
// and read by few outputs (a linear layer's weight at batch 1), which is read in place.
// Outputs are computed in blocks of 4 rows x 2 columns (every value loaded is used 2 or 4 times);
// rows left over, and matrices of fewer than 4 rows (batch-1 inference), in blocks of 1 row x 4 columns.

import type { View } from "../../backend.js";
import type { StorageArray } from "../../dtype.js";
import { walk } from "./walk.js";

type Values = ArrayLike<number>;

/** Output columns (rows) from which a unit-stride A (B) is packed anyway: it is read that many times. */
const PACK_REUSE = 8;

/** out = a @ b over the batch dims, reading A and B and writing O (the views' arrays); `round` to the output dtype. */
export function matmulKernel(
  a: View,
  b: View,
  out: View,
  [A, B, O]: [StorageArray, StorageArray, StorageArray],
  round: (x: number) => number,
): void {
  const nd = out.shape.length;
  const M = out.shape[nd - 2]!;
  const N = out.shape[nd - 1]!;
  const K = a.shape[nd - 1]!;
  const [sam, sak] = [a.strides[nd - 2]!, a.strides[nd - 1]!];
  const [sbk, sbn] = [b.strides[nd - 2]!, b.strides[nd - 1]!];
  const [som, son] = [out.strides[nd - 2]!, out.strides[nd - 1]!];
  // an operand is packed unless it is unit-stride along K and used by few rows / columns of the
  // output: packing costs a pass over it, and mixing typed-array kinds in the inner loop costs speed
  const ap = K > 1 && (sak !== 1 || N >= PACK_REUSE) ? new Float64Array(M * K) : null; // ap[i * K + k] = a[i, k]
  const bp = K > 1 && (sbk !== 1 || M >= PACK_REUSE) ? new Float64Array(N * K) : null; // bp[j * K + k] = b[k, j]
  walk(
    out.shape.slice(0, nd - 2),
    [a, b, out].map((v) => v.strides.slice(0, nd - 2)),
    [a.offset, b.offset, out.offset],
    ([pa, pb, po]) => {
      if (ap) for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) ap[i * K + k] = A[pa! + i * sam + k * sak]!;
      if (bp) for (let j = 0; j < N; j++) for (let k = 0; k < K; k++) bp[j * K + k] = B[pb! + k * sbk + j * sbn]!;
      // row i of a starts at X[x0 + i * xs], column j of b at Y[y0 + j * ys], both unit-stride along k
      const g: Gemm = {
        X: ap ?? A,
        x0: ap ? 0 : pa!,
        xs: ap ? K : sam,
        Y: bp ?? B,
        y0: bp ? 0 : pb!,
        ys: bp ? K : sbn,
        O,
        o0: po!,
        som,
        son,
        M,
        N,
        K,
        round,
      };
      const M4 = M - (M % 4);
      blocks4x2(g, M4);
      for (let i = M4; i < M; i++) row1x4(g, i);
    },
  );
}

interface Gemm {
  X: Values;
  x0: number;
  xs: number;
  Y: Values;
  y0: number;
  ys: number;
  O: StorageArray;
  o0: number;
  som: number;
  son: number;
  M: number;
  N: number;
  K: number;
  round: (x: number) => number;
}

/** Rows [0, M4) in blocks of 4 rows x 2 columns (a last odd column repeats; its sum is not stored). */
function blocks4x2({ X, x0, xs, Y, y0, ys, O, o0, som, son, N, K, round }: Gemm, M4: number): void {
  for (let i = 0; i < M4; i += 4) {
    const r0 = x0 + i * xs;
    const r1 = r0 + xs;
    const r2 = r1 + xs;
    const r3 = r2 + xs;
    for (let j = 0; j < N; j += 2) {
      const c0 = y0 + j * ys;
      const c1 = y0 + Math.min(j + 1, N - 1) * ys;
      let s00 = 0,
        s01 = 0,
        s10 = 0,
        s11 = 0,
        s20 = 0,
        s21 = 0,
        s30 = 0,
        s31 = 0;
      for (let k = 0; k < K; k++) {
        const y0k = Y[c0 + k]!;
        const y1k = Y[c1 + k]!;
        const a0 = X[r0 + k]!;
        const a1 = X[r1 + k]!;
        const a2 = X[r2 + k]!;
        const a3 = X[r3 + k]!;
        s00 += a0 * y0k;
        s01 += a0 * y1k;
        s10 += a1 * y0k;
        s11 += a1 * y1k;
        s20 += a2 * y0k;
        s21 += a2 * y1k;
        s30 += a3 * y0k;
        s31 += a3 * y1k;
      }
      const o = o0 + i * som + j * son;
      O[o] = round(s00);
      O[o + som] = round(s10);
      O[o + 2 * som] = round(s20);
      O[o + 3 * som] = round(s30);
      if (j + 1 < N) {
        O[o + son] = round(s01);
        O[o + som + son] = round(s11);
        O[o + 2 * som + son] = round(s21);
        O[o + 3 * som + son] = round(s31);
      }
    }
  }
}

/** Row i in blocks of 1 row x 4 columns (columns past the end repeat the last; their sums are not stored). */
function row1x4({ X, x0, xs, Y, y0, ys, O, o0, som, son, N, K, round }: Gemm, i: number): void {
  const r = x0 + i * xs;
  for (let j = 0; j < N; j += 4) {
    const c0 = y0 + j * ys;
    const c1 = y0 + Math.min(j + 1, N - 1) * ys;
    const c2 = y0 + Math.min(j + 2, N - 1) * ys;
    const c3 = y0 + Math.min(j + 3, N - 1) * ys;
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    for (let k = 0; k < K; k++) {
      const x = X[r + k]!;
      s0 += x * Y[c0 + k]!;
      s1 += x * Y[c1 + k]!;
      s2 += x * Y[c2 + k]!;
      s3 += x * Y[c3 + k]!;
    }
    const o = o0 + i * som + j * son;
    O[o] = round(s0);
    if (j + 1 < N) O[o + son] = round(s1);
    if (j + 2 < N) O[o + 2 * son] = round(s2);
    if (j + 3 < N) O[o + 3 * son] = round(s3);
  }
}
