// The `convolution` primitive: N-d (1 to 3 spatial dims) cross-correlation with stride, padding,
// kernel dilation, input dilation and groups, the one op behind conv1d/2d/3d and the transposed
// convolutions of nn.functional.
//
// Why a primitive rather than a composite of a window view and matmul: the composite copies the
// im2col matrix forward, keeps it alive for backward (21 MB for the 32->64 conv of a batch of 32
// 28x28 images) and scatters its gradient back through the window view element by element; the
// primitive saves only x and w and its kernel feeds im2col blocks to the backend's matmul. For 3x3
// convolutions 1->32->64 (forward + backward, batch of 32 28x28 images) that is about 0.2-0.3 s
// against 0.45-0.7 s with the native matmul (the former bench/conv2d.ts; with TS kernels only both take about
// 1.7 s, bound by the TS matmul). The gradient rules are written with the primitive itself (the
// input gradient is a convolution with input dilation = the transposed convolution; the weight
// gradient is a convolution of the input with the output gradient), so gradients of any order come
// for free and a backend implements only the forward kernel. A backend may also offer the gradients as
// kernels (`convWeightGrad`, `convInputGrad`: per-sample GEMMs over im2col / col2im blocks, without the
// convolution over the whole output gradient); their primitives below are bilinear, so their own
// gradients are again convolutions and gradients.
//
// Per spatial dim, with input size L, kernel size k, stride s, padding (a, b), kernel dilation d and
// input dilation e (e - 1 zeros between input elements):
//   out[o] = sum_t x_e[o * s + t * d - a] * w[t],  length floor(((L - 1) * e + 1 + a + b - d * (k - 1) - 1) / s) + 1.

