// Adagrad (lr decay, initial accumulator value, weight decay, maximize): PyTorch 1.13's
// `_single_tensor_adagrad`, dense gradients only.

import { Tensor } from "../tensor.js";
import { fullLike } from "../ops/creation.js";
import { check, num, Optimizer, stepTensor, withGrad, type ParamGroup, type Params } from "./optimizer.js";

/** Options of Adagrad. */
export interface AdagradOptions {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  maximize?: boolean;
}

/**
 * Adagrad (PyTorch's `torch.optim.Adagrad`): s ← s + g², p ← p − clr g / (√s + eps) with
 * clr = lr / (1 + (t − 1) lrDecay). State is created for every parameter up front, as in PyTorch.
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  /** `new Adagrad(model.parameters(), { lr: 1e-2 })`. */
  constructor(params: Params<AdagradOptions>, options: AdagradOptions = {}) {
    super(
      "Adagrad",
      params,
      { lr: 1e-2, lrDecay: 0, eps: 1e-10, weightDecay: 0, initialAccumulatorValue: 0, maximize: false, ...options },
      { foreach: null },
    );
    for (const group of this.paramGroups) for (const p of group.params) this.initState(group, p);
  }

  private initState(group: ParamGroup, p: Tensor): void {
    const state = this.stateOf(p);
    if (state.sum) return;
    state.step = stepTensor({});
    state.sum = fullLike(p, num(group, "initialAccumulatorValue"));
  }

  protected override validate(o: Record<string, unknown>): void {
    check("Adagrad", o.lr, (v) => v >= 0, "learning rate");
    check("Adagrad", o.lrDecay, (v) => v >= 0, "lrDecay value");
    check("Adagrad", o.weightDecay, (v) => v >= 0, "weightDecay value");
    check("Adagrad", o.initialAccumulatorValue, (v) => v >= 0, "initialAccumulatorValue value");
    check("Adagrad", o.eps, (v) => v >= 0, "epsilon value");
  }

  protected override paramShapedStateKeys(): string[] {
    return ["sum"];
  }

  protected updateGroup(group: ParamGroup): void {
    const weightDecay = num(group, "weightDecay");
    for (const [p, g] of withGrad(group)) {
      this.initState(group, p); // groups added later get their state here
      const state = this.stateOf(p);
      const stepT = stepTensor(state);
      stepT.add_(1);
      const step = stepT.item();
      let grad = group.maximize ? g.neg() : g;
      if (weightDecay !== 0) grad = grad.add(p, { alpha: weightDecay });
      const clr = group.lr / (1 + (step - 1) * num(group, "lrDecay"));
      const sum = state.sum as Tensor;
      sum.addcmul_(grad, grad, { value: 1 });
      const std = sum.sqrt().add_(num(group, "eps"));
      p.addcdiv_(grad, std, { value: -clr });
    }
  }
}
