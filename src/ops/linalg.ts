// Linear algebra: the batched matmul primitive and its composites (matmul's 1-D/2-D/batched cases,
// mm, bmm, mv, dot, outer, addmm, baddbmm, einsum, tensordot, kron, trace, tril, triu).

import { broadcastShapes, broadcastStrides, fmtShape, normDim, numel } from "../shape.js";
import { Tensor } from "../tensor.js";
import type { View } from "../backend.js";
import { apply, type Prim } from "./prim.js";
import { filled } from "./scalar.js";
import { add, mul, where, le, ge, sub } from "./elementwise.js";
import { diagonal, mT, permute, reshape, squeeze, unsqueeze, expand } from "./views.js";
import { sum } from "./reduce.js";
import { arange, full } from "./creation.js";
import { dtypeCName } from "./elementwise.js";

/** Batched matrix product a (..., M, K) @ b (..., K, N) with broadcast batch dims. */
export const matmulPrim: Prim<Record<string, never>> = {
  name: "mm",
  saves: { inputs: [0, 1] },
  overwrites: true,
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
    // the operands seen with the output's batch dims (stride 0 where they broadcast)
    const bc = (v: View): View => ({
      storage: v.storage,
      offset: v.offset,
      dtype: v.dtype,
      shape: [...batch, ...v.shape.slice(-2)],
      strides: [...broadcastStrides(v.shape.slice(0, -2), v.strides.slice(0, -2), batch), ...v.strides.slice(-2)],
    });
    k.matmul(bc(a!), bc(b!), out);
  },
  // A gradient takes its input's layout where that is a transposed matrix (x @ W.t() in linear), as
  // PyTorch's mm backward does: (g^T a)^T is a view of a contiguous (N, K) product, so W's gradient
  // needs no transposed copy.
  grad: (g, { inputs: [a, b], needs }) => [
    needs[0] ? (transposed(a!) ? mT(matmul(b!, mT(g))) : matmul(g, mT(b!))) : null,
    needs[1] ? (transposed(b!) ? mT(matmul(mT(g), a!)) : matmul(mT(a!), g)) : null,
  ],
};

/** Whether the last two dims of `x` are a column-major matrix (the transpose of a contiguous one). */
function transposed(x: Tensor): boolean {
  const nd = x.ndim;
  const [r, c] = x.shape.slice(-2) as [number, number];
  return r > 1 && c > 1 && x.strides[nd - 2] === 1 && x.strides[nd - 1] === r;
}

/** "3x4" for the error messages of the matrix products. */
const mat = (s: readonly number[]) => s.join("x");

/** Matrix product with PyTorch's rules for 1-D, 2-D and batched (broadcast) operands. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0)
    throw new RangeError(
      `matmul(): both arguments to matmul need to be at least 1D, but they are ${a.ndim}D and ${b.ndim}D`,
    );
  if (a.ndim === 1 && b.ndim === 1) return dotOf("matmul", a, b);
  checkDtypes("matmul", a, b);
  const ka = a.shape[a.ndim - 1]!;
  const kb = b.shape[b.ndim === 1 ? 0 : b.ndim - 2]!;
  if (ka !== kb) {
    const m = a.ndim === 1 ? [1, ka] : a.shape.slice(-2);
    const n = b.ndim === 1 ? [kb, 1] : b.shape.slice(-2);
    throw new RangeError(
      `matmul(): mat1 and mat2 shapes cannot be multiplied (${mat(m)} and ${mat(n)}): the last dim of the first operand ${fmtShape(a.shape)} must match the ${b.ndim === 1 ? "size" : "second-to-last dim"} of the second ${fmtShape(b.shape)}`,
    );
  }
  if (a.ndim === 1) return squeeze(apply(matmulPrim, [unsqueeze(a, 0), b], {}), -2);
  if (b.ndim === 1) return squeeze(apply(matmulPrim, [a, unsqueeze(b, 1)], {}), -1);
  return apply(matmulPrim, [a, b], {});
}

/** Both operands of a product have one dtype (no promotion, as in PyTorch). */
function checkDtypes(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype)
    throw new TypeError(
      `${op}(): expected both operands to have the same dtype, but got ${dtypeCName(a.dtype)} and ${dtypeCName(b.dtype)}`,
    );
}

