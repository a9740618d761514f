// Attention layers: MultiheadAttention and the Transformer family (TransformerEncoderLayer,
// TransformerEncoder, TransformerDecoderLayer, TransformerDecoder, Transformer), with PyTorch 1.13's
// sub-module names (self_attn, linear1, norm1, ...), parameter names (in_proj_weight, out_proj) and
// default initialisation, drawn in PyTorch's order so the same seed gives the same weights.
//
// torchts always computes PyTorch's "math path" (F.multi_head_attention_forward and the layers'
// _sa_block/_ff_block). PyTorch 1.13 switches to fused kernels in eval mode without autograd; those
// agree with the math path except that TransformerEncoder, given a srcKeyPaddingMask on that path,
// returns zeros at padded positions (it runs on nested tensors); torchts keeps the math path's values.

import { Tensor } from "../../tensor.js";
import type { DType } from "../../dtype.js";
import { full } from "../../ops/creation.js";
import { triu } from "../../ops/linalg.js";
import { transpose } from "../../ops/views.js";
import { Module, Parameter } from "../module.js";
import { ModuleList } from "../containers.js";
import { empty } from "../../ops/creation.js";
import { gelu, relu } from "../functional/activation.js";
import { multiHeadAttentionForward } from "../functional/attention.js";
import { constant_, xavierNormal_, xavierUniform_ } from "../init.js";
import { Dropout } from "./dropout.js";
import { Linear, type FactoryOptions } from "./linear.js";
import { LayerNorm } from "./norm.js";

/** A Linear layer under the name PyTorch gives MultiheadAttention's output projection (same maths). */
export class NonDynamicallyQuantizableLinear extends Linear {}

/** Options of MultiheadAttention (PyTorch's keyword arguments in camelCase). */
export interface MultiheadAttentionOptions extends FactoryOptions {
  /** Dropout on the attention weights while training (default 0). */
  dropout?: number;
  /** Biases of the input and output projections (default true). */
  bias?: boolean;
  /** Learned key and value vectors appended to the sequence (bias_k, bias_v). */
  addBiasKv?: boolean;
  /** Append a zero key and value to the sequence. */
  addZeroAttn?: boolean;
  /** Feature size of the keys (default embedDim); differing sizes use separate projection weights. */
  kdim?: number | null;
  /** Feature size of the values (default embedDim). */
  vdim?: number | null;
  /** Inputs and outputs are (batch, seq, feature) instead of (seq, batch, feature). */
  batchFirst?: boolean;
}

/** Options of MultiheadAttention.forward. */
export interface MultiheadAttentionForwardOptions {
  /** (N, S) or (S): true (or -inf) marks the keys to ignore. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (default true). */
  needWeights?: boolean;
  /** (L, S) or (N * numHeads, L, S): true (or an additive float) masks a query-key pair out. */
  attnMask?: Tensor | null;
  /** Average the weights over heads (default true). */
  averageAttnWeights?: boolean;
}

/**
 * Multi-head attention (`nn.MultiheadAttention`): heads attend over projections of query, key and
 * value, and an output projection mixes them. `forward(query, key, value, opts)` returns [output,
 * weights or null].
 */
