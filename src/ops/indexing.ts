// Gather and scatter primitives and everything built on them: indexSelect, indexAdd, indexCopy,
// take, masked ops, nonzero, and Python-style indexing (`x.index(...)`, `x.indexPut_(...)`).

import type { ScatterReduce } from "../backend.js";
import { broadcastShapes, fmtShape, normDim } from "../shape.js";
import { Tensor } from "../tensor.js";
import { apply, type Prim } from "./prim.js";
import {
  add,
  div,
  eq,
  ge,
  gt,
  logicalAnd,
  logicalOr,
  lt,
  minimum,
  mul,
  ne,
  sub,
  where,
  toDtype,
  asTensor,
  type TensorOrScalar,
} from "./elementwise.js";
import { expand, flatten, movedim, permute, reshape, select, slice, unsqueeze, view, alias } from "./views.js";
import { fromStorageArray, arange } from "./creation.js";
import { filled } from "./scalar.js";
import { cumsum, sum } from "./reduce.js";
import { checkValues } from "./device_check.js";
import { hostData } from "./host_values.js";

function checkIndex(op: string, index: Tensor): void {
  if (index.dtype !== "int64") throw new TypeError(`${op}(): Expected dtype int64 for index, got ${index.dtype}`);
}

function checkGatherShapes(op: string, x: Tensor, dim: number, index: Tensor, other?: Tensor): void {
  if (index.ndim !== x.ndim && !(index.ndim <= 1 && x.ndim <= 1))
    throw new RangeError(
      `${op}(): Index tensor must have the same number of dimensions as input tensor (input ${fmtShape(x.shape)}, index ${fmtShape(index.shape)})`,
    );
  for (let d = 0; d < index.ndim; d++) {
    if (d !== dim && index.shape[d]! > (x.shape[d] ?? 1))
      throw new RangeError(
        `${op}(): Size does not match at dimension ${d} expected index ${fmtShape(index.shape)} to be smaller than self ${fmtShape(x.shape)} apart from dimension ${dim}`,
      );
    if (other && index.shape[d]! > (other.shape[d] ?? 1))
      throw new RangeError(
        `${op}(): Expected index ${fmtShape(index.shape)} to be smaller than src ${fmtShape(other.shape)} in every dimension`,
      );
  }
}

/** A 0-d view as 1-d (the gather / scatter kernels walk at least one dim). */
const atLeast1d = <V extends { shape: readonly number[] }>(v: V): V =>
  v.shape.length === 0 ? { ...v, shape: [1], strides: [1] } : v;

/** gather(x, dim, index): out[i][j] = x[index[i][j]][j] for dim 0. */
export const gatherPrim: Prim<{ dim: number }> = {
  name: "gather",
  saves: { inputs: [1] },
  overwrites: true,
  infer(inputs, p) {
    const [x, index] = inputs as [Tensor, Tensor];
    checkIndex("gather", index);
    checkGatherShapes("gather", x, p.dim, index);
    return { shape: [...index.shape], dtype: x.dtype };
  },
  run(k, [x, index], out, p) {
    k.gather(atLeast1d(x!), p.dim, atLeast1d(index!), atLeast1d(out));
  },
  grad: (g, { inputs: [, index], meta, params }) => [
    apply(gatherBackwardPrim, [index!, g], { dim: params.dim, shape: meta[0]!.shape }),
    null,
  ],
};

/**
 * Gather's backward: src summed into zeros of x's shape at the gathered positions (scatter_add into a
 * fresh zero tensor, without the zeros and the copy a scatter_add of them would make).
 */
const gatherBackwardPrim: Prim<{ dim: number; shape: readonly number[] }> = {
  name: "gather_backward",
  saves: { inputs: [0] },
  infer: (inputs, p) => ({ shape: [...p.shape], dtype: inputs[1]!.dtype }),
  run(k, [index, src], out, p) {
    // the output starts zeroed (no `overwrites`)
    k.scatter(atLeast1d(out), p.dim, atLeast1d(index!), atLeast1d(src!), "sum", true);
  },
  grad: (g, { inputs: [index], params }) => [null, gather(g, params.dim, index!)],
};

