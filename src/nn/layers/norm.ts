// Normalization layers: BatchNorm1d/2d/3d, InstanceNorm1d/2d, LayerNorm, GroupNorm, RMSNorm. Parameters
// and buffers carry PyTorch's names (weight, bias, running_mean, running_var, num_batches_tracked), so
// state dicts interoperate; BatchNorm with momentum null keeps a cumulative average, as PyTorch does.
// The computation is in nn/functional/norm.ts.

import { Module, Parameter } from "../module.js";
import type { Tensor } from "../../tensor.js";
import type { DType } from "../../dtype.js";
import { ones, zeros } from "../../ops/creation.js";
import { add } from "../../ops/elementwise.js";
import { copy_ } from "../../ops/inplace.js";
import { squeeze, unsqueeze } from "../../ops/views.js";
import { noGrad } from "../../autograd/gradmode.js";
import { batchNorm, groupNorm, instanceNorm, layerNorm, rmsNorm, type NormalizedShape } from "../functional/norm.js";
import { pyBool, pyFloat, pyValue } from "./pyrepr.js";

/** Options of BatchNorm and InstanceNorm layers (PyTorch's arguments after `num_features`). */
export interface NormLayerOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of each batch in the running statistics (default 0.1); null: cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel weight and bias. */
  affine?: boolean;
  /** Keep running statistics (used in eval mode). */
  trackRunningStats?: boolean;
  dtype?: DType;
  device?: string;
}

/** State shared by BatchNorm and InstanceNorm (PyTorch's `_NormBase`). */
abstract class NormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  /** Per-channel scale (ones), or null without affine. */
  weight: Parameter | null;
  /** Per-channel shift (zeros), or null without affine. */
  bias: Parameter | null;
  /** Running mean per channel (a buffer), or null without running statistics. */
  declare running_mean: Tensor | null;
  /** Running (unbiased) variance per channel (a buffer), or null. */
  declare running_var: Tensor | null;
  /** Number of training batches seen (an int64 0-dim buffer), or null. */
  declare num_batches_tracked: Tensor | null;

  constructor(numFeatures: number, o: NormLayerOptions, defaults: { affine: boolean; track: boolean }) {
    super();
    this.numFeatures = numFeatures;
    this.eps = o.eps ?? 1e-5;
    this.momentum = o.momentum === undefined ? 0.1 : o.momentum;
    this.affine = o.affine ?? defaults.affine;
    this.trackRunningStats = o.trackRunningStats ?? defaults.track;
    const f = { dtype: o.dtype, device: o.device };
    this.weight = this.affine ? new Parameter(ones([numFeatures], f)) : null;
    this.bias = this.affine ? new Parameter(zeros([numFeatures], f)) : null;
    const track = this.trackRunningStats;
    this.registerBuffer("running_mean", track ? zeros([numFeatures], f) : null);
    this.registerBuffer("running_var", track ? ones([numFeatures], f) : null);
    this.registerBuffer("num_batches_tracked", track ? zeros([], { dtype: "int64", device: o.device }) : null);
  }

  /** camelCase alias of running_mean. */
  get runningMean(): Tensor | null {
    return this.running_mean;
  }
  /** camelCase alias of running_var. */
  get runningVar(): Tensor | null {
    return this.running_var;
  }
  /** camelCase alias of num_batches_tracked. */
  get numBatchesTracked(): Tensor | null {
    return this.num_batches_tracked;
  }

  /** Reset the running statistics (mean 0, variance 1, no batches seen). */
  resetRunningStats(): void {
    if (!this.trackRunningStats) return;
    noGrad(() => {
      this.running_mean!.zero_();
      this.running_var!.fill_(1);
      this.num_batches_tracked!.zero_();
    });
  }
  /** Reset the running statistics and the affine parameters (weight 1, bias 0). */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.affine)
      noGrad(() => {
        this.weight!.fill_(1);
        this.bias!.zero_();
      });
  }

  override extraRepr(): string {
    const m = this.momentum === null ? "None" : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${m}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/** Batch normalization over dim 1 (PyTorch's `_BatchNorm`); subclasses check the input's dims. */
abstract class BatchNormNd extends NormBase {
  constructor(numFeatures: number, o: NormLayerOptions) {
    super(numFeatures, o, { affine: true, track: true });
  }
  protected abstract checkInputDim(input: Tensor): void;
  /** Normalize with batch statistics in training (updating the running ones), running ones in eval. */
  override forward(input: Tensor): Tensor {
    this.checkInputDim(input);
    let factor = this.momentum ?? 0.0;
    if (this.training && this.trackRunningStats && this.num_batches_tracked) {
      const nbt = this.num_batches_tracked;
      noGrad(() => copy_(nbt, add(nbt, 1)));
      factor = this.momentum === null ? 1.0 / nbt.item() : this.momentum;
    }
    const bnTraining = this.training || (this.running_mean === null && this.running_var === null);
    const useRunning = !this.training || this.trackRunningStats;
    return batchNorm(
      input,
      useRunning ? this.running_mean : null,
      useRunning ? this.running_var : null,
      this.weight,
      this.bias,
      { training: bnTraining, momentum: factor, eps: this.eps },
    );
  }
}

/** Batch normalization of (N, C) or (N, C, L) inputs (`nn.BatchNorm1d`). */
export class BatchNorm1d extends BatchNormNd {
  constructor(numFeatures: number, opts: NormLayerOptions = {}) {
    super(numFeatures, opts);
  }
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 2 && input.ndim !== 3)
      throw new RangeError(`expected 2D or 3D input (got ${input.ndim}D input)`);
  }
}
/** Batch normalization of (N, C, H, W) inputs (`nn.BatchNorm2d`). */
export class BatchNorm2d extends BatchNormNd {
  constructor(numFeatures: number, opts: NormLayerOptions = {}) {
    super(numFeatures, opts);
  }
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 4) throw new RangeError(`expected 4D input (got ${input.ndim}D input)`);
  }
}
/** Batch normalization of (N, C, D, H, W) inputs (`nn.BatchNorm3d`). */
export class BatchNorm3d extends BatchNormNd {
  constructor(numFeatures: number, opts: NormLayerOptions = {}) {
    super(numFeatures, opts);
  }
  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 5) throw new RangeError(`expected 5D input (got ${input.ndim}D input)`);
  }
}

