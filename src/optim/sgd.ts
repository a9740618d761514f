// SGD with momentum, dampening, Nesterov momentum, weight decay and maximize: PyTorch 1.13's
// single-tensor `_single_tensor_sgd`, step for step.

import { Tensor } from "../tensor.js";
import { check, num, Optimizer, withGrad, type ParamGroup, type Params } from "./optimizer.js";

/** Options of SGD (`lr` is required, here or in every parameter group). */
export interface SGDOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}

/**
 * Stochastic gradient descent (PyTorch's `torch.optim.SGD`). With momentum μ the buffer is
 * b ← μ b + (1 − dampening) g (b₁ = g) and the update p ← p − lr b (Nesterov: p ← p − lr (g + μ b)).
 */
export class SGD extends Optimizer<SGDOptions> {
  /** `new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 })`, or parameter groups with their own options. */
  constructor(params: Params<SGDOptions>, options: SGDOptions = {}) {
    super(
      "SGD",
      params,
      { lr: undefined, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...options },
      { foreach: null, differentiable: false },
    );
  }

  protected override validate(o: Record<string, unknown>): void {
    check("SGD", o.lr, (v) => v >= 0, "learning rate");
    check("SGD", o.momentum, (v) => v >= 0, "momentum value");
    check("SGD", o.weightDecay, (v) => v >= 0, "weightDecay value");
    if (o.nesterov && !((o.momentum as number) > 0 && o.dampening === 0))
      throw new RangeError("SGD: Nesterov momentum requires a momentum and zero dampening");
  }

  protected override paramShapedStateKeys(): string[] {
    return ["momentum_buffer"];
  }

  protected updateGroup(group: ParamGroup): void {
    const lr = group.lr;
    const momentum = num(group, "momentum");
    const dampening = num(group, "dampening");
    const weightDecay = num(group, "weightDecay");
    for (const [p, grad] of withGrad(group)) {
      const state = this.stateOf(p);
      let dp = group.maximize ? grad.neg() : grad;
      if (weightDecay !== 0) dp = dp.add(p, { alpha: weightDecay });
      let buf = (state.momentum_buffer as Tensor | null | undefined) ?? null;
      if (momentum !== 0) {
        if (buf === null) buf = dp.clone().detach();
        else buf.mul_(momentum).add_(dp, { alpha: 1 - dampening });
        dp = group.nesterov ? dp.add(buf, { alpha: momentum }) : buf;
      }
      p.add_(dp, { alpha: -lr });
      state.momentum_buffer = buf;
    }
  }
}
