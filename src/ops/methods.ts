// Tensor methods: `x.add(y)` is `torch.add(x, y)`. Each method forwards to the function of the same
// op, so behaviour is defined once; in-place forms (`x.add_(y)`) run through ops/inplace.ts.

import { Tensor, type GradHook } from "../tensor.js";
import { toDType, type DType } from "../dtype.js";
import * as ew from "./elementwise.js";
import * as vw from "./views.js";
import * as rd from "./reduce.js";
import * as sm from "./softmax.js";
import * as ix from "./indexing.js";
import * as so from "./shape_ops.js";
import * as st from "./sort.js";
import * as la from "./linalg.js";
import * as cmp from "./compare.js";
import * as ho from "./host_ops.js";
import { copy_, fill_, inplace, zero_ } from "./inplace.js";
import { backward, registerHook, retainGrad, type RemovableHandle } from "../autograd/api.js";
import type { BackwardOptions } from "../autograd/engine.js";
import { copyToDevice } from "./device.js";
import * as asy from "./async_ops.js";

/** The method form of a function whose first parameter is the tensor. */
type Method<F> = F extends (self: Tensor, ...args: infer A) => infer R ? (...args: A) => R : never;

/** Functions installed as methods with the same name. */
const forwarded = {
  abs: ew.abs,
  neg: ew.neg,
  sign: ew.sign,
  exp: ew.exp,
  exp2: ew.exp2,
  expm1: ew.expm1,
  log: ew.log,
  log2: ew.log2,
  log10: ew.log10,
  log1p: ew.log1p,
  sqrt: ew.sqrt,
  rsqrt: ew.rsqrt,
  square: ew.square,
  sin: ew.sin,
  cos: ew.cos,
  tan: ew.tan,
  asin: ew.asin,
  acos: ew.acos,
  atan: ew.atan,
  sinh: ew.sinh,
  cosh: ew.cosh,
  tanh: ew.tanh,
  asinh: ew.asinh,
  acosh: ew.acosh,
  atanh: ew.atanh,
  sigmoid: ew.sigmoid,
  logit: ew.logit,
  erf: ew.erf,
  erfc: ew.erfc,
  erfinv: ew.erfinv,
  floor: ew.floor,
  ceil: ew.ceil,
  round: ew.round,
  trunc: ew.trunc,
  frac: ew.frac,
  reciprocal: ew.reciprocal,
  relu: ew.relu,
  nanToNum: ew.nanToNum,
  isnan: ew.isnan,
  isinf: ew.isinf,
  isfinite: ew.isfinite,
  logicalNot: ew.logicalNot,
  bitwiseNot: ew.bitwiseNot,
  clamp: ew.clamp,
  clampMin: ew.clampMin,
  clampMax: ew.clampMax,
  add: ew.add,
  sub: ew.sub,
  mul: ew.mul,
  div: ew.div,
  pow: ew.pow,
  remainder: ew.remainder,
  fmod: ew.fmod,
  atan2: ew.atan2,
  maximum: ew.maximum,
  minimum: ew.minimum,
  fmax: ew.fmax,
  fmin: ew.fmin,
  hypot: ew.hypot,
  eq: ew.eq,
  ne: ew.ne,
  lt: ew.lt,
  le: ew.le,
  gt: ew.gt,
  ge: ew.ge,
  logicalAnd: ew.logicalAnd,
  logicalOr: ew.logicalOr,
  logicalXor: ew.logicalXor,
  bitwiseAnd: ew.bitwiseAnd,
  bitwiseOr: ew.bitwiseOr,
  bitwiseXor: ew.bitwiseXor,
  lerp: ew.lerp,
  addcmul: ew.addcmul,
  addcdiv: ew.addcdiv,
  view: vw.view,
  reshape: vw.reshape,
  permute: vw.permute,
  transpose: vw.transpose,
  t: vw.t,
  expand: vw.expand,
  expandAs: vw.expandAs,
  squeeze: vw.squeeze,
  unsqueeze: vw.unsqueeze,
  flatten: vw.flatten,
  unflatten: vw.unflatten,
  narrow: vw.narrow,
  select: vw.select,
  unfold: vw.unfold,
  diagonal: vw.diagonal,
  asStrided: vw.asStrided,
  contiguous: vw.contiguous,
  clone: vw.clone,
  detach: vw.detach,
  movedim: vw.movedim,
  sum: rd.sum,
  prod: rd.prod,
  mean: rd.mean,
  nansum: rd.nansum,
  nanmean: rd.nanmean,
  amax: rd.amax,
  amin: rd.amin,
  argmax: rd.argmax,
  argmin: rd.argmin,
  var: rd.variance,
  std: rd.std,
  norm: rd.norm,
  logsumexp: rd.logsumexp,
  softmax: sm.softmax,
  logSoftmax: sm.logSoftmax,
  all: rd.all,
  any: rd.any,
  countNonzero: rd.countNonzero,
  cumsum: rd.cumsum,
  cumprod: rd.cumprod,
  cummax: rd.cummax,
  cummin: rd.cummin,
  gather: ix.gather,
  scatter: ix.scatter,
  scatterAdd: ix.scatterAdd,
  scatterReduce: ix.scatterReduce,
  indexSelect: ix.indexSelect,
  indexAdd: ix.indexAdd,
  indexCopy: ix.indexCopy,
  indexFill: ix.indexFill,
  take: ix.take,
  maskedFill: ix.maskedFill,
  maskedSelect: ix.maskedSelect,
  maskedScatter: ix.maskedScatter,
  index: ix.index,
  split: so.split,
  chunk: so.chunk,
  unbind: so.unbind,
  flip: so.flip,
  roll: so.roll,
  repeat: so.repeat,
  tile: so.tile,
  repeatInterleave: so.repeatInterleave,
  bincount: ho.bincount,
  // async forms of the ops whose result shape depends on the values (webgpu needs them)
  nonzeroAsync: asy.nonzeroAsync,
  maskedSelectAsync: asy.maskedSelectAsync,
  indexAsync: asy.indexAsync,
  uniqueAsync: asy.uniqueAsync,
  uniqueConsecutiveAsync: asy.uniqueConsecutiveAsync,
  repeatInterleaveAsync: asy.repeatInterleaveAsync,
  bincountAsync: asy.bincountAsync,
  histc: ho.histc,
  sort: st.sort,
  argsort: st.argsort,
  msort: st.msort,
  topk: st.topk,
  kthvalue: st.kthvalue,
  mode: st.mode,
  matmul: la.matmul,
  mm: la.mm,
  bmm: la.bmm,
  mv: la.mv,
  dot: la.dot,
  outer: la.outer,
  tril: la.tril,
  triu: la.triu,
  trace: la.trace,
  kron: la.kron,
  addmm: la.addmm,
  addmv: la.addmv,
  baddbmm: la.baddbmm,
  isclose: cmp.isclose,
  allclose: cmp.allclose,
  equal: cmp.equal,
  backward,
  registerHook,
  retainGrad,
  copy_,
  fill_,
  zero_,
};

