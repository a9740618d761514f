// The TS kernels of the fused optimizer steps, used where the native addon is not: one loop per
// float32 parameter instead of a tensor op per term (Adam's update is eight passes over each
// parameter as tensor ops). Each operation is rounded to float32 (Math.fround) in PyTorch 1.13's
// per-op order, so the result is the tensor-op loop's, and the native kernels', to the bit.

import type { SgdHyper, AdamHyper } from "./native_optim.js";

const f = Math.fround;

/** The arrays of one SGD parameter (float32) and their element offsets. */
export interface SgdArrays {
  P: Float32Array;
  G: Float32Array;
  /** The momentum buffer, or null without momentum. */
  B: Float32Array | null;
  /** Offsets of P, G, B. */
  off: readonly number[];
}

/**
 * One parameter's SGD step over n elements: d = ±g (+ wd p); with momentum buf = μ buf +
 * (1 − dampening) d (buf = d when `init`), d = nesterov ? d + μ buf : buf; p −= lr d.
 */
export function sgdLoop(n: number, a: SgdArrays, init: boolean, h: SgdHyper): void {
  const { P, G, B } = a;
  const [p0, g0, b0] = a.off as [number, number, number];
  const sign = h.maximize ? -1 : 1;
  const [wd, mu, damp, negLr] = [f(h.weightDecay), f(h.momentum), f(1 - h.dampening), f(-h.lr)];
  const mom = h.momentum !== 0 && B !== null;
  const nesterov = h.nesterov;
  for (let i = 0; i < n; i++) {
    let d = G[g0 + i]! * sign;
    if (wd !== 0) d = f(d + f(wd * P[p0 + i]!));
    if (mom) {
      const b = init ? d : f(f(B[b0 + i]! * mu) + f(damp * d));
      B[b0 + i] = b;
      d = nesterov ? f(d + f(mu * b)) : b;
    }
    P[p0 + i] = f(P[p0 + i]! + f(negLr * d));
  }
}

/** The arrays of one Adam parameter (float32) and their element offsets. */
export interface AdamArrays {
  P: Float32Array;
  G: Float32Array;
  M: Float32Array;
  V: Float32Array;
  /** AMSGrad's running maximum, or null. */
  MX: Float32Array | null;
  /** Offsets of P, G, M, V, MX. */
  off: readonly number[];
}

/**
 * One parameter's Adam (AdamW with `decoupled`) step over n elements at step count `step`: g = ±g;
 * AdamW p *= 1 − lr λ, Adam g += λ p; m = β₁ m + (1 − β₁) g; v = β₂ v + (1 − β₂) g g; AMSGrad
 * v̂ = max(v̂, v); p += −lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + eps).
 */
export function adamLoop(n: number, a: AdamArrays, step: number, h: AdamHyper): void {
  const { P, G, M, V, MX } = a;
  const [p0, g0, m0, v0, x0] = a.off as [number, number, number, number, number];
  const sign = h.maximize ? -1 : 1;
  const [b1, c1, b2, c2, eps] = [f(h.beta1), f(1 - h.beta1), f(h.beta2), f(1 - h.beta2), f(h.eps)];
  const wd = h.decoupled ? 0 : f(h.weightDecay);
  const shrink = f(1 - h.lr * h.weightDecay);
  const negStep = f(-(h.lr / (1 - h.beta1 ** step)));
  const bc2s = f(Math.sqrt(1 - h.beta2 ** step));
  const decoupled = h.decoupled;
  for (let i = 0; i < n; i++) {
    let g = G[g0 + i]! * sign;
    let p = P[p0 + i]!;
    if (decoupled) p = f(p * shrink);
    else if (wd !== 0) g = f(g + f(wd * p));
    const m = f(f(M[m0 + i]! * b1) + f(c1 * g));
    let v = f(f(V[v0 + i]! * b2) + f(f(c2 * g) * g));
    M[m0 + i] = m;
    V[v0 + i] = v;
    if (MX) {
      const mx = MX[x0 + i]!;
      if (mx !== mx || mx > v) v = mx; // torch.maximum propagates NaN
      MX[x0 + i] = v;
    }
    const denom = f(f(f(Math.sqrt(v)) / bc2s) + eps);
    P[p0 + i] = f(p + f(f(negStep * m) / denom));
  }
}
