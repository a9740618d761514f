// nn.functional resampling: interpolate / upsample (nearest, nearest-exact, linear, bilinear, trilinear,
// area) and pixelShuffle / pixelUnshuffle, as compositions of indexSelect, elementwise ops and views.
// Linear modes interpolate one spatial dim at a time, innermost first, which is PyTorch's formula
// (h0 * (w0 * x00 + w1 * x01) + h1 * (...)); source positions and weights follow PyTorch's rules,
// in float32 arithmetic for float32 inputs. Not here: bicubic and antialiasing; the layers
// (nn/layers/upsample.ts).

import { fmtShape } from "../../shape.js";
import type { Tensor } from "../../tensor.js";
import { add, mul } from "../../ops/elementwise.js";
import { indexSelect } from "../../ops/indexing.js";
import { tensor } from "../../ops/creation.js";
import { permute, reshape, view } from "../../ops/views.js";
import { adaptiveAvgPool1d, adaptiveAvgPool2d } from "./pooling.js";

/** Interpolation modes of interpolate/upsample. */
export type InterpolateMode = "nearest" | "nearest-exact" | "linear" | "bilinear" | "trilinear" | "area";

/** Options of interpolate (PyTorch's keyword arguments). */
export interface InterpolateOptions {
  /** Output spatial size (one int for all dims, or one per dim). */
  size?: number | readonly number[] | null;
  /** Multiplier of the spatial size (one for all dims, or one per dim). */
  scaleFactor?: number | readonly number[] | null;
  /** Default "nearest". */
  mode?: InterpolateMode;
  /** Linear modes: align the corner pixels' centers (true) or the corners themselves (false, default). */
  alignCorners?: boolean | null;
  /** Compute the source positions from the output size instead of the given scale factor. */
  recomputeScaleFactor?: boolean | null;
}

const LINEAR_DIMS: Partial<Record<InterpolateMode, number>> = { linear: 1, bilinear: 2, trilinear: 3 };

/** Source index and weights along one dim, computed in `f` arithmetic (float32 or float64). */
interface Taps {
  i0: number[];
  i1: number[];
  l0: number[];
  l1: number[];
}

/** Source index of every output position in nearest modes (PyTorch computes these in float32 for every dtype). */
function nearestIndex(inSize: number, outSize: number, scale: number | null, exact: boolean): number[] {
  const f = Math.fround;
  const r: number[] = [];
  // PyTorch: scale = 1 / scale_factor when one is used, else in / out; src = floor(dst * scale)
  const s = f(scale !== null && scale > 0 ? 1 / scale : inSize / outSize);
  for (let o = 0; o < outSize; o++) {
    let src: number;
    if (!exact && outSize === inSize) src = o;
    else if (!exact && outSize === 2 * inSize) src = o >> 1;
    else src = Math.floor(exact ? f(f(o + 0.5) * s) : f(o * s));
    r.push(Math.min(src, inSize - 1));
  }
  return r;
}

/** Source indices and weights of every output position in linear modes. */
function linearTaps(
  inSize: number,
  outSize: number,
  scale: number | null,
  align: boolean,
  f: (x: number) => number,
): Taps {
  const t: Taps = { i0: [], i1: [], l0: [], l1: [] };
  let s: number;
  if (align) s = outSize > 1 ? f((inSize - 1) / (outSize - 1)) : 0;
  else s = f(scale !== null && scale > 0 ? 1 / scale : inSize / outSize);
  for (let o = 0; o < outSize; o++) {
    if (outSize === inSize) {
      t.i0.push(o);
      t.i1.push(o);
      t.l0.push(1);
      t.l1.push(0);
      continue;
    }
    const src = align ? f(s * o) : Math.max(f(f(s * f(o + 0.5)) - 0.5), 0);
    const i0 = Math.floor(src);
    const i1 = i0 + (i0 < inSize - 1 ? 1 : 0);
    const l1 = Math.min(Math.max(f(src - i0), 0), 1);
    t.i0.push(i0);
    t.i1.push(i1);
    t.l1.push(l1);
    t.l0.push(f(1 - l1));
  }
  return t;
}

function listArg(name: string, v: number | readonly number[], n: number): number[] {
  if (typeof v === "number") return new Array<number>(n).fill(v);
  if (v.length !== n)
    throw new RangeError(
      `Input and ${name} must have the same number of spatial dimensions, but got input with spatial dimensions of ${fmtShape(new Array<number>(n).fill(0).map((_, i) => i))} and ${name} of ${fmtShape(v)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.`,
    );
  return [...v];
}

/**
 * Resample the spatial dims of input (N, C, *spatial) to `size` or by `scaleFactor`
 * (`F.interpolate`): nearest (default), nearest-exact, linear (3-D input), bilinear (4-D), trilinear
 * (5-D), area (adaptive average pooling).
 */
