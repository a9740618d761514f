// Creation ops: torch.tensor from JS data, zeros/ones/full/empty and their *Like forms, arange,
// linspace, logspace, eye. Values are computed on the host and uploaded to the device's backend.
//
// JS has one number type, so dtype inference reads values: booleans give bool, integer-valued numbers
// int64, anything else the default float dtype. Pass `{ dtype }` to be explicit (`[1, 2]` is int64).

import { getBackend } from "../backend.js";
import {
  allocArray,
  castValue,
  getDefaultDtype,
  isFloating,
  toDType,
  type DType,
  type StorageArray,
  type TypedArray,
} from "../dtype.js";
import { checkShape, contiguousStrides, type Shape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { filled } from "./scalar.js";
import { fma, fmaf } from "../fma.js";

/** Options accepted by every creation function. */
export interface TensorOptions {
  dtype?: DType | string;
  device?: string;
  requiresGrad?: boolean;
}

/** Nested JS arrays of numbers or booleans. */
export type NestedData = number | boolean | readonly NestedData[];

/** Wrap a storage array of `dtype` as a new tensor on `device`. */
export function fromStorageArray(data: StorageArray, shape: Shape, dtype: DType, opts: TensorOptions = {}): Tensor {
  const device = opts.device ?? "cpu";
  const t = new Tensor(getBackend(device).fromArray(dtype, data), [...shape], contiguousStrides(shape), 0, dtype);
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

function typedArrayDtype(a: TypedArray): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int8Array) return "int8";
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return "uint8";
  if (a instanceof Int16Array) return "int16";
  if (a instanceof Int32Array) return "int32";
  return "int64"; // Uint16Array, Uint32Array and BigInt64Array hold values int64 represents exactly
}

/** Walk nested arrays: shape, flat values, and whether any value is a float / all are booleans. */
function flattenNested(data: NestedData): { shape: number[]; values: number[]; anyFloat: boolean; allBool: boolean } {
  const shape: number[] = [];
  let probe: NestedData = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = (probe as readonly NestedData[])[0] as NestedData;
    if (probe === undefined) break;
  }
  const values: number[] = [];
  let anyFloat = false;
  let allBool = true;
  const visit = (v: NestedData, dim: number) => {
    if (Array.isArray(v)) {
      if (dim >= shape.length || v.length !== shape[dim])
        throw new RangeError(
          `tensor(): expected sequence of length ${shape[dim] ?? 0} at dim ${dim} (got ${v.length})`,
        );
      for (const e of v as readonly NestedData[]) visit(e, dim + 1);
      return;
    }
    if (dim !== shape.length) throw new RangeError(`tensor(): expected a sequence at dim ${dim}, got a scalar`);
    if (typeof v === "boolean") values.push(v ? 1 : 0);
    else if (typeof v === "number") {
      allBool = false;
      if (!Number.isInteger(v)) anyFloat = true;
      values.push(v);
    } else throw new TypeError(`tensor(): could not convert ${String(v)} to a number`);
  };
  visit(data, 0);
  if (values.length === 0) allBool = false;
  return { shape, values, anyFloat: anyFloat || values.length === 0, allBool };
}

/** The range of each integer dtype, for PyTorch's overflow check on JS numbers (c10::checked_convert). */
const intRange: Partial<Record<DType, [number, number]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  int64: [-(2 ** 63), 2 ** 63], // 2^63 - 1 is not a double; 2^63 itself is rejected below
};

/**
 * A JS number stored into `dtype` as PyTorch stores a Python number: integer dtypes reject NaN, Inf and
 * values out of range (an integer in -255..-1 wraps into uint8, as in PyTorch); others convert.
 */
function checkedValue(v: number, dtype: DType, op: string): number {
  const r = intRange[dtype];
  if (r) {
    const lo = dtype === "uint8" && Number.isInteger(v) ? -255 : r[0];
    if (Number.isNaN(v) || v < lo || v > r[1] || (dtype === "int64" && v >= 2 ** 63))
      throw new RangeError(`${op}(): value ${v} cannot be converted to type ${dtype} without overflow`);
  }
  return castValue(v, dtype);
}

/** Copy plain numbers into a storage array of dtype, with the dtype's conversion. */
function toStorage(values: ArrayLike<number | bigint>, dtype: DType): StorageArray {
  const out = allocArray(dtype, values.length);
  for (let i = 0; i < values.length; i++) out[i] = castValue(Number(values[i]!), dtype);
  return out;
}

/**
 * A new tensor from nested arrays, a typed array, a number or boolean, or another tensor (copied).
 * `torch.tensor([[1, 2], [3, 4]], { dtype: torch.float32, requiresGrad: true })`.
 */