export interface ScatterParams {
  dim: number;
  reduce: ScatterReduce;
  includeSelf: boolean;
}

/** scatter(self, dim, index, src) with an optional reduction; the result is a new tensor. */
export const scatterPrim: Prim<ScatterParams> = {
  name: "scatter",
  saves: { inputs: [0, 1, 2], output: true },
  infer(inputs, p) {
    const [x, index, src] = inputs as [Tensor, Tensor, Tensor];
    checkIndex("scatter", index);
    checkGatherShapes("scatter", x, p.dim, index, src);
    if (src.dtype !== x.dtype)
      throw new TypeError(`scatter(): Expected self.dtype to be equal to src.dtype (${x.dtype} vs ${src.dtype})`);
    return { shape: [...x.shape], dtype: x.dtype };
  },
  run(k, [x, index, src], out, p) {
    k.map({ js: "a" }, [x!], out, []);
    k.scatter(atLeast1d(out), p.dim, atLeast1d(index!), atLeast1d(src!), p.reduce, p.includeSelf);
  },
  grad(g, { inputs: [x, index, src], out, params, needs }) {
    const { dim, reduce, includeSelf } = params;
    if (reduce === "none")
      return [needs[0] ? scatter(g, dim, index!, 0) : null, null, needs[2] ? gather(g, dim, index!) : null];
    if (reduce === "sum" && includeSelf) return [g, null, needs[2] ? gather(g, dim, index!) : null];
    // number of values combined at each position of self (self itself counts when included)
    const ones = filled([...index!.shape], 1, g.dtype, g.device);
    const hit = scatterAdd(filled([...x!.shape], 0, g.dtype, g.device), dim, index!, ones);
    // without self, positions that receive values forget self's value
    if (reduce === "sum") return [where(eq(hit, 0), g, 0), null, needs[2] ? gather(g, dim, index!) : null];
    if (reduce === "mean") {
      const n = add(hit, includeSelf ? 1 : 0);
      const gs = div(g, where(eq(n, 0), 1, n));
      const selfGrad = includeSelf ? gs : where(eq(hit, 0), g, 0);
      return [selfGrad, null, gather(gs, dim, index!)];
    }
    if (reduce === "prod") {
      // d out / d self = out / self, d out / d src = out / src (inputs assumed nonzero)
      const gOut = mul(g, out);
      const selfGrad = includeSelf ? div(gOut, x!) : where(eq(hit, 0), g, 0);
      return [selfGrad, null, div(gather(gOut, dim, index!), src!)];
    }
    // amax / amin: the gradient is split evenly among the values equal to the result
    const selfIs = includeSelf ? eq(x!, out) : logicalAnd(eq(x!, out), eq(hit, 0));
    const srcIs = eq(src!, gather(out, dim, index!));
    const count = add(
      toDtype(selfIs, g.dtype),
      scatterAdd(filled([...x!.shape], 0, g.dtype, g.device), dim, index!, toDtype(srcIs, g.dtype)),
    );
    const share = div(g, count);
    return [mul(share, selfIs), null, mul(gather(share, dim, index!), srcIs)];
  },
};

