// torch.nn.init: fill parameters in place, without recording gradients, with the distributions
// PyTorch's initializers use. The samplers come from ops/random.ts, whose generator follows PyTorch's
// CPU generator, so the same seed gives PyTorch's values. Each function takes an optional trailing
// `{ generator }` (default: the global generator).
//
// orthogonal_ needs a QR factorisation: a small Householder QR runs on the host (in float64).

import type { Tensor } from "../tensor.js";
import { noGrad } from "../autograd/gradmode.js";
import { fmtShape } from "../shape.js";
import { empty, eye, tensor } from "../ops/creation.js";
import { normal_ as sampleNormal_, randperm, uniform_ as sampleUniform_, type Generator } from "../ops/random.js";

/** Options of the random initializers. */
export interface InitOptions {
  /** Draw from this generator instead of the global one. */
  generator?: Generator;
}

/** Nonlinearities known to calculateGain (PyTorch's names; camelCase spellings are accepted too). */
export type Nonlinearity =
  | "linear"
  | "conv1d"
  | "conv2d"
  | "conv3d"
  | "conv_transpose1d"
  | "conv_transpose2d"
  | "conv_transpose3d"
  | "sigmoid"
  | "tanh"
  | "relu"
  | "leaky_relu"
  | "selu";

const LINEAR_FNS = new Set([
  "linear",
  "conv1d",
  "conv2d",
  "conv3d",
  "conv_transpose1d",
  "conv_transpose2d",
  "conv_transpose3d",
]);

/** `leakyRelu` -> `leaky_relu`. */
function snake(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * The recommended gain for a nonlinearity (`nn.init.calculate_gain`): 1 for linear/conv/sigmoid,
 * 5/3 for tanh, sqrt(2) for relu, sqrt(2 / (1 + slope^2)) for leaky_relu (slope `param`, default
 * 0.01), 3/4 for selu.
 */
export function calculateGain(nonlinearity: Nonlinearity | string, param?: number | null): number {
  const nl = snake(nonlinearity);
  if (LINEAR_FNS.has(nl) || nl === "sigmoid") return 1;
  if (nl === "tanh") return 5 / 3;
  if (nl === "relu") return Math.sqrt(2);
  if (nl === "leaky_relu") {
    if (param !== undefined && param !== null && typeof param !== "number")
      throw new TypeError(`calculateGain(): negative_slope ${String(param)} not a valid number`);
    const slope = param ?? 0.01;
    return Math.sqrt(2 / (1 + slope ** 2));
  }
  if (nl === "selu") return 3 / 4;
  throw new RangeError(`calculateGain(): Unsupported nonlinearity ${nonlinearity}`);
}

/**
 * [fanIn, fanOut] of a weight: size(1) and size(0) times the receptive field (the product of the
 * remaining dims) (PyTorch's `_calculate_fan_in_and_fan_out`).
 */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.ndim < 2)
    throw new RangeError(
      `Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (got shape ${fmtShape(t.shape)})`,
    );
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1]! * receptive, t.shape[0]! * receptive];
}

function correctFan(t: Tensor, mode: string): number {
  const m = snake(mode);
  if (m !== "fan_in" && m !== "fan_out")
    throw new RangeError(`Mode ${mode} not supported, please use one of fan_in, fan_out`);
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  return m === "fan_in" ? fanIn : fanOut;
}

/** Fill with samples of U(a, b) (`nn.init.uniform_`). */
export function uniform_(t: Tensor, a = 0, b = 1, opts: InitOptions = {}): Tensor {
  return noGrad(() => sampleUniform_(t, a, b, opts));
}

/** Fill with samples of N(mean, std^2) (`nn.init.normal_`). */
export function normal_(t: Tensor, mean = 0, std = 1, opts: InitOptions = {}): Tensor {
  return noGrad(() => sampleNormal_(t, mean, std, opts));
}

/** The standard normal CDF. */
function normCdf(x: number): number {
  return (1 + erf(x / Math.SQRT2)) / 2;
}
/** erf of a JS number, through torch.erf's kernel on a 0-dim float64 tensor. */
function erf(x: number): number {
  return tensor(x, { dtype: "float64" }).erf().item();
}

