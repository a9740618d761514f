// Reductions (sum, prod, amax, amin, argmax, norm) and scans (cumsum, cumprod, cummax, cummin) as
// primitives, plus the composites built on them (mean, nansum/nanmean, var, std, logsumexp, max/min
// with indices, median, all/any). Reduced dims are moved last and handed to one reduce kernel.

import type { ReduceExpr, View } from "../backend.js";
import { AMAX, AMIN, NANSUM, normReduce, PROD, SUM } from "./reduce_exprs.js";
import { isFloating, type DType } from "../dtype.js";
import { fmtShape, normDims, normDim, reducedShape, type Shape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { apply, gradHelpers, named, seqNow, type Prim } from "./prim.js";
import { isGradEnabled, noGrad } from "../autograd/gradmode.js";
import {
  abs,
  add,
  div,
  eq,
  exp,
  isinf,
  isnan,
  log,
  mul,
  ne,
  pow,
  sign,
  sqrt,
  sub,
  square,
  where,
  dtypeCName,
  ge,
  gt,
  toDtype,
  maximum,
  minimum,
  logicalAnd,
  logicalOr,
  logicalNot,
} from "./elementwise.js";
import { expand, flatten, movedim, reshape, unsqueeze, permute, slice, select, squeeze, detach } from "./views.js";
import { arange } from "./creation.js";
import { gather } from "./indexing.js";
import { cat, flip } from "./shape_ops.js";
import { sortIndices } from "./sort.js";
import { filled } from "./scalar.js";

/** Dims to reduce: undefined/null means all. */
export type Dims = number | readonly number[] | null | undefined;

export interface ReduceParams {
  dims: number[];
  keepdim: boolean;
  /** Called without a dim (PyTorch has full-reduction gradient rules, e.g. prod with 2+ zeros). */
  full?: boolean;
}

/** View x with the reduced dims moved last (kernels reduce the trailing dims). */
function moveReducedLast(x: View, dims: readonly number[]): View {
  const keep = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const order = [...keep, ...dims];
  return { ...x, shape: order.map((d) => x.shape[d]!), strides: order.map((d) => x.strides[d]!) };
}

/** Put back the reduced dims as size 1 so g broadcasts against the input. */
function restoreDims(g: Tensor, inShape: Shape, p: ReduceParams): Tensor {
  if (p.keepdim) return g;
  return reshape(g, reducedShape(inShape, p.dims, true));
}

function reducePrim(
  name: string,
  expr: ReduceExpr,
  dtypeRule: (d: DType) => DType,
  grad: Prim<ReduceParams>["grad"],
  saves: Prim<ReduceParams>["saves"],
  allowEmpty: boolean,
): Prim<ReduceParams> {
  return {
    name,
    grad,
    saves,
    infer(inputs, p) {
      const x = inputs[0]!;
      if (!allowEmpty && p.dims.some((d) => x.shape[d] === 0))
        throw new RangeError(
          `${name}(): Expected reduction dim ${p.dims.find((d) => x.shape[d] === 0)} to have non-zero size; input shape ${fmtShape(x.shape)}`,
        );
      return { shape: reducedShape(x.shape, p.dims, p.keepdim), dtype: dtypeRule(x.dtype) };
    },
    run(k, [x], out, p) {
      k.reduce(expr, moveReducedLast(x!, p.dims), p.dims.length, out);
    },
  };
}

const toInt64 = (d: DType): DType => (isFloating(d) ? d : "int64");
const same = (d: DType): DType => d;

/** amax/amin gradient: split evenly among the elements equal to the result. */
function extremumGrad(
  g: Tensor,
  { inputs: [x], out, params }: { inputs: Tensor[]; out: Tensor; params: ReduceParams },
): Tensor[] {
  const o = restoreDims(out, x!.shape, params);
  const mask = eq(x!, o);
  const count = sumDims(mask, params.dims, true);
  return [div(mul(restoreDims(g, x!.shape, params), mask), count)];
}

/** Reduction primitives (the table). */
export const reducePrims = {
  sum: reducePrim(
    "sum",
    SUM,
    toInt64,
    (g, { meta, params }) => [expand(restoreDims(g, meta[0]!.shape, params), [...meta[0]!.shape])],
    undefined,
    true,
  ),
  prod: reducePrim(
    "prod",
    PROD,
    toInt64,
    (g, { inputs: [x], params }) => {
      const r = mul(restoreDims(g, x!.shape, params), prodOthers(x!, params.dims));
      // PyTorch's prod() without a dim gives exact zeros when 2+ elements are 0 (even beside NaN/inf),
      // except when the backward itself is recorded (createGraph), where that would lose the 2nd
      // derivative; grad mode is on in a backward exactly when it is recorded
      if (!params.full || x!.ndim === 0 || isGradEnabled()) return [r];
      return [where(gt(sumDims(eq(x!, 0), params.dims, false), 1), 0, r)];
    },
    { inputs: [0] },
    true,
  ),
  // a primitive: one pass skipping NaN, and PyTorch's gradient g * !isnan(x), which a composite with
  // where() cannot give (it is NaN, not 0, where g is inf, e.g. nanmean of an all-NaN group)
  nansum: reducePrim(
    "nansum",
    NANSUM,
    toInt64,
    (g, { inputs: [x], params }) => [
      mul(expand(restoreDims(g, x!.shape, params), [...x!.shape]), logicalNot(isnan(x!))),
    ],
    { inputs: [0] },
    true,
  ),
  amax: reducePrim(
    "amax",
    AMAX,
    same,
    extremumGrad,
    {
      inputs: [0],
      output: true,
    },
    false,
  ),
  amin: reducePrim(
    "amin",
    AMIN,
    same,
    extremumGrad,
    {
      inputs: [0],
      output: true,
    },
    false,
  ),
};

/** For each element, the product of all the other elements in its reduction group (exact with zeros). */
function prodOthers(x: Tensor, dims: number[]): Tensor {
  if (x.numel() === 0) return filled(x.shape, 0, x.dtype, x.device);
  // (..., n): the reduced dims flattened into one trailing dim
  const keep = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const moved = permute(x, [...keep, ...dims]);
  const flat = reshape(moved, [...keep.map((i) => x.shape[i]!), -1]);
  const n = flat.shape[flat.ndim - 1]!;
  const ones = filled([...flat.shape.slice(0, -1), 1], 1, x.dtype, x.device);
  // exclusive products from the left and from the right
  const left = cumprod(cat([ones, slice(flat, -1, 0, n - 1)], -1), -1);
  const right = flip(cumprod(cat([ones, slice(flip(flat, [-1]), -1, 0, n - 1)], -1), -1), [-1]);
  const others = mul(left, right);
  const back = reshape(others, moved.shape as number[]);
  const inv = [...keep, ...dims].map((_, i, order) => order.indexOf(i));
  return permute(back, inv);
}

/** argmax/argmin over one dim (null: over the flattened tensor). */
export const argPrims = {
  argmax: argPrim("argmax", "max"),
  argmin: argPrim("argmin", "min"),
};
function argPrim(name: string, kind: "max" | "min"): Prim<{ dim: number; keepdim: boolean }> {
  return {
    name,
    grad: null,
    infer(inputs, p) {
      const x = inputs[0]!;
      if (x.ndim > 0 && x.shape[p.dim] === 0)
        throw new RangeError(
          `${name}(): Expected reduction dim ${p.dim} to have non-zero size; input shape ${fmtShape(x.shape)}`,
        );
      return { shape: x.ndim === 0 ? [] : reducedShape(x.shape, [p.dim], p.keepdim), dtype: "int64" };
    },
    run(k, [x], out, p) {
      const v = x!.shape.length === 0 ? { ...x!, shape: [1], strides: [1] } : moveReducedLast(x!, [p.dim]);
      k.argReduce(kind, v, out);
    },
  };
}

/** Normalise user dims; empty list or nullish means all dims. */
function resolveDims(x: Tensor, dim: Dims, op: string): number[] {
  if (dim === undefined || dim === null) return x.shape.map((_, i) => i);
  const list = typeof dim === "number" ? [dim] : [...dim];
  if (list.length === 0) return x.shape.map((_, i) => i);
  if (x.ndim === 0) {
    normDims(list, 0, op); // 0-dim tensors take dim 0/-1, once
    return [];
  }
  return normDims(list, x.ndim, op);
}

function sumDims(x: Tensor, dims: number[], keepdim: boolean): Tensor {
  return apply(reducePrims.sum, [x], { dims, keepdim });
}

/** Sum over dims (all by default); `dtype` casts the input first. */
export function sum(x: Tensor, dim?: Dims, keepdim = false, opts: { dtype?: DType } = {}): Tensor {
  const xx = opts.dtype ? toDtype(x, opts.dtype) : x;
  return sumDims(xx, resolveDims(x, dim, "sum"), keepdim);
}
/** Product over dims. */
export function prod(x: Tensor, dim?: number | null, keepdim = false, opts: { dtype?: DType } = {}): Tensor {
  const xx = opts.dtype ? toDtype(x, opts.dtype) : x;
  const full = dim === undefined || dim === null;
  return apply(reducePrims.prod, [xx], { dims: resolveDims(x, dim, "prod"), keepdim, full });
}
/** Maximum over dims (gradient split among ties). */
export function amax(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return apply(reducePrims.amax, [x], { dims: resolveDims(x, dim, "amax"), keepdim });
}
/** Minimum over dims (gradient split among ties). */
export function amin(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return apply(reducePrims.amin, [x], { dims: resolveDims(x, dim, "amin"), keepdim });
}
/** Mean over dims; floating inputs only. */
export function mean(x: Tensor, dim?: Dims, keepdim = false, opts: { dtype?: DType } = {}): Tensor {
  const xx = opts.dtype ? toDtype(x, opts.dtype) : x;
  if (!isFloating(xx.dtype))
    throw new TypeError(
      `mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${dtypeCName(xx.dtype)}`,
    );
  const dims = resolveDims(x, dim, "mean");
  const n = dims.reduce((a, d) => a * x.shape[d]!, 1);
  const since = seqNow();
  return named(div(sumDims(xx, dims, keepdim), n), "mean", since);
}
/** Sum over dims treating NaN as zero (int inputs give int64, as sum). */
export function nansum(x: Tensor, dim?: Dims, keepdim = false, opts: { dtype?: DType } = {}): Tensor {
  const xx = opts.dtype ? toDtype(x, opts.dtype) : x;
  const dims = resolveDims(x, dim, "nansum");
  return apply(isFloating(xx.dtype) ? reducePrims.nansum : reducePrims.sum, [xx], { dims, keepdim });
}
/** Mean over dims ignoring NaN (NaN where a group is all NaN); floating inputs only. */
export function nanmean(x: Tensor, dim?: Dims, keepdim = false, opts: { dtype?: DType } = {}): Tensor {
  const xx = opts.dtype ? toDtype(x, opts.dtype) : x;
  if (!isFloating(xx.dtype))
    throw new TypeError(
      `nanmean(): expected input to have floating point or complex dtype but got ${dtypeCName(xx.dtype)}`,
    );
  const dims = resolveDims(x, dim, "nanmean");
  const count = sumDims(ne(xx, xx), dims, keepdim); // NaN is the only value unequal to itself
  const n = dims.reduce((a, d) => a * x.shape[d]!, 1);
  return div(nansum(xx, dims, keepdim), sub(n, count));
}

/** Options of var/std: `correction` (default 1, Bessel's) or the older `unbiased` flag, and keepdim. */
export interface VarOptions {
  /** Divide by n - correction (clamped at 0). */
  correction?: number;
  /** `false` is correction 0, `true` correction 1. */
  unbiased?: boolean;
  keepdim?: boolean;
}
/** Variance over dims with `correction` (1 by default). */
export function variance(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  return varMeanOp(x, dim, opts, "var")[0];
}
/** Standard deviation over dims with `correction` (1 by default). */
export function std(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  return stdOfVar(varMeanOp(x, dim, opts, "std")[0]);
}
/** sqrt whose gradient is 0 where the variance is 0 (PyTorch's std backward), not inf * 0. */
function stdOfVar(v: Tensor): Tensor {
  const zero = eq(detach(v), 0);
  return where(zero, 0, sqrt(where(zero, 1, v)));
}
/** [variance, mean] over dims. */
export function varMean(x: Tensor, dim?: Dims, opts: VarOptions = {}): [Tensor, Tensor] {
  return varMeanOp(x, dim, opts, "var_mean");
}
function varMeanOp(x: Tensor, dim: Dims, opts: VarOptions, op: string): [Tensor, Tensor] {
  if (!isFloating(x.dtype))
    throw new TypeError(
      `${op}(): std and var only support floating point and complex dtypes; got input of dtype ${dtypeCName(x.dtype)}`,
    );
  const dims = resolveDims(x, dim, op);
  if (opts.correction !== undefined && opts.unbiased !== undefined)
    throw new TypeError(`${op}(): cannot specify both the unbiased and correction arguments`);
  const correction = opts.correction ?? (opts.unbiased === false ? 0 : 1);
  const keepdim = opts.keepdim ?? false;
  const n = dims.reduce((a, d) => a * x.shape[d]!, 1);
  const m = mean(x, dims, true);
  const ss = sumDims(square(sub(x, m)), dims, keepdim);
  const v = div(ss, Math.max(0, n - correction));
  return [v, keepdim ? m : reshape(m, reducedShape(x.shape, dims, false))];
}
/** [std, mean] over dims. */
export function stdMean(x: Tensor, dim?: Dims, opts: VarOptions = {}): [Tensor, Tensor] {
  const [v, m] = varMeanOp(x, dim, opts, "std_mean");
  return [stdOfVar(v), m];
}

/** log(sum(exp(x))) over dims, computed stably. */
export function logsumexp(x: Tensor, dim: Dims, keepdim = false): Tensor {
  const xf = isFloating(x.dtype) ? x : toDtype(x, "float32");
  const dims = resolveDims(xf, dim, "logsumexp");
  if (xf.numel() === 0) return log(sumDims(exp(xf), dims, keepdim));
  const m = noGrad(() => amax(xf, dims, true)); // a constant shift: no graph node holding saved tensors
  const shift = where(isinf(m), 0, m);
  const s = log(sumDims(exp(sub(xf, shift)), dims, true));
  const r = add(s, shift);
  return keepdim ? r : reshape(r, reducedShape(xf.shape, dims, false));
}

/** p-norm over dims ("fro" is the 2-norm of the flattened dims). */
export const normPrim: Prim<ReduceParams & { p: number }> = {
  name: "norm",
  saves: { inputs: [0], output: true },
  infer(inputs, p) {
    const x = inputs[0]!;
    if (!isFloating(x.dtype))
      throw new TypeError(`norm(): input dtype should be floating point, got ${dtypeCName(x.dtype)}`);
    if (p.p === -Infinity && p.dims.some((d) => x.shape[d] === 0))
      throw new RangeError(
        `norm(): cannot compute the -inf norm over an empty dim of input ${fmtShape(x.shape)}: the operation has no identity`,
      );
    return { shape: reducedShape(x.shape, p.dims, p.keepdim), dtype: x.dtype };
  },
  run(k, [x], out, p) {
    const v = moveReducedLast(x!, p.dims);
    const e = normReduce(p.p);
    k.reduce(e, v, p.dims.length, out);
    if (p.p === 2) k.map({ js: "Math.sqrt(a)" }, [out], out, []);
    else if (Number.isFinite(p.p) && p.p !== 0 && p.p !== 1) k.map({ js: `Math.pow(a, ${1 / p.p})` }, [out], out, []);
  },
  grad(g, { inputs: [x], out, params }) {
    const gg = restoreDims(g, x!.shape, params);
    const n = restoreDims(out, x!.shape, params);
    const p = params.p;
    if (p === 0) return [null]; // a count: no gradient (PyTorch gives none either)
    if (p === 1) return [mul(gg, sign(x!))];
    if (!Number.isFinite(p)) {
      // split among the elements reaching the norm, a NaN counting as reaching it (as in PyTorch)
      const ax = abs(x!);
      const mask = logicalOr(eq(ax, n), isnan(ax));
      return [div(mul(mul(gg, sign(x!)), mask), sumDims(mask, params.dims, true))];
    }
    // d||x||_p / dx = x |x|^(p-2) / ||x||^(p-1), and 0 where the norm is 0
    const num = p === 2 ? x! : mul(x!, pow(abs(x!), p - 2));
    const den = p === 2 ? n : pow(n, p - 1);
    return [where(eq(n, 0), 0, div(mul(gg, num), den))];
  },
};
/** Vector p-norm over dims (all by default). */
export function norm(x: Tensor, p: number | "fro" = "fro", dim?: Dims, keepdim = false): Tensor {
  const pp = p === "fro" ? 2 : p;
  return apply(normPrim, [x], { dims: resolveDims(x, dim, "norm"), keepdim, p: pp });
}

/** Index of the maximum (over the flattened tensor when dim is omitted). */
export function argmax(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  if (dim === undefined || dim === null) return apply(argPrims.argmax, [flatten(x)], { dim: 0, keepdim: false });
  return apply(argPrims.argmax, [x], { dim: normDim(dim, x.ndim, "argmax"), keepdim });
}
/** Index of the minimum (over the flattened tensor when dim is omitted). */
export function argmin(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  if (dim === undefined || dim === null) return apply(argPrims.argmin, [flatten(x)], { dim: 0, keepdim: false });
  return apply(argPrims.argmin, [x], { dim: normDim(dim, x.ndim, "argmin"), keepdim });
}

/** A (values, indices) result: `r.values`, `r.indices`, or `const [v, i] = r` like PyTorch's named tuples. */
export class ValuesIndices {
  constructor(
    readonly values: Tensor,
    readonly indices: Tensor,
  ) {}
  *[Symbol.iterator](): Iterator<Tensor> {
    yield this.values;
    yield this.indices;
  }
}
/** Build a ValuesIndices result. */
export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  return new ValuesIndices(values, indices);
}

