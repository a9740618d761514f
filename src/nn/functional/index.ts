// torch.nn.functional: the stateless forms of the layers (activations, linear maps, dropout,
// embeddings, distances, losses, convolutions, pooling, normalization and resampling).
// `import * as torch from "torchts"; const F = torch.nn.functional;`

export {
  relu,
  relu6,
  hardtanh,
  leakyRelu,
  prelu,
  elu,
  selu,
  celu,
  gelu,
  silu,
  mish,
  sigmoid,
  tanh,
  softplus,
  hardswish,
  hardsigmoid,
  logsigmoid,
  glu,
  softmax,
  logSoftmax,
  softmin,
} from "./activation.js";
export { linear, bilinear } from "./linear.js";
export { dropout, dropout2d, type DropoutOptions } from "./dropout.js";
export { embedding, oneHot, oneHotAsync, type EmbeddingOptions } from "./embedding.js";
export { normalize, cosineSimilarity, pairwiseDistance } from "./distance.js";
export {
  mseLoss,
  l1Loss,
  smoothL1Loss,
  huberLoss,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  nllLoss,
  crossEntropy,
  klDiv,
  cosineEmbeddingLoss,
  marginRankingLoss,
  tripletMarginLoss,
  type Reduction,
  type ReductionOptions,
  type BCEOptions,
  type BCEWithLogitsOptions,
  type NLLOptions,
  type CrossEntropyOptions,
  type TripletMarginOptions,
} from "./loss.js";
export { ctcLoss, ctcLossAsync, type CTCOptions } from "./ctc.js";
export {
  conv1d,
  conv2d,
  conv3d,
  convTranspose1d,
  convTranspose2d,
  convTranspose3d,
  unfold,
  fold,
  type ConvOptions,
  type ConvTransposeOptions,
  type FoldOptions,
  type IntOrList,
} from "./conv.js";
export {
  maxPool1d,
  maxPool2d,
  maxPool3d,
  avgPool1d,
  avgPool2d,
  avgPool3d,
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  type MaxPoolOptions,
  type AvgPoolOptions,
  type AdaptiveSize,
} from "./pooling.js";
export {
  batchNorm,
  instanceNorm,
  layerNorm,
  groupNorm,
  rmsNorm,
  type BatchNormOptions,
  type InstanceNormOptions,
  type NormalizedShape,
} from "./norm.js";
export {
  interpolate,
  upsample,
  pixelShuffle,
  pixelUnshuffle,
  type InterpolateMode,
  type InterpolateOptions,
} from "./upsample.js";
export { affineGrid, gridSample, type AffineGridOptions, type GridSampleOptions } from "./grid_sample.js";
export {
  scaledDotProductAttention,
  multiHeadAttentionForward,
  type ScaledDotProductAttentionOptions,
  type MultiHeadAttentionOptions,
} from "./attention.js";
