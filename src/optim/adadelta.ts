// Adadelta (rho, eps, weight decay, maximize): PyTorch 1.13's `_single_tensor_adadelta`.

import { Tensor } from "../tensor.js";
import { zerosLike } from "../ops/creation.js";
import { check, num, Optimizer, withGrad, type ParamGroup, type Params } from "./optimizer.js";

/** Options of Adadelta. */
export interface AdadeltaOptions {
  lr?: number;
  rho?: number;
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

/**
 * Adadelta (PyTorch's `torch.optim.Adadelta`): v ← ρ v + (1 − ρ) g², Δ = √(u + eps) / √(v + eps) · g,
 * u ← ρ u + (1 − ρ) Δ², p ← p − lr Δ.
 */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  /** `new Adadelta(model.parameters(), { lr: 1.0, rho: 0.9 })`. */
  constructor(params: Params<AdadeltaOptions>, options: AdadeltaOptions = {}) {
    super(
      "Adadelta",
      params,
      { lr: 1.0, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false, ...options },
      { foreach: null },
    );
  }

  protected override validate(o: Record<string, unknown>): void {
    check("Adadelta", o.lr, (v) => v >= 0, "learning rate");
    check("Adadelta", o.rho, (v) => v >= 0 && v <= 1, "rho value");
    check("Adadelta", o.eps, (v) => v >= 0, "epsilon value");
    check("Adadelta", o.weightDecay, (v) => v >= 0, "weightDecay value");
  }

  protected override paramShapedStateKeys(): string[] {
    return ["square_avg", "acc_delta"];
  }

  protected updateGroup(group: ParamGroup): void {
    const rho = num(group, "rho");
    const eps = num(group, "eps");
    const weightDecay = num(group, "weightDecay");
    for (const [p, g] of withGrad(group)) {
      const state = this.stateOf(p);
      if (Object.keys(state).length === 0) {
        state.step = 0;
        state.square_avg = zerosLike(p);
        state.acc_delta = zerosLike(p);
      }
      state.step = (state.step as number) + 1;
      let grad = group.maximize ? g.neg() : g;
      if (weightDecay !== 0) grad = grad.add(p, { alpha: weightDecay });
      const squareAvg = state.square_avg as Tensor;
      const accDelta = state.acc_delta as Tensor;
      squareAvg.mul_(rho).addcmul_(grad, grad, { value: 1 - rho });
      const std = squareAvg.add(eps).sqrt_();
      const delta = accDelta.add(eps).sqrt_().div_(std).mul_(grad);
      accDelta.mul_(rho).addcmul_(delta, delta, { value: 1 - rho });
      p.add_(delta, { alpha: -group.lr });
    }
  }
}
