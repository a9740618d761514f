// The backward engine: walks the graph from the roots in dependency order, sums gradients arriving
// at each node, runs tensor hooks, accumulates into leaves' `.grad` (backward) or hands the gradients
// of chosen inputs back (autograd.grad), and frees saved tensors unless retainGraph. Without
// createGraph the pass runs in a `tidy` scope: the intermediate gradients are disposed at its end
// (on webgpu their buffers go back to the pool at once); what it hands out survives.

import type { Tensor } from "../tensor.js";
import { fmtShape, sameShape } from "../shape.js";
import { AccumulateGrad, gradEdge, type Edge, type Node } from "./node.js";
import { withGradMode } from "./gradmode.js";
import { add } from "../ops/elementwise.js";
import { clone, detach } from "../ops/views.js";
import { onesLike } from "../ops/creation.js";
import { onlyScopeHolds, tidy } from "../memory/scope.js";

/** Options of a backward pass. */
export interface BackwardOptions {
  /** Keep saved tensors so the graph can be backpropagated again. */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order gradients. */
  createGraph?: boolean;
}

interface Capture {
  edge: Edge;
  grad: Tensor | null;
}

/** Sum of two optional gradients. */
function accumulate(a: Tensor | null, b: Tensor | null): Tensor | null {
  if (!a) return b;
  if (!b) return a;
  return add(a, b);
}

/** Run hooks registered on output `nr` of `node` (or on a leaf) over a gradient; `seen` collects what they saw. */
function runHooks(hooks: readonly ((g: Tensor) => Tensor | void)[] | undefined, g: Tensor, seen: Tensor[]): Tensor {
  for (const h of hooks ?? []) {
    seen.push(g);
    const r = h(g);
    if (r) g = r;
  }
  return g;
}

/**
 * Backpropagate from `roots` with output gradients `grads` (null: ones, made here). With `inputs`,
 * returns the gradients of those tensors instead of accumulating into `.grad` (autograd.grad).
 */
export function runBackward(
  roots: readonly Tensor[],
  grads: readonly (Tensor | null)[],
  opts: BackwardOptions,
  inputs?: readonly Tensor[],
): (Tensor | null)[] {
  if (opts.createGraph) return backwardPass(roots, grads, opts, inputs, []);
  // everything made during the pass is disposed at its end except what it hands out
  return tidy(() => {
    const handedOut: Tensor[] = [];
    return { grads: backwardPass(roots, grads, opts, inputs, handedOut), handedOut };
  }).grads;
}

