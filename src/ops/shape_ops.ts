// Ops that move data between shapes: cat (primitive), flip (primitive), constant pad (primitive),
// and the composites stack, hstack, vstack, split, chunk, unbind, roll, repeat, tile,
// repeatInterleave and the reflect/replicate/circular pads.

import type { View } from "../backend.js";
import { resultType } from "../dtype.js";
import { fmtShape, normDim, normDims } from "../shape.js";
import { Tensor } from "../tensor.js";
import { apply, type Prim } from "./prim.js";
import { gradEdge, Node } from "../autograd/node.js";
import { isGradEnabled, noGrad } from "../autograd/gradmode.js";
import { castExpr, add, remainder, clamp, where, ge, sub, abs } from "./elementwise.js";
import { expand, flatten, narrow, reshape, select, unsqueeze, view } from "./views.js";
import { indexSelect } from "./indexing.js";
import { arange, fromStorageArray } from "./creation.js";
import { filled } from "./scalar.js";
import { hostData } from "./host_values.js";

/** The window of `out` at `start` along dim with the extent of `shape`. */
function window(out: View, dim: number, start: number, shape: readonly number[]): View {
  return { ...out, shape, offset: out.offset + start * out.strides[dim]! };
}

/** cat along dim (1-D empty tensors are skipped, as PyTorch does). */
export const catPrim: Prim<{ dim: number }> = {
  name: "cat",
  infer(inputs, { dim }) {
    const parts = inputs.filter((t) => !(t.ndim === 1 && t.shape[0] === 0));
    if (parts.length === 0)
      return { shape: [0], dtype: resultType(inputs.map((t) => ({ dtype: t.dtype, ndim: 1, wrapped: false }))) };
    const ref = parts[0]!;
    if (ref.ndim === 0) throw new RangeError("cat(): zero-dimensional tensor (at position 0) cannot be concatenated");
    let total = 0;
    parts.forEach((t, i) => {
      if (t.ndim !== ref.ndim)
        throw new RangeError(
          `cat(): Tensors must have same number of dimensions: got ${ref.ndim} and ${t.ndim} (tensor ${i} has shape ${fmtShape(t.shape)})`,
        );
      for (let d = 0; d < ref.ndim; d++)
        if (d !== dim && t.shape[d] !== ref.shape[d])
          throw new RangeError(
            `cat(): Sizes of tensors must match except in dimension ${dim}. Expected size ${ref.shape[d]} but got size ${t.shape[d]} for tensor number ${i} in the list (shapes ${fmtShape(ref.shape)} and ${fmtShape(t.shape)}).`,
          );
      total += t.shape[dim]!;
    });
    const shape = [...ref.shape];
    shape[dim] = total;
    return { shape, dtype: resultType(inputs.map((t) => ({ dtype: t.dtype, ndim: 1, wrapped: false }))) };
  },
  run(k, inputs, out, { dim }) {
    let start = 0;
    for (const t of inputs) {
      if (t.shape.length === 1 && t.shape[0] === 0 && out.shape.length !== 1) continue;
      k.map({ js: castExpr(out.dtype, t.dtype) }, [t], window(out, dim, start, t.shape), []);
      start += t.shape[dim] ?? 0;
    }
  },
  grad(g, { meta, params: { dim } }) {
    let start = 0;
    return meta.map((m) => {
      // a skipped legacy empty 1-D input gets an empty gradient, as in PyTorch
      if (m.shape.length === 1 && m.shape[0] === 0 && g.ndim !== 1) return filled([0], 0, g.dtype, g.device);
      const n = m.shape[dim]!;
      const r = narrow(g, dim, start, n);
      start += n;
      return r;
    });
  },
};

