// nn.functional spatial transformers: affineGrid (4-D size) and gridSample (4-D input; bilinear and
// nearest modes; zeros, border and reflection padding), as compositions of gather, where and
// elementwise ops, so gradients w.r.t. the input, the grid and theta come from autograd.
// Coordinates follow PyTorch's CPU kernel: unnormalize ((g + 1) * (size - 1) / 2 with alignCorners,
// else (g + 1) * size / 2 - 0.5), then clip (border) or reflect and clip (reflection). Clipping has a
// zero gradient at the borders, and a reflected coordinate's gradient flips with every reflection,
// as in PyTorch; nearest rounds half to even and has no gradient w.r.t. the grid. Not here: bicubic
// mode and 5-D (volumetric) inputs.

import { fmtShape } from "../../shape.js";
import type { Tensor } from "../../tensor.js";
import {
  add,
  div,
  floor,
  ge,
  gt,
  logicalAnd,
  lt,
  mul,
  neg,
  round,
  sub,
  toDtype,
  trunc,
  where,
} from "../../ops/elementwise.js";
import { gather } from "../../ops/indexing.js";
import { linspace, ones } from "../../ops/creation.js";
import { stack } from "../../ops/shape_ops.js";
import { matmul } from "../../ops/linalg.js";
import { detach, expand, reshape, select, transpose, unsqueeze } from "../../ops/views.js";

/** Options of affineGrid (PyTorch's keyword arguments). */
export interface AffineGridOptions {
  /** -1 and 1 are the centers of the corner pixels (true) or their outer edges (false, default). */
  alignCorners?: boolean | null;
}

/** Interpolation modes of gridSample. */
export type GridSampleMode = "bilinear" | "nearest";
/** Padding modes of gridSample (the values read outside the input). */
export type GridSamplePadding = "zeros" | "border" | "reflection";

/** Options of gridSample (PyTorch's keyword arguments). */
export interface GridSampleOptions {
  /** Default "bilinear". */
  mode?: GridSampleMode;
  /** Default "zeros". */
  paddingMode?: GridSamplePadding;
  /** -1 and 1 are the centers of the corner pixels (true) or their outer edges (false, default). */
  alignCorners?: boolean | null;
}

/** PyTorch's linspace_from_neg_one: n points in [-1, 1], scaled by (n - 1) / n without alignCorners. */
function linspaceFromNegOne(like: Tensor, n: number, align: boolean): Tensor {
  if (n <= 1) return mul(ones([n], { dtype: like.dtype, device: like.device }), 0);
  const r = linspace(-1, 1, n, { dtype: like.dtype, device: like.device });
  return align ? r : div(mul(r, n - 1), n);
}

/**
 * The sampling grid (N, H, W, 2) of the affine maps theta (N, 2, 3) for an output of size
 * [N, C, H, W] (`F.affine_grid`): grid[n, h, w] = theta[n] @ [x_w, y_h, 1] with x, y in [-1, 1].
 */
export function affineGrid(theta: Tensor, size: readonly number[], opts: AffineGridOptions = {}): Tensor {
  const align = opts.alignCorners ?? false;
  if (!theta.isFloatingPoint())
    throw new TypeError(`Expected theta to have floating point type, but got ${theta.dtype}`);
  if (size.length !== 4)
    throw new RangeError(
      `affineGrid only supports 4-D sizes (2-D affine transforms) here, but got size ${fmtShape(size)}`,
    );
  if (size.some((s) => !Number.isInteger(s) || s <= 0))
    throw new RangeError(`Expected non-zero, positive output size. Got ${fmtShape(size)}`);
  const [N, , H, W] = size as [number, number, number, number];
  if (theta.ndim !== 3 || theta.shape[1] !== 2 || theta.shape[2] !== 3)
    throw new RangeError(
      `Expected a batch of 2D affine matrices of shape Nx2x3 for size ${fmtShape(size)}. Got ${fmtShape(theta.shape)}.`,
    );
  if (theta.shape[0] !== N)
    throw new RangeError(
      `Expected theta's batch size ${theta.shape[0]} to match size[0] = ${N} (size ${fmtShape(size)})`,
    );
  const xs = expand(unsqueeze(linspaceFromNegOne(theta, W, align), 0), [H, W]);
  const ys = expand(unsqueeze(linspaceFromNegOne(theta, H, align), 1), [H, W]);
  const base = stack([xs, ys, ones([H, W], { dtype: theta.dtype, device: theta.device })], -1);
  // (H * W, 3) @ (N, 3, 2) -> (N, H * W, 2)
  const grid = matmul(reshape(base, [H * W, 3]), transpose(theta, 1, 2));
  return reshape(grid, [N, H, W, 2]);
}

/** Unnormalize grid coordinates in [-1, 1] to pixel coordinates along a dim of `size` pixels. */
function unnormalize(g: Tensor, size: number, align: boolean): Tensor {
  return align ? mul(add(g, 1), (size - 1) / 2) : sub(mul(add(g, 1), size / 2), 0.5);
}

/** Clip to [0, size - 1]; the gradient is 0 at and beyond the borders (PyTorch's clip_coordinates). */
function clip(x: Tensor, size: number): Tensor {
  const hi = size - 1;
  const inside = logicalAnd(gt(x, 0), lt(x, hi));
  const xd = detach(x);
  return where(inside, x, where(gt(xd, 0), mul(ge(xd, hi), hi), 0));
}

