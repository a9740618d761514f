// The TS kernels of the NLL loss and of the softmax gradient (see `Kernels.nllLoss`, `nllLossGrad`,
// `softmaxGrad`): one pass over the rows each, in float64, rounded once into the output's dtype.

import type { NllGeometry, View } from "../../backend.js";
import type { Shape } from "../../shape.js";
import { arr } from "./codegen.js";
import { rounder } from "./mathfns.js";
import { walk } from "./walk.js";

/** Visit each target element with the offset of its row of logits (or gradient) and of g. */
function eachTarget(
  target: View,
  rows: { strides: Shape; offset: number },
  g: View | null,
  fn: (t: number, row: number, pg: number) => void,
): void {
  const T = arr(target);
  const gStrides = g && g.shape.length > 0 ? g.strides : target.strides.map(() => 0);
  walk(target.shape, [target.strides, rows.strides, gStrides], [target.offset, rows.offset, g?.offset ?? 0], (p) =>
    fn(T[p[0]!]!, p[1]!, p[2]!),
  );
}

/** The weight of class t, after checking that t is a class. */
function classWeight(t: number, C: number, weight: View | null, W: ArrayLike<number> | null, op: string): number {
  if (!(t >= 0 && t < C)) throw new RangeError(`${op}(): Target ${t} is out of bounds.`);
  return W ? W[weight!.offset + t * weight!.strides[0]!]! : 1;
}

/** Sum of the weights of the targets that are not ignored (the "mean" divisor). */
function totalWeight(target: View, weight: View | null, C: number, p: NllGeometry): number {
  const W = weight ? arr(weight) : null;
  let total = 0;
  eachTarget(target, { strides: target.strides.map(() => 0), offset: 0 }, null, (t) => {
    if (t !== p.ignoreIndex) total += classWeight(t, C, weight, W, p.op);
  });
  return total;
}

export function nllLoss(logp: View, target: View, weight: View | null, out: View, p: NllGeometry): void {
  const L = arr(logp);
  const W = weight ? arr(weight) : null;
  const O = arr(out);
  const nd = logp.shape.length;
  const C = logp.shape[nd - 1]!;
  const sc = logp.strides[nd - 1]!;
  const r = rounder(out.dtype);
  let sum = 0;
  let total = 0;
  let o = out.offset; // "none": out is contiguous, visited in the target's row-major order
  eachTarget(target, { strides: logp.strides.slice(0, nd - 1), offset: logp.offset }, null, (t, row) => {
    let v = 0;
    if (t !== p.ignoreIndex) {
      const w = classWeight(t, C, weight, W, p.op);
      v = -w * L[row + t * sc]!;
      total += w;
    }
    if (p.reduction === "none") O[o++] = r(v);
    sum += v;
  });
  if (p.reduction !== "none") O[out.offset] = r(p.reduction === "sum" ? sum : sum / total);
}

export function nllLossGrad(g: View, target: View, weight: View | null, out: View, p: NllGeometry): void {
  const G = arr(g);
  const W = weight ? arr(weight) : null;
  const O = arr(out);
  const nd = out.shape.length;
  const C = out.shape[nd - 1]!;
  const scale = p.reduction === "mean" ? 1 / totalWeight(target, weight, C, p) : 1;
  const r = rounder(out.dtype);
  let row = out.offset; // out is contiguous: rows follow the target's row-major order
  eachTarget(target, { strides: target.strides.map(() => 0), offset: 0 }, g, (t, _, pg) => {
    if (t !== p.ignoreIndex) O[row + t] = r(-classWeight(t, C, weight, W, p.op) * G[pg]! * scale);
    row += C;
  });
}

export function softmaxGrad(y: View, g: View, out: View, log: boolean): void {
  const Y = arr(y);
  const G = arr(g);
  const O = arr(out);
  const nd = y.shape.length;
  const n = y.shape[nd - 1]!;
  const [sy, sg] = [y.strides[nd - 1]!, g.strides[nd - 1]!];
  const r = rounder(out.dtype);
  let po = out.offset;
  walk(
    y.shape.slice(0, nd - 1),
    [y.strides.slice(0, nd - 1), g.strides.slice(0, nd - 1)],
    [y.offset, g.offset],
    (p) => {
      const [py, pg] = [p[0]!, p[1]!];
      let s = 0;
      if (log) {
        for (let i = 0; i < n; i++) s += G[pg + i * sg]!;
        for (let i = 0; i < n; i++) O[po + i] = r(G[pg + i * sg]! - Math.exp(Y[py + i * sy]!) * s);
      } else {
        for (let i = 0; i < n; i++) s += G[pg + i * sg]! * Y[py + i * sy]!;
        for (let i = 0; i < n; i++) O[po + i] = r(Y[py + i * sy]! * (G[pg + i * sg]! - s));
      }
      po += n;
    },
  );
}
