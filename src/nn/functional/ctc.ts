// nn.functional.ctcLoss: Connectionist Temporal Classification loss (Graves et al. 2006), the
// log-space forward (alpha) recursion written with tensor ops over the whole batch, one step per
// time frame, so autograd gives the gradient.
//
// The gradient is the true derivative with respect to `logProbs`. PyTorch's own CTC backward returns
// that derivative plus exp(logProbs) * grad (it assumes logProbs come from logSoftmax, where the extra
// term cancels): through `logSoftmax` both agree, which is how the tests compare them.

import { Tensor } from "../../tensor.js";
import { fmtShape } from "../../shape.js";
import * as ew from "../../ops/elementwise.js";
import { gather } from "../../ops/indexing.js";
import { mean, sum } from "../../ops/reduce.js";
import { cat, stack } from "../../ops/shape_ops.js";
import { expand, narrow, reshape, select, squeeze, unsqueeze } from "../../ops/views.js";
import { full, fullLike, tensor, zeros } from "../../ops/creation.js";
import type { Reduction } from "./loss.js";
import { checkValues } from "../../ops/device_check.js";
import { hostData, withHostValues } from "../../ops/host_values.js";

/** Options of ctcLoss. */
export interface CTCOptions {
  /** Index of the blank label (default 0). */
  blank?: number;
  /** "mean" (default: each loss divided by its target length, then averaged), "sum" or "none". */
  reduction?: Reduction;
  /** Replace infinite losses (impossible alignments) and their gradients by zero. */
  zeroInfinity?: boolean;
}

/** Host copy of a lengths argument (tensor or array) as integers. */
function lengthsOf(x: Tensor | readonly number[] | number, what: string): number[] {
  if (typeof x === "number") return [x];
  if (x instanceof Tensor) {
    if (x.isFloatingPoint()) throw new TypeError(`ctc_loss(): ${what} must be integers, got ${x.dtype}`);
    const form = "torch.nn.functional.ctcLossAsync(logProbs, targets, inputLengths, targetLengths, opts)";
    return Array.from(hostData(x, "ctc_loss", form));
  }
  return [...x];
}

/** log(e^a + e^b + e^c) elementwise, -Inf where all three are -Inf, with finite gradients there too. */
function logAddExp3(a: Tensor, b: Tensor, c: Tensor): Tensor {
  const m = ew.maximum(ew.maximum(a, b), c).detach();
  const allNegInf = ew.eq(m, -Infinity);
  const shift = ew.where(allNegInf, 0, m);
  const s = ew.add(ew.add(ew.exp(ew.sub(a, shift)), ew.exp(ew.sub(b, shift))), ew.exp(ew.sub(c, shift)));
  return ew.where(allNegInf, -Infinity, ew.add(ew.log(ew.where(allNegInf, 1, s)), shift));
}

/**
 * CTC loss of log-probabilities `logProbs` (T, N, C) (or (T, C) unbatched) against `targets`, padded
 * (N, S) or concatenated (sum(targetLengths)), with per-sequence input and target lengths
 * (`F.ctc_loss`).
 */