export function interpolate(input: Tensor, opts: InterpolateOptions = {}): Tensor {
  const mode = opts.mode ?? "nearest";
  const nsp = input.ndim - 2;
  const { size, scaleFactor } = opts;
  const hasSize = size !== undefined && size !== null;
  const hasScale = scaleFactor !== undefined && scaleFactor !== null;
  if (hasSize && hasScale) throw new RangeError("only one of size or scale_factor should be defined");
  if (!hasSize && !hasScale) throw new RangeError("either size or scale_factor should be defined");
  const linDims = LINEAR_DIMS[mode];
  const align = opts.alignCorners ?? null;
  if (linDims === undefined && align !== null)
    throw new RangeError(
      "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear",
    );
  if (!["nearest", "nearest-exact", "linear", "bilinear", "trilinear", "area"].includes(mode))
    throw new RangeError(
      `Input Error: Only 3D, 4D and 5D input Tensors supported (got ${input.ndim}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${mode})`,
    );
  if (nsp < 1 || nsp > 3 || (linDims !== undefined && linDims !== nsp)) {
    const need = linDims !== undefined ? `${linDims + 2}D` : "3D, 4D or 5D";
    throw new RangeError(`Got ${input.ndim}D input, but ${mode} mode needs ${need} input`);
  }
  if (!input.isFloatingPoint()) throw new TypeError(`"upsample_${mode}" not implemented for '${input.dtype}'`);
  const sp = input.shape.slice(2);
  let out: number[];
  let scales: (number | null)[];
  if (hasSize) {
    out = listArg("output_size", size!, nsp);
    scales = new Array<number | null>(nsp).fill(null);
  } else {
    const sf = listArg("scale_factor", scaleFactor!, nsp);
    out = sp.map((L, i) => Math.floor(L * sf[i]!));
    scales = opts.recomputeScaleFactor ? new Array<number | null>(nsp).fill(null) : sf;
  }
  if (out.some((o) => o <= 0))
    throw new RangeError(
      `Input and output sizes should be greater than 0, but got input (${sp.join(", ")}) and output (${out.join(", ")})`,
    );
  if (mode === "area") {
    if (nsp === 3)
      throw new RangeError(`interpolate(): area mode supports 3-D and 4-D inputs, got ${fmtShape(input.shape)}`);
    return nsp === 1 ? adaptiveAvgPool1d(input, out[0]!) : adaptiveAvgPool2d(input, out);
  }
  const f = input.dtype === "float64" ? (x: number) => x : Math.fround;
  const idx = (v: number[]) => tensor(v, { dtype: "int64", device: input.device });
  let y = input;
  for (let i = nsp - 1; i >= 0; i--) {
    const dim = i + 2;
    if (mode === "nearest" || mode === "nearest-exact") {
      y = indexSelect(y, dim, idx(nearestIndex(sp[i]!, out[i]!, scales[i]!, mode === "nearest-exact")));
      continue;
    }
    const t = linearTaps(sp[i]!, out[i]!, scales[i]!, align ?? false, f);
    const shape = new Array<number>(input.ndim).fill(1);
    shape[dim] = out[i]!;
    const w = (v: number[]) => view(tensor(v, { dtype: input.dtype, device: input.device }), shape);
    y = add(mul(w(t.l0), indexSelect(y, dim, idx(t.i0))), mul(w(t.l1), indexSelect(y, dim, idx(t.i1))));
  }
  return y;
}

/** Same as interpolate (`F.upsample`, deprecated in PyTorch in favour of interpolate). */
export function upsample(input: Tensor, opts: InterpolateOptions = {}): Tensor {
  return interpolate(input, opts);
}

/**
 * Rearrange (*, C * r^2, H, W) into (*, C, H * r, W * r): each group of r^2 channels becomes an r x r
 * block of pixels (`F.pixel_shuffle`).
 */
export function pixelShuffle(input: Tensor, upscaleFactor: number): Tensor {
  const r = upscaleFactor;
  if (input.ndim < 3)
    throw new RangeError(
      `pixel_shuffle expects input to have at least 3 dimensions, but got input with ${input.ndim} dimension(s)`,
    );
  if (!Number.isInteger(r) || r <= 0)
    throw new RangeError(`pixel_shuffle expects a positive upscale_factor, but got ${r}`);
  const [C, H, W] = input.shape.slice(-3) as [number, number, number];
  if (C % (r * r) !== 0)
    throw new RangeError(
      `pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=${C} is not divisible by ${r * r}`,
    );
  const lead = input.shape.slice(0, -3);
  const b = lead.length;
  const x = reshape(input, [...lead, C / (r * r), r, r, H, W]);
  // (*, c, r1, r2, H, W) -> (*, c, H, r1, W, r2)
  const lp = lead.map((_, i) => i);
  const y = permute(x, [...lp, b, b + 3, b + 1, b + 4, b + 2]);
  return reshape(y, [...lead, C / (r * r), H * r, W * r]);
}

/** The inverse of pixelShuffle: (*, C, H * r, W * r) -> (*, C * r^2, H, W) (`F.pixel_unshuffle`). */
export function pixelUnshuffle(input: Tensor, downscaleFactor: number): Tensor {
  const r = downscaleFactor;
  if (input.ndim < 3)
    throw new RangeError(
      `pixel_unshuffle expects input to have at least 3 dimensions, but got input with ${input.ndim} dimension(s)`,
    );
  if (!Number.isInteger(r) || r <= 0)
    throw new RangeError(`pixel_unshuffle expects a positive downscale_factor, but got ${r}`);
  const [C, H, W] = input.shape.slice(-3) as [number, number, number];
  if (H % r !== 0)
    throw new RangeError(
      `pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)=${H} is not divisible by ${r}`,
    );
  if (W % r !== 0)
    throw new RangeError(
      `pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)=${W} is not divisible by ${r}`,
    );
  const lead = input.shape.slice(0, -3);
  const b = lead.length;
  const x = reshape(input, [...lead, C, H / r, r, W / r, r]);
  // (*, c, h, r1, w, r2) -> (*, c, r1, r2, h, w)
  const lp = lead.map((_, i) => i);
  const y = permute(x, [...lp, b, b + 2, b + 4, b + 1, b + 3]);
  return reshape(y, [...lead, C * r * r, H / r, W / r]);
}
