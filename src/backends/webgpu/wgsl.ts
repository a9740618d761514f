// WGSL building blocks for the webgpu kernels: how each dtype is stored and computed, the prelude of
// scalar helpers that elementwise expressions call (erf, pow, NaN tests, ...), strided index math,
// and the WGSL forms of the few JS expressions that ops pass to the map kernel without a `wgsl` field.
//
// WGSL lets compilers assume no NaN/Inf in arithmetic, so NaN and Inf are tested on the bits
// (isnan_f, isinf_f) and produced from bits (nan_f, inf_f), never by comparison with themselves.
// `x != y` compiles to an ordered comparison (false for NaN): expressions write `!(x == y)`.

import type { DType } from "../../dtype.js";
import { halfStorage } from "./gpu.js";

/** The WGSL element type a dtype's storage buffer holds. */
export type StoreType = "f32" | "f16" | "i32" | "u32";

/**
 * Storage on webgpu: float32 as f32; float16 as f16 where the device has "shader-f16" (`halfStorage`),
 * else, like bfloat16 always, as f32 rounded to its 16-bit grid after every op (as the CPU backend
 * stores them); int32 and int64 as i32 (int64 values must lie in the int32 range); int8, uint8 and
 * int16 as i32 wrapped to their width after every op; bool as u32 (0/1); float64 only as 1-element
 * f32 storages (JS-number operands).
 *
 * Kernels never compute in f16: they read an f16 element as f32 (`valueType`; exact) and store
 * through `storeExpr`, which rounds to the f16 grid in f32 and writes the bits (`enc_f16`), since
 * WGSL leaves the rounding of f32 -> f16 conversions (and of Inf and NaN) to the implementation.
 */
export function storeType(d: DType): StoreType {
  switch (d) {
    case "float16":
      return halfStorage() ? "f16" : "f32";
    case "float32":
    case "float64":
    case "bfloat16":
      return "f32";
    case "int32":
    case "int64":
    case "int8":
    case "uint8":
    case "int16":
      return "i32";
    case "bool":
      return "u32";
    default:
      throw new Error(`webgpu: no storage for dtype ${d}`);
  }
}

/** The WGSL type in which kernels handle stored elements of `d` (as stored, but f16 read as f32). */
export function valueType(d: DType): "f32" | "i32" | "u32" {
  const t = storeType(d);
  return t === "f16" ? "f32" : t;
}

/** Bytes per element of `d`'s storage buffer. */
export function storeBytes(d: DType): number {
  return storeType(d) === "f16" ? 2 : 4;
}

/** The WGSL type an op computing in dtype `d` uses: f32 for floats, i32 for integers and bool (0/1). */
export function computeType(d: DType): "f32" | "i32" {
  return d === "float32" || d === "float64" || d === "float16" || d === "bfloat16" ? "f32" : "i32";
}

/** The statement-free conversion of `v` (of any scalar WGSL type) for storage as `d`. */
export function storeExpr(d: DType, v: string, fromFloat: boolean): string {
  if (d === "float16") return halfStorage() ? `enc_f16(f32(${v}))` : `round_f16(f32(${v}))`;
  if (d === "bfloat16") return `round_bf16(f32(${v}))`;
  if (d === "int8" || d === "int16" || d === "uint8") {
    // as the CPU: through int32 (float -> int like x86), then the low 8 or 16 bits
    const i = fromFloat ? `f2i(f32(${v}))` : `i32(${v})`;
    return d === "uint8" ? `(${i} & 255)` : `((${i} << ${d === "int8" ? 24 : 16}u) >> ${d === "int8" ? 24 : 16}u)`;
  }
  switch (storeType(d)) {
    case "f16": // handled above
    case "f32":
      return `f32(${v})`;
    case "i32":
      // float -> integer as x86 converts: NaN, Inf and out-of-range values become INT32_MIN
      return fromFloat ? `f2i(f32(${v}))` : `i32(${v})`;
    case "u32":
      return `u32(bool(${v}))`;
  }
}

/** Scalar helpers every kernel may call (unused ones cost nothing after compilation). */
export function prelude(): string {
  return halfStorage() ? PRELUDE + F16_STORE : PRELUDE;
}

