// Activation layers: thin modules over nn.functional's activations, with PyTorch's constructor
// arguments and reprs (`LeakyReLU(negative_slope=0.01)`, `Softmax(dim=1)`). PReLU owns a parameter.

import type { Tensor } from "../../tensor.js";
import { getDefaultDtype } from "../../dtype.js";
import { full } from "../../ops/creation.js";
import { Module, Parameter } from "../module.js";
import * as F from "../functional/activation.js";
import { pyFloat } from "./pyrepr.js";
import type { FactoryOptions } from "./linear.js";

const inplaceOnly = (inplace: boolean) => (inplace ? "inplace=True" : "");
const inplaceSuffix = (inplace: boolean) => (inplace ? ", inplace=True" : "");

/** max(x, 0) (`nn.ReLU`). */
export class ReLU extends Module {
  constructor(readonly inplace = false) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return F.relu(input, this.inplace);
  }
  override extraRepr(): string {
    return inplaceOnly(this.inplace);
  }
}

/** clamp(x, minVal, maxVal) (`nn.Hardtanh`). */
export class Hardtanh extends Module {
  constructor(
    readonly minVal = -1,
    readonly maxVal = 1,
    readonly inplace = false,
  ) {
    super();
    if (maxVal <= minVal)
      throw new RangeError(`Hardtanh: max_val (${maxVal}) must be greater than min_val (${minVal})`);
  }
  override forward(input: Tensor): Tensor {
    return F.hardtanh(input, this.minVal, this.maxVal, this.inplace);
  }
  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}${inplaceSuffix(this.inplace)}`;
  }
}

/** min(max(x, 0), 6) (`nn.ReLU6`). */
export class ReLU6 extends Hardtanh {
  constructor(inplace = false) {
    super(0, 6, inplace);
  }
  override forward(input: Tensor): Tensor {
    return F.relu6(input, this.inplace);
  }
  override extraRepr(): string {
    return inplaceOnly(this.inplace);
  }
}

/** x for x > 0, negativeSlope * x otherwise (`nn.LeakyReLU`). */
export class LeakyReLU extends Module {
  constructor(
    readonly negativeSlope = 0.01,
    readonly inplace = false,
  ) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return F.leakyRelu(input, this.negativeSlope, this.inplace);
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${inplaceSuffix(this.inplace)}`;
  }
}

/** Leaky ReLU with a learned slope, shared or one per channel (`nn.PReLU`). */
export class PReLU extends Module {
  readonly numParameters: number;
  /** (numParameters), filled with `init` (0.25). */
  weight: Parameter;
  /** `new nn.PReLU(numParameters = 1, init = 0.25)`. */
  constructor(numParameters = 1, init = 0.25, opts: FactoryOptions = {}) {
    super();
    this.numParameters = numParameters;
    this.weight = new Parameter(
      full([numParameters], init, { dtype: opts.dtype ?? getDefaultDtype(), device: opts.device }),
    );
  }
  override forward(input: Tensor): Tensor {
    return F.prelu(input, this.weight);
  }
  override extraRepr(): string {
    return `num_parameters=${this.numParameters}`;
  }
}

/** ELU (`nn.ELU`). */
export class ELU extends Module {
  constructor(
    readonly alpha = 1,
    readonly inplace = false,
  ) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return F.elu(input, this.alpha, this.inplace);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${inplaceSuffix(this.inplace)}`;
  }
}

/** CELU (`nn.CELU`). */
export class CELU extends Module {
  constructor(
    readonly alpha = 1,
    readonly inplace = false,
  ) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return F.celu(input, this.alpha, this.inplace);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${inplaceSuffix(this.inplace)}`;
  }
}

/** SELU (`nn.SELU`). */
export class SELU extends Module {
  constructor(readonly inplace = false) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return F.selu(input, this.inplace);
  }
  override extraRepr(): string {
    return inplaceOnly(this.inplace);
  }
}

/** GELU, exact or `"tanh"`-approximated (`nn.GELU`). */
export class GELU extends Module {
  constructor(readonly approximate: "none" | "tanh" = "none") {
    super();
  }
  override forward(input: Tensor): Tensor {
    return F.gelu(input, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** x * sigmoid(x) (`nn.SiLU`). */
export class SiLU extends Module {
  constructor(readonly inplace = false) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return F.silu(input, this.inplace);
  }
  override extraRepr(): string {
    return inplaceOnly(this.inplace);
  }
}

/** x * tanh(softplus(x)) (`nn.Mish`). */
export class Mish extends Module {
  constructor(readonly inplace = false) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return F.mish(input, this.inplace);
  }
  override extraRepr(): string {
    return inplaceOnly(this.inplace);
  }
}

/** 1 / (1 + e^-x) (`nn.Sigmoid`). */
export class Sigmoid extends Module {
  override forward(input: Tensor): Tensor {
    return F.sigmoid(input);
  }
}

/** tanh(x) (`nn.Tanh`). */
export class Tanh extends Module {
  override forward(input: Tensor): Tensor {
    return F.tanh(input);
  }
}

/** log(sigmoid(x)) (`nn.LogSigmoid`). */
export class LogSigmoid extends Module {
  override forward(input: Tensor): Tensor {
    return F.logsigmoid(input);
  }
}

/** log(1 + e^(beta x)) / beta, linear above threshold (`nn.Softplus`). */
export class Softplus extends Module {
  constructor(
    readonly beta = 1,
    readonly threshold = 20,
  ) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return F.softplus(input, this.beta, this.threshold);
  }
  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/** x * relu6(x + 3) / 6 (`nn.Hardswish`). */
export class Hardswish extends Module {
  constructor(readonly inplace = false) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return F.hardswish(input, this.inplace);
  }
}

/** relu6(x + 3) / 6 (`nn.Hardsigmoid`). */
export class Hardsigmoid extends Module {
  constructor(readonly inplace = false) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return F.hardsigmoid(input, this.inplace);
  }
}

/** Shared shape of Softmax, LogSoftmax and Softmin: a dim (null: PyTorch's legacy choice). */
abstract class SoftmaxLike extends Module {
  constructor(readonly dim: number | null = null) {
    super();
  }
  override extraRepr(): string {
    return `dim=${this.dim === null ? "None" : this.dim}`;
  }
}

/** softmax along `dim` (`nn.Softmax`). */
export class Softmax extends SoftmaxLike {
  override forward(input: Tensor): Tensor {
    return F.softmax(input, this.dim);
  }
}

/** log(softmax) along `dim` (`nn.LogSoftmax`). */
export class LogSoftmax extends SoftmaxLike {
  override forward(input: Tensor): Tensor {
    return F.logSoftmax(input, this.dim);
  }
}

/** softmax(-x) along `dim` (`nn.Softmin`). */
export class Softmin extends SoftmaxLike {
  override forward(input: Tensor): Tensor {
    return F.softmin(input, this.dim);
  }
}

/** a * sigmoid(b) for the halves a, b of the input along `dim` (`nn.GLU`). */
export class GLU extends Module {
  constructor(readonly dim = -1) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return F.glu(input, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
