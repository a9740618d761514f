// What a primitive op is, and the one dispatcher that runs any of them: infer the output (shape,
// dtype, errors), run the backend kernel, and record the autograd node. View primitives share their
// input's storage; their gradient scatters back through the same geometry.

import type { Kernels, View } from "../backend.js";
import type { DType } from "../dtype.js";
import { contiguousStrides, numel, type Shape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { gradEdge, Node, SavedTensor } from "../autograd/node.js";
import { isGradEnabled } from "../autograd/gradmode.js";

/** The output a primitive will produce, computed from input metadata only (also used by tracing). */
export interface OutSpec {
  shape: number[];
  dtype: DType;
}

/** What a gradient rule sees. */
export interface GradCtx<P> {
  /** Inputs the rule declared in `saves.inputs` (others are undefined). */
  inputs: Tensor[];
  /** The output, when the rule declared `saves.output`. */
  out: Tensor;
  params: P;
  /** Which inputs need a gradient. */
  needs: boolean[];
  /** Shape and dtype of every input. */
  meta: { shape: Shape; dtype: DType }[];
}

/** A gradient rule (VJP) written with Tensor ops, so it is itself differentiable. */
export type GradRule<P> = (g: Tensor, ctx: GradCtx<P>) => (Tensor | null | undefined)[];

/** Geometry of a strided view. */
export interface Geometry {
  shape: number[];
  strides: number[];
  offset: number;
}

/** A primitive op: declared once, run by every backend, differentiated by its rule. */
export interface Prim<P> {
  /** PyTorch's name of the op, used in errors and in `gradFn.name()`. */
  readonly name: string;
  /** Validate the inputs and give the output shape and dtype; throws a clear error on bad input. */
  infer(inputs: readonly Tensor[], params: P): OutSpec;
  /** Run the kernels writing `out` (absent for view prims). */
  run?(k: Kernels, inputs: readonly View[], out: View, params: P): void;
  /** For view prims: the output geometry from the input's (no data is touched). */
  view?(input: Geometry, params: P): Geometry;
  /** The VJP, or null for ops without a gradient. */
  readonly grad: GradRule<P> | null;
  /** What the gradient rule reads. */
  readonly saves?: { readonly inputs?: readonly number[]; readonly output?: boolean };
  /** `run` writes every element of the output, so the output need not be zero-filled first. */
  readonly overwrites?: boolean;
}

let nextSeq = 0;
/** @internal current sequence number (nodes created later have larger numbers). */
export function seqNow(): number {
  return nextSeq;
}

/** The autograd node recorded for one call of a primitive. */
export class PrimNode<P> extends Node {
  readonly seq = nextSeq++;
  private saved: (SavedTensor | undefined)[];
  private savedOut: SavedTensor | undefined;
  private released = false;
  constructor(
    readonly prim: Prim<P>,
    readonly params: P,
    inputs: readonly Tensor[],
    out: Tensor,
    private readonly meta: { shape: Shape; dtype: DType }[],
  ) {
    super();
    this.next = inputs.map((t) => gradEdge(t));
    const si = prim.saves?.inputs ?? [];
    this.saved = inputs.map((t, i) => (si.includes(i) ? new SavedTensor(t) : undefined));
    // Saving the output itself would make a cycle output -> node -> output; JS's GC handles it.
    this.savedOut = prim.saves?.output ? new SavedTensor(out, this) : undefined;
  }
  /** The op a composite was called as (`t`, `mean`), shown instead of the primitive's name. */
  opName: string | null = null;
  name(): string {
    const n = (this.opName ?? this.prim.name).replace(/(^|_)([a-z])/g, (_, _u: string, c: string) => c.toUpperCase());
    return `${n}Backward0`;
  }
  apply(grads: (Tensor | null)[]): (Tensor | null)[] {
    const g = grads[0];
    if (!g || !this.prim.grad) return this.next.map(() => null);
    // as PyTorch: only a node whose saved tensors were freed refuses a second backward
    if (this.released && (this.savedOut || this.saved.some((x) => x)))
      throw new Error(
        "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Specify retainGraph: true if you need to backward through the graph a second time.",
      );
    const ctx: GradCtx<P> = {
      inputs: this.saved.map((s) => s?.unpack(this)) as Tensor[],
      out: this.savedOut?.unpack(this) as Tensor,
      params: this.params,
      needs: this.next.map((e) => e !== null),
      meta: this.meta,
    };
    const raw = this.prim.grad(g, ctx);
    return this.next.map((e, i) => {
      const r = raw[i];
      if (!e || !r) return null;
      return fitGradient(r, this.meta[i]!);
    });
  }
  override release(): void {
    this.released = true;
    this.saved.forEach((s) => s?.release());
    this.savedOut?.release();
  }
  /** @internal swap saved tensors that alias `storage` for snapshots (used by in-place ops). */
  snapshotSaved(storage: unknown, snapshot: (t: Tensor) => Tensor): void {
    this.saved = this.saved.map((s) => {
      if (!s) return s;
      const t = s.unpack(this);
      if (t.storage !== storage) return s;
      s.release();
      const copy = snapshot(t);
      const saved = new SavedTensor(copy);
      copy.dispose(); // the saved reference alone holds the copy's memory
      return saved;
    });
  }
}

// Filled in by reduce.ts / elementwise.ts to avoid an import cycle at module load.
export const gradHelpers: {
  sumToShape: (g: Tensor, shape: Shape) => Tensor;
  cast: (g: Tensor, dtype: DType) => Tensor;
} = {
  sumToShape: () => {
    throw new Error("ops not loaded");
  },
  cast: () => {
    throw new Error("ops not loaded");
  },
};

/** Undo broadcasting and dtype promotion: a gradient takes its input's shape and dtype (one place). */
function fitGradient(g: Tensor, meta: { shape: Shape; dtype: DType }): Tensor {
  let r = g;
  if (r.shape.length !== meta.shape.length || r.shape.some((d, i) => d !== meta.shape[i]))
    r = gradHelpers.sumToShape(r, meta.shape);
  if (r.dtype !== meta.dtype) r = gradHelpers.cast(r, meta.dtype);
  return r;
}

/** Check that all tensor inputs live on one device; name the op and the devices if not. */
function commonDevice(name: string, inputs: readonly Tensor[]): string {
  const dev = inputs[0]!.device;
  for (const t of inputs)
    if (t.device !== dev)
      throw new Error(
        `${name}(): Expected all tensors to be on the same device, but found at least two devices, ${dev} and ${t.device}!`,
      );
  return dev;
}

/**
 * Name the node of a composite's result after the op the user called (PyTorch shows `TBackward0` for
 * `x.t()`, `MeanBackward0` for `x.mean()`), when that node was created by the composite itself.
 */
export function named(t: Tensor, op: string, since: number): Tensor {
  if (t.gradFn instanceof PrimNode && t.gradFn.seq >= since) t.gradFn.opName = op;
  return t;
}

/** Run a primitive on tensors and record it for autograd. */
export function apply<P>(prim: Prim<P>, inputs: readonly Tensor[], params: P): Tensor {
  commonDevice(prim.name, inputs);
  const spec = prim.infer(inputs, params);
  let out: Tensor;
  const x0 = inputs[0]!;
  if (prim.view) {
    const g = prim.view({ shape: [...x0.shape], strides: [...x0.strides], offset: x0.offset }, params);
    out = new Tensor(x0.storage, g.shape, g.strides, g.offset, x0.dtype);
    out.base = x0.base ?? x0;
  } else {
    const backend = x0.backend;
    const n = numel(spec.shape);
    const storage =
      prim.overwrites && backend.allocUninit ? backend.allocUninit(spec.dtype, n) : backend.alloc(spec.dtype, n);
    out = new Tensor(storage, spec.shape, contiguousStrides(spec.shape), 0, spec.dtype);
    prim.run!(backend.kernels, inputs, out, params);
  }
  // the cheap test first: most calls (inference, optimizer steps) have no input requiring grad
  if (prim.grad && anyRequiresGrad(inputs) && isGradEnabled()) {
    const meta = inputs.map((t) => ({ shape: t.shape, dtype: t.dtype }));
    out.gradFn = new PrimNode(prim, params, inputs, out, meta);
  }
  return out;
}

function anyRequiresGrad(inputs: readonly Tensor[]): boolean {
  for (const t of inputs) if (t.gradFn !== null || t._requiresGrad) return true;
  return false;
}
