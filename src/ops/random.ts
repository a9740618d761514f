// Random number generation: torch.Generator (a Mersenne Twister with PyTorch's CPU generator state),
// the default generator, and the random ops (rand, randn, randint, randperm, normal, bernoulli,
// multinomial, the *Like forms and the in-place samplers uniform_, normal_, random_, ...).
//
// Streams follow PyTorch 1.13's CPU generator for the same seed: the same engine, the same bit
// recipes for each distribution, the same order of draws (including normal's blocks of 16 and its
// cached second Box-Muller sample), and the same floating-point steps. PyTorch's x86 build compiles
// these kernels with FMA contraction and runs float32 normal through AVX2 polynomial log/sin/cos;
// those steps are reproduced here (fused multiply-adds are emulated exactly). Values are generated
// on the host and uploaded, so every device gets the same numbers. Results that go through double
// log/sin/cos/tan (float64 normal, exponential, cauchy, ...) can differ from PyTorch in the last bit
// where JS's Math and the C library round differently (a few percent of float64 values; float32
// results are rounded from double and match; float16 normal rarely differs through sinf/cosf).

import { fma, fmaf } from "../fma.js";
import {
  isFloating,
  castValue,
  allocArray,
  getDefaultDtype,
  toDType,
  type DType,
  type StorageArray,
} from "../dtype.js";
import { broadcastShapes, checkShape, contiguousStrides, fmtShape, numel } from "../shape.js";
import { Tensor } from "../tensor.js";
import { isGradEnabled, noGrad } from "../autograd/gradmode.js";
import { gradEdge, Node } from "../autograd/node.js";
import { fromStorageArray, parseSizeArgs, type SizeArgs, type TensorOptions } from "./creation.js";
import { dtypeCName } from "./elementwise.js";
import { inplace } from "./inplace.js";
import { expand } from "./views.js";
import { filled } from "./scalar.js";

const fround = Math.fround;
const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);

// ---------------------------------------------------------------------------------------------
// The engine: mt19937 with PyTorch's state layout (seed, left, next, 624 words)

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
/** The seed of a new `Generator()` (PyTorch's default_rng_seed_val). */
const DEFAULT_SEED = 67280421310721n;
const TWO64 = 1n << 64n;

class Mt19937 {
  readonly state = new Uint32Array(N);
  left = 1;
  next = 0;
  seed: bigint;

  constructor(seed: bigint) {
    this.seed = seed;
    const s = this.state;
    s[0] = Number(seed & 0xffffffffn);
    for (let j = 1; j < N; j++) {
      const p = s[j - 1]!;
      s[j] = (Math.imul(1812433253, p ^ (p >>> 30)) + j) >>> 0;
    }
  }

  private twistAll(): void {
    const s = this.state;
    let i = 0;
    for (; i < N - M; i++) {
      const y = (s[i]! & 0x80000000) | (s[i + 1]! & 0x7fffffff);
      s[i] = s[i + M]! ^ (y >>> 1) ^ (s[i + 1]! & 1 ? MATRIX_A : 0);
    }
    for (; i < N - 1; i++) {
      const y = (s[i]! & 0x80000000) | (s[i + 1]! & 0x7fffffff);
      s[i] = s[i + M - N]! ^ (y >>> 1) ^ (s[i + 1]! & 1 ? MATRIX_A : 0);
    }
    const y = (s[N - 1]! & 0x80000000) | (s[0]! & 0x7fffffff);
    s[N - 1] = s[M - 1]! ^ (y >>> 1) ^ (s[0]! & 1 ? MATRIX_A : 0);
    this.left = N;
    this.next = 0;
  }

  /** The next 32-bit output, as a non-negative number. */
  next32(): number {
    if (--this.left === 0) this.twistAll();
    let y = this.state[this.next++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
}

/** A seed as PyTorch stores it: an unsigned 64-bit value (negative seeds wrap around). */
function toSeed(seed: number | bigint, op: string): bigint {
  if (typeof seed === "number" && !Number.isInteger(seed))
    throw new TypeError(`${op}(): expected an integer seed, got ${seed}`);
  const s = BigInt(seed);
  if (s < -(1n << 63n) || s >= TWO64) throw new RangeError(`${op}(): Overflow when unpacking long (seed ${s})`);
  return s < 0n ? s + TWO64 : s;
}

/** A non-deterministic seed below 2^53 (so it is exact as a JS number). */
function entropySeed(): bigint {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint32Array) => Uint32Array } }).crypto;
  const w = new Uint32Array(2);
  if (c?.getRandomValues) c.getRandomValues(w);
  else {
    w[0] = Math.floor(Math.random() * 2 ** 32);
    w[1] = Math.floor(Math.random() * 2 ** 32);
  }
  return (BigInt(w[0]! & 0x1fffff) << 32n) | BigInt(w[1]!);
}

/** Byte size of PyTorch's CPUGeneratorImplState (what `get_state()` returns). */
const STATE_BYTES = 5056;

/**
 * A pseudo-random number generator (`torch.Generator`): PyTorch's CPU generator, so a seed gives the
 * same numbers as in PyTorch. Pass it as `{ generator }` to any random op.
 */
export class Generator {
  /** The device whose tensors this generator serves (always `"cpu"`: values are made on the host). */
  readonly device = "cpu";
  /** @internal */
  engine: Mt19937;
  /** @internal cached second sample of the scalar Box-Muller normal (double) */
  nextDoubleNormal: number | null = null;
  /** @internal cached float normal sample (kept only for state round trips, as in PyTorch) */
  nextFloatNormal: number | null = null;

  /** A new generator with PyTorch's fixed default seed (67280421310721); only `"cpu"` is supported. */
  constructor(device: string = "cpu") {
    if (device !== "cpu")
      throw new Error(
        `Generator(): only cpu generators are supported (values for any device are made on the host), got '${device}'`,
      );
    this.engine = new Mt19937(DEFAULT_SEED);
  }

  /** Seed the generator (an integer in [-2^63, 2^64); negative seeds wrap as in PyTorch); returns this. */
  manualSeed(seed: number | bigint): this {
    this.engine = new Mt19937(toSeed(seed, "manualSeed"));
    this.nextDoubleNormal = null;
    this.nextFloatNormal = null;
    return this;
  }

  /** Seed from a non-deterministic source and return that seed. */
  seed(): number {
    const s = entropySeed();
    this.manualSeed(s);
    return Number(s);
  }

  /** The seed this generator was last seeded with (exact up to 2^53). */
  initialSeed(): number {
    return Number(this.engine.seed);
  }

