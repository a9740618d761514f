// Loss layers: modules holding a loss's options, calling nn.functional's loss in forward. Class
// weights are buffers named as in PyTorch (`weight`, `pos_weight`), so they appear in stateDict.

import type { Tensor } from "../../tensor.js";
import { Module } from "../module.js";
import * as F from "../functional/loss.js";
import { ctcLoss } from "../functional/ctc.js";
import type { Reduction } from "../functional/loss.js";

/** Base of the losses: holds the reduction ("mean" by default). */
abstract class Loss extends Module {
  readonly reduction: Reduction;
  constructor(reduction: Reduction = "mean") {
    super();
    if (reduction !== "mean" && reduction !== "sum" && reduction !== "none")
      throw new RangeError(`${new.target.name}: ${String(reduction)} is not a valid value for reduction`);
    this.reduction = reduction;
  }
}

/** Base of the losses with an optional class-weight buffer. */
abstract class WeightedLoss extends Loss {
  /** Class weights (a buffer), or null. */
  declare weight: Tensor | null;
  constructor(weight: Tensor | null | undefined, reduction?: Reduction) {
    super(reduction);
    this.registerBuffer("weight", weight ?? null);
  }
}

/** Mean squared error (`nn.MSELoss`). */
export class MSELoss extends Loss {
  constructor(opts: F.ReductionOptions = {}) {
    super(opts.reduction);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Mean absolute error (`nn.L1Loss`). */
export class L1Loss extends Loss {
  constructor(opts: F.ReductionOptions = {}) {
    super(opts.reduction);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Smooth L1 with threshold beta (`nn.SmoothL1Loss`). */
export class SmoothL1Loss extends Loss {
  readonly beta: number;
  constructor(opts: F.ReductionOptions & { beta?: number } = {}) {
    super(opts.reduction);
    this.beta = opts.beta ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** Huber loss with threshold delta (`nn.HuberLoss`). */
export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(opts: F.ReductionOptions & { delta?: number } = {}) {
    super(opts.reduction);
    this.delta = opts.delta ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** Binary cross entropy of probabilities (`nn.BCELoss`). */
export class BCELoss extends WeightedLoss {
  constructor(opts: F.BCEOptions = {}) {
    super(opts.weight, opts.reduction);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Binary cross entropy of logits, with posWeight (`nn.BCEWithLogitsLoss`). */
export class BCEWithLogitsLoss extends Loss {
  /** Element weights (a buffer), or null. */
  declare weight: Tensor | null;
  /** Positive-class weights (a buffer named `pos_weight`), or null. */
  declare pos_weight: Tensor | null;
  constructor(opts: F.BCEWithLogitsOptions = {}) {
    super(opts.reduction);
    this.registerBuffer("weight", opts.weight ?? null);
    this.registerBuffer("pos_weight", opts.posWeight ?? null);
  }
  /** The `pos_weight` buffer. */
  get posWeight(): Tensor | null {
    return this.pos_weight;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, {
      weight: this.weight,
      posWeight: this.pos_weight,
      reduction: this.reduction,
    });
  }
}

/** Negative log likelihood of class indices (`nn.NLLLoss`). */
export class NLLLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  constructor(opts: F.NLLOptions = {}) {
    super(opts.weight, opts.reduction);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/** Cross entropy of logits against class indices or probabilities (`nn.CrossEntropyLoss`). */
export class CrossEntropyLoss extends WeightedLoss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  constructor(opts: F.CrossEntropyOptions = {}) {
    super(opts.weight, opts.reduction);
    this.ignoreIndex = opts.ignoreIndex ?? -100;
    this.labelSmoothing = opts.labelSmoothing ?? 0;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

/** KL divergence, input as log-probabilities (`nn.KLDivLoss`); reduction may be "batchmean". */
export class KLDivLoss extends Module {
  readonly reduction: Reduction | "batchmean";
  readonly logTarget: boolean;
  constructor(opts: { reduction?: Reduction | "batchmean"; logTarget?: boolean } = {}) {
    super();
    this.reduction = opts.reduction ?? "mean";
    this.logTarget = opts.logTarget ?? false;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}

/** Cosine embedding loss (`nn.CosineEmbeddingLoss`). */
export class CosineEmbeddingLoss extends Loss {
  readonly margin: number;
  constructor(opts: F.ReductionOptions & { margin?: number } = {}) {
    super(opts.reduction);
    this.margin = opts.margin ?? 0;
  }
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.cosineEmbeddingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

/** Margin ranking loss (`nn.MarginRankingLoss`). */
export class MarginRankingLoss extends Loss {
  readonly margin: number;
  constructor(opts: F.ReductionOptions & { margin?: number } = {}) {
    super(opts.reduction);
    this.margin = opts.margin ?? 0;
  }
  override forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.marginRankingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

/** Triplet margin loss (`nn.TripletMarginLoss`). */
export class TripletMarginLoss extends Loss {
  readonly margin: number;
  readonly p: number;
  readonly eps: number;
  readonly swap: boolean;
  constructor(opts: F.TripletMarginOptions = {}) {
    super(opts.reduction);
    this.margin = opts.margin ?? 1;
    this.p = opts.p ?? 2;
    this.eps = opts.eps ?? 1e-6;
    this.swap = opts.swap ?? false;
  }
  override forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return F.tripletMarginLoss(anchor, positive, negative, {
      margin: this.margin,
      p: this.p,
      eps: this.eps,
      swap: this.swap,
      reduction: this.reduction,
    });
  }
}

/** Connectionist Temporal Classification loss (`nn.CTCLoss`). */
export class CTCLoss extends Loss {
  readonly blank: number;
  readonly zeroInfinity: boolean;
  constructor(opts: { blank?: number; reduction?: Reduction; zeroInfinity?: boolean } = {}) {
    super(opts.reduction);
    this.blank = opts.blank ?? 0;
    this.zeroInfinity = opts.zeroInfinity ?? false;
  }
  override forward(
    logProbs: Tensor,
    targets: Tensor,
    inputLengths: Tensor | readonly number[],
    targetLengths: Tensor | readonly number[],
  ): Tensor {
    return ctcLoss(logProbs, targets, inputLengths, targetLengths, {
      blank: this.blank,
      reduction: this.reduction,
      zeroInfinity: this.zeroInfinity,
    });
  }
}
