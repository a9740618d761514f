// Data-dependent ops that read their input's values on the host: unique, uniqueConsecutive, bincount,
// histc, searchsorted, bucketize, and the one-argument `where(cond)`. Their output shapes depend on the
// data (or they only count), so they are not primitives and have no gradient, as in PyTorch.
// Values are read through `hostData`: on webgpu the ops whose result shape depends on the values need
// their async forms (async_ops.ts); searchsorted, bucketize and histc run on the device there.

import { allocArray, isFloating, type DType, type StorageArray } from "../dtype.js";
import { fmtShape, normDim } from "../shape.js";
import { Tensor } from "../tensor.js";
import { where as where3, type TensorOrScalar } from "./elementwise.js";
import { indexSelect, nonzero } from "./indexing.js";
import { fromStorageArray } from "./creation.js";
import { movedim } from "./views.js";
import { hostData } from "./host_values.js";
import { histcOnDevice, searchesOnDevice, searchsortedOnDevice } from "./search_device.js";

/** A new tensor holding `data` (already in the dtype's storage representation). */
function make(data: StorageArray, shape: readonly number[], dtype: DType, device: string): Tensor {
  return fromStorageArray(data, [...shape], dtype, { device });
}

/** int64 tensor from JS numbers. */
function longs(values: ArrayLike<number>, shape: readonly number[], device: string, dtype: DType = "int64"): Tensor {
  const a = allocArray(dtype, values.length);
  for (let i = 0; i < values.length; i++) a[i] = values[i]!;
  return make(a, shape, dtype, device);
}