/**
 * Fill with samples of N(mean, std^2) truncated to [a, b], by the inverse-CDF method PyTorch uses:
 * U(2 cdf(a) - 1, 2 cdf(b) - 1), erfinv, scale, shift, clamp (`nn.init.trunc_normal_`).
 */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2, opts: InitOptions = {}): Tensor {
  const l = normCdf((a - mean) / std);
  const u = normCdf((b - mean) / std);
  return noGrad(() => {
    sampleUniform_(t, 2 * l - 1, 2 * u - 1, opts);
    t.erfinv_();
    t.mul_(std * Math.SQRT2);
    t.add_(mean);
    t.clamp_(a, b);
    return t;
  });
}

/** Fill with a constant (`nn.init.constant_`). */
export function constant_(t: Tensor, val: number): Tensor {
  return noGrad(() => t.fill_(val));
}

/** Fill with ones (`nn.init.ones_`). */
export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/** Fill with zeros (`nn.init.zeros_`). */
export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

/** Fill a 2-D tensor with the identity matrix (`nn.init.eye_`). */
export function eye_(t: Tensor): Tensor {
  if (t.ndim !== 2)
    throw new RangeError(`eye_(): Only tensors with 2 dimensions are supported (got ${fmtShape(t.shape)})`);
  return noGrad(() => t.copy_(eye(t.shape[0]!, t.shape[1]!, { dtype: t.dtype, device: t.device })));
}

/**
 * Fill a 3-, 4- or 5-D convolution weight with the Dirac delta, so the convolution preserves as many
 * input channels as possible, per group (`nn.init.dirac_`).
 */
export function dirac_(t: Tensor, groups = 1): Tensor {
  const nd = t.ndim;
  if (nd < 3 || nd > 5) throw new RangeError("dirac_(): Only tensors with 3, 4, or 5 dimensions are supported");
  if (t.shape[0]! % groups !== 0) throw new RangeError("dirac_(): dim 0 must be divisible by groups");
  const outPerGroup = t.shape[0]! / groups;
  const minDim = Math.min(outPerGroup, t.shape[1]!);
  const centre = t.shape.slice(2).map((s) => Math.floor(s / 2));
  return noGrad(() => {
    t.zero_();
    for (let g = 0; g < groups; g++)
      for (let d = 0; d < minDim; d++) t.indexPut_([g * outPerGroup + d, d, ...centre], 1);
    return t;
  });
}

/** Fill with U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)) (`nn.init.xavier_uniform_`). */
export function xavierUniform_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const std = gain * Math.sqrt(2 / (fanIn + fanOut));
  const a = Math.sqrt(3) * std;
  return uniform_(t, -a, a, opts);
}

/** Fill with N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out)) (`nn.init.xavier_normal_`). */
export function xavierNormal_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const std = gain * Math.sqrt(2 / (fanIn + fanOut));
  return normal_(t, 0, std, opts);
}

/**
 * Fill with U(-bound, bound), bound = gain * sqrt(3 / fan), gain from `nonlinearity` with slope `a`
 * (`nn.init.kaiming_uniform_`). A tensor with a zero-size dim is left as is.
 */
export function kaimingUniform_(
  t: Tensor,
  a = 0,
  mode: "fan_in" | "fan_out" | "fanIn" | "fanOut" = "fan_in",
  nonlinearity: Nonlinearity | string = "leaky_relu",
  opts: InitOptions = {},
): Tensor {
  if (t.shape.includes(0)) return t;
  const bound = Math.sqrt(3) * kaimingStd(t, a, mode, nonlinearity);
  return uniform_(t, -bound, bound, opts);
}

/** Fill with N(0, std^2), std = gain / sqrt(fan) (`nn.init.kaiming_normal_`). */
export function kaimingNormal_(
  t: Tensor,
  a = 0,
  mode: "fan_in" | "fan_out" | "fanIn" | "fanOut" = "fan_in",
  nonlinearity: Nonlinearity | string = "leaky_relu",
  opts: InitOptions = {},
): Tensor {
  if (t.shape.includes(0)) return t;
  return normal_(t, 0, kaimingStd(t, a, mode, nonlinearity), opts);
}

