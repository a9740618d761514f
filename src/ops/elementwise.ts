// Elementwise primitives: each is one table entry holding its expression (rendered by every
// backend), its dtype rule and its gradient. Broadcasting and dtype promotion of gradients are undone
// once, in prim.ts, so no rule here repeats them.

import type { Kernels, View } from "../backend.js";
import { castValue, getDefaultDtype, isFloating, resultType, toDType, toFloat, type DType } from "../dtype.js";
import { broadcastShapes, broadcastStrides } from "../shape.js";
import { Tensor } from "../tensor.js";
import { apply, gradHelpers, type GradRule, type Prim } from "./prim.js";
import { scalarTensor, wrappedValue } from "./scalar.js";
import { checkValues } from "./device_check.js";
import { zerosLike } from "./creation.js";

/** A tensor or a JS number/boolean used as a scalar operand (a "Python scalar" in PyTorch). */
export type Scalar = number | boolean;
export type TensorOrScalar = Tensor | Scalar;

const LN2 = Math.LN2;
const LN10 = Math.LN10;

const DT_NAMES: Record<DType, string> = {
  float32: "Float",
  float64: "Double",
  float16: "Half",
  bfloat16: "BFloat16",
  int8: "Char",
  uint8: "Byte",
  int16: "Short",
  int32: "Int",
  int64: "Long",
  bool: "Bool",
};
/** PyTorch's C++ name of a dtype, used in "not implemented for 'Long'" errors. */
export function dtypeCName(d: DType): string {
  return DT_NAMES[d];
}

/** How an elementwise op picks its output dtype. */
type DtypeRule =
  | "same" // keep the (promoted) input dtype
  | "float" // integers and bool compute in the default float dtype
  | "floatOnly" // only floating inputs are accepted
  | "noBool" // any dtype but bool
  | "bool" // the result is bool (comparisons, predicates)
  | "integral"; // integer or bool inputs only (bitwise ops)

function outDtype(name: string, rule: DtypeRule, inDtype: DType): DType {
  switch (rule) {
    case "same":
      return inDtype;
    case "float":
      return isFloating(inDtype) ? inDtype : getDefaultDtype();
    case "floatOnly":
      if (!isFloating(inDtype)) throw new TypeError(`"${name}" not implemented for '${dtypeCName(inDtype)}'`);
      return inDtype;
    case "noBool":
      if (inDtype === "bool") throw new TypeError(`"${name}" not implemented for 'Bool'`);
      return inDtype;
    case "bool":
      return "bool";
    case "integral":
      if (isFloating(inDtype))
        throw new TypeError(`"${name}" not implemented for '${dtypeCName(inDtype)}'; it needs integer or bool tensors`);
      return inDtype;
  }
}

/** The expression an op evaluates, possibly depending on the dtype it computes in. */
type ExprFor = string | ((dtype: DType) => string);

/**
 * An op's expression in its two renderings: `js` for the CPU kernels and `wgsl` for the webgpu ones
 * (same variables a, b, c, p0..p2; WGSL helpers such as erf_f live in backends/webgpu/wgsl.ts).
 */
interface Exprs {
  js: ExprFor;
  wgsl: ExprFor;
  /** Optional float32 form on bit patterns (see Expr.bits). */
  bits?: string;
}
/** Pair an op's JS and WGSL expressions (and optionally a float32 bit-pattern form). */
const E = (js: ExprFor, wgsl: ExprFor, bits?: string): Exprs => ({ js, wgsl, bits });

// Masks on float32 bit patterns held as int32 (-1 where the condition holds, else 0). The magnitude
// bits m = v & 0x7fffffff exceed infinity's (0x7f800000) exactly for NaNs; `| 0` wraps the sums.
/** -1 where float32 bits `v` are a NaN. */
const nanMask = (v: string): string => `((((${v} & 0x7fffffff) + 0x7fffff) | 0) >> 31)`;
/** -1 where float32 bits `v` are +-0 or a NaN. */
const zeroOrNanMask = (v: string): string => `((((${v} & 0x7fffffff) - 1) | ((${v} & 0x7fffffff) + 0x7fffff)) >> 31)`;
/** -1 where float32 bits `v` are <= 0 as a float or a NaN: sign bit set, or all bits zero. */
const notPositiveMask = (v: string): string => `((${v} >> 31) | (((${v} - 1) | 0) >> 31))`;
const render = (e: ExprFor, d: DType): string => (typeof e === "string" ? e : e(d));

/** Broadcast views of the inputs to the output shape and run the map kernel. */
function runMap(
  k: Kernels,
  js: string,
  inputs: readonly View[],
  out: View,
  scalars: readonly number[],
  compute?: DType,
  wgsl?: { name: string; wgsl: string; compute: DType },
  bits?: string,
): void {
  // an input already of the output's shape is its own broadcast view
  const views = inputs.map((v) =>
    sameShape(v.shape, out.shape)
      ? v
      : { ...v, strides: broadcastStrides(v.shape, v.strides, out.shape), shape: out.shape },
  );
  const reads = compute ? inputs.map((v) => readCast(v.dtype, compute)) : undefined;
  k.map({ js, reads, ...wgsl, bits }, views, out, scalars); // the kernel takes bits only for float32 arrays
}

/**
 * How a value of dtype `from` is converted when an op computes in `compute`: PyTorch casts every
 * input to the computation dtype first (a float32 op with 0.1 uses 0.1 rounded to float32).
 */
