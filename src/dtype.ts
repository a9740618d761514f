// dtypes: names, storage arrays, categories and PyTorch's type promotion (torch.result_type).
//
// Storage choices (documented in docs/dtypes.md):
// - float16 and bfloat16 live in a Float32Array whose values are always rounded to the 16-bit grid,
//   so kernels compute on plain numbers; serialization converts to 16-bit bytes.
// - int64 lives in a Float64Array: exact for integers up to +-2^53, which covers indices and counts.
// - bool lives in a Uint8Array of 0/1.

/** A tensor element type, spelled as in PyTorch (`torch.float32` is the string `"float32"`). */
export type DType =
  "float32" | "float64" | "float16" | "bfloat16" | "int8" | "uint8" | "int16" | "int32" | "int64" | "bool";

/** Every dtype, in PyTorch's promotion order within each category. */
export const dtypes: readonly DType[] = [
  "bool",
  "uint8",
  "int8",
  "int16",
  "int32",
  "int64",
  "float16",
  "bfloat16",
  "float32",
  "float64",
];

/** Aliases accepted wherever a dtype is expected (`"float"`, `"long"`, ...). */
const aliases: Record<string, DType> = {
  float: "float32",
  double: "float64",
  half: "float16",
  long: "int64",
  int: "int32",
  short: "int16",
  char: "int8",
  byte: "uint8",
};

/** The typed array that stores a dtype's elements on the CPU. */
export type StorageArray = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Int32Array;

/** A typed array a user may pass to `torch.tensor`. */
export type TypedArray = StorageArray | Uint16Array | Uint32Array | BigInt64Array | Uint8ClampedArray;

/** The typed array class holding each dtype's CPU storage. */
export interface StorageCtor {
  new (n: number): StorageArray;
  new (buffer: ArrayBuffer, offset: number, length: number): StorageArray;
  readonly BYTES_PER_ELEMENT: number;
}

/** The storage class of each dtype (float16/bfloat16 in float32, int64 in float64, bool in uint8). */
export const arrayCtor: Record<DType, StorageCtor> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Float32Array,
  bfloat16: Float32Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: Float64Array,
  bool: Uint8Array,
};

/** Bytes per element in PyTorch's memory layout (used by serialization). */
export const itemSize: Record<DType, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int8: 1,
  uint8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  bool: 1,
};

/** Allocate a zeroed CPU storage array for `n` elements of `dtype`. */
export function allocArray(dtype: DType, n: number): StorageArray {
  return new arrayCtor[dtype](n);
}

/** Normalise a user-supplied dtype (`torch.float32`, `"float"`, `"long"`...) or throw. */
export function toDType(d: string): DType {
  if ((dtypes as readonly string[]).includes(d)) return d as DType;
  const name = d.startsWith("torch.") ? d.slice(6) : d;
  if ((dtypes as readonly string[]).includes(name)) return name as DType;
  const a = aliases[name];
  if (a) return a;
  throw new TypeError(`unknown dtype '${d}': expected one of ${dtypes.join(", ")}`);
}

export function isFloating(d: DType): boolean {
  return d === "float32" || d === "float64" || d === "float16" || d === "bfloat16";
}
export function isIntegral(d: DType, includeBool = false): boolean {
  return d === "bool" ? includeBool : !isFloating(d);
}

let defaultFloat: DType = "float32";
/** The dtype of floating-point tensors created without an explicit dtype (`torch.get_default_dtype`). */
export function getDefaultDtype(): DType {
  return defaultFloat;
}
/** Set the default floating dtype (`torch.set_default_dtype`); only float32 and float64 are allowed. */
export function setDefaultDtype(d: DType | string): void {
  const dt = toDType(d);
  if (dt !== "float32" && dt !== "float64")
    throw new TypeError(`setDefaultDtype(): only float32 and float64 are supported, got ${dt}`);
  defaultFloat = dt;
}

/** Category ranks used by result_type: bool < integer < floating. */
function category(d: DType): number {
  return d === "bool" ? 0 : isFloating(d) ? 2 : 1;
}

/** PyTorch's pairwise promotion table (`torch.promote_types`). */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  const ca = category(a);
  const cb = category(b);
  if (ca !== cb) return ca > cb ? a : b;
  if (ca === 0) return "bool";
  if (ca === 2) {
    if ((a === "float16" && b === "bfloat16") || (a === "bfloat16" && b === "float16")) return "float32";
    const order: DType[] = ["float16", "bfloat16", "float32", "float64"];
    return order.indexOf(a) > order.indexOf(b) ? a : b;
  }
  // integers: uint8 with a signed type needs the next wider signed type
  const signedOrder: DType[] = ["int8", "int16", "int32", "int64"];
  if (a === "uint8" || b === "uint8") {
    const other = a === "uint8" ? b : a;
    return other === "int8" ? "int16" : other;
  }
  return signedOrder.indexOf(a) > signedOrder.indexOf(b) ? a : b;
}