/** Values of x at `index` along dim. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  return apply(gatherPrim, [x, index], { dim: normDim(dim, x.ndim, "gather") });
}

function srcTensor(src: TensorOrScalar, x: Tensor, index: Tensor): Tensor {
  if (src instanceof Tensor) return src;
  return expand(filled([], Number(src), x.dtype, x.device), [...index.shape]);
}

/** A copy of x with src (or a scalar) written at `index` along dim; `reduce` combines instead. */
export function scatter(
  x: Tensor,
  dim: number,
  index: Tensor,
  src: TensorOrScalar,
  opts: { reduce?: "add" | "multiply" } = {},
): Tensor {
  if (opts.reduce !== undefined && opts.reduce !== "add" && opts.reduce !== "multiply")
    throw new RangeError(`scatter(): reduce argument must be either add or multiply, got ${String(opts.reduce)}`);
  const reduce: ScatterReduce = opts.reduce === "add" ? "sum" : opts.reduce === "multiply" ? "prod" : "none";
  return apply(scatterPrim, [x, index, srcTensor(src, x, index)], {
    dim: normDim(dim, x.ndim, "scatter"),
    reduce,
    includeSelf: true,
  });
}
/** A copy of x with src added at `index` along dim. */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return apply(scatterPrim, [x, index, src], {
    dim: normDim(dim, x.ndim, "scatter_add"),
    reduce: "sum",
    includeSelf: true,
  });
}
/** A copy of x with src combined at `index` by "sum", "prod", "mean", "amax" or "amin". */
export function scatterReduce(
  x: Tensor,
  dim: number,
  index: Tensor,
  src: Tensor,
  reduce: "sum" | "prod" | "mean" | "amax" | "amin",
  opts: { includeSelf?: boolean } = {},
): Tensor {
  if (!["sum", "prod", "mean", "amax", "amin"].includes(reduce))
    throw new RangeError(
      `scatter_reduce(): reduce argument must be either sum, prod, mean, amax or amin, got ${String(reduce)}`,
    );
  return apply(scatterPrim, [x, index, src], {
    dim: normDim(dim, x.ndim, "scatter_reduce"),
    reduce,
    includeSelf: opts.includeSelf ?? true,
  });
}

/** Run `f`, prefixing errors raised inside (e.g. by a kernel's bounds check) with the op's name. */
function named<R>(op: string, f: () => R): R {
  try {
    return f();
  } catch (e) {
    if (e instanceof Error && !e.message.startsWith(`${op}(`)) e.message = `${op}(): ${e.message}`;
    throw e;
  }
}

/** The index of index_select/index_add/...: at most 1-D, int64 (int32 is widened). */
function vectorIndex(op: string, index: Tensor): Tensor {
  if (index.ndim > 1) throw new RangeError(`${op}(): Index is supposed to be a vector, got ${fmtShape(index.shape)}`);
  if (index.dtype === "int32") return toDtype(index, "int64");
  if (index.dtype !== "int64")
    throw new TypeError(`${op}(): Expected dtype int32 or int64 for index, got ${index.dtype}`);
  return index;
}

/** index_add/index_copy: source has self's shape except `n` (the index length) at dim. */
function checkSource(op: string, x: Tensor, dim: number, index: Tensor, source: Tensor): void {
  const n = index.numel();
  const srcN = source.ndim === 0 ? 1 : source.shape[dim];
  const ok =
    (source.ndim === 0 && x.ndim <= 1) ||
    (source.ndim === x.ndim && x.shape.every((s, d) => d === dim || s === source.shape[d]));
  if (!ok)
    throw new RangeError(
      `${op}(): source ${fmtShape(source.shape)} must have the shape of self ${fmtShape(x.shape)} except at dim ${dim}`,
    );
  if (srcN !== n)
    throw new RangeError(
      `${op}(): Number of indices (${n}) should be equal to source.size(dim): (${srcN}), for dim: ${dim}`,
    );
}

/** A 1-D index along dim, expanded to the shape `like` has with `n` at dim. */
function expandIndex(index: Tensor, dim: number, shape: readonly number[]): Tensor {
  const n = index.numel();
  const target = shape.map((d, i) => (i === dim ? n : d));
  const idxShape = shape.map((_, i) => (i === dim ? n : 1));
  return expand(reshape(index, idxShape.length ? idxShape : []), target);
}

