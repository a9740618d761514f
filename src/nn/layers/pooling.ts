// Pooling layers: MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool1d/2d, AdaptiveMaxPool1d/2d. They hold
// settings only (no parameters); the computation is in nn/functional/pooling.ts.

import { Module } from "../module.js";
import type { Tensor } from "../../tensor.js";
import type { IntOrList } from "../functional/conv.js";
import {
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  avgPool1d,
  avgPool2d,
  maxPool1d,
  maxPool2d,
  type AdaptiveSize,
  type ValuesIndices,
} from "../functional/pooling.js";
import { pyBool, pyValue } from "./pyrepr.js";

/** Options of MaxPool1d/2d (PyTorch's arguments after `kernel_size`). */
export interface MaxPoolLayerOptions {
  /** Default: the kernel size. */
  stride?: IntOrList | null;
  padding?: IntOrList;
  dilation?: IntOrList;
  /** Also return the index of each maximum (forward gives [values, indices]). */
  returnIndices?: boolean;
  ceilMode?: boolean;
}

/** Options of AvgPool1d/2d. */
export interface AvgPoolLayerOptions {
  stride?: IntOrList | null;
  padding?: IntOrList;
  ceilMode?: boolean;
  countIncludePad?: boolean;
  /** AvgPool2d only: divide every window sum by this. */
  divisorOverride?: number | null;
}

/** What a max pooling layer returns: values, or [values, indices] when built with returnIndices: true. */
export type PoolResult<R extends boolean> = R extends true ? ValuesIndices : Tensor;

const one = (v: IntOrList): number[] => (typeof v === "number" ? [v] : [...v]);