import type { ConvGeometry } from "../backend.js";
import { fmtShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { apply, type Prim } from "./prim.js";
import { binaryPrims, dtypeCName } from "./elementwise.js";
import { sum } from "./reduce.js";
import { flip } from "./shape_ops.js";
import { contiguous, permute, reshape, transpose, view } from "./views.js";

/** Parameters of the convolution primitive: the kernel geometry plus the padding after the input. */
export interface ConvParams extends ConvGeometry {
  /** Zeros after the last input element, per spatial dim (negative crops). */
  readonly paddingEnd: readonly number[];
}

/** Output size of one spatial dim (may be <= 0 for invalid geometries). */
export function convOutSize(L: number, k: number, p: ConvParams, d: number): number {
  const dilated = L === 0 ? 0 : (L - 1) * p.inputDilation[d]! + 1;
  const span = p.dilation[d]! * (k - 1) + 1;
  return Math.floor((dilated + p.padding[d]! + p.paddingEnd[d]! - span) / p.stride[d]!) + 1;
}

/**
 * Cross-correlation of x (N, C, *in) with w (O, C / groups, *k), plus an optional bias b (O) along the
 * channel dim (added in place to the fresh output, so a biased convolution is one tensor and one node):
 * the convolution primitive.
 */
export const convPrim: Prim<ConvParams> = {
  name: "convolution",
  saves: { inputs: [0, 1] },
  overwrites: true,
  infer(inputs, p) {
    const [x, w] = inputs as [Tensor, Tensor];
    const nsp = x.ndim - 2;
    if (nsp < 1 || nsp > 3 || w.ndim !== x.ndim)
      throw new RangeError(
        `convolution(): expected input (N, C, *spatial) and weight (O, C/groups, *kernel) with 1 to 3 spatial dims and the same number of dims, got input ${fmtShape(x.shape)} and weight ${fmtShape(w.shape)}`,
      );
    if (x.dtype !== w.dtype)
      throw new TypeError(`expected scalar type ${dtypeCName(w.dtype)} but found ${dtypeCName(x.dtype)}`);
    if (x.dtype !== "float32" && x.dtype !== "float64")
      throw new TypeError(`"slow_conv2d_cpu" not implemented for '${dtypeCName(x.dtype)}'`);
    const G = p.groups;
    if (x.shape[1] !== w.shape[1]! * G || w.shape[0]! % G !== 0)
      throw new RangeError(
        `Given groups=${G}, weight of size ${fmtShape(w.shape)}, expected input${fmtShape(x.shape)} to have ${w.shape[1]! * G} channels, but got ${x.shape[1]} channels instead`,
      );
    const out = x.shape.slice(2).map((L, d) => convOutSize(L, w.shape[2 + d]!, p, d));
    if (out.some((o) => o <= 0))
      throw new RangeError(
        `convolution(): calculated output size ${fmtShape(out)} is too small for input ${fmtShape(x.shape)} and weight ${fmtShape(w.shape)}`,
      );
    return { shape: [x.shape[0]!, w.shape[0]!, ...out], dtype: x.dtype };
  },
  run(k, [x, w, b], out, p) {
    k.conv(x!, w!, out, p);
    // out += b in place, b (O) viewed as (O, 1, ...): broadcast along the batch and spatial dims
    if (b) {
      const bias = { ...b, shape: [b.shape[0]!, ...out.shape.slice(2).map(() => 1)] };
      binaryPrims.add.run!(
        k,
        [out, { ...bias, strides: [b.strides[0]!, ...bias.shape.slice(1).map(() => 0)] }],
        out,
        [1],
      );
    }
  },
  grad: (g, { inputs: [x, w], params, needs, meta }) => {
    // the gradient kernels read g contiguous: copied once (if at all) for both, and the bias sum
    // reads the copy too (g is often an expanded scalar, e.g. from sum())
    const gc = needs[0] || needs[1] ? contiguous(g) : g;
    return [
      needs[0] ? inputGrad(gc, w!, meta[0]!.shape, params) : null,
      needs[1] ? weightGrad(gc, x!, meta[1]!.shape, params) : null,
      // the bias gradient: g summed over the batch and spatial dims
      needs[2] ? sum(gc, [0, ...g.shape.slice(2).map((_, d) => d + 2)]) : null,
    ];
  },
};

/** Parameters of the weight-gradient primitive: the forward's geometry and the weight's shape. */
interface WeightGradParams extends ConvParams {
  readonly weightShape: readonly number[];
}

/**
 * d out / d w computed by the backend's `convWeightGrad` kernel (one GEMM per sample over the
 * input's im2col blocks, instead of a convolution whose kernel is the whole output gradient). Its
 * inputs are (g, x); being bilinear, its own gradients are the forward convolution of x with the
 * incoming gradient (for g) and the input gradient with the incoming gradient as weight (for x).
 */
const convWeightGradPrim: Prim<WeightGradParams> = {
  name: "convolution_backward_weight",
  saves: { inputs: [0, 1] },
  overwrites: true,
  infer: (inputs, p) => ({ shape: [...p.weightShape], dtype: inputs[1]!.dtype }),
  run(k, [g, x], out, p) {
    k.convWeightGrad!(g!, x!, out, p);
  },
  grad: (gw, { inputs: [g, x], params, needs, meta }) => [
    needs[0] ? convolution(x!, gw, params) : null,
    needs[1] ? convInputGrad(g!, gw, meta[1]!.shape, params) : null,
  ],
};

/** Parameters of the input-gradient primitive: the forward's geometry and the input's shape. */
interface InputGradParams extends ConvParams {
  readonly inputShape: readonly number[];
}

/**
 * d out / d x computed by the backend's `convInputGrad` kernel (per sample a GEMM W^T @ g into
 * columns, added back by col2im, instead of an im2col over the fully padded output gradient). Inputs
 * (g, w); bilinear, so its gradients are the forward convolution of the incoming gradient with w (for
 * g) and the weight gradient of the incoming gradient against g (for w).
 */
const convInputGradPrim: Prim<InputGradParams> = {
  name: "convolution_backward_input",
  saves: { inputs: [0, 1] },
  overwrites: true,
  infer: (inputs, p) => ({ shape: [...p.inputShape], dtype: inputs[1]!.dtype }),
  run(k, [g, w], out, p) {
    k.convInputGrad!(g!, w!, out, p);
  },
  grad: (gx, { inputs: [g, w], params, needs, meta }) => [
    needs[0] ? convolution(gx, w!, params) : null,
    needs[1] ? weightGrad(g!, gx, meta[1]!.shape, params) : null,
  ],
};

/**
 * The input gradient: the backend's kernel for strided convolutions without input dilation (where the
 * convolution would run over the output gradient with s - 1 zeros inserted between its elements),
 * else a convolution (convInputGrad): for stride 1 a plain one, which the forward kernels run at least
 * as fast (Winograd included).
 */
function inputGrad(g: Tensor, w: Tensor, xShape: readonly number[], p: ConvParams): Tensor {
  const strided = p.stride.some((s) => s !== 1) && p.inputDilation.every((e) => e === 1);
  if (!strided || !w.backend.kernels.convInputGrad) return convInputGrad(g, w, xShape, p);
  return apply(convInputGradPrim, [contiguous(g), w], { ...p, inputShape: xShape });
}

/** The weight gradient: the backend's kernel where it has one, else a convolution (convWeightGrad). */
function weightGrad(g: Tensor, x: Tensor, wShape: readonly number[], p: ConvParams): Tensor {
  if (!x.backend.kernels.convWeightGrad) return convWeightGrad(g, x, wShape, p);
  return apply(convWeightGradPrim, [contiguous(g), x], { ...p, weightShape: wShape });
}

/** Run the convolution primitive, with bias b (O) of x's dtype when given. */
export function convolution(x: Tensor, w: Tensor, p: ConvParams, b?: Tensor | null): Tensor {
  return apply(convPrim, b ? [x, w, b] : [x, w], p);
}

const spatial = (nsp: number) => [...Array(nsp).keys()].map((d) => d + 2);

/**
 * d out / d x: x[i] gets g[o] * w[t] wherever o * s = i * e + a - t * d, which is a convolution of g
 * (input dilation s) with the flipped kernel (dilation d), stride e, padding (d * (k - 1) - a, ...),
 * and input/output channels swapped within each group.
 */
function convInputGrad(g: Tensor, w: Tensor, xShape: readonly number[], p: ConvParams): Tensor {
  const nsp = xShape.length - 2;
  const G = p.groups;
  const [O, Cg] = [w.shape[0]!, w.shape[1]!];
  const ks = w.shape.slice(2);
  // (G * Og, Cg, *k) -> (G * Cg, Og, *k), flipped
  const wt = flip(reshape(transpose(view(w, [G, O / G, Cg, ...ks]), 1, 2), [G * Cg, O / G, ...ks]), spatial(nsp));
  const padding: number[] = [];
  const paddingEnd: number[] = [];
  for (let d = 0; d < nsp; d++) {
    const [L, k, OL] = [xShape[2 + d]!, ks[d]!, g.shape[2 + d]!];
    const [s, e, dl] = [p.stride[d]!, p.inputDilation[d]!, p.dilation[d]!];
    const a = dl * (k - 1) - p.padding[d]!;
    padding.push(a);
    paddingEnd.push((L - 1) * e + 1 + dl * (k - 1) - ((OL - 1) * s + 1) - a);
  }
  return convolution(g, wt, {
    stride: p.inputDilation,
    padding,
    paddingEnd,
    dilation: p.dilation,
    inputDilation: p.stride,
    groups: G,
  });
}

/**
 * d out / d w: w[t] gets g[o] * x[i] wherever i * e = o * s + t * d - a, a convolution of x (batch and
 * channel dims swapped, input dilation e) with g as the kernel (dilation s), stride d, cropped to k.
 */
function convWeightGrad(g: Tensor, x: Tensor, wShape: readonly number[], p: ConvParams): Tensor {
  const nsp = wShape.length - 2;
  const G = p.groups;
  const [N, C] = [x.shape[0]!, x.shape[1]!];
  const [O, Cg] = [wShape[0]!, wShape[1]!];
  const xs = x.shape.slice(2);
  const gs = g.shape.slice(2);
  // x (N, G * Cg, *in) -> (Cg, G * N, *in): batch Cg, channels (group, sample)
  const xt = reshape(permute(view(x, [N, G, C / G, ...xs]), [2, 1, 0, ...spatial(nsp).map((d) => d + 1)]), [
    Cg,
    G * N,
    ...xs,
  ]);
  // g (N, G * Og, *out) -> (G * Og, N, *out): the kernel, N input channels per group
  const gt = reshape(permute(view(g, [N, G, O / G, ...gs]), [1, 2, 0, ...spatial(nsp).map((d) => d + 1)]), [
    O,
    N,
    ...gs,
  ]);
  const paddingEnd: number[] = [];
  for (let d = 0; d < nsp; d++) {
    const [L, k, OL] = [xs[d]!, wShape[2 + d]!, gs[d]!];
    const [s, e, dl] = [p.stride[d]!, p.inputDilation[d]!, p.dilation[d]!];
    paddingEnd.push((k - 1) * dl + (OL - 1) * s + 1 - ((L - 1) * e + 1) - p.padding[d]!);
  }
  const r = convolution(xt, gt, {
    stride: p.dilation,
    padding: p.padding,
    paddingEnd,
    dilation: p.stride,
    inputDilation: p.inputDilation,
    groups: G,
  });
  return transpose(r, 0, 1); // (Cg, O, *k) -> (O, Cg, *k)
}