  /**
   * A copy of the generator's state as a uint8 tensor with PyTorch's byte layout
   * (`torch.get_rng_state()`), so states can be exchanged with PyTorch.
   */
  getState(): Tensor {
    const bytes = new Uint8Array(STATE_BYTES);
    const dv = new DataView(bytes.buffer);
    const e = this.engine;
    dv.setBigUint64(0, e.seed, true);
    dv.setInt32(8, e.left, true);
    dv.setInt32(12, 1, true);
    dv.setBigUint64(16, BigInt(e.next), true);
    for (let i = 0; i < N; i++) dv.setBigUint64(24 + 8 * i, BigInt(e.state[i]!), true);
    if (this.nextDoubleNormal !== null) {
      dv.setFloat64(5024, this.nextDoubleNormal, true);
      dv.setInt32(5040, 1, true);
    }
    if (this.nextFloatNormal !== null) {
      dv.setFloat32(5048, this.nextFloatNormal, true);
      bytes[5052] = 1;
    }
    return fromStorageArray(bytes, [STATE_BYTES], "uint8");
  }

  /** Restore a state from `getState()` (or from PyTorch's `get_rng_state()`); returns this. */
  setState(state: Tensor): this {
    if (!(state instanceof Tensor) || state.dtype !== "uint8")
      throw new TypeError(
        `setState(): RNG state must be a torch.ByteTensor (uint8), got ${state instanceof Tensor ? state.dtype : typeof state}`,
      );
    if (state.numel() !== STATE_BYTES)
      throw new RangeError(
        `setState(): Expected a CPUGeneratorImplState of size ${STATE_BYTES} but found the input RNG state size to be ${state.numel()}`,
      );
    const bytes = Uint8Array.from(state.dataSync());
    const dv = new DataView(bytes.buffer);
    const seed = dv.getBigUint64(0, true);
    const left = dv.getInt32(8, true);
    const seeded = dv.getInt32(12, true);
    const next = Number(dv.getBigUint64(16, true) & 0xffffffffn);
    if (seeded === 0 || left <= 0 || left > N || next > N) throw new Error("setState(): Invalid mt19937 state");
    const e = new Mt19937(0n);
    e.seed = seed;
    e.left = left;
    e.next = next;
    for (let i = 0; i < N; i++) e.state[i] = Number(dv.getBigUint64(24 + 8 * i, true) & 0xffffffffn);
    this.engine = e;
    this.nextDoubleNormal = dv.getInt32(5040, true) ? dv.getFloat64(5024, true) : null;
    this.nextFloatNormal = bytes[5052] ? dv.getFloat32(5048, true) : null;
    return this;
  }

  /** @internal a uniform 32-bit integer (PyTorch's `random()`) */
  random(): number {
    return this.engine.next32();
  }
  /** @internal the 53-bit uniform double in [0, 1) made from `random64()` */
  uniformDouble(): number {
    const hi = this.engine.next32();
    const lo = this.engine.next32();
    return ((hi & 0x1fffff) * 4294967296 + lo) * 2 ** -53;
  }
  /** @internal `random64()` as a BigInt */
  random64(): bigint {
    const hi = this.engine.next32();
    const lo = this.engine.next32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }
}

/** The generator random ops use when none is given (`torch.default_generator`). */
export const defaultGenerator = new Generator();
defaultGenerator.manualSeed(entropySeed());

/** Seed the default generator (`torch.manual_seed`); returns it. Non-integer numbers are truncated. */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(typeof seed === "number" ? Math.trunc(seed) : seed);
}
/** Seed the default generator non-deterministically and return the seed (`torch.seed`). */
export function seed(): number {
  return defaultGenerator.seed();
}
/** The seed of the default generator (`torch.initial_seed`). */
export function initialSeed(): number {
  return defaultGenerator.initialSeed();
}
/** The default generator's state as a uint8 tensor (`torch.get_rng_state`). */
export function getRngState(): Tensor {
  return defaultGenerator.getState();
}
/** Restore the default generator's state (`torch.set_rng_state`). */
export function setRngState(state: Tensor): void {
  defaultGenerator.setState(state);
}

// ---------------------------------------------------------------------------------------------
// float32 log / sin / cos as PyTorch's AVX2 normal kernel computes them (cephes polynomials,
// evaluated with the fused multiply-adds the compiler emits)

const F = (x: number) => fround(x);
const SQRTHF = F(Math.SQRT1_2);
const LOG_P0 = F(7.0376836292e-2);
const LOG_P1 = F(-1.151461031e-1);
const LOG_P2 = F(1.167699874e-1);
const LOG_P3 = F(-1.2420140846e-1);
const LOG_P4 = F(1.4249322787e-1);
const LOG_P5 = F(-1.6668057665e-1);
const LOG_P6 = F(2.0000714765e-1);
const LOG_P7 = F(-2.4999993993e-1);
const LOG_P8 = F(3.3333331174e-1);
const LOG_Q1 = F(-2.1219444e-4);
const LOG_Q2 = F(0.693359375);
const DP1 = F(-0.78515625);
const DP2 = F(-2.4187564849853515625e-4);
const DP3 = F(-3.774894977445941e-8);
const SIN_P0 = F(-1.9515295891e-4);
const SIN_P1 = F(8.3321608736e-3);
const SIN_P2 = F(-1.6666654611e-1);
const COS_P0 = F(2.443315711809948e-5);
const COS_P1 = F(-1.388731625493765e-3);
const COS_P2 = F(4.166664568298827e-2);
const FOPI = F(1.27323954473516);
const TWO_PI_F = F(2 * Math.PI);

/** Natural log of a positive normal float32, as log256_ps. */
function avxLog(x: number): number {
  f32buf[0] = x;
  const bits = u32buf[0]!;
  let e = F((bits >>> 23) - 127 + 1);
  u32buf[0] = (bits & ~0x7f800000) | 0x3f000000;
  let m = f32buf[0]!;
  if (m < SQRTHF) {
    e = F(e - 1);
    m = F(F(m - 1) + m);
  } else m = F(m - 1);
  const z = F(m * m);
  let y = fmaf(LOG_P0, m, LOG_P1);
  y = fmaf(y, m, LOG_P2);
  y = fmaf(y, m, LOG_P3);
  y = fmaf(y, m, LOG_P4);
  y = fmaf(y, m, LOG_P5);
  y = fmaf(y, m, LOG_P6);
  y = fmaf(y, m, LOG_P7);
  y = fmaf(y, m, LOG_P8);
  y = F(y * m);
  y = fmaf(y, z, F(e * LOG_Q1));
  y = fmaf(-z, 0.5, y);
  const r = F(m + y);
  return fmaf(e, LOG_Q2, r);
}