function readCast(from: DType, compute: DType): string | null {
  if (from === compute) return null;
  if (compute === "float32") return from === "float64" || from === "int32" || from === "int64" ? "Math.fround" : null;
  if (compute === "float16") return "H.f16";
  if (compute === "bfloat16") return "H.bf16";
  return null;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The dtype an elementwise op computes in (`torch.result_type` of its inputs). */
function computeDtype(inputs: readonly Tensor[]): DType {
  // the common case, inputs of one dtype and no wrapped number: that dtype
  const d = inputs[0]!.dtype;
  let same = true;
  for (const t of inputs) if (t.dtype !== d || t._wrapped) same = false;
  if (same) return d;
  return resultType(inputs.map((t) => ({ dtype: t.dtype, ndim: t.ndim, wrapped: t._wrapped })));
}

/** Parameters of an elementwise primitive: scalar arguments of its expression. */
export type MapParams = readonly number[];

interface MapOptions {
  dtype?: DtypeRule;
  saves?: { inputs?: number[]; output?: boolean };
}

/** Declare an elementwise primitive over 1 to 3 inputs. */
function mapPrim(name: string, expr: Exprs, grad: GradRule<MapParams> | null, opts: MapOptions = {}): Prim<MapParams> {
  const rule = opts.dtype ?? "same";
  return {
    name,
    grad,
    saves: opts.saves,
    overwrites: true,
    infer(inputs) {
      const shape =
        inputs.length === 2 && sameShape(inputs[0]!.shape, inputs[1]!.shape)
          ? [...inputs[0]!.shape]
          : broadcastShapes(name, ...inputs.map((t) => t.shape));
      return { shape, dtype: outDtype(name, rule, computeDtype(inputs)) };
    },
    run(k, inputs, out, params) {
      const common = computeDtype(inputs as Tensor[]);
      const compute = rule === "float" ? toFloat(common) : common;
      const wgsl = { name, wgsl: render(expr.wgsl, compute), compute };
      runMap(k, render(expr.js, common), inputs, out, params, compute, wgsl, expr.bits);
    },
  };
}

const NONE: MapParams = [];

// ---- unary primitives -------------------------------------------------------------------------

const saveX = { saves: { inputs: [0] } };
const saveOut = { saves: { output: true } };
const fx = { dtype: "float" as const, ...saveX };
const fo = { dtype: "float" as const, ...saveOut };
const zeroGrad: GradRule<MapParams> = (g) => [zerosLikeGrad(g)];

type UnaryName =
  | "abs"
  | "neg"
  | "sign"
  | "exp"
  | "exp2"
  | "expm1"
  | "log"
  | "log2"
  | "log10"
  | "log1p"
  | "sqrt"
  | "rsqrt"
  | "square"
  | "sin"
  | "cos"
  | "tan"
  | "asin"
  | "acos"
  | "atan"
  | "sinh"
  | "cosh"
  | "tanh"
  | "asinh"
  | "acosh"
  | "atanh"
  | "sigmoid"
  | "logit"
  | "erf"
  | "erfc"
  | "erfinv"
  | "floor"
  | "ceil"
  | "round"
  | "trunc"
  | "frac"
  | "reciprocal"
  | "relu"
  | "gelu"
  | "silu"
  | "mish"
  | "softplus"
  | "hardtanh"
  | "leaky_relu"
  | "elu"
  | "nan_to_num"
  | "isnan"
  | "isinf"
  | "isfinite"
  | "logical_not"
  | "bitwise_not"
  | "clamp";
type BinaryName =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "div_trunc"
  | "div_floor"
  | "pow"
  | "remainder"
  | "fmod"
  | "atan2"
  | "maximum"
  | "minimum"
  | "fmax"
  | "fmin"
  | "hypot"
  | "eq"
  | "ne"
  | "lt"
  | "le"
  | "gt"
  | "ge"
  | "logical_and"
  | "logical_or"
  | "logical_xor"
  | "bitwise_and"
  | "bitwise_or"
  | "bitwise_xor";

/**
 * ReLU's gradient, g where the output is > 0 (or NaN) and 0 elsewhere: PyTorch's threshold_backward.
 * Not in the table: a primitive of its own only so that it is one pass (one native loop, no bool
 * mask) where `where(le(out, 0), 0, g)` took two. Its own gradient: the same mask on gg; none for out.
 */
const reluGradPrim: Prim<MapParams> = mapPrim(
  "threshold_backward",
  E(
    "b <= 0 ? 0 : a",
    (d) => (isFloating(d) ? "select(a, 0.0, b <= 0.0 && !isnan_f(b))" : "select(a, 0, b <= 0)"),
    `a & ~(${notPositiveMask("b")} & ~${nanMask("b")})`,
  ),
  (gg, { inputs: [, out] }) => [apply(reluGradPrim, [gg, out!], NONE), null],
  { dtype: "noBool", saves: { inputs: [1] } },
);

/** Elementwise unary primitives (the table). */
export const unaryPrims: Record<UnaryName, Prim<MapParams>> = {
  abs: mapPrim("abs", E("Math.abs(a)", "abs(a)"), (g, { inputs: [x] }) => [mul(g, sign(x!))], {
    dtype: "noBool",
    ...saveX,
  }),
  neg: mapPrim("neg", E("-a", "-a"), (g) => [neg(g)], { dtype: "noBool" }),
  sign: mapPrim(
    "sign",
    E("H.sign(a)", (d) => (isFloating(d) ? "sign_f(a)" : "sign_i(a)")),
    zeroGrad,
  ),
  exp: mapPrim("exp", E("Math.exp(a)", "exp_f(a)"), (g, { out }) => [mul(g, out)], fo),
  exp2: mapPrim("exp2", E("Math.pow(2, a)", "exp2_f(a)"), (g, { out }) => [mul(g, mul(out, LN2))], fo),
  expm1: mapPrim("expm1", E("Math.expm1(a)", "expm1_f(a)"), (g, { out }) => [mul(g, add(out, 1))], fo),
  log: mapPrim("log", E("Math.log(a)", "log_f(a)"), (g, { inputs: [x] }) => [div(g, x!)], fx),
  log2: mapPrim("log2", E("Math.log2(a)", "log2_f(a)"), (g, { inputs: [x] }) => [div(g, mul(x!, LN2))], fx),
  log10: mapPrim(
    "log10",
    E("Math.log10(a)", "log_f(a) * 0.4342944819032518"),
    (g, { inputs: [x] }) => [div(g, mul(x!, LN10))],
    fx,
  ),
  log1p: mapPrim("log1p", E("Math.log1p(a)", "log1p_f(a)"), (g, { inputs: [x] }) => [div(g, add(x!, 1))], fx),
  sqrt: mapPrim("sqrt", E("Math.sqrt(a)", "sqrt_f(a)"), (g, { out }) => [div(g, mul(out, 2))], fo),
  rsqrt: mapPrim(
    "rsqrt",
    E("1 / Math.sqrt(a)", "1.0 / sqrt_f(a)"),
    (g, { out }) => [mul(g, mul(pow(out, 3), -0.5))],
    fo,
  ),
  square: mapPrim("square", E("a * a", "a * a"), (g, { inputs: [x] }) => [mul(g, mul(x!, 2))], {
    dtype: "noBool",
    ...saveX,
  }),
  sin: mapPrim("sin", E("Math.sin(a)", "sin_f(a)"), (g, { inputs: [x] }) => [mul(g, cos(x!))], fx),
  cos: mapPrim("cos", E("Math.cos(a)", "cos_f(a)"), (g, { inputs: [x] }) => [mul(g, neg(sin(x!)))], fx),
  tan: mapPrim("tan", E("Math.tan(a)", "tan_f(a)"), (g, { out }) => [mul(g, add(square(out), 1))], fo),
  asin: mapPrim(
    "asin",
    E("Math.asin(a)", "asin_f(a)"),
    (g, { inputs: [x] }) => [mul(g, rsqrt(rsub(square(x!), 1)))],
    fx,
  ),
  acos: mapPrim(
    "acos",
    E("Math.acos(a)", "acos_f(a)"),
    (g, { inputs: [x] }) => [mul(g, neg(rsqrt(rsub(square(x!), 1))))],
    fx,
  ),
  atan: mapPrim("atan", E("Math.atan(a)", "atan_f(a)"), (g, { inputs: [x] }) => [div(g, add(square(x!), 1))], fx),
  sinh: mapPrim("sinh", E("Math.sinh(a)", "sinh_f(a)"), (g, { inputs: [x] }) => [mul(g, cosh(x!))], fx),
  cosh: mapPrim("cosh", E("Math.cosh(a)", "cosh_f(a)"), (g, { inputs: [x] }) => [mul(g, sinh(x!))], fx),
  tanh: mapPrim("tanh", E("Math.tanh(a)", "tanh_f(a)"), (g, { out }) => [mul(g, rsub(square(out), 1))], fo),
  asinh: mapPrim(
    "asinh",
    E("Math.asinh(a)", "asinh_f(a)"),
    (g, { inputs: [x] }) => [mul(g, rsqrt(add(square(x!), 1)))],
    fx,
  ),
  acosh: mapPrim(
    "acosh",
    E("Math.acosh(a)", "acosh_f(a)"),
    (g, { inputs: [x] }) => [mul(g, rsqrt(sub(square(x!), 1)))],
    fx,
  ),
  atanh: mapPrim("atanh", E("Math.atanh(a)", "atanh_f(a)"), (g, { inputs: [x] }) => [div(g, rsub(square(x!), 1))], fx),
  sigmoid: mapPrim(
    "sigmoid",
    E("1 / (1 + Math.exp(-a))", "sigmoid_f(a)"),
    (g, { out }) => [mul(g, mul(out, rsub(out, 1)))],
    fo,
  ),
  // p0: eps (NaN when not given); outside [eps, 1 - eps] the gradient is 0
  logit: mapPrim(
    "logit",
    E(
      "(p0 === p0 ? Math.log(Math.min(Math.max(a, p0), 1 - p0) / (1 - Math.min(Math.max(a, p0), 1 - p0))) : Math.log(a / (1 - a)))",
      "logit_f(a, p0)",
    ),
    (g, { inputs: [x], params: [eps] }) => {
      const d = div(g, mul(x!, rsub(x!, 1)));
      // outside [0, 1] the gradient is NaN; with eps, 0 outside [eps, 1 - eps] (and for NaN)
      if (eps === undefined || Number.isNaN(eps)) return [where(logicalOr(lt(x!, 0), gt(x!, 1)), NaN, d)];
      return [where(logicalAnd(ge(x!, eps), le(x!, 1 - eps)), d, 0)];
    },
    fx,
  ),
  erf: mapPrim(
    "erf",
    E("H.erf(a)", "erf_f(a)"),
    (g, { inputs: [x] }) => [mul(g, mul(exp(neg(square(x!))), 2 / Math.sqrt(Math.PI)))],
    fx,
  ),
  erfc: mapPrim(
    "erfc",
    E("H.erfc(a)", "erfc_f(a)"),
    (g, { inputs: [x] }) => [mul(g, mul(exp(neg(square(x!))), -2 / Math.sqrt(Math.PI)))],
    fx,
  ),
  erfinv: mapPrim(
    "erfinv",
    E("H.erfinv(a)", "erfinv_f(a)"),
    (g, { out }) => [mul(g, mul(exp(square(out)), Math.sqrt(Math.PI) / 2))],
    fo,
  ),
  floor: mapPrim("floor", E("Math.floor(a)", "floor(a)"), zeroGrad, { dtype: "noBool" }),
  ceil: mapPrim("ceil", E("Math.ceil(a)", "ceil(a)"), zeroGrad, { dtype: "noBool" }),
  round: mapPrim("round", E("H.roundEven(a)", "round(a)"), zeroGrad, { dtype: "noBool" }),
  trunc: mapPrim("trunc", E("Math.trunc(a)", "trunc(a)"), zeroGrad, { dtype: "noBool" }),
  frac: mapPrim("frac", E("a - Math.trunc(a)", "a - trunc(a)"), (g) => [g], { dtype: "floatOnly" }),
  reciprocal: mapPrim("reciprocal", E("1 / a", "1.0 / a"), (g, { out }) => [mul(g, neg(square(out)))], fo),
  relu: mapPrim(
    "relu",
    // zero only below 0, as PyTorch: NaN and -0 pass through
    E(
      "a < 0 ? 0 : a",
      (d) => (isFloating(d) ? "select(a, 0.0, a < 0.0 && !isnan_f(a))" : "max(a, 0)"),
      `a & ~((a >> 31) & ~${zeroOrNanMask("a")})`,
    ),
    (g, { out }) => [apply(reluGradPrim, [g, out], NONE)],
    {
      dtype: "noBool",
      ...saveOut,
    },
  ),
  // p0: 0 for the exact erf form, 1 for the tanh approximation
  gelu: mapPrim(
    "gelu",
    E(
      "p0 === 0 ? 0.5 * a * (1 + H.erf(a * Math.SQRT1_2)) : 0.5 * a * (1 + Math.tanh(0.7978845608028654 * (a + 0.044715 * a * a * a)))",
      "gelu_f(a, p0)",
    ),
    (g, { inputs: [x], params: [approx] }) => [mul(g, geluDerivative(x!, approx === 1))],
    { dtype: "floatOnly", ...saveX },
  ),
  silu: mapPrim(
    "silu",
    E("a / (1 + Math.exp(-a))", "a / (1.0 + exp_f(-a))"),
    (g, { inputs: [x] }) => {
      const s = sigmoid(x!);
      return [mul(g, mul(s, add(mul(x!, rsub(s, 1)), 1)))];
    },
    { dtype: "floatOnly", ...saveX },
  ),
  mish: mapPrim(
    "mish",
    E("a * Math.tanh(a > 20 ? a : Math.log1p(Math.exp(a)))", "a * tanh_f(select(log1p_f(exp_f(a)), a, a > 20.0))"),
    (g, { inputs: [x] }) => {
      const t = tanh(softplus(x!));
      return [mul(g, add(t, mul(mul(x!, sigmoid(x!)), rsub(square(t), 1))))];
    },
    { dtype: "floatOnly", ...saveX },
  ),
  // p0: beta, p1: threshold
  softplus: mapPrim(
    "softplus",
    E("a * p0 > p1 ? a : Math.log1p(Math.exp(a * p0)) / p0", "select(log1p_f(exp_f(a * p0)) / p0, a, a * p0 > p1)"),
    (g, { inputs: [x], params: [beta, threshold] }) => {
      const z = mul(x!, beta!);
      return [where(gt(z, threshold!), g, mul(g, sigmoid(z)))];
    },
    { dtype: "floatOnly", ...saveX },
  ),
  // p0: min, p1: max
  hardtanh: mapPrim(
    "hardtanh",
    E("a <= p0 ? p0 : a >= p1 ? p1 : a", "select(select(a, p1, a >= p1), p0, a <= p0)"),
    (g, { inputs: [x], params: [lo, hi] }) => [where(logicalAnd(gt(x!, lo!), lt(x!, hi!)), g, 0)],
    { dtype: "noBool", ...saveX },
  ),
  // p0: negative slope
  leaky_relu: mapPrim(
    "leaky_relu",
    E("a > 0 ? a : a * p0", "select(a * p0, a, a > 0.0)"),
    (g, { inputs: [x], params: [slope] }) => [where(gt(x!, 0), g, mul(g, slope!))],
    { dtype: "floatOnly", ...saveX },
  ),
  // p0: alpha, p1: scale, p2: input scale
  elu: mapPrim(
    "elu",
    E("a > 0 ? a * p1 : p1 * p0 * Math.expm1(a * p2)", "select(p1 * p0 * expm1_f(a * p2), a * p1, a > 0.0)"),
    (g, { inputs: [x], params: [alpha, scale, inScale] }) => [
      where(gt(x!, 0), mul(g, scale!), mul(g, mul(exp(mul(x!, inScale!)), scale! * alpha! * inScale!))),
    ],
    { dtype: "floatOnly", ...saveX },
  ),
  // p0: nan, p1: posinf, p2: neginf replacements
  nan_to_num: mapPrim(
    "nan_to_num",
    E("a !== a ? p0 : a === Infinity ? p1 : a === -Infinity ? p2 : a", (d) =>
      isFloating(d)
        ? "select(select(select(a, p2, isinf_f(a) && a < 0.0), p1, isinf_f(a) && a > 0.0), p0, isnan_f(a))"
        : "a",
    ),
    (g, { inputs: [x] }) => [mul(g, isfinite(x!))],
    saveX,
  ),
  isnan: mapPrim(
    "isnan",
    E("a !== a ? 1 : 0", (d) => (isFloating(d) ? "isnan_f(a)" : "false")),
    null,
    { dtype: "bool" },
  ),
  isinf: mapPrim(
    "isinf",
    E("(a === Infinity || a === -Infinity) ? 1 : 0", (d) => (isFloating(d) ? "isinf_f(a)" : "false")),
    null,
    { dtype: "bool" },
  ),
  isfinite: mapPrim(
    "isfinite",
    E("Number.isFinite(a) ? 1 : 0", (d) => (isFloating(d) ? "isfinite_f(a)" : "true")),
    null,
    { dtype: "bool" },
  ),
  logical_not: mapPrim("logical_not", E("a !== 0 ? 0 : 1", "a == C(0)"), null, { dtype: "bool" }),
  bitwise_not: mapPrim(
    "bitwise_not",
    E(
      (d) => (d === "bool" ? "a ? 0 : 1" : "-a - 1"),
      (d) => (d === "bool" ? "select(1, 0, a != 0)" : "~a"),
    ),
    null,
    { dtype: "integral" },
  ),
  // p0: lower bound (-Infinity: none), p1: upper bound (Infinity: none)
  clamp: mapPrim(
    "clamp",
    E("a !== a ? a : Math.min(Math.max(a, p0), p1)", (d) =>
      isFloating(d) ? "clamp_f(a, p0, p1)" : "min(max(a, p0), p1)",
    ),
    (g, { inputs: [x], params: [lo, hi] }) => [where(logicalAnd(ge(x!, lo!), le(x!, hi!)), g, 0)],
    { dtype: "noBool", ...saveX },
  ),
};

function geluDerivative(x: Tensor, tanhApprox: boolean): Tensor {
  if (!tanhApprox) {
    // d/dx x*Phi(x) = Phi(x) + x*phi(x)
    const cdf = mul(add(erf(mul(x, Math.SQRT1_2)), 1), 0.5);
    const pdf = mul(exp(mul(square(x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
    return add(cdf, mul(x, pdf));
  }
  const k = 0.7978845608028654;
  const inner = mul(add(x, mul(pow(x, 3), 0.044715)), k);
  const t = tanh(inner);
  const dInner = mul(add(mul(square(x), 3 * 0.044715), 1), k);
  return add(mul(add(t, 1), 0.5), mul(mul(mul(x, 0.5), rsub(square(t), 1)), dInner));
}

/** Cast to another dtype (PyTorch's `_to_copy`); the gradient casts back. */
export const castPrim: Prim<{ dtype: DType }> = {
  name: "to_copy",
  overwrites: true,
  infer: (inputs, p) => ({ shape: [...inputs[0]!.shape], dtype: p.dtype }),
  run(k, [x], out) {
    runMap(k, castExpr(out.dtype, x!.dtype), [x!], out, NONE, undefined, {
      name: "to_copy",
      wgsl: "a", // the store converts to the output dtype
      compute: x!.dtype,
    });
  },
  grad: (g) => [g],
};

/**
 * The expression that converts a value for storage in `to` (truncation for integers, != 0 for bool).
 * From an integer dtype `from`, narrowing keeps the low bits (the typed array store), as in C++.
 */
export function castExpr(to: DType, from?: DType): string {
  if (to === "bool") return "(a !== 0 ? 1 : 0)";
  if (from !== undefined && !isFloating(from)) return "a";
  // uint8 goes through int64 in PyTorch (c10's static_cast_with_inter_type), then keeps its low bits
  if (to === "int64" || to === "uint8") return "H.i64(a)";
  // int8/int16/int32 go through int32, then keep their low bits (the typed array store)
  if (!isFloating(to)) return "H.i32(a)";
  return "a";
}

// ---- binary and ternary primitives -------------------------------------------------------------

const saveAB = { saves: { inputs: [0, 1] } };
const isIntDtype = (d: DType) => !isFloating(d);

/** Elementwise binary primitives (the table). */
export const binaryPrims: Record<BinaryName, Prim<MapParams>> = {
  // p0: alpha
  add: mapPrim("add", E("a + p0 * b", "a + p0 * b"), (g, { params: [alpha] }) => [g, alpha === 1 ? g : mul(g, alpha!)]),
  sub: mapPrim("sub", E("a - p0 * b", "a - p0 * b"), (g, { params: [alpha] }) => [g, mul(g, -alpha!)], {
    dtype: "noBool",
  }),
  mul: mapPrim(
    "mul",
    E((d) => (d === "int32" ? "Math.imul(a, b)" : "a * b"), "a * b"),
    (g, { inputs: [a, b], needs }) => [needs[0] ? mul(g, b!) : null, needs[1] ? mul(g, a!) : null],
    saveAB,
  ),
  div: mapPrim(
    "div",
    E("a / b", "a / b"),
    (g, { inputs: [a, b], needs }) => [
      needs[0] ? div(g, b!) : null,
      needs[1] ? neg(div(mul(g, a!), square(b!))) : null,
    ],
    { dtype: "float", ...saveAB },
  ),
  div_trunc: mapPrim(
    "div_trunc",
    E("Math.trunc(a / b)", (d) => (isFloating(d) ? "trunc(a / b)" : "a / b")),
    (g) => [zerosLikeGrad(g), zerosLikeGrad(g)],
    {
      dtype: "noBool",
    },
  ),
  div_floor: mapPrim(
    "div_floor",
    E(
      (d) => (isIntDtype(d) ? "Math.floor(a / b)" : "H.floorDiv(a, b)"),
      (d) => (isFloating(d) ? "floordiv_f(a, b)" : "floordiv_i(a, b)"),
    ),
    (g) => [zerosLikeGrad(g), zerosLikeGrad(g)],
    { dtype: "noBool" },
  ),
  // p0 = 1: the exponent is a JS number, and PyTorch computes x^0.5 and x^-0.5 as sqrt and rsqrt
  pow: mapPrim(
    "pow",
    E(
      (d) =>
        isIntDtype(d)
          ? "H.ipow(a, b)"
          : "(p0 === 1 && (b === 0.5 || b === -0.5) ? (b > 0 ? Math.sqrt(a) : 1 / Math.sqrt(a)) : H.pow(a, b))",
      (d) =>
        isFloating(d)
          ? "select(pow_f(a, b), select(1.0 / sqrt_f(a), sqrt_f(a), b > 0.0), p0 == 1.0 && (b == 0.5 || b == -0.5))"
          : "ipow_i(a, b)",
    ),
    (g, { inputs: [a, b], out, needs }) => [
      // d/da a^b = b a^(b-1), taken as 0 where b == 0
      // (a JS-number exponent stays a number, so pow's sqrt/rsqrt special cases apply here too)
      needs[0] ? where(eq(b!, 0), 0, mul(g, mul(b!, pow(a!, exponentMinusOne(b!))))) : null,
      // d/db a^b = a^b log(a), taken as 0 where a == 0 and b >= 0
      needs[1] ? where(logicalAnd(eq(a!, 0), ge(b!, 0)), 0, mul(g, mul(out, log(a!)))) : null,
    ],
    { dtype: "noBool", saves: { inputs: [0, 1], output: true } },
  ),
  remainder: mapPrim(
    "remainder",
    E(
      (d) => (isIntDtype(d) ? "a - Math.floor(a / b) * b" : "H.remainder(a, b)"),
      (d) => (isFloating(d) ? "remainder_f(a, b)" : "rem_i(a, b)"),
    ),
    (g, { inputs: [a, b], needs }) => [g, needs[1] ? mul(g, neg(div(a!, b!, { roundingMode: "floor" }))) : null],
    { dtype: "noBool", ...saveAB },
  ),
  fmod: mapPrim(
    "fmod",
    E("a % b", (d) => (isFloating(d) ? "fmod_f(a, b)" : "a % b")),
    (g, { inputs: [a, b], needs }) => [g, needs[1] ? mul(g, neg(div(a!, b!, { roundingMode: "trunc" }))) : null],
    {
      dtype: "noBool",
      ...saveAB,
    },
  ),
  atan2: mapPrim(
    "atan2",
    E("Math.atan2(a, b)", "atan2_f(a, b)"),
    (g, { inputs: [a, b] }) => {
      const r = add(square(a!), square(b!));
      return [mul(g, div(b!, r)), mul(g, div(neg(a!), r))];
    },
    { dtype: "float", ...saveAB },
  ),
  maximum: mapPrim(
    "maximum",
    E("H.maximum(a, b)", (d) => (isFloating(d) ? "maximum_f(a, b)" : "max(a, b)")),
    (g, { inputs: [a, b] }) => {
      const half = where(eq(a!, b!), div(g, 2), g);
      return [where(lt(a!, b!), 0, half), where(gt(a!, b!), 0, half)];
    },
    saveAB,
  ),
  minimum: mapPrim(
    "minimum",
    E("H.minimum(a, b)", (d) => (isFloating(d) ? "minimum_f(a, b)" : "min(a, b)")),
    (g, { inputs: [a, b] }) => {
      const half = where(eq(a!, b!), div(g, 2), g);
      return [where(gt(a!, b!), 0, half), where(lt(a!, b!), 0, half)];
    },
    saveAB,
  ),
  fmax: mapPrim(
    "fmax",
    E("H.fmax(a, b)", (d) => (isFloating(d) ? "fmax_f(a, b)" : "max(a, b)")),
    (g, { inputs: [a, b] }) => {
      const first = logicalOr(ge(a!, b!), isnan(b!));
      return [where(first, g, 0), where(first, 0, g)];
    },
    saveAB,
  ),
  fmin: mapPrim(
    "fmin",
    E("H.fmin(a, b)", (d) => (isFloating(d) ? "fmin_f(a, b)" : "min(a, b)")),
    (g, { inputs: [a, b] }) => {
      const first = logicalOr(le(a!, b!), isnan(b!));
      return [where(first, g, 0), where(first, 0, g)];
    },
    saveAB,
  ),
  hypot: mapPrim(
    "hypot",
    E("Math.hypot(a, b)", "hypot_f(a, b)"),
    (g, { inputs: [a, b], out }) => [mul(g, div(a!, out)), mul(g, div(b!, out))],
    {
      dtype: "floatOnly",
      saves: { inputs: [0, 1], output: true },
    },
  ),
  eq: mapPrim("eq", E("a === b ? 1 : 0", "a == b"), null, { dtype: "bool" }),
  ne: mapPrim("ne", E("a !== b ? 1 : 0", "!(a == b)"), null, { dtype: "bool" }),
  lt: mapPrim("lt", E("a < b ? 1 : 0", "a < b"), null, { dtype: "bool" }),
  le: mapPrim("le", E("a <= b ? 1 : 0", "a <= b"), null, { dtype: "bool" }),
  gt: mapPrim("gt", E("a > b ? 1 : 0", "a > b"), null, { dtype: "bool" }),
  ge: mapPrim("ge", E("a >= b ? 1 : 0", "a >= b"), null, { dtype: "bool" }),
  logical_and: mapPrim("logical_and", E("(a !== 0 && b !== 0) ? 1 : 0", "!(a == C(0)) && !(b == C(0))"), null, {
    dtype: "bool",
  }),
  logical_or: mapPrim("logical_or", E("(a !== 0 || b !== 0) ? 1 : 0", "!(a == C(0)) || !(b == C(0))"), null, {
    dtype: "bool",
  }),
  logical_xor: mapPrim("logical_xor", E("((a !== 0) !== (b !== 0)) ? 1 : 0", "(a == C(0)) != (b == C(0))"), null, {
    dtype: "bool",
  }),
  bitwise_and: mapPrim(
    "bitwise_and",
    E((d) => (d === "int64" ? "H.band(a, b)" : "a & b"), "a & b"),
    null,
    { dtype: "integral" },
  ),
  bitwise_or: mapPrim(
    "bitwise_or",
    E((d) => (d === "int64" ? "H.bor(a, b)" : "a | b"), "a | b"),
    null,
    { dtype: "integral" },
  ),
  bitwise_xor: mapPrim(
    "bitwise_xor",
    E((d) => (d === "int64" ? "H.bxor(a, b)" : "a ^ b"), "a ^ b"),
    null,
    { dtype: "integral" },
  ),
};

/** A copy (identity map); its gradient passes through. */
export const clonePrim: Prim<MapParams> = mapPrim("clone", E("a", "a"), (g) => [g]);

/** where(cond, a, b): the ternary select; only a and b are differentiable. */
export const wherePrim: Prim<MapParams> = {
  name: "where",
  grad: (g, { inputs: [c] }) => [null, where(c!, g, 0), where(c!, 0, g)],
  saves: { inputs: [0] },
  infer(inputs) {
    const [c, a, b] = inputs as [Tensor, Tensor, Tensor];
    if (c.dtype !== "bool" && c.dtype !== "uint8")
      throw new TypeError(`where(): expected condition to be a boolean tensor, but got a tensor with dtype ${c.dtype}`);
    const shape = broadcastShapes("where", c.shape, a.shape, b.shape);
    return { shape, dtype: resultType([a, b].map((t) => ({ dtype: t.dtype, ndim: t.ndim, wrapped: t._wrapped }))) };
  },
  run(k, inputs, out) {
    runMap(k, "a !== 0 ? b : c", inputs, out, NONE, undefined, {
      name: "where",
      wgsl: "select(b, c, a == C(0))",
      compute: out.dtype,
    });
  },
};

/** lerp(start, end, weight) with PyTorch's two-sided formula for accuracy near weight = 1. */
export const lerpPrim: Prim<MapParams> = mapPrim(
  "lerp",
  E(
    "Math.abs(c) < 0.5 ? a + c * (b - a) : b - (b - a) * (1 - c)",
    "select(b - (b - a) * (1.0 - c), a + c * (b - a), abs(c) < 0.5)",
  ),
  (g, { inputs: [a, b, w], needs }) => [
    needs[0] ? mul(g, rsub(w!, 1)) : null,
    needs[1] ? mul(g, w!) : null,
    needs[2] ? mul(g, sub(b!, a!)) : null,
  ],
  { dtype: "floatOnly", saves: { inputs: [0, 1, 2] } },
);

// ---- functions ---------------------------------------------------------------------------------

/** Turn a scalar operand into a 0-dim "wrapped number" tensor on `like`'s device. */
export function asTensor(x: TensorOrScalar, like: Tensor): Tensor {
  return x instanceof Tensor ? x : scalarTensor(x, like.device);
}

function unaryOp(p: Prim<MapParams>, x: Tensor, params: MapParams = NONE): Tensor {
  return apply(p, [x], params);
}
function binaryOp(p: Prim<MapParams>, a: TensorOrScalar, b: TensorOrScalar, params: MapParams = NONE): Tensor {
  if (!(a instanceof Tensor)) {
    if (!(b instanceof Tensor)) throw new TypeError(`${p.name}(): expected at least one tensor argument`);
    a = asTensor(a, b);
  }
  return apply(p, [a, asTensor(b, a)], params);
}

const u = unaryPrims;
const bp = binaryPrims;

/** |x| elementwise. */
export const abs = (x: Tensor): Tensor => unaryOp(u.abs, x);
/** -x elementwise. */
export const neg = (x: Tensor): Tensor => {
  if (x.dtype === "bool")
    throw new TypeError(
      "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logicalNot()` operator instead.",
    );
  return unaryOp(u.neg, x);
};
/** Sign (-1, 0, 1) elementwise. */
export const sign = (x: Tensor): Tensor => unaryOp(u.sign, x);
/** e^x. */
export const exp = (x: Tensor): Tensor => unaryOp(u.exp, x);
/** 2^x. */
export const exp2 = (x: Tensor): Tensor => unaryOp(u.exp2, x);
/** e^x - 1, accurate near 0. */
export const expm1 = (x: Tensor): Tensor => unaryOp(u.expm1, x);
/** Natural logarithm. */
export const log = (x: Tensor): Tensor => unaryOp(u.log, x);
/** Base-2 logarithm. */
export const log2 = (x: Tensor): Tensor => unaryOp(u.log2, x);
/** Base-10 logarithm. */
export const log10 = (x: Tensor): Tensor => unaryOp(u.log10, x);
/** log(1 + x), accurate near 0. */
export const log1p = (x: Tensor): Tensor => unaryOp(u.log1p, x);
/** Square root. */
export const sqrt = (x: Tensor): Tensor => unaryOp(u.sqrt, x);
/** 1 / sqrt(x). */
export const rsqrt = (x: Tensor): Tensor => unaryOp(u.rsqrt, x);
/** x * x. */
export const square = (x: Tensor): Tensor => unaryOp(u.square, x);
/** Sine. */
export const sin = (x: Tensor): Tensor => unaryOp(u.sin, x);
/** Cosine. */
export const cos = (x: Tensor): Tensor => unaryOp(u.cos, x);
/** Tangent. */
export const tan = (x: Tensor): Tensor => unaryOp(u.tan, x);
/** Arcsine. */
export const asin = (x: Tensor): Tensor => unaryOp(u.asin, x);
/** Arccosine. */
export const acos = (x: Tensor): Tensor => unaryOp(u.acos, x);
/** Arctangent. */
export const atan = (x: Tensor): Tensor => unaryOp(u.atan, x);
/** Hyperbolic sine. */
export const sinh = (x: Tensor): Tensor => unaryOp(u.sinh, x);
/** Hyperbolic cosine. */
export const cosh = (x: Tensor): Tensor => unaryOp(u.cosh, x);
/** Hyperbolic tangent. */
export const tanh = (x: Tensor): Tensor => unaryOp(u.tanh, x);
/** Inverse hyperbolic sine. */
export const asinh = (x: Tensor): Tensor => unaryOp(u.asinh, x);
/** Inverse hyperbolic cosine. */
export const acosh = (x: Tensor): Tensor => unaryOp(u.acosh, x);
/** Inverse hyperbolic tangent. */
export const atanh = (x: Tensor): Tensor => unaryOp(u.atanh, x);
/** 1 / (1 + e^-x). */
export const sigmoid = (x: Tensor): Tensor => unaryOp(u.sigmoid, x);
/** log(x / (1 - x)), with x clamped to [eps, 1 - eps] when eps is given. */
export const logit = (x: Tensor, eps?: number): Tensor => unaryOp(u.logit, x, [eps ?? NaN]);
/** Error function. */
export const erf = (x: Tensor): Tensor => unaryOp(u.erf, x);
/** Complementary error function. */
export const erfc = (x: Tensor): Tensor => unaryOp(u.erfc, x);
/** Inverse error function. */
export const erfinv = (x: Tensor): Tensor => unaryOp(u.erfinv, x);
/** Round down. */
export const floor = (x: Tensor): Tensor => (isFloating(x.dtype) ? unaryOp(u.floor, x) : x.clone());
/** Round up. */
export const ceil = (x: Tensor): Tensor => (isFloating(x.dtype) ? unaryOp(u.ceil, x) : x.clone());
/** Round half to even. */
export const round = (x: Tensor): Tensor => (isFloating(x.dtype) ? unaryOp(u.round, x) : x.clone());
/** Round toward zero. */
export const trunc = (x: Tensor): Tensor => (isFloating(x.dtype) ? unaryOp(u.trunc, x) : x.clone());
/** x - trunc(x). */
export const frac = (x: Tensor): Tensor => unaryOp(u.frac, x);
/** 1 / x. */
export const reciprocal = (x: Tensor): Tensor => unaryOp(u.reciprocal, x);
/** max(x, 0). */
export const relu = (x: Tensor): Tensor => unaryOp(u.relu, x);
/** GELU; `approximate: "tanh"` selects the tanh formula. */
export const gelu = (x: Tensor, opts: { approximate?: "none" | "tanh" } = {}): Tensor =>
  unaryOp(u.gelu, x, [opts.approximate === "tanh" ? 1 : 0]);
/** x * sigmoid(x). */
export const silu = (x: Tensor): Tensor => unaryOp(u.silu, x);
/** x * tanh(softplus(x)). */
export const mish = (x: Tensor): Tensor => unaryOp(u.mish, x);
/** log(1 + e^(beta x)) / beta, linear above `threshold`. */
export const softplus = (x: Tensor, beta = 1, threshold = 20): Tensor => unaryOp(u.softplus, x, [beta, threshold]);
/** clamp(x, minVal, maxVal) with a zero gradient outside. */
export const hardtanh = (x: Tensor, minVal = -1, maxVal = 1): Tensor => unaryOp(u.hardtanh, x, [minVal, maxVal]);
/** x for x > 0, negativeSlope * x otherwise. */
export const leakyRelu = (x: Tensor, negativeSlope = 0.01): Tensor => unaryOp(u.leaky_relu, x, [negativeSlope]);
/** ELU: x for x > 0, alpha (e^x - 1) otherwise. */
export const elu = (x: Tensor, alpha = 1): Tensor => unaryOp(u.elu, x, [alpha, 1, 1]);
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
/** SELU: scale * elu(x, alpha) with the self-normalising constants. */
export const selu = (x: Tensor): Tensor => unaryOp(u.elu, x, [SELU_ALPHA, SELU_SCALE, 1]);

const FINFO_MAX: Partial<Record<DType, number>> = {
  float32: 3.4028234663852886e38,
  float64: Number.MAX_VALUE,
  float16: 65504,
  bfloat16: 3.3895313892515355e38,
};
/** Replace NaN, +Inf and -Inf by finite values (defaults: 0 and the dtype's extremes). */
export function nanToNum(x: Tensor, nan = 0, posinf?: number, neginf?: number): Tensor {
  const max = FINFO_MAX[x.dtype] ?? Infinity;
  return unaryOp(u.nan_to_num, x, [nan, posinf ?? max, neginf ?? -max]);
}
/** Whether each element is NaN. */
export const isnan = (x: Tensor): Tensor => unaryOp(u.isnan, x);
/** Whether each element is +-Inf. */
export const isinf = (x: Tensor): Tensor => unaryOp(u.isinf, x);
/** Whether each element is finite. */
export const isfinite = (x: Tensor): Tensor => unaryOp(u.isfinite, x);
/** Elementwise logical NOT. */
export const logicalNot = (x: Tensor): Tensor => unaryOp(u.logical_not, x);
/** Elementwise bitwise NOT (logical NOT for bool). */
export const bitwiseNot = (x: Tensor): Tensor => unaryOp(u.bitwise_not, x);

/** Clamp into [min, max]; bounds may be numbers or tensors (null/undefined for none). */
export function clamp(x: Tensor, min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor {
  if ((min === undefined || min === null) && (max === undefined || max === null))
    throw new TypeError("clamp(): At least one of 'min' or 'max' must not be None");
  if (min instanceof Tensor || max instanceof Tensor) {
    let r = x;
    if (min !== undefined && min !== null) r = maximum(r, asTensor(min, x));
    if (max !== undefined && max !== null) r = minimum(r, asTensor(max, x));
    return r;
  }
  const lo = min === undefined || min === null ? -Infinity : Number(min);
  const hi = max === undefined || max === null ? Infinity : Number(max);
  const floatBound = (!Number.isInteger(lo) && Number.isFinite(lo)) || (!Number.isInteger(hi) && Number.isFinite(hi));
  const xx = floatBound && !isFloating(x.dtype) ? x.to(getDefaultDtype()) : x;
  // bounds are converted to the tensor's dtype (an uint8 tensor clamps at 254 for -2, as in PyTorch)
  const cast = (v: number) => (Number.isFinite(v) ? castValue(v, xx.dtype) : v);
  return unaryOp(u.clamp, xx, [cast(lo), cast(hi)]);
}
/** clamp(x, min) (`clamp_min`). */
export const clampMin = (x: Tensor, min: TensorOrScalar): Tensor => clamp(x, min, null);
/** clamp(x, undefined, max) (`clamp_max`). */
export const clampMax = (x: Tensor, max: TensorOrScalar): Tensor => clamp(x, null, max);

/** a + alpha * b. */
export function add(a: TensorOrScalar, b: TensorOrScalar, opts: { alpha?: number } = {}): Tensor {
  return binaryOp(bp.add, a, b, [opts.alpha ?? 1]);
}
/** a - alpha * b. */
export function sub(a: TensorOrScalar, b: TensorOrScalar, opts: { alpha?: number } = {}): Tensor {
  const ta = a instanceof Tensor ? a : null;
  const tb = b instanceof Tensor ? b : null;
  if (
    (ta?.dtype ?? (typeof a === "boolean" ? "bool" : "")) === "bool" &&
    (tb?.dtype ?? (typeof b === "boolean" ? "bool" : "")) === "bool"
  )
    throw new TypeError(
      "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logicalXor()` operator instead.",
    );
  return binaryOp(bp.sub, a, b, [opts.alpha ?? 1]);
}
/** b - a (`rsub`), handy for `1 - x`. */
export function rsub(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return sub(b, a);
}
/** a * b. */
export const mul = (a: TensorOrScalar, b: TensorOrScalar): Tensor => binaryOp(bp.mul, a, b);
/** a / b; `roundingMode` "trunc" or "floor" rounds the quotient. */
export function div(
  a: TensorOrScalar,
  b: TensorOrScalar,
  opts: { roundingMode?: "trunc" | "floor" | null } = {},
): Tensor {
  const mode = opts.roundingMode ?? null;
  if (mode === null) return binaryOp(bp.div, a, b);
  const r = binaryOp(mode === "trunc" ? bp.div_trunc : bp.div_floor, a, b);
  if (!isFloating(r.dtype)) checkIntDivisor("div", b);
  return r;
}
/**
 * b - 1 for pow's gradient: a JS-number exponent stays a number (known on the host, so no device read),
 * so pow's sqrt/rsqrt special cases apply to the gradient too.
 */
function exponentMinusOne(b: Tensor): TensorOrScalar {
  const v = wrappedValue(b);
  return v === undefined ? sub(b, 1) : v - 1;
}
/** Integer division by zero is an error in PyTorch, not a silent value. */
function checkIntDivisor(op: string, b: TensorOrScalar): void {
  const message = `${op}(): ZeroDivisionError: integer division by zero`;
  if (b instanceof Tensor) checkValues(eq(b, 0), [], message);
  else if (Number(b) === 0) throw new RangeError(message);
}
/** a ^ b (Python's `**`). */
export function pow(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const r = binaryOp(bp.pow, a, b, [typeof b === "number" ? 1 : 0]);
  if (!isFloating(r.dtype)) {
    const message = "pow(): Integers to negative integer powers are not allowed.";
    if (b instanceof Tensor) checkValues(lt(b, 0), [], message);
    else if (Number(b) < 0) throw new RangeError(message);
  }
  return r;
}
/** Python-style modulus: the result has the sign of the divisor. */
export function remainder(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const r = binaryOp(bp.remainder, a, b);
  if (!isFloating(r.dtype)) checkIntDivisor("remainder", b);
  return r;
}
/** C-style modulus: the result has the sign of the dividend. */
export function fmod(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const r = binaryOp(bp.fmod, a, b);
  if (!isFloating(r.dtype)) checkIntDivisor("fmod", b);
  return r;
}
/** atan(a / b) in the right quadrant. */
export const atan2 = (a: TensorOrScalar, b: TensorOrScalar): Tensor => binaryOp(bp.atan2, a, b);
/** Elementwise maximum, propagating NaN. */
export const maximum = (a: TensorOrScalar, b: TensorOrScalar): Tensor => binaryOp(bp.maximum, a, b);
/** Elementwise minimum, propagating NaN. */
export const minimum = (a: TensorOrScalar, b: TensorOrScalar): Tensor => binaryOp(bp.minimum, a, b);
/** Elementwise maximum, ignoring NaN. */
export const fmax = (a: TensorOrScalar, b: TensorOrScalar): Tensor => binaryOp(bp.fmax, a, b);
/** Elementwise minimum, ignoring NaN. */
export const fmin = (a: TensorOrScalar, b: TensorOrScalar): Tensor => binaryOp(bp.fmin, a, b);
/** sqrt(a^2 + b^2) without overflow. */
export const hypot = (a: TensorOrScalar, b: TensorOrScalar): Tensor => binaryOp(bp.hypot, a, b);
/** a == b. */
export const eq = (a: TensorOrScalar, b: TensorOrScalar): Tensor => binaryOp(bp.eq, a, b);
/** a != b. */
export const ne = (a: TensorOrScalar, b: TensorOrScalar): Tensor => binaryOp(bp.ne, a, b);
/** a < b. */
export const lt = (a: TensorOrScalar, b: TensorOrScalar): Tensor => binaryOp(bp.lt, a, b);
/** a <= b. */
export const le = (a: TensorOrScalar, b: TensorOrScalar): Tensor => binaryOp(bp.le, a, b);
/** a > b. */
export const gt = (a: TensorOrScalar, b: TensorOrScalar): Tensor => binaryOp(bp.gt, a, b);
/** a >= b. */
export const ge = (a: TensorOrScalar, b: TensorOrScalar): Tensor => binaryOp(bp.ge, a, b);
/** Elementwise logical AND (nonzero is true). */
export const logicalAnd = (a: TensorOrScalar, b: TensorOrScalar): Tensor => binaryOp(bp.logical_and, a, b);
/** Elementwise logical OR. */
export const logicalOr = (a: TensorOrScalar, b: TensorOrScalar): Tensor => binaryOp(bp.logical_or, a, b);
/** Elementwise logical XOR. */
export const logicalXor = (a: TensorOrScalar, b: TensorOrScalar): Tensor => binaryOp(bp.logical_xor, a, b);
/** Elementwise bitwise AND of integer/bool tensors. */
export const bitwiseAnd = (a: TensorOrScalar, b: TensorOrScalar): Tensor => binaryOp(bp.bitwise_and, a, b);
/** Elementwise bitwise OR of integer/bool tensors. */
export const bitwiseOr = (a: TensorOrScalar, b: TensorOrScalar): Tensor => binaryOp(bp.bitwise_or, a, b);
/** Elementwise bitwise XOR of integer/bool tensors. */
export const bitwiseXor = (a: TensorOrScalar, b: TensorOrScalar): Tensor => binaryOp(bp.bitwise_xor, a, b);

/** Select from `a` where `cond` is true, else from `b` (`torch.where(cond, a, b)`). */
export function where(cond: Tensor, a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const like = a instanceof Tensor ? a : b instanceof Tensor ? b : cond;
  let ta = asTensor(a, like);
  let tb = asTensor(b, like);
  // two scalars: PyTorch gives the default dtype for floats, int64 for ints
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) {
    const dt = resultType([ta, tb].map((t) => ({ dtype: t.dtype, ndim: 1, wrapped: true })));
    ta = ta.to(dt === "float64" ? getDefaultDtype() : dt);
    tb = tb.to(ta.dtype);
  }
  return apply(wherePrim, [cond, ta, tb], NONE);
}

/** start + weight * (end - start). */
export function lerp(start: Tensor, end: Tensor, weight: TensorOrScalar): Tensor {
  return apply(lerpPrim, [start, end, asTensor(weight, start)], NONE);
}
/** input + value * t1 * t2. */
export function addcmul(input: Tensor, t1: Tensor, t2: Tensor, opts: { value?: number } = {}): Tensor {
  return add(input, mul(mul(t1, t2), opts.value ?? 1));
}
/** input + value * t1 / t2. */
export function addcdiv(input: Tensor, t1: Tensor, t2: Tensor, opts: { value?: number } = {}): Tensor {
  if (!isFloating(t1.dtype) && !isFloating(t2.dtype))
    throw new TypeError("addcdiv(): Integer division with addcdiv is no longer supported; use floating point tensors");
  return add(input, mul(div(t1, t2), opts.value ?? 1));
}

/** Convert to a dtype (a no-op returning `x` itself when it already has it, as in PyTorch). */
export function toDtype(x: Tensor, dtype: DType | string): Tensor {
  const dt = toDType(dtype);
  if (dt === x.dtype) return x;
  return apply(castPrim, [x], { dtype: dt });
}

/** A gradient of zeros shaped like g (for ops whose derivative is zero almost everywhere). */
function zerosLikeGrad(g: Tensor): Tensor {
  return zerosLike(g);
}

gradHelpers.cast = (g, dtype) => toDtype(g, dtype);
