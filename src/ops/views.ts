// View primitives: results share their input's storage and only change (shape, strides, offset).
// One gradient serves them all: the incoming gradient is scattered (added) into zeros of the input's
// shape through the same geometry applied to a contiguous layout (viewScatter). Its gradient in turn
// is the view itself, so higher-order gradients work. permute and view, the common ones in training
// (transposed weights, flatten), instead take a view of the gradient itself, as PyTorch does.

import { fmtShape, contiguousStrides, inferSize, normDim, numel, viewStrides } from "../shape.js";
import { Tensor } from "../tensor.js";
import { apply, named, seqNow, type Geometry, type GradCtx, type Prim } from "./prim.js";
import { clonePrim, div, maximum } from "./elementwise.js";
import { filled } from "./scalar.js";

/** A constant tensor with g's dtype and device. */
function filledLike(g: Tensor, shape: number[], value: number): Tensor {
  return filled(shape, value, g.dtype, g.device);
}

/** Gradient of every view prim: scatter g into zeros of the input's shape through the view. */
function viewGrad<P>(prim: Prim<P>) {
  return (g: Tensor, ctx: GradCtx<P>) => {
    const inShape = ctx.meta[0]!.shape;
    const rel = prim.view!({ shape: [...inShape], strides: contiguousStrides(inShape), offset: 0 }, ctx.params);
    return [apply(viewScatterPrim, [g], { shape: [...inShape], view: rel })];
  };
}

/** Declare a view primitive from its geometry rule. */
function viewPrim<P>(name: string, view: (g: Geometry, p: P) => Geometry): Prim<P> {
  const prim: Prim<P> = {
    name,
    view,
    infer(inputs, params) {
      const x = inputs[0]!;
      const g = view({ shape: [...x.shape], strides: [...x.strides], offset: x.offset }, params);
      return { shape: g.shape, dtype: x.dtype };
    },
    get grad() {
      return viewGrad(prim);
    },
  };
  return prim;
}

/** Gradient of a view: zeros of the input's shape with g added at the viewed positions. */
export const viewScatterPrim: Prim<{ shape: number[]; view: Geometry }> = {
  name: "as_strided_scatter",
  infer: (inputs, p) => ({ shape: p.shape, dtype: inputs[0]!.dtype }),
  run(k, [g], out, p) {
    k.stridedAccumulate(g!, out, p.view.shape, p.view.strides, p.view.offset);
  },
  grad: (gg, { params }) => [asStridedContig(gg, params.view)],
};

/** View a tensor (made contiguous first) with a geometry relative to its first element. */
function asStridedContig(t: Tensor, g: Geometry): Tensor {
  return apply(viewPrims.as_strided, [contiguous(t)], { size: g.shape, stride: g.strides, delta: g.offset });
}

/**
 * view: its gradient is g reshaped to the input's shape (a view where g's layout allows, as
 * PyTorch's), instead of a copy into zeros: a flatten or reshape costs no pass over the gradient.
 */
function viewViewPrim(): Prim<{ shape: number[] }> {
  const prim = viewPrim<{ shape: number[] }>("view", (g, { shape }) => {
    const st = viewStrides(g.shape, g.strides, shape);
    if (!st)
      throw new Error(
        `view(): view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces); input ${fmtShape(g.shape)} with strides ${fmtShape(g.strides)}, requested ${fmtShape(shape)}. Use .reshape(...) instead.`,
      );
    return { shape, strides: st, offset: g.offset };
  });
  return Object.defineProperty(prim, "grad", {
    value: (g: Tensor, ctx: GradCtx<{ shape: number[] }>) => [reshape(g, [...ctx.meta[0]!.shape])],
  });
}

/**
 * permute: its gradient is the inverse permutation of g, itself a view (as PyTorch's), instead of a
 * scatter into zeros: a transposed weight's gradient then reaches `.grad` without a transposed copy.
 */
function permutePrim(): Prim<{ dims: number[] }> {
  const prim = viewPrim<{ dims: number[] }>("permute", (g, { dims }) => ({
    shape: dims.map((d) => g.shape[d]!),
    strides: dims.map((d) => g.strides[d]!),
    offset: g.offset,
  }));
  return Object.defineProperty(prim, "grad", {
    value: (g: Tensor, { params }: GradCtx<{ dims: number[] }>) => {
      const inv = new Array<number>(params.dims.length);
      params.dims.forEach((d, i) => (inv[d] = i));
      return [apply(prim, [g], { dims: inv })];
    },
  });
}