/** Values at `idx` (keepdim-shaped) along dim, squeezed unless keepdim. */
function pick(x: Tensor, dim: number, idx: Tensor, keepdim: boolean): ValuesIndices {
  const v = gather(x, dim, idx);
  return keepdim ? valuesIndices(v, idx) : valuesIndices(squeeze(v, dim), squeeze(idx, dim));
}

/**
 * The result of max(), min(), median() over all elements: `v` (computed by another op) copied, with
 * PyTorch's gradient rule for these full reductions: split evenly among the elements equal to the
 * result, NaN matching NaN. A primitive because no composite gives the exact value with that gradient.
 */
export const evenlyPrim: Prim<Record<string, never>> = {
  name: "evenly_distribute",
  saves: { inputs: [0, 1] },
  infer([x, v]) {
    if (v!.ndim !== 0 || v!.dtype !== x!.dtype)
      throw new TypeError(
        `evenly_distribute(): expected a 0-dim value of dtype ${x!.dtype}, got ${fmtShape(v!.shape)} ${v!.dtype}`,
      );
    return { shape: [], dtype: x!.dtype };
  },
  run(k, [, v], out) {
    k.map({ js: "a" }, [v!], out, []);
  },
  grad(g, { inputs: [x, v] }) {
    const mask = logicalOr(eq(x!, v!), logicalAnd(isnan(x!), isnan(v!)));
    const all = x!.shape.map((_, i) => i);
    return [div(mul(g, mask), sumDims(mask, all, false)), null];
  },
};
/** A full reduction with value `v` (no graph) whose gradient is split among the elements equal to it. */
function evenly(x: Tensor, v: Tensor): Tensor {
  return apply(evenlyPrim, [x, detach(v)], {});
}

