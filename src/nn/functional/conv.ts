// nn.functional convolutions: conv1d/2d/3d, convTranspose1d/2d/3d, and unfold/fold (im2col / col2im).
// The convolutions check their arguments the way PyTorch does, then run the `convolution` primitive
// (ops/conv.ts): a transposed convolution is a convolution with input dilation and a flipped kernel.
// Not here: the Conv layers and their padding modes (nn/layers/conv.ts).

import { fmtShape } from "../../shape.js";
import { Tensor } from "../../tensor.js";
import { add } from "../../ops/elementwise.js";
import { asStrided, contiguous, expand, reshape, squeeze, transpose, unsqueeze, view } from "../../ops/views.js";
import { flip, pad } from "../../ops/shape_ops.js";
import { tensor, zeros } from "../../ops/creation.js";
import { scatterAdd } from "../../ops/indexing.js";
import { convolution, type ConvParams } from "../../ops/conv.js";

/** An int for every spatial dim, or one int for all. */
export type IntOrList = number | readonly number[];

/** Options of conv1d/2d/3d (PyTorch's arguments after `bias`). */
export interface ConvOptions {
  /** Step between output positions (default 1). */
  stride?: IntOrList;
  /** Zeros added on both sides, or "valid" (none) / "same" (output size = input size, stride 1 only). */
  padding?: IntOrList | "same" | "valid";
  /** Spacing between kernel taps (default 1). */
  dilation?: IntOrList;
  /** Split the channels into groups convolved separately (default 1). */
  groups?: number;
}

/** Options of convTranspose1d/2d/3d. */
export interface ConvTransposeOptions {
  stride?: IntOrList;
  /** `dilation * (kernel_size - 1) - padding` zeros are added to both sides of the input. */
  padding?: IntOrList;
  /** Extra size added to one side of the output (smaller than stride or dilation). */
  outputPadding?: IntOrList;
  groups?: number;
  dilation?: IntOrList;
}

/** @internal Expand an int-or-list argument to one entry per spatial dim, with PyTorch's error. */
export function expandArg(name: string, v: IntOrList, n: number): number[] {
  if (typeof v === "number") return new Array<number>(n).fill(v);
  if (v.length === 1) return new Array<number>(n).fill(v[0]!);
  if (v.length !== n)
    throw new RangeError(
      `expected ${name} to be a single integer value or a list of ${n} values to match the convolution dimensions, but got ${name}=${fmtShape(v)}`,
    );
  return [...v];
}

const DIMS = ["1D", "2D", "3D", "4D", "5D"];

/** Add the batch dim to an unbatched input; checks the number of dims. */
function batchify(op: string, x: Tensor, nsp: number): [Tensor, boolean] {
  if (x.ndim === nsp + 2) return [x, true];
  if (x.ndim === nsp + 1) return [unsqueeze(x, 0), false];
  throw new RangeError(
    `Expected ${DIMS[nsp]} (unbatched) or ${DIMS[nsp + 1]} (batched) input to ${op}, but got input of size: ${fmtShape(x.shape)}`,
  );
}

function checkCommon(op: string, x: Tensor, w: Tensor, nsp: number, groups: number): void {
  if (w.ndim !== nsp + 2)
    throw new RangeError(
      `${op}(): expected weight to be ${nsp + 2}-dimensional (out_channels, in_channels / groups, *kernel_size), but got weight of size ${fmtShape(w.shape)}`,
    );
  if (x.dtype !== w.dtype)
    throw new TypeError(
      `${op}(): Input type (${x.dtype}) and weight type (${w.dtype}) should be the same, got input ${fmtShape(x.shape)} and weight ${fmtShape(w.shape)}`,
    );
  if (!Number.isInteger(groups) || groups <= 0) throw new RangeError("non-positive groups is not supported");
}

function checkBias(w: Tensor, b: Tensor, channels: number): void {
  if (b.ndim !== 1 || b.shape[0] !== channels)
    throw new RangeError(
      `Given weight of size ${fmtShape(w.shape)}, expected bias to be 1-dimensional with ${channels} elements, but got bias of size ${fmtShape(b.shape)} instead`,
    );
}

/** The convolution with bias b: added by the primitive itself where b has x's dtype, else by a promoting add. */
function convWithBias(x: Tensor, w: Tensor, p: ConvParams, b: Tensor | null | undefined): Tensor {
  if (!b || b.dtype === x.dtype) return convolution(x, w, p, b);
  const y = convolution(x, w, p);
  const out = add(y, view(b, [b.shape[0]!, ...new Array<number>(y.ndim - 2).fill(1)]));
  if (y.device === "cpu") y.dispose();
  return out;
}

const fmtSizes = (s: readonly number[]) => `(${s.join(" x ")})`;

