// AdamW: Adam with decoupled weight decay (p ← p (1 − lr λ) before the Adam update), PyTorch 1.13's
// `_single_tensor_adamw`.

import { Tensor } from "../tensor.js";
import { num, Optimizer, stepTensor, withGrad, type ParamGroup, type Params } from "./optimizer.js";
import { adamState, adamUpdate, checkAdamLike, type AdamOptions } from "./adam.js";

/** AdamW (PyTorch's `torch.optim.AdamW`): weight decay (default 1e-2) shrinks the weights directly. */
export class AdamW extends Optimizer<AdamOptions> {
  /** `new AdamW(model.parameters(), { lr: 1e-3, weightDecay: 1e-2 })`. */
  constructor(params: Params<AdamOptions>, options: AdamOptions = {}) {
    super(
      "AdamW",
      params,
      { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false, ...options },
      { foreach: null, capturable: false },
    );
  }

  protected override validate(o: Record<string, unknown>): void {
    checkAdamLike("AdamW", o);
  }

  protected override paramShapedStateKeys(): string[] {
    return ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"];
  }

  protected updateGroup(group: ParamGroup): void {
    const [beta1, beta2] = group.betas as [number, number];
    const weightDecay = num(group, "weightDecay");
    for (const [p, g] of withGrad(group)) {
      const state = this.stateOf(p);
      adamState(state, p, Boolean(group.amsgrad));
      const grad = group.maximize ? g.neg() : g;
      const stepT = stepTensor(state);
      stepT.add_(1);
      p.mul_(1 - group.lr * weightDecay);
      (state.exp_avg as Tensor).mul_(beta1).add_(grad, { alpha: 1 - beta1 });
      (state.exp_avg_sq as Tensor).mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
      adamUpdate(p, state, group, stepT.item());
    }
  }
}