/** Full max/min: the value from amax/amin, the gradient split evenly among ties. */
function fullExtremum(x: Tensor, op: "max" | "min"): Tensor {
  if (x.numel() === 0)
    throw new RangeError(
      `${op}(): Expected reduction dim to be specified for input.numel() == 0 (input ${fmtShape(x.shape)}). Specify the reduction dim with the 'dim' argument.`,
    );
  const d = detach(x);
  return evenly(x, op === "max" ? amax(d) : amin(d));
}

/**
 * Maximum: `max(x)` of all elements (gradient split among ties); `max(x, dim, keepdim)` the
 * (values, indices) along dim (the first maximal index); `max(x, other)` elementwise, as maximum.
 */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, other: Tensor): Tensor;
export function max(x: Tensor, dim?: number | Tensor, keepdim = false): Tensor | ValuesIndices {
  if (dim instanceof Tensor) return maximum(x, dim);
  if (dim === undefined) return fullExtremum(x, "max");
  const d = normDim(dim, x.ndim, "max");
  if (x.ndim === 0) return valuesIndices(x, filled([], 0, "int64", x.device));
  return pick(x, d, argmax(x, d, true), keepdim);
}
/**
 * Minimum: `min(x)` of all elements (gradient split among ties); `min(x, dim, keepdim)` the
 * (values, indices) along dim (the first minimal index); `min(x, other)` elementwise, as minimum.
 */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, other: Tensor): Tensor;
