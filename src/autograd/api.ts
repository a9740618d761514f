// The user-facing autograd API: tensor.backward, autograd.grad, hooks, retainGrad, and custom
// autograd.Function subclasses.

import { Tensor, type GradHook } from "../tensor.js";
import { runBackward, type BackwardOptions } from "./engine.js";
import { gradEdge, Node, SavedTensor } from "./node.js";
import { isGradEnabled, noGrad } from "./gradmode.js";
import { zeros } from "../ops/creation.js";
import type { DType } from "../dtype.js";
import { fmtShape, sameShape } from "../shape.js";

/** Backpropagate from `t`; `gradient` defaults to 1 for a one-element `t`. */
export function backward(t: Tensor, gradient?: Tensor | null, opts: BackwardOptions = {}): void {
  if (gradient != null && !(gradient instanceof Tensor))
    throw new TypeError(
      "backward(): gradient must be a Tensor or null; options go second, as in x.backward(null, { retainGraph: true })",
    );
  const g = gradient ?? null;
  if (!g) {
    if (t.numel() !== 1)
      throw new Error(
        `backward(): grad can be implicitly created only for scalar outputs (got shape ${fmtShape(t.shape)})`,
      );
  } else if (!sameShape(g.shape, t.shape))
    throw new RangeError(
      `backward(): Mismatch in shape: grad_output[0] has a shape of ${fmtShape(g.shape)} and output[0] has a shape of ${fmtShape(t.shape)}.`,
    );
  runBackward([t], [g], opts);
}

/** Options of `autograd.grad`. */
export interface GradOptions extends BackwardOptions {
  /** Gradients of the outputs (default: 1 for one-element outputs). */
  gradOutputs?: (Tensor | null)[] | Tensor | null;
  /** Return null for inputs the outputs do not depend on, instead of raising. */
  allowUnused?: boolean;
}

/** Gradients of `outputs` with respect to `inputs`, returned instead of accumulated (`torch.autograd.grad`). */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], opts: GradOptions = {}): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const gos =
    opts.gradOutputs === undefined || opts.gradOutputs === null
      ? []
      : Array.isArray(opts.gradOutputs)
        ? opts.gradOutputs
        : [opts.gradOutputs];
  const grads = outs.map((o, i) => {
    const g = gos[i];
    if (g) return g;
    if (o.numel() !== 1)
      throw new Error(
        `grad(): grad can be implicitly created only for scalar outputs (output ${i} has shape ${fmtShape(o.shape)})`,
      );
    return null; // ones, made by the engine
  });
  const r = runBackward(outs, grads, opts, ins);
  r.forEach((g, i) => {
    if (!g && !opts.allowUnused)
      throw new Error(
        `grad(): One of the differentiated Tensors (input ${i}) appears to not have been used in the graph. Set allowUnused: true if this is the desired behavior.`,
      );
  });
  return r;
}

/** A handle that removes a registered hook. */
export interface RemovableHandle {
  remove(): void;
}

/** Register a hook called with the tensor's gradient during backward; it may return a replacement. */
export function registerHook(t: Tensor, hook: GradHook): RemovableHandle {
  if (!t.requiresGrad)
    throw new Error("registerHook(): cannot register a hook on a tensor that doesn't require gradient");
  const list = t.gradFn ? (t.gradFn.preHooks.get(t.outputNr) ?? []) : t._hooks;
  if (t.gradFn) t.gradFn.preHooks.set(t.outputNr, list);
  list.push(hook);
  return {
    remove: () => {
      const i = list.indexOf(hook);
      if (i >= 0) list.splice(i, 1);
    },
  };
}

/** Keep the gradient of a non-leaf tensor in `.grad` after backward. */
export function retainGrad(t: Tensor): void {
  if (!t.requiresGrad) throw new Error("retainGrad(): can't retain_grad on Tensor that has requires_grad=False");
  if (!t.gradFn) return;
  t._retainsGrad = true;
  t.gradFn.retained.set(t.outputNr, t);
}

