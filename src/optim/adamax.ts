// Adamax (Adam with the infinity norm): PyTorch 1.13's `_single_tensor_adamax`.

import { Tensor } from "../tensor.js";
import { zerosLike } from "../ops/creation.js";
import { num, Optimizer, stepTensor, withGrad, type ParamGroup, type Params } from "./optimizer.js";
import { checkAdamLike } from "./adam.js";

/** Options of Adamax. */
export interface AdamaxOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

/**
 * Adamax (PyTorch's `torch.optim.Adamax`): m ← β₁ m + (1 − β₁) g, u ← max(β₂ u, |g| + eps),
 * p ← p − lr/(1 − β₁ᵗ) · m / u.
 */
export class Adamax extends Optimizer<AdamaxOptions> {
  /** `new Adamax(model.parameters(), { lr: 2e-3 })`. */
  constructor(params: Params<AdamaxOptions>, options: AdamaxOptions = {}) {
    super(
      "Adamax",
      params,
      { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false, ...options },
      { foreach: null },
    );
  }

  protected override validate(o: Record<string, unknown>): void {
    checkAdamLike("Adamax", o);
  }

  protected override paramShapedStateKeys(): string[] {
    return ["exp_avg", "exp_inf"];
  }

  protected updateGroup(group: ParamGroup): void {
    const [beta1, beta2] = group.betas as [number, number];
    const weightDecay = num(group, "weightDecay");
    for (const [p, g] of withGrad(group)) {
      const state = this.stateOf(p);
      if (Object.keys(state).length === 0) {
        state.step = stepTensor(state);
        state.exp_avg = zerosLike(p);
        state.exp_inf = zerosLike(p);
      }
      let grad = group.maximize ? g.neg() : g;
      const stepT = stepTensor(state);
      stepT.add_(1);
      const step = stepT.item();
      if (weightDecay !== 0) grad = grad.add(p, { alpha: weightDecay });
      const expAvg = state.exp_avg as Tensor;
      const expInf = state.exp_inf as Tensor;
      expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
      // PyTorch takes amax over the stacked pair [β₂ u, |g| + eps]: the elementwise maximum
      expInf.mul_(beta2).maximum_(grad.abs().add_(num(group, "eps")));
      const clr = group.lr / (1 - beta1 ** step);
      p.addcdiv_(expAvg, expInf, { value: -clr });
    }
  }
}
