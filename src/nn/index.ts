// torch.nn: modules, layers, losses, init and functional.

export { Module, Parameter, type ForwardHook, type ForwardPreHook, type IncompatibleKeys } from "./module.js";
export { Sequential, ModuleList, ModuleDict, ParameterList } from "./containers.js";
export * as functional from "./functional/index.js";
export * as init from "./init.js";
export * as utils from "./utils.js";
export { Linear, Bilinear, Identity, type FactoryOptions } from "./layers/linear.js";
export { Flatten, Unflatten } from "./layers/flatten.js";
export { Dropout, Dropout2d } from "./layers/dropout.js";
export { Embedding, type EmbeddingLayerOptions } from "./layers/embedding.js";
export {
  ReLU,
  ReLU6,
  Hardtanh,
  LeakyReLU,
  PReLU,
  ELU,
  CELU,
  SELU,
  GELU,
  SiLU,
  Mish,
  Sigmoid,
  Tanh,
  LogSigmoid,
  Softplus,
  Hardswish,
  Hardsigmoid,
  Softmax,
  LogSoftmax,
  Softmin,
  GLU,
} from "./layers/activation.js";
export {
  MSELoss,
  L1Loss,
  SmoothL1Loss,
  HuberLoss,
  BCELoss,
  BCEWithLogitsLoss,
  NLLLoss,
  CrossEntropyLoss,
  KLDivLoss,
  CosineEmbeddingLoss,
  MarginRankingLoss,
  TripletMarginLoss,
  CTCLoss,
} from "./layers/loss.js";
export {
  Conv1d,
  Conv2d,
  Conv3d,
  ConvTranspose1d,
  ConvTranspose2d,
  ConvTranspose3d,
  type PaddingMode,
  type ConvLayerOptions,
  type ConvTransposeLayerOptions,
} from "./layers/conv.js";
export {
  MaxPool1d,
  MaxPool2d,
  AvgPool1d,
  AvgPool2d,
  AdaptiveAvgPool1d,
  AdaptiveAvgPool2d,
  AdaptiveMaxPool1d,
  AdaptiveMaxPool2d,
  type MaxPoolLayerOptions,
  type AvgPoolLayerOptions,
  type PoolResult,
} from "./layers/pooling.js";
export {
  BatchNorm1d,
  BatchNorm2d,
  BatchNorm3d,
  InstanceNorm1d,
  InstanceNorm2d,
  LayerNorm,
  GroupNorm,
  RMSNorm,
  type NormLayerOptions,
  type LayerNormOptions,
  type GroupNormOptions,
} from "./layers/norm.js";
export { Upsample, PixelShuffle, PixelUnshuffle } from "./layers/upsample.js";
export {
  RNNBase,
  RNN,
  LSTM,
  GRU,
  RNNCellBase,
  RNNCell,
  LSTMCell,
  GRUCell,
  type RNNMode,
  type RNNOptions,
  type RNNLayerOptions,
  type LSTMOptions,
} from "./layers/rnn.js";
export {
  MultiheadAttention,
  NonDynamicallyQuantizableLinear,
  TransformerEncoderLayer,
  TransformerEncoder,
  TransformerDecoderLayer,
  TransformerDecoder,
  Transformer,
  type MultiheadAttentionOptions,
  type MultiheadAttentionForwardOptions,
  type TransformerActivation,
  type TransformerLayerOptions,
  type TransformerOptions,
  type EncoderLayerForwardOptions,
  type EncoderForwardOptions,
  type DecoderForwardOptions,
  type TransformerForwardOptions,
} from "./layers/transformer.js";
