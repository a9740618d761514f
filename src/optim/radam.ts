// RAdam (rectified Adam): PyTorch 1.13's `_single_tensor_radam`.

import { Tensor } from "../tensor.js";
import { zerosLike } from "../ops/creation.js";
import { div } from "../ops/elementwise.js";
import { num, Optimizer, stepTensor, withGrad, type ParamGroup, type Params } from "./optimizer.js";
import { checkAdamLike } from "./adam.js";

/** Options of RAdam. */
export interface RAdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/**
 * RAdam (PyTorch's `torch.optim.RAdam`): while the variance of the adaptive term is intractable
 * (ρₜ ≤ 5) it takes a plain bias-corrected momentum step, then the Adam step times the rectification r.
 */
export class RAdam extends Optimizer<RAdamOptions> {
  /** `new RAdam(model.parameters(), { lr: 1e-3 })`. */
  constructor(params: Params<RAdamOptions>, options: RAdamOptions = {}) {
    super("RAdam", params, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, ...options }, { foreach: null });
  }

  protected override validate(o: Record<string, unknown>): void {
    checkAdamLike("RAdam", o);
  }

  protected override paramShapedStateKeys(): string[] {
    return ["exp_avg", "exp_avg_sq"];
  }

  protected updateGroup(group: ParamGroup): void {
    const [beta1, beta2] = group.betas as [number, number];
    const weightDecay = num(group, "weightDecay");
    const lr = group.lr;
    for (const [p, g] of withGrad(group)) {
      const state = this.stateOf(p);
      if (Object.keys(state).length === 0) {
        state.step = stepTensor(state);
        state.exp_avg = zerosLike(p);
        state.exp_avg_sq = zerosLike(p);
      }
      const stepT = stepTensor(state);
      stepT.add_(1);
      const step = stepT.item();
      const biasCorrection1 = 1 - beta1 ** step;
      const biasCorrection2 = 1 - beta2 ** step;
      let grad = g;
      if (weightDecay !== 0) grad = grad.add(p, { alpha: weightDecay });
      const expAvg = state.exp_avg as Tensor;
      const expAvgSq = state.exp_avg_sq as Tensor;
      expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
      expAvgSq.mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
      const biasCorrectedExpAvg = expAvg.div(biasCorrection1);
      // maximum length of the approximated SMA, and its length at this step
      const rhoInf = 2 / (1 - beta2) - 1;
      const rhoT = rhoInf - (2 * step * beta2 ** step) / biasCorrection2;
      if (rhoT > 5) {
        const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
        const adaptiveLr = div(Math.sqrt(biasCorrection2), expAvgSq.sqrt().add_(num(group, "eps")));
        p.add_(biasCorrectedExpAvg.mul(lr).mul(adaptiveLr).mul(rect), { alpha: -1.0 });
      } else p.add_(biasCorrectedExpAvg.mul(lr), { alpha: -1.0 });
    }
  }
}