/**
 * f32 -> f16 bits for storage, exactly as the CPU rounds (nearest, ties to even, overflow to Inf,
 * subnormals kept): round on the f16 grid in f32, then build the half's bits and bitcast them.
 */
const F16_STORE = /* wgsl */ `
fn enc_f16(x: f32) -> f16 {
  let b = bitcast<u32>(round_f16(x));
  let a = b & 0x7fffffffu;
  var h: u32;
  if (a > 0x7f800000u) {
    h = 0x7e00u;
  } else if (a >= 0x47800000u) {
    h = 0x7c00u;
  } else if (a >= 0x38800000u) {
    h = (a - 0x38000000u) >> 13u;
  } else {
    h = u32(bitcast<f32>(a) * 16777216.0);
  }
  return bitcast<vec2<f16>>(((b >> 16u) & 0x8000u) | h).x;
}
`;

const PRELUDE = /* wgsl */ `
// private vars, not constants: WGSL rejects Inf and NaN in constant expressions
var<private> INF_BITS: u32 = 0x7f800000u;
var<private> NAN_BITS: u32 = 0x7fc00000u;
fn inf_f() -> f32 { return bitcast<f32>(INF_BITS); }
fn nan_f() -> f32 { return bitcast<f32>(NAN_BITS); }
fn isnan_f(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn isinf_f(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn isfinite_f(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
fn signbit_f(x: f32) -> bool { return (bitcast<u32>(x) >> 31u) == 1u; }
fn copysign_f(m: f32, s: f32) -> f32 {
  return bitcast<f32>((bitcast<u32>(m) & 0x7fffffffu) | (bitcast<u32>(s) & 0x80000000u));
}
fn f2i(x: f32) -> i32 {
  if (x >= -2147483648.0 && x < 2147483648.0) { return i32(trunc(x)); }
  return i32(-2147483647 - 1);
}
// float16 / bfloat16 values kept in f32: round to the 16-bit grid (nearest, ties to even; f16
// overflows to Inf at 65520, its subnormals are spaced 2^-24)
fn round_f16(x: f32) -> f32 {
  if (!isfinite_f(x) || x == 0.0) { return x; }
  let ax = abs(x);
  if (ax >= 65520.0) { return copysign_f(inf_f(), x); }
  let e = max(i32((bitcast<u32>(ax) >> 23u) & 0xffu) - 127, -14);
  return copysign_f(ldexp(round(ldexp(ax, 10 - e)), e - 10), x);
}
fn round_bf16(x: f32) -> f32 {
  if (isnan_f(x)) { return x; }
  let b = bitcast<u32>(x);
  return bitcast<f32>((b + 0x7fffu + ((b >> 16u) & 1u)) & 0xffff0000u);
}
fn sign_f(x: f32) -> f32 { return select(select(0.0, -1.0, x < 0.0), 1.0, x > 0.0); }
fn sign_i(x: i32) -> i32 { return select(select(0, -1, x < 0), 1, x > 0); }
fn maximum_f(a: f32, b: f32) -> f32 {
  if (isnan_f(a) || isnan_f(b)) { return nan_f(); }
  return select(b, a, a > b);
}
fn minimum_f(a: f32, b: f32) -> f32 {
  if (isnan_f(a) || isnan_f(b)) { return nan_f(); }
  return select(b, a, a < b);
}
fn fmax_f(a: f32, b: f32) -> f32 {
  if (isnan_f(a)) { return b; }
  if (isnan_f(b)) { return a; }
  if (a == b) { return select(a, b, signbit_f(a)); }
  return select(b, a, a > b);
}
fn fmin_f(a: f32, b: f32) -> f32 {
  if (isnan_f(a)) { return b; }
  if (isnan_f(b)) { return a; }
  if (a == b) { return select(b, a, signbit_f(a)); }
  return select(b, a, a < b);
}
fn clamp_f(a: f32, lo: f32, hi: f32) -> f32 {
  if (isnan_f(a)) { return a; }
  return min(max(a, lo), hi);
}
fn exp_f(x: f32) -> f32 {
  if (x > 88.72284) { return inf_f(); }
  if (x < -103.97208) { return 0.0; }
  return exp(x);
}
fn exp2_f(x: f32) -> f32 {
  if (isnan_f(x)) { return x; }
  if (x >= 128.0) { return inf_f(); }
  if (x < -150.0) { return 0.0; }
  return exp2(x);
}
fn expm1_f(x: f32) -> f32 {
  if (isnan_f(x)) { return x; }
  if (x > 88.0) { return exp_f(x); }
  if (x < -20.0) { return -1.0; }
  if (abs(x) < 1e-5) { return x + 0.5 * x * x; }
  let u = exp(x);
  let um1 = u - 1.0;
  if (um1 == 0.0) { return x; }
  return um1 * x / log(u);
}
fn log1p_f(x: f32) -> f32 {
  if (isnan_f(x) || isinf_f(x)) { return select(log(x), x, x > 0.0 || isnan_f(x)); }
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  if (u == 0.0) { return -inf_f(); }
  if (u < 0.0) { return nan_f(); }
  return log(u) * x / (u - 1.0);
}
// subnormal inputs (which the built-in log may flush) as mantissa * 2^-149
fn subnormal_bits(x: f32) -> u32 {
  let b = bitcast<u32>(x);
  return select(0u, b & 0x7fffffu, (b & 0x7f800000u) == 0u);
}
fn log_f(x: f32) -> f32 {
  if (isnan_f(x) || x < 0.0) { return nan_f(); }
  let m = subnormal_bits(x);
  if (m != 0u) { return select(log(f32(m)) - 103.27892990343185, nan_f(), signbit_f(x)); }
  if (x == 0.0) { return -inf_f(); }
  if (isinf_f(x)) { return x; }
  return log(x);
}
fn log2_f(x: f32) -> f32 {
  if (isnan_f(x) || x < 0.0) { return nan_f(); }
  let m = subnormal_bits(x);
  if (m != 0u) { return select(log2(f32(m)) - 149.0, nan_f(), signbit_f(x)); }
  if (x == 0.0) { return -inf_f(); }
  if (isinf_f(x)) { return x; }
  return log2(x);
}
fn sqrt_f(x: f32) -> f32 {
  if (isnan_f(x) || x < 0.0) { return nan_f(); }
  if (isinf_f(x)) { return x; }
  return sqrt(x);
}
fn tanh_f(x: f32) -> f32 {
  if (isnan_f(x)) { return x; }
  let ax = abs(x);
  if (ax > 9.1) { return copysign_f(1.0, x); }
  let e = expm1_f(2.0 * ax);
  return copysign_f(e / (e + 2.0), x);
}
fn sinh_f(x: f32) -> f32 {
  if (isnan_f(x)) { return x; }
  let ax = abs(x);
  if (ax > 89.0) { return copysign_f(inf_f(), x); }
  if (ax > 88.0) { let h = exp(ax * 0.5); return copysign_f(0.5 * h * h, x); }
  let e = expm1_f(ax);
  return copysign_f(0.5 * (e + e / (e + 1.0)), x);
}
fn cosh_f(x: f32) -> f32 {
  if (isnan_f(x)) { return x; }
  let ax = abs(x);
  if (ax > 89.5) { return inf_f(); }
  if (ax > 88.0) { let h = exp(ax * 0.5); return 0.5 * h * h; }
  let e = exp(ax);
  return 0.5 * (e + 1.0 / e);
}
fn asinh_f(x: f32) -> f32 {
  if (isnan_f(x) || isinf_f(x)) { return x; }
  let ax = abs(x);
  var r: f32;
  if (ax > 1e18) { r = log(ax) + 0.6931471805599453; }
  else { r = log1p_f(ax + ax * ax / (1.0 + sqrt(1.0 + ax * ax))); }
  return copysign_f(r, x);
}
fn acosh_f(x: f32) -> f32 {
  if (isnan_f(x) || x < 1.0) { return nan_f(); }
  if (isinf_f(x)) { return x; }
  if (x > 1e18) { return log(x) + 0.6931471805599453; }
  let t = x - 1.0;
  return log1p_f(t + sqrt(t * (x + 1.0)));
}
fn atanh_f(x: f32) -> f32 {
  if (isnan_f(x) || abs(x) > 1.0) { return nan_f(); }
  if (abs(x) == 1.0) { return copysign_f(inf_f(), x); }
  return copysign_f(0.5 * log1p_f(2.0 * abs(x) / (1.0 - abs(x))), x);
}
// asin and acos through atan2, which is accurate where the built-in asin/acos may not be
fn asin_f(x: f32) -> f32 {
  if (isnan_f(x) || abs(x) > 1.0) { return nan_f(); }
  return atan2(x, sqrt((1.0 - x) * (1.0 + x)));
}
fn acos_f(x: f32) -> f32 {
  if (isnan_f(x) || abs(x) > 1.0) { return nan_f(); }
  return atan2(sqrt((1.0 - x) * (1.0 + x)), x);
}
// 32 x 32 -> 64-bit unsigned product as (hi, lo)
fn mulw(a: u32, b: u32) -> vec2u {
  let al = a & 0xffffu;
  let ah = a >> 16u;
  let bl = b & 0xffffu;
  let bh = b >> 16u;
  let ll = al * bl;
  let lh = al * bh;
  let hl = ah * bl;
  let mid = (ll >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return vec2u(ah * bh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u), (ll & 0xffffu) | (mid << 16u));
}
// Payne-Hanek: for finite ax >= pi/4, (k mod 4, r) with ax = k * pi/2 + r and |r| <= pi/4, exact for
// every f32 (x * 2/pi is formed with enough bits of 2/pi, in integer arithmetic)
fn reduce_half_pi(ax: f32) -> vec2f {
  var T = array<u32, 8>(0xA2F9836Eu, 0x4E441529u, 0xFC2757D1u, 0xF534DDC0u, 0xDB629599u, 0x3C439041u,
                        0xFE5163ABu, 0xDEBBC561u);
  let bits = bitcast<u32>(ax);
  let m = (bits & 0x7fffffu) | 0x800000u;
  let e = i32((bits >> 23u) & 0xffu) - 150; // ax = m * 2^e
  // words of 2/pi before j0 only add multiples of 4 to x * 2/pi
  let j0 = max(0, (e + 30) / 32 - 1);
  let t2 = mulw(m, T[j0 + 2]);
  let t1 = mulw(m, T[j0 + 1]);
  let t0 = mulw(m, T[j0]);
  var p: array<u32, 4>; // m * (3 words of 2/pi), least significant word first
  p[0] = t2.y;
  p[1] = t2.x + t1.y;
  let c1 = select(0u, 1u, p[1] < t2.x);
  let s2 = t1.x + t0.y;
  let c2 = select(0u, 1u, s2 < t1.x);
  p[2] = s2 + c1;
  let c3 = select(0u, 1u, p[2] < s2);
  p[3] = t0.x + c2 + c3;
  // bit q of p is the units bit of x * 2/pi: shift it to bit 126 of the 128-bit number
  let q = 32 * (j0 + 3) - e;
  let sh = 126 - q;
  let ws = sh / 32;
  let bs = u32(sh % 32);
  var r: array<u32, 4>;
  for (var i = 3; i >= 0; i--) {
    let src = i - ws;
    var v = 0u;
    if (src >= 0) {
      v = p[src] << bs;
      if (bs > 0u && src >= 1) { v = v | (p[src - 1] >> (32u - bs)); }
    }
    r[i] = v;
  }
  var k = r[3] >> 30u;
  var f = f32(r[3] & 0x3fffffffu) * 9.313225746154785e-10 + f32(r[2]) * 2.168404344971009e-19;
  if (f >= 0.5) {
    f -= 1.0;
    k = (k + 1u) & 3u;
  }
  return vec2f(f32(k), f * 1.5707963267948966);
}
fn sin_f(x: f32) -> f32 {
  if (!isfinite_f(x)) { return nan_f(); }
  if (abs(x) <= 0.7853981633974483) { return sin(x); }
  let kr = reduce_half_pi(abs(x));
  let k = u32(kr.x);
  var s = select(cos(kr.y), sin(kr.y), (k & 1u) == 0u);
  if (k >= 2u) { s = -s; }
  return select(s, -s, x < 0.0);
}
fn cos_f(x: f32) -> f32 {
  if (!isfinite_f(x)) { return nan_f(); }
  if (abs(x) <= 0.7853981633974483) { return cos(x); }
  let kr = reduce_half_pi(abs(x));
  let k = u32(kr.x);
  var c = select(sin(kr.y), cos(kr.y), (k & 1u) == 0u);
  if (k == 1u || k == 2u) { c = -c; }
  return c;
}
fn tan_f(x: f32) -> f32 {
  if (!isfinite_f(x)) { return nan_f(); }
  if (abs(x) <= 0.7853981633974483) { return sin(x) / cos(x); }
  let kr = reduce_half_pi(abs(x));
  let t = select(-cos(kr.y) / sin(kr.y), sin(kr.y) / cos(kr.y), (u32(kr.x) & 1u) == 0u);
  return select(t, -t, x < 0.0);
}
fn atan_f(x: f32) -> f32 {
  if (isnan_f(x)) { return x; }
  if (isinf_f(x)) { return copysign_f(1.5707963267948966, x); }
  return atan(x);
}
fn atan2_f(a: f32, b: f32) -> f32 {
  if (isnan_f(a) || isnan_f(b)) { return nan_f(); }
  if (isinf_f(a) && isinf_f(b)) {
    return copysign_f(select(0.7853981633974483, 2.356194490192345, b < 0.0), a);
  }
  if (isinf_f(b)) { return select(copysign_f(0.0, a), copysign_f(3.141592653589793, a), b < 0.0); }
  if (isinf_f(a)) { return copysign_f(1.5707963267948966, a); }
  if (a == 0.0 && b == 0.0) { return select(copysign_f(0.0, a), copysign_f(3.141592653589793, a), signbit_f(b)); }
  return atan2(a, b);
}
fn sigmoid_f(x: f32) -> f32 { return 1.0 / (1.0 + exp_f(-x)); }

// erf and erfc: Taylor series near 0, Lentz's continued fraction for erfc beyond (as the CPU kernels)
fn erf_series(x: f32) -> f32 {
  let x2 = x * x;
  var term = x;
  var sum = x;
  for (var n = 1; n < 60; n++) {
    term *= -x2 / f32(n);
    let t = term / f32(2 * n + 1);
    sum += t;
    if (abs(t) <= 1e-9 * abs(sum)) { break; }
  }
  return 1.1283791670955126 * sum;
}
fn erfc_cf(x: f32) -> f32 {
  if (x > 10.5) { return 0.0; }
  let tiny = 1e-30;
  var f = x;
  var c = x;
  var d = 0.0;
  for (var n = 1; n < 500; n++) {
    let an = f32(n) * 0.5;
    d = x + an * d;
    if (d == 0.0) { d = tiny; }
    d = 1.0 / d;
    c = x + an / c;
    if (c == 0.0) { c = tiny; }
    let delta = c * d;
    f *= delta;
    if (abs(delta - 1.0) < 3e-8) { break; }
  }
  // exp(-x^2) with x^2 = h + l split exactly
  let h = x * x;
  let l = fma(x, x, -h);
  return exp(-h) * (1.0 - l) / (f * 1.7724538509055159);
}
fn erf_f(x: f32) -> f32 {
  if (isnan_f(x)) { return x; }
  let ax = abs(x);
  if (ax < 1.0) { return erf_series(x); }
  return copysign_f(1.0 - erfc_cf(ax), x);
}
fn erfc_f(x: f32) -> f32 {
  if (isnan_f(x)) { return x; }
  if (x >= 0.5) { return erfc_cf(x); }
  if (x <= -0.5) { return 2.0 - erfc_cf(-x); }
  return 1.0 - erf_series(x);
}
// Giles' single-precision approximation, refined by Newton steps on erf_f
fn erfinv_f(y: f32) -> f32 {
  if (isnan_f(y) || y < -1.0 || y > 1.0) { return nan_f(); }
  if (y == 1.0) { return inf_f(); }
  if (y == -1.0) { return -inf_f(); }
  if (y == 0.0) { return y; }
  var w = -log((1.0 - y) * (1.0 + y));
  var p: f32;
  if (w < 5.0) {
    w -= 2.5;
    p = 2.81022636e-8;
    p = 3.43273939e-7 + p * w;
    p = -3.5233877e-6 + p * w;
    p = -4.39150654e-6 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
  } else {
    w = sqrt(w) - 3.0;
    p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
  }
  var x = p * y;
  for (var i = 0; i < 2; i++) {
    let err = erf_f(x) - y;
    x -= err / (1.1283791670955126 * exp(-x * x));
  }
  return x;
}

// C's fmod (sign of the dividend) and Python's remainder (sign of the divisor)
fn fmod_f(a: f32, b: f32) -> f32 {
  if (isnan_f(a) || isnan_f(b) || isinf_f(a) || b == 0.0) { return nan_f(); }
  if (isinf_f(b)) { return a; }
  let y = abs(b);
  var r = abs(a);
  if (r < y) { return a; }
  // exact: subtract y * 2^k with t <= r < 2t (Sterbenz), at least one exponent step per iteration
  let ey = frexp(y).exp;
  for (var i = 0; i < 300 && r >= y; i++) {
    var t = ldexp(y, frexp(r).exp - ey);
    if (t > r) { t = t * 0.5; }
    r = r - t;
  }
  return copysign_f(r, a);
}
fn remainder_f(a: f32, b: f32) -> f32 {
  let m = fmod_f(a, b);
  if (m != 0.0 && ((m < 0.0) != (b < 0.0))) { return m + b; }
  return m;
}
fn floordiv_f(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return a / b; }
  let m = fmod_f(a, b);
  var d = (a - m) / b;
  if (m != 0.0 && ((b < 0.0) != (m < 0.0))) { d -= 1.0; }
  if (d == 0.0) { return select(0.0, -0.0, a / b < 0.0); }
  let fl = floor(d);
  return select(fl, fl + 1.0, d - fl > 0.5);
}
fn rem_i(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  let r = a % b;
  return select(r, r + b, r != 0 && ((r < 0) != (b < 0)));
}
fn floordiv_i(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  let q = a / b;
  return select(q, q - 1, (a % b != 0) && ((a < 0) != (b < 0)));
}
fn ipow_i(a: i32, b: i32) -> i32 {
  if (b < 0) { return select(select(0, select(-1, 1, b % 2 == 0), a == -1), 1, a == 1); }
  var r = 1;
  var base = a;
  var e = b;
  while (e > 0) {
    if ((e & 1) == 1) { r *= base; }
    base *= base;
    e = e >> 1u;
  }
  return r;
}
// C's pow: pow(1, y) and pow(x, 0) are 1 even for NaN; integer exponents by repeated squaring
fn pow_f(a: f32, b: f32) -> f32 {
  if (a == 1.0 || b == 0.0) { return 1.0; }
  if (isnan_f(a) || isnan_f(b)) { return nan_f(); }
  let ab = abs(a);
  if (isinf_f(b)) {
    if (ab == 1.0) { return 1.0; }
    return select(select(inf_f(), 0.0, ab < 1.0), select(0.0, inf_f(), ab < 1.0), b < 0.0);
  }
  let bi = trunc(b);
  let isInt = bi == b;
  let odd = isInt && abs(bi) < 16777216.0 && (i32(abs(bi)) & 1) == 1;
  if (a == 0.0 || isinf_f(a)) {
    var r = select(inf_f(), 0.0, b > 0.0);
    if (isinf_f(a)) { r = select(0.0, inf_f(), b > 0.0); }
    return select(r, copysign_f(r, a), odd);
  }
  if (a < 0.0 && !isInt) { return nan_f(); }
  var r: f32;
  if (isInt && abs(bi) <= 64.0) {
    var e = i32(abs(bi));
    var base = ab;
    r = 1.0;
    while (e > 0) {
      if ((e & 1) == 1) { r *= base; }
      base *= base;
      e = e >> 1u;
    }
    if (b < 0.0) { r = 1.0 / r; }
  } else {
    r = exp2(b * log2(ab));
  }
  return select(r, -r, a < 0.0 && odd);
}
fn hypot_f(a: f32, b: f32) -> f32 {
  let x = abs(a);
  let y = abs(b);
  if (isinf_f(x) || isinf_f(y)) { return inf_f(); }
  if (isnan_f(x) || isnan_f(y)) { return nan_f(); }
  let m = max(x, y);
  if (m == 0.0) { return 0.0; }
  let s = min(x, y) / m;
  return m * sqrt(1.0 + s * s);
}
fn logit_f(a: f32, eps: f32) -> f32 {
  var z = a;
  if (!isnan_f(eps) && !isnan_f(a)) { z = min(max(a, eps), 1.0 - eps); }
  return log_f(z / (1.0 - z));
}
fn gelu_f(a: f32, approx: f32) -> f32 {
  if (approx == 0.0) { return 0.5 * a * (1.0 + erf_f(a * 0.7071067811865476)); }
  return 0.5 * a * (1.0 + tanh_f(0.7978845608028654 * (a + 0.044715 * a * a * a)));
}
`;