/** The entries of x at the positions `index` (1-D) along dim. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normDim(dim, x.ndim, "index_select");
  const ix = vectorIndex("index_select", index);
  return named("index_select", () => {
    if (x.ndim === 0) return gather(x, 0, reshape(ix, []));
    return gather(x, d, expandIndex(ix, d, x.shape));
  });
}
/** x with alpha * source added at positions `index` along dim. */
export function indexAdd(x: Tensor, dim: number, index: Tensor, source: Tensor, opts: { alpha?: number } = {}): Tensor {
  const d = normDim(dim, x.ndim, "index_add");
  const ix = vectorIndex("index_add", index);
  checkSource("index_add", x, d, ix, source);
  const src0 = source.ndim < x.ndim ? reshape(source, [...x.shape.map((s, i) => (i === d ? 1 : s))]) : source;
  const src = opts.alpha === undefined || opts.alpha === 1 ? src0 : mul(src0, opts.alpha);
  return named("index_add", () => scatterAdd(x, d, expandIndex(ix, d, src.shape), src));
}
/** x with source's slices copied to positions `index` along dim. */
export function indexCopy(x: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  const d = normDim(dim, x.ndim, "index_copy");
  const ix = vectorIndex("index_copy", index);
  checkSource("index_copy", x, d, ix, source);
  const src = source.ndim < x.ndim ? reshape(source, [...x.shape.map((s, i) => (i === d ? 1 : s))]) : source;
  return named("index_copy", () => scatter(x, d, expandIndex(ix, d, src.shape), src));
}
/** x with `value` at positions `index` along dim. */
export function indexFill(x: Tensor, dim: number, index: Tensor, value: number): Tensor {
  const d = normDim(dim, x.ndim, "index_fill");
  const ix = vectorIndex("index_fill", index);
  const shape = x.shape.map((s, i) => (i === d ? ix.numel() : s));
  return named("index_fill", () => scatter(x, d, expandIndex(ix, d, shape), value));
}
/** Elements of the flattened x at `index` (result shaped like index). */
export function take(x: Tensor, index: Tensor): Tensor {
  checkIndex("take", index);
  const n = x.numel();
  const flat = flatten(index);
  checkValues(
    logicalOr(lt(flat, -n), ge(flat, n)),
    [flat],
    `take(): out of range: tried to access index {0} on a tensor of ${n} elements.`,
  );
  // negative indices count from the end, as in PyTorch
  const wrapped = where(flat.lt(0), add(flat, n), flat);
  return reshape(gather(flatten(x), 0, wrapped), [...index.shape]);
}
/** Where mask is true, `value`; elsewhere x. Keeps x's dtype. */
export function maskedFill(x: Tensor, mask: Tensor, value: TensorOrScalar): Tensor {
  if (mask.dtype !== "bool") throw new TypeError(`masked_fill_(): expected mask to have dtype bool, got ${mask.dtype}`);
  const v = value instanceof Tensor ? value : filled([], Number(value), x.dtype, x.device);
  if (v.ndim !== 0)
    throw new RangeError(
      `masked_fill_(): only supports a 0-dimensional value tensor, but got tensor with ${v.ndim} dimension(s).`,
    );
  return where(mask, toDtype(v, x.dtype), x);
}

