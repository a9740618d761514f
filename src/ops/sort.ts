// Sorting: the stable sort primitive (it returns the permutation) and sort, argsort, msort, topk,
// kthvalue and mode built on it; values come from gather, so gradients flow to the picked elements.

import { fmtShape, normDim } from "../shape.js";
import { Tensor } from "../tensor.js";
import { apply, type Prim } from "./prim.js";
import type { View } from "../backend.js";
import { gather } from "./indexing.js";
import { narrow, select, unsqueeze, squeeze, reshape, detach } from "./views.js";
import { argmax, cummax, valuesIndices, type ValuesIndices } from "./reduce.js";
import { add, ne, sub, where } from "./elementwise.js";
import { cat } from "./shape_ops.js";
import { arange } from "./creation.js";
import { filled } from "./scalar.js";

/** View with `dim` moved last. */
function dimLast(v: View, dim: number): View {
  const order = [...v.shape.keys()].filter((d) => d !== dim).concat(dim);
  return { ...v, shape: order.map((d) => v.shape[d]!), strides: order.map((d) => v.strides[d]!) };
}

/** The permutation that sorts x along dim (stable; NaN sorts as largest). */
export const sortPrim: Prim<{ dim: number; descending: boolean }> = {
  name: "sort",
  grad: null,
  infer: (inputs) => ({ shape: [...inputs[0]!.shape], dtype: "int64" }),
  run(k, [x], out, p) {
    if (x!.shape.length === 0) return;
    k.sort(dimLast(x!, p.dim), p.descending, dimLast(out, p.dim));
  },
};

/** Sorting permutation along dim (stable: equal elements keep their order; NaN sorts as largest). */
export function sortIndices(x: Tensor, dim: number, descending: boolean, op = "sort"): Tensor {
  return apply(sortPrim, [x], { dim: normDim(dim, x.ndim, op), descending });
}

/** The 0-dim answer of a selection op on a 0-dim tensor: the value itself at index 0. */
function scalarPick(x: Tensor): ValuesIndices {
  return valuesIndices(x, filled([], 0, "int64", x.device));
}

/**
 * Sorted values and their original indices along dim (default the last), ascending unless
 * `descending`. The sort is always stable (`opts.stable` is accepted for PyTorch's spelling); NaN
 * sorts as the largest value.
 */
export function sort(x: Tensor, dim = -1, descending = false, _opts: { stable?: boolean } = {}): ValuesIndices {
  const d = normDim(dim, x.ndim, "sort");
  if (x.ndim === 0) return scalarPick(x);
  const idx = sortIndices(x, d, descending);
  return valuesIndices(gather(x, d, idx), idx);
}
/** Indices that sort x along dim (stable). */
export function argsort(x: Tensor, dim = -1, descending = false, _opts: { stable?: boolean } = {}): Tensor {
  return sortIndices(x, dim, descending, "argsort");
}
/** Values of x sorted along dim 0. */
export function msort(x: Tensor): Tensor {
  return sort(x, 0).values;
}
/**
 * The k largest (or, with `largest` false, smallest) elements along dim, sorted, and their indices.
 * NaN counts as larger than any number.
 */
export function topk(x: Tensor, k: number, dim = -1, largest = true, _sorted = true): ValuesIndices {
  const d = normDim(dim, x.ndim, "topk");
  const n = x.ndim === 0 ? 1 : x.shape[d]!;
  if (!Number.isInteger(k) || k < 0 || k > n)
    throw new RangeError(
      `topk(): selected index k (${k}) out of range for dimension ${d} of size ${n} (input ${fmtShape(x.shape)})`,
    );
  if (x.ndim === 0) return scalarPick(x);
  const idx = narrow(sortIndices(x, d, largest, "topk"), d, 0, k);
  return valuesIndices(gather(x, d, idx), idx);
}
/** The k-th smallest element (1-based) along dim and its index; NaN counts as the largest. */
export function kthvalue(x: Tensor, k: number, dim = -1, keepdim = false): ValuesIndices {
  const d = normDim(dim, x.ndim, "kthvalue");
  const n = x.ndim === 0 ? 1 : x.shape[d]!;
  if (!Number.isInteger(k) || k < 1 || k > n)
    throw new RangeError(
      `kthvalue(): selected number k (${k}) out of range for dimension ${d} of size ${n} (input ${fmtShape(x.shape)})`,
    );
  if (x.ndim === 0) return scalarPick(x);
  const idx = unsqueeze(select(sortIndices(x, d, false, "kthvalue"), d, k - 1), d);
  const v = gather(x, d, idx);
  return keepdim ? valuesIndices(v, idx) : valuesIndices(squeeze(v, d), squeeze(idx, d));
}

/**
 * The most frequent value along dim (default the last) and its index, as PyTorch's CPU kernel: among
 * equally frequent values the smallest, and the index of its last occurrence. The gradient flows to
 * that element.
 */
export function mode(x: Tensor, dim = -1, keepdim = false): ValuesIndices {
  const d = normDim(dim, x.ndim, "mode");
  if (x.ndim === 0) return scalarPick(x);
  const n = x.shape[d]!;
  if (n === 0)
    throw new RangeError(`mode(): Expected reduction dim ${d} to have non-zero size; input shape ${fmtShape(x.shape)}`);
  // runs of equal values in the stably sorted row: a run's last element is the value's last occurrence
  const order = sortIndices(x, d, false, "mode");
  const s = gather(detach(x), d, order);
  const edge = [...x.shape];
  edge[d] = 1;
  const yes = filled(edge, 1, "bool", x.device);
  const differs = ne(narrow(s, d, 1, n - 1), narrow(s, d, 0, n - 1)); // s[i + 1] != s[i]
  const isStart = cat([yes, differs], d);
  const isEnd = cat([differs, yes], d);
  const posShape = x.shape.map((_, i) => (i === d ? n : 1));
  const pos = reshape(arange(0, n, 1, { dtype: "int64", device: x.device }), posShape);
  const start = cummax(where(isStart, pos, 0), d).values; // where the run holding i begins
  const runLength = where(isEnd, add(sub(pos, start), 1), 0); // counted at each run's end
  const best = argmax(runLength, d, true); // the first longest run: the smallest such value
  const idx = gather(order, d, best);
  const v = gather(x, d, idx);
  return keepdim ? valuesIndices(v, idx) : valuesIndices(squeeze(v, d), squeeze(idx, d));
}
