// Convolution layers: Conv1d/2d/3d (padding modes zeros, reflect, replicate, circular) and
// ConvTranspose1d/2d/3d, initialised as PyTorch does (kaiming_uniform_(a=sqrt(5)) weight, bias uniform
// in +-1/sqrt(fan_in), drawn in the same order, so the same seed gives PyTorch's values).
// The computation is in nn/functional/conv.ts.

import { Module, Parameter } from "../module.js";
import type { Tensor } from "../../tensor.js";
import type { DType } from "../../dtype.js";
import { empty } from "../../ops/creation.js";
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from "../init.js";
import { pad } from "../../ops/shape_ops.js";
import { fmtShape } from "../../shape.js";
import {
  conv1d,
  conv2d,
  conv3d,
  convTranspose1d,
  convTranspose2d,
  convTranspose3d,
  expandArg,
  type IntOrList,
} from "../functional/conv.js";
import { pyValue } from "./pyrepr.js";

/** How Conv layers pad their input. */
export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";

/** Options of Conv1d/2d/3d (PyTorch's arguments after `kernel_size`, plus factory options). */
export interface ConvLayerOptions {
  stride?: IntOrList;
  /** Padding on both sides of each spatial dim, or "valid" (none) / "same" (output size = input size). */
  padding?: IntOrList | "same" | "valid";
  dilation?: IntOrList;
  groups?: number;
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Padding values: zeros (default), reflect, replicate or circular. */
  paddingMode?: PaddingMode;
  dtype?: DType;
  device?: string;
}

/** Options of ConvTranspose1d/2d/3d. */
export interface ConvTransposeLayerOptions {
  stride?: IntOrList;
  padding?: IntOrList;
  outputPadding?: IntOrList;
  groups?: number;
  bias?: boolean;
  dilation?: IntOrList;
  /** Only "zeros" is supported, as in PyTorch. */
  paddingMode?: "zeros";
  dtype?: DType;
  device?: string;
}

const MODES = ["zeros", "reflect", "replicate", "circular"];