/** What `result_type` needs to know about one operand. */
export interface DTypeOperand {
  dtype: DType;
  ndim: number;
  /** A JS number wrapped as a tensor for the op (a Python scalar in PyTorch). */
  wrapped: boolean;
}

function combineCategories(higher: DType | null, lower: DType | null): DType | null {
  if (higher === null) return lower;
  if (lower === null) return higher;
  if (isFloating(higher)) return higher;
  if (higher === "bool" || isFloating(lower)) return promoteTypes(higher, lower);
  return higher;
}

/**
 * PyTorch's `torch.result_type`: dimensioned tensors decide the dtype; 0-dim tensors and wrapped
 * numbers only raise the category (an int tensor times 0.5 is float32, times a float64 0-dim tensor
 * is float64, an int32 tensor plus 2 stays int32).
 */
export function resultType(operands: readonly DTypeOperand[]): DType {
  let dim: DType | null = null;
  let zero: DType | null = null;
  let wrapped: DType | null = null;
  for (const o of operands) {
    if (o.wrapped) {
      // a Python scalar contributes its category's default dtype
      const d = isFloating(o.dtype) ? getDefaultDtype() : o.dtype === "bool" ? "bool" : "int64";
      wrapped = wrapped === null ? d : promoteTypes(wrapped, d);
    } else if (o.ndim === 0) zero = zero === null ? o.dtype : promoteTypes(zero, o.dtype);
    else dim = dim === null ? o.dtype : promoteTypes(dim, o.dtype);
  }
  const r = combineCategories(dim, combineCategories(zero, wrapped));
  if (r === null) throw new Error("resultType(): no operands");
  return r;
}

/** Whether a value of dtype `from` may be written into `to` by an in-place op (`torch.can_cast`). */
export function canCast(from: DType, to: DType): boolean {
  return category(from) <= category(to);
}

/** The float dtype an op like `exp` or `div` computes in for an input of `d`. */
export function toFloat(d: DType): DType {
  return isFloating(d) ? d : getDefaultDtype();
}

/**
 * A number as it reads back after being stored in a tensor of dtype `d`, converted as PyTorch's CPU
 * cast kernel converts a double on x86: truncation toward zero; NaN, Inf and values out of range give
 * INT64_MIN / INT32_MIN (int8 and int16 keep the low bits of the int32 result, uint8 those of the
 * int64 one); bool is `!= 0`.
 */
export function castValue(v: number, d: DType): number {
  switch (d) {
    case "bool":
      return v !== 0 ? 1 : 0; // NaN is nonzero: true
    case "int64":
    case "uint8": {
      // `+ 0` turns -0 into 0: integers have no negative zero; uint8 keeps the low bits of the int64
      const i = v >= -(2 ** 63) && v < 2 ** 63 ? Math.trunc(v) + 0 : -(2 ** 63);
      return d === "uint8" ? allocArray(d, 1).fill(i)[0]! : i;
    }
    case "int32":
    case "int16":
    case "int8":
      return allocArray(d, 1).fill(v > -2147483649 && v < 2147483648 ? Math.trunc(v) : -2147483648)[0]!;
    case "float16":
      return roundF16(v);
    case "bfloat16":
      return roundBf16(v);
    default:
      return allocArray(d, 1).fill(v)[0]!;
  }
}

// ---- 16-bit float rounding (values stay in Float32Array storage) ----

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Round a number to the nearest bfloat16 value (round half to even), returned as a number. */
export function roundBf16(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return NaN;
  const lsb = (bits >>> 16) & 1;
  u32[0] = ((bits + 0x7fff + lsb) & 0xffff0000) >>> 0;
  return f32[0]!;
}

/** Round a number to the nearest float16 value (via float32, round half to even), returned as a number. */
export function roundF16(x: number): number {
  // PyTorch converts a double to float16 through float32 (c10::Half(float)): round to float32 first
  x = Math.fround(x);
  if (Number.isNaN(x) || !Number.isFinite(x) || x === 0) return x;
  const ax = Math.abs(x);
  if (ax >= 65520) return x > 0 ? Infinity : -Infinity;
  // spacing of the f16 grid at |x|: 2^(e-10) for normals, 2^-24 for subnormals
  const e = Math.max(Math.floor(Math.log2(ax)), -14);
  let ulp = 2 ** (e - 10);
  // guard against log2 rounding at exact powers of two
  if (ax >= 2 ** (e + 1)) ulp *= 2;
  const q = ax / ulp;
  let r = Math.round(q);
  if (r - q === 0.5 && r % 2 === 1) r -= 1; // ties to even
  return Math.sign(x) * r * ulp;
}

/** float16 bits to number (for serialization). */
export function f16BitsToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** number (already on the f16 grid) to float16 bits (for serialization). */
export function numberToF16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const ax = Math.abs(roundF16(x));
  if (ax === Infinity) return sign | 0x7c00;
  if (ax < 2 ** -14) return sign | Math.round(ax / 2 ** -24);
  const e = Math.floor(Math.log2(ax));
  const m = Math.round((ax / 2 ** e - 1) * 1024);
  return sign | ((e + 15) << 10) | m;
}