export function min(x: Tensor, dim?: number | Tensor, keepdim = false): Tensor | ValuesIndices {
  if (dim instanceof Tensor) return minimum(x, dim);
  if (dim === undefined) return fullExtremum(x, "min");
  const d = normDim(dim, x.ndim, "min");
  if (x.ndim === 0) return valuesIndices(x, filled([], 0, "int64", x.device));
  return pick(x, d, argmin(x, d, true), keepdim);
}

/** Whether all elements (over dims) are nonzero. */
export function all(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return boolReduce(x, dim, keepdim, "all");
}
/** Whether any element (over dims) is nonzero. */
export function any(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  return boolReduce(x, dim, keepdim, "any");
}
function boolReduce(x: Tensor, dim: Dims, keepdim: boolean, op: "all" | "any"): Tensor {
  const dims = resolveDims(x, dim, op);
  // count nonzeros: all <=> count == n, any <=> count > 0 (also right for empty tensors)
  const count = sumDims(ne(x, 0), dims, keepdim);
  const n = dims.reduce((a, d) => a * x.shape[d]!, 1);
  const r = op === "all" ? eq(count, n) : ne(count, 0);
  return x.dtype === "uint8" ? toDtype(r, "uint8") : r; // PyTorch keeps uint8 for uint8 inputs
}
/** Number of nonzero elements (over dims). */
export function countNonzero(x: Tensor, dim?: Dims): Tensor {
  return sumDims(ne(x, 0), resolveDims(x, dim, "count_nonzero"), false);
}