/** Check the operands of a matrix-matrix product (mm, addmm). */
function checkMm(op: string, a: Tensor, b: Tensor): void {
  if (a.ndim !== 2 || b.ndim !== 2)
    throw new RangeError(
      `${op}(): ${a.ndim !== 2 ? "mat1" : "mat2"} must be a matrix, got ${(a.ndim !== 2 ? a : b).ndim}-D tensor (shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)})`,
    );
  if (a.shape[1] !== b.shape[0])
    throw new RangeError(`${op}(): mat1 and mat2 shapes cannot be multiplied (${mat(a.shape)} and ${mat(b.shape)})`);
  checkDtypes(op, a, b);
}
/** Product of two matrices: (n, m) @ (m, p) -> (n, p). */
export function mm(a: Tensor, b: Tensor): Tensor {
  checkMm("mm", a, b);
  return apply(matmulPrim, [a, b], {});
}

/** Check the operands of a batched product (bmm, baddbmm). */
function checkBmm(op: string, a: Tensor, b: Tensor): void {
  if (a.ndim !== 3 || b.ndim !== 3)
    throw new RangeError(
      `${op}(): ${a.ndim !== 3 ? "batch1" : "batch2"} must be a 3D tensor, but got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  if (a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1])
    throw new RangeError(
      `${op}(): expected batch2 of shape [${a.shape[0]}, ${a.shape[2]}, *] to match batch1 ${fmtShape(a.shape)}, but got ${fmtShape(b.shape)}`,
    );
  checkDtypes(op, a, b);
}
/** Batched product of (B, n, m) and (B, m, p) tensors -> (B, n, p); no broadcasting. */
export function bmm(a: Tensor, b: Tensor): Tensor {
  checkBmm("bmm", a, b);
  return apply(matmulPrim, [a, b], {});
}

/** Check the operands of a matrix-vector product (mv, addmv). */
function checkMv(op: string, a: Tensor, v: Tensor): void {
  if (a.ndim !== 2 || v.ndim !== 1)
    throw new RangeError(
      `${op}(): expected a 2-D matrix and a 1-D vector, but got shapes ${fmtShape(a.shape)} and ${fmtShape(v.shape)}`,
    );
  if (a.shape[1] !== v.shape[0])
    throw new RangeError(
      `${op}(): size mismatch, got matrix ${mat(a.shape)} and vector of size ${v.shape[0]} (expected ${a.shape[1]})`,
    );
  checkDtypes(op, a, v);
}
/** Matrix-vector product: (n, m) @ (m,) -> (n,). */
export function mv(a: Tensor, v: Tensor): Tensor {
  checkMv("mv", a, v);
  return squeeze(apply(matmulPrim, [a, unsqueeze(v, 1)], {}), -1);
}

/** Inner product of two 1-D tensors of the same size and dtype: a 0-dim tensor. */
export function dot(a: Tensor, b: Tensor): Tensor {
  return dotOf("dot", a, b);
}
function dotOf(op: string, a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1 || b.ndim !== 1)
    throw new RangeError(
      `${op}(): 1D tensors expected, but got ${a.ndim}D and ${b.ndim}D tensors (shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)})`,
    );
  if (a.shape[0] !== b.shape[0])
    throw new RangeError(
      `${op}(): inconsistent tensor size, expected tensors ${fmtShape(a.shape)} and ${fmtShape(b.shape)} to have the same number of elements`,
    );
  checkDtypes(op, a, b);
  return reshape(apply(matmulPrim, [unsqueeze(a, 0), unsqueeze(b, 1)], {}), []);
}

/** Outer product of two 1-D tensors: (n,) x (m,) -> (n, m). */
export function outer(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1 || b.ndim !== 1)
    throw new RangeError(
      `outer(): expected 1-D arguments, but got ${a.ndim}-D and ${b.ndim}-D (shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)})`,
    );
  return mul(unsqueeze(a, 1), unsqueeze(b, 0));
}

/** Keyword options of addmm, addmv and baddbmm. */
export interface AddProductOptions {
  /** Factor of `input` (default 1); 0 ignores its values, NaN and Inf included. */
  beta?: number;
  /** Factor of the product (default 1). */
  alpha?: number;
}

/** beta * input + alpha * prod, where input must broadcast to prod's shape (as PyTorch's expand). */
function addProduct(op: string, input: Tensor, prod: Tensor, opts: AddProductOptions): Tensor {
  const beta = opts.beta ?? 1;
  const alpha = opts.alpha ?? 1;
  if (input.dtype !== prod.dtype)
    throw new TypeError(
      `${op}(): expected input and the multiplied tensors to have the same dtype, but got ${dtypeCName(input.dtype)} and ${dtypeCName(prod.dtype)}`,
    );
  const off = prod.ndim - input.ndim;
  if (off < 0 || input.shape.some((d, i) => d !== 1 && d !== prod.shape[off + i]))
    throw new RangeError(
      `${op}(): input of shape ${fmtShape(input.shape)} cannot be broadcast to the shape of the product ${fmtShape(prod.shape)}`,
    );
  const p = alpha === 1 ? prod : mul(prod, alpha);
  // beta = 0: the result takes nothing from input (not even NaN), and input gets a zero gradient
  if (beta === 0) return where(full([], true, { dtype: "bool", device: p.device }), p, input);
  return add(beta === 1 ? input : mul(input, beta), p);
}
/** beta * input + alpha * (mat1 @ mat2); input broadcasts to (n, p). */
export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, opts: AddProductOptions = {}): Tensor {
  checkMm("addmm", mat1, mat2);
  return addProduct("addmm", input, apply(matmulPrim, [mat1, mat2], {}), opts);
}
/** beta * input + alpha * bmm(batch1, batch2); input broadcasts to (B, n, p). */
export function baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, opts: AddProductOptions = {}): Tensor {
  checkBmm("baddbmm", batch1, batch2);
  return addProduct("baddbmm", input, apply(matmulPrim, [batch1, batch2], {}), opts);
}
/** beta * input + alpha * (mat @ vec); input broadcasts to (n,). */
export function addmv(input: Tensor, mat: Tensor, vec: Tensor, opts: AddProductOptions = {}): Tensor {
  checkMv("addmv", mat, vec);
  return addProduct("addmv", input, squeeze(apply(matmulPrim, [mat, unsqueeze(vec, 1)], {}), -1), opts);
}

/** Sum of the main diagonal of a matrix (any of its shapes). */
export function trace(x: Tensor): Tensor {
  if (x.ndim !== 2)
    throw new RangeError(`trace(): expected a matrix, but got tensor with dim ${x.ndim} (shape ${fmtShape(x.shape)})`);
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
/** A 0-dim zero of x's dtype, so tril/triu keep x's dtype (bool stays bool). */
function zeroOf(x: Tensor): Tensor {
  return filled([], 0, x.dtype, x.device);
}
/** Lower triangle of the last two dims: elements on or below diagonal k kept, zeros elsewhere. */
export function tril(x: Tensor, diagonal = 0): Tensor {
  if (x.ndim < 2)
    throw new RangeError(`tril(): input tensor must have at least 2 dimensions, but got shape ${fmtShape(x.shape)}`);
  return where(triMask(x, diagonal, true), x, zeroOf(x));
}
/** Upper triangle of the last two dims: elements on or above diagonal k kept, zeros elsewhere. */
export function triu(x: Tensor, diagonal = 0): Tensor {
  if (x.ndim < 2)
    throw new RangeError(`triu(): input tensor must have at least 2 dimensions, but got shape ${fmtShape(x.shape)}`);
  return where(triMask(x, diagonal, false), x, zeroOf(x));
}

/**
 * Sum of products over the given dims of a and b: `dims` is a count n (the last n dims of a with the
 * first n of b, default 2) or two lists of dims to pair up. The result has a's free dims, then b's.
 */
export function tensordot(a: Tensor, b: Tensor, dims: number | [readonly number[], readonly number[]] = 2): Tensor {
  let da: number[];
  let db: number[];
  if (typeof dims === "number") {
    if (!Number.isInteger(dims) || dims < 0 || dims > a.ndim || dims > b.ndim)
      throw new RangeError(
        `tensordot(): expected 0 <= dims <= min(a.ndim, b.ndim), but got dims ${dims} for shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
      );
    da = [...Array(dims).keys()].map((i) => a.ndim - dims + i);
    db = [...Array(dims).keys()];
  } else {
    da = dims[0].map((d) => normDim(d, a.ndim, "tensordot"));
    db = dims[1].map((d) => normDim(d, b.ndim, "tensordot"));
  }
  if (da.length !== db.length)
    throw new RangeError(
      `tensordot(): both dimension lists should have the same length, but got ${da.length} and ${db.length}`,
    );
  for (const [which, ds] of [
    ["first", da],
    ["second", db],
  ] as const)
    if (new Set(ds).size !== ds.length)
      throw new RangeError(`tensordot(): a dim appears more than once in the ${which} list [${ds.join(", ")}]`);
  da.forEach((d, i) => {
    if (a.shape[d] !== b.shape[db[i]!])
      throw new RangeError(
        `tensordot(): contracted dimensions need to match, but first has size ${a.shape[d]} in dim ${d} and second has size ${b.shape[db[i]!]} in dim ${db[i]} (shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)})`,
      );
  });
  const freeA = a.shape.map((_, i) => i).filter((i) => !da.includes(i));
  const freeB = b.shape.map((_, i) => i).filter((i) => !db.includes(i));
  const sizes = (t: Tensor, ds: number[]) => ds.map((d) => t.shape[d]!);
  const k = numel(sizes(a, da));
  const am = reshape(permute(a, [...freeA, ...da]), [numel(sizes(a, freeA)), k]);
  const bm = reshape(permute(b, [...db, ...freeB]), [k, numel(sizes(b, freeB))]);
  return reshape(apply(matmulPrim, [am, bm], {}), [...sizes(a, freeA), ...sizes(b, freeB)]);
}

