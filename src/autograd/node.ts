// Autograd graph nodes: a Node turns the gradients of its outputs into gradients of its inputs and
// points, through edges, at the nodes that produced those inputs. Leaves end in AccumulateGrad.

import type { GradHook, Tensor } from "../tensor.js";
import { fmtShape } from "../shape.js";
import { releaseStorage, retainStorage } from "../memory/refs.js";

/** Where a gradient goes next: input `inputNr` of `node`. */
export interface Edge {
  node: Node;
  inputNr: number;
}

const FREED =
  "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retainGraph: true if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.";

/**
 * A tensor kept for backward, with the version it had when saved (the in-place safety check). It
 * holds a reference to the tensor's storage, so the memory outlives a `dispose()` of the tensor (or
 * the end of a `torch.tidy` scope) until backward releases it.
 */
export class SavedTensor {
  private tensor: Tensor | null;
  private readonly version: number;
  /** The tensor's grad_fn when it was saved (`producer` for a node's own output), for errors. */
  private readonly producer: Node | null;
  private readonly outputNr: number;
  constructor(t: Tensor, producer?: Node) {
    this.tensor = t;
    retainStorage(t.storage);
    this.version = t.version;
    this.producer = producer ?? t.gradFn;
    this.outputNr = producer ? 0 : t.outputNr;
  }
  /** The saved tensor; throws if it was freed or modified in place since it was saved. */
  unpack(node: Node): Tensor {
    const t = this.tensor;
    if (!t) throw new Error(FREED);
    if (t.version !== this.version) {
      const producer = this.producer ? `, which is output ${this.outputNr} of ${this.producer.name()},` : "";
      throw new Error(
        `one of the variables needed for gradient computation has been modified by an inplace operation: [${t.dtype} ${fmtShape(t.shape)}]${producer} is at version ${t.version}; expected version ${this.version} instead (needed by ${node.name()}).`,
      );
    }
    return t;
  }
  /** Drop the saved tensor (after backward without retainGraph): its memory is freed if nothing else holds it. */
  release(): void {
    const t = this.tensor;
    if (!t) return;
    this.tensor = null;
    releaseStorage(t.storage);
  }
}

/** A backward function in the graph (`grad_fn`). */
export abstract class Node {
  /** One edge per differentiable input (null where the input needs no gradient). */
  next: (Edge | null)[] = [];
  /** Number of outputs of the forward op. */
  numOutputs = 1;
  /** Tensor hooks registered on output k of this node (non-leaf tensors' `registerHook`). */
  readonly preHooks = new Map<number, GradHook[]>();
  /** Non-leaf tensors that asked to keep their gradient (`retainGrad`), by output index. */
  readonly retained = new Map<number, Tensor>();
  /** PyTorch-style name, e.g. `MulBackward0`. */
  abstract name(): string;
  /** Gradients of the inputs from gradients of the outputs (null: zero / not needed). */
  abstract apply(grads: (Tensor | null)[]): (Tensor | null)[];
  /** Free saved tensors after a backward pass without retainGraph. */
  release(): void {}
  /** The input edges, as PyTorch's `next_functions`. */
  get nextFunctions(): (Edge | null)[] {
    return this.next;
  }
}

/** The sink of a leaf tensor: adds incoming gradients into `variable.grad`. */
export class AccumulateGrad extends Node {
  constructor(readonly variable: Tensor) {
    super();
  }
  name(): string {
    return "AccumulateGrad";
  }
  apply(): (Tensor | null)[] {
    return [];
  }
}

const accumulators = new WeakMap<Tensor, AccumulateGrad>();

/** The edge a gradient for `t` flows into, or null when `t` does not require grad. */
export function gradEdge(t: Tensor): Edge | null {
  if (t.gradFn) return { node: t.gradFn, inputNr: t.outputNr };
  if (!t._requiresGrad) return null;
  let acc = accumulators.get(t);
  if (!acc) {
    acc = new AccumulateGrad(t);
    accumulators.set(t, acc);
  }
  return { node: acc, inputNr: 0 };
}
