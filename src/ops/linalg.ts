// Linear algebra: the batched matmul primitive and its composites (matmul's 1-D/2-D/batched cases,
// mm, bmm, mv, dot, outer, addmm, baddbmm, einsum, tensordot, kron, trace, tril, triu).

import { broadcastShapes, broadcastStrides, fmtShape, normDim, numel } from "../shape.js";
import { Tensor } from "../tensor.js";
import { apply, type Prim } from "./prim.js";
import { add, mul, where, le, ge, sub } from "./elementwise.js";
import { diagonal, mT, permute, reshape, squeeze, unsqueeze, expand } from "./views.js";
import { sum } from "./reduce.js";
import { arange } from "./creation.js";
import { dtypeCName } from "./elementwise.js";

/** Batched matrix product a (..., M, K) @ b (..., K, N) with broadcast batch dims. */
export const matmulPrim: Prim<Record<string, never>> = {
  name: "mm",
  saves: { inputs: [0, 1] },
  infer(inputs) {
    const [a, b] = inputs as [Tensor, Tensor];
    if (a.ndim < 2 || b.ndim < 2)
      throw new RangeError(
        `matmul(): expected tensors with at least 2 dims, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
      );
    if (a.dtype !== b.dtype)
      throw new TypeError(
        `matmul(): expected both arguments to have the same dtype, but got ${dtypeCName(a.dtype)} and ${dtypeCName(b.dtype)}`,
      );
    if (a.dtype === "bool") throw new TypeError(`"addmm" not implemented for 'Bool'`);
    const [m, k] = a.shape.slice(-2) as [number, number];
    const [k2, n] = b.shape.slice(-2) as [number, number];
    if (k !== k2)
      throw new RangeError(
        `matmul(): mat1 and mat2 shapes cannot be multiplied (${m}x${k} and ${k2}x${n}); shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
      );
    const batch = broadcastShapes("matmul", a.shape.slice(0, -2), b.shape.slice(0, -2));
    return { shape: [...batch, m, n], dtype: a.dtype };
  },
  run(k, [a, b], out) {
    const batch = out.shape.slice(0, -2);
    const bc = (v: typeof a) => {
      const vb = v!.shape.slice(0, -2);
      const st = broadcastStrides(vb, v!.strides.slice(0, -2), batch);
      return { ...v!, shape: [...batch, ...v!.shape.slice(-2)], strides: [...st, ...v!.strides.slice(-2)] };
    };
    k.matmul(bc(a), bc(b), out);
  },
  grad: (g, { inputs: [a, b], needs }) => [needs[0] ? matmul(g, mT(b!)) : null, needs[1] ? matmul(mT(a!), g) : null],
};