/** Kronecker product; the operand with fewer dims gets leading 1s. */
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
// Labels are letters; the dims covered by "..." get the labels ".0", ".1", ... (right-aligned, so
// operands with fewer ellipsis dims broadcast). A dim of size 1 broadcasts against its label's size.

/** A tensor with one label per dim. */
interface Labeled {
  t: Tensor;
  labels: string[];
}

/** Take diagonals so each label appears once per operand. */
function dedupe(op: Labeled, index: number): Labeled {
  let { t, labels } = op;
  for (;;) {
    const i = labels.findIndex((l, j) => labels.indexOf(l) !== j);
    if (i < 0) return { t, labels };
    const first = labels.indexOf(labels[i]!);
    if (t.shape[first] !== t.shape[i])
      throw new RangeError(
        `einsum(): subscript ${labels[i]} is repeated for operand ${index} but the sizes don't match, ${t.shape[first]} != ${t.shape[i]}`,
      );
    t = diagonal(t, 0, first, i);
    const l = labels[i]!;
    labels = labels.filter((_, j) => j !== first && j !== i).concat(l);
  }
}

/** Sum out the labels not in `keep`. */
function sumOut(op: Labeled, keep: Set<string>): Labeled {
  const drop = op.labels.map((l, i) => (keep.has(l) ? -1 : i)).filter((i) => i >= 0);
  if (drop.length === 0) return op;
  return { t: sum(op.t, drop), labels: op.labels.filter((l) => keep.has(l)) };
}