/** View primitives (the table). */
export const viewPrims = {
  view: viewViewPrim(),
  permute: permutePrim(),
  expand: viewPrim<{ shape: number[] }>("expand", (g, { shape }) => {
    const off = shape.length - g.shape.length;
    const strides = shape.map((d, i) => {
      const j = i - off;
      if (j < 0) return 0;
      const s = g.shape[j]!;
      if (s === d) return g.strides[j]!;
      if (s === 1) return 0;
      throw new RangeError(
        `expand(): The expanded size of the tensor (${d}) must match the existing size (${s}) at non-singleton dimension ${i}. Target sizes: ${fmtShape(shape)}. Tensor sizes: ${fmtShape(g.shape)}`,
      );
    });
    return { shape, strides, offset: g.offset };
  }),
  slice: viewPrim<{ dim: number; start: number; end: number; step: number }>(
    "slice",
    (g, { dim, start, end, step }) => {
      const shape = [...g.shape];
      const strides = [...g.strides];
      shape[dim] = Math.max(0, Math.ceil((end - start) / step));
      strides[dim] = g.strides[dim]! * step;
      return { shape, strides, offset: g.offset + start * g.strides[dim]! };
    },
  ),
  select: viewPrim<{ dim: number; index: number }>("select", (g, { dim, index }) => ({
    shape: g.shape.filter((_, i) => i !== dim),
    strides: g.strides.filter((_, i) => i !== dim),
    offset: g.offset + index * g.strides[dim]!,
  })),
  diagonal: viewPrim<{ offset: number; dim1: number; dim2: number }>("diagonal", (g, { offset, dim1, dim2 }) => {
    const keep = g.shape.map((_, i) => i).filter((i) => i !== dim1 && i !== dim2);
    const n1 = g.shape[dim1]!;
    const n2 = g.shape[dim2]!;
    const len = Math.max(0, offset >= 0 ? Math.min(n1, n2 - offset) : Math.min(n1 + offset, n2));
    const start = len === 0 ? 0 : offset >= 0 ? offset * g.strides[dim2]! : -offset * g.strides[dim1]!;
    return {
      shape: [...keep.map((i) => g.shape[i]!), len],
      strides: [...keep.map((i) => g.strides[i]!), g.strides[dim1]! + g.strides[dim2]!],
      offset: g.offset + start,
    };
  }),
  unfold: viewPrim<{ dim: number; size: number; step: number }>("unfold", (g, { dim, size, step }) => {
    const shape = [...g.shape];
    const strides = [...g.strides];
    const n = g.shape.length === 0 ? 1 : g.shape[dim]!;
    if (g.shape.length === 0) return { shape: [size], strides: [1], offset: g.offset };
    shape[dim] = Math.floor((n - size) / step) + 1;
    strides[dim] = g.strides[dim]! * step;
    return { shape: [...shape, size], strides: [...strides, g.strides[dim]!], offset: g.offset };
  }),
  // geometry relative to the input's first element; `delta` is the storage offset minus the input's
  as_strided: asStridedPrim(),
  alias: viewPrim<Record<string, never>>("alias", (g) => g),
};

const vp = viewPrims;

/**
 * as_strided params: output sizes/strides in storage elements, `delta` = output storage offset minus
 * the input's, and `inStrides` = the input's strides (absent: the input is contiguous).
 */
export interface AsStridedParams {
  size: number[];
  stride: number[];
  delta: number;
  inStrides?: number[];
}

/** Largest element offset a geometry reaches from its start (-1 when it has no elements). */
function extent(shape: readonly number[], strides: readonly number[]): number {
  let m = 0;
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 0) return -1;
    m += (shape[i]! - 1) * strides[i]!;
  }
  return m;
}

/** Whether no two indices of (shape, strides) reach the same element (sufficient test, as PyTorch's). */
function nonOverlapping(shape: readonly number[], strides: readonly number[]): boolean {
  const dims = shape.map((_, i) => i).filter((i) => shape[i]! > 1);
  dims.sort((a, b) => strides[a]! - strides[b]!);
  let reach = 0;
  for (const d of dims) {
    if (strides[d]! <= reach) return false;
    reach += (shape[d]! - 1) * strides[d]!;
  }
  return true;
}

