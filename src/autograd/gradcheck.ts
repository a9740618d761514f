// gradcheck and gradgradcheck: compare autograd's Jacobian with central finite differences in float64.

import { Tensor } from "../tensor.js";
import { grad } from "./api.js";
import { fromStorageArray } from "../ops/creation.js";

/** Options of gradcheck (PyTorch's defaults). */
export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Raise on failure (default) or return false. */
  raiseException?: boolean;
}

/** A function under test: returns a tensor or several (an array or any iterable, e.g. `{ values, indices }`). */
type Fn = (...inputs: Tensor[]) => Tensor | Iterable<Tensor>;

function outputsOf(fn: Fn, inputs: Tensor[]): Tensor[] {
  const r = fn(...inputs);
  return (r instanceof Tensor ? [r] : [...r]).filter((t) => t.isFloatingPoint());
}

/** `x` with element `i` (row-major) shifted by `delta`, as a new leaf with x's requiresGrad. */
function perturbed(x: Tensor, i: number, delta: number): Tensor {
  const data = Float64Array.from(x.dataSync());
  data[i] = data[i]! + delta;
  return fromStorageArray(data, x.shape, "float64", { device: x.device, requiresGrad: x.requiresGrad });
}

/**
 * Check the gradients of `fn` at `inputs` (float64 tensors; those with requiresGrad are checked)
 * against finite differences. Returns true, or raises describing the first mismatch.
 */
export function gradcheck(fn: Fn, inputs: Tensor[], opts: GradcheckOptions = {}): boolean {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  const fail = (msg: string) => {
    if (opts.raiseException === false) return false;
    throw new Error(`gradcheck: ${msg}`);
  };
  for (const x of inputs)
    if (x.requiresGrad && x.dtype !== "float64")
      return fail(`input of dtype ${x.dtype} requires grad; use float64 inputs for finite differences`);
  const outs = outputsOf(fn, inputs);
  const checked = inputs.map((x, k) => (x.requiresGrad ? k : -1)).filter((k) => k >= 0);
  for (let oi = 0; oi < outs.length; oi++) {
    const out = outs[oi]!;
    const n = out.numel();
    for (const k of checked) {
      const x = inputs[k]!;
      const m = x.numel();
      // numerical Jacobian column by column: d out / d x_i
      const numerical: Float64Array[] = [];
      for (let i = 0; i < m; i++) {
        const plus = outputsOf(
          fn,
          inputs.map((t, j) => (j === k ? perturbed(x, i, eps) : t)),
        )[oi]!.dataSync();
        const minus = outputsOf(
          fn,
          inputs.map((t, j) => (j === k ? perturbed(x, i, -eps) : t)),
        )[oi]!.dataSync();
        numerical.push(Float64Array.from(plus, (p, j) => (p - minus[j]!) / (2 * eps)));
      }
      // analytical Jacobian row by row: a one-hot cotangent per output element
      for (let j = 0; j < n; j++) {
        const onehot = new Float64Array(n);
        onehot[j] = 1;
        const cot = fromStorageArray(onehot, out.shape, "float64").to(out.dtype);
        const o = outputsOf(fn, inputs)[oi]!;
        // an output that does not depend on any input has a zero Jacobian
        const g = o.requiresGrad ? grad(o, [x], { gradOutputs: [cot], allowUnused: true })[0] : null;
        const row = g ? g.to("float64").dataSync() : new Float64Array(m);
        for (let i = 0; i < m; i++) {
          const a = row[i]!;
          const nu = numerical[i]![j]!;
          if (!(Math.abs(a - nu) <= atol + rtol * Math.abs(nu)) && !(Number.isNaN(a) && Number.isNaN(nu)))
            return fail(
              `Jacobian mismatch for output ${oi} with respect to input ${k}, element (out ${j}, in ${i}): numerical ${nu}, analytical ${a}`,
            );
        }
      }
    }
  }
  return true;
}

/** Check second derivatives: gradcheck of the (createGraph) gradient with random output gradients. */
export function gradgradcheck(fn: Fn, inputs: Tensor[], opts: GradcheckOptions = {}): boolean {
  const outs = outputsOf(fn, inputs);
  const cots = outs.map((o) => {
    const d = new Float64Array(o.numel());
    for (let i = 0; i < d.length; i++) d[i] = Math.sin(i * 12.9898 + 1.7) * 0.9;
    return fromStorageArray(d, o.shape, "float64", { device: o.device, requiresGrad: true });
  });
  const nIn = inputs.length;
  const gradFn = (...all: Tensor[]): Tensor[] => {
    const xs = all.slice(0, nIn);
    const gs = all.slice(nIn);
    const os = outputsOf(fn, xs);
    const diff = xs.filter((x) => x.requiresGrad);
    const r = grad(os, diff, { gradOutputs: gs, createGraph: true, allowUnused: true });
    return r.filter((t): t is Tensor => t !== null);
  };
  return gradcheck(gradFn, [...inputs, ...cots], opts);
}