/** Indices of nonzero elements, (n, ndim) int64; `asTuple` gives one 1-D tensor per dim. */
export function nonzero(x: Tensor): Tensor;
export function nonzero(x: Tensor, opts: { asTuple: true }): Tensor[];
export function nonzero(x: Tensor, opts: { asTuple?: boolean } = {}): Tensor | Tensor[] {
  const data = hostData(x, "nonzero", "torch.nonzeroAsync(x)");
  const nd = x.ndim;
  const hits: number[] = [];
  const idx = new Array<number>(nd).fill(0);
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== 0) hits.push(...idx);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      if (idx[d]! < x.shape[d]!) break;
      idx[d] = 0;
    }
  }
  const n = nd === 0 ? hits.length : hits.length / nd;
  const count = nd === 0 ? (data[0] !== 0 ? 1 : 0) : n;
  const out = fromStorageArray(Float64Array.from(hits), [count, nd], "int64", { device: x.device });
  if (!opts.asTuple) return out;
  if (nd === 0) return [filled([count], 0, "int64", x.device)];
  return [...Array(nd).keys()].map((d) => select(out, 1, d));
}
/** Elements of x where mask (broadcast) is true, as a 1-D tensor. */
export function maskedSelect(x: Tensor, mask: Tensor): Tensor {
  if (mask.dtype !== "bool")
    throw new TypeError(`masked_select(): expected mask to have dtype bool, got ${mask.dtype}`);
  const shape = broadcastShapes("masked_select", x.shape, mask.shape);
  const m = hostData(expand(mask, shape), "masked_select", "torch.maskedSelectAsync(x, mask)");
  const pos: number[] = [];
  for (let i = 0; i < m.length; i++) if (m[i]) pos.push(i);
  const index = fromStorageArray(Float64Array.from(pos), [pos.length], "int64", { device: x.device });
  return gather(reshape(expand(x, shape), [-1]), 0, index);
}
/** x with consecutive elements of source written where mask is true. */
export function maskedScatter(x: Tensor, mask: Tensor, source: Tensor): Tensor {
  if (mask.dtype !== "bool")
    throw new TypeError(`masked_scatter(): expected mask to have dtype bool, got ${mask.dtype}`);
  const shape = broadcastShapes("masked_scatter", x.shape, mask.shape);
  const m = reshape(expand(mask, shape), [-1]);
  const flatX = reshape(expand(x, shape), [-1]);
  const flatSource = reshape(source, [-1]);
  const n = source.numel();
  const count = cumsum(m, 0); // int64: how many set positions up to each one
  if (m.numel() > 0) {
    const total = slice(count, 0, m.numel() - 1);
    const msg = `masked_scatter(): Number of elements of source < number of ones in mask (${n} < {0})`;
    checkValues(gt(total, n), [total], msg);
  }
  // (an empty source still takes part, so its gradient is an empty zero tensor)
  if (n === 0) return reshape(where(m, sum(flatSource), flatX), shape);
  // the k-th set position takes source element k
  const at = minimum(where(m, sub(count, 1), 0), n - 1);
  return reshape(where(m, gather(flatSource, 0, at), flatX), shape);
}

// ---- Python-style indexing ---------------------------------------------------------------------

/** A slice `start:stop:step` (any part may be null/undefined). */
export interface Slice {
  readonly start?: number | null;
  readonly stop?: number | null;
  readonly step?: number | null;
}
/** One index item: an int, a slice ("1:3", ":", "::2" or a Slice), null (new axis), "..." , or an index/bool tensor or array. */
export type IndexItem = number | string | Slice | null | Tensor | readonly number[] | readonly boolean[] | boolean;

/** Make a slice item (`torch.slice(1, 3)` is Python's `1:3`). */
export function sl(start?: number | null, stop?: number | null, step?: number | null): Slice {
  return { start, stop, step };
}

function parseSliceString(s: string): Slice {
  const parts = s.split(":").map((p) => p.trim());
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p !== "" && !/^-?\d+$/.test(p)))
    throw new TypeError(
      `index(): could not parse slice '${s}' (expected 'start:stop:step', e.g. '1:3', ':', '::2', or '...')`,
    );
  const num = (p: string | undefined) => (p === undefined || p === "" ? null : Number(p));
  return { start: num(parts[0]), stop: num(parts[1]), step: num(parts[2]) };
}

type Item =
  | { kind: "int"; value: number }
  | { kind: "slice"; s: Slice }
  | { kind: "none" }
  | { kind: "ellipsis" }
  | { kind: "bool"; value: boolean }
  | { kind: "tensor"; t: Tensor };

/** int64 indices (1-D, on `device`) of the true entries of a JS bool list: a bool list is a mask. */
function listMaskIndex(arr: readonly boolean[], device: string): Tensor {
  const hits: number[] = [];
  arr.forEach((b, i) => b && hits.push(i));
  return fromStorageArray(Float64Array.from(hits), [hits.length], "int64", { device });
}