export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly numHeads: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly headDim: number;
  readonly addZeroAttn: boolean;
  /** Whether keys and values have embedDim features (then one packed in_proj_weight). */
  readonly qkvSameEmbedDim: boolean;
  /** (3 * embedDim, embedDim): q, k and v projections stacked; null with kdim/vdim != embedDim. */
  in_proj_weight: Parameter | null = null;
  /** Separate projections (embedDim, embedDim / kdim / vdim) when kdim or vdim differ. */
  q_proj_weight: Parameter | null = null;
  k_proj_weight: Parameter | null = null;
  v_proj_weight: Parameter | null = null;
  /** (3 * embedDim), or null with `bias: false`. */
  in_proj_bias: Parameter | null;
  out_proj: NonDynamicallyQuantizableLinear;
  /** (1, 1, embedDim) with addBiasKv, else null. */
  bias_k: Parameter | null;
  bias_v: Parameter | null;

  /** `new nn.MultiheadAttention(embedDim, numHeads, { dropout, batchFirst, kdim, vdim })`. */
  constructor(embedDim: number, numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    const f = { dtype: opts.dtype, device: opts.device };
    this.embedDim = embedDim;
    this.kdim = opts.kdim ?? embedDim;
    this.vdim = opts.vdim ?? embedDim;
    this.qkvSameEmbedDim = this.kdim === embedDim && this.vdim === embedDim;
    this.numHeads = numHeads;
    this.dropout = opts.dropout ?? 0;
    this.batchFirst = opts.batchFirst ?? false;
    this.headDim = Math.floor(embedDim / numHeads);
    this.addZeroAttn = opts.addZeroAttn ?? false;
    if (this.headDim * numHeads !== embedDim)
      throw new RangeError(
        `MultiheadAttention: embed_dim must be divisible by num_heads (${embedDim} and ${numHeads})`,
      );
    if (this.qkvSameEmbedDim) this.in_proj_weight = new Parameter(empty([3 * embedDim, embedDim], f));
    else {
      this.q_proj_weight = new Parameter(empty([embedDim, embedDim], f));
      this.k_proj_weight = new Parameter(empty([embedDim, this.kdim], f));
      this.v_proj_weight = new Parameter(empty([embedDim, this.vdim], f));
    }
    const bias = opts.bias ?? true;
    this.in_proj_bias = bias ? new Parameter(empty([3 * embedDim], f)) : null;
    this.out_proj = new NonDynamicallyQuantizableLinear(embedDim, embedDim, { ...f, bias });
    this.bias_k = opts.addBiasKv ? new Parameter(empty([1, 1, embedDim], f)) : null;
    this.bias_v = opts.addBiasKv ? new Parameter(empty([1, 1, embedDim], f)) : null;
    this.resetParameters();
  }

  /** Xavier-uniform projections, zero biases, Xavier-normal bias_k/bias_v (out_proj.weight keeps Linear's init). */
  resetParameters(): void {
    if (this.in_proj_weight) xavierUniform_(this.in_proj_weight);
    else for (const w of [this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) xavierUniform_(w!);
    if (this.in_proj_bias) {
      constant_(this.in_proj_bias, 0);
      if (this.out_proj.bias) constant_(this.out_proj.bias, 0);
    }
    if (this.bias_k) xavierNormal_(this.bias_k);
    if (this.bias_v) xavierNormal_(this.bias_v);
  }

  /**
   * query (L, N, E) (or (N, L, E) with batchFirst, or unbatched (L, E)), key (S, N, kdim), value
   * (S, N, vdim). Returns [output like query, weights (N, L, S) (per head (N, numHeads, L, S)
   * without averaging) or null with `needWeights: false`].
   */
  override forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    opts: MultiheadAttentionForwardOptions = {},
  ): [Tensor, Tensor | null] {
    const kpm = opts.keyPaddingMask ?? null;
    if (kpm && kpm.dtype !== "bool" && !kpm.isFloatingPoint())
      throw new TypeError("MultiheadAttention: only bool and floating types of key_padding_mask are supported");
    const isBatched = query.ndim === 3;
    let [q, k, v] = [query, key, value];
    if (this.batchFirst && isBatched) {
      // keep the identities that select the shared projection for self-attention
      if (key === value) {
        if (query === key) q = k = v = transpose(query, 1, 0);
        else {
          [q, k] = [transpose(query, 1, 0), transpose(key, 1, 0)];
          v = k;
        }
      } else [q, k, v] = [query, key, value].map((x) => transpose(x, 1, 0)) as [Tensor, Tensor, Tensor];
    }
    const [out, weights] = multiHeadAttentionForward(
      q,
      k,
      v,
      this.embedDim,
      this.numHeads,
      this.in_proj_weight,
      this.in_proj_bias,
      this.bias_k,
      this.bias_v,
      this.addZeroAttn,
      this.dropout,
      this.out_proj.weight,
      this.out_proj.bias,
      {
        training: this.training,
        keyPaddingMask: kpm,
        needWeights: opts.needWeights ?? true,
        attnMask: opts.attnMask ?? null,
        averageAttnWeights: opts.averageAttnWeights ?? true,
        useSeparateProjWeight: !this.qkvSameEmbedDim,
        qProjWeight: this.q_proj_weight,
        kProjWeight: this.k_proj_weight,
        vProjWeight: this.v_proj_weight,
      },
    );
    return [this.batchFirst && isBatched ? transpose(out, 1, 0) : out, weights];
  }
}

