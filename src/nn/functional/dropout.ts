// nn.functional dropout: zero elements (dropout) or whole channels (dropout2d) with probability p
// while training, scaling the rest by 1 / (1 - p). The mask is drawn with bernoulli_ from the given
// generator (default: the global one), as PyTorch's CPU kernel does: noise.bernoulli_(1 - p), then
// noise / (1 - p), then input * noise.

import type { Tensor } from "../../tensor.js";
import { full, zeros } from "../../ops/creation.js";
import { div, mul } from "../../ops/elementwise.js";
import { inplace } from "../../ops/inplace.js";
import { bernoulli_, type Generator } from "../../ops/random.js";
import { noGrad } from "../../autograd/gradmode.js";

/** Options of the dropout functions. */
export interface DropoutOptions {
  /** Draw the mask from this generator instead of the global one. */
  generator?: Generator;
}

function checkP(p: number, op: string): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${op}(): dropout probability has to be between 0 and 1, but got ${p}`);
}

/** input * noise where noise has `noiseShape` (broadcast), 1 / (1 - p) with probability 1 - p, else 0. */
function dropoutImpl(
  x: Tensor,
  p: number,
  noiseShape: number[],
  isInplace: boolean,
  op: string,
  opts: DropoutOptions,
): Tensor {
  const noise = noGrad(() => {
    if (p === 1) return zeros([], { dtype: x.dtype, device: x.device });
    const m = zeros(noiseShape, { dtype: x.dtype, device: x.device });
    bernoulli_(m, 1 - p, { generator: opts.generator });
    // 1 - p rounded to the tensor's dtype first, as PyTorch's kernel does with a scalar operand
    return div(m, full([], 1 - p, { dtype: x.dtype, device: x.device }));
  });
  return isInplace ? inplace(x, `${op}_`, (s) => mul(s, noise)) : mul(x, noise);
}

/** Zero each element with probability p while `training`, scaling the rest by 1 / (1 - p) (`F.dropout`). */
export function dropout(x: Tensor, p = 0.5, training = true, isInplace = false, opts: DropoutOptions = {}): Tensor {
  checkP(p, "dropout");
  if (p === 0 || !training || x.numel() === 0) return x;
  return dropoutImpl(x, p, [...x.shape], isInplace, "dropout", opts);
}

/**
 * Zero whole channels (dim 1 of (N, C, H, W), or of (N, C, L) for 3-D input as PyTorch 1.13 does)
 * with probability p while `training` (`F.dropout2d`).
 */
export function dropout2d(x: Tensor, p = 0.5, training = true, isInplace = false, opts: DropoutOptions = {}): Tensor {
  checkP(p, "dropout2d");
  if (p === 0 || !training || x.numel() === 0) return x;
  if (x.ndim < 2)
    throw new RangeError(`dropout2d(): Feature dropout requires at least 2 dimensions in the input, got ${x.ndim}`);
  const noiseShape = x.shape.map((s, i) => (i < 2 ? s : 1));
  return dropoutImpl(x, p, noiseShape, isInplace, "dropout2d", opts);
}