/** Reflect into [low, low + span] (PyTorch's reflect_coordinates): low = 0 or -0.5, 2 * span = twiceSpan. */
function reflect(x: Tensor, size: number, align: boolean): Tensor {
  const twiceSpan = align ? 2 * (size - 1) : 2 * size;
  if (twiceSpan === 0) return mul(x, 0);
  const low = align ? 0 : -0.5;
  const d = sub(x, low);
  const a = where(lt(d, 0), neg(d), d);
  const flips = trunc(div(detach(a), twiceSpan));
  const extra = sub(a, mul(flips, twiceSpan));
  const reflected = sub(twiceSpan, extra);
  return add(where(gt(detach(extra), detach(reflected)), reflected, extra), low);
}

/** Pixel coordinate of grid coordinates g along a dim of `size` pixels, after padding. */
function sourceCoord(g: Tensor, size: number, padding: GridSamplePadding, align: boolean): Tensor {
  const x = unnormalize(g, size, align);
  if (padding === "border") return clip(x, size);
  if (padding === "reflection") return clip(reflect(x, size, align), size);
  return x;
}

/**
 * Values of input (N, C, H, W) at integer pixel coordinates (ix, iy) of shape (N, Ho, Wo), as
 * (N, C, Ho, Wo); 0 where the coordinates lie outside the input.
 */
function readPixels(input: Tensor, ix: Tensor, iy: Tensor): Tensor {
  const [N, C, H, W] = input.shape as [number, number, number, number];
  const [, Ho, Wo] = ix.shape as [number, number, number];
  const inb = logicalAnd(logicalAnd(ge(ix, 0), lt(ix, W)), logicalAnd(ge(iy, 0), lt(iy, H)));
  const lin = toDtype(where(inb, add(mul(iy, W), ix), 0), "int64");
  const idx = expand(reshape(lin, [N, 1, Ho * Wo]), [N, C, Ho * Wo]);
  const v = reshape(gather(reshape(input, [N, C, H * W]), 2, idx), [N, C, Ho, Wo]);
  return where(unsqueeze(inb, 1), v, 0);
}

/**
 * Sample input (N, C, H, W) at the points of grid (N, Ho, Wo, 2), whose last dim holds (x, y) in
 * [-1, 1] (-1: left/top, 1: right/bottom), giving (N, C, Ho, Wo) (`F.grid_sample`).
 */
export function gridSample(input: Tensor, grid: Tensor, opts: GridSampleOptions = {}): Tensor {
  const mode = opts.mode ?? "bilinear";
  const padding = opts.paddingMode ?? "zeros";
  const align = opts.alignCorners ?? false;
  if (mode !== "bilinear" && mode !== "nearest")
    throw new RangeError(
      `nn.functional.grid_sample(): expected mode to be 'bilinear' or 'nearest' (bicubic is not supported here), but got: '${String(mode)}'`,
    );
  if (padding !== "zeros" && padding !== "border" && padding !== "reflection")
    throw new RangeError(
      `nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', but got: '${String(padding)}'`,
    );
  if (input.dtype !== grid.dtype)
    throw new TypeError(
      `grid_sampler(): expected input and grid to have same dtype, but input has ${input.dtype} and grid has ${grid.dtype}`,
    );
  if (!input.isFloatingPoint()) throw new TypeError(`"grid_sampler_2d" not implemented for '${input.dtype}'`);
  if (input.ndim !== 4 || grid.ndim !== 4)
    throw new RangeError(
      `grid_sampler(): expected 4D input and grid with same number of dimensions (5-D is not supported here), but got input with sizes ${fmtShape(input.shape)} and grid with sizes ${fmtShape(grid.shape)}`,
    );
  const [N, , H, W] = input.shape as [number, number, number, number];
  if (grid.shape[0] !== N)
    throw new RangeError(
      `grid_sampler(): expected grid and input to have same batch size, but got input with sizes ${fmtShape(input.shape)} and grid with sizes ${fmtShape(grid.shape)}`,
    );
  if (grid.shape[3] !== 2)
    throw new RangeError(
      `grid_sampler(): expected grid to have size 2 in last dimension, but got grid with sizes ${fmtShape(grid.shape)}`,
    );
  if (H <= 0 || W <= 0)
    throw new RangeError(
      `grid_sampler(): expected input to have non-empty spatial dimensions, but input has sizes ${fmtShape(input.shape)} with dimension 2 being empty`,
    );
  const x = sourceCoord(select(grid, 3, 0), W, padding, align);
  const y = sourceCoord(select(grid, 3, 1), H, padding, align);
  if (mode === "nearest") return readPixels(input, round(detach(x)), round(detach(y)));
  const x0 = floor(detach(x));
  const y0 = floor(detach(y));
  const x1 = add(x0, 1);
  const y1 = add(y0, 1);
  // weights: e/w along x (west, east), n/s along y; unsqueezed over channels
  const wE = unsqueeze(sub(x, x0), 1);
  const wW = unsqueeze(sub(x1, x), 1);
  const wS = unsqueeze(sub(y, y0), 1);
  const wN = unsqueeze(sub(y1, y), 1);
  const nw = mul(readPixels(input, x0, y0), mul(wN, wW));
  const ne = mul(readPixels(input, x1, y0), mul(wN, wE));
  const sw = mul(readPixels(input, x0, y1), mul(wS, wW));
  const se = mul(readPixels(input, x1, y1), mul(wS, wE));
  return add(add(add(nw, ne), sw), se);
}