/** [sin, cos] of a non-negative float32, as sincos256_ps. */
function avxSinCos(theta: number, out: Float64Array): void {
  let x = theta;
  let j = Math.trunc(F(x * FOPI)) | 0;
  j = (j + 1) & ~1;
  const y = j;
  const sinNeg = (j & 4) !== 0;
  const cosNeg = ((j - 2) & 4) === 0;
  const polySin = (j & 2) === 0;
  x = fmaf(y, DP1, x);
  x = fmaf(y, DP2, x);
  x = fmaf(y, DP3, x);
  const z = F(x * x);
  const half = F(z * 0.5);
  let yc = fmaf(COS_P0, z, COS_P1);
  yc = fmaf(yc, z, COS_P2);
  yc = F(z * yc);
  yc = fmaf(z, yc, -half);
  yc = F(yc + 1);
  let ys = fmaf(SIN_P0, z, SIN_P1);
  ys = fmaf(ys, z, SIN_P2);
  ys = F(z * ys);
  ys = fmaf(ys, x, x);
  const s = polySin ? 0 + ys : yc + 0;
  const c = polySin ? yc + 0 : 0 + ys;
  out[0] = sinNeg ? -s : s;
  out[1] = cosNeg ? -c : c;
}

// ---------------------------------------------------------------------------------------------
// Samplers: each writes n values into a storage array in the order PyTorch's kernel draws them

type Store = (i: number, v: number) => void;

/** Bits of precision of a floating dtype (std::numeric_limits<T>::digits). */
function digits(dt: DType): number {
  return dt === "float64" ? 53 : dt === "float32" ? 24 : dt === "float16" ? 11 : 8;
}
/** Round to a dtype's value set (float16/bfloat16/float32 grids). */
function rounder(dt: DType): (v: number) => number {
  if (dt === "float64") return (v) => v;
  if (dt === "float32") return fround;
  return (v) => castValue(v, dt);
}

function uniformSample(g: Generator, dt: DType, n: number, from: number, to: number, store: Store): void {
  if (dt === "float64") {
    const d = to - from;
    for (let i = 0; i < n; i++) store(i, fma(g.uniformDouble(), d, from));
    return;
  }
  const r = rounder(dt);
  const lo = r(from);
  const d = r(fround(r(to) - lo));
  const mask = 2 ** digits(dt) - 1;
  const scale = 2 ** -digits(dt);
  for (let i = 0; i < n; i++) store(i, r(fmaf((g.random() & mask) * scale, d, lo)));
}

/** One scalar Box-Muller normal in double with the generator's cache (normal_distribution<double>). */
function scalarNormal(g: Generator, mean: number, std: number): number {
  if (g.nextDoubleNormal !== null) {
    const v = g.nextDoubleNormal;
    g.nextDoubleNormal = null;
    return fma(v, std, mean);
  }
  const u1 = g.uniformDouble();
  const u2 = g.uniformDouble();
  const r = Math.sqrt(-2 * Math.log(1 - u2));
  const theta = 2 * Math.PI * u1;
  g.nextDoubleNormal = r * Math.sin(theta);
  return fma(r * Math.cos(theta), std, mean);
}

/** normal_fill: uniforms for all n, Box-Muller in blocks of 16 (the last block redrawn when n % 16). */
function normalFill(g: Generator, dt: DType, data: Float32Array | Float64Array, mean: number, std: number): void {
  const n = data.length;
  const drawUniforms = (start: number, end: number) => {
    if (dt === "float64") for (let i = start; i < end; i++) data[i] = g.uniformDouble();
    else {
      const mask = 2 ** digits(dt) - 1;
      const scale = 2 ** -digits(dt);
      for (let i = start; i < end; i++) data[i] = (g.random() & mask) * scale;
    }
  };
  let block: (o: number) => void;
  if (dt === "float32") {
    const m = fround(mean);
    const s = fround(std);
    const sc = new Float64Array(2);
    block = (o) => {
      for (let j = 0; j < 8; j++) {
        const radius = fround(Math.sqrt(fround(-2 * avxLog(fround(1 - data[o + j]!)))));
        avxSinCos(fround(TWO_PI_F * data[o + j + 8]!), sc);
        data[o + j] = fmaf(fround(radius * sc[1]!), s, m);
        data[o + j + 8] = fmaf(fround(radius * sc[0]!), s, m);
      }
    };
  } else if (dt === "float64") {
    const twoPi = 2 * Math.PI;
    block = (o) => {
      for (let j = 0; j < 8; j++) {
        const radius = Math.sqrt(-2 * Math.log(1 - data[o + j]!));
        const theta = twoPi * data[o + j + 8]!;
        data[o + j] = fma(radius * Math.cos(theta), std, mean);
        data[o + j + 8] = fma(radius * Math.sin(theta), std, mean);
      }
    };
  } else if (dt === "float16") {
    // Half: named intermediates are rounded to float16, arithmetic and libm calls in float
    const r = rounder(dt);
    const m = r(mean);
    const s = r(std);
    block = (o) => {
      for (let j = 0; j < 8; j++) {
        const radius = r(Math.sqrt(fround(-2 * fround(Math.log(r(1 - data[o + j]!))))));
        const theta = r(2 * Math.PI * data[o + j + 8]!);
        data[o + j] = r(fmaf(fround(radius * fround(Math.cos(theta))), s, m));
        data[o + j + 8] = r(fmaf(fround(radius * fround(Math.sin(theta))), s, m));
      }
    };
  } else {
    // BFloat16: c10 gives bfloat16 results for its math functions and for bfloat16 * bfloat16
    const r = rounder(dt);
    const m = r(mean);
    const s = r(std);
    block = (o) => {
      for (let j = 0; j < 8; j++) {
        const radius = r(Math.sqrt(r(-2 * r(Math.log(r(1 - data[o + j]!))))));
        const theta = r(2 * Math.PI * data[o + j + 8]!);
        data[o + j] = r(r(r(radius * r(Math.cos(theta))) * s) + m);
        data[o + j + 8] = r(r(r(radius * r(Math.sin(theta))) * s) + m);
      }
    };
  }
  drawUniforms(0, n);
  for (let i = 0; i + 16 <= n; i += 16) block(i);
  if (n % 16 !== 0) {
    drawUniforms(n - 16, n);
    block(n - 16);
  }
}

// ---------------------------------------------------------------------------------------------
// Writing sampled values into tensors

/** Options of the random ops that create tensors. */
export interface RandomOptions extends TensorOptions {
  /** The generator to draw from (default: `defaultGenerator`). */
  generator?: Generator;
}
/** Options of the in-place samplers. */
export interface GeneratorOptions {
  generator?: Generator;
}