/** Max pooling layer state (PyTorch's `_MaxPoolNd`). */
abstract class MaxPoolNd extends Module {
  readonly kernelSize: IntOrList;
  readonly stride: IntOrList;
  readonly padding: IntOrList;
  readonly dilation: IntOrList;
  readonly returnIndices: boolean;
  readonly ceilMode: boolean;
  constructor(kernelSize: IntOrList, o: MaxPoolLayerOptions) {
    super();
    this.kernelSize = kernelSize;
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.returnIndices = o.returnIndices ?? false;
    this.ceilMode = o.ceilMode ?? false;
  }
  protected get opts() {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
  }
  override extraRepr(): string {
    const f = (v: IntOrList) => (typeof v === "number" ? String(v) : pyValue(v));
    return `kernel_size=${f(this.kernelSize)}, stride=${f(this.stride)}, padding=${f(this.padding)}, dilation=${f(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/** 1-D max pooling over (N, C, L) or (C, L) (`nn.MaxPool1d`); with returnIndices, forward gives [values, indices]. */
export class MaxPool1d<R extends boolean = false> extends MaxPoolNd {
  constructor(kernelSize: IntOrList, opts: MaxPoolLayerOptions & { returnIndices?: R } = {}) {
    super(kernelSize, opts);
  }
  override forward(input: Tensor): PoolResult<R> {
    return (
      this.returnIndices
        ? maxPool1d(input, this.kernelSize, { ...this.opts, returnIndices: true })
        : maxPool1d(input, this.kernelSize, this.opts)
    ) as PoolResult<R>;
  }
}
/** 2-D max pooling over (N, C, H, W) or (C, H, W) (`nn.MaxPool2d`); with returnIndices, forward gives [values, indices]. */
export class MaxPool2d<R extends boolean = false> extends MaxPoolNd {
  constructor(kernelSize: IntOrList, opts: MaxPoolLayerOptions & { returnIndices?: R } = {}) {
    super(kernelSize, opts);
  }
  override forward(input: Tensor): PoolResult<R> {
    return (
      this.returnIndices
        ? maxPool2d(input, this.kernelSize, { ...this.opts, returnIndices: true })
        : maxPool2d(input, this.kernelSize, this.opts)
    ) as PoolResult<R>;
  }
}

/** 1-D average pooling over (N, C, L) or (C, L) (`nn.AvgPool1d`). */
export class AvgPool1d extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  constructor(kernelSize: IntOrList, opts: Omit<AvgPoolLayerOptions, "divisorOverride"> = {}) {
    super();
    this.kernelSize = one(kernelSize);
    this.stride = one(opts.stride ?? kernelSize);
    this.padding = one(opts.padding ?? 0);
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
  }
  override forward(input: Tensor): Tensor {
    return avgPool1d(input, this.kernelSize, {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
    });
  }
  override extraRepr(): string {
    return `kernel_size=${pyValue(this.kernelSize)}, stride=${pyValue(this.stride)}, padding=${pyValue(this.padding)}`;
  }
}

/** 2-D average pooling over (N, C, H, W) or (C, H, W) (`nn.AvgPool2d`). */
export class AvgPool2d extends Module {
  readonly kernelSize: IntOrList;
  readonly stride: IntOrList;
  readonly padding: IntOrList;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;
  constructor(kernelSize: IntOrList, opts: AvgPoolLayerOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.stride = opts.stride ?? kernelSize;
    this.padding = opts.padding ?? 0;
    this.ceilMode = opts.ceilMode ?? false;
    this.countIncludePad = opts.countIncludePad ?? true;
    this.divisorOverride = opts.divisorOverride ?? null;
  }
  override forward(input: Tensor): Tensor {
    return avgPool2d(input, this.kernelSize, {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    });
  }
  override extraRepr(): string {
    const f = (v: IntOrList) => (typeof v === "number" ? String(v) : pyValue(v));
    return `kernel_size=${f(this.kernelSize)}, stride=${f(this.stride)}, padding=${f(this.padding)}`;
  }
}

/** Adaptive pooling layer state: the output size. */
abstract class AdaptivePool extends Module {
  /** An int for every dim, or one per dim (null keeps the input's size). */
  readonly outputSize: AdaptiveSize;
  constructor(outputSize: AdaptiveSize) {
    super();
    this.outputSize = outputSize;
  }
  override extraRepr(): string {
    const o = this.outputSize;
    return `output_size=${pyValue(o)}`;
  }
}

/** 1-D adaptive average pooling to `outputSize` positions (`nn.AdaptiveAvgPool1d`). */
export class AdaptiveAvgPool1d extends AdaptivePool {
  override forward(input: Tensor): Tensor {
    return adaptiveAvgPool1d(input, this.outputSize);
  }
}
/** 2-D adaptive average pooling to `outputSize` (int or [h, w], null keeps a size) (`nn.AdaptiveAvgPool2d`). */
export class AdaptiveAvgPool2d extends AdaptivePool {
  override forward(input: Tensor): Tensor {
    return adaptiveAvgPool2d(input, this.outputSize);
  }
}

/** Adaptive max pooling state: output size and whether indices are returned. */
abstract class AdaptiveMaxPool extends AdaptivePool {
  readonly returnIndices: boolean;
  constructor(outputSize: AdaptiveSize, returnIndices: boolean) {
    super(outputSize);
    this.returnIndices = returnIndices;
  }
}
/** 1-D adaptive max pooling (`nn.AdaptiveMaxPool1d`); with returnIndices, forward gives [values, indices]. */
export class AdaptiveMaxPool1d<R extends boolean = false> extends AdaptiveMaxPool {
  constructor(outputSize: AdaptiveSize, opts: { returnIndices?: R } = {}) {
    super(outputSize, opts.returnIndices ?? false);
  }
  override forward(input: Tensor): PoolResult<R> {
    return (
      this.returnIndices
        ? adaptiveMaxPool1d(input, this.outputSize, { returnIndices: true })
        : adaptiveMaxPool1d(input, this.outputSize)
    ) as PoolResult<R>;
  }
}
/** 2-D adaptive max pooling (`nn.AdaptiveMaxPool2d`); with returnIndices, forward gives [values, indices]. */
export class AdaptiveMaxPool2d<R extends boolean = false> extends AdaptiveMaxPool {
  constructor(outputSize: AdaptiveSize, opts: { returnIndices?: R } = {}) {
    super(outputSize, opts.returnIndices ?? false);
  }
  override forward(input: Tensor): PoolResult<R> {
    return (
      this.returnIndices
        ? adaptiveMaxPool2d(input, this.outputSize, { returnIndices: true })
        : adaptiveMaxPool2d(input, this.outputSize)
    ) as PoolResult<R>;
  }
}
