// Dropout layers: active in training mode (`model.train()`), the identity in eval mode.

import type { Tensor } from "../../tensor.js";
import { Module } from "../module.js";
import { dropout, dropout2d } from "../functional/dropout.js";
import { pyBool, pyFloat } from "./pyrepr.js";

/** Shared settings of the dropout layers. */
abstract class DropoutNd extends Module {
  readonly p: number;
  readonly inplace: boolean;
  constructor(p = 0.5, inplace = false) {
    super();
    if (!(p >= 0 && p <= 1))
      throw new RangeError(`${new.target.name}: dropout probability has to be between 0 and 1, but got ${p}`);
    this.p = p;
    this.inplace = inplace;
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}

/** Zero elements with probability p while training, scaling the rest by 1 / (1 - p) (`nn.Dropout`). */
export class Dropout extends DropoutNd {
  override forward(input: Tensor): Tensor {
    return dropout(input, this.p, this.training, this.inplace);
  }
}

/** Zero whole channels of (N, C, H, W) input with probability p while training (`nn.Dropout2d`). */
export class Dropout2d extends DropoutNd {
  override forward(input: Tensor): Tensor {
    return dropout2d(input, this.p, this.training, this.inplace);
  }
}
