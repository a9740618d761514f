// nn.functional attention: scaledDotProductAttention (softmax(q k^T / sqrt(E) + mask) v, with a
// boolean or additive mask, a causal mask and dropout on the weights) and multiHeadAttentionForward,
// the computation behind nn.MultiheadAttention (PyTorch 1.13's F.multi_head_attention_forward, the
// "math path": projections, heads folded into the batch, baddbmm with the mask, softmax, dropout,
// output projection). Both are compositions of differentiable ops, so autograd comes for free.
// Not here: the layers that own the projection weights (nn/layers/transformer.ts).

import type { Tensor } from "../../tensor.js";
import { fmtShape } from "../../shape.js";
import { arange, zeros, zerosLike } from "../../ops/creation.js";
import { div, le, logicalNot, logicalOr } from "../../ops/elementwise.js";
import { maskedFill } from "../../ops/indexing.js";
import { baddbmm, bmm, matmul } from "../../ops/linalg.js";
import { sum } from "../../ops/reduce.js";
import { cat, chunk, pad, repeat, split } from "../../ops/shape_ops.js";
import { reshape, squeeze, transpose, unsqueeze } from "../../ops/views.js";
import type { Generator } from "../../ops/random.js";
import { softmax } from "./activation.js";
import { dropout } from "./dropout.js";
import { linear } from "./linear.js";

/** Options of scaledDotProductAttention. */
export interface ScaledDotProductAttentionOptions {
  /**
   * (..., L, S) or anything that broadcasts to it. Boolean: true marks the pairs that take part in
   * attention (the others get -inf). Floating point: added to the scores.
   */
  attnMask?: Tensor | null;
  /** Probability of zeroing an attention weight (applied whenever > 0: pass 0 in eval mode). */
  dropoutP?: number;
  /** Lower-triangular mask: query i attends keys 0..i. Not together with attnMask. */
  isCausal?: boolean;
  /** Factor of the scores (default 1 / sqrt(E)). */
  scale?: number | null;
  /** Generator of the dropout mask (default: the global one). */
  generator?: Generator;
}

/**
 * softmax(q k^T * scale + mask) v for query (N, ..., L, E), key (N, ..., S, E), value (N, ..., S, Ev)
 * (`F.scaled_dot_product_attention`; PyTorch 1.13's `F._scaled_dot_product_attention` math
 * path). As there, q and k are each scaled by sqrt(scale) before the product, and a row whose keys
 * are all masked gives NaN.
 */
export function scaledDotProductAttention(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  opts: ScaledDotProductAttentionOptions = {},
): Tensor {
  if (query.ndim < 2 || key.ndim < 2 || value.ndim < 2)
    throw new RangeError(
      `scaledDotProductAttention(): query, key and value must have at least 2 dims, got ${fmtShape(query.shape)}, ${fmtShape(key.shape)} and ${fmtShape(value.shape)}`,
    );
  const E = query.shape[query.ndim - 1]!;
  if (key.shape[key.ndim - 1] !== E)
    throw new RangeError(
      `scaledDotProductAttention(): the last dim of query ${fmtShape(query.shape)} and key ${fmtShape(key.shape)} must match`,
    );
  const dropoutP = opts.dropoutP ?? 0;
  // sqrt(sqrt(E)) divides q and k each (1.13's formula); with an explicit scale, 1 / sqrt(scale)
  const factor = opts.scale == null ? Math.sqrt(Math.sqrt(E)) : 1 / Math.sqrt(opts.scale);
  let mask = opts.attnMask ?? null;
  if (opts.isCausal) {
    if (mask) throw new Error("scaledDotProductAttention(): Explicit attnMask should not be set when isCausal=true");
    const L = query.shape[query.ndim - 2]!;
    const S = key.shape[key.ndim - 2]!;
    // query i attends keys j <= i: (L, S) bool
    const dev = { device: query.device };
    mask = le(unsqueeze(arange(S, dev), 0), unsqueeze(arange(L, dev), 1));
  }
  if (mask && mask.dtype === "bool")
    mask = maskedFill(zerosLike(mask, { dtype: query.dtype }), logicalNot(mask), -Infinity);
  let attn = matmul(div(query, factor), div(transpose(key, -2, -1), factor)); // (N, ..., L, S)
  if (mask) attn = attn.add(mask);
  attn = softmax(attn, -1);
  if (dropoutP > 0) attn = dropout(attn, dropoutP, true, false, { generator: opts.generator });
  return matmul(attn, value); // (N, ..., L, Ev)
}