/** Contract two labeled tensors as one batched matmul, keeping the labels in `keep`. */
function contractPair(a: Labeled, b: Labeled, keep: Set<string>): Labeled {
  const inA = new Set(a.labels);
  const inB = new Set(b.labels);
  const size = (op: Labeled, l: string) => op.t.shape[op.labels.indexOf(l)]!;
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
  const contracted = a.labels.filter((l) => inB.has(l) && !keep.has(l));
  // a contracted label of size 1 in one operand only: sum the other over it first
  // (sum_j x * y_j = x * sum_j y_j), so both have size 1 there
  const shrink = (op: Labeled, other: Labeled): Labeled => {
    const dims = contracted.filter((l) => size(other, l) === 1 && size(op, l) !== 1).map((l) => op.labels.indexOf(l));
    return dims.length ? { t: sum(op.t, dims, true), labels: op.labels } : op;
  };
  [a, b] = [shrink(a, b), shrink(b, a)];
  const freeA = a.labels.filter((l) => !inB.has(l));
  const freeB = b.labels.filter((l) => !inA.has(l));
  const bsz = batch.map((l) => Math.max(size(a, l), size(b, l)));
  const ksz = contracted.map((l) => size(a, l));
  const arrange = (op: Labeled, rest: string[]) => {
    const t = permute(
      op.t,
      [...batch, ...rest].map((l) => op.labels.indexOf(l)),
    );
    return expand(t, [...bsz, ...t.shape.slice(batch.length)]);
  };
  const fa = freeA.map((l) => size(a, l));
  const fb = freeB.map((l) => size(b, l));
  const am = reshape(arrange(a, [...freeA, ...contracted]), [numel(bsz), numel(fa), numel(ksz)]);
  const bm = reshape(arrange(b, [...contracted, ...freeB]), [numel(bsz), numel(ksz), numel(fb)]);
  const r = apply(matmulPrim, [am, bm], {});
  return { t: reshape(r, [...bsz, ...fa, ...fb]), labels: [...batch, ...freeA, ...freeB] };
}