/** He et al.'s std: gain / sqrt(fan) for the chosen fan and nonlinearity. */
function kaimingStd(t: Tensor, a: number, mode: string, nonlinearity: Nonlinearity | string): number {
  return calculateGain(nonlinearity, a) / Math.sqrt(correctFan(t, mode));
}

/**
 * Reduced QR of a row-major m x n matrix (m >= n) by Householder reflections, in float64: returns Q
 * (m x n, row-major) and the diagonal of R.
 */
export function householderQR(a: Float64Array, m: number, n: number): { q: Float64Array; rDiag: Float64Array } {
  const r = Float64Array.from(a);
  const vs: Float64Array[] = [];
  const rDiag = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    // reflect column k below the diagonal onto alpha e_k
    let norm = 0;
    for (let i = k; i < m; i++) norm += r[i * n + k]! ** 2;
    norm = Math.sqrt(norm);
    const x0 = r[k * n + k]!;
    const alpha = x0 > 0 ? -norm : norm;
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = r[i * n + k]!;
    v[0] = x0 - alpha;
    let vn = 0;
    for (let i = 0; i < v.length; i++) vn += v[i]! ** 2;
    vn = Math.sqrt(vn);
    if (vn > 0) for (let i = 0; i < v.length; i++) v[i] = v[i]! / vn;
    vs.push(v);
    // R[k:, k:] -= 2 v (v^T R[k:, k:])
    for (let j = k; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i - k]! * r[i * n + j]!;
      for (let i = k; i < m; i++) r[i * n + j] = r[i * n + j]! - 2 * v[i - k]! * dot;
    }
    rDiag[k] = r[k * n + k]!;
  }
  // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k]!;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i - k]! * q[i * n + j]!;
      for (let i = k; i < m; i++) q[i * n + j] = q[i * n + j]! - 2 * v[i - k]! * dot;
    }
  }
  return { q, rDiag };
}

/**
 * Fill with a (semi-)orthogonal matrix (trailing dims flattened), scaled by gain: the Q of the QR of
 * a standard normal sample, with signs fixed so R has a positive diagonal (`nn.init.orthogonal_`).
 */
export function orthogonal_(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  if (t.ndim < 2) throw new RangeError("orthogonal_(): Only tensors with 2 or more dimensions are supported");
  if (t.numel() === 0) return t;
  const rows = t.shape[0]!;
  const cols = t.numel() / rows;
  return noGrad(() => {
    const flat = sampleNormal_(empty([rows, cols], { dtype: t.dtype, device: t.device }), 0, 1, opts);
    const data = Float64Array.from(flat.dataSync());
    const tall = rows >= cols;
    const [m, n] = tall ? [rows, cols] : [cols, rows];
    // QR of the (m x n) matrix: the sample, or its transpose when it is wide
    const a = tall ? data : transposeHost(data, rows, cols);
    const { q, rDiag } = householderQR(a, m, n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) q[i * n + j] = q[i * n + j]! * Math.sign(rDiag[j]!);
    const out = tall ? q : transposeHost(q, m, n);
    const qt = tensor(out, { dtype: "float64", device: t.device }).reshape([...t.shape]);
    t.copy_(qt);
    t.mul_(gain);
    return t;
  });
}

function transposeHost(a: Float64Array, m: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = a[i * n + j]!;
  return out;
}

/**
 * Fill a 2-D tensor with N(0, std^2) samples, then zero ceil(sparsity * rows) random entries of each
 * column (`nn.init.sparse_`).
 */
export function sparse_(t: Tensor, sparsity: number, std = 0.01, opts: InitOptions = {}): Tensor {
  if (t.ndim !== 2) throw new RangeError("sparse_(): Only tensors with 2 dimensions are supported");
  const [rows, cols] = t.shape as [number, number];
  const numZeros = Math.ceil(sparsity * rows);
  return noGrad(() => {
    sampleNormal_(t, 0, std, opts);
    for (let c = 0; c < cols; c++) {
      const perm = randperm(rows, { generator: opts.generator });
      const zeroRows = perm.narrow(0, 0, numZeros);
      t.indexPut_([zeroRows, c], 0);
    }
    return t;
  });
}
