// SGD with momentum, dampening, Nesterov momentum, weight decay and maximize: PyTorch 1.13's
// single-tensor `_single_tensor_sgd`, step for step; on the native CPU kernels a group's update is
// one fused call.

import { Tensor } from "../tensor.js";
import { zerosLike } from "../ops/creation.js";
import { fusedSgd, type SgdHyper, type SgdItem } from "../backends/cpu/native_optim.js";
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
    const h: SgdHyper = {
      lr: group.lr,
      momentum: num(group, "momentum"),
      dampening: num(group, "dampening"),
      weightDecay: num(group, "weightDecay"),
      nesterov: Boolean(group.nesterov),
      maximize: Boolean(group.maximize),
    };
    const pairs = withGrad(group);
    if (!this.fusedStep(pairs, h)) for (const [p, grad] of pairs) this.tensorStep(p, grad, h);
  }

  /** The whole group in one native call where the kernels take it; new buffers are kept only then. */
  private fusedStep(pairs: [Tensor, Tensor][], h: SgdHyper): boolean {
    const items: SgdItem[] = pairs.map(([p, grad]) => {
      const old = h.momentum !== 0 ? ((this.stateOf(p).momentum_buffer as Tensor | null | undefined) ?? null) : null;
      const buf = h.momentum !== 0 ? (old ?? zerosLike(grad)) : null;
      return { p, grad, buf, init: buf !== null && old === null };
    });
    if (!fusedSgd(items, h)) return false;
    for (const it of items) this.stateOf(it.p).momentum_buffer = it.buf;
    return true;
  }

  /** One parameter's update with tensor ops (any device and dtype). */
  private tensorStep(p: Tensor, grad: Tensor, h: SgdHyper): void {
    const state = this.stateOf(p);
    let dp = h.maximize ? grad.neg() : grad;
    if (h.weightDecay !== 0) dp = dp.add(p, { alpha: h.weightDecay });
    let buf = (state.momentum_buffer as Tensor | null | undefined) ?? null;
    if (h.momentum !== 0) {
      if (buf === null) buf = dp.clone().detach();
      else buf.mul_(h.momentum).add_(dp, { alpha: 1 - h.dampening });
      dp = h.nesterov ? dp.add(buf, { alpha: h.momentum }) : buf;
    }
    p.add_(dp, { alpha: -h.lr });
    state.momentum_buffer = buf;
  }
}
