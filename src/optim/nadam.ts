// NAdam (Adam with Nesterov momentum and momentum decay): PyTorch 1.13's `_single_tensor_nadam`.

import { Tensor } from "../tensor.js";
import { ones, zerosLike } from "../ops/creation.js";
import { check, num, Optimizer, stepTensor, withGrad, type ParamGroup, type Params } from "./optimizer.js";
import { checkAdamLike } from "./adam.js";

/** Options of NAdam. */
export interface NAdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  momentumDecay?: number;
}

/** A JS number as the scalar operand of an op on `t`: PyTorch rounds it to float32 for a float32 tensor. */
function scalarFor(t: Tensor, x: number): number {
  return t.dtype === "float32" ? Math.fround(x) : x;
}

/**
 * NAdam (PyTorch's `torch.optim.NAdam`): μₜ = β₁ (1 − ½ · 0.96^(t ψ)), and the update mixes the gradient
 * and the first moment with weights from the running product of μ (`mu_product`, a 0-dim tensor of
 * the default dtype, as in PyTorch).
 */
export class NAdam extends Optimizer<NAdamOptions> {
  /** `new NAdam(model.parameters(), { lr: 2e-3, momentumDecay: 4e-3 })`. */
  constructor(params: Params<NAdamOptions>, options: NAdamOptions = {}) {
    super(
      "NAdam",
      params,
      { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, ...options },
      { foreach: null },
    );
  }

  protected override validate(o: Record<string, unknown>): void {
    checkAdamLike("NAdam", o);
    check("NAdam", o.momentumDecay, (v) => v >= 0, "momentumDecay value");
  }

  protected override paramShapedStateKeys(): string[] {
    return ["exp_avg", "exp_avg_sq"];
  }

  protected updateGroup(group: ParamGroup): void {
    const [beta1, beta2] = group.betas as [number, number];
    const weightDecay = num(group, "weightDecay");
    const momentumDecay = num(group, "momentumDecay");
    const lr = group.lr;
    for (const [p, g] of withGrad(group)) {
      const state = this.stateOf(p);
      if (Object.keys(state).length === 0) {
        state.step = stepTensor(state);
        state.mu_product = ones([]);
        state.exp_avg = zerosLike(p);
        state.exp_avg_sq = zerosLike(p);
      }
      const stepT = stepTensor(state);
      stepT.add_(1);
      const step = stepT.item();
      const biasCorrection2 = 1 - beta2 ** step;
      let grad = g;
      if (weightDecay !== 0) grad = grad.add(p, { alpha: weightDecay });
      // momentum cache μₜ and μₜ₊₁
      const mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentumDecay));
      const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentumDecay));
      const muProduct = state.mu_product as Tensor;
      muProduct.mul_(scalarFor(muProduct, mu));
      const muProductNext = muProduct.mul(scalarFor(muProduct, mu)).mul(scalarFor(muProduct, muNext));
      const expAvg = state.exp_avg as Tensor;
      const expAvgSq = state.exp_avg_sq as Tensor;
      expAvg.mul_(beta1).add_(grad, { alpha: 1 - beta1 });
      expAvgSq.mul_(beta2).addcmul_(grad, grad, { value: 1 - beta2 });
      const denom = expAvgSq.div(biasCorrection2).sqrt().add_(num(group, "eps"));
      p.addcdiv_(grad, denom, { value: (-lr * (1 - mu)) / (1 - muProduct.item()) });
      p.addcdiv_(expAvg, denom, { value: (-lr * muNext) / (1 - muProductNext.item()) });
    }
  }
}