/** The feed-forward activation of the Transformer layers: "relu", "gelu", a function or a module. */
export type TransformerActivation = "relu" | "gelu" | ((x: Tensor) => Tensor) | Module;

/** Options of TransformerEncoderLayer and TransformerDecoderLayer. */
export interface TransformerLayerOptions extends FactoryOptions {
  /** Hidden size of the feed-forward block (default 2048). */
  dimFeedforward?: number;
  /** Dropout probability everywhere (default 0.1). */
  dropout?: number;
  /** Feed-forward activation (default "relu"). */
  activation?: TransformerActivation;
  /** Epsilon of the LayerNorms (default 1e-5). */
  layerNormEps?: number;
  /** (batch, seq, feature) inputs and outputs. */
  batchFirst?: boolean;
  /** LayerNorm before each block (pre-norm) instead of after the residual (default false). */
  normFirst?: boolean;
}

function activationFn(a: TransformerActivation | undefined): ((x: Tensor) => Tensor) | Module {
  if (a === undefined || a === "relu") return (x) => relu(x);
  if (a === "gelu") return (x) => gelu(x);
  if (typeof a === "string") throw new RangeError(`activation should be relu/gelu, not ${String(a)}`);
  return a;
}

function applyActivation(a: ((x: Tensor) => Tensor) | Module, x: Tensor): Tensor {
  return a instanceof Module ? (a.call(x) as Tensor) : a(x);
}

/** The sub-modules both layer kinds share, built in PyTorch's order. */
function layerParts(dModel: number, opts: TransformerLayerOptions) {
  const f = { dtype: opts.dtype, device: opts.device };
  const p = opts.dropout ?? 0.1;
  const ln = { eps: opts.layerNormEps ?? 1e-5, dtype: opts.dtype as DType | undefined, device: opts.device };
  return { f, p, ln, dff: opts.dimFeedforward ?? 2048 };
}

/** One residual sub-block: `x + block(norm(x))` with normFirst (pre-norm), else `norm(x + block(x))`. */
function residual(x: Tensor, norm: LayerNorm, normFirst: boolean, block: (x: Tensor) => Tensor): Tensor {
  return normFirst ? x.add(block(norm.forward(x))) : norm.forward(x.add(block(x)));
}

/** Attention of queries `x` over keys/values `kv` (PyTorch's _sa_block / _mha_block), then dropout. */
function attentionBlock(
  mha: MultiheadAttention,
  dropout: Dropout,
  x: Tensor,
  kv: Tensor,
  attnMask: Tensor | null,
  keyPaddingMask: Tensor | null,
): Tensor {
  const [y] = mha.forward(x, kv, kv, { attnMask, keyPaddingMask, needWeights: false });
  return dropout.forward(y);
}

/** The parts of a layer's feed-forward network (PyTorch's _ff_block). */
interface FeedForward {
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  activation: ((x: Tensor) => Tensor) | Module;
}

/** linear2(dropout(activation(linear1(x)))), then the block's output dropout. */
function feedForwardBlock(layer: FeedForward, outDropout: Dropout, x: Tensor): Tensor {
  const h = layer.dropout.forward(applyActivation(layer.activation, layer.linear1.forward(x)));
  return outDropout.forward(layer.linear2.forward(h));
}

/** Options of TransformerEncoderLayer.forward. */
export interface EncoderLayerForwardOptions {
  /** (S, S) or (N * nhead, S, S) attention mask (bool: true masks out; float: added). */
  srcMask?: Tensor | null;
  /** (N, S): true marks padding keys. */
  srcKeyPaddingMask?: Tensor | null;
}

/**
 * One encoder block (`nn.TransformerEncoderLayer`): self-attention and a feed-forward network, each
 * with dropout, a residual connection and a LayerNorm (after the residual, or before the block with
 * normFirst).
 */