/** One side of an equation: its letters, and where its "..." is (-1: none). */
function parseTerm(term: string, what: string, equation: string): { letters: string[]; ell: number } {
  const letters: string[] = [];
  let ell = -1;
  for (let i = 0; i < term.length; i++) {
    if (term.startsWith("...", i)) {
      if (ell >= 0) throw new RangeError(`einsum(): found more than one ellipsis ('...') in ${what} of '${equation}'`);
      ell = letters.length;
      i += 2;
    } else if (/[a-zA-Z]/.test(term[i]!)) letters.push(term[i]!);
    else throw new RangeError(`einsum(): invalid subscript '${term[i]}' in ${what} of '${equation}'`);
  }
  return { letters, ell };
}

/**
 * Einstein summation, e.g. `einsum("bij,bjk->bik", a, b)`: each operand's dims are named by letters;
 * letters missing from the output are summed over. Supports "..." (broadcast batch dims), a letter
 * repeated within one operand (its diagonal), the implicit output (no "->": "..." then the letters
 * that appear once, sorted), size-1 dims broadcasting, and any number of operands (contracted left
 * to right, each pair as one batched matmul). Operands may also be passed as one array.
 */
export function einsum(equation: string, ...operands: Tensor[] | [Tensor[]]): Tensor {
  const ops = (Array.isArray(operands[0]) ? operands[0] : operands) as Tensor[];
  const eq = equation.replace(/\s+/g, "");
  const sides = eq.split("->");
  if (sides.length > 2) throw new RangeError(`einsum(): found more than one '->' in '${equation}'`);
  const terms = sides[0]!.split(",");
  if (terms.length !== ops.length)
    throw new RangeError(
      `einsum(): ${terms.length > ops.length ? "fewer" : "more"} operands were provided than specified in the equation '${equation}' (${ops.length} tensors for ${terms.length} terms)`,
    );
  const parsed = terms.map((term, i) => {
    const p = parseTerm(term, `operand ${i}`, equation);
    const nd = ops[i]!.ndim;
    if (p.ell < 0 ? p.letters.length !== nd : p.letters.length > nd)
      throw new RangeError(
        `einsum(): the number of subscripts in the equation (${p.letters.length}) does not match the number of dimensions (${nd}) for operand ${i} of shape ${fmtShape(ops[i]!.shape)}${p.ell < 0 ? " and no ellipsis was given" : ""}`,
      );
    return p;
  });
  const ellDims = Math.max(0, ...parsed.map((p, i) => (p.ell < 0 ? 0 : ops[i]!.ndim - p.letters.length)));
  const ell = [...Array(ellDims).keys()].map((i) => `.${i}`);
  const labelsOf = (p: { letters: string[]; ell: number }, n: number): string[] =>
    p.ell < 0 ? p.letters : [...p.letters.slice(0, p.ell), ...ell.slice(ellDims - n), ...p.letters.slice(p.ell)];
  const inputLabels = parsed.map((p, i) => labelsOf(p, ops[i]!.ndim - p.letters.length));
  // every label's size: equal across operands, or 1 (broadcast)
  const sizes = new Map<string, number>();
  inputLabels.forEach((labels, i) =>
    labels.forEach((l, d) => {
      const n = ops[i]!.shape[d]!;
      const first = labels.indexOf(l);
      if (first !== d && ops[i]!.shape[first] !== n)
        throw new RangeError(
          `einsum(): subscript ${l} is repeated for operand ${i} but the sizes don't match, ${ops[i]!.shape[first]} != ${n} (shape ${fmtShape(ops[i]!.shape)})`,
        );
      const seen = sizes.get(l);
      if (seen === undefined || seen === 1) sizes.set(l, n);
      else if (n !== 1 && n !== seen)
        throw new RangeError(
          l.startsWith(".")
            ? `einsum(): the dims covered by '...' do not broadcast: operand ${i} of shape ${fmtShape(ops[i]!.shape)} has size ${n} where an earlier operand has ${seen}`
            : `einsum(): subscript ${l} has size ${n} for operand ${i} which does not broadcast with previously seen size ${seen}`,
        );
    }),
  );
  let outLabels: string[];
  if (sides.length === 2) {
    const p = parseTerm(sides[1]!, "the output", equation);
    outLabels = labelsOf(p, p.ell < 0 ? 0 : ellDims);
    for (const l of p.letters) {
      if (!sizes.has(l))
        throw new RangeError(`einsum(): output subscript ${l} does not appear in the equation for any input operand`);
      if (p.letters.indexOf(l) !== p.letters.lastIndexOf(l))
        throw new RangeError(`einsum(): output subscript ${l} appears more than once in the output`);
    }
  } else {
    const counts = new Map<string, number>();
    parsed.forEach((p) => p.letters.forEach((l) => counts.set(l, (counts.get(l) ?? 0) + 1)));
    const once = [...counts].filter(([, c]) => c === 1).map(([l]) => l);
    outLabels = [...ell, ...once.sort()];
  }
  let labeled = inputLabels.map((labels, i) => dedupe({ t: ops[i]!, labels }, i));
  // sum out labels that only one operand has and the output lacks; then contract left to right,
  // keeping a label while a later operand or the output needs it
  const needed = (rest: Labeled[]) => new Set([...outLabels, ...rest.flatMap((o) => o.labels)]);
  labeled = labeled.map((o, i) => sumOut(o, needed(labeled.filter((_, j) => j !== i))));
  let acc = labeled[0]!;
  for (let i = 1; i < labeled.length; i++) acc = contractPair(acc, labeled[i]!, needed(labeled.slice(i + 1)));
  acc = sumOut(acc, new Set(outLabels));
  return permute(
    acc.t,
    outLabels.map((l) => acc.labels.indexOf(l)),
  );
}