/**
 * as_strided reads the storage, not the input's logical layout, so its gradient goes through a
 * storage-shaped buffer: g is added into it at the output geometry, then read back through the input's
 * geometry (divided by how often the input reaches each element, when the input overlaps itself).
 */
function asStridedPrim(): Prim<AsStridedParams> {
  const prim: Prim<AsStridedParams> = {
    name: "as_strided",
    view: (g, { size, stride, delta }) => ({ shape: size, strides: stride, offset: g.offset + delta }),
    infer(inputs, { size }) {
      return { shape: size, dtype: inputs[0]!.dtype };
    },
    grad(g, { meta, params }) {
      const inShape = [...meta[0]!.shape];
      const inStrides = params.inStrides ?? contiguousStrides(inShape);
      const lo = Math.min(0, params.delta);
      const hi = Math.max(extent(inShape, inStrides), params.delta + extent(params.size, params.stride));
      const n = Math.max(hi - lo + 1, 0);
      const outGeom = { shape: params.size, strides: params.stride, offset: params.delta - lo };
      const inGeom = { shape: inShape, strides: inStrides, offset: -lo };
      let buf = apply(viewScatterPrim, [g], { shape: [n], view: outGeom });
      if (!nonOverlapping(inShape, inStrides)) {
        const ones = filledLike(g, inShape, 1);
        const count = apply(viewScatterPrim, [ones], { shape: [n], view: inGeom });
        buf = div(buf, maximum(count, filledLike(g, [], 1)));
      }
      return [apply(prim, [buf], { size: inShape, stride: inStrides, delta: -lo })];
    },
  };
  return prim;
}