function backwardPass(
  roots: readonly Tensor[],
  grads: readonly (Tensor | null)[],
  opts: BackwardOptions,
  inputs: readonly Tensor[] | undefined,
  handedOut: Tensor[],
): (Tensor | null)[] {
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const rootEdges = roots.map((r, i) => {
    const e = gradEdge(r);
    if (!e) throw new Error(`element ${i} of tensors does not require grad and does not have a grad_fn`);
    return e;
  });

  // Which tensors' gradients to hand back, keyed by the edge their gradient flows into.
  const captures: Capture[] | null = inputs
    ? inputs.map((t, i) => {
        const e = gradEdge(t);
        if (!e) throw new Error(`One of the differentiated Tensors (input ${i}) does not require grad`);
        return { edge: e, grad: null };
      })
    : null;

  // Count how many edges point at each node, over the part of the graph reachable from the roots.
  const deps = new Map<Node, number>();
  const order: Node[] = [];
  const seen = new Set<Node>();
  const stack = rootEdges.map((e) => e.node);
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    order.push(n);
    for (const e of n.next) {
      if (!e) continue;
      deps.set(e.node, (deps.get(e.node) ?? 0) + 1);
      stack.push(e.node);
    }
  }
  // With captures, only nodes that lead to a captured edge need to run.
  let needed: Set<Node> | null = null;
  if (captures) {
    needed = new Set(captures.map((c) => c.edge.node));
    let changed = true;
    while (changed) {
      changed = false;
      for (const n of order)
        if (!needed.has(n) && n.next.some((e) => e && needed!.has(e.node))) {
          needed.add(n);
          changed = true;
        }
    }
  }

  const buffers = new Map<Node, (Tensor | null)[]>();
  const addTo = (e: Edge, g: Tensor | null) => {
    let buf = buffers.get(e.node);
    if (!buf) {
      buf = new Array<Tensor | null>(e.node.numOutputs).fill(null);
      buffers.set(e.node, buf);
    }
    buf[e.inputNr] = accumulate(buf[e.inputNr] ?? null, g);
  };

  withGradMode(createGraph, () => {
    rootEdges.forEach((e, i) => addTo(e, grads[i] ?? onesLike(roots[i]!)));
    const ready = rootEdges.map((e) => e.node).filter((n, i, a) => !deps.has(n) && a.indexOf(n) === i);
    while (ready.length) {
      const node = ready.pop()!;
      const buf = buffers.get(node) ?? [];
      buffers.delete(node);
      // tensor hooks, retained grads and captures see the summed gradient of each output
      for (let k = 0; k < buf.length; k++) {
        let g = buf[k];
        if (!g) continue;
        if (node instanceof AccumulateGrad) g = runHooks(node.variable._hooks, g, handedOut);
        else g = runHooks(node.preHooks.get(k), g, handedOut);
        buf[k] = g;
        const kept = node.retained.get(k);
        if (kept) {
          kept.grad = kept.grad ? add(kept.grad, g) : createGraph ? g : clone(detach(g));
          handedOut.push(kept.grad);
        }
        if (captures) for (const c of captures) if (c.edge.node === node && c.edge.inputNr === k) c.grad = g;
      }
      const runs = needed ? needed.has(node) : true;
      if (node instanceof AccumulateGrad) {
        if (!captures && buf[0]) {
          accumulateLeaf(node.variable, buf[0], createGraph, handedOut);
          handedOut.push(node.variable.grad!);
        }
      } else if (runs) {
        const inGrads = node.apply(buf);
        if (!retainGraph) node.release();
        node.next.forEach((e, i) => {
          if (e && inGrads[i]) addTo(e, inGrads[i]!);
        });
      }
      for (const e of node.next) {
        if (!e) continue;
        const left = deps.get(e.node)! - 1;
        deps.set(e.node, left);
        if (left === 0) ready.push(e.node);
      }
    }
  });
  return captures ? captures.map((c) => c.grad) : [];
}

/**
 * Add a gradient into a leaf's `.grad`, as PyTorch's AccumulateGrad does. A first gradient becomes the
 * `.grad` itself where it is the leaf's layout and nothing but this pass's own temporaries holds its
 * memory (`handedOut`: what the pass gives out); otherwise `.grad` is a copy, so that later in-place
 * accumulation cannot reach a tensor someone else sees.
 */
function accumulateLeaf(t: Tensor, g: Tensor, createGraph: boolean, handedOut: readonly Tensor[]): void {
  if (!sameShape(g.shape, t.shape))
    throw new Error(
      `AccumulateGrad: gradient of shape ${fmtShape(g.shape)} does not match the leaf's shape ${fmtShape(t.shape)}`,
    );
  if (!t.grad) t.grad = createGraph ? g : canTakeOver(g, t, handedOut) ? detach(g) : clone(detach(g));
  else if (createGraph) t.grad = add(t.grad, g);
  // without createGraph the existing .grad tensor is updated in place, as PyTorch does
  else t.grad.add_(g);
}

/** Whether gradient `g` can be leaf `t`'s `.grad` without a copy (see accumulateLeaf). */
function canTakeOver(g: Tensor, t: Tensor, handedOut: readonly Tensor[]): boolean {
  return (
    g.dtype === t.dtype &&
    g.device === t.device &&
    g.offset === 0 &&
    g.storage.numel === t.numel() &&
    g.strides.every((s, d) => s === t.strides[d] || g.shape[d] === 1) &&
    onlyScopeHolds(g.storage, handedOut)
  );
}
