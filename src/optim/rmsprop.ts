// RMSprop (centered, with momentum, weight decay, maximize): PyTorch 1.13's `_single_tensor_rmsprop`.

import { Tensor } from "../tensor.js";
import { zerosLike } from "../ops/creation.js";
import { check, num, Optimizer, withGrad, type ParamGroup, type Params } from "./optimizer.js";

/** Options of RMSprop. */
export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  maximize?: boolean;
}

/**
 * RMSprop (PyTorch's `torch.optim.RMSprop`): v ← α v + (1 − α) g², p ← p − lr g / (√v + eps); centered
 * subtracts the squared running mean of g from v, momentum accumulates g / (√v + eps) in a buffer.
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  /** `new RMSprop(model.parameters(), { lr: 1e-2, alpha: 0.99 })`. */
  constructor(params: Params<RMSpropOptions>, options: RMSpropOptions = {}) {
    super(
      "RMSprop",
      params,
      { lr: 1e-2, momentum: 0, alpha: 0.99, eps: 1e-8, centered: false, weightDecay: 0, maximize: false, ...options },
      { foreach: null, differentiable: false },
    );
  }

  protected override validate(o: Record<string, unknown>): void {
    check("RMSprop", o.lr, (v) => v >= 0, "learning rate");
    check("RMSprop", o.eps, (v) => v >= 0, "epsilon value");
    check("RMSprop", o.momentum, (v) => v >= 0, "momentum value");
    check("RMSprop", o.weightDecay, (v) => v >= 0, "weightDecay value");
    check("RMSprop", o.alpha, (v) => v >= 0, "alpha value");
  }

  protected override paramShapedStateKeys(): string[] {
    return ["square_avg", "momentum_buffer", "grad_avg"];
  }

  protected updateGroup(group: ParamGroup): void {
    const alpha = num(group, "alpha");
    const momentum = num(group, "momentum");
    const weightDecay = num(group, "weightDecay");
    for (const [p, g] of withGrad(group)) {
      const state = this.stateOf(p);
      if (Object.keys(state).length === 0) {
        state.step = 0;
        state.square_avg = zerosLike(p);
        if (momentum > 0) state.momentum_buffer = zerosLike(p);
        if (group.centered) state.grad_avg = zerosLike(p);
      }
      state.step = (state.step as number) + 1;
      let grad = group.maximize ? g.neg() : g;
      if (weightDecay !== 0) grad = grad.add(p, { alpha: weightDecay });
      const squareAvg = state.square_avg as Tensor;
      squareAvg.mul_(alpha).addcmul_(grad, grad, { value: 1 - alpha });
      let avg: Tensor;
      if (group.centered) {
        const gradAvg = state.grad_avg as Tensor;
        gradAvg.mul_(alpha).add_(grad, { alpha: 1 - alpha });
        avg = squareAvg.addcmul(gradAvg, gradAvg, { value: -1 }).sqrt_();
      } else avg = squareAvg.sqrt();
      avg = avg.add_(num(group, "eps"));
      if (momentum > 0) {
        const buf = state.momentum_buffer as Tensor;
        buf.mul_(momentum).addcdiv_(grad, avg);
        p.add_(buf, { alpha: -group.lr });
      } else p.addcdiv_(grad, avg, { value: -group.lr });
    }
  }
}
