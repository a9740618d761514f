// nn.functional lookups: embedding (rows of a weight matrix picked by index, with paddingIdx rows
// receiving no gradient and the in-place maxNorm renormalisation) and oneHot.

import type { Tensor } from "../../tensor.js";
import { noGrad } from "../../autograd/gradmode.js";
import { fmtShape } from "../../shape.js";
import { add, div, eq, ge, gt, logicalAnd, logicalOr, lt, toDtype, where } from "../../ops/elementwise.js";
import { checkValues } from "../../ops/device_check.js";
import { hostData, withHostValues } from "../../ops/host_values.js";
import { gather, indexFill, indexSelect, scatterAdd } from "../../ops/indexing.js";
import { norm } from "../../ops/reduce.js";
import { flatten, reshape, unsqueeze } from "../../ops/views.js";
import { arange, onesLike, zeros } from "../../ops/creation.js";

/** Options of `embedding`. */
export interface EmbeddingOptions {
  /** Entries equal to this index get a zero gradient for their row (negative counts from the end). */
  paddingIdx?: number | null;
  /** Rows looked up whose norm exceeds this are rescaled in place to this norm first. */
  maxNorm?: number | null;
  /** The p of the norm used with maxNorm (default 2). */
  normType?: number;
  /** Divide each row's gradient by how often its index occurs in the input. */
  scaleGradByFreq?: boolean;
  /** Sparse gradients are not supported; must be false. */
  sparse?: boolean;
}

/** Resolve a possibly negative paddingIdx against the number of rows, as nn.Embedding does. */
export function resolvePaddingIdx(paddingIdx: number | null | undefined, numEmbeddings: number): number | null {
  if (paddingIdx === undefined || paddingIdx === null) return null;
  if (paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings)
    throw new RangeError(
      `embedding(): Padding_idx must be within num_embeddings (got ${paddingIdx} for ${numEmbeddings} rows)`,
    );
  return paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
}

/**
 * Rows of `weight` (num_embeddings, dim) at the integer `input` indices: output shape
 * (...input.shape, dim) (`F.embedding`).
 */
export function embedding(input: Tensor, weight: Tensor, opts: EmbeddingOptions = {}): Tensor {
  if (input.dtype !== "int64" && input.dtype !== "int32")
    throw new TypeError(
      `embedding(): Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ${input.dtype} instead`,
    );
  if (weight.ndim !== 2) throw new RangeError(`embedding(): 'weight' must be 2-D, got shape ${fmtShape(weight.shape)}`);
  if (opts.sparse) throw new Error("embedding(): sparse gradients are not supported in torchts; use sparse: false");
  const num = weight.shape[0]!;
  const padding = resolvePaddingIdx(opts.paddingIdx, num);
  const idx = flatten(input);
  checkValues(
    logicalOr(lt(idx, 0), ge(idx, num)),
    [idx],
    `embedding(): index out of range in self (index {0}, ${num} rows)`,
  );
  if (opts.maxNorm !== undefined && opts.maxNorm !== null)
    embeddingRenorm_(weight, idx, opts.maxNorm, opts.normType ?? 2);
  const rows = indexSelect(weight, 0, idx); // (n, dim)
  if (rows.requiresGrad && (padding !== null || opts.scaleGradByFreq)) {
    const isPad = padding === null ? null : unsqueeze(eq(idx, padding), 1);
    let counts: Tensor | null = null;
    if (opts.scaleGradByFreq) {
      const bins = scatterAdd(zeros([num], { dtype: "int64", device: idx.device }), 0, idx, onesLike(idx));
      counts = unsqueeze(gather(bins, 0, idx), 1);
    }
    rows.registerHook((g) => {
      let r = g;
      if (counts) r = div(r, counts);
      if (isPad) r = where(isPad, 0, r);
      return r;
    });
  }
  return reshape(rows, [...input.shape, weight.shape[1]!]);
}

/** Rescale, in place and without recording, the rows of `weight` used by `idx` whose p-norm exceeds maxNorm. */
function embeddingRenorm_(weight: Tensor, idx: Tensor, maxNorm: number, p: number): void {
  noGrad(() => {
    const norms = norm(weight, p, 1, true); // (num, 1)
    const used = indexFill(zeros([weight.shape[0]!], { dtype: "bool", device: weight.device }), 0, idx, 1);
    const over = logicalAnd(unsqueeze(used, 1), gt(norms, maxNorm));
    weight.mul_(where(over, div(maxNorm, add(norms, 1e-7)), 1));
  });
}

/** One-hot encoding of int64 class indices: shape (...x.shape, numClasses), dtype int64 (`F.one_hot`). */
export function oneHot(x: Tensor, numClasses = -1): Tensor {
  if (x.dtype !== "int64") throw new TypeError("one_hot(): one_hot is only applicable to index tensor.");
  let n = numClasses;
  const negative = "one_hot(): Class values must be non-negative.";
  if (x.numel() === 0) {
    if (n <= 0) throw new RangeError("one_hot(): Can not infer total number of classes from empty tensor.");
  } else if (n === -1) {
    // the number of classes (the result's shape) comes from the values
    const data = hostData(x, "one_hot", "torch.nn.functional.oneHotAsync(x)");
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    if (lo < 0) throw new RangeError(negative);
    n = hi + 1;
  } else {
    checkValues(lt(x, 0), [], negative);
    checkValues(ge(x, n), [], "one_hot(): Class values must be smaller than num_classes.");
  }
  const classes = arange(n, { dtype: "int64", device: x.device });
  return toDtype(eq(unsqueeze(x, -1), classes), "int64");
}

/** `oneHot` for every device: with `numClasses` -1 the class count is read with `await` first. */
export function oneHotAsync(x: Tensor, numClasses = -1): Promise<Tensor> {
  return withHostValues(numClasses === -1 ? [x] : [], () => oneHot(x, numClasses));
}