/** Matrix product with PyTorch's rules for 1-D, 2-D and batched (broadcast) operands. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0)
    throw new RangeError(
      `matmul(): both arguments to matmul need to be at least 1D, but they are ${a.ndim}D and ${b.ndim}D`,
    );
  if (a.ndim === 1 && b.ndim === 1) {
    if (a.shape[0] !== b.shape[0])
      throw new RangeError(
        `dot(): inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`,
      );
    return reshape(apply(matmulPrim, [unsqueeze(a, 0), unsqueeze(b, 1)], {}), []);
  }
  if (a.ndim === 1) return squeeze(apply(matmulPrim, [unsqueeze(a, 0), b], {}), -2);
  if (b.ndim === 1) return squeeze(apply(matmulPrim, [a, unsqueeze(b, 1)], {}), -1);
  return apply(matmulPrim, [a, b], {});
}
/** Product of two matrices. */
export function mm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 2 || b.ndim !== 2)
    throw new RangeError(`mm(): expected 2-D tensors, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  return apply(matmulPrim, [a, b], {});
}
/** Batched product of (B, n, m) and (B, m, p) tensors. */
export function bmm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 3 || b.ndim !== 3)
    throw new RangeError(
      `bmm(): batch1 and batch2 must be 3D tensors, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  if (a.shape[0] !== b.shape[0])
    throw new RangeError(`bmm(): batch sizes differ: ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  return apply(matmulPrim, [a, b], {});
}
/** Matrix-vector product. */
export function mv(a: Tensor, v: Tensor): Tensor {
  if (a.ndim !== 2 || v.ndim !== 1)
    throw new RangeError(
      `mv(): expected a 2-D matrix and a 1-D vector, got ${fmtShape(a.shape)} and ${fmtShape(v.shape)}`,
    );
  return matmul(a, v);
}
/** Inner product of two 1-D tensors. */
export function dot(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1 || b.ndim !== 1)
    throw new RangeError(`dot(): 1D tensors expected, but got ${a.ndim}D and ${b.ndim}D tensors`);
  return matmul(a, b);
}
/** Outer product of two 1-D tensors. */
export function outer(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1 || b.ndim !== 1)
    throw new RangeError(`outer(): expected 1-D tensors, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  return mul(unsqueeze(a, 1), unsqueeze(b, 0));
}

/** beta * input + alpha * x (beta 0 ignores input, NaN included, as PyTorch does). */
function scaledSum(input: Tensor, prod: Tensor, beta: number, alpha: number): Tensor {
  const p = alpha === 1 ? prod : mul(prod, alpha);
  broadcastShapes("addmm", input.shape, p.shape);
  if (beta === 0) return p;
  return add(beta === 1 ? input : mul(input, beta), p);
}
/** beta * input + alpha * (m1 @ m2). */
export function addmm(input: Tensor, m1: Tensor, m2: Tensor, opts: { beta?: number; alpha?: number } = {}): Tensor {
  return scaledSum(input, mm(m1, m2), opts.beta ?? 1, opts.alpha ?? 1);
}
/** beta * input + alpha * bmm(b1, b2). */
export function baddbmm(input: Tensor, b1: Tensor, b2: Tensor, opts: { beta?: number; alpha?: number } = {}): Tensor {
  return scaledSum(input, bmm(b1, b2), opts.beta ?? 1, opts.alpha ?? 1);
}
/** beta * input + alpha * (mat @ vec). */
export function addmv(input: Tensor, mat: Tensor, vec: Tensor, opts: { beta?: number; alpha?: number } = {}): Tensor {
  return scaledSum(input, mv(mat, vec), opts.beta ?? 1, opts.alpha ?? 1);
}

/** Sum of the main diagonal of a matrix. */
export function trace(x: Tensor): Tensor {
  if (x.ndim !== 2) throw new RangeError(`trace(): expected a matrix, but got tensor with dim ${x.ndim}`);
  return sum(diagonal(x));
}
/** Mask of (row, col) positions with col - row compared to `k`. */
function triMask(x: Tensor, k: number, lower: boolean): Tensor {
  const [r, c] = x.shape.slice(-2) as [number, number];
  const rows = reshape(arange(0, r, 1, { dtype: "int64", device: x.device }), [r, 1]);
  const cols = reshape(arange(0, c, 1, { dtype: "int64", device: x.device }), [1, c]);
  const d = sub(cols, rows);
  return lower ? le(d, k) : ge(d, k);
}
/** Lower triangle (below or on diagonal k), zeros elsewhere. */
export function tril(x: Tensor, diagonal = 0): Tensor {
  if (x.ndim < 2) throw new RangeError(`tril(): input tensor must have at least 2 dimensions, got ${x.ndim}`);
  return where(triMask(x, diagonal, true), x, 0);
}
/** Upper triangle (above or on diagonal k), zeros elsewhere. */
export function triu(x: Tensor, diagonal = 0): Tensor {
  if (x.ndim < 2) throw new RangeError(`triu(): input tensor must have at least 2 dimensions, got ${x.ndim}`);
  return where(triMask(x, diagonal, false), x, 0);
}

/** Contract dims of a with dims of b: `dims` is a count (last of a with first of b) or two lists. */
export function tensordot(a: Tensor, b: Tensor, dims: number | [readonly number[], readonly number[]] = 2): Tensor {
  let da: number[];
  let db: number[];
  if (typeof dims === "number") {
    if (dims < 0 || dims > a.ndim || dims > b.ndim)
      throw new RangeError(`tensordot(): expects dims >= 0 and dims <= min(a.ndim, b.ndim), got ${dims}`);
    da = [...Array(dims).keys()].map((i) => a.ndim - dims + i);
    db = [...Array(dims).keys()];
  } else {
    da = dims[0].map((d) => normDim(d, a.ndim, "tensordot"));
    db = dims[1].map((d) => normDim(d, b.ndim, "tensordot"));
  }
  if (da.length !== db.length) throw new RangeError("tensordot(): both dimension lists should have same length");
  da.forEach((d, i) => {
    if (a.shape[d] !== b.shape[db[i]!])
      throw new RangeError(
        `tensordot(): contracted dimensions need to match, but first has size ${a.shape[d]} in dim ${d} and second has size ${b.shape[db[i]!]} in dim ${db[i]}`,
      );
  });
  const freeA = a.shape.map((_, i) => i).filter((i) => !da.includes(i));
  const freeB = b.shape.map((_, i) => i).filter((i) => !db.includes(i));
  const k = numel(da.map((d) => a.shape[d]!));
  const am = reshape(permute(a, [...freeA, ...da]), [-1, k]);
  const bm = reshape(permute(b, [...db, ...freeB]), [k, -1]);
  return reshape(mm(am, bm), [...freeA.map((d) => a.shape[d]!), ...freeB.map((d) => b.shape[d]!)]);
}

/** Kronecker product. */
export function kron(a: Tensor, b: Tensor): Tensor {
  const nd = Math.max(a.ndim, b.ndim);
  const as = [...Array(nd - a.ndim).fill(1), ...a.shape] as number[];
  const bs = [...Array(nd - b.ndim).fill(1), ...b.shape] as number[];
  // (a0, 1, a1, 1, ...) * (1, b0, 1, b1, ...) -> (a0 * b0, a1 * b1, ...)
  const ai = reshape(
    a,
    as.flatMap((s) => [s, 1]),
  );
  const bi = reshape(
    b,
    bs.flatMap((s) => [1, s]),
  );
  return reshape(
    mul(ai, bi),
    as.map((s, i) => s * bs[i]!),
  );
}

// ---- einsum ------------------------------------------------------------------------------------

/** A tensor with one label per dim. */
interface Labeled {
  t: Tensor;
  labels: string[];
}

/** Take diagonals so each label appears once. */
function dedupe(op: Labeled): Labeled {
  let { t, labels } = op;
  for (;;) {
    const i = labels.findIndex((l, j) => labels.indexOf(l) !== j);
    if (i < 0) return { t, labels };
    const first = labels.indexOf(labels[i]!);
    if (t.shape[first] !== t.shape[i])
      throw new RangeError(
        `einsum(): subscript ${labels[i]} is repeated for operand but the sizes don't match, ${t.shape[first]} != ${t.shape[i]}`,
      );
    t = diagonal(t, 0, first, i);
    const l = labels[i]!;
    labels = labels.filter((_, j) => j !== first && j !== i).concat(l);
  }
}

/** Sum out labels no one else needs. */
function sumOut(op: Labeled, keep: Set<string>): Labeled {
  const drop = op.labels.map((l, i) => (keep.has(l) ? -1 : i)).filter((i) => i >= 0);
  if (drop.length === 0) return op;
  return { t: sum(op.t, drop), labels: op.labels.filter((l) => keep.has(l)) };
}

/** Contract two labeled tensors, keeping the labels in `keep`, as one batched matmul. */
function contractPair(a: Labeled, b: Labeled, keep: Set<string>): Labeled {
  const inB = new Set(b.labels);
  const inA = new Set(a.labels);
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
  const contracted = a.labels.filter((l) => inB.has(l) && !keep.has(l));
  const freeA = a.labels.filter((l) => !inB.has(l));
  const freeB = b.labels.filter((l) => !inA.has(l));
  const size = (op: Labeled, l: string) => op.t.shape[op.labels.indexOf(l)]!;
  const dimSize = (l: string) => Math.max(inA.has(l) ? size(a, l) : 1, inB.has(l) ? size(b, l) : 1);
  const order = (op: Labeled, ls: string[]) =>
    permute(
      op.t,
      ls.map((l) => op.labels.indexOf(l)),
    );
  const bsz = batch.map(dimSize);
  const expandBatch = (op: Labeled, rest: string[]) => {
    const t = order(op, [...batch, ...rest]);
    return expand(t, [...bsz, ...t.shape.slice(batch.length)]);
  };
  const am = reshape(expandBatch(a, [...freeA, ...contracted]), [
    numel(bsz),
    numel(freeA.map((l) => size(a, l))),
    numel(contracted.map((l) => size(a, l))),
  ]);
  const bm = reshape(expandBatch(b, [...contracted, ...freeB]), [
    numel(bsz),
    numel(contracted.map((l) => size(b, l))),
    numel(freeB.map((l) => size(b, l))),
  ]);
  const r = bmm(am, bm);
  const labels = [...batch, ...freeA, ...freeB];
  return { t: reshape(r, [...bsz, ...freeA.map((l) => size(a, l)), ...freeB.map((l) => size(b, l))]), labels };
}

/** Einstein summation: `einsum("bij,bjk->bik", a, b)`, with "..." and implicit output. */
export function einsum(equation: string, ...operands: Tensor[] | [Tensor[]]): Tensor {
  const ops = (Array.isArray(operands[0]) ? operands[0] : operands) as Tensor[];
  const eq = equation.replace(/\s+/g, "");
  const [lhs, rhs] = eq.split("->") as [string, string | undefined];
  const terms = lhs.split(",");
  if (terms.length !== ops.length)
    throw new RangeError(
      `einsum(): ${terms.length} operands in the equation '${equation}' but ${ops.length} tensors given`,
    );
  const ellDims = Math.max(0, ...terms.map((t, i) => (t.includes("...") ? ops[i]!.ndim - (t.length - 3) : 0)));
  const ell = [...Array(ellDims).keys()].map((i) => `.${i}`);
  const parse = (term: string, nd?: number): string[] => {
    const out: string[] = [];
    for (let i = 0; i < term.length; i++) {
      if (term.startsWith("...", i)) {
        const n = nd === undefined ? ellDims : nd - (term.length - 3);
        out.push(...ell.slice(ellDims - n));
        i += 2;
      } else if (/[a-zA-Z]/.test(term[i]!)) out.push(term[i]!);
      else throw new RangeError(`einsum(): invalid subscript '${term[i]}' in '${equation}'`);
    }
    return out;
  };
  let labeled: Labeled[] = terms.map((term, i) => {
    const labels = parse(term, ops[i]!.ndim);
    if (labels.length !== ops[i]!.ndim)
      throw new RangeError(
        `einsum(): the number of subscripts in the equation (${labels.length}) does not match the number of dimensions (${ops[i]!.ndim}) for operand ${i}`,
      );
    return dedupe({ t: ops[i]!, labels });
  });
  let outLabels: string[];
  if (rhs !== undefined) outLabels = parse(rhs);
  else {
    const counts = new Map<string, number>();
    labeled.forEach((o) => o.labels.forEach((l) => counts.set(l, (counts.get(l) ?? 0) + 1)));
    const single = [...counts]
      .filter(([l, c]) => c === 1 && !l.startsWith("."))
      .map(([l]) => l)
      .sort();
    outLabels = [...ell, ...single];
  }
  // pairwise contraction, left to right; a label is kept while a later operand or the output needs it
  const needed = (rest: Labeled[]) => new Set([...outLabels, ...rest.flatMap((o) => o.labels)]);
  labeled = labeled.map((o, i) => sumOut(o, needed([...labeled.slice(0, i), ...labeled.slice(i + 1)])));
  let acc = labeled[0]!;
  for (let i = 1; i < labeled.length; i++) acc = contractPair(acc, labeled[i]!, needed(labeled.slice(i + 1)));
  acc = sumOut(acc, new Set(outLabels));
  for (const l of outLabels)
    if (!acc.labels.includes(l))
      throw new RangeError(`einsum(): output subscript ${l} does not appear in the equation for any input operand`);
  const r = permute(
    acc.t,
    outLabels.map((l) => acc.labels.indexOf(l)),
  );
  return r;
}