function gen(opts: { generator?: Generator } | undefined): Generator {
  const g = opts?.generator ?? defaultGenerator;
  if (!(g instanceof Generator)) throw new TypeError("expected a torch.Generator in { generator }");
  return g;
}

/**
 * Logical (row-major) index of the k-th element in the order PyTorch's TensorIterator visits a
 * tensor: dimensions ordered by decreasing stride, so memory is walked front to back.
 */
function visitOrder(shape: readonly number[], strides: readonly number[]): Int32Array | null {
  const n = numel(shape);
  const dims = shape.map((_, d) => d).filter((d) => shape[d]! > 1);
  const sorted = [...dims].sort((a, b) => Math.abs(strides[b]!) - Math.abs(strides[a]!) || a - b);
  if (sorted.every((d, i) => d === dims[i])) return null;
  const logical = contiguousStrides(shape);
  const order = new Int32Array(n);
  const idx = new Array<number>(sorted.length).fill(0);
  let pos = 0;
  for (let k = 0; k < n; k++) {
    order[k] = pos;
    for (let q = sorted.length - 1; q >= 0; q--) {
      const d = sorted[q]!;
      idx[q]!++;
      pos += logical[d]!;
      if (idx[q]! < shape[d]!) break;
      pos -= logical[d]! * shape[d]!;
      idx[q] = 0;
    }
  }
  return order;
}

/** A fresh storage array for `t`'s elements and a store that writes the k-th drawn value in place. */
function sink(dt: DType, shape: readonly number[], strides: readonly number[]) {
  const data = allocArray(dt, numel(shape));
  const order = visitOrder(shape, strides);
  // typed-array assignment already converts like castValue, except for these dtypes
  const convert = dt === "int64" || dt === "bool" || dt === "float16" || dt === "bfloat16";
  let store: Store;
  if (order) store = convert ? (k, v) => (data[order[k]!] = castValue(v, dt)) : (k, v) => (data[order[k]!] = v);
  else store = convert ? (k, v) => (data[k] = castValue(v, dt)) : (k, v) => (data[k] = v);
  return { data, store };
}

/** Backward of a sampler: the sample does not depend on its inputs, so their gradient is zero. */
class RandomBackward extends Node {
  private readonly meta: { shape: number[]; dtype: DType; device: string }[];
  constructor(
    private readonly op: string,
    inputs: Tensor[],
  ) {
    super();
    this.next = inputs.map((t) => gradEdge(t));
    this.meta = inputs.map((t) => ({ shape: [...t.shape], dtype: t.dtype, device: t.device }));
  }
  name(): string {
    return this.op;
  }
  apply(): (Tensor | null)[] {
    return this.meta.map((m, i) => (this.next[i] ? filled(m.shape, 0, m.dtype, m.device) : null));
  }
}

/** Attach a zero-gradient node when an input requires grad (PyTorch's `self: zeros_like(grad)`). */
function withZeroGrad(out: Tensor, op: string, inputs: Tensor[]): Tensor {
  if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) out.gradFn = new RandomBackward(op, inputs);
  return out;
}

/** Run an in-place sampler: `fill` gets a store in PyTorch's visiting order for `t`. */
function sampleInto(
  t: Tensor,
  op: string,
  backwardName: string,
  fill: (store: Store, n: number, contiguous: boolean, data: StorageArray) => void,
  extra: Tensor[] = [],
): Tensor {
  return inplace(t, op, (self) => {
    const { data, store } = sink(self.dtype, self.shape, self.strides);
    const n = self.numel();
    if (n > 0) fill(store, n, self.isContiguous(), data);
    const r = fromStorageArray(data, self.shape, self.dtype, { device: self.device });
    return withZeroGrad(r, backwardName, [self, ...extra]);
  });
}

function notImplemented(op: string, kernel: string, dt: DType): never {
  throw new TypeError(`${op}(): "${kernel}" not implemented for '${dtypeCName(dt)}'`);
}

/** C++ type names PyTorch prints in bound errors. */
const CTYPE: Record<DType, string> = {
  float32: "float",
  float64: "double",
  float16: "c10::Half",
  bfloat16: "c10::BFloat16",
  int8: "signed char",
  uint8: "unsigned char",
  int16: "short int",
  int32: "int",
  int64: "long int",
  bool: "bool",
};
function dtypeRange(dt: DType): [number, number] {
  switch (dt) {
    case "float64":
      return [-Number.MAX_VALUE, Number.MAX_VALUE];
    case "float32":
      return [-3.4028234663852886e38, 3.4028234663852886e38];
    case "float16":
      return [-65504, 65504];
    case "bfloat16":
      return [-3.3895313892515355e38, 3.3895313892515355e38];
    case "int8":
      return [-128, 127];
    case "uint8":
      return [0, 255];
    case "int16":
      return [-32768, 32767];
    case "int32":
      return [-2147483648, 2147483647];
    case "int64":
      return [-(2 ** 63), 2 ** 63 - 1];
    case "bool":
      return [0, 1];
  }
}

// ---------------------------------------------------------------------------------------------
// In-place samplers

/** Fill with uniform samples from [from, to) in place (`x.uniform_(from, to)`). */
export function uniform_(t: Tensor, from = 0, to = 1, opts: GeneratorOptions = {}): Tensor {
  const dt = t.dtype;
  if (!isFloating(dt)) notImplemented("uniform_", "check_uniform_bounds", dt);
  const [min, max] = dtypeRange(dt);
  if (!(from >= min && from <= max)) throw new RangeError(`uniform_(): from is out of bounds for ${CTYPE[dt]}`);
  if (!(to >= min && to <= max)) throw new RangeError(`uniform_(): to is out of bounds for ${CTYPE[dt]}`);
  if (!(from <= to))
    throw new RangeError(
      `uniform_(): uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`,
    );
  if (!(to - from <= max))
    throw new RangeError(
      `uniform_(): uniform_ expects to-from <= std::numeric_limits<${dtypeCName(dt)}>::max(), but found to=${to} and from=${from} which result in to-from to exceed the limit`,
    );
  const g = gen(opts);
  return sampleInto(t, "uniform_", "UniformBackward0", (store, n) => uniformSample(g, dt, n, from, to, store));
}

function checkStd(std: number): void {
  if (!(std >= 0)) throw new RangeError(`normal(): normal expects std >= 0.0, but found std ${std}`);
}

/** Draw n normals into `store` exactly as PyTorch's normal kernel does for a tensor of dtype dt. */
function normalSample(
  g: Generator,
  dt: DType,
  n: number,
  contiguous: boolean,
  mean: number,
  std: number,
  store: Store,
  data: StorageArray,
) {
  // a contiguous tensor is filled in memory order, so the fill path writes its storage directly
  if (n >= 16 && contiguous) normalFill(g, dt, data as Float32Array | Float64Array, mean, std);
  else for (let i = 0; i < n; i++) store(i, scalarNormal(g, mean, std));
}

