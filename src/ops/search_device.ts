// searchsorted and histc on devices that cannot read values synchronously (webgpu): searchsorted is
// the backend's binary-search kernel, histc composes it with reductions and scatterAdd (bin edges as
// PyTorch's linspace computes them, each value placed by a search of the edges), so nothing is read
// on the host. The CPU keeps the host loops of host_ops.ts.

import { getBackend } from "../backend.js";
import { isFloating, type DType } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { apply, type Prim } from "./prim.js";
import {
  add,
  div,
  eq,
  ge,
  isfinite,
  le,
  logicalAnd,
  logicalNot,
  logicalOr,
  lt,
  minimum,
  mul,
  sub,
  where,
} from "./elementwise.js";
import { amax, amin } from "./reduce.js";
import { gather, scatterAdd } from "./indexing.js";
import { arange, onesLike, zeros } from "./creation.js";
import { filled } from "./scalar.js";
import { reshape, slice, unsqueeze } from "./views.js";
import { checkValues } from "./device_check.js";

/** Insertion points of values (..., m) into sorted rows seq (..., n) with equal leading dims. */
const searchPrim: Prim<{ right: boolean; dtype: DType }> = {
  name: "searchsorted",
  grad: null,
  infer: (inputs, p) => ({ shape: [...inputs[1]!.shape], dtype: p.dtype }),
  run(k, [seq, values], out, p) {
    k.searchsorted!(seq!, values!, p.right, out);
  },
};

/** Whether `device` searches with a kernel (it cannot read values synchronously and has one). */
export function searchesOnDevice(device: string): boolean {
  const b = getBackend(device);
  return b.asyncOnly === true && b.kernels.searchsorted !== undefined;
}

/**
 * searchsorted on the device (shapes already checked): `seq` (n) or (..., n), `values` a tensor of
 * the leading shape plus its own last dim, or a number; `sorter` already checked for shape and dtype.
 */
export function searchsortedOnDevice(
  seq: Tensor,
  values: Tensor | number,
  right: boolean,
  sorter: Tensor | null,
  outDtype: DType,
): Tensor {
  const n = seq.shape[seq.ndim - 1]!;
  let s = seq;
  if (sorter) {
    const bad = logicalOr(lt(sorter, 0), ge(sorter, n));
    checkValues(bad, [sorter], `searchsorted(): sorter index out of range ({0} for a dim of size ${n})`);
    s = gather(seq, seq.ndim - 1, where(lt(sorter, 0), 0, minimum(sorter, Math.max(n - 1, 0))));
  }
  const v =
    typeof values === "number"
      ? filled([], values, Number.isInteger(values) && !isFloating(seq.dtype) ? seq.dtype : "float32", seq.device)
      : values;
  const vShape = [...v.shape];
  // a 1-D sequence serves every value: one row of all values
  const rows = s.ndim === 1 ? unsqueeze(s, 0) : s;
  const vals = s.ndim === 1 ? reshape(v, [1, -1]) : v;
  const out = apply(searchPrim, [rows, vals], { right, dtype: outDtype });
  return reshape(out, vShape);
}

/**
 * histc on the device: `bins` equal-width bins over [min, max] (the data's range when equal, widened
 * by one each way when still equal); the range is checked at the next readback.
 */
export function histcOnDevice(input: Tensor, bins: number, min: number, max: number): Tensor {
  const dt = input.dtype;
  const dev = input.device;
  const x = reshape(input.detach(), [-1]);
  let lo = filled([], min, dt, dev);
  let hi = filled([], max, dt, dev);
  if (min === max && x.numel() > 0) {
    lo = amin(x);
    hi = amax(x);
  }
  const same = eq(lo, hi);
  lo = where(same, sub(lo, 1), lo);
  hi = where(same, add(hi, 1), hi);
  const infinite = logicalOr(logicalNot(isfinite(lo)), logicalNot(isfinite(hi)));
  checkValues(infinite, [lo, hi], "histc(): range of [{0}, {1}] is not finite");
  // edges as linspace(lo, hi, bins + 1) in the input's dtype: from both ends towards the middle
  const step = div(sub(hi, lo), bins);
  const i = arange(0, bins + 1, 1, { dtype: dt, device: dev });
  const half = Math.floor((bins + 1) / 2);
  const edges = where(lt(i, half), add(lo, mul(step, i)), sub(hi, mul(step, sub(bins, i))));
  // the bin of v is the last edge <= v (the last bin also holds the right edge); others are dropped
  const pos = sub(searchsortedOnDevice(edges, x, true, null, "int64"), 1);
  const inRange = logicalAnd(ge(x, slice(edges, 0, 0, 1)), le(x, slice(edges, 0, bins, bins + 1)));
  const bin = where(inRange, minimum(pos, bins - 1), bins);
  const counts = scatterAdd(zeros([bins + 1], { dtype: dt, device: dev }), 0, bin, onesLike(x));
  return slice(counts, 0, 0, bins);
}