export class TransformerEncoderLayer extends Module {
  readonly normFirst: boolean;
  readonly batchFirst: boolean;
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  /** The feed-forward activation (registered as a sub-module when it is one, as in PyTorch). */
  activation: ((x: Tensor) => Tensor) | Module;

  /** `new nn.TransformerEncoderLayer(dModel, nhead, { dimFeedforward, dropout, activation, batchFirst, normFirst })`. */
  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super();
    const { f, p, ln, dff } = layerParts(dModel, opts);
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: opts.batchFirst, ...f });
    this.linear1 = new Linear(dModel, dff, f);
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(dff, dModel, f);
    this.normFirst = opts.normFirst ?? false;
    this.batchFirst = opts.batchFirst ?? false;
    this.norm1 = new LayerNorm(dModel, ln);
    this.norm2 = new LayerNorm(dModel, ln);
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.activation = activationFn(opts.activation);
  }

  /** src (S, N, E) (or (N, S, E) with batchFirst, or unbatched (S, E)) -> same shape. */
  override forward(src: Tensor, opts: EncoderLayerForwardOptions = {}): Tensor {
    const kpm = opts.srcKeyPaddingMask ?? null;
    if (kpm && kpm.dtype !== "bool" && !kpm.isFloatingPoint())
      throw new TypeError("TransformerEncoderLayer: only bool and floating types of key_padding_mask are supported");
    const mask = opts.srcMask ?? null;
    const x = residual(src, this.norm1, this.normFirst, (h) =>
      attentionBlock(this.self_attn, this.dropout1, h, h, mask, kpm),
    );
    return residual(x, this.norm2, this.normFirst, (h) => feedForwardBlock(this, this.dropout2, h));
  }
}

/** Options of TransformerDecoderLayer.forward and TransformerDecoder.forward. */
export interface DecoderForwardOptions {
  /** (T, T) self-attention mask, e.g. Transformer.generateSquareSubsequentMask(T). */
  tgtMask?: Tensor | null;
  /** (T, S) mask over the memory. */
  memoryMask?: Tensor | null;
  /** (N, T): true marks padding in tgt. */
  tgtKeyPaddingMask?: Tensor | null;
  /** (N, S): true marks padding in memory. */
  memoryKeyPaddingMask?: Tensor | null;
}

/**
 * One decoder block (`nn.TransformerDecoderLayer`): self-attention, attention over the encoder's
 * memory, and a feed-forward network, each with dropout, residual and LayerNorm.
 */
export class TransformerDecoderLayer extends Module {
  readonly normFirst: boolean;
  readonly batchFirst: boolean;
  self_attn: MultiheadAttention;
  multihead_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  /** The feed-forward activation. */
  activation: ((x: Tensor) => Tensor) | Module;

  /** `new nn.TransformerDecoderLayer(dModel, nhead, { dimFeedforward, dropout, activation, batchFirst, normFirst })`. */
  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super();
    const { f, p, ln, dff } = layerParts(dModel, opts);
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: opts.batchFirst, ...f });
    this.multihead_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: opts.batchFirst, ...f });
    this.linear1 = new Linear(dModel, dff, f);
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(dff, dModel, f);
    this.normFirst = opts.normFirst ?? false;
    this.batchFirst = opts.batchFirst ?? false;
    this.norm1 = new LayerNorm(dModel, ln);
    this.norm2 = new LayerNorm(dModel, ln);
    this.norm3 = new LayerNorm(dModel, ln);
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.dropout3 = new Dropout(p);
    this.activation = activationFn(opts.activation);
  }

  /** tgt (T, N, E) and memory (S, N, E) (batch first with batchFirst) -> (T, N, E). */
  override forward(tgt: Tensor, memory: Tensor, opts: DecoderForwardOptions = {}): Tensor {
    const tgtMask = opts.tgtMask ?? null;
    const memMask = opts.memoryMask ?? null;
    const tgtKpm = opts.tgtKeyPaddingMask ?? null;
    const memKpm = opts.memoryKeyPaddingMask ?? null;
    let x = residual(tgt, this.norm1, this.normFirst, (h) =>
      attentionBlock(this.self_attn, this.dropout1, h, h, tgtMask, tgtKpm),
    );
    x = residual(x, this.norm2, this.normFirst, (h) =>
      attentionBlock(this.multihead_attn, this.dropout2, h, memory, memMask, memKpm),
    );
    return residual(x, this.norm3, this.normFirst, (h) => feedForwardBlock(this, this.dropout3, h));
  }
}

