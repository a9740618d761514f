// In-place ops, one mechanism for all: compute the result out of place (recorded by autograd), write
// it into the tensor's memory, bump the version counter, and move the tensor's autograd history to
// the result. A view being written rebases its base's history (PyTorch's CopySlices), so gradients
// flow both to the written values and to the untouched rest of the base.

import { canCast } from "../dtype.js";
import { broadcastShapes, broadcastStrides, contiguousStrides, fmtShape, sameShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { isGradEnabled } from "../autograd/gradmode.js";
import { gradEdge, Node } from "../autograd/node.js";
import { apply, PrimNode, seqNow, type Geometry } from "./prim.js";
import { castExpr, dtypeCName, toDtype, where } from "./elementwise.js";
import { expand, viewPrims, viewScatterPrim, contiguous } from "./views.js";
import { filled } from "./scalar.js";

/** Raw write of `src` (broadcast, cast) into `dst`'s memory; no autograd, no version bump. */
function writeInto(dst: Tensor, src: Tensor): void {
  const view = {
    ...src,
    storage: src.storage,
    shape: dst.shape,
    strides: broadcastStrides(src.shape, src.strides, dst.shape),
    offset: src.offset,
    dtype: src.dtype,
  };
  dst.backend.kernels.map({ js: castExpr(dst.dtype, src.dtype) }, [view], dst, []);
}

/** A copy of a tensor's whole storage, same geometry and autograd identity (for saved values). */
function snapshot(t: Tensor): Tensor {
  const s = t.storage;
  const b = t.backend;
  const copy = b.alloc(s.dtype, s.numel);
  const flat = { storage: s, shape: [s.numel], strides: [1], offset: 0, dtype: s.dtype };
  b.kernels.map({ js: "a" }, [flat], { ...flat, storage: copy }, []);
  const c = new Tensor(copy, t.shape, t.strides, t.offset, t.dtype);
  c.gradFn = t.gradFn;
  c.outputNr = t.outputNr;
  c._requiresGrad = t._requiresGrad;
  return c;
}

/** Nodes recorded since `seq` reachable from `node`: their saved copies of `storage` must survive the write. */
function protectSaved(node: Node | null, seq: number, storage: unknown): void {
  const stack = node ? [node] : [];
  const seen = new Set<Node>();
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n) || !(n instanceof PrimNode) || n.seq < seq) continue;
    seen.add(n);
    n.snapshotSaved(storage, snapshot);
    for (const e of n.next) if (e) stack.push(e.node);
  }
}

/** Backward of writing a view of a base: the written region's gradient goes to the new values. */
class CopySlices extends Node {
  constructor(
    private readonly view: Geometry,
    private readonly baseShape: number[],
    baseEdge: ReturnType<typeof gradEdge>,
    srcEdge: ReturnType<typeof gradEdge>,
  ) {
    super();
    this.next = [baseEdge, srcEdge];
  }
  name(): string {
    return "CopySlices";
  }
  apply([g]: (Tensor | null)[]): (Tensor | null)[] {
    if (!g) return [null, null];
    const ones = filled(this.view.shape, 1, g.dtype, g.device);
    const written = apply(viewScatterPrim, [ones], { shape: this.baseShape, view: this.view }).ne(0);
    const gBase = this.next[0] ? where(written, 0, g) : null;
    const gSrc = this.next[1]
      ? apply(viewPrims.as_strided, [contiguous(g)], {
          size: this.view.shape,
          stride: this.view.strides,
          delta: this.view.offset,
        })
      : null;
    return [gBase, gSrc];
  }
}

/** Move t's autograd history onto r (already written into t's memory). */
function rebase(t: Tensor, r: Tensor): void {
  const base = t.base;
  if (!base) {
    t.gradFn = r.gradFn;
    t.outputNr = r.outputNr;
    t._requiresGrad = false;
    return;
  }
  if (!base.isContiguous() || base.offset !== 0)
    throw new Error("in-place write to a view: the base tensor must be contiguous to record autograd history");
  const view: Geometry = { shape: [...t.shape], strides: [...t.strides], offset: t.offset - base.offset };
  base.gradFn = new CopySlices(view, [...base.shape], gradEdge(base), gradEdge(r));
  base.outputNr = 0;
  const tv = apply(viewPrims.as_strided, [base], { size: view.shape, stride: view.strides, delta: view.offset });
  t.gradFn = tv.gradFn;
  t.outputNr = 0;
}

/**
 * Run an in-place op: `compute(self)` gives the new value out of place; it is written into `t`.
 * `op` names the op in errors (`add_`).
 */
export function inplace(t: Tensor, op: string, compute: (self: Tensor) => Tensor): Tensor {
  const recording = isGradEnabled();
  if (recording && t.gradFn === null && t._requiresGrad)
    throw new Error(`${op}(): a leaf Variable that requires grad is being used in an in-place operation.`);
  if (recording && t.base && t.base.gradFn === null && t.base._requiresGrad)
    throw new Error(`${op}(): a view of a leaf Variable that requires grad is being used in an in-place operation.`);
  const seq = seqNow();
  let r = compute(t);
  const shape = broadcastShapes(op, r.shape, t.shape);
  if (!sameShape(shape, t.shape))
    throw new RangeError(
      `${op}(): output with shape ${fmtShape(t.shape)} doesn't match the broadcast shape ${fmtShape(shape)}`,
    );
  if (!canCast(r.dtype, t.dtype))
    throw new TypeError(
      `${op}(): result type ${dtypeCName(r.dtype)} can't be cast to the desired output type ${dtypeCName(t.dtype)}`,
    );
  // history changes when the new value or the old one (or its base) takes part in autograd
  const record = recording && (r.requiresGrad || t.requiresGrad || (t.base?.requiresGrad ?? false));
  if (record) {
    protectSaved(r.gradFn, seq, t.storage);
    if (r.dtype !== t.dtype) r = toDtype(r, t.dtype);
    if (!sameShape(r.shape, t.shape)) r = expand(r, [...t.shape]);
  }
  // a source overlapping the destination is copied first
  if (r.storage === t.storage && r !== t) r = snapshot(r);
  if (r !== t) writeInto(t, r);
  t.storage.version++;
  if (record) rebase(t, r);
  return t;
}

/** Copy `src` (broadcast and cast) into `dst` in place (`dst.copy_(src)`). */
export function copy_(dst: Tensor, src: Tensor): Tensor {
  if (src.device !== dst.device && src.backend !== dst.backend) {
    // cross-device copy goes through the host
    const host = src.dataSync();
    const t = new Tensor(
      dst.backend.fromArray(src.dtype, host),
      [...src.shape],
      contiguousStrides(src.shape),
      0,
      src.dtype,
    );
    return inplace(dst, "copy_", () => t);
  }
  return inplace(dst, "copy_", () => src);
}
/** Fill with a value in place. */
export function fill_(t: Tensor, value: number | boolean | Tensor): Tensor {
  const v = value instanceof Tensor ? value : filled([], Number(value), t.dtype, t.device);
  if (v.ndim !== 0)
    throw new RangeError(`fill_(): only supports 0-dimension value tensor but got tensor with ${v.ndim} dimensions.`);
  return inplace(t, "fill_", () => (v.dtype === t.dtype ? v : toDtype(v, t.dtype)));
}
/** Fill with zeros in place. */
export function zero_(t: Tensor): Tensor {
  return fill_(t, 0);
}