/** A view with a new shape (one dim may be -1); fails if the memory layout does not allow it. */
export function view(x: Tensor, ...shape: number[] | [number[]]): Tensor {
  const s = inferSize(flatArgs(shape), x.numel(), "view", x.shape);
  return apply(vp.view, [x], { shape: s });
}
/** A view with a new shape when possible, otherwise a copy. */
export function reshape(x: Tensor, ...shape: number[] | [number[]]): Tensor {
  const s = inferSize(flatArgs(shape), x.numel(), "reshape", x.shape);
  if (viewStrides(x.shape, x.strides, s)) return apply(vp.view, [x], { shape: s });
  return apply(vp.view, [contiguous(x)], { shape: s });
}
function flatArgs(a: number[] | [number[]]): number[] {
  return Array.isArray(a[0]) ? [...a[0]] : (a as number[]);
}
/** Reorder dimensions. */
export function permute(x: Tensor, ...dims: number[] | [number[]]): Tensor {
  const d = flatArgs(dims);
  if (d.length !== x.ndim)
    throw new RangeError(
      `permute(): number of dims don't match in permute: input ${fmtShape(x.shape)} has ${x.ndim} dims but ${d.length} were given (${fmtShape(d)})`,
    );
  const nd = d.map((i) => normDim(i, x.ndim, "permute"));
  if (new Set(nd).size !== nd.length) throw new RangeError(`permute(): repeated dim in ${fmtShape(d)}`);
  return apply(vp.permute, [x], { dims: nd });
}
/** Swap two dimensions. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  if (x.ndim === 0) return alias(x);
  const a = normDim(dim0, x.ndim, "transpose");
  const b = normDim(dim1, x.ndim, "transpose");
  const dims = [...Array(x.ndim).keys()];
  dims[a] = b;
  dims[b] = a;
  const since = seqNow();
  return named(apply(vp.permute, [x], { dims }), "transpose", since);
}
/** Transpose of a tensor with at most 2 dims. */
export function t(x: Tensor): Tensor {
  if (x.ndim > 2) throw new RangeError(`t() expects a tensor with <= 2 dimensions, but self is ${x.ndim}D`);
  const since = seqNow();
  return named(x.ndim < 2 ? alias(x) : transpose(x, 0, 1), "t", since);
}
/** Transpose of the last two dims (`x.mT`). */
export function mT(x: Tensor): Tensor {
  if (x.ndim === 0) return alias(x);
  if (x.ndim < 2)
    throw new RangeError(`tensor.mT is only supported on matrices or batches of matrices. Got ${x.ndim}-D tensor.`);
  return transpose(x, -2, -1);
}
/** Broadcast to a larger shape without copying (-1 keeps a size). */
export function expand(x: Tensor, ...shape: number[] | [number[]]): Tensor {
  const s = flatArgs(shape);
  if (s.length < x.ndim)
    throw new RangeError(
      `expand(): the number of sizes provided (${s.length}) must be greater or equal to the number of dimensions in the tensor (${x.ndim})`,
    );
  const off = s.length - x.ndim;
  const target = s.map((d, i) => {
    if (d !== -1) return d;
    if (i < off) throw new RangeError(`expand(): -1 is not allowed in a leading, non-existing dimension ${i}`);
    return x.shape[i - off]!;
  });
  return apply(vp.expand, [x], { shape: target });
}
/** Expand to the shape of `other`. */
export const expandAs = (x: Tensor, other: Tensor) => expand(x, [...other.shape]);
/** Remove size-1 dims (all, one, or a list). */
export function squeeze(x: Tensor, dim?: number | number[]): Tensor {
  let dims: number[];
  if (dim === undefined) dims = x.shape.map((_, i) => i);
  else dims = (Array.isArray(dim) ? dim : [dim]).map((d) => normDim(d, x.ndim, "squeeze"));
  const shape = x.shape.filter((d, i) => !(dims.includes(i) && d === 1));
  const since = seqNow();
  return named(apply(vp.view, [x], { shape }), "squeeze", since);
}
/** Insert a size-1 dim at `dim`. */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normDim(dim, x.ndim + 1, "unsqueeze");
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  const since = seqNow();
  return named(apply(vp.view, [x], { shape }), "unsqueeze", since);
}
/** Merge dims startDim..endDim into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  const s = normDim(startDim, x.ndim, "flatten");
  const e = normDim(endDim, x.ndim, "flatten");
  if (x.ndim === 0) return reshape(x, [1]);
  if (s > e) throw new RangeError("flatten() has invalid args: start_dim cannot come after end_dim");
  const shape = [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}
/** Split dim into `sizes` (one may be -1). */
export function unflatten(x: Tensor, dim: number, sizes: number[]): Tensor {
  const d = normDim(dim, x.ndim, "unflatten");
  const inner = inferSize(sizes, x.shape[d]!, "unflatten", x.shape);
  return view(x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)]);
}
/** Python-style slice of one dim: start/end may be negative or out of range, step > 0. */
export function slice(x: Tensor, dim: number, start = 0, end = Infinity, step = 1): Tensor {
  const d = normDim(dim, x.ndim, "slice");
  if (step <= 0) throw new RangeError("slice(): slice step must be positive");
  const n = x.shape[d]!;
  const clampIdx = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
  const s = clampIdx(start);
  const e = Math.max(clampIdx(end), s);
  return apply(vp.slice, [x], { dim: d, start: s, end: e, step });
}
/** `length` elements of `dim` from `start` (must fit). */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normDim(dim, x.ndim, "narrow");
  const n = x.shape[d]!;
  const s = start < 0 ? start + n : start;
  if (s < 0 || s > n || length < 0 || s + length > n)
    throw new RangeError(
      `narrow(): start (${start}) + length (${length}) exceeds dimension size (${n}) of dim ${dim} for input ${fmtShape(x.shape)}`,
    );
  return apply(vp.slice, [x], { dim: d, start: s, end: s + length, step: 1 });
}
/** The slice at `index` of `dim`, removing that dim. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  if (x.ndim === 0) throw new RangeError("select() cannot be applied to a 0-dim tensor.");
  const d = normDim(dim, x.ndim, "select");
  const n = x.shape[d]!;
  if (index < -n || index >= n)
    throw new RangeError(
      `select(): index ${index} out of range for tensor of size ${fmtShape(x.shape)} at dimension ${dim}`,
    );
  return apply(vp.select, [x], { dim: d, index: index < 0 ? index + n : index });
}
/** Sliding windows of `size` with `step` along `dimension`, as a new last dim. */
export function unfold(x: Tensor, dimension: number, size: number, step: number): Tensor {
  const d = x.ndim === 0 ? 0 : normDim(dimension, x.ndim, "unfold");
  const n = x.ndim === 0 ? 1 : x.shape[d]!;
  if (size > n) throw new RangeError(`unfold(): maximum size for tensor at dimension ${d} is ${n} but size is ${size}`);
  if (step <= 0) throw new RangeError(`unfold(): step is ${step} but must be > 0`);
  return apply(vp.unfold, [x], { dim: d, size, step });
}
/** The diagonal of the (dim1, dim2) planes, as a new last dim. */
export function diagonal(x: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor {
  const a = normDim(dim1, x.ndim, "diagonal");
  const b = normDim(dim2, x.ndim, "diagonal");
  if (a === b) throw new RangeError(`diagonal(): dimensions cannot be identical ${dim1}, ${dim2}`);
  return apply(vp.diagonal, [x], { offset, dim1: a, dim2: b });
}
/** A view with explicit sizes, strides and storage offset. */
export function asStrided(x: Tensor, size: number[], stride: number[], storageOffset?: number): Tensor {
  if (size.length !== stride.length) throw new RangeError(`as_strided(): mismatch in length of strides and shape`);
  const off = storageOffset ?? x.offset;
  let maxIndex = off;
  for (let i = 0; i < size.length; i++) {
    if (size[i]! < 0 || stride[i]! < 0)
      throw new RangeError("as_strided(): negative sizes or strides are not supported");
    if (size[i] === 0) maxIndex = -1;
    else if (maxIndex >= 0) maxIndex += (size[i]! - 1) * stride[i]!;
  }
  if (maxIndex >= x.storage.numel)
    throw new RangeError(
      `as_strided(): setStorage: sizes ${fmtShape(size)}, strides ${fmtShape(stride)}, storage offset ${off} require a storage of ${maxIndex + 1} elements, but it has ${x.storage.numel}`,
    );
  const p: AsStridedParams = { size: [...size], stride: [...stride], delta: off - x.offset };
  if (!x.isContiguous() || x.shape.some((d) => d === 0)) p.inStrides = [...x.strides];
  return apply(vp.as_strided, [x], p);
}
/** A new view of the same data (shares autograd history). */
export const alias = (x: Tensor) => apply(vp.alias, [x], {});
/** The tensor itself when contiguous, otherwise a contiguous copy. */
export function contiguous(x: Tensor): Tensor {
  return x.isContiguous() ? x : clone(x);
}
/** A copy with its own storage (differentiable). */
export function clone(x: Tensor): Tensor {
  return apply(clonePrim, [x], []);
}
/** A tensor sharing the data but cut from the autograd graph. */
export function detach(x: Tensor): Tensor {
  // no `base`: in-place writes to a detached tensor must not rebase x's history (as in PyTorch,
  // `x.detach().add_(1)` is allowed even for a leaf that requires grad)
  return new Tensor(x.storage, x.shape, x.strides, x.offset, x.dtype);
}
/** Move dims `source` to positions `destination`. */
export function movedim(x: Tensor, source: number | number[], destination: number | number[]): Tensor {
  const src = (Array.isArray(source) ? source : [source]).map((d) => normDim(d, x.ndim, "movedim"));
  const dst = (Array.isArray(destination) ? destination : [destination]).map((d) => normDim(d, x.ndim, "movedim"));
  if (src.length !== dst.length)
    throw new RangeError(
      `movedim(): Invalid source or destination dims: source (${fmtShape(src)} dims) should contain the same number of dims as destination (${fmtShape(dst)} dims)`,
    );
  if (new Set(src).size !== src.length)
    throw new RangeError(`movedim(): repeated dim in \`source\` (${fmtShape(src)})`);
  if (new Set(dst).size !== dst.length)
    throw new RangeError(`movedim(): repeated dim in \`destination\` (${fmtShape(dst)})`);
  if (x.ndim === 0) return alias(x);
  const order = new Array<number>(x.ndim).fill(-1);
  dst.forEach((d, i) => (order[d] = src[i]!));
  const rest = [...Array(x.ndim).keys()].filter((d) => !src.includes(d));
  for (let i = 0, r = 0; i < x.ndim; i++) if (order[i] === -1) order[i] = rest[r++]!;
  return permute(x, order);
}