export function tensor(data: NestedData | TypedArray | Tensor, opts: TensorOptions = {}): Tensor {
  if (data instanceof Tensor) {
    const src = data.dataSync();
    const dt = opts.dtype ? toDType(opts.dtype) : data.dtype;
    return fromStorageArray(toStorage(src, dt), data.shape, dt, {
      device: opts.device ?? data.device,
      requiresGrad: opts.requiresGrad,
    });
  }
  if (ArrayBuffer.isView(data)) {
    const ta = data as TypedArray;
    const dt = opts.dtype ? toDType(opts.dtype) : typedArrayDtype(ta);
    return fromStorageArray(toStorage(ta, dt), [ta.length], dt, opts);
  }
  const { shape, values, anyFloat, allBool } = flattenNested(data as NestedData);
  let dt: DType;
  if (opts.dtype) dt = toDType(opts.dtype);
  else if (allBool) dt = "bool";
  else if (anyFloat || opts.requiresGrad) dt = getDefaultDtype();
  else dt = "int64";
  const out = allocArray(dt, values.length);
  for (let i = 0; i < values.length; i++) out[i] = checkedValue(values[i]!, dt, "tensor");
  return fromStorageArray(out, shape, dt, opts);
}

/** Split `(...sizes, options?)` or `([sizes], options?)` arguments. */
export type SizeArgs = (number | readonly number[] | TensorOptions)[];
export function parseSizeArgs(args: SizeArgs, op: string): { shape: number[]; opts: TensorOptions } {
  let opts: TensorOptions = {};
  const rest = [...args];
  const lastArg = rest[rest.length - 1];
  if (lastArg !== undefined && typeof lastArg === "object" && !Array.isArray(lastArg)) {
    opts = lastArg as TensorOptions;
    rest.pop();
  }
  const shape = rest.length === 1 && Array.isArray(rest[0]) ? [...(rest[0] as number[])] : (rest as number[]);
  return { shape: checkShape(shape, op), opts };
}

function fullWith(shape: number[], value: number, dtype: DType, opts: TensorOptions): Tensor {
  const t = filled(shape, value, dtype, opts.device ?? "cpu");
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** A tensor of zeros: `zeros(2, 3)` or `zeros([2, 3], { dtype })`. */
export function zeros(...args: SizeArgs): Tensor {
  const { shape, opts } = parseSizeArgs(args, "zeros");
  return fullWith(shape, 0, opts.dtype ? toDType(opts.dtype) : getDefaultDtype(), opts);
}
/** A tensor of ones. */
export function ones(...args: SizeArgs): Tensor {
  const { shape, opts } = parseSizeArgs(args, "ones");
  return fullWith(shape, 1, opts.dtype ? toDType(opts.dtype) : getDefaultDtype(), opts);
}
/** An uninitialised tensor (zero-filled here, as memory is always initialised in JS). */
export function empty(...args: SizeArgs): Tensor {
  const { shape, opts } = parseSizeArgs(args, "empty");
  return fullWith(shape, 0, opts.dtype ? toDType(opts.dtype) : getDefaultDtype(), opts);
}
/** A tensor filled with `fillValue` (dtype inferred from the value as in PyTorch). */
export function full(size: readonly number[], fillValue: number | boolean, opts: TensorOptions = {}): Tensor {
  const shape = checkShape(size, "full");
  const dt = opts.dtype
    ? toDType(opts.dtype)
    : typeof fillValue === "boolean"
      ? "bool"
      : Number.isInteger(fillValue)
        ? "int64"
        : getDefaultDtype();
  return fullWith(shape, checkedValue(Number(fillValue), dt, "full"), dt, opts);
}

function likeOpts(t: Tensor, opts: TensorOptions): { dtype: DType; device: string; requiresGrad?: boolean } {
  return {
    dtype: opts.dtype ? toDType(opts.dtype) : t.dtype,
    device: opts.device ?? t.device,
    requiresGrad: opts.requiresGrad,
  };
}
/** Zeros with the shape (and by default dtype and device) of `t`. */
export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  const o = likeOpts(t, opts);
  return fullWith([...t.shape], 0, o.dtype, o);
}
/** Ones shaped like `t`. */
export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  const o = likeOpts(t, opts);
  return fullWith([...t.shape], 1, o.dtype, o);
}
/** An uninitialised (zero) tensor shaped like `t`. */
export const emptyLike = zerosLike;
/** `fillValue` everywhere, shaped like `t`. */
export function fullLike(t: Tensor, fillValue: number | boolean, opts: TensorOptions = {}): Tensor {
  const o = likeOpts(t, opts);
  return fullWith([...t.shape], checkedValue(Number(fillValue), o.dtype, "fullLike"), o.dtype, o);
}

/**
 * Values from start (inclusive) to end (exclusive) by step: `arange(5)`, `arange(1, 4)`,
 * `arange(0, 1, 0.25)`. Integer arguments give int64, others the default float dtype.
 */