function classify(it: IndexItem, like: Tensor): Item {
  if (it === null) return { kind: "none" };
  if (typeof it === "number") {
    if (!Number.isInteger(it))
      throw new TypeError(
        `index(): only integers, slices, '...', null and integer or boolean tensors are valid indices (got ${it})`,
      );
    return { kind: "int", value: it };
  }
  if (typeof it === "string")
    return it.trim() === "..." ? { kind: "ellipsis" } : { kind: "slice", s: parseSliceString(it) };
  if (typeof it === "boolean") return { kind: "bool", value: it };
  if (it instanceof Tensor) return { kind: "tensor", t: it };
  if (Array.isArray(it)) {
    const arr = it as readonly (number | boolean)[];
    // the values of a JS list are known here: a bool list becomes the indices of its true entries
    if (arr.length > 0 && typeof arr[0] === "boolean")
      return { kind: "tensor", t: listMaskIndex(arr as readonly boolean[], like.device) };
    return {
      kind: "tensor",
      t: fromStorageArray(Float64Array.from(arr as number[]), [arr.length], "int64", { device: like.device }),
    };
  }
  return { kind: "slice", s: it as Slice };
}

/** An advanced index of `basicIndex`: its dim in the view, the index (or, kept, a bool mask over t.ndim dims). */
interface Advanced {
  dim: number;
  t: Tensor;
  mask?: boolean;
}

/**
 * Resolve indexing into basic views plus advanced (tensor) indices.
 * Returns the view after ints/slices/None and, per advanced index, its dim in that view. Bool masks
 * become one index tensor per dim (their values are read: see `hostData`), or with `keepMasks` stay
 * masks (a 0-dim mask over a new axis of size 1).
 */
function basicIndex(x: Tensor, items: readonly IndexItem[], keepMasks = false): { v: Tensor; adv: Advanced[] } {
  const parsed = items.map((i) => classify(i, x));
  const dimsUsed = (p: Item) =>
    p.kind === "int" || p.kind === "slice" ? 1 : p.kind === "tensor" ? (isMask(p.t) ? p.t.ndim : 1) : 0;
  const consumed = parsed.reduce((n, p) => n + dimsUsed(p), 0);
  const ell = parsed.filter((p) => p.kind === "ellipsis").length;
  if (ell > 1) throw new TypeError("index(): an index can only have a single ellipsis ('...')");
  if (consumed > x.ndim)
    throw new RangeError(`index(): too many indices for tensor of dimension ${x.ndim} (got ${consumed})`);
  const expanded: Item[] = [];
  for (const p of parsed) {
    if (p.kind === "ellipsis") for (let i = 0; i < x.ndim - consumed; i++) expanded.push({ kind: "slice", s: {} });
    else expanded.push(p);
  }
  let v = x;
  let dim = 0;
  const adv: Advanced[] = [];
  for (const p of expanded) {
    if (p.kind === "int") {
      v = select(v, dim, p.value);
    } else if (p.kind === "slice") {
      const step = p.s.step ?? 1;
      if (step <= 0) throw new RangeError("index(): step must be greater than zero");
      v = slice(v, dim, p.s.start ?? 0, p.s.stop ?? Infinity, step);
      dim++;
    } else if (p.kind === "none") {
      v = unsqueeze(v, dim);
      dim++;
    } else if (p.kind === "bool") {
      // Python's x[True] / x[False]: a new axis of size 1, kept or emptied
      v = unsqueeze(v, dim);
      adv.push({ dim, t: listMaskIndex([p.value], x.device) });
      dim++;
    } else if (p.kind === "tensor") {
      const t = p.t;
      if (isMask(t)) {
        // a mask over the next t.ndim dims becomes one index tensor per dim
        for (let k = 0; k < t.ndim; k++)
          if (t.shape[k] !== v.shape[dim + k])
            throw new RangeError(
              `index(): The shape of the mask ${fmtShape(t.shape)} at index ${k} does not match the shape of the indexed tensor ${fmtShape(v.shape)} at index ${dim + k}`,
            );
        if (t.ndim === 0) {
          v = unsqueeze(v, dim);
          const m = reshape(t, [1]);
          adv.push(keepMasks ? { dim, t: m, mask: true } : { dim, t: nonzero(m, { asTuple: true })[0]! });
          dim++;
          continue;
        }
        if (keepMasks) adv.push({ dim, t, mask: true });
        else nonzero(t, { asTuple: true }).forEach((ix, k) => adv.push({ dim: dim + k, t: ix }));
        dim += t.ndim;
      } else {
        if (t.dtype !== "int64")
          throw new TypeError(
            `index(): tensors used as indices must be long, byte or bool tensors, got a tensor of dtype ${t.dtype}`,
          );
        adv.push({ dim, t });
        dim++;
      }
    }
  }
  return { v, adv };
}

