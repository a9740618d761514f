// Shapes, strides and dims: pure functions shared by ops, kernels and the tracer.

/** A tensor shape: one size per dimension. */
export type Shape = readonly number[];

/** `[2, 3]` -> `"[2, 3]"`, the way PyTorch prints sizes in errors. */
export function fmtShape(s: Shape): string {
  return `[${s.join(", ")}]`;
}

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a contiguous tensor of `shape`. */
export function contiguousStrides(shape: Shape): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    st[i] = s;
    s *= Math.max(shape[i]!, 1);
  }
  return st;
}

/** Whether (shape, strides) walks memory in row-major order without gaps. */
export function isContiguousLayout(shape: Shape, strides: Shape): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    if (d === 0) return true;
    if (d !== 1 && strides[i] !== expected) return false;
    expected *= d;
  }
  return true;
}

/** Wrap a possibly negative dim into [0, ndim); `op` names the caller in the error. */
export function normDim(dim: number, ndim: number, op: string): number {
  const n = Math.max(ndim, 1); // 0-dim tensors accept dim 0 and -1, as in PyTorch
  if (!Number.isInteger(dim) || dim < -n || dim >= n)
    throw new RangeError(
      `${op}(): Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`,
    );
  return dim < 0 ? dim + n : dim;
}

/** Normalise a list of dims, rejecting repeats. */
export function normDims(dims: readonly number[], ndim: number, op: string): number[] {
  const out = dims.map((d) => normDim(d, ndim, op));
  const seen = new Set<number>();
  for (const d of out) {
    if (seen.has(d)) throw new RangeError(`${op}(): dim ${d} appears multiple times in the list of dims`);
    seen.add(d);
  }
  return out;
}

/** Broadcast shapes as in NumPy/PyTorch, or throw naming the op and both shapes. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const nd = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = nd - s.length + i;
      const d = s[i]!;
      const o = out[j]!;
      if (d === o || d === 1) continue;
      if (o === 1) out[j] = d;
      else
        throw new RangeError(
          `${op}(): The size of tensor a (${o}) must match the size of tensor b (${d}) at non-singleton dimension ${i}; shapes ${shapes.map(fmtShape).join(" and ")} cannot be broadcast`,
        );
    }
  }
  return out;
}

/** Strides that read a tensor of (shape, strides) as if expanded to `target` (0 on broadcast dims). */
export function broadcastStrides(shape: Shape, strides: Shape, target: Shape): number[] {
  const out = new Array<number>(target.length).fill(0);
  const off = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[off + i] = shape[i] === 1 ? 0 : strides[i]!;
  return out;
}

/** Resolve one `-1` in a requested view/reshape shape. */
export function inferSize(shape: readonly number[], total: number, op: string, from: Shape): number[] {
  const out = [...shape];
  let neg = -1;
  let known = 1;
  for (let i = 0; i < out.length; i++) {
    const d = out[i]!;
    if (d === -1) {
      if (neg >= 0) throw new RangeError(`${op}(): only one dimension can be inferred`);
      neg = i;
    } else if (!Number.isInteger(d) || d < 0) throw new RangeError(`${op}(): invalid shape dimension ${d}`);
    else known *= d;
  }
  if (neg >= 0) {
    if (known === 0 || total % known !== 0)
      throw new RangeError(`${op}(): shape '${fmtShape(shape)}' is invalid for input of size ${total}`);
    out[neg] = total / known;
  } else if (known !== total)
    throw new RangeError(
      `${op}(): shape '${fmtShape(shape)}' is invalid for input of size ${total} (input shape ${fmtShape(from)})`,
    );
  return out;
}

/**
 * Strides for viewing (shape, strides) as `newShape` without copying, or null when the memory layout
 * does not allow it (PyTorch's computeStride).
 */
export function viewStrides(shape: Shape, strides: Shape, newShape: Shape): number[] | null {
  if (numel(shape) === 0 || shape.length === 0) return contiguousStrides(newShape);
  const out = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBase = strides[strides.length - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d]!;
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return out;
}

/** Shape after reducing `dims` (all dims when empty), keeping them as size 1 when keepdim. */
export function reducedShape(shape: Shape, dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (dims.includes(i)) {
      if (keepdim) out.push(1);
    } else out.push(shape[i]!);
  }
  return out;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Check that a shape argument is a list of non-negative integers. */
export function checkShape(shape: readonly number[], op: string): number[] {
  for (const d of shape)
    if (!Number.isInteger(d) || d < 0)
      throw new RangeError(
        `${op}(): Trying to create tensor with negative or non-integer dimension ${d}: ${fmtShape(shape)}`,
      );
  return [...shape];
}