/** Ops whose in-place form `name_` is the out-of-place op written back into the tensor. */
const inplaceForms = [
  "abs",
  "neg",
  "sign",
  "exp",
  "exp2",
  "expm1",
  "log",
  "log2",
  "log10",
  "log1p",
  "sqrt",
  "rsqrt",
  "square",
  "sin",
  "cos",
  "tan",
  "asin",
  "acos",
  "atan",
  "sinh",
  "cosh",
  "tanh",
  "asinh",
  "acosh",
  "atanh",
  "sigmoid",
  "logit",
  "erf",
  "erfc",
  "erfinv",
  "floor",
  "ceil",
  "round",
  "trunc",
  "frac",
  "reciprocal",
  "relu",
  "nanToNum",
  "clamp",
  "clampMin",
  "clampMax",
  "add",
  "sub",
  "mul",
  "div",
  "pow",
  "remainder",
  "fmod",
  "atan2",
  "maximum",
  "minimum",
  "hypot",
  "logicalNot",
  "logicalAnd",
  "logicalOr",
  "logicalXor",
  "bitwiseNot",
  "bitwiseAnd",
  "bitwiseOr",
  "bitwiseXor",
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
  "lerp",
  "addcmul",
  "addcdiv",
  "scatter",
  "scatterAdd",
  "scatterReduce",
  "indexAdd",
  "indexCopy",
  "indexFill",
  "maskedFill",
  "maskedScatter",
  "tril",
  "triu",
] as const;