/** Bool (and, as in PyTorch, uint8) index tensors are masks. */
function isMask(t: Tensor): boolean {
  return t.dtype === "bool" || t.dtype === "uint8";
}

/** Wrap negative indices and check bounds (on webgpu the check reports at the next readback). */
function normalizeIndex(t: Tensor, size: number, dim: number): Tensor {
  checkValues(
    logicalOr(lt(t, -size), ge(t, size)),
    [t],
    `index(): index {0} is out of bounds for dimension ${dim} with size ${size}`,
  );
  return where(lt(t, 0), add(t, size), t);
}

/** Apply advanced indices to the view: result dims as NumPy/PyTorch place them. */
function advancedIndex(v: Tensor, adv: Advanced[]): Tensor {
  if (adv.length === 0) return v;
  const dims = adv.map((a) => a.dim);
  const bshape = broadcastShapes("index", ...adv.map((a) => a.t.shape));
  // put advanced dims first: (a1, ..., ak, rest...)
  const rest = v.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const moved = permute(v, [...dims, ...rest]);
  const sizes = dims.map((d) => v.shape[d]!);
  // linear index into the flattened advanced dims
  let lin: Tensor | null = null;
  let stride = 1;
  for (let k = adv.length - 1; k >= 0; k--) {
    const idx = normalizeIndex(adv[k]!.t, sizes[k]!, dims[k]!);
    const term = stride === 1 ? idx : mul(idx, stride);
    lin = lin ? add(lin, term) : term;
    stride *= sizes[k]!;
  }
  const flat = reshape(moved, [stride, ...rest.map((i) => v.shape[i]!)]);
  const picked = indexSelect(flat, 0, flatten(expand(lin!, bshape)));
  const out = reshape(picked, [...bshape, ...rest.map((i) => v.shape[i]!)]);
  // adjacent advanced dims keep their place; separated ones go first (NumPy's rule)
  const adjacent = dims.every((d, i) => i === 0 || d === dims[i - 1]! + 1);
  if (adjacent && dims[0]! > 0 && bshape.length > 0) {
    const b = bshape.length;
    const src = [...Array(b).keys()];
    const dst = src.map((i) => dims[0]! + i);
    return movedim(out, src, dst);
  }
  return out;
}

/** Python's `x[...]`: `x.index(0, ":", null, "1::2", idxTensor, mask)`. */
export function index(x: Tensor, ...items: IndexItem[]): Tensor {
  const { v, adv } = basicIndex(x, items);
  const r = advancedIndex(v, adv);
  return r === x ? alias(x) : r;
}

/**
 * The new value of x after Python's `x[items] = values` (or `+=` with accumulate), out of place:
 * indexing a tensor of element positions finds the targets, then one scatter writes them.
 */