/** Concatenate tensors along an existing dim. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError("cat(): expected a non-empty list of Tensors");
  const ref = tensors.find((t) => !(t.ndim === 1 && t.shape[0] === 0)) ?? tensors[0]!;
  const d = ref.ndim === 0 ? dim : normDim(dim, ref.ndim, "cat");
  return apply(catPrim, tensors, { dim: d });
}
/** Concatenate along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError("stack(): expected a non-empty list of Tensors");
  const ref = tensors[0]!;
  tensors.forEach((t, i) => {
    if (t.ndim !== ref.ndim || t.shape.some((s, j) => s !== ref.shape[j]))
      throw new RangeError(
        `stack(): stack expects each tensor to be equal size, but got ${fmtShape(ref.shape)} at entry 0 and ${fmtShape(t.shape)} at entry ${i}`,
      );
  });
  const d = normDim(dim, ref.ndim + 1, "stack");
  return cat(
    tensors.map((t) => unsqueeze(t, d)),
    d,
  );
}
/** Concatenate column-wise (dim 1; dim 0 for 1-D tensors). */
export function hstack(tensors: readonly Tensor[]): Tensor {
  const ts = tensors.map((t) => (t.ndim === 0 ? reshape(t, [1]) : t));
  return cat(ts, ts[0]!.ndim === 1 ? 0 : 1);
}
/** Concatenate row-wise, making 1-D tensors rows. */
export function vstack(tensors: readonly Tensor[]): Tensor {
  return cat(
    tensors.map((t) => (t.ndim < 2 ? reshape(t, [1, -1]) : t)),
    0,
  );
}

/** Split into pieces of `splitSize` (the last may be smaller) or of the given sizes. */
export function split(x: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] {
  const d = normDim(dim, x.ndim, "split");
  const n = x.shape[d]!;
  let sizes: number[];
  if (typeof splitSize === "number") {
    if (splitSize <= 0 && n > 0)
      throw new RangeError(`split(): split_size can only be 0 if dimension size is 0, but got dimension size of ${n}`);
    sizes = [];
    for (let s = 0; s < n || (n === 0 && sizes.length === 0); s += splitSize) sizes.push(Math.min(splitSize, n - s));
  } else {
    sizes = [...splitSize];
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== n)
      throw new RangeError(
        `split_with_sizes(): expects split_sizes to sum exactly to ${n} (input tensor's size at dimension ${d}), but got split_sizes=${fmtShape(sizes)}`,
      );
  }
  let start = 0;
  const starts = sizes.map((s) => (start += s) - s);
  return piecesOf(x, d, "split", (i) => narrow(x, d, starts[i]!, sizes[i]!), sizes.length, false);
}
/** Split into `chunks` nearly equal pieces. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0)
    throw new RangeError(`chunk(): chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const d = normDim(dim, x.ndim, "chunk");
  const n = x.shape[d]!;
  // an empty dim gives `chunks` empty pieces, as in PyTorch
  if (n === 0) return split(x, new Array<number>(chunks).fill(0), d);
  return split(x, Math.ceil(n / chunks), d);
}
/** The slices along dim, as a list. */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  const d = normDim(dim, x.ndim, "unbind");
  return piecesOf(x, d, "unbind", (i) => select(x, d, i), x.shape[d]!, true);
}

/**
 * The gradient of split/unbind: one node for all pieces that concatenates (or stacks) their
 * gradients once, instead of each piece scattering into a full-size tensor of zeros.
 */
class PiecesBackward extends Node {
  constructor(
    input: Tensor,
    private readonly op: string,
    private readonly dim: number,
    private readonly shapes: number[][],
    private readonly stacked: boolean,
  ) {
    super();
    this.numOutputs = shapes.length;
    this.next = [gradEdge(input)];
  }
  name(): string {
    return this.op === "unbind" ? "UnbindBackward0" : "SplitBackward0";
  }
  apply(grads: (Tensor | null)[]): (Tensor | null)[] {
    const ref = grads.find((g): g is Tensor => g !== null);
    if (!ref) return [null];
    const parts = this.shapes.map((shape, i) => grads[i] ?? filled(shape, 0, ref.dtype, ref.device));
    return [this.stacked ? stack(parts, this.dim) : cat(parts, this.dim)];
  }
}