/** @internal padding per dim (before, after) for a padding argument; "same" splits d*(k-1) as PyTorch does. */
export function convPadding(
  op: string,
  padding: IntOrList | "same" | "valid",
  kernel: readonly number[],
  dilation: readonly number[],
  stride: readonly number[],
): [number[], number[]] {
  const n = kernel.length;
  if (padding === "valid") return [new Array<number>(n).fill(0), new Array<number>(n).fill(0)];
  if (padding === "same") {
    if (stride.some((s) => s !== 1)) throw new RangeError("padding='same' is not supported for strided convolutions");
    const total = kernel.map((k, d) => dilation[d]! * (k - 1));
    const before = total.map((t) => Math.floor(t / 2));
    return [before, total.map((t, d) => t - before[d]!)];
  }
  if (typeof padding === "string")
    throw new RangeError(`${op}(): Invalid padding string '${String(padding)}', should be one of ['valid', 'same']`);
  const p = expandArg("padding", padding, n);
  return [p, p];
}

function convNd(
  nsp: number,
  op: string,
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  opts: ConvOptions,
): Tensor {
  const groups = opts.groups ?? 1;
  checkCommon(op, input, weight, nsp, groups);
  const [x, batched] = batchify(op, input, nsp);
  const stride = expandArg("stride", opts.stride ?? 1, nsp);
  const dilation = expandArg("dilation", opts.dilation ?? 1, nsp);
  if (stride.some((s) => s <= 0)) throw new RangeError("non-positive stride is not supported");
  if (dilation.some((d) => d <= 0)) throw new RangeError("dilation should be greater than zero");
  const kernel = weight.shape.slice(2);
  const [before, after] = convPadding(op, opts.padding ?? 0, kernel, dilation, stride);
  if (before.some((p) => p < 0)) throw new RangeError("negative padding is not supported");
  const O = weight.shape[0]!;
  if (O % groups !== 0)
    throw new RangeError(
      `Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size ${fmtShape(weight.shape)} instead`,
    );
  if (x.shape[1] !== weight.shape[1]! * groups)
    throw new RangeError(
      `Given groups=${groups}, weight of size ${fmtShape(weight.shape)}, expected input${fmtShape(x.shape)} to have ${weight.shape[1]! * groups} channels, but got ${x.shape[1]} channels instead`,
    );
  const padded = x.shape.slice(2).map((L, d) => L + before[d]! + after[d]!);
  const span = kernel.map((k, d) => dilation[d]! * (k - 1) + 1);
  if (padded.some((L, d) => L < span[d]!))
    throw new RangeError(
      `Calculated padded input size per channel: ${fmtSizes(padded)}. Kernel size: ${fmtSizes(span)}. Kernel size can't be greater than actual input size`,
    );
  if (bias) checkBias(weight, bias, O);
  const p: ConvParams = {
    stride,
    padding: before,
    paddingEnd: after,
    dilation,
    inputDilation: new Array<number>(nsp).fill(1),
    groups,
  };
  const y = convWithBias(x, weight, p, bias);
  return batched ? y : squeeze(y, 0);
}

/** 1-D convolution of input (N, C, L) or (C, L) with weight (O, C / groups, k) (`F.conv1d`). */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return convNd(1, "conv1d", input, weight, bias, opts);
}
/** 2-D convolution of input (N, C, H, W) or (C, H, W) with weight (O, C / groups, kH, kW) (`F.conv2d`). */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return convNd(2, "conv2d", input, weight, bias, opts);
}
/** 3-D convolution of input (N, C, D, H, W) or (C, D, H, W) with weight (O, C / groups, kD, kH, kW) (`F.conv3d`). */
export function conv3d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return convNd(3, "conv3d", input, weight, bias, opts);
}