/** Fill with normal samples in place (`x.normal_(mean, std)`). */
export function normal_(t: Tensor, mean = 0, std = 1, opts: GeneratorOptions = {}): Tensor {
  checkStd(std);
  if (!isFloating(t.dtype)) notImplemented("normal_", "normal_kernel_cpu", t.dtype);
  const g = gen(opts);
  return sampleInto(t, "normal_", "NormalBackward0", (store, n, contiguous, data) =>
    normalSample(g, t.dtype, n, contiguous, mean, std, store, data),
  );
}

/** Fill with samples of Exponential(lambd) in place (`x.exponential_(lambd)`). */
export function exponential_(t: Tensor, lambd = 1, opts: GeneratorOptions = {}): Tensor {
  if (!(lambd >= 0))
    throw new RangeError(`exponential_(): exponential_ expects lambda >= 0.0, but found lambda=${lambd}`);
  if (!isFloating(t.dtype)) notImplemented("exponential_", "exponential_cpu", t.dtype);
  const g = gen(opts);
  const k = -1 / lambd;
  return sampleInto(t, "exponential_", "ExponentialBackward0", (store, n) => {
    for (let i = 0; i < n; i++) store(i, k * Math.log(1 - g.uniformDouble()));
  });
}

/** Fill with samples of Cauchy(median, sigma) in place (`x.cauchy_(median, sigma)`). */
export function cauchy_(t: Tensor, median = 0, sigma = 1, opts: GeneratorOptions = {}): Tensor {
  if (!isFloating(t.dtype)) notImplemented("cauchy_", "cauchy_cpu", t.dtype);
  const g = gen(opts);
  return sampleInto(t, "cauchy_", "CauchyBackward0", (store, n) => {
    for (let i = 0; i < n; i++) store(i, fma(sigma, Math.tan(Math.PI * (g.uniformDouble() - 0.5)), median));
  });
}

/** Fill with samples of exp(Normal(mean, std)) in place (`x.log_normal_(mean, std)`). */
export function logNormal_(t: Tensor, mean = 1, std = 2, opts: GeneratorOptions = {}): Tensor {
  if (!(std > 0)) throw new RangeError(`logNormal_(): log_normal_ expects std > 0.0, but found std=${std}`);
  if (!isFloating(t.dtype)) notImplemented("logNormal_", "log_normal_cpu", t.dtype);
  const g = gen(opts);
  return sampleInto(t, "log_normal_", "LogNormalBackward0", (store, n) => {
    for (let i = 0; i < n; i++) store(i, Math.exp(scalarNormal(g, mean, std)));
  });
}

/** Fill with samples of Geometric(p) (trials until the first success) in place (`x.geometric_(p)`). */
export function geometric_(t: Tensor, p: number, opts: GeneratorOptions = {}): Tensor {
  if (!(p > 0 && p < 1)) throw new RangeError(`geometric_(): geometric_ expects p to be in (0, 1), but got p=${p}`);
  if (t.dtype === "bool") notImplemented("geometric_", "geometric_cpu", t.dtype);
  const g = gen(opts);
  const l1p = Math.log(1 - p);
  return sampleInto(t, "geometric_", "GeometricBackward0", (store, n) => {
    for (let i = 0; i < n; i++) store(i, Math.ceil(Math.log(g.uniformDouble()) / l1p));
  });
}

/** Draw from [base, base + range) as PyTorch's random_from_to kernel does for dtype dt. */
function randomFromTo(g: Generator, dt: DType, n: number, range: number, base: number, store: Store): void {
  const wide = range >= 2 ** 32 && (dt === "int64" || dt === "float64" || dt === "float32" || dt === "bfloat16");
  if (wide) {
    const r = BigInt(range);
    const b = BigInt(base);
    for (let i = 0; i < n; i++) store(i, Number((g.random64() % r) + b));
  } else for (let i = 0; i < n; i++) store(i, (g.random() % range) + base);
}

function checkFromTo(op: string, from: number, toInc: number, dt: DType): void {
  const [min, max] = dtypeRange(dt);
  if (!(from >= min && from <= max)) throw new RangeError(`${op}(): from is out of bounds for ${CTYPE[dt]}`);
  if (!(toInc >= min && toInc <= max)) throw new RangeError(`${op}(): to - 1 is out of bounds for ${CTYPE[dt]}`);
}

function checkInt(op: string, name: string, v: number): void {
  if (!Number.isSafeInteger(v)) throw new TypeError(`${op}(): ${name} must be an integer (exact in JS), got ${v}`);
}

/**
 * Fill with random integers in place (`x.random_()`, `x.random_(to)`, `x.random_(from, to)`):
 * uniform over [from, to), or over the values the dtype holds exactly when no bound is given.
 */
export function random_(
  t: Tensor,
  from?: number | GeneratorOptions,
  to?: number | GeneratorOptions,
  opts: GeneratorOptions = {},
): Tensor {
  let lo: number | undefined;
  let hi: number | undefined;
  if (typeof from === "number") {
    if (typeof to === "number") {
      lo = from;
      hi = to;
    } else {
      lo = 0;
      hi = from;
      if (to) opts = to;
    }
  } else if (from) opts = from;
  const g = gen(opts);
  const dt = t.dtype;
  if (lo === undefined || hi === undefined) {
    return sampleInto(t, "random_", "RandomBackward2", (store, n) => {
      for (let i = 0; i < n; i++) {
        let v: number;
        if (dt === "int64") v = Number(g.random64() % (1n << 63n));
        else if (dt === "float64") v = Number(g.random64() % ((1n << 53n) + 1n));
        else if (dt === "bool") v = g.random() & 1;
        else {
          const m = isFloating(dt) ? 2 ** digits(dt) + 1 : dtypeRange(dt)[1] + 1;
          v = g.random() % m;
        }
        store(i, v);
      }
    });
  }
  checkInt("random_", "from", lo);
  checkInt("random_", "to", hi);
  if (!(lo < hi))
    throw new RangeError(`random_(): random_ expects 'from' to be less than 'to', but got from=${lo} >= to=${hi}`);
  checkFromTo("random_", lo, hi - 1, dt);
  const range = hi - lo;
  return sampleInto(t, "random_", "RandomBackward0", (store, n) => randomFromTo(g, dt, n, range, lo, store));
}

/**
 * Fill with Bernoulli samples in place (`x.bernoulli_(p)`): 1 with probability p (a number, or a
 * tensor broadcast to x's shape), else 0.
 */