/** The views `piece(0..n-1)` of x, sharing one backward node when autograd records. */
function piecesOf(
  x: Tensor,
  dim: number,
  op: string,
  piece: (i: number) => Tensor,
  n: number,
  stacked: boolean,
): Tensor[] {
  if (!(isGradEnabled() && x.requiresGrad)) return [...Array(n).keys()].map(piece);
  const outs = noGrad(() => [...Array(n).keys()].map(piece));
  const node = new PiecesBackward(
    x,
    op,
    dim,
    outs.map((o) => [...o.shape]),
    stacked,
  );
  outs.forEach((o, i) => {
    o.gradFn = node;
    o.outputNr = i;
  });
  return outs;
}

/** Reverse the order of elements along dims (a copy, as in PyTorch). */
export const flipPrim: Prim<{ dims: number[] }> = {
  name: "flip",
  infer: (inputs) => ({ shape: [...inputs[0]!.shape], dtype: inputs[0]!.dtype }),
  run(k, [x], out, { dims }) {
    // read through a view with negated strides
    let offset = x!.offset;
    const strides = x!.strides.map((s, d) => {
      if (!dims.includes(d)) return s;
      offset += (x!.shape[d]! - 1) * s;
      return -s;
    });
    if (x!.shape.some((s) => s === 0)) return;
    k.map({ js: "a" }, [{ ...x!, strides, offset }], out, []);
  },
  grad: (g, { params }) => [flip(g, params.dims)],
};
/** Reverse along the given dims. */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  const list = typeof dims === "number" ? [dims] : dims;
  return apply(flipPrim, [x], { dims: x.ndim === 0 ? [] : normDims(list, x.ndim, "flip") });
}

/** Rotate elements along dims by shifts (flattened when dims are omitted). */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor {
  const sh = typeof shifts === "number" ? [shifts] : [...shifts];
  if (dims === undefined || (Array.isArray(dims) && dims.length === 0)) {
    if (sh.length !== 1) throw new RangeError("roll(): shifts and dims must align when dims is omitted");
    return view(roll(flatten(x), sh[0]!, 0), [...x.shape]);
  }
  const ds = typeof dims === "number" ? [dims] : [...dims];
  if (ds.length !== sh.length)
    throw new RangeError(`roll(): shifts and dimensions must align. shifts: ${sh.length}, dims: ${ds.length}`);
  let r = x;
  ds.forEach((dim, i) => {
    const d = normDim(dim, x.ndim, "roll");
    const n = x.shape[d]!;
    if (n === 0) return;
    const s = ((sh[i]! % n) + n) % n;
    if (s === 0) return;
    r = cat([narrow(r, d, n - s, s), narrow(r, d, 0, n - s)], d);
  });
  return r === x ? x.clone() : r;
}

/** Repeat the whole tensor `sizes[i]` times along each dim. */
export function repeat(x: Tensor, ...sizes: number[] | [number[]]): Tensor {
  const reps = Array.isArray(sizes[0]) ? [...sizes[0]] : (sizes as number[]);
  if (reps.length < x.ndim)
    throw new RangeError(
      `repeat(): Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor (${reps.length} < ${x.ndim})`,
    );
  const padded = [...Array(reps.length - x.ndim).fill(1), ...x.shape] as number[];
  // (1, s0, 1, s1, ...) expanded to (r0, s0, r1, s1, ...), then merged pairwise
  const inter = padded.flatMap((s) => [1, s]);
  const target = padded.flatMap((s, i) => [reps[i]!, s]);
  const e = expand(reshape(x, inter), target);
  return reshape(
    e,
    padded.map((s, i) => s * reps[i]!),
  );
}
/** repeat with fewer dims allowed (leading ones are implied). */
export function tile(x: Tensor, dims: readonly number[]): Tensor {
  const reps = dims.length < x.ndim ? [...Array(x.ndim - dims.length).fill(1), ...dims] : [...dims];
  return repeat(x, reps);
}
/**
 * Repeat each element `repeats` times (per-element counts with a tensor) along dim (flattened when dim
 * is omitted). With only a 1-D int64 tensor of counts, `repeatInterleave(counts)` gives the indices
 * 0, 1, ... each repeated by its count.
 */
