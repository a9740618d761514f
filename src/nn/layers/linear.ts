// Linear maps as layers: Linear, Bilinear and Identity, initialised exactly as PyTorch does
// (Linear: kaiming_uniform_(a = sqrt(5)) weight and U(-1/sqrt(fan_in), 1/sqrt(fan_in)) bias).

import type { Tensor } from "../../tensor.js";
import type { DType } from "../../dtype.js";
import { empty } from "../../ops/creation.js";
import { Module, Parameter } from "../module.js";
import { bilinear, linear } from "../functional/linear.js";
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from "../init.js";
import { pyBool } from "./pyrepr.js";

/** Options of the layers that own parameters: their dtype and device. */
export interface FactoryOptions {
  dtype?: DType | string;
  device?: string;
}

/** y = x W^T + b with W (out, in) and b (out) (`nn.Linear`). */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** (outFeatures, inFeatures). */
  weight: Parameter;
  /** (outFeatures), or null with `bias: false`. */
  bias: Parameter | null;

  /** `new nn.Linear(inFeatures, outFeatures, { bias: false })`. */
  constructor(inFeatures: number, outFeatures: number, opts: FactoryOptions & { bias?: boolean } = {}) {
    super();
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const f = { dtype: opts.dtype, device: opts.device };
    this.weight = new Parameter(empty([outFeatures, inFeatures], f));
    this.bias = (opts.bias ?? true) ? new Parameter(empty([outFeatures], f)) : null;
    this.resetParameters();
  }

  /** Re-draw the parameters with PyTorch's default init. */
  resetParameters(): void {
    kaimingUniform_(this.weight, Math.sqrt(5));
    if (this.bias) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  override forward(input: Tensor): Tensor {
    return linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** y = x1^T A x2 + b with A (out, in1, in2) (`nn.Bilinear`). */
export class Bilinear extends Module {
  readonly in1Features: number;
  readonly in2Features: number;
  readonly outFeatures: number;
  /** (outFeatures, in1Features, in2Features). */
  weight: Parameter;
  /** (outFeatures), or null with `bias: false`. */
  bias: Parameter | null;

  /** `new nn.Bilinear(in1, in2, out, { bias })`. */
  constructor(
    in1Features: number,
    in2Features: number,
    outFeatures: number,
    opts: FactoryOptions & { bias?: boolean } = {},
  ) {
    super();
    this.in1Features = in1Features;
    this.in2Features = in2Features;
    this.outFeatures = outFeatures;
    const f = { dtype: opts.dtype, device: opts.device };
    this.weight = new Parameter(empty([outFeatures, in1Features, in2Features], f));
    this.bias = (opts.bias ?? true) ? new Parameter(empty([outFeatures], f)) : null;
    this.resetParameters();
  }

  /** U(-1/sqrt(in1), 1/sqrt(in1)) for weight and bias, as PyTorch. */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.weight.shape[1]!);
    uniform_(this.weight, -bound, bound);
    if (this.bias) uniform_(this.bias, -bound, bound);
  }

  override forward(input1: Tensor, input2: Tensor): Tensor {
    return bilinear(input1, input2, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** Returns its input unchanged; constructor arguments are ignored (`nn.Identity`). */
export class Identity extends Module {
  /** Arguments are accepted and ignored, as in PyTorch. */
  constructor(..._args: unknown[]) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return input;
  }
}