export function arange(end: number, opts?: TensorOptions): Tensor;
export function arange(start: number, end: number, step?: number, opts?: TensorOptions): Tensor;
export function arange(a: number, b?: number | TensorOptions, c?: number, d?: TensorOptions): Tensor {
  let start = 0;
  let end: number;
  let step = 1;
  let opts: TensorOptions = {};
  if (typeof b === "number") {
    start = a;
    end = b;
    step = c ?? 1;
    opts = d ?? {};
  } else {
    end = a;
    opts = b ?? {};
  }
  if (step === 0) throw new RangeError("arange(): step must be nonzero");
  if (!Number.isFinite(start) || !Number.isFinite(end))
    throw new RangeError(`arange(): unsupported range: ${start} -> ${end}`);
  if ((end - start) / step < 0)
    throw new RangeError(
      `arange(): upper bound and larger bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`,
    );
  const allInt = [start, end, step].every(Number.isInteger);
  const dt = opts.dtype ? toDType(opts.dtype) : allInt ? "int64" : getDefaultDtype();
  const n = Math.ceil((end - start) / step);
  const data = allocArray(dt, n);
  // PyTorch's kernel computes start + step * i in double with a fused multiply-add
  for (let i = 0; i < n; i++) data[i] = castValue(fma(step, i, start), dt);
  return fromStorageArray(data, [n], dt, opts);
}

// ---- fused multiply-add, as PyTorch's CPU range kernels compute (built with FMA on x86-64 AVX2) ----

/**
 * `steps` evenly spaced values from start to end inclusive, computed as PyTorch's CPU kernel does:
 * start, end and the step in the output dtype (double steps for integer dtypes), the first half as
 * start + step * i and the second half as end - step * (steps - 1 - i), each one fused multiply-add.
 * PyTorch's vectorised path for long outputs (16+ float32 or 8+ float64 values on AVX2) rounds
 * differently, by at most the rounding error of the formula, depending on the machine's vector width.
 */
export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0)
    throw new RangeError(`linspace(): number of steps must be non-negative (got ${steps})`);
  const dt = opts.dtype ? toDType(opts.dtype) : getDefaultDtype();
  const data = allocArray(dt, steps);
  if (steps === 1) data[0] = castValue(start, dt);
  else if (steps > 1) {
    const single = dt === "float32";
    const integral = !isFloating(dt);
    const r = single ? Math.fround : (x: number) => x;
    const s = integral || single ? castValue(start, dt) : start;
    const e = integral || single ? castValue(end, dt) : end;
    const step = r(r(e - s) / (steps - 1));
    const madd = single ? fmaf : fma;
    const half = Math.floor(steps / 2);
    // PyTorch's (AVX2) kernel: the first value from the nearer end is one fused multiply-add ...
    const at = (i: number) => (i < half ? madd(step, i, s) : madd(-step, steps - i - 1, e));
    // ... and, for float32/float64, whole blocks of 2 vectors are filled vector by vector, each
    // vector of V lanes as base + lane * step (not fused); the tail is scalar.
    const V = dt === "float32" ? 8 : dt === "float64" ? 4 : 0;
    const blocks = V ? Math.floor(steps / (2 * V)) * 2 * V : 0;
    for (let i = 0; i < blocks; i += V) {
      const base = at(i);
      data[i] = castValue(base, dt);
      for (let lane = 1; lane < V; lane++) data[i + lane] = castValue(r(base + r(step * lane)), dt);
    }
    for (let i = blocks; i < steps; i++) data[i] = castValue(at(i), dt);
  }
  return fromStorageArray(data, [steps], dt, opts);
}

/**
 * base ** linspace(start, end, steps), as PyTorch computes it: start and end in the output dtype,
 * the step and exponents in double, the power in double, then rounded to the dtype.
 */
export function logspace(start: number, end: number, steps: number, base = 10, opts: TensorOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0)
    throw new RangeError(`logspace(): number of steps must be non-negative (got ${steps})`);
  const dt = opts.dtype ? toDType(opts.dtype) : getDefaultDtype();
  const data = allocArray(dt, steps);
  if (steps === 1) data[0] = castValue(Math.pow(base, start), dt);
  else if (steps > 1) {
    const s = castValue(start, dt);
    const e = castValue(end, dt);
    const step = castValue(e - s, dt) / (steps - 1);
    const half = Math.floor(steps / 2);
    for (let i = 0; i < steps; i++)
      data[i] = castValue(Math.pow(base, i < half ? s + step * i : e - step * (steps - i - 1)), dt);
  }
  return fromStorageArray(data, [steps], dt, opts);
}

/** An n x m identity matrix (m defaults to n). */
export function eye(n: number, m?: number | TensorOptions, opts: TensorOptions = {}): Tensor {
  let cols = n;
  if (typeof m === "number") cols = m;
  else if (m) opts = m;
  checkShape([n, cols], "eye");
  const dt = opts.dtype ? toDType(opts.dtype) : getDefaultDtype();
  const data = allocArray(dt, n * cols);
  for (let i = 0; i < Math.min(n, cols); i++) data[i * cols + i] = 1;
  return fromStorageArray(data, [n, cols], dt, opts);
}