function convTransposeNd(
  nsp: number,
  op: string,
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  opts: ConvTransposeOptions,
): Tensor {
  const G = opts.groups ?? 1;
  checkCommon(op, input, weight, nsp, G);
  const [x, batched] = batchify(op, input, nsp);
  const stride = expandArg("stride", opts.stride ?? 1, nsp);
  const dilation = expandArg("dilation", opts.dilation ?? 1, nsp);
  const padding = expandArg("padding", opts.padding ?? 0, nsp);
  const outPad = expandArg("output_padding", opts.outputPadding ?? 0, nsp);
  if (stride.some((s) => s <= 0)) throw new RangeError("non-positive stride is not supported");
  if (dilation.some((d) => d <= 0)) throw new RangeError("dilation should be greater than zero");
  if (padding.some((p) => p < 0)) throw new RangeError("negative padding is not supported");
  if (outPad.some((p) => p < 0)) throw new RangeError("negative output_padding is not supported");
  if (outPad.some((p, d) => p >= stride[d]! && p >= dilation[d]!)) {
    const names = ["depth", "height", "width"].slice(3 - nsp);
    const part = (what: string, v: number[]) => v.map((x, d) => `${what}_${names[d]}: ${x}`).join(" ");
    throw new RangeError(
      `output padding must be smaller than either stride or dilation, but got ${part("output_padding", outPad)} ${part("stride", stride)} ${part("dilation", dilation)}`,
    );
  }
  const [Cin, Og] = [weight.shape[0]!, weight.shape[1]!];
  if (Cin % G !== 0)
    throw new RangeError(
      `Given groups=${G}, expected weight to be divisible by ${G} at dimension 0, but got weight of size ${fmtShape(weight.shape)} instead`,
    );
  if (x.shape[1] !== Cin)
    throw new RangeError(
      `Given transposed=1, weight of size ${fmtShape(weight.shape)}, expected input${fmtShape(x.shape)} to have ${Cin} channels, but got ${x.shape[1]} channels instead`,
    );
  const kernel = weight.shape.slice(2);
  const out = x.shape
    .slice(2)
    .map((L, d) => (L - 1) * stride[d]! - 2 * padding[d]! + dilation[d]! * (kernel[d]! - 1) + outPad[d]! + 1);
  if (out.some((o) => o <= 0))
    throw new RangeError(
      `${op}(): Given input size per channel: ${fmtSizes(x.shape.slice(2))}. Calculated output size per channel: ${fmtSizes(out)}. Output size is too small`,
    );
  if (bias) checkBias(weight, bias, Og * G);
  // (Cin, Og, *k) -> (G * Og, Cin / G, *k), flipped: the kernel of the equivalent direct convolution
  const sp = kernel.map((_, d) => d + 2);
  const w = flip(reshape(transpose(view(weight, [G, Cin / G, Og, ...kernel]), 1, 2), [G * Og, Cin / G, ...kernel]), sp);
  const p: ConvParams = {
    stride: new Array<number>(nsp).fill(1),
    padding: kernel.map((k, d) => dilation[d]! * (k - 1) - padding[d]!),
    paddingEnd: kernel.map((k, d) => dilation[d]! * (k - 1) - padding[d]! + outPad[d]!),
    dilation,
    inputDilation: stride,
    groups: G,
  };
  const y = convWithBias(x, w, p, bias);
  return batched ? y : squeeze(y, 0);
}

/** 1-D transposed convolution of input (N, Cin, L) with weight (Cin, Cout / groups, k) (`F.conv_transpose1d`). */
export function convTranspose1d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  opts: ConvTransposeOptions = {},
): Tensor {
  return convTransposeNd(1, "conv_transpose1d", input, weight, bias, opts);
}
/** 2-D transposed convolution of input (N, Cin, H, W) with weight (Cin, Cout / groups, kH, kW) (`F.conv_transpose2d`). */
export function convTranspose2d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  opts: ConvTransposeOptions = {},
): Tensor {
  return convTransposeNd(2, "conv_transpose2d", input, weight, bias, opts);
}
/** 3-D transposed convolution of input (N, Cin, D, H, W) with weight (Cin, Cout / groups, kD, kH, kW) (`F.conv_transpose3d`). */
export function convTranspose3d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  opts: ConvTransposeOptions = {},
): Tensor {
  return convTransposeNd(3, "conv_transpose3d", input, weight, bias, opts);
}

/** Options of unfold/fold (sliding blocks over the two spatial dims). */
export interface FoldOptions {
  dilation?: IntOrList;
  padding?: IntOrList;
  stride?: IntOrList;
}

function foldArgs(op: string, kernelSize: IntOrList, opts: FoldOptions) {
  const k = expandArg("kernel_size", kernelSize, 2);
  const d = expandArg("dilation", opts.dilation ?? 1, 2);
  const p = expandArg("padding", opts.padding ?? 0, 2);
  const s = expandArg("stride", opts.stride ?? 1, 2);
  if (k.some((v) => v <= 0))
    throw new RangeError(`${op}(): kernel size should be greater than zero, but got ${fmtShape(k)}`);
  if (d.some((v) => v <= 0))
    throw new RangeError(`${op}(): dilation should be greater than zero, but got ${fmtShape(d)}`);
  if (s.some((v) => v <= 0))
    throw new RangeError(`${op}(): stride should be greater than zero, but got ${fmtShape(s)}`);
  if (p.some((v) => v < 0)) throw new RangeError(`${op}(): padding should be non-negative, but got ${fmtShape(p)}`);
  return { k, d, p, s };
}

/**
 * Extract sliding local blocks (im2col): input (N, C, H, W) or (C, H, W) -> (N, C * kH * kW, L), where
 * L is the number of block positions; rows are ordered (c, i, j) as in PyTorch (`F.unfold`).
 */