/** The shared state of Conv and ConvTranspose layers (PyTorch's `_ConvNd`). */
abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | "same" | "valid";
  readonly dilation: number[];
  readonly transposed: boolean;
  readonly outputPadding: number[];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  /** (out, in / groups, *k) for convolutions, (in, out / groups, *k) for transposed ones. */
  weight: Parameter;
  bias: Parameter | null;
  /** Padding for F.pad in the non-zeros padding modes: last dim first, (before, after) each. */
  protected readonly reversedPadding: number[];

  constructor(
    nsp: number,
    inChannels: number,
    outChannels: number,
    kernelSize: IntOrList,
    o: ConvLayerOptions & { outputPadding?: IntOrList },
    transposed: boolean,
  ) {
    super();
    const groups = o.groups ?? 1;
    if (!Number.isInteger(groups) || groups <= 0) throw new RangeError("groups must be a positive integer");
    if (inChannels % groups !== 0) throw new RangeError("in_channels must be divisible by groups");
    if (outChannels % groups !== 0) throw new RangeError("out_channels must be divisible by groups");
    const paddingMode = o.paddingMode ?? "zeros";
    if (!MODES.includes(paddingMode))
      throw new RangeError(
        `padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='${paddingMode}'`,
      );
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = expandArg("kernel_size", kernelSize, nsp);
    this.stride = expandArg("stride", o.stride ?? 1, nsp);
    this.dilation = expandArg("dilation", o.dilation ?? 1, nsp);
    const p = o.padding ?? 0;
    if (typeof p === "string") {
      if (p !== "same" && p !== "valid")
        throw new RangeError(`Invalid padding string '${String(p)}', should be one of ['valid', 'same']`);
      if (p === "same" && this.stride.some((s) => s !== 1))
        throw new RangeError("padding='same' is not supported for strided convolutions");
      this.padding = p;
    } else this.padding = expandArg("padding", p, nsp);
    this.transposed = transposed;
    this.outputPadding = expandArg("output_padding", o.outputPadding ?? 0, nsp);
    this.groups = groups;
    this.paddingMode = paddingMode;
    const shape = transposed
      ? [inChannels, outChannels / groups, ...this.kernelSize]
      : [outChannels, inChannels / groups, ...this.kernelSize];
    const factory = { dtype: o.dtype, device: o.device };
    this.weight = new Parameter(empty(shape, factory));
    this.bias = (o.bias ?? true) ? new Parameter(empty([outChannels], factory)) : null;
    // F.pad order: last spatial dim first; "same" splits d * (k - 1) with the extra zero after
    this.reversedPadding = [];
    for (let d = nsp - 1; d >= 0; d--) {
      if (this.padding === "valid") this.reversedPadding.push(0, 0);
      else if (this.padding === "same") {
        const total = this.dilation[d]! * (this.kernelSize[d]! - 1);
        this.reversedPadding.push(Math.floor(total / 2), total - Math.floor(total / 2));
      } else this.reversedPadding.push(this.padding[d]!, this.padding[d]!);
    }
    this.resetParameters();
  }

  /** Re-draw the weight and bias with PyTorch's default initialization. */
  resetParameters(): void {
    kaimingUniform_(this.weight, Math.sqrt(5));
    if (this.bias) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      if (fanIn !== 0) uniform_(this.bias, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn));
    }
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyValue(this.kernelSize)}, stride=${pyValue(this.stride)}`;
    if (typeof this.padding === "string") s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyValue(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyValue(this.dilation)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, output_padding=${pyValue(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    if (this.paddingMode !== "zeros") s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

type ConvFn = typeof conv2d;

/** A convolution layer of any dimensionality (the forward of Conv1d/2d/3d). */
abstract class ConvLayer extends ConvNd {
  protected abstract fn: ConvFn;
  constructor(nsp: number, inC: number, outC: number, k: IntOrList, o: ConvLayerOptions) {
    super(nsp, inC, outC, k, o, false);
  }
  /** Convolve input (N, C_in, *spatial) or unbatched (C_in, *spatial). */
  override forward(input: Tensor): Tensor {
    const common = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode !== "zeros")
      return this.fn(pad(input, this.reversedPadding, this.paddingMode), this.weight, this.bias, {
        ...common,
        padding: 0,
      });
    return this.fn(input, this.weight, this.bias, { ...common, padding: this.padding });
  }
}

/** 1-D convolution layer: input (N, C_in, L) -> (N, C_out, L_out) (`nn.Conv1d`). */
export class Conv1d extends ConvLayer {
  protected fn = conv1d;
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, opts: ConvLayerOptions = {}) {
    super(1, inChannels, outChannels, kernelSize, opts);
  }
}
/** 2-D convolution layer: input (N, C_in, H, W) -> (N, C_out, H_out, W_out) (`nn.Conv2d`). */
export class Conv2d extends ConvLayer {
  protected fn = conv2d;
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, opts: ConvLayerOptions = {}) {
    super(2, inChannels, outChannels, kernelSize, opts);
  }
}
/** 3-D convolution layer: input (N, C_in, D, H, W) -> (N, C_out, D_out, H_out, W_out) (`nn.Conv3d`). */
export class Conv3d extends ConvLayer {
  protected fn = conv3d;
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, opts: ConvLayerOptions = {}) {
    super(3, inChannels, outChannels, kernelSize, opts);
  }
}

type ConvTFn = typeof convTranspose2d;

/** A transposed convolution layer of any dimensionality. */
abstract class ConvTransposeLayer extends ConvNd {
  protected abstract fn: ConvTFn;
  constructor(nsp: number, inC: number, outC: number, k: IntOrList, o: ConvTransposeLayerOptions, name: string) {
    if ((o.paddingMode ?? "zeros") !== "zeros")
      throw new RangeError(`Only "zeros" padding mode is supported for ${name}`);
    super(nsp, inC, outC, k, o, true);
  }
  /**
   * The output padding giving `outputSize` (its spatial dims, or the full shape), as PyTorch's
   * `_output_padding`; the layer's own outputPadding when no size is asked for.
   */
  protected outputPaddingFor(input: Tensor, outputSize?: readonly number[]): number[] {
    if (!outputSize) return this.outputPadding;
    const nsp = this.kernelSize.length;
    const size = outputSize.length === nsp + 2 || outputSize.length === nsp + 1 ? outputSize.slice(-nsp) : outputSize;
    if (size.length !== nsp)
      throw new RangeError(
        `ConvTranspose${nsp}D: for ${input.ndim}D input, output_size must have ${nsp} or ${nsp + 2} elements (got ${outputSize.length})`,
      );
    const pads = this.padding as number[];
    return size.map((want, d) => {
      const L = input.shape[input.ndim - nsp + d]!;
      const min = (L - 1) * this.stride[d]! - 2 * pads[d]! + this.dilation[d]! * (this.kernelSize[d]! - 1) + 1;
      const max = min + this.stride[d]! - 1;
      if (want < min || want > max)
        throw new RangeError(
          `requested an output size of ${fmtShape(size)}, but valid sizes range from ${fmtShape(size.map((_, i) => (i === d ? min : want)))} to ${fmtShape(size.map((_, i) => (i === d ? max : want)))} (for an input of ${fmtShape(input.shape.slice(-nsp))})`,
        );
      return want - min;
    });
  }
  /** Transposed convolution of input (N, C_in, *spatial); `outputSize` picks among the possible output sizes. */
  override forward(input: Tensor, outputSize?: readonly number[]): Tensor {
    return this.fn(input, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding as number[],
      outputPadding: this.outputPaddingFor(input, outputSize),
      groups: this.groups,
      dilation: this.dilation,
    });
  }
}

/** 1-D transposed convolution layer (`nn.ConvTranspose1d`); weight (C_in, C_out / groups, k). */
export class ConvTranspose1d extends ConvTransposeLayer {
  protected fn = convTranspose1d;
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, opts: ConvTransposeLayerOptions = {}) {
    super(1, inChannels, outChannels, kernelSize, opts, "ConvTranspose1d");
  }
}
/** 2-D transposed convolution layer (`nn.ConvTranspose2d`); weight (C_in, C_out / groups, kH, kW). */
export class ConvTranspose2d extends ConvTransposeLayer {
  protected fn = convTranspose2d;
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, opts: ConvTransposeLayerOptions = {}) {
    super(2, inChannels, outChannels, kernelSize, opts, "ConvTranspose2d");
  }
}
/** 3-D transposed convolution layer (`nn.ConvTranspose3d`); weight (C_in, C_out / groups, kD, kH, kW). */
export class ConvTranspose3d extends ConvTransposeLayer {
  protected fn = convTranspose3d;
  constructor(inChannels: number, outChannels: number, kernelSize: IntOrList, opts: ConvTransposeLayerOptions = {}) {
    super(3, inChannels, outChannels, kernelSize, opts, "ConvTranspose3d");
  }
}
