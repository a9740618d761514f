// Scalar math helpers that elementwise expressions call as `H.name(...)` in the TS kernels.
// Accurate to double precision so float64 results match PyTorch's libm closely.

import { roundBf16, roundF16, type DType } from "../../dtype.js";

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/** erf by its Taylor series (|x| < 2.5) or 1 - erfc (continued fraction) beyond. */
function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  const r = 1 - erfcLarge(ax);
  return x < 0 ? -r : r;
}

/** erfc(x) for x >= 2.5 by Lentz's continued fraction. */
function erfcLarge(x: number): number {
  if (x > 27) return 0;
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const an = n / 2;
    d = x + an * d;
    d = d === 0 ? tiny : 1 / d;
    c = x + an / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (f * Math.sqrt(Math.PI));
}

function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= 2.5) return erfcLarge(x);
  if (x <= -2.5) return 2 - erfcLarge(-x);
  return 1 - erf(x);
}

/** Inverse error function: a rational first guess refined by Newton steps on erf. */
function erfinv(y: number): number {
  if (Number.isNaN(y) || y < -1 || y > 1) return NaN;
  if (y === 1) return Infinity;
  if (y === -1) return -Infinity;
  if (y === 0) return y;
  // Giles' single-precision approximation as the starting point
  let w = -Math.log((1 - y) * (1 + y));
  let x: number;
  if (w < 5) {
    w -= 2.5;
    let p = 2.81022636e-8;
    p = 3.43273939e-7 + p * w;
    p = -3.5233877e-6 + p * w;
    p = -4.39150654e-6 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
    x = p * y;
  } else {
    w = Math.sqrt(w) - 3;
    let p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
    x = p * y;
  }
  for (let i = 0; i < 3; i++) {
    const err = erf(x) - y;
    x -= err / (TWO_OVER_SQRT_PI * Math.exp(-x * x));
  }
  return x;
}

/** Round half to even, as torch.round does. */
function roundEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** torch.sign: -1, 0 or 1 (NaN and -0 give 0, as in PyTorch). */
function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

/** Python-style remainder: result has the sign of the divisor. */
function remainder(a: number, b: number): number {
  const m = a % b;
  return m !== 0 && m < 0 !== b < 0 ? m + b : m;
}

/** Floor division as torch.div(..., rounding_mode='floor') computes it for floats. */
function floorDiv(a: number, b: number): number {
  if (b === 0) return a / b;
  const mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) div -= 1;
  if (div === 0) return Math.sign(a / b) < 0 ? -0 : 0;
  const fl = Math.floor(div);
  return div - fl > 0.5 ? fl + 1 : fl;
}

/** fmax/fmin ignore NaN unless both are NaN. */
function fmax(a: number, b: number): number {
  return Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b);
}
function fmin(a: number, b: number): number {
  return Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.min(a, b);
}

/** maximum/minimum propagate NaN. */
function maximum(a: number, b: number): number {
  return a !== a || b !== b ? NaN : a > b ? a : b;
}
function minimum(a: number, b: number): number {
  return a !== a || b !== b ? NaN : a < b ? a : b;
}

/** pow with integer semantics for integer dtypes (exact repeated multiplication). */
function ipow(a: number, b: number): number {
  if (b < 0) return a === 1 ? 1 : a === -1 ? (b % 2 === 0 ? 1 : -1) : 0;
  let r = 1;
  let base = a;
  let e = b;
  while (e > 0) {
    if (e & 1) r *= base;
    base *= base;
    e = Math.floor(e / 2);
  }
  return r;
}

/** C's pow: pow(1, y) and pow(x, 0) are 1 even for NaN, pow(-1, +-inf) is 1. */
function pow(a: number, b: number): number {
  if (a === 1 || b === 0) return 1;
  if (a === -1 && !Number.isFinite(b) && b === b) return 1;
  return Math.pow(a, b);
}

/** Bitwise ops exact on int64 values beyond 32 bits (via BigInt). */
function band(a: number, b: number): number {
  return Number(BigInt(a) & BigInt(b));
}
function bor(a: number, b: number): number {
  return Number(BigInt(a) | BigInt(b));
}
function bxor(a: number, b: number): number {
  return Number(BigInt(a) ^ BigInt(b));
}

/** The helper object passed to generated TS kernels. */
export const H = {
  erf,
  erfc,
  erfinv,
  roundEven,
  sign,
  remainder,
  floorDiv,
  fmax,
  fmin,
  maximum,
  minimum,
  ipow,
  pow,
  band,
  bor,
  bxor,
  f16: roundF16,
  bf16: roundBf16,
  f32: Math.fround,
  /** Float to int32 as x86 converts it: NaN, Inf and out-of-range values become INT32_MIN. */
  i32: (x: number) => (x > -2147483649 && x < 2147483648 ? Math.trunc(x) : -2147483648),
  /** Float to int64 as x86 converts it: NaN, Inf and out-of-range values become INT64_MIN. */
  i64: (x: number) => (x >= -(2 ** 63) && x < 2 ** 63 ? Math.trunc(x) + 0 : -(2 ** 63)), // + 0: no -0
};
export type Helpers = typeof H;

/** Rounding of a float64 result to a 16-bit float dtype's grid (identity for the other dtypes). */
export function rounder(dtype: DType): (x: number) => number {
  return dtype === "float16" ? H.f16 : dtype === "bfloat16" ? H.bf16 : (x) => x;
}