/** Options of multiHeadAttentionForward (PyTorch's keyword arguments). */
export interface MultiHeadAttentionOptions {
  /** Apply dropout to the attention weights (default true). */
  training?: boolean;
  /** (N, S) or (S): true (or -inf when floating point) marks keys to ignore. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (default true). */
  needWeights?: boolean;
  /** (L, S) or (N * numHeads, L, S): true (or an additive float) masks a pair out. */
  attnMask?: Tensor | null;
  /** Separate q/k/v projection weights instead of the packed inProjWeight. */
  useSeparateProjWeight?: boolean;
  qProjWeight?: Tensor | null;
  kProjWeight?: Tensor | null;
  vProjWeight?: Tensor | null;
  /** Precomputed keys / values (N * numHeads, S, headDim), replacing the projected ones. */
  staticK?: Tensor | null;
  staticV?: Tensor | null;
  /** Average the returned weights over heads (default true). */
  averageAttnWeights?: boolean;
  /** Generator of the dropout mask (default: the global one). */
  generator?: Generator;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** q, k, v projected with one packed (3E, E) weight; shares the matmul when q, k, v are the same tensor. */
function inProjectionPacked(q: Tensor, k: Tensor, v: Tensor, w: Tensor, b: Tensor | null): Tensor[] {
  const E = q.shape[q.ndim - 1]!;
  if (k === v) {
    if (q === k) return chunk(linear(q, w, b), 3, -1); // self-attention
    const [wq, wkv] = split(w, [E, 2 * E]) as [Tensor, Tensor];
    const [bq, bkv] = b ? (split(b, [E, 2 * E]) as [Tensor, Tensor]) : [null, null];
    return [linear(q, wq, bq), ...chunk(linear(k, wkv, bkv), 2, -1)];
  }
  const [wq, wk, wv] = chunk(w, 3) as [Tensor, Tensor, Tensor];
  const [bq, bk, bv] = b ? (chunk(b, 3) as [Tensor, Tensor, Tensor]) : [null, null, null];
  return [linear(q, wq, bq), linear(k, wk, bk), linear(v, wv, bv)];
}

function checkMha(cond: boolean, msg: string): void {
  if (!cond) throw new Error(`multiHeadAttentionForward(): ${msg}`);
}

/**
 * Multi-head attention (`F.multi_head_attention_forward`): query (L, N, E) or (L, E), key (S, N, Ek),
 * value (S, N, Ev), sequence first. Returns [output (L, N, E), weights (N, L, S) averaged over heads,
 * (N, numHeads, L, S) without averaging, or null when `needWeights` is false].
 */
export function multiHeadAttentionForward(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  embedDimToCheck: number,
  numHeads: number,
  inProjWeight: Tensor | null,
  inProjBias: Tensor | null,
  biasK: Tensor | null,
  biasV: Tensor | null,
  addZeroAttn: boolean,
  dropoutP: number,
  outProjWeight: Tensor,
  outProjBias: Tensor | null,
  opts: MultiHeadAttentionOptions = {},
): [Tensor, Tensor | null] {
  const training = opts.training ?? true;
  const needWeights = opts.needWeights ?? true;
  let keyPaddingMask = opts.keyPaddingMask ?? null;
  let attnMask = opts.attnMask ?? null;

  // shape checks; unbatched (2-D) inputs get a batch dim of 1 that is squeezed at the end
  const isBatched = query.ndim === 3;
  if (isBatched) {
    checkMha(
      key.ndim === 3 && value.ndim === 3,
      `For batched (3-D) \`query\`, expected \`key\` and \`value\` to be 3-D but found ${key.ndim}-D and ${value.ndim}-D tensors respectively`,
    );
    checkMha(
      !keyPaddingMask || keyPaddingMask.ndim === 2,
      `For batched (3-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 2-D but found ${keyPaddingMask?.ndim}-D tensor instead`,
    );
  } else if (query.ndim === 2) {
    checkMha(
      key.ndim === 2 && value.ndim === 2,
      `For unbatched (2-D) \`query\`, expected \`key\` and \`value\` to be 2-D but found ${key.ndim}-D and ${value.ndim}-D tensors respectively`,
    );
    checkMha(
      !keyPaddingMask || keyPaddingMask.ndim === 1,
      `For unbatched (2-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 1-D but found ${keyPaddingMask?.ndim}-D tensor instead`,
    );
    if (attnMask?.ndim === 3)
      checkMha(
        sameShape(attnMask.shape, [numHeads, query.shape[0]!, key.shape[0]!]),
        `Expected \`attn_mask\` shape to be ${fmtShape([numHeads, query.shape[0]!, key.shape[0]!])} but got ${fmtShape(attnMask.shape)}`,
      );
    query = unsqueeze(query, 1);
    key = unsqueeze(key, 1);
    value = unsqueeze(value, 1);
    if (keyPaddingMask) keyPaddingMask = unsqueeze(keyPaddingMask, 0);
  } else
    throw new RangeError(
      `multiHeadAttentionForward(): query should be unbatched 2D or batched 3D tensor but received ${query.ndim}-D query tensor`,
    );
  if (attnMask)
    checkMha(
      attnMask.ndim === 2 || attnMask.ndim === 3,
      `expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${attnMask.ndim}-D tensor instead`,
    );
  if (keyPaddingMask)
    checkMha(
      keyPaddingMask.dtype === "bool" || keyPaddingMask.isFloatingPoint(),
      "only bool and floating types of key_padding_mask are supported",
    );

  const [tgtLen, bsz, embedDim] = query.shape as [number, number, number];
  checkMha(
    embedDim === embedDimToCheck,
    `was expecting embedding dimension of ${embedDimToCheck}, but got ${embedDim}`,
  );
  const headDim = Math.floor(embedDim / numHeads);
  checkMha(headDim * numHeads === embedDim, `embed_dim ${embedDim} not divisible by num_heads ${numHeads}`);
  if (opts.useSeparateProjWeight)
    checkMha(
      sameShape(key.shape.slice(0, 2), value.shape.slice(0, 2)),
      `key's sequence and batch dims ${fmtShape(key.shape.slice(0, 2))} do not match value's ${fmtShape(value.shape.slice(0, 2))}`,
    );
  else
    checkMha(
      sameShape(key.shape, value.shape),
      `key shape ${fmtShape(key.shape)} does not match value shape ${fmtShape(value.shape)}`,
    );

  // input projections: (L, N, E), (S, N, E), (S, N, E)
  let q: Tensor, k: Tensor, v: Tensor;
  if (!opts.useSeparateProjWeight) {
    checkMha(inProjWeight !== null, "useSeparateProjWeight is false but inProjWeight is null");
    [q, k, v] = inProjectionPacked(query, key, value, inProjWeight!, inProjBias) as [Tensor, Tensor, Tensor];
  } else {
    const { qProjWeight: wq, kProjWeight: wk, vProjWeight: wv } = opts;
    checkMha(!!wq && !!wk && !!wv, "useSeparateProjWeight is true but a q/k/v projection weight is null");
    const [bq, bk, bv] = inProjBias ? (chunk(inProjBias, 3) as [Tensor, Tensor, Tensor]) : [null, null, null];
    const Eq = query.shape[2]!;
    for (const [w, want, what] of [
      [wq!, [Eq, Eq], "query"],
      [wk!, [Eq, key.shape[2]!], "key"],
      [wv!, [Eq, value.shape[2]!], "value"],
    ] as const)
      checkMha(
        sameShape(w.shape, want),
        `expecting ${what} weights shape of ${fmtShape(want)}, but got ${fmtShape(w.shape)}`,
      );
    [q, k, v] = [linear(query, wq!, bq), linear(key, wk!, bk), linear(value, wv!, bv)];
  }

  // attention mask: (1 or N * nh, L, S), bool or float
  if (attnMask) {
    if (attnMask.dtype === "uint8") attnMask = attnMask.bool();
    else
      checkMha(
        attnMask.isFloatingPoint() || attnMask.dtype === "bool",
        `Only float, byte, and bool types are supported for attn_mask, not ${attnMask.dtype}`,
      );
    if (attnMask.ndim === 2) {
      if (!sameShape(attnMask.shape, [tgtLen, key.shape[0]!]))
        throw new Error(
          `The shape of the 2D attn_mask is ${fmtShape(attnMask.shape)}, but should be ${fmtShape([tgtLen, key.shape[0]!])}.`,
        );
      attnMask = unsqueeze(attnMask, 0);
    } else if (!sameShape(attnMask.shape, [bsz * numHeads, tgtLen, key.shape[0]!]))
      throw new Error(
        `The shape of the 3D attn_mask is ${fmtShape(attnMask.shape)}, but should be ${fmtShape([bsz * numHeads, tgtLen, key.shape[0]!])}.`,
      );
  }

  // learned key/value biases appended along the sequence
  if (biasK && biasV) {
    checkMha(!opts.staticK && !opts.staticV, "bias cannot be added to static key or value.");
    k = cat([k, repeat(biasK, 1, bsz, 1)]);
    v = cat([v, repeat(biasV, 1, bsz, 1)]);
    if (attnMask) attnMask = pad(attnMask, [0, 1]);
    if (keyPaddingMask) keyPaddingMask = pad(keyPaddingMask, [0, 1]);
  } else checkMha(!biasK && !biasV, "biasK and biasV must be given together");

  // heads folded into the batch: (N * nh, T, hs)
  q = transpose(reshape(q, [tgtLen, bsz * numHeads, headDim]), 0, 1); // (N * nh, L, hs)
  if (opts.staticK) {
    checkMha(
      opts.staticK.shape[0] === bsz * numHeads && opts.staticK.shape[2] === headDim,
      `expecting staticK of shape ${fmtShape([bsz * numHeads, -1, headDim])}, but got ${fmtShape(opts.staticK.shape)}`,
    );
    k = opts.staticK;
  } else k = transpose(reshape(k, [k.shape[0]!, bsz * numHeads, headDim]), 0, 1); // (N * nh, S, hs)
  if (opts.staticV) {
    checkMha(
      opts.staticV.shape[0] === bsz * numHeads && opts.staticV.shape[2] === headDim,
      `expecting staticV of shape ${fmtShape([bsz * numHeads, -1, headDim])}, but got ${fmtShape(opts.staticV.shape)}`,
    );
    v = opts.staticV;
  } else v = transpose(reshape(v, [v.shape[0]!, bsz * numHeads, headDim]), 0, 1); // (N * nh, S, hs)

  if (addZeroAttn) {
    const z = zeros([bsz * numHeads, 1, headDim], { dtype: k.dtype, device: k.device });
    k = cat([k, z], 1);
    v = cat([v, z.to({ dtype: v.dtype })], 1);
    if (attnMask) attnMask = pad(attnMask, [0, 1]);
    if (keyPaddingMask) keyPaddingMask = pad(keyPaddingMask, [0, 1]);
  }
  const srcLen = k.shape[1]!;

  // merge the key padding mask: (N, S) -> (N * nh, 1, S)
  if (keyPaddingMask) {
    checkMha(
      sameShape(keyPaddingMask.shape, [bsz, srcLen]),
      `expecting key_padding_mask shape of ${fmtShape([bsz, srcLen])}, but got ${fmtShape(keyPaddingMask.shape)}`,
    );
    const kpm = reshape(reshape(keyPaddingMask, [bsz, 1, 1, srcLen]).expand([-1, numHeads, -1, -1]), [
      bsz * numHeads,
      1,
      srcLen,
    ]);
    if (!attnMask) attnMask = kpm;
    else if (attnMask.dtype === "bool") attnMask = logicalOr(attnMask, kpm);
    else attnMask = maskedFill(attnMask, kpm, -Infinity);
  }
  if (attnMask && attnMask.dtype === "bool")
    attnMask = maskedFill(zerosLike(attnMask, { dtype: q.dtype }), attnMask, -Infinity);
  if (!training) dropoutP = 0;

  // softmax(q k^T / sqrt(hs) + mask) v
  const qScaled = div(q, Math.sqrt(q.shape[2]!));
  let weights = attnMask
    ? baddbmm(attnMask, qScaled, transpose(k, -2, -1)) // (N * nh, L, S)
    : bmm(qScaled, transpose(k, -2, -1));
  weights = softmax(weights, -1);
  if (dropoutP > 0) weights = dropout(weights, dropoutP, true, false, { generator: opts.generator });
  let out = bmm(weights, v); // (N * nh, L, hs)
  out = reshape(transpose(out, 0, 1), [tgtLen * bsz, embedDim]); // (L * N, E)
  out = reshape(linear(out, outProjWeight, outProjBias), [tgtLen, bsz, -1]); // (L, N, E)

  if (!needWeights) return [isBatched ? out : squeeze(out, 1), null];
  let w = reshape(weights, [bsz, numHeads, tgtLen, srcLen]); // (N, nh, L, S)
  if (opts.averageAttnWeights ?? true) w = div(sum(w, 1), numHeads); // (N, L, S)
  if (!isBatched) return [squeeze(out, 1), squeeze(w, 0)];
  return [out, w];
}