/** Total order used by unique and sort: NaN after everything (NaNs are never equal to each other). */
function cmp(a: number, b: number): number {
  if (a !== a) return b !== b ? 0 : 1;
  if (b !== b) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Options of unique / uniqueConsecutive. */
export interface UniqueOptions {
  /** Sort the unique values (default true). Unsorted output comes back sorted as well. */
  sorted?: boolean;
  /** Also return, for each input element, the index of its value in the output. */
  returnInverse?: boolean;
  /** Also return how often each unique value occurs. */
  returnCounts?: boolean;
  /** Unique slices along this dim instead of unique elements. */
  dim?: number | null;
}

/**
 * The input as rows to compare: with `dim`, row i is the slice at i along dim (flattened); without,
 * every element is its own row.
 */
function rowsOf(
  x: Tensor,
  dim: number | null | undefined,
  op: string,
  asyncForm: string,
): { rows: number; width: number; data: StorageArray; d: number | null } {
  if (dim === undefined || dim === null)
    return { rows: x.numel(), width: 1, data: hostData(x, op, asyncForm), d: null };
  const d = normDim(dim, x.ndim, op);
  if (x.ndim === 0) return { rows: 1, width: 1, data: hostData(x, op, asyncForm), d };
  const moved = movedim(x, d, 0);
  const rows = x.shape[d]!;
  const width = rows === 0 ? 0 : x.numel() / rows;
  if (rows > 0 && width === 0)
    throw new RangeError(
      `${op}(): Number of zero sized dimensions is more than one, so unique cannot be applied (input ${fmtShape(x.shape)}, dim ${dim})`,
    );
  return { rows, width, data: hostData(moved, op, asyncForm), d };
}

function cmpRows(data: StorageArray, width: number, i: number, j: number): number {
  for (let k = 0; k < width; k++) {
    const c = cmp(data[i * width + k]!, data[j * width + k]!);
    if (c !== 0) return c;
  }
  return 0;
}

/** Build the results of unique/uniqueConsecutive from group starts in `order`. */
function uniqueResult(
  x: Tensor,
  r: { rows: number; width: number; data: StorageArray; d: number | null },
  order: number[],
  groupOf: (k: number) => boolean,
  opts: UniqueOptions,
): Tensor | Tensor[] {
  const firsts: number[] = [];
  const counts: number[] = [];
  const inverse = new Array<number>(r.rows);
  for (let k = 0; k < order.length; k++) {
    if (k === 0 || groupOf(k)) {
      firsts.push(order[k]!);
      counts.push(0);
    }
    counts[counts.length - 1]!++;
    inverse[order[k]!] = firsts.length - 1;
  }
  let values: Tensor;
  let invShape: number[];
  if (r.d === null) {
    const v = allocArray(x.dtype, firsts.length);
    firsts.forEach((f, i) => (v[i] = r.data[f]!));
    values = make(v, [firsts.length], x.dtype, x.device);
    invShape = [...x.shape];
  } else {
    values = x.ndim === 0 ? x.clone() : indexSelect(x.detach(), r.d, longs(firsts, [firsts.length], x.device));
    invShape = x.ndim === 0 ? [] : [r.rows];
  }
  if (!opts.returnInverse && !opts.returnCounts) return values;
  const out = [values];
  if (opts.returnInverse) out.push(longs(inverse, invShape, x.device));
  if (opts.returnCounts) out.push(longs(counts, [counts.length], x.device));
  return out;
}

/**
 * The unique elements (or slices along `dim`), sorted; optionally with the inverse indices and the
 * counts, returned as `[values, inverse?, counts?]` like PyTorch's tuple.
 */
export function unique(x: Tensor, opts?: UniqueOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
export function unique(x: Tensor, opts: UniqueOptions & ({ returnInverse: true } | { returnCounts: true })): Tensor[];
export function unique(x: Tensor, opts: UniqueOptions): Tensor | Tensor[];
export function unique(x: Tensor, opts: UniqueOptions = {}): Tensor | Tensor[] {
  const r = rowsOf(x, opts.dim, "unique", "torch.uniqueAsync(x, opts)");
  const order = [...Array(r.rows).keys()].sort((i, j) => cmpRows(r.data, r.width, i, j) || i - j);
  return uniqueResult(x, r, order, (k) => cmpRows(r.data, r.width, order[k - 1]!, order[k]!) !== 0, opts);
}

/** Collapse runs of equal consecutive elements (or slices along `dim`); same results as unique. */
export function uniqueConsecutive(
  x: Tensor,
  opts?: Omit<UniqueOptions, "sorted"> & { returnInverse?: false; returnCounts?: false },
): Tensor;
export function uniqueConsecutive(
  x: Tensor,
  opts: Omit<UniqueOptions, "sorted"> & ({ returnInverse: true } | { returnCounts: true }),
): Tensor[];
export function uniqueConsecutive(x: Tensor, opts: Omit<UniqueOptions, "sorted">): Tensor | Tensor[];
export function uniqueConsecutive(x: Tensor, opts: Omit<UniqueOptions, "sorted"> = {}): Tensor | Tensor[] {
  const r = rowsOf(x, opts.dim, "unique_consecutive", "torch.uniqueConsecutiveAsync(x, opts)");
  const order = [...Array(r.rows).keys()];
  return uniqueResult(x, r, order, (k) => cmpRows(r.data, r.width, k - 1, k) !== 0, opts);
}

/**
 * Count occurrences of each non-negative integer in a 1-D tensor (`weights` sums weights instead);
 * the result has max(input) + 1 entries, at least `minlength`.
 */
export function bincount(input: Tensor, weights?: Tensor | null, minlength = 0): Tensor {
  if (input.ndim !== 1 || isFloating(input.dtype) || input.dtype === "bool")
    throw new RangeError(
      `bincount(): only supports 1-d non-negative integral inputs, got a ${input.ndim}-d tensor of dtype ${input.dtype}`,
    );
  if (!Number.isInteger(minlength) || minlength < 0)
    throw new RangeError(`bincount(): minlength should be >= 0, got ${minlength}`);
  const data = hostData(input, "bincount", "torch.bincountAsync(input, weights, minlength)");
  let max = -1;
  for (const v of data) {
    if (v < 0)
      throw new RangeError(`bincount(): only supports 1-d non-negative integral inputs, but the input holds ${v}`);
    if (v > max) max = v;
  }
  const n = Math.max(max + 1, minlength);
  if (!weights) {
    const out = allocArray("int64", n);
    for (const v of data) out[v]!++;
    return make(out, [n], "int64", input.device);
  }
  if (weights.ndim !== 1 || weights.shape[0] !== input.shape[0])
    throw new RangeError(
      `bincount(): weights should be 1-d and have the same length as input (input ${fmtShape(input.shape)}, weights ${fmtShape(weights.shape)})`,
    );
  // float32 weights sum in float32 (like PyTorch); everything else in float64
  const dtype: DType = weights.dtype === "float32" ? "float32" : "float64";
  const w = hostData(weights, "bincount", "torch.bincountAsync(input, weights, minlength)");
  const out = allocArray(dtype, n);
  for (let i = 0; i < data.length; i++) out[data[i]!]! += w[i]!;
  return make(out, [n], dtype, input.device);
}

/** Rounding of a float dtype's arithmetic (float32 rounds every step). */
function rounder(dtype: DType): (v: number) => number {
  return dtype === "float64" ? (v) => v : Math.fround;
}

/**
 * Histogram of the elements with `bins` equal-width bins between `min` and `max` (the data's range
 * when both are equal); elements outside are ignored, the last bin includes `max`.
 */
export function histc(input: Tensor, bins = 100, min = 0, max = 0): Tensor {
  if (!isFloating(input.dtype))
    throw new TypeError(`histc(): expected a floating point input, got a tensor of dtype ${input.dtype}`);
  if (!Number.isInteger(bins) || bins <= 0) throw new RangeError(`histc(): bins must be > 0, but got ${bins}`);
  if (searchesOnDevice(input.device)) {
    if (min !== max && !(min < max))
      throw new RangeError(`histc(): max must be larger than min (min ${min}, max ${max})`);
    return histcOnDevice(input, bins, min, max);
  }
  const r = rounder(input.dtype);
  const data = input.dataSync();
  let lo = min;
  let hi = max;
  if (lo === hi && data.length > 0) {
    lo = Infinity;
    hi = -Infinity;
    for (const v of data) {
      if (v < lo || v !== v) lo = v;
      if (v > hi || v !== v) hi = v;
    }
  }
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi))
    throw new RangeError(`histc(): range of [${lo}, ${hi}] is not finite`);
  if (!(lo < hi)) throw new RangeError(`histc(): max must be larger than min (min ${lo}, max ${hi})`);
  // bin edges as PyTorch's linspace computes them in the input's dtype
  const start = r(lo);
  const end = r(hi);
  const step = r(r(end - start) / bins);
  const edges = new Float64Array(bins + 1);
  const half = Math.floor((bins + 1) / 2);
  for (let i = 0; i <= bins; i++) edges[i] = i < half ? r(start + r(step * i)) : r(end - r(step * (bins - i)));
  const left = edges[0]!;
  const right = edges[bins]!;
  const out = allocArray(input.dtype, bins);
  for (const v of data) {
    if (!(v >= left && v <= right)) continue;
    let pos = Math.trunc(r(r(r(v - left) * bins) / r(right - left)));
    // check the neighbouring edges: the division can misplace values next to an edge
    const pmin = Math.max(0, pos - 1);
    const pmax = Math.min(pos + 2, bins + 1);
    let k = pmin;
    while (k < pmax && edges[k]! <= v) k++;
    pos = k - 1;
    if (pos === bins) pos -= 1;
    out[pos]! += 1;
  }
  return make(out, [bins], input.dtype, input.device);
}