export function unfold(input: Tensor, kernelSize: IntOrList, opts: FoldOptions = {}): Tensor {
  const { k, d, p, s } = foldArgs("unfold", kernelSize, opts);
  if (input.ndim !== 3 && input.ndim !== 4)
    throw new RangeError(
      `unfold(): Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got: ${fmtShape(input.shape)}`,
    );
  const batched = input.ndim === 4;
  const x = batched ? input : unsqueeze(input, 0);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [Hp, Wp] = [H + 2 * p[0]!, W + 2 * p[1]!];
  const out = [0, 1].map((i) => Math.floor(([Hp, Wp][i]! - d[i]! * (k[i]! - 1) - 1) / s[i]!) + 1);
  if (out.some((o) => o < 1))
    throw new RangeError(
      `unfold(): Given input with spatial size (${H}, ${W}), kernel_size=${fmtShape(k)}, dilation=${fmtShape(d)}, padding=${fmtShape(p)}, calculated shape of the array of sliding blocks as ${fmtShape(out)}, but its components must be at least one.`,
    );
  const xp = p[0] || p[1] ? pad(x, [p[1]!, p[1]!, p[0]!, p[0]!]) : contiguous(x);
  // (N, C, kH, kW, oH, oW) windows of the padded contiguous input, copied into (N, C * kH * kW, L)
  const win = asStrided(
    xp,
    [N, C, k[0]!, k[1]!, out[0]!, out[1]!],
    [C * Hp * Wp, Hp * Wp, d[0]! * Wp, d[1]!, s[0]! * Wp, s[1]!],
    xp.offset,
  );
  const y = reshape(win, [N, C * k[0]! * k[1]!, out[0]! * out[1]!]);
  return batched ? y : squeeze(y, 0);
}

/**
 * Combine sliding local blocks into a tensor (col2im, the adjoint of unfold): input (N, C * kH * kW, L)
 * -> (N, C, H, W) with overlapping values summed (`F.fold`).
 */
export function fold(input: Tensor, outputSize: IntOrList, kernelSize: IntOrList, opts: FoldOptions = {}): Tensor {
  const { k, d, p, s } = foldArgs("fold", kernelSize, opts);
  const [H, W] = expandArg("output_size", outputSize, 2) as [number, number];
  if (input.ndim !== 2 && input.ndim !== 3)
    throw new RangeError(
      `fold(): Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got: ${fmtShape(input.shape)}`,
    );
  const batched = input.ndim === 3;
  const x = batched ? input : unsqueeze(input, 0);
  const [N, CK, L] = x.shape as [number, number, number];
  const kk = k[0]! * k[1]!;
  if (CK % kk !== 0)
    throw new RangeError(
      `fold(): Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=${CK} and kernel_size=${fmtShape(k)}`,
    );
  const [Hp, Wp] = [H + 2 * p[0]!, W + 2 * p[1]!];
  const out = [0, 1].map((i) => Math.floor(([Hp, Wp][i]! - d[i]! * (k[i]! - 1) - 1) / s[i]!) + 1);
  if (out[0]! * out[1]! !== L)
    throw new RangeError(
      `fold(): Given output_size=(${H}, ${W}), kernel_size=${fmtShape(k)}, dilation=${fmtShape(d)}, padding=${fmtShape(p)}, stride=${fmtShape(s)}, expected size of input's dimension 2 to match the calculated number of sliding blocks ${out[0]} * ${out[1]} = ${out[0]! * out[1]!}, but got input.size(2)=${L}.`,
    );
  // position in the padded (Hp, Wp) plane of every (i, j, l) entry of a channel's block rows
  const idx = new Float64Array(kk * L);
  let q = 0;
  for (let i = 0; i < k[0]!; i++)
    for (let j = 0; j < k[1]!; j++)
      for (let oh = 0; oh < out[0]!; oh++)
        for (let ow = 0; ow < out[1]!; ow++) idx[q++] = (oh * s[0]! + i * d[0]!) * Wp + ow * s[1]! + j * d[1]!;
  const C = CK / kk;
  const index = expand(view(tensor(idx, { dtype: "int64", device: x.device }), [1, 1, kk * L]), [N, C, kk * L]);
  const plane = scatterAdd(
    zeros([N, C, Hp * Wp], { dtype: x.dtype, device: x.device }),
    2,
    index,
    reshape(x, [N, C, kk * L]),
  );
  let y = view(plane, [N, C, Hp, Wp]);
  if (p[0] || p[1]) y = pad(y, [-p[1]!, -p[1]!, -p[0]!, -p[0]!]);
  return batched ? y : squeeze(y, 0);
}
