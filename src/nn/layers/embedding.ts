// Embedding: a lookup table of vectors, initialised N(0, 1) with the paddingIdx row zeroed, as
// nn.Embedding; `Embedding.fromPretrained` wraps an existing matrix.

import type { Tensor } from "../../tensor.js";
import { noGrad } from "../../autograd/gradmode.js";
import { fmtShape } from "../../shape.js";
import { empty } from "../../ops/creation.js";
import { Module, Parameter } from "../module.js";
import { embedding, resolvePaddingIdx } from "../functional/embedding.js";
import { normal_ } from "../init.js";
import { pyBool, pyFloat } from "./pyrepr.js";
import type { FactoryOptions } from "./linear.js";

/** Options of nn.Embedding (PyTorch's keyword arguments, camelCase). */
export interface EmbeddingLayerOptions extends FactoryOptions {
  /** Index whose row is kept at zero and receives no gradient (negative counts from the end). */
  paddingIdx?: number | null;
  /** Renormalise looked-up rows whose norm exceeds this. */
  maxNorm?: number | null;
  /** p of the norm for maxNorm (default 2). */
  normType?: number;
  /** Scale gradients by the inverse frequency of the indices in the batch. */
  scaleGradByFreq?: boolean;
  /** Sparse gradients (not supported; must be false). */
  sparse?: boolean;
  /** Use this (numEmbeddings, embeddingDim) tensor as the weight, sharing its storage (`_weight`). */
  weight?: Tensor;
  /** With `weight`: keep it fixed (requiresGrad false) (`_freeze`). */
  freeze?: boolean;
}

/** A table of numEmbeddings vectors of size embeddingDim, looked up by integer index (`nn.Embedding`). */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly sparse: boolean;
  /** (numEmbeddings, embeddingDim). */
  weight: Parameter;

  /** `new nn.Embedding(10, 3, { paddingIdx: 0 })`. */
  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingLayerOptions = {}) {
    super();
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = resolvePaddingIdx(opts.paddingIdx, numEmbeddings);
    this.maxNorm = opts.maxNorm ?? null;
    this.normType = opts.normType ?? 2;
    this.scaleGradByFreq = opts.scaleGradByFreq ?? false;
    this.sparse = opts.sparse ?? false;
    if (this.sparse) throw new Error("Embedding: sparse gradients are not supported in torchts; use sparse: false");
    if (opts.weight) {
      const w = opts.weight;
      if (w.ndim !== 2 || w.shape[0] !== numEmbeddings || w.shape[1] !== embeddingDim)
        throw new RangeError(
          `Embedding: Shape of weight does not match num_embeddings and embedding_dim (${fmtShape(w.shape)} vs [${numEmbeddings}, ${embeddingDim}])`,
        );
      this.weight = new Parameter(w, !(opts.freeze ?? false));
    } else {
      this.weight = new Parameter(empty([numEmbeddings, embeddingDim], { dtype: opts.dtype, device: opts.device }));
      this.resetParameters();
    }
  }

  /**
   * An Embedding around a pretrained (num, dim) matrix (shared, not copied), frozen unless
   * `freeze: false` (`nn.Embedding.from_pretrained`).
   */
  static fromPretrained(
    embeddings: Tensor,
    opts: Omit<EmbeddingLayerOptions, "weight" | "dtype" | "device"> = {},
  ): Embedding {
    if (embeddings.ndim !== 2)
      throw new RangeError(
        `Embedding.fromPretrained: Embeddings parameter is expected to be 2-dimensional, got ${fmtShape(embeddings.shape)}`,
      );
    const [rows, cols] = embeddings.shape as [number, number];
    return new Embedding(rows, cols, { ...opts, weight: embeddings, freeze: opts.freeze ?? true });
  }

  /** Re-draw the weight from N(0, 1) and zero the padding row. */
  resetParameters(): void {
    normal_(this.weight);
    if (this.paddingIdx !== null) {
      const row = this.paddingIdx;
      noGrad(() => this.weight.select(0, row).fill_(0));
    }
  }

  override forward(input: Tensor): Tensor {
    return embedding(input, this.weight, {
      paddingIdx: this.paddingIdx,
      maxNorm: this.maxNorm,
      normType: this.normType,
      scaleGradByFreq: this.scaleGradByFreq,
      sparse: this.sparse,
    });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += `, scale_grad_by_freq=${pyBool(true)}`;
    return s;
  }
}