/** The `ctx` of a custom Function: save tensors for backward and stash anything else on it. */
export class FunctionCtx {
  private saved: SavedTensor[] = [];
  /** Which forward inputs need a gradient (`ctx.needs_input_grad`). */
  needsInputGrad: boolean[] = [];
  /** Other values stashed by forward for backward. */
  [key: string]: unknown;
  /** Whether backward gets zeros (true, the default) or null for outputs that received no gradient. */
  materializeGrads = true;
  /** `ctx.set_materialize_grads(value)`. */
  setMaterializeGrads(value: boolean): void {
    this.materializeGrads = value;
  }
  /** Keep tensors for backward (checked against in-place modification). */
  saveForBackward(...tensors: Tensor[]): void {
    this.releaseSaved();
    this.saved = tensors.map((t) => new SavedTensor(t));
  }
  /** The tensors passed to saveForBackward. */
  get savedTensors(): Tensor[] {
    return this.saved.map((s) => s.unpack(this.node!));
  }
  /** @internal */
  node: Node | null = null;
  /** @internal */
  releaseSaved(): void {
    this.saved.forEach((s) => s.release());
  }
}

/** The graph node of one call of a custom Function. */
class FunctionNode extends Node {
  constructor(
    private readonly fn: typeof Function,
    private readonly ctx: FunctionCtx,
    private readonly tensorArgs: number[],
    private readonly outputs: { shape: readonly number[]; dtype: DType; device: string }[],
    inputs: Tensor[],
  ) {
    super();
    this.numOutputs = outputs.length;
    this.next = inputs.map((t) => gradEdge(t));
  }
  name(): string {
    return `${this.fn.name}Backward`;
  }
  apply(grads: (Tensor | null)[]): (Tensor | null)[] {
    // outputs that received no gradient get zeros, as in PyTorch (unless ctx.setMaterializeGrads(false))
    const filled = this.outputs.map(
      (o, i) =>
        grads[i] ?? (this.ctx.materializeGrads ? zeros([...o.shape], { dtype: o.dtype, device: o.device }) : null),
    );
    const raw = this.fn.backward(this.ctx, ...filled);
    const list = Array.isArray(raw) ? raw : [raw];
    return this.tensorArgs.map((argIndex) => list[argIndex] ?? null);
  }
  override release(): void {
    this.ctx.releaseSaved();
  }
}

/**
 * Base class of custom differentiable ops. Subclasses define static `forward(ctx, ...args)` and
 * `backward(ctx, ...gradOutputs)` (returning one gradient per forward argument, null where none), and
 * are called with `MyOp.apply(...args)`.
 */
export class Function {
  /** Compute the outputs; runs without recording. */
  static forward(_ctx: FunctionCtx, ..._args: unknown[]): Tensor | Tensor[] {
    throw new Error(`${this.name}.forward() is not implemented`);
  }
  /** Gradients of the forward arguments from the gradients of the outputs. */
  static backward(_ctx: FunctionCtx, ..._grads: (Tensor | null)[]): Tensor | null | (Tensor | null)[] {
    throw new Error(`${this.name}.backward() is not implemented`);
  }
  /** Run the op and record it for autograd. */
  static apply<T extends Tensor | Tensor[]>(this: typeof Function, ...args: unknown[]): T {
    const ctx = new FunctionCtx();
    const tensorArgs = args.map((a, i) => (a instanceof Tensor ? i : -1)).filter((i) => i >= 0);
    const tensors = tensorArgs.map((i) => args[i] as Tensor);
    ctx.needsInputGrad = args.map((a) => a instanceof Tensor && a.requiresGrad);
    const out = noGrad(() => this.forward(ctx, ...args));
    const outs = Array.isArray(out) ? out : [out];
    if (isGradEnabled() && tensors.some((t) => t.requiresGrad)) {
      const metas = outs.map((o) => ({ shape: o.shape, dtype: o.dtype, device: o.device }));
      const node = new FunctionNode(this, ctx, tensorArgs, metas, tensors);
      ctx.node = node;
      const results = outs.map((o, i) => {
        // an input returned as-is becomes a new tensor object carrying the new history
        const r = tensors.includes(o) ? new Tensor(o.storage, o.shape, o.strides, o.offset, o.dtype) : o;
        r.gradFn = node;
        r.outputNr = i;
        return r;
      });
      return (Array.isArray(out) ? results : results[0]) as T;
    }
    return out as T;
  }
}