/** Options of searchsorted. */
export interface SearchsortedOptions {
  /** Return the last suitable index (first element greater than the value) instead of the first. */
  right?: boolean;
  /** "left" or "right"; same meaning as `right`, must not contradict it. */
  side?: "left" | "right";
  /** Indices that sort an unsorted `sortedSequence` along its last dim. */
  sorter?: Tensor | null;
  /** Return int32 indices instead of int64. */
  outInt32?: boolean;
}

/**
 * Indices at which `values` would be inserted into `sortedSequence` (sorted along its last dim) to keep
 * it sorted. A 1-D sequence serves all values; otherwise its leading dims match those of `values`.
 */
export function searchsorted(sortedSequence: Tensor, values: Tensor | number, opts: SearchsortedOptions = {}): Tensor {
  const op = "searchsorted";
  const seq = sortedSequence;
  if (opts.side !== undefined && opts.side !== "left" && opts.side !== "right")
    throw new RangeError(`${op}(): side can only be 'left' or 'right', got '${String(opts.side)}'`);
  if (opts.side === "left" && opts.right)
    throw new RangeError(`${op}(): side and right can't be set to opposites, got side of left while right was true`);
  const right = opts.right === true || opts.side === "right";
  const vals = typeof values === "number" ? null : values;
  if (seq.ndim === 0) throw new RangeError(`${op}(): boundaries tensor should have at least 1 dimension, but got 0-d`);
  const vShape = vals ? [...vals.shape] : [];
  if (seq.ndim > 1) {
    const lead = seq.shape.slice(0, -1);
    if (vShape.length !== seq.ndim || lead.some((d, i) => d !== vShape[i]))
      throw new RangeError(
        `${op}(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match, but we got boundaries tensor ${fmtShape(seq.shape)} and input value tensor ${fmtShape(vShape)}`,
      );
  }
  let sorter: StorageArray | null = null;
  if (opts.sorter) {
    const s = opts.sorter;
    if (s.ndim !== seq.ndim || s.shape.some((d, i) => d !== seq.shape[i]))
      throw new RangeError(
        `${op}(): boundary and sorter must have the same size, but got boundary tensor ${fmtShape(seq.shape)} and sorter tensor ${fmtShape(s.shape)}`,
      );
    if (s.dtype !== "int64") throw new TypeError(`${op}(): sorter must be a tensor of long dtype, got ${s.dtype}`);
  }
  if (searchesOnDevice(seq.device))
    return searchsortedOnDevice(seq, values, right, opts.sorter ?? null, opts.outInt32 ? "int32" : "int64");
  if (opts.sorter) {
    sorter = opts.sorter.dataSync();
    const n = seq.shape[seq.ndim - 1]!;
    for (const i of sorter)
      if (i < 0 || i >= n) throw new RangeError(`${op}(): sorter index out of range (${i} for a dim of size ${n})`);
  }
  const S = seq.dataSync();
  const V = vals ? vals.dataSync() : [values as number];
  const n = seq.shape[seq.ndim - 1]!;
  const inner = vShape.length === 0 ? 1 : vShape[vShape.length - 1]!;
  const out = allocArray(opts.outInt32 ? "int32" : "int64", V.length);
  for (let i = 0; i < V.length; i++) {
    const v = V[i]!;
    const base = seq.ndim === 1 ? 0 : Math.floor(i / inner) * n;
    const at = (k: number) => S[base + (sorter ? sorter[base + k]! : k)]!;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = at(mid);
      // NaN sorts last: it is greater than every value but itself
      const goRight = right ? !(cmp(m, v) > 0) : cmp(m, v) < 0;
      if (goRight) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo;
  }
  return make(out, vShape, opts.outInt32 ? "int32" : "int64", seq.device);
}