export function ctcLoss(
  logProbs: Tensor,
  targets: Tensor,
  inputLengths: Tensor | readonly number[] | number,
  targetLengths: Tensor | readonly number[] | number,
  opts: CTCOptions = {},
): Tensor {
  const blank = opts.blank ?? 0;
  const reduction = opts.reduction ?? "mean";
  if (reduction !== "mean" && reduction !== "sum" && reduction !== "none")
    throw new RangeError(`ctc_loss(): ${String(reduction)} is not a valid value for reduction`);
  if (!logProbs.isFloatingPoint())
    throw new TypeError(`ctc_loss(): log_probs must be floating point, got ${logProbs.dtype}`);
  const unbatched = logProbs.ndim === 2;
  if (logProbs.ndim !== 3 && !unbatched)
    throw new RangeError(`ctc_loss(): log_probs must be (T, N, C) or (T, C), got ${fmtShape(logProbs.shape)}`);
  const lp3 = unbatched ? unsqueeze(logProbs, 1) : logProbs; // (T, N, C)
  const [T, N, C] = lp3.shape as [number, number, number];
  if (blank < 0 || blank >= C)
    throw new RangeError(`ctc_loss(): blank must be in label range (got ${blank}, ${C} labels)`);
  const inLens = lengthsOf(inputLengths, "input_lengths");
  const tgLens = lengthsOf(targetLengths, "target_lengths");
  if (inLens.length !== N)
    throw new RangeError(`ctc_loss(): input_lengths must be of size batch_size (${N}), got ${inLens.length}`);
  if (tgLens.length !== N)
    throw new RangeError(`ctc_loss(): target_lengths must be of size batch_size (${N}), got ${tgLens.length}`);
  for (const l of inLens)
    if (l < 0 || l > T)
      throw new RangeError(`ctc_loss(): Expected input_lengths to have value at most ${T}, but got value ${l}`);
  if (targets.isFloatingPoint()) throw new TypeError(`ctc_loss(): targets must be integers, got ${targets.dtype}`);
  const S = Math.max(0, ...tgLens);

  // targets as (N, S) padded rows
  let padded: Tensor;
  const tg = unbatched ? reshape(targets, [1, -1]) : targets;
  if (tg.ndim === 1) {
    const total = tgLens.reduce((a, b) => a + b, 0);
    if (tg.shape[0]! < total)
      throw new RangeError(`ctc_loss(): targets has ${tg.shape[0]} entries, fewer than sum(target_lengths) = ${total}`);
    const rows: Tensor[] = [];
    let off = 0;
    for (const l of tgLens) {
      const row = narrow(tg, 0, off, l);
      rows.push(cat([row, zeros([S - l], { dtype: tg.dtype, device: tg.device })]));
      off += l;
    }
    padded = N > 0 ? stack(rows) : zeros([0, S], { dtype: "int64", device: tg.device });
  } else {
    if (tg.ndim !== 2 || tg.shape[0] !== N)
      throw new RangeError(`ctc_loss(): targets must be (N, S) or 1-D concatenated, got ${fmtShape(targets.shape)}`);
    if (tg.shape[1]! < S)
      throw new RangeError(
        `ctc_loss(): Expected tensor to have size at least ${S} at dimension 1, but got size ${tg.shape[1]} for argument #2 'targets'`,
      );
    padded = narrow(tg, 1, 0, S);
  }
  padded = ew.toDtype(padded, "int64");
  if (padded.numel() > 0) {
    // only the entries within each target length must be valid labels
    const pos = tensor(
      Array.from({ length: S }, (_, i) => i),
      { dtype: "int64", device: tg.device },
    );
    const used = ew.lt(unsqueeze(pos, 0), unsqueeze(tensor(tgLens, { dtype: "int64", device: tg.device }), 1));
    const vals = ew.where(used, padded, 0);
    checkValues(
      ew.logicalOr(ew.lt(vals, 0), ew.ge(vals, C)),
      [vals],
      `ctc_loss(): target labels must be in [0, ${C}) (got {0})`,
    );
    padded = vals;
  }

  // extended labels l' = (blank, t1, blank, t2, ..., blank): (N, L) with L = 2S + 1
  const L = 2 * S + 1;
  const blanks = fullLike(padded, blank); // (N, S)
  const ext = cat(
    [reshape(stack([blanks, padded], 2), [N, 2 * S]), full([N, 1], blank, { dtype: "int64", device: tg.device })],
    1,
  );
  // a label may skip the blank before it when it differs from the label two places back
  const skip =
    S > 0
      ? cat(
          [
            zeros([N, 2], { dtype: "bool", device: tg.device }),
            ew.logicalAnd(
              ew.ne(narrow(ext, 1, 2, L - 2), blank),
              ew.ne(narrow(ext, 1, 2, L - 2), narrow(ext, 1, 0, L - 2)),
            ),
          ],
          1,
        )
      : zeros([N, 1], { dtype: "bool", device: tg.device });

  const lp = gather(lp3, 2, expand(unsqueeze(ext, 0), [T, N, L])); // (T, N, L): log p_t(l'_s)
  const negInf = (n: number) => full([N, n], -Infinity, { dtype: lp3.dtype, device: lp3.device });
  const sIdx = tensor(
    Array.from({ length: L }, (_, i) => i),
    { dtype: "int64", device: lp3.device },
  );
  const tMax = Math.max(0, ...inLens);
  // alpha_0: only the leading blank and the first label can start a path
  let alpha = T > 0 ? ew.where(unsqueeze(ew.lt(sIdx, 2), 0), select(lp, 0, 0), -Infinity) : negInf(L);
  const lenCol = unsqueeze(tensor(inLens, { dtype: "int64", device: lp3.device }), 1); // (N, 1)
  for (let t = 1; t < tMax; t++) {
    const s1 = cat([negInf(1), narrow(alpha, 1, 0, L - 1)], 1);
    const s2 = L > 2 ? ew.where(skip, cat([negInf(2), narrow(alpha, 1, 0, L - 2)], 1), -Infinity) : negInf(L);
    const next = ew.add(logAddExp3(alpha, s1, s2), select(lp, 0, t));
    alpha = ew.where(ew.lt(t, lenCol), next, alpha); // sequences already finished keep their alpha
  }
  // a sequence with input length 0 has no path (unless its target is empty too: then probability 1);
  // PyTorch 1.13's CPU kernel reads uninitialised memory there, so its values are not followed
  const started = ew.gt(lenCol, 0);
  alpha = ew.where(started, alpha, ew.where(unsqueeze(ew.eq(sIdx, 0), 0), 0, -Infinity));
  // the path ends on the last label or the final blank: positions 2 len and 2 len - 1
  const lenT = tensor(tgLens, { dtype: "int64", device: lp3.device });
  const last = squeeze(gather(alpha, 1, unsqueeze(ew.mul(lenT, 2), 1)), 1);
  const hasLabel = ew.gt(lenT, 0);
  const prev = squeeze(gather(alpha, 1, unsqueeze(ew.clampMin(ew.sub(ew.mul(lenT, 2), 1), 0), 1)), 1);
  const none = full([N], -Infinity, { dtype: lp3.dtype, device: lp3.device });
  let loss = ew.neg(logAddExp3(last, ew.where(hasLabel, prev, -Infinity), none)); // (N)
  if (opts.zeroInfinity) loss = ew.where(ew.eq(loss, Infinity), 0, loss);
  if (reduction === "none") return unbatched ? squeeze(loss, 0) : loss;
  if (reduction === "sum") return sum(loss);
  return mean(ew.div(loss, ew.clampMin(lenT, 1).to(loss.dtype)));
}

/**
 * `ctcLoss` for every device: the lengths (which shape the computation) are read with `await` first;
 * on webgpu the synchronous form cannot read length tensors and names this one.
 */
export async function ctcLossAsync(
  logProbs: Tensor,
  targets: Tensor,
  inputLengths: Tensor | readonly number[] | number,
  targetLengths: Tensor | readonly number[] | number,
  opts: CTCOptions = {},
): Promise<Tensor> {
  const read = [inputLengths, targetLengths].filter((x): x is Tensor => x instanceof Tensor);
  return withHostValues(read, () => ctcLoss(logProbs, targets, inputLengths, targetLengths, opts));
}