type Forwarded = typeof forwarded;
type InplaceName = (typeof inplaceForms)[number];

declare module "../tensor.js" {
  // Method forms of the torch functions: x.add(y) === torch.add(x, y); x.add_(y) works in place.
  interface Tensor extends ForwardedMethods, InplaceMethods {
    /** Maximum: overall, (values, indices) along a dim, or elementwise with another tensor. */
    max(): Tensor;
    max(dim: number, keepdim?: boolean): rd.ValuesIndices;
    max(other: Tensor): Tensor;
    /** Minimum: overall, (values, indices) along a dim, or elementwise with another tensor. */
    min(): Tensor;
    min(dim: number, keepdim?: boolean): rd.ValuesIndices;
    min(other: Tensor): Tensor;
    /** Lower median, overall or (values, indices) along a dim. */
    median(): Tensor;
    median(dim: number, keepdim?: boolean): rd.ValuesIndices;
    /** Unique elements (sorted), optionally with inverse indices and counts. */
    unique(opts?: ho.UniqueOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
    unique(opts: ho.UniqueOptions & ({ returnInverse: true } | { returnCounts: true })): Tensor[];
    unique(opts: ho.UniqueOptions): Tensor | Tensor[];
    /** Collapse runs of equal consecutive elements, optionally with inverse indices and counts. */
    uniqueConsecutive(
      opts?: Omit<ho.UniqueOptions, "sorted"> & { returnInverse?: false; returnCounts?: false },
    ): Tensor;
    uniqueConsecutive(
      opts: Omit<ho.UniqueOptions, "sorted"> & ({ returnInverse: true } | { returnCounts: true }),
    ): Tensor[];
    uniqueConsecutive(opts: Omit<ho.UniqueOptions, "sorted">): Tensor | Tensor[];
    /** Indices of nonzero elements. */
    nonzero(): Tensor;
    nonzero(opts: { asTuple: true }): Tensor[];
    /** Python's `x[items] = values` in place (`accumulate` adds instead). */
    indexPut_(items: ix.IndexItem[], values: ew.TensorOrScalar, accumulate?: boolean): Tensor;
    /** Same data viewed with other's shape. */
    viewAs(other: Tensor): Tensor;
    /** Reshaped to other's shape. */
    reshapeAs(other: Tensor): Tensor;
    /** Transpose of the last two dims. */
    readonly mT: Tensor;
    /**
     * Convert dtype and/or device: `x.to("float64")`, `x.to("webgpu")`, `x.to("webgpu", "float16")`
     * (device, then dtype, as PyTorch's `x.to(device, dtype)`), `x.to({ dtype, device })`.
     */
    to(target: DType | string | { dtype?: DType | string; device?: string }): Tensor;
    to(device: string, dtype: DType | string): Tensor;
    /** Copy to the CPU (itself when already there). */
    cpu(): Tensor;
    float(): Tensor;
    double(): Tensor;
    half(): Tensor;
    bfloat16(): Tensor;
    long(): Tensor;
    int(): Tensor;
    short(): Tensor;
    char(): Tensor;
    byte(): Tensor;
    bool(): Tensor;
    /** Backpropagate from this tensor. */
    backward(gradient?: Tensor | null, opts?: BackwardOptions): void;
    /** Register a gradient hook. */
    registerHook(hook: GradHook): RemovableHandle;
  }
}
type ForwardedMethods = { [K in Exclude<keyof Forwarded, "backward" | "registerHook">]: Method<Forwarded[K]> };
type InplaceMethods = { [K in InplaceName as `${K}_`]: Method<Forwarded[K]> };

const proto = Tensor.prototype as unknown as Record<string, unknown>;
for (const [name, fn] of Object.entries(forwarded)) {
  const f = fn as (self: Tensor, ...args: unknown[]) => unknown;
  proto[name] = function (this: Tensor, ...args: unknown[]) {
    return f(this, ...args);
  };
}
for (const name of inplaceForms) {
  const f = forwarded[name] as (self: Tensor, ...args: unknown[]) => Tensor;
  proto[`${name}_`] = function (this: Tensor, ...args: unknown[]) {
    return inplace(this, `${name}_`, (self) => f(self, ...args));
  };
}

proto.max = function (this: Tensor, a?: number | Tensor, keepdim?: boolean) {
  return a instanceof Tensor ? ew.maximum(this, a) : a === undefined ? rd.max(this) : rd.max(this, a, keepdim);
};
proto.min = function (this: Tensor, a?: number | Tensor, keepdim?: boolean) {
  return a instanceof Tensor ? ew.minimum(this, a) : a === undefined ? rd.min(this) : rd.min(this, a, keepdim);
};
proto.median = function (this: Tensor, dim?: number, keepdim?: boolean) {
  return dim === undefined ? rd.median(this) : rd.median(this, dim, keepdim);
};
proto.nonzero = function (this: Tensor, opts?: { asTuple?: boolean }) {
  return opts?.asTuple ? ix.nonzero(this, { asTuple: true }) : ix.nonzero(this);
};
proto.unique = function (this: Tensor, opts?: ho.UniqueOptions) {
  return ho.unique(this, opts ?? {});
};
proto.uniqueConsecutive = function (this: Tensor, opts?: Omit<ho.UniqueOptions, "sorted">) {
  return ho.uniqueConsecutive(this, opts ?? {});
};
proto.indexPut_ = function (this: Tensor, items: ix.IndexItem[], values: ew.TensorOrScalar, accumulate = false) {
  return inplace(this, "index_put_", (self) => ix.indexPut(self, items, values, accumulate));
};
proto.viewAs = function (this: Tensor, other: Tensor) {
  return vw.view(this, [...other.shape]);
};
proto.reshapeAs = function (this: Tensor, other: Tensor) {
  return vw.reshape(this, [...other.shape]);
};
Object.defineProperty(Tensor.prototype, "mT", {
  get(this: Tensor) {
    return vw.mT(this);
  },
});
proto.to = function (this: Tensor, target: string | { dtype?: string; device?: string }, dtype?: string) {
  if (dtype !== undefined) {
    if (typeof target !== "string") throw new TypeError("to(device, dtype): the device must be a string");
    target = { device: target, dtype };
  }
  if (typeof target === "object") {
    let r = target.dtype ? ew.toDtype(this, target.dtype) : this;
    if (target.device) r = copyToDevice(r, target.device);
    return r;
  }
  let isDtype = true;
  try {
    toDType(target);
  } catch {
    isDtype = false;
  }
  return isDtype ? ew.toDtype(this, target) : copyToDevice(this, target);
};
proto.cpu = function (this: Tensor) {
  return copyToDevice(this, "cpu");
};
const casts: Record<string, DType> = {
  float: "float32",
  double: "float64",
  half: "float16",
  bfloat16: "bfloat16",
  long: "int64",
  int: "int32",
  short: "int16",
  char: "int8",
  byte: "uint8",
  bool: "bool",
};
for (const [name, dt] of Object.entries(casts))
  proto[name] = function (this: Tensor) {
    return ew.toDtype(this, dt);
  };