/** The index of the bucket (between consecutive 1-D `boundaries`) each element of `input` falls into. */
export function bucketize(
  input: Tensor | number,
  boundaries: Tensor,
  opts: { right?: boolean; outInt32?: boolean } = {},
): Tensor {
  if (boundaries.ndim !== 1)
    throw new RangeError(`bucketize(): boundaries tensor must be 1 dimension, but got dim(${boundaries.ndim})`);
  return searchsorted(boundaries, input, { right: opts.right ?? false, outInt32: opts.outInt32 ?? false });
}

/**
 * `where(cond, a, b)` picks from a where cond holds, else from b; `where(cond)` alone gives the
 * indices of cond's nonzero elements, one 1-D tensor per dim (`nonzero(cond, { asTuple: true })`).
 */
export function where(cond: Tensor): Tensor[];
export function where(cond: Tensor, a: TensorOrScalar, b: TensorOrScalar): Tensor;
export function where(cond: Tensor, a?: TensorOrScalar, b?: TensorOrScalar): Tensor | Tensor[] {
  if (a === undefined && b === undefined) return nonzero(cond, { asTuple: true });
  if (a === undefined || b === undefined)
    throw new TypeError("where(): expected both x and y (where(cond, x, y)) or neither (where(cond))");
  return where3(cond, a, b);
}