/**
 * Lower median: of all elements (the gradient split among elements equal to it), or (values,
 * indices) along a dim. A NaN makes the median NaN (along a dim, the index of the first NaN).
 */
export function median(x: Tensor): Tensor;
export function median(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function median(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  if (dim === undefined) {
    if (x.numel() === 0) return evenly(x, filled([], NaN, x.dtype, x.device));
    return evenly(x, median(flatten(detach(x)), 0).values);
  }
  const d = normDim(dim, x.ndim, "median");
  if (x.ndim === 0) return valuesIndices(x, filled([], 0, "int64", x.device));
  const n = x.shape[d]!;
  if (n === 0)
    throw new RangeError(
      `median(): Expected reduction dim ${d} to have non-zero size; input shape ${fmtShape(x.shape)}`,
    );
  const order = sortIndices(x, d, false);
  let idx = unsqueeze(select(order, d, Math.floor((n - 1) / 2)), d);
  if (isFloating(x.dtype)) {
    // a row holding NaN reports its first NaN
    const nan = isnan(x);
    const hasNan = amax(nan, [d], true);
    idx = where(hasNan, argmax(nan, d, true), idx);
  }
  return pick(x, d, idx, keepdim);
}

// ---- scans ---------------------------------------------------------------------------------------

export interface ScanParams {
  dim: number;
}

function scanPrim(
  name: string,
  kind: "sum" | "prod",
  grad: Prim<ScanParams>["grad"],
  saves: Prim<ScanParams>["saves"],
): Prim<ScanParams> {
  return {
    name,
    grad,
    saves,
    infer: (inputs) => ({ shape: [...inputs[0]!.shape], dtype: toInt64(inputs[0]!.dtype) }),
    run(k, [x], out, p) {
      if (x!.shape.length === 0) return k.map({ js: "a" }, [x!], out, []);
      k.scan(kind, moveReducedLast(x!, [p.dim]), moveReducedLast(out, [p.dim]), null);
    },
  };
}

/** Reverse cumulative sum along dim: sum_{j >= i} g_j. */
function reverseCumsum(g: Tensor, dim: number): Tensor {
  return flip(cumsum(flip(g, [dim]), dim), [dim]);
}

/** Scan primitives (the table). */
export const scanPrims = {
  cumsum: scanPrim("cumsum", "sum", (g, { params }) => [g.ndim === 0 ? g : reverseCumsum(g, params.dim)], undefined),
  cumprod: scanPrim("cumprod", "prod", (g, { inputs: [x], params }) => [cumprodGrad(x!, g, params.dim)], {
    inputs: [0],
  }),
  // cummax/cummin give the index of the running extreme; values come from gather
  cummax_indices: scanArgPrim("cummax", "max"),
  cummin_indices: scanArgPrim("cummin", "min"),
};

function scanArgPrim(name: string, kind: "max" | "min"): Prim<ScanParams> {
  return {
    name,
    grad: null,
    infer: (inputs) => ({ shape: [...inputs[0]!.shape], dtype: "int64" }),
    run(k, [x], out, p) {
      if (x!.shape.length === 0) return;
      k.scan(kind, moveReducedLast(x!, [p.dim]), null, moveReducedLast(out, [p.dim]));
    },
  };
}

/**
 * Gradient of cumprod, exact when x has zeros: grad_i = sum_{j>=i} g_j prod_{k<=j, k!=i} x_k, from
 * the cumprod of an (n, n) matrix whose diagonal is 1 (so it stays differentiable).
 */
function cumprodGrad(x: Tensor, g: Tensor, dim: number): Tensor {
  if (x.ndim === 0) return g;
  const n = x.shape[dim]!;
  if (n === 0) return g;
  // Every term for an element after a zero holds that zero: its gradient is exactly 0, also beside
  // NaN/inf, as PyTorch gives; not when the backward is recorded (createGraph), as the mask would lose
  // the 2nd derivative (PyTorch then also takes the plain O(n^2) formula).
  const isZero = isGradEnabled() ? null : eq(x, 0);
  const afterZero = isZero && gt(sub(cumsum(isZero, dim), isZero), 0);
  const xm = movedim(x, dim, -1); // (..., n)
  const gm = movedim(g, dim, -1); // (..., n)
  const eye = eyeMask(n, x.device); // (n, n) bool
  const rows = expand(unsqueeze(xm, -2), [...xm.shape.slice(0, -1), n, n]); // (..., i, k) = x_k
  const m = where(eye, 1, rows); // x_k with x_i replaced by 1
  const c = cumprod(m, -1); // (..., i, j) = prod_{k<=j, k!=i} x_k
  const upper = upperMask(n, x.device); // j >= i
  const terms = where(upper, mul(c, unsqueeze(gm, -2)), 0);
  const r = sumDims(terms, [terms.ndim - 1], false); // (..., n)
  const grad = movedim(r, -1, dim);
  return afterZero ? where(afterZero, 0, grad) : grad;
}
function eyeMask(n: number, device: string): Tensor {
  const i = arange(0, n, 1, { dtype: "int64", device });
  return eq(reshape(i, [n, 1]), reshape(i, [1, n]));
}
function upperMask(n: number, device: string): Tensor {
  const i = arange(0, n, 1, { dtype: "int64", device });
  return ge(reshape(i, [1, n]), reshape(i, [n, 1]));
}

/** Cumulative sum along dim (int inputs give int64). */
export function cumsum(x: Tensor, dim: number, opts: { dtype?: DType } = {}): Tensor {
  const xx = opts.dtype ? toDtype(x, opts.dtype) : x;
  return apply(scanPrims.cumsum, [xx], { dim: normDim(dim, x.ndim, "cumsum") });
}
/** Cumulative product along dim. */
export function cumprod(x: Tensor, dim: number, opts: { dtype?: DType } = {}): Tensor {
  const xx = opts.dtype ? toDtype(x, opts.dtype) : x;
  return apply(scanPrims.cumprod, [xx], { dim: normDim(dim, x.ndim, "cumprod") });
}
/** Running maximum along dim: (values, indices). */
export function cummax(x: Tensor, dim: number): ValuesIndices {
  const d = normDim(dim, x.ndim, "cummax");
  if (x.ndim === 0) return valuesIndices(x, filled([], 0, "int64", x.device));
  const idx = apply(scanPrims.cummax_indices, [x], { dim: d });
  return valuesIndices(gather(x, d, idx), idx);
}
/** Running minimum along dim: (values, indices). */
export function cummin(x: Tensor, dim: number): ValuesIndices {
  const d = normDim(dim, x.ndim, "cummin");
  if (x.ndim === 0) return valuesIndices(x, filled([], 0, "int64", x.device));
  const idx = apply(scanPrims.cummin_indices, [x], { dim: d });
  return valuesIndices(gather(x, d, idx), idx);
}

/** Sum a broadcast gradient back to `shape`: over leading dims, and over dims that were 1. */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  const r = dims.length ? sumDims(g, dims, true) : g;
  return reshape(r, [...shape]);
}
gradHelpers.sumToShape = sumToShape;
