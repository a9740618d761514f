// The TS kernels' matmul. Each output element is the float64 sum of its K products in order
// k = 0, 1, ..., K-1, rounded once to the output dtype (exact for every dtype's values). Operands are
// copied into unit-stride float64 panels per batch, except those already unit-stride along K that are
// float64 already or read by few outputs (a linear layer's weight at batch 1): those are read in place.
// Outputs are computed in blocks of 4 rows x 4 columns (every value loaded is used 4 times);
// rows left over, and matrices of fewer than 4 rows (batch-1 inference), in blocks of 1 row x 8 columns.

import type { View } from "../../backend.js";
import type { StorageArray } from "../../dtype.js";
import { scratch } from "./scratch.js";
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
  // an operand is packed unless it is unit-stride along K and either float64 or used by few rows /
  // columns of the output: packing costs a pass over it, and mixing typed-array kinds in the inner
  // loop costs speed
  const packA = K > 1 && (sak !== 1 || (N >= PACK_REUSE && !(A instanceof Float64Array)));
  const packB = K > 1 && (sbk !== 1 || (M >= PACK_REUSE && !(B instanceof Float64Array)));
  const ap = packA ? scratch("matmul.a", Float64Array, M * K) : null; // ap[i * K + k] = a[i, k]
  const bp = packB ? scratch("matmul.b", Float64Array, N * K) : null; // bp[j * K + k] = b[k, j]
  walk(
    out.shape.slice(0, nd - 2),
    [a, b, out].map((v) => v.strides.slice(0, nd - 2)),
    [a.offset, b.offset, out.offset],
    ([pa, pb, po]) => {
      if (ap) pack(ap, A, pa!, M, sam, K, sak);
      if (bp) pack(bp, B, pb!, N, sbn, K, sbk);
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
      blocks4x4(g, M4);
      for (let i = M4; i < M; i++) row1x8(g, i);
    },
  );
}

/** dst[r * K + k] = src[p + r * sr + k * sk] for r < R, k < K: rows unit-stride along k, in float64. */
function pack(dst: Float64Array, src: Values, p: number, R: number, sr: number, K: number, sk: number): void {
  let q = 0;
  for (let r = 0; r < R; r++) {
    let e = p + r * sr;
    for (let k = 0; k < K; k++, e += sk) dst[q++] = src[e]!;
  }
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

/** Rows [0, M4) in blocks of 4 rows x 4 columns (columns past the end repeat the last; their sums are not stored). */
function blocks4x4({ X, x0, xs, Y, y0, ys, O, o0, som, son, N, K, round }: Gemm, M4: number): void {
  for (let i = 0; i < M4; i += 4) {
    const r0 = x0 + i * xs;
    const r1 = r0 + xs;
    const r2 = r1 + xs;
    const r3 = r2 + xs;
    for (let j = 0; j < N; j += 4) {
      const c0 = y0 + j * ys;
      const c1 = y0 + Math.min(j + 1, N - 1) * ys;
      const c2 = y0 + Math.min(j + 2, N - 1) * ys;
      const c3 = y0 + Math.min(j + 3, N - 1) * ys;
      let s00 = 0,
        s01 = 0,
        s02 = 0,
        s03 = 0,
        s10 = 0,
        s11 = 0,
        s12 = 0,
        s13 = 0,
        s20 = 0,
        s21 = 0,
        s22 = 0,
        s23 = 0,
        s30 = 0,
        s31 = 0,
        s32 = 0,
        s33 = 0;
      for (let k = 0; k < K; k++) {
        const b0 = Y[c0 + k]!;
        const b1 = Y[c1 + k]!;
        const b2 = Y[c2 + k]!;
        const b3 = Y[c3 + k]!;
        let a = X[r0 + k]!;
        s00 += a * b0;
        s01 += a * b1;
        s02 += a * b2;
        s03 += a * b3;
        a = X[r1 + k]!;
        s10 += a * b0;
        s11 += a * b1;
        s12 += a * b2;
        s13 += a * b3;
        a = X[r2 + k]!;
        s20 += a * b0;
        s21 += a * b1;
        s22 += a * b2;
        s23 += a * b3;
        a = X[r3 + k]!;
        s30 += a * b0;
        s31 += a * b1;
        s32 += a * b2;
        s33 += a * b3;
      }
      store4(O, o0 + i * som + j * son, son, N - j, round, s00, s01, s02, s03);
      store4(O, o0 + (i + 1) * som + j * son, son, N - j, round, s10, s11, s12, s13);
      store4(O, o0 + (i + 2) * som + j * son, son, N - j, round, s20, s21, s22, s23);
      store4(O, o0 + (i + 3) * som + j * son, son, N - j, round, s30, s31, s32, s33);
    }
  }
}

/** Store the first min(n, 4) of four sums of one output row from O[o], step son. */
function store4(
  O: StorageArray,
  o: number,
  son: number,
  n: number,
  round: (x: number) => number,
  s0: number,
  s1: number,
  s2: number,
  s3: number,
): void {
  O[o] = round(s0);
  if (n > 1) O[o + son] = round(s1);
  if (n > 2) O[o + 2 * son] = round(s2);
  if (n > 3) O[o + 3 * son] = round(s3);
}

/** Row i in blocks of 1 row x 8 columns (columns past the end repeat the last; their sums are not stored). */
function row1x8({ X, x0, xs, Y, y0, ys, O, o0, som, son, N, K, round }: Gemm, i: number): void {
  const r = x0 + i * xs;
  const col = (j: number): number => y0 + Math.min(j, N - 1) * ys;
  for (let j = 0; j < N; j += 8) {
    const [c0, c1, c2, c3, c4, c5, c6, c7] = [
      col(j),
      col(j + 1),
      col(j + 2),
      col(j + 3),
      col(j + 4),
      col(j + 5),
      col(j + 6),
      col(j + 7),
    ];
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0,
      s4 = 0,
      s5 = 0,
      s6 = 0,
      s7 = 0;
    for (let k = 0; k < K; k++) {
      const x = X[r + k]!;
      s0 += x * Y[c0 + k]!;
      s1 += x * Y[c1 + k]!;
      s2 += x * Y[c2 + k]!;
      s3 += x * Y[c3 + k]!;
      s4 += x * Y[c4 + k]!;
      s5 += x * Y[c5 + k]!;
      s6 += x * Y[c6 + k]!;
      s7 += x * Y[c7 + k]!;
    }
    const o = o0 + i * som + j * son;
    store4(O, o, son, N - j, round, s0, s1, s2, s3);
    if (j + 4 < N) store4(O, o + 4 * son, son, N - j - 4, round, s4, s5, s6, s7);
  }
}
