// nn.functional distances and normalisation: normalize, cosineSimilarity, pairwiseDistance, written
// as compositions of norm/sum and elementwise ops (autograd for free).

import type { Tensor } from "../../tensor.js";
import { broadcastShapes, normDim } from "../../shape.js";
import { add, div, ge, mul, sub, where } from "../../ops/elementwise.js";
import { norm, sum } from "../../ops/reduce.js";
import { expand } from "../../ops/views.js";

/** x / max(||x||_p, eps) along `dim` (`F.normalize`). */
export function normalize(x: Tensor, p = 2, dim = 1, eps = 1e-12): Tensor {
  const d = normDim(dim, x.ndim, "normalize");
  return div(x, norm(x, p, d, true).clampMin(eps));
}

/**
 * ||x||_2 along dim, with values below eps raised to eps. For those, PyTorch 1.13 clamps the norm in
 * place after computing it, so its gradient stays x / eps (not 0 as a clamp would give): the small
 * branch reproduces that with a term of value 0 and gradient x / eps.
 */
function clampedNorm(x: Tensor, dim: number, eps: number): Tensor {
  const n = norm(x, 2, dim, true);
  const s = div(sum(mul(x, x), dim, true), 2 * eps);
  const small = add(sub(s, s.detach()), eps);
  return where(ge(n, eps), n, small);
}

/** Cosine of the angle between x1 and x2 along `dim`: sum(x1 / ||x1|| * x2 / ||x2||), norms clamped to eps. */
export function cosineSimilarity(x1: Tensor, x2: Tensor, dim = 1, eps = 1e-8): Tensor {
  const shape = broadcastShapes("cosine_similarity", x1.shape, x2.shape);
  const a = expand(x1, shape);
  const b = expand(x2, shape);
  const d = normDim(dim, shape.length, "cosine_similarity");
  return sum(mul(div(a, clampedNorm(a, d, eps)), div(b, clampedNorm(b, d, eps))), d);
}

/** ||x1 - x2 + eps||_p over the last dim (`F.pairwise_distance`). */
export function pairwiseDistance(x1: Tensor, x2: Tensor, p = 2, eps = 1e-6, keepdim = false): Tensor {
  const nd = Math.max(x1.ndim, x2.ndim);
  return norm(add(sub(x1, x2), eps), p, nd - 1, keepdim);
}
