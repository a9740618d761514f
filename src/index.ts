// torchts: PyTorch for TypeScript. `import * as torch from "torchts"`.

import { registerBackend } from "./backend.js";
import { cpuBackend } from "./backends/cpu/index.js";
import { webgpuBackend } from "./backends/webgpu/index.js";
import "./ops/methods.js";

registerBackend(cpuBackend);
registerBackend(webgpuBackend);

export { Tensor, type NestedArray, type GradHook } from "./tensor.js";
export { type DType, getDefaultDtype, setDefaultDtype, promoteTypes, canCast } from "./dtype.js";
export * from "./dtypes.js";
export * from "./ops/elementwise.js";
export {
  view,
  reshape,
  permute,
  transpose,
  t,
  mT,
  expand,
  expandAs,
  squeeze,
  unsqueeze,
  flatten,
  unflatten,
  narrow,
  select,
  slice,
  unfold,
  diagonal,
  asStrided,
  contiguous,
  clone,
  detach,
  movedim,
} from "./ops/views.js";
export {
  sum,
  prod,
  mean,
  nansum,
  nanmean,
  amax,
  amin,
  max,
  min,
  argmax,
  argmin,
  variance as var,
  std,
  varMean,
  stdMean,
  norm,
  logsumexp,
  all,
  any,
  countNonzero,
  median,
  cumsum,
  cumprod,
  cummax,
  cummin,
  type ValuesIndices,
  type VarOptions,
  type Dims,
} from "./ops/reduce.js";
export { softmax, logSoftmax } from "./ops/softmax.js";
export {
  gather,
  scatter,
  scatterAdd,
  scatterReduce,
  indexSelect,
  indexAdd,
  indexCopy,
  indexFill,
  take,
  maskedFill,
  maskedSelect,
  maskedScatter,
  nonzero,
  index,
  sl,
  type IndexItem,
  type Slice,
} from "./ops/indexing.js";
export { sort, argsort, msort, topk, kthvalue, mode } from "./ops/sort.js";
export {
  nonzeroAsync,
  whereAsync,
  maskedSelectAsync,
  indexAsync,
  uniqueAsync,
  uniqueConsecutiveAsync,
  repeatInterleaveAsync,
  bincountAsync,
} from "./ops/async_ops.js";
export {
  unique,
  uniqueConsecutive,
  bincount,
  histc,
  searchsorted,
  bucketize,
  where,
  type UniqueOptions,
  type SearchsortedOptions,
} from "./ops/host_ops.js";
export {
  cat,
  stack,
  hstack,
  vstack,
  split,
  chunk,
  unbind,
  flip,
  roll,
  repeat,
  tile,
  repeatInterleave,
  pad,
} from "./ops/shape_ops.js";
export {
  matmul,
  mm,
  bmm,
  mv,
  dot,
  outer,
  addmm,
  baddbmm,
  addmv,
  trace,
  tril,
  triu,
  tensordot,
  kron,
  einsum,
} from "./ops/linalg.js";
export { isclose, allclose, equal, type CloseOptions } from "./ops/compare.js";
export {
  tensor,
  zeros,
  ones,
  empty,
  full,
  zerosLike,
  onesLike,
  emptyLike,
  fullLike,
  arange,
  linspace,
  logspace,
  eye,
  type TensorOptions,
  type NestedData,
} from "./ops/creation.js";
export { noGrad, enableGrad, setGradEnabled, isGradEnabled } from "./autograd/gradmode.js";
export { tidy, keep, dispose, isTidying } from "./memory/scope.js";
export { setNumThreads, getNumThreads } from "./backends/cpu/native.js";
export { prims, type PrimName } from "./ops/table.js";
export {
  Generator,
  defaultGenerator,
  manualSeed,
  seed,
  initialSeed,
  getRngState,
  setRngState,
  rand,
  randn,
  randint,
  randperm,
  normal,
  bernoulli,
  multinomial,
  randLike,
  randnLike,
  randintLike,
  uniform_,
  normal_,
  bernoulli_,
  exponential_,
  random_,
  cauchy_,
  logNormal_,
  geometric_,
  type RandomOptions,
  type GeneratorOptions,
} from "./ops/random.js";
export * as autograd from "./autograd/index.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export { save, load, serialize, deserialize, safetensors } from "./serialization/index.js";
export * as utils from "./utils/index.js";
export * as vision from "./vision/index.js";
/** The WebGPU device: `await torch.webgpu.init()`, `isAvailable()`, `memoryStats()`, ... */
export * as webgpu from "./backends/webgpu/public.js";
