// Sorting: the stable sort primitive (it returns the permutation) and sort, argsort, topk, kthvalue,
// msort built on it; values come from gather, so gradients flow to the picked elements.

import { fmtShape, normDim } from "../shape.js";
import { Tensor } from "../tensor.js";
import { apply, type Prim } from "./prim.js";
import type { View } from "../backend.js";
import { gather } from "./indexing.js";
import { narrow, select, unsqueeze, squeeze } from "./views.js";
import { valuesIndices, type ValuesIndices } from "./reduce.js";
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

/** Sorting permutation along dim. */
export function sortIndices(x: Tensor, dim: number, descending: boolean): Tensor {
  return apply(sortPrim, [x], { dim: x.ndim === 0 ? 0 : normDim(dim, x.ndim, "sort"), descending });
}

/** Sorted values and their original indices along dim (stable). */
export function sort(x: Tensor, dim = -1, descending = false, _opts: { stable?: boolean } = {}): ValuesIndices {
  if (x.ndim === 0) return valuesIndices(x, filled([], 0, "int64", x.device));
  const d = normDim(dim, x.ndim, "sort");
  const idx = sortIndices(x, d, descending);
  return valuesIndices(gather(x, d, idx), idx);
}
/** Indices that sort x along dim. */
export function argsort(x: Tensor, dim = -1, descending = false, _opts: { stable?: boolean } = {}): Tensor {
  return sortIndices(x, dim, descending);
}
/** Values of x sorted along dim 0. */
export function msort(x: Tensor): Tensor {
  return sort(x, 0).values;
}
/** The k largest (or smallest) elements along dim, sorted. */
export function topk(x: Tensor, k: number, dim = -1, largest = true, _sorted = true): ValuesIndices {
  const d = x.ndim === 0 ? 0 : normDim(dim, x.ndim, "topk");
  const n = x.ndim === 0 ? 1 : x.shape[d]!;
  if (!Number.isInteger(k) || k < 0 || k > n)
    throw new RangeError(
      `topk(): selected index k (${k}) out of range for dimension ${d} of size ${n} (input ${fmtShape(x.shape)})`,
    );
  if (x.ndim === 0) return valuesIndices(x, filled([], 0, "int64", x.device));
  const idx = narrow(sortIndices(x, d, largest), d, 0, k);
  return valuesIndices(gather(x, d, idx), idx);
}
/** The k-th smallest element (1-based) along dim. */
export function kthvalue(x: Tensor, k: number, dim = -1, keepdim = false): ValuesIndices {
  const d = x.ndim === 0 ? 0 : normDim(dim, x.ndim, "kthvalue");
  const n = x.ndim === 0 ? 1 : x.shape[d]!;
  if (!Number.isInteger(k) || k < 1 || k > n)
    throw new RangeError(`kthvalue(): selected number k (${k}) out of range for dimension ${d} of size ${n}`);
  if (x.ndim === 0) return valuesIndices(x, filled([], 0, "int64", x.device));
  const idx = unsqueeze(select(sortIndices(x, d, false), d, k - 1), d);
  const v = gather(x, d, idx);
  return keepdim ? valuesIndices(v, idx) : valuesIndices(squeeze(v, d), squeeze(idx, d));
}
