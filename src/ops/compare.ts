// Comparison helpers: isclose, allclose, equal.

import { Tensor } from "../tensor.js";
import { sameShape } from "../shape.js";
import {
  abs,
  add,
  eq,
  isnan,
  le,
  logicalAnd,
  logicalOr,
  mul,
  sub,
  isfinite,
  asTensor,
  type TensorOrScalar,
} from "./elementwise.js";
import { all } from "./reduce.js";

/** Options of isclose/allclose (PyTorch's defaults: rtol 1e-5, atol 1e-8). */
export interface CloseOptions {
  rtol?: number;
  atol?: number;
  equalNan?: boolean;
}

/** Elementwise |a - b| <= atol + rtol * |b| (infinities must match exactly). */
export function isclose(a: Tensor, b: TensorOrScalar, opts: CloseOptions = {}): Tensor {
  const tb = asTensor(b, a);
  const rtol = opts.rtol ?? 1e-5;
  const atol = opts.atol ?? 1e-8;
  const exact = eq(a, tb);
  const finite = logicalAnd(isfinite(a), isfinite(tb));
  const near = logicalAnd(finite, le(abs(sub(a, tb)), add(mul(abs(tb), rtol), atol)));
  let r = logicalOr(exact, near);
  if (opts.equalNan) r = logicalOr(r, logicalAnd(isnan(a), isnan(tb)));
  return r;
}
/** Whether every element is close (see isclose). */
export function allclose(a: Tensor, b: TensorOrScalar, opts: CloseOptions = {}): boolean {
  return all(isclose(a, b, opts)).item() !== 0;
}
/** Same shape and the same elements. */
export function equal(a: Tensor, b: Tensor): boolean {
  return sameShape(a.shape, b.shape) && all(eq(a, b)).item() !== 0;
}