export function repeatInterleave(x: Tensor, repeats?: number | Tensor, dim?: number): Tensor {
  if (repeats === undefined) {
    if (x.ndim !== 1 || x.dtype !== "int64")
      throw new TypeError(
        `repeat_interleave(): repeats must be a 1-D int64 tensor, got ${fmtShape(x.shape)} of dtype ${x.dtype}`,
      );
    return repeatInterleave(arange(0, x.shape[0]!, 1, { dtype: "int64", device: x.device }), x, 0);
  }
  const src = dim === undefined ? flatten(x) : x;
  const d = dim === undefined ? 0 : normDim(dim, x.ndim, "repeat_interleave");
  const n = src.shape[d]!;
  if (repeats instanceof Tensor && (repeats.ndim > 1 || (repeats.dtype !== "int64" && repeats.dtype !== "int32")))
    throw new TypeError(
      `repeat_interleave(): repeats must be a 0-dim or 1-dim int64 tensor, got ${fmtShape(repeats.shape)} of dtype ${repeats.dtype}`,
    );
  let counts =
    typeof repeats === "number"
      ? [repeats]
      : Array.from(hostData(repeats, "repeat_interleave", "torch.repeatInterleaveAsync(x, repeats, dim)"));
  if (counts.length === 1) counts = new Array<number>(n).fill(counts[0]!);
  if (counts.length !== n)
    throw new RangeError(
      `repeat_interleave(): repeats must have the same size as input along dim (${counts.length} vs ${n})`,
    );
  const idx: number[] = [];
  counts.forEach((c, i) => {
    if (c < 0) throw new RangeError("repeat_interleave(): repeats can not be negative");
    for (let j = 0; j < c; j++) idx.push(i);
  });
  return indexSelect(src, d, fromStorageArray(Float64Array.from(idx), [idx.length], "int64", { device: x.device }));
}

/** Constant padding of the trailing dims (pads already cropped to be non-negative). */
export const constantPadPrim: Prim<{ pads: number[][]; value: number }> = {
  name: "constant_pad_nd",
  infer(inputs, { pads }) {
    const x = inputs[0]!;
    const shape = x.shape.map((s, d) => s + pads[d]![0]! + pads[d]![1]!);
    return { shape, dtype: x.dtype };
  },
  run(k, [x], out, { pads, value }) {
    k.map({ js: "p0" }, [], out, [value]);
    const offset = out.offset + pads.reduce((o, [before], d) => o + before! * out.strides[d]!, 0);
    k.map({ js: "a" }, [x!], { ...out, shape: x!.shape, offset }, []);
  },
  grad(g, { params: { pads }, meta }) {
    let r = g;
    meta[0]!.shape.forEach((s, d) => {
      r = narrow(r, d, pads[d]![0]!, s);
    });
    return [r];
  },
};

/** PyTorch 1.13's rank rules for the non-constant modes: k padded dims need k+1 or k+2 dims. */
function checkPadMode(x: Tensor, padding: readonly number[], mode: string, value: number | undefined): void {
  if (value !== undefined && value !== 0)
    throw new RangeError(`pad(): Padding mode "${mode}" doesn't take in value argument (got value ${value})`);
  const k = padding.length / 2;
  if (k < 1 || k > 3 || (x.ndim !== k + 1 && x.ndim !== k + 2))
    throw new RangeError(
      `pad(): Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now (mode ${mode}, padding of length ${padding.length}, input ${fmtShape(x.shape)})`,
    );
  if (mode === "circular" && x.ndim !== k + 2)
    throw new RangeError(
      `pad(): Invalid padding size, expected ${(x.ndim - 2) * 2} but got ${padding.length}: circular padding needs batch and channel dims (input ${fmtShape(x.shape)})`,
    );
}