export function indexPut(x: Tensor, items: readonly IndexItem[], values: TensorOrScalar, accumulate = false): Tensor {
  const positions = view(arange(0, x.numel(), 1, { dtype: "int64", device: x.device }), [...x.shape]);
  const kept = basicIndex(positions, items, true);
  if (kept.adv.length === 1 && kept.adv[0]!.mask) return maskPut(x, kept.v, kept.adv[0]!, values, accumulate);
  const target = index(positions, ...items);
  const vals = asTensor(values, x);
  broadcastShapes("index_put_", vals.shape, target.shape);
  const src = toDtype(expand(vals, [...target.shape]), x.dtype);
  const flatTarget = flatten(target);
  const flatSrc = reshape(src, [-1]);
  const flatX = reshape(x, [-1]);
  const out = accumulate ? scatterAdd(flatX, 0, flatTarget, flatSrc) : scatter(flatX, 0, flatTarget, flatSrc);
  return reshape(out, [...x.shape]);
}

/**
 * `x[..., mask, ...] = values` (or `+=`) without reading the mask: `v` holds the element positions of
 * the basic view, the mask covers its dims from `m.dim`. The k-th selected element takes values' k-th
 * entry along the mask's result dim (or its only one), found by a running count of the mask; a count
 * that does not match the values is reported like other device-side checks.
 */
function maskPut(x: Tensor, v: Tensor, m: Advanced, values: TensorOrScalar, accumulate: boolean): Tensor {
  const d = m.dim;
  const k = m.t.ndim;
  for (let j = 0; j < k; j++)
    if (m.t.shape[j] !== v.shape[d + j])
      throw new RangeError(
        `index_put_(): The shape of the mask ${fmtShape(m.t.shape)} at index ${j} does not match the shape of the indexed tensor ${fmtShape(v.shape)} at index ${d + j}`,
      );
  const pre = v.shape.slice(0, d);
  const post = v.shape.slice(d + k);
  const M = m.t.numel();
  const full = [...pre, M, ...post];
  const P = reshape(v, full);
  const flatMask = toDtype(reshape(m.t, [M]), "bool"); // (uint8 masks too)
  const along = (t: Tensor) => expand(reshape(t, [...pre.map(() => 1), M, ...post.map(() => 1)]), full);
  // values broadcast to (pre, count, post), with count C (1: every selected element gets the same)
  const vals = toDtype(asTensor(values, x), x.dtype);
  const rank = full.length;
  const resultShape = (c: string) => `[${[...pre, c, ...post].join(", ")}]`;
  const mismatch = `index_put_(): shape mismatch: value tensor of shape ${fmtShape(vals.shape)} cannot be broadcast to indexing result of shape `;
  if (vals.ndim > rank) throw new RangeError(mismatch + resultShape("n"));
  const vs = [...new Array<number>(rank - vals.ndim).fill(1), ...vals.shape];
  vs.forEach((s, i) => {
    if (i !== d && s !== 1 && s !== full[i]) throw new RangeError(mismatch + resultShape("n"));
  });
  const C = vs[d]!;
  const flatX = reshape(x, [-1]);
  const at = flatten(P);
  let picked: Tensor | null = null;
  if (C === 1) picked = expand(reshape(vals, vs), full);
  else {
    const count = cumsum(flatMask, 0);
    checkValues(ne(sum(flatMask), C), [sum(flatMask)], mismatch + resultShape("{0}"));
    if (C > 0) {
      const ix = minimum(where(flatMask, sub(count, 1), 0), C - 1);
      const src = expand(reshape(vals, vs), [...pre, C, ...post]);
      picked = gather(src, d, along(ix));
    }
  }
  const mask = along(flatMask);
  if (accumulate) {
    if (!picked) return x.clone();
    return reshape(scatterAdd(flatX, 0, at, flatten(where(mask, picked, 0))), [...x.shape]);
  }
  const current = reshape(gather(flatX, 0, at), full);
  if (!picked) return reshape(scatter(flatX, 0, at, flatten(current)), [...x.shape]);
  return reshape(scatter(flatX, 0, at, flatten(where(mask, picked, current))), [...x.shape]);
}
