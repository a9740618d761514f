// The TS kernels of the normalization primitive (see `Kernels.norm`, `normGrad`): x is (N, C, S),
// contiguous; a statistics group is a run of C / groups channels of one sample ("group" mode) or one
// channel across the samples ("batch" mode). Sums run in float64, two passes for the variance.

import type { NormGeometry, View } from "../../backend.js";
import { arr } from "./codegen.js";
import { rounder } from "./mathfns.js";

/** The (n, c) planes of statistics group k, each S elements from its returned offset (relative to x). */
function groupPlanes(k: number, N: number, C: number, S: number, p: NormGeometry): { n: number; c: number }[] {
  const planes: { n: number; c: number }[] = [];
  if (p.mode === "batch") for (let n = 0; n < N; n++) planes.push({ n, c: k });
  else {
    const cg = C / p.groups;
    const n = Math.floor(k / p.groups);
    for (let c = (k % p.groups) * cg; c < ((k % p.groups) + 1) * cg; c++) planes.push({ n, c });
  }
  return planes;
}

function groupCount(N: number, C: number, p: NormGeometry): number {
  return p.mode === "batch" ? C : N * p.groups;
}

/** Per-channel value of an optional (C) vector, 1 (or `absent`) without one. */
function channelValue(v: View | null, V: ArrayLike<number> | null, c: number, absent: number): number {
  return v ? V![v.offset + c * v.strides[0]!]! : absent;
}

/** Mean and biased variance of statistics group k. */
function moments(X: ArrayLike<number>, x: View, planes: { n: number; c: number }[]): [number, number] {
  const [, C, S] = x.shape as [number, number, number];
  const count = planes.length * S;
  let sum = 0;
  for (const { n, c } of planes) for (let s = 0, q = x.offset + (n * C + c) * S; s < S; s++) sum += X[q + s]!;
  const mean = sum / count;
  let sq = 0;
  for (const { n, c } of planes)
    for (let s = 0, q = x.offset + (n * C + c) * S; s < S; s++) sq += (X[q + s]! - mean) ** 2;
  return [mean, sq / count];
}

export function norm(x: View, weight: View | null, bias: View | null, out: View, stats: View, p: NormGeometry): void {
  const [N, C, S] = x.shape as [number, number, number];
  const [X, O, ST] = [arr(x), arr(out), arr(stats)];
  const W = weight ? arr(weight) : null;
  const B = bias ? arr(bias) : null;
  const [r, rs] = [rounder(out.dtype), rounder(stats.dtype)];
  const K = groupCount(N, C, p);
  for (let k = 0; k < K; k++) {
    const planes = groupPlanes(k, N, C, S, p);
    const [mean, v] = moments(X, x, planes);
    ST[stats.offset + k] = rs(mean);
    ST[stats.offset + K + k] = rs(v);
    const rstd = 1 / Math.sqrt(v + p.eps);
    for (const { n, c } of planes) {
      const [w, b] = [channelValue(weight, W, c, 1), channelValue(bias, B, c, 0)];
      const [q, o] = [x.offset + (n * C + c) * S, out.offset + (n * C + c) * S];
      for (let s = 0; s < S; s++) O[o + s] = r((X[q + s]! - mean) * rstd * w + b);
    }
  }
}

export function normGrad(g: View, x: View, weight: View | null, out: View, p: NormGeometry): void {
  const [N, C, S] = x.shape as [number, number, number];
  const [G, X, O] = [arr(g), arr(x), arr(out)];
  const W = weight ? arr(weight) : null;
  const r = rounder(out.dtype);
  const K = groupCount(N, C, p);
  const dw = new Float64Array(C);
  const db = new Float64Array(C);
  for (let k = 0; k < K; k++) {
    const planes = groupPlanes(k, N, C, S, p);
    const count = planes.length * S;
    const [mean, v] = moments(X, x, planes);
    const rstd = 1 / Math.sqrt(v + p.eps);
    // sums over the group of dy = g * w and of dy * xhat
    let sdy = 0;
    let sdyx = 0;
    for (const { n, c } of planes) {
      const w = channelValue(weight, W, c, 1);
      const [q, pg] = [x.offset + (n * C + c) * S, g.offset + (n * C + c) * S];
      for (let s = 0; s < S; s++) {
        const xhat = (X[q + s]! - mean) * rstd;
        sdy += G[pg + s]! * w;
        sdyx += G[pg + s]! * w * xhat;
        dw[c] += G[pg + s]! * xhat;
        db[c] += G[pg + s]!;
      }
    }
    for (const { n, c } of planes) {
      const w = channelValue(weight, W, c, 1);
      const [q, pg, o] = [x.offset + (n * C + c) * S, g.offset + (n * C + c) * S, out.offset + (n * C + c) * S];
      for (let s = 0; s < S; s++) {
        const xhat = (X[q + s]! - mean) * rstd;
        O[o + s] = r(rstd * (G[pg + s]! * w - sdy / count - xhat * (sdyx / count)));
      }
    }
  }
  const tail = out.offset + N * C * S;
  for (let c = 0; c < C; c++) {
    O[tail + c] = r(dw[c]!);
    O[tail + C + c] = r(db[c]!);
  }
}