/**
 * A deep copy of a module (Python's copy.deepcopy as PyTorch's _get_clones uses it): parameters and
 * buffers get their own storage with the same values; shared sub-objects stay shared in the copy.
 */
function deepCopy<T>(v: T, memo: Map<unknown, unknown> = new Map()): T {
  if (v === null || typeof v !== "object") return v;
  if (memo.has(v)) return memo.get(v) as T;
  if (v instanceof Parameter) {
    const p = new Parameter(v.detach().clone(), v.requiresGrad);
    memo.set(v, p);
    return p as T;
  }
  if (v instanceof Tensor) {
    const t = v.detach().clone();
    memo.set(v, t);
    return t as T;
  }
  if (v instanceof Set) {
    const s = new Set();
    memo.set(v, s);
    for (const x of v) s.add(deepCopy(x, memo));
    return s as T;
  }
  if (v instanceof Map) {
    const m = new Map();
    memo.set(v, m);
    for (const [k, x] of v) m.set(k, deepCopy(x, memo));
    return m as T;
  }
  if (Array.isArray(v)) {
    const a: unknown[] = [];
    memo.set(v, a);
    for (const x of v) a.push(deepCopy(x, memo));
    return a as T;
  }
  const o = Object.create(Object.getPrototypeOf(v) as object) as Record<string, unknown>;
  memo.set(v, o);
  for (const [k, x] of Object.entries(v)) o[k] = deepCopy(x, memo);
  return o as T;
}

/** `numLayers` independent deep copies of `layer` (same initial weights), as PyTorch's _get_clones. */
function clones(layer: Module, n: number): ModuleList {
  return new ModuleList(Array.from({ length: n }, () => deepCopy(layer)));
}

/** Options of TransformerEncoder.forward. */
export interface EncoderForwardOptions {
  /** (S, S) or (N * nhead, S, S) attention mask. */
  mask?: Tensor | null;
  /** (N, S): true marks padding keys. */
  srcKeyPaddingMask?: Tensor | null;
}

/**
 * A stack of encoder layers (`nn.TransformerEncoder`): `numLayers` copies of `encoderLayer` (each
 * starting from its weights), then the optional final `norm`.
 */
export class TransformerEncoder extends Module {
  layers: ModuleList;
  readonly numLayers: number;
  norm: Module | null;
  readonly enableNestedTensor: boolean;
  readonly maskCheck: boolean;

  /**
   * `new nn.TransformerEncoder(encoderLayer, numLayers, norm?)`. enableNestedTensor and maskCheck are
   * accepted for compatibility; torchts has no nested-tensor fast path.
   */
  constructor(
    encoderLayer: Module,
    numLayers: number,
    norm: Module | null = null,
    opts: { enableNestedTensor?: boolean; maskCheck?: boolean } = {},
  ) {
    super();
    this.layers = clones(encoderLayer, numLayers);
    this.numLayers = numLayers;
    this.norm = norm;
    this.enableNestedTensor = opts.enableNestedTensor ?? true;
    this.maskCheck = opts.maskCheck ?? true;
  }

  /** src through every layer with the same masks, then the norm. */
  override forward(src: Tensor, opts: EncoderForwardOptions = {}): Tensor {
    const kpm = opts.srcKeyPaddingMask ?? null;
    if (kpm && kpm.dtype !== "bool" && !kpm.isFloatingPoint())
      throw new TypeError("TransformerEncoder: only bool and floating types of key_padding_mask are supported");
    let out = src;
    for (const layer of this.layers)
      out = layer.call(out, { srcMask: opts.mask ?? null, srcKeyPaddingMask: kpm }) as Tensor;
    return this.norm ? (this.norm.call(out) as Tensor) : out;
  }
}

/** A stack of decoder layers (`nn.TransformerDecoder`), then the optional final `norm`. */
export class TransformerDecoder extends Module {
  layers: ModuleList;
  readonly numLayers: number;
  norm: Module | null;