/** Instance normalization (PyTorch's `_InstanceNorm`): affine and running statistics off by default. */
abstract class InstanceNormNd extends NormBase {
  constructor(
    numFeatures: number,
    o: NormLayerOptions,
    private readonly spatialDims: number,
  ) {
    super(numFeatures, o, { affine: false, track: false });
  }
  /** Normalize each (sample, channel) plane; unbatched inputs (C, *spatial) are accepted. */
  override forward(input: Tensor): Tensor {
    const nsp = this.spatialDims;
    if (input.ndim !== nsp + 1 && input.ndim !== nsp + 2)
      throw new RangeError(`expected ${nsp + 1}D or ${nsp + 2}D input (got ${input.ndim}D input)`);
    const featureDim = input.ndim - (nsp + 1);
    if (input.shape[featureDim] !== this.numFeatures && this.affine)
      throw new RangeError(
        `expected input's size at dim=${featureDim} to match num_features (${this.numFeatures}), but got: ${input.shape[featureDim]}.`,
      );
    const batched = input.ndim === nsp + 2;
    const x = batched ? input : unsqueeze(input, 0);
    const y = instanceNorm(x, this.running_mean, this.running_var, this.weight, this.bias, {
      useInputStats: this.training || !this.trackRunningStats,
      momentum: this.momentum ?? 0.1,
      eps: this.eps,
    });
    return batched ? y : squeeze(y, 0);
  }
}

/** Instance normalization of (N, C, L) or (C, L) inputs (`nn.InstanceNorm1d`). */
export class InstanceNorm1d extends InstanceNormNd {
  constructor(numFeatures: number, opts: NormLayerOptions = {}) {
    super(numFeatures, opts, 1);
  }
}
/** Instance normalization of (N, C, H, W) or (C, H, W) inputs (`nn.InstanceNorm2d`). */
export class InstanceNorm2d extends InstanceNormNd {
  constructor(numFeatures: number, opts: NormLayerOptions = {}) {
    super(numFeatures, opts, 2);
  }
}