/**
 * Pad the last dims: `pad = [left, right, top, bottom, ...]` from the last dim backwards (`F.pad`).
 * Negative constant (and circular) pads crop. `value` is only for the constant mode.
 */
export function pad(
  x: Tensor,
  padding: readonly number[],
  mode: "constant" | "reflect" | "replicate" | "circular" = "constant",
  value?: number,
): Tensor {
  if (padding.length % 2 !== 0)
    throw new RangeError(`pad(): Padding length must be divisible by 2, got ${padding.length}`);
  const k = padding.length / 2;
  if (k > x.ndim)
    throw new RangeError(`pad(): Padding length too large: ${padding.length} for an input of ${x.ndim} dims`);
  if (mode !== "constant" && mode !== "reflect" && mode !== "replicate" && mode !== "circular")
    throw new RangeError(`pad(): Unrecognised padding mode ${String(mode)}`);
  // per-dim [before, after], dims in natural order
  const pads = x.shape.map(() => [0, 0]);
  for (let i = 0; i < k; i++) pads[x.ndim - 1 - i] = [padding[2 * i]!, padding[2 * i + 1]!];
  const crop = (t: Tensor) => {
    let r = t;
    pads.forEach(([b, a], d) => {
      const n = r.shape[d]!;
      const cropB = Math.max(0, -b!);
      const cropA = Math.max(0, -a!);
      if (n + b! + a! < 0)
        throw new RangeError(
          `pad(): The input size ${n}, plus negative padding ${b} and ${a} resulted in a negative output size, which is invalid. Check dimension ${d} of your input ${fmtShape(t.shape)}.`,
        );
      if (cropB + cropA > n)
        throw new RangeError(
          `pad(): cropping ${cropB + cropA} elements from dimension ${d} of size ${n} (input ${fmtShape(t.shape)})`,
        );
      if (cropB || cropA) r = narrow(r, d, cropB, n - cropB - cropA);
    });
    return r;
  };
  if (mode === "constant") {
    const r = crop(x);
    const pos = pads.map(([b, a]) => [Math.max(0, b!), Math.max(0, a!)]);
    return apply(constantPadPrim, [r], { pads: pos, value: value ?? 0 });
  }
  checkPadMode(x, padding, mode, value);
  pads.forEach(([b, a], d) => {
    const n = x.shape[d]!;
    if (mode === "reflect" && (b! >= n || a! >= n))
      throw new RangeError(
        `pad(): Padding size should be less than the corresponding input dimension, but got: padding (${b}, ${a}) at dimension ${d} of input ${fmtShape(x.shape)}`,
      );
    if (mode === "circular" && (b! > n || a! > n))
      throw new RangeError(
        `pad(): Padding value causes wrapping around more than once (padding (${b}, ${a}) at dimension ${d} of input ${fmtShape(x.shape)})`,
      );
    if (n + b! + a! < 1)
      throw new RangeError(
        `pad(): input size ${n} with padding (${b}, ${a}) at dimension ${d} gives an output size ${n + b! + a!}, which should be at least 1 (input ${fmtShape(x.shape)})`,
      );
  });
  // circular: negative pads crop first, then the cropped tensor wraps around; reflect and replicate
  // read output position o from input position o - before, so negative pads crop on their own
  let r = mode === "circular" ? crop(x) : x;
  pads.forEach(([b0, a0], d) => {
    const b = mode === "circular" ? Math.max(b0!, 0) : b0!;
    const a = mode === "circular" ? Math.max(a0!, 0) : a0!;
    if (!b && !a) return;
    const n = r.shape[d]!;
    // source position of each output position along d
    const i = arange(-b, n + a, 1, { dtype: "int64", device: x.device });
    let src: Tensor;
    if (mode === "reflect") {
      const ai = abs(i);
      src = where(ge(ai, n), sub(2 * (n - 1), ai), ai);
    } else if (mode === "replicate") src = clamp(i, 0, n - 1);
    else src = remainder(add(i, n), n);
    r = indexSelect(r, d, src);
  });
  return r;
}