  /** `new nn.TransformerDecoder(decoderLayer, numLayers, norm?)`. */
  constructor(decoderLayer: Module, numLayers: number, norm: Module | null = null) {
    super();
    this.layers = clones(decoderLayer, numLayers);
    this.numLayers = numLayers;
    this.norm = norm;
  }

  /** tgt through every layer attending to `memory`, then the norm. */
  override forward(tgt: Tensor, memory: Tensor, opts: DecoderForwardOptions = {}): Tensor {
    let out = tgt;
    for (const layer of this.layers) out = layer.call(out, memory, opts) as Tensor;
    return this.norm ? (this.norm.call(out) as Tensor) : out;
  }
}

/** Options of Transformer. */
export interface TransformerOptions extends TransformerLayerOptions {
  /** Encoder layers (default 6). */
  numEncoderLayers?: number;
  /** Decoder layers (default 6). */
  numDecoderLayers?: number;
  /** Use this module as the encoder instead of building one. */
  customEncoder?: Module | null;
  /** Use this module as the decoder instead of building one. */
  customDecoder?: Module | null;
}

/** Options of Transformer.forward: the encoder's and the decoder's masks. */
export interface TransformerForwardOptions extends DecoderForwardOptions {
  srcMask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
}

/**
 * The encoder-decoder Transformer (`nn.Transformer`, "Attention Is All You Need"): encoder and decoder
 * stacks with final LayerNorms; every parameter with more than one dim is re-drawn Xavier-uniform.
 */
export class Transformer extends Module {
  encoder: Module;
  decoder: Module;
  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;

  /** `new nn.Transformer(dModel = 512, nhead = 8, { numEncoderLayers, numDecoderLayers, dimFeedforward, ... })`. */
  constructor(dModel = 512, nhead = 8, opts: TransformerOptions = {}) {
    super();
    const ln = { eps: opts.layerNormEps ?? 1e-5, dtype: opts.dtype as DType | undefined, device: opts.device };
    if (opts.customEncoder) this.encoder = opts.customEncoder;
    else {
      const layer = new TransformerEncoderLayer(dModel, nhead, opts);
      this.encoder = new TransformerEncoder(layer, opts.numEncoderLayers ?? 6, new LayerNorm(dModel, ln));
    }
    if (opts.customDecoder) this.decoder = opts.customDecoder;
    else {
      const layer = new TransformerDecoderLayer(dModel, nhead, opts);
      this.decoder = new TransformerDecoder(layer, opts.numDecoderLayers ?? 6, new LayerNorm(dModel, ln));
    }
    for (const p of this.parameters()) if (p.ndim > 1) xavierUniform_(p);
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = opts.batchFirst ?? false;
  }

  /** src (S, N, E) and tgt (T, N, E) (batch first with batchFirst) -> (T, N, E). */
  override forward(src: Tensor, tgt: Tensor, opts: TransformerForwardOptions = {}): Tensor {
    const isBatched = src.ndim === 3;
    const bd = this.batchFirst ? 0 : 1;
    if (isBatched && src.shape[bd] !== tgt.shape[bd])
      throw new RangeError("Transformer: the batch number of src and tgt must be equal");
    if (src.shape[src.ndim - 1] !== this.dModel || tgt.shape[tgt.ndim - 1] !== this.dModel)
      throw new RangeError("Transformer: the feature number of src and tgt must be equal to d_model");
    const memory = this.encoder.call(src, {
      mask: opts.srcMask ?? null,
      srcKeyPaddingMask: opts.srcKeyPaddingMask ?? null,
    }) as Tensor;
    return this.decoder.call(tgt, memory, {
      tgtMask: opts.tgtMask ?? null,
      memoryMask: opts.memoryMask ?? null,
      tgtKeyPaddingMask: opts.tgtKeyPaddingMask ?? null,
      memoryKeyPaddingMask: opts.memoryKeyPaddingMask ?? null,
    }) as Tensor;
  }

  /** (sz, sz) float mask: -inf above the diagonal, 0 elsewhere (`generate_square_subsequent_mask`). */
  static generateSquareSubsequentMask(sz: number, device = "cpu"): Tensor {
    return triu(full([sz, sz], -Infinity, { device }), 1);
  }
}