/** Options of LayerNorm and RMSNorm. */
export interface LayerNormOptions {
  /** Added to the variance (LayerNorm default 1e-5; RMSNorm default null: the dtype's epsilon). */
  eps?: number | null;
  /** Learn an elementwise weight (and, for LayerNorm, bias) of the normalized shape. */
  elementwiseAffine?: boolean;
  /** LayerNorm: learn the bias too (default true; false keeps only the weight). */
  bias?: boolean;
  dtype?: DType;
  device?: string;
}

const shapeOf = (s: NormalizedShape): number[] => (typeof s === "number" ? [s] : [...s]);

/** Layer normalization over the trailing `normalizedShape` dims (`nn.LayerNorm`). */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  /** Elementwise scale (ones), or null without elementwiseAffine. */
  weight: Parameter | null;
  /** Elementwise shift (zeros), or null. */
  bias: Parameter | null;
  constructor(normalizedShape: NormalizedShape, opts: LayerNormOptions = {}) {
    super();
    this.normalizedShape = shapeOf(normalizedShape);
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    const f = { dtype: opts.dtype, device: opts.device };
    this.weight = this.elementwiseAffine ? new Parameter(ones(this.normalizedShape, f)) : null;
    this.bias = this.elementwiseAffine && (opts.bias ?? true) ? new Parameter(zeros(this.normalizedShape, f)) : null;
  }
  override forward(input: Tensor): Tensor {
    return layerNorm(input, this.normalizedShape, this.weight, this.bias, this.eps);
  }
  override extraRepr(): string {
    return `${pyValue(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

/** Options of GroupNorm. */
export interface GroupNormOptions {
  eps?: number;
  /** Learn a per-channel weight and bias (default true). */
  affine?: boolean;
  dtype?: DType;
  device?: string;
}

/** Group normalization: channels split into numGroups groups, each normalized (`nn.GroupNorm`). */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  /** Per-channel scale (ones), or null without affine. */
  weight: Parameter | null;
  /** Per-channel shift (zeros), or null. */
  bias: Parameter | null;
  constructor(numGroups: number, numChannels: number, opts: GroupNormOptions = {}) {
    super();
    if (numChannels % numGroups !== 0) throw new RangeError("num_channels must be divisible by num_groups");
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = opts.eps ?? 1e-5;
    this.affine = opts.affine ?? true;
    const f = { dtype: opts.dtype, device: opts.device };
    this.weight = this.affine ? new Parameter(ones([numChannels], f)) : null;
    this.bias = this.affine ? new Parameter(zeros([numChannels], f)) : null;
  }
  override forward(input: Tensor): Tensor {
    return groupNorm(input, this.numGroups, this.weight, this.bias, this.eps);
  }
  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}

/**
 * Root-mean-square normalization over the trailing dims: x / sqrt(mean(x^2) + eps) * weight
 * (`nn.RMSNorm` of PyTorch 2.4; eps null uses the input dtype's machine epsilon).
 */
export class RMSNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number | null;
  readonly elementwiseAffine: boolean;
  /** Elementwise scale (ones), or null without elementwiseAffine. */
  weight: Parameter | null;
  constructor(normalizedShape: NormalizedShape, opts: Omit<LayerNormOptions, "bias"> = {}) {
    super();
    this.normalizedShape = shapeOf(normalizedShape);
    this.eps = opts.eps ?? null;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    this.weight = this.elementwiseAffine
      ? new Parameter(ones(this.normalizedShape, { dtype: opts.dtype, device: opts.device }))
      : null;
  }
  override forward(input: Tensor): Tensor {
    return rmsNorm(input, this.normalizedShape, this.weight, this.eps);
  }
  override extraRepr(): string {
    const e = this.eps === null ? "None" : pyFloat(this.eps);
    return `${pyValue(this.normalizedShape)}, eps=${e}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}