/**
 * WGSL forms of JS expressions that ops hand to the map kernel directly (copies, fills, casts, the
 * norm's finishing step). A cast is the identity here: the store converts to the output dtype.
 */
export function jsToWgsl(js: string, compute: "f32" | "i32"): string | null {
  switch (js) {
    case "a":
    case "(a !== 0 ? 1 : 0)":
    case "H.i32(a)":
    case "H.i64(a)":
    case "H.f16(a)":
    case "H.bf16(a)":
      return "a";
    case "p0":
      return "p0";
    case "Math.sqrt(a)":
      return compute === "f32" ? "sqrt_f(a)" : null;
  }
  const m = /^Math\.pow\(a, (-?[0-9.]+(?:e[-+]?[0-9]+)?)\)$/.exec(js);
  if (m && compute === "f32") return `pow_f(a, ${wgslFloat(Number(m[1]))})`;
  return null;
}

/** A finite JS number as a WGSL f32 literal. */
export function wgslFloat(v: number): string {
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/**
 * Strided index math: a WGSL function `offsets_<k>(idx, base)` returning, for the linear index `idx`
 * into a row-major shape, the element offset of each of `k` operands. Its metadata starts at word
 * `base` of `md`: [nd, shape[0..nd), then per operand: offset, strides[0..nd)].
 */
export function offsetsFn(k: number): string {
  const init = [...Array(k).keys()].map((j) => `o[${j}] = md[base + 1 + nd + ${j} * (nd + 1)];`).join(" ");
  const step = [...Array(k).keys()].map((j) => `o[${j}] += i * md[base + 2 + nd + ${j} * (nd + 1) + d];`).join(" ");
  return `
fn offsets_${k}(idx: i32, base: i32) -> array<i32, ${k}> {
  let nd = md[base];
  var o: array<i32, ${k}>;
  ${init}
  var rem = idx;
  for (var d = nd - 1; d >= 0; d--) {
    let s = md[base + 1 + d];
    let i = rem % s;
    rem = rem / s;
    ${step}
  }
  return o;
}`;
}

/** Metadata words for `offsetsFn`: [nd, shape, per operand: offset, strides]. */
export function offsetsMeta(
  shape: readonly number[],
  operands: readonly { offset: number; strides: readonly number[] }[],
): number[] {
  const out = [shape.length, ...shape];
  for (const o of operands) out.push(o.offset, ...o.strides);
  return out;
}

/** The linear invocation index of a 1-D kernel dispatched with `grid` and workgroup size 64. */
export const LINEAR_INDEX = "i32((wg.y * nw.x + wg.x) * 64u + li)";
/** Builtins every 1-D kernel's `main` takes. */
export const MAIN_ARGS =
  "@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nw: vec3u, @builtin(local_invocation_index) li: u32";

/** Per-spatial-dim values padded to 3 dims (leading entries `fill`), for kernels written for 3 spatial dims. */
export function to3(v: readonly number[], fill: number): number[] {
  return [...new Array<number>(3 - v.length).fill(fill), ...v];
}