export function bernoulli_(t: Tensor, p: number | Tensor = 0.5, opts: GeneratorOptions = {}): Tensor {
  const g = gen(opts);
  const dt = t.dtype;
  if (p instanceof Tensor) {
    if (dt === "float16") notImplemented("bernoulli_", "bernoulli_tensor_cpu_self_", dt);
    if (!(p.dtype === "float32" || p.dtype === "float64" || p.dtype === "bfloat16"))
      notImplemented("bernoulli_", "bernoulli_tensor_cpu_p_", p.dtype);
    const pv = noGrad(() => expand(p, [...t.shape])).dataSync();
    for (let i = 0; i < pv.length; i++)
      if (!(pv[i]! >= 0 && pv[i]! <= 1))
        throw new RangeError(`bernoulli_(): Expected p_in >= 0 && p_in <= 1 to be true, but got false (p=${pv[i]})`);
    const double = p.dtype === "float64";
    const order = visitOrder(t.shape, t.strides);
    return sampleInto(
      t,
      "bernoulli_",
      "BernoulliBackward1",
      (store, n) => {
        for (let i = 0; i < n; i++) {
          const pi = pv[order ? order[i]! : i]!;
          const u = double ? g.uniformDouble() : (g.random() & 0xffffff) * 2 ** -24;
          store(i, u < pi ? 1 : 0);
        }
      },
      [p],
    );
  }
  if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli_(): bernoulli_ expects p to be in [0, 1], but got p=${p}`);
  if (dt === "float16") notImplemented("bernoulli_", "bernoulli_scalar_cpu_", dt);
  return sampleInto(t, "bernoulli_", "BernoulliBackward2", (store, n) => {
    for (let i = 0; i < n; i++) store(i, g.uniformDouble() < p ? 1 : 0);
  });
}

// ---------------------------------------------------------------------------------------------
// Factories

function floatDtype(opts: TensorOptions): DType {
  return opts.dtype ? toDType(opts.dtype) : getDefaultDtype();
}
/** `dt` when floating, else PyTorch's "not implemented" error naming `op`. */
function floatOnly(op: string, kernel: string, dt: DType): DType {
  if (!isFloating(dt)) notImplemented(op, kernel, dt);
  return dt;
}

/** Make a tensor of `shape` and fill it in place with `fill` under no_grad; then set requiresGrad. */
function make(
  shape: number[],
  dt: DType,
  opts: TensorOptions,
  fill: (t: Tensor) => void,
  strides?: readonly number[],
): Tensor {
  let t = fromStorageArray(allocArray(dt, numel(shape)), shape, dt, { device: opts.device });
  if (strides) t = new Tensor(t.storage, shape, strides, 0, dt);
  noGrad(() => fill(t));
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

/**
 * Dense strides that keep the dimension order of `t`'s layout (PyTorch's empty_like with the
 * preserved memory format), so `*Like` samples are drawn in the same memory order as in PyTorch.
 */
function likeStrides(t: Tensor): number[] | undefined {
  if (t.isContiguous()) return undefined;
  const nd = t.ndim;
  const order = [...Array(nd).keys()].sort((a, b) => Math.abs(t.strides[b]!) - Math.abs(t.strides[a]!) || a - b);
  const strides = new Array<number>(nd).fill(1);
  let step = 1;
  for (let q = nd - 1; q >= 0; q--) {
    const d = order[q]!;
    strides[d] = step;
    step *= Math.max(t.shape[d]!, 1);
  }
  return strides;
}

/** Uniform samples from [0, 1): `rand(2, 3)`, `rand([2, 3], { dtype, generator })`. */
export function rand(...args: (number | readonly number[] | RandomOptions)[]): Tensor {
  const { shape, opts } = parseSizeArgs(args as SizeArgs, "rand");
  const o = opts as RandomOptions;
  return make(shape, floatOnly("rand", "check_uniform_bounds", floatDtype(o)), o, (t) => uniform_(t, 0, 1, o));
}

/** Standard normal samples: `randn(2, 3)`, `randn([2, 3], { dtype, generator })`. */
export function randn(...args: (number | readonly number[] | RandomOptions)[]): Tensor {
  const { shape, opts } = parseSizeArgs(args as SizeArgs, "randn");
  const o = opts as RandomOptions;
  return make(shape, floatOnly("randn", "normal_kernel_cpu", floatDtype(o)), o, (t) => normal_(t, 0, 1, o));
}

/**
 * Random integers from [low, high) (`torch.randint`): `randint(10, [3])` or `randint(-5, 5, [2, 2])`,
 * int64 unless `{ dtype }` says otherwise.
 */
export function randint(high: number, size: readonly number[], opts?: RandomOptions): Tensor;
export function randint(low: number, high: number, size: readonly number[], opts?: RandomOptions): Tensor;
export function randint(
  a: number,
  b: number | readonly number[],
  c?: readonly number[] | RandomOptions,
  d?: RandomOptions,
): Tensor {
  let low = 0;
  let high: number;
  let size: readonly number[];
  let opts: RandomOptions;
  if (typeof b === "number") {
    low = a;
    high = b;
    if (!Array.isArray(c)) throw new TypeError("randint(): expected a size array after low and high");
    size = c as readonly number[];
    opts = d ?? {};
  } else {
    high = a;
    size = b;
    opts = (c as RandomOptions | undefined) ?? {};
  }
  const shape = checkShape(size, "randint");
  const dt = opts.dtype ? toDType(opts.dtype) : "int64";
  return make(shape, dt, opts, (t) => random_(t, low, high, opts));
}

/** A random permutation of 0..n-1 (`torch.randperm`), int64 unless `{ dtype }` says otherwise. */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`randperm(): Trying to create tensor with negative dimension ${n}: [${n}]`);
  const dt = opts.dtype ? toDType(opts.dtype) : "int64";
  if (dt === "bool" || dt === "bfloat16") notImplemented("randperm", "randperm", dt);
  const [, max] = dtypeRange(dt);
  if (!isFloating(dt) && n > 0 && n - 1 > max)
    throw new RangeError(`randperm(): value cannot be converted to type ${dt}_t without overflow (n=${n})`);
  if (isFloating(dt) && n > 2 ** digits(dt) + 1)
    throw new RangeError(`randperm(): n cannot be greater than 2^${digits(dt)}+1 for ${dtypeCName(dt)} type (n=${n})`);
  const g = gen(opts);
  const perm = new Float64Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = 0; i < n - 1; i++) {
    const z = g.random() % (n - i);
    const sav = perm[i]!;
    perm[i] = perm[z + i]!;
    perm[z + i] = sav;
  }
  if (dt === "int64" || dt === "float64") return fromStorageArray(perm, [n], dt, opts);
  const data = allocArray(dt, n);
  data.set(perm); // every value fits the dtype exactly (checked above)
  return fromStorageArray(data, [n], dt, opts);
}

/**
 * Normal samples (`torch.normal`). `normal(mean, std, size)` with numbers; or a tensor mean and/or
 * std (broadcast together), one sample per element: `normal(meanT, 1)`, `normal(0, stdT)`,
 * `normal(meanT, stdT)`.
 */
export function normal(mean: number, std: number, size: readonly number[], opts?: RandomOptions): Tensor;
export function normal(mean: Tensor, std?: number | Tensor, opts?: RandomOptions): Tensor;
export function normal(mean: number, std: Tensor, opts?: RandomOptions): Tensor;
export function normal(
  mean: number | Tensor,
  std: number | Tensor = 1,
  c?: readonly number[] | RandomOptions,
  d?: RandomOptions,
): Tensor {
  if (typeof mean === "number" && typeof std === "number") {
    if (!Array.isArray(c)) throw new TypeError("normal(): with a number mean and std, a size array is required");
    checkStd(std);
    const o = d ?? {};
    const shape = checkShape(c as readonly number[], "normal");
    return make(shape, floatOnly("normal", "normal_kernel_cpu", floatDtype(o)), o, (t) => normal_(t, mean, std, o));
  }
  if (Array.isArray(c)) throw new TypeError("normal(): size is only accepted when mean and std are numbers");
  const opts = (c as RandomOptions | undefined) ?? {};
  const g = gen(opts);
  const inputs = [mean, std].filter((x): x is Tensor => x instanceof Tensor);
  if (std instanceof Tensor && std.dataSync().some((v) => !(v >= 0)))
    throw new RangeError("normal(): normal expects all elements of std >= 0.0");
  if (typeof std === "number") checkStd(std);
  const like = mean instanceof Tensor ? mean : (std as Tensor);
  const shape =
    mean instanceof Tensor && std instanceof Tensor
      ? broadcastShapes("normal", mean.shape, std.shape)
      : [...like.shape];
  const dt = like.dtype;
  if (!isFloating(dt)) notImplemented("normal", "normal_kernel_cpu", dt);
  const out = noGrad(() => {
    const t = fromStorageArray(allocArray(dt, numel(shape)), shape, dt, { device: like.device });
    if (mean instanceof Tensor && typeof std === "number") {
      normal_(t, 0, std, { generator: g });
      return t.add(mean).to(dt);
    }
    normal_(t, 0, 1, { generator: g });
    // PyTorch: output.mul_(std).add_(mean), a number mean first cast to the output dtype
    const m = mean instanceof Tensor ? mean : fromStorageArray(Float64Array.of(mean), [], "float64").to(dt);
    return t
      .mul(std as Tensor)
      .to(dt)
      .add(m)
      .to(dt);
  });
  const r = fromStorageArray(out.dataSync(), shape, dt, { device: like.device });
  return withZeroGrad(
    r,
    mean instanceof Tensor && std instanceof Tensor
      ? "NormalBackward3"
      : mean instanceof Tensor
        ? "NormalBackward1"
        : "NormalBackward2",
    inputs,
  );
}

/**
 * Bernoulli samples (`torch.bernoulli`): `bernoulli(p)` draws 1 with probability p[i] for each
 * element; `bernoulli(x, p)` uses one probability for a tensor shaped and typed like x.
 */
export function bernoulli(input: Tensor, p?: number | GeneratorOptions, opts: GeneratorOptions = {}): Tensor {
  if (typeof p === "number") {
    const out = fromStorageArray(allocArray(input.dtype, input.numel()), [...input.shape], input.dtype, {
      device: input.device,
    });
    noGrad(() => bernoulli_(out, p, opts));
    return withZeroGrad(out, "BernoulliBackward1", [input]);
  }
  if (p) opts = p;
  if (!(input.dtype === "float32" || input.dtype === "float64" || input.dtype === "bfloat16"))
    notImplemented(
      "bernoulli",
      isFloating(input.dtype) ? "bernoulli_tensor_cpu_self_" : "bernoulli_tensor_cpu_p_",
      input.dtype,
    );
  const out = fromStorageArray(allocArray(input.dtype, input.numel()), [...input.shape], input.dtype, {
    device: input.device,
  });
  noGrad(() => bernoulli_(out, input, opts));
  return withZeroGrad(out, "BernoulliBackward0", [input]);
}

/**
 * Sample category indices from the rows of `probs` (`torch.multinomial`): 1-D probs give
 * [numSamples], 2-D give [rows, numSamples]. Rows need not sum to one. Without replacement
 * (default) each category is drawn at most once.
 */
export function multinomial(
  probs: Tensor,
  numSamples: number,
  replacement = false,
  opts: GeneratorOptions = {},
): Tensor {
  if (probs.ndim < 1 || probs.ndim > 2)
    throw new RangeError(`multinomial(): prob_dist must be 1 or 2 dim (got shape ${fmtShape(probs.shape)})`);
  if (!isFloating(probs.dtype))
    throw new TypeError(
      `multinomial(): multinomial only supports floating-point dtypes for input, got: ${dtypeCName(probs.dtype)}`,
    );
  if (!Number.isInteger(numSamples) || numSamples <= 0)
    throw new RangeError(`multinomial(): cannot sample n_sample <= 0 samples (got ${numSamples})`);
  const cats = probs.shape[probs.ndim - 1]!;
  if (!replacement && numSamples > cats)
    throw new RangeError(
      `multinomial(): cannot sample n_sample > prob_dist.size(-1) samples without replacement (n_sample ${numSamples}, ${cats} categories)`,
    );
  if (cats > 2 ** 24) throw new RangeError("multinomial(): number of categories cannot exceed 2^24");
  if (probs.dtype === "float16") throw new TypeError("multinomial(): multinomial is not implemented for half on CPU");
  const g = gen(opts);
  const rows = probs.ndim === 2 ? probs.shape[0]! : 1;
  const outShape = probs.ndim === 2 ? [rows, numSamples] : [numSamples];
  const out = new Float64Array(rows * numSamples);
  if (rows * numSamples === 0) return fromStorageArray(out, outShape, "int64", { device: probs.device });
  const p = probs.dataSync();
  const dt = probs.dtype;
  const r = rounder(dt);
  if (!replacement) {
    for (let i = 0; i < p.length; i++)
      if (!(p[i]! >= 0 && p[i]! < Infinity))
        throw new RangeError("multinomial(): probability tensor contains either `inf`, `nan` or element < 0");
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let j = 0; j < cats; j++) s += p[i * cats + j]!;
      if (s === 0) throw new RangeError("multinomial(): invalid multinomial distribution (sum of probabilities <= 0)");
    }
    // Gumbel-max trick as PyTorch: q ~ Exp(1) in probs' dtype, the largest p / q win
    // q is drawn in the memory order of probs (PyTorch fills an empty_like(probs))
    const q = new Float64Array(p.length);
    const order = visitOrder(probs.shape, probs.strides);
    for (let k = 0; k < q.length; k++) q[order ? order[k]! : k] = r(-Math.log(1 - g.uniformDouble()));
    for (let i = 0; i < q.length; i++) q[i] = r(p[i]! / q[i]!);
    for (let i = 0; i < rows; i++) {
      const row = Array.from({ length: cats }, (_, j) => j);
      const v = (j: number) => q[i * cats + j]!;
      // descending, NaN first as in topk/argmax; ties keep the lower index
      row.sort((x, y) => {
        const a = v(x);
        const b = v(y);
        if (Number.isNaN(a) || Number.isNaN(b))
          return Number.isNaN(a) === Number.isNaN(b) ? x - y : Number.isNaN(a) ? -1 : 1;
        return b - a || x - y;
      });
      for (let k = 0; k < numSamples; k++) out[i * numSamples + k] = row[k]!;
    }
    return fromStorageArray(out, outShape, "int64", { device: probs.device });
  }
  // with replacement: inverse CDF (cumulative sums in probs' dtype) and binary search
  const cum = new Float64Array(cats);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cats; j++) {
      const val = p[i * cats + j]!;
      if (!(val >= 0))
        throw new RangeError("multinomial(): invalid multinomial distribution (encountering probability entry < 0)");
      if (!Number.isFinite(val))
        throw new RangeError(
          "multinomial(): invalid multinomial distribution (encountering probability entry = infinity or NaN)",
        );
      s = r(s + val);
      cum[j] = s;
    }
    if (!(s > 0)) throw new RangeError("multinomial(): invalid multinomial distribution (sum of probabilities <= 0)");
    for (let j = 0; j < cats; j++) cum[j] = r(cum[j]! / s);
    cum[cats - 1] = 1;
    for (let k = 0; k < numSamples; k++) {
      const u = g.uniformDouble();
      let left = 0;
      let right = cats;
      while (right - left > 0) {
        const mid = left + ((right - left) >> 1);
        if (cum[mid]! < u) left = mid + 1;
        else right = mid;
      }
      out[i * numSamples + k] = left;
    }
  }
  return fromStorageArray(out, outShape, "int64", { device: probs.device });
}

/** Uniform [0, 1) samples shaped (and by default typed and placed) like `t`. */
export function randLike(t: Tensor, opts: RandomOptions = {}): Tensor {
  const dt = floatOnly("randLike", "check_uniform_bounds", opts.dtype ? toDType(opts.dtype) : t.dtype);
  const o = { ...opts, device: opts.device ?? t.device };
  return make([...t.shape], dt, o, (x) => uniform_(x, 0, 1, opts), likeStrides(t));
}
/** Standard normal samples shaped like `t`. */
export function randnLike(t: Tensor, opts: RandomOptions = {}): Tensor {
  const dt = floatOnly("randnLike", "normal_kernel_cpu", opts.dtype ? toDType(opts.dtype) : t.dtype);
  const o = { ...opts, device: opts.device ?? t.device };
  return make([...t.shape], dt, o, (x) => normal_(x, 0, 1, opts), likeStrides(t));
}
/** Random integers from [low, high) shaped like `t`: `randintLike(t, 10)` or `randintLike(t, -5, 5)`. */
export function randintLike(t: Tensor, high: number, opts?: RandomOptions): Tensor;
export function randintLike(t: Tensor, low: number, high: number, opts?: RandomOptions): Tensor;
export function randintLike(t: Tensor, a: number, b?: number | RandomOptions, c?: RandomOptions): Tensor {
  const [low, high, opts] = typeof b === "number" ? [a, b, c ?? {}] : [0, a, b ?? {}];
  const dt = opts.dtype ? toDType(opts.dtype) : t.dtype;
  const o = { ...opts, device: opts.device ?? t.device };
  return make([...t.shape], dt, o, (x) => random_(x, low, high, opts), likeStrides(t));
}

// ---------------------------------------------------------------------------------------------
// Tensor methods

declare module "../tensor.js" {
  interface Tensor {
    /** Fill with uniform samples from [from, to) in place. */
    uniform_(from?: number, to?: number, opts?: GeneratorOptions): Tensor;
    /** Fill with normal samples in place. */
    normal_(mean?: number, std?: number, opts?: GeneratorOptions): Tensor;
    /** Fill with Bernoulli(p) samples in place. */
    bernoulli_(p?: number | Tensor, opts?: GeneratorOptions): Tensor;
    /** Fill with Exponential(lambd) samples in place. */
    exponential_(lambd?: number, opts?: GeneratorOptions): Tensor;
    /** Fill with random integers in place: `random_()`, `random_(to)`, `random_(from, to)`. */
    random_(from?: number | GeneratorOptions, to?: number | GeneratorOptions, opts?: GeneratorOptions): Tensor;
    /** Fill with Cauchy(median, sigma) samples in place. */
    cauchy_(median?: number, sigma?: number, opts?: GeneratorOptions): Tensor;
    /** Fill with log-normal samples in place. */
    logNormal_(mean?: number, std?: number, opts?: GeneratorOptions): Tensor;
    /** Fill with Geometric(p) samples in place. */
    geometric_(p: number, opts?: GeneratorOptions): Tensor;
    /** Bernoulli samples with this tensor as probabilities (or a fixed p, shaped like this tensor). */
    bernoulli(p?: number | GeneratorOptions, opts?: GeneratorOptions): Tensor;
    /** Sample indices from this tensor's rows of probabilities. */
    multinomial(numSamples: number, replacement?: boolean, opts?: GeneratorOptions): Tensor;
  }
}

const methods: Record<string, (self: Tensor, ...args: never[]) => Tensor> = {
  uniform_,
  normal_,
  bernoulli_,
  exponential_,
  random_,
  cauchy_,
  logNormal_,
  geometric_,
  bernoulli,
  multinomial,
};
const proto = Tensor.prototype as unknown as Record<string, unknown>;
for (const [name, fn] of Object.entries(methods)) {
  const f = fn as (self: Tensor, ...args: unknown[]) => Tensor;
  proto[name] = function (this: Tensor, ...args: unknown[]) {
    return f(this, ...args);
  };
}

/** @internal exposed for tests: the exact fused multiply-adds */
export const _fma = { fmaf, fma };
