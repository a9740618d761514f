// Resampling layers: Upsample (nearest, bilinear, ...) and PixelShuffle / PixelUnshuffle. Settings only;
// the computation is in nn/functional/upsample.ts.

import { Module } from "../module.js";
import type { Tensor } from "../../tensor.js";
import {
  interpolate,
  pixelShuffle,
  pixelUnshuffle,
  type InterpolateMode,
  type InterpolateOptions,
} from "../functional/upsample.js";
import { pyFloat, pyValue } from "./pyrepr.js";

/** Resample the spatial dims to a size or by a scale factor (`nn.Upsample`). */
export class Upsample extends Module {
  readonly size: number | number[] | null;
  readonly scaleFactor: number | number[] | null;
  readonly mode: InterpolateMode;
  readonly alignCorners: boolean | null;
  readonly recomputeScaleFactor: boolean | null;
  constructor(opts: InterpolateOptions = {}) {
    super();
    const { size, scaleFactor } = opts;
    this.size = size === undefined || size === null ? null : typeof size === "number" ? size : [...size];
    this.scaleFactor =
      scaleFactor === undefined || scaleFactor === null
        ? null
        : typeof scaleFactor === "number"
          ? scaleFactor
          : [...scaleFactor];
    this.mode = opts.mode ?? "nearest";
    this.alignCorners = opts.alignCorners ?? null;
    this.recomputeScaleFactor = opts.recomputeScaleFactor ?? null;
  }
  override forward(input: Tensor): Tensor {
    return interpolate(input, {
      size: this.size,
      scaleFactor: this.scaleFactor,
      mode: this.mode,
      alignCorners: this.alignCorners,
      recomputeScaleFactor: this.recomputeScaleFactor,
    });
  }
  override extraRepr(): string {
    const sf = this.scaleFactor;
    const info =
      sf !== null
        ? `scale_factor=${typeof sf === "number" ? pyFloat(sf) : sf.length === 1 ? `(${pyFloat(sf[0]!)},)` : `(${sf.map(pyFloat).join(", ")})`}`
        : `size=${pyValue(this.size)}`;
    return `${info}, mode=${this.mode}`;
  }
}

/** (*, C * r^2, H, W) -> (*, C, H * r, W * r) (`nn.PixelShuffle`). */
export class PixelShuffle extends Module {
  constructor(readonly upscaleFactor: number) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return pixelShuffle(input, this.upscaleFactor);
  }
  override extraRepr(): string {
    return `upscale_factor=${this.upscaleFactor}`;
  }
}

/** (*, C, H * r, W * r) -> (*, C * r^2, H, W) (`nn.PixelUnshuffle`). */
export class PixelUnshuffle extends Module {
  constructor(readonly downscaleFactor: number) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return pixelUnshuffle(input, this.downscaleFactor);
  }
  override extraRepr(): string {
    return `downscale_factor=${this.downscaleFactor}`;
  }
}
