// Flatten and Unflatten: reshape layers (views where possible), as nn.Flatten / nn.Unflatten.

import type { Tensor } from "../../tensor.js";
import { flatten, unflatten } from "../../ops/views.js";
import { Module } from "../module.js";
import { pyValue } from "./pyrepr.js";

/** Flatten dims startDim..endDim into one (default: all but the batch dim) (`nn.Flatten`). */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;
  constructor(startDim = 1, endDim = -1) {
    super();
    this.startDim = startDim;
    this.endDim = endDim;
  }
  override forward(input: Tensor): Tensor {
    return flatten(input, this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/** Expand dim `dim` into `unflattenedSize` (one entry may be -1) (`nn.Unflatten`). */
export class Unflatten extends Module {
  readonly dim: number;
  readonly unflattenedSize: readonly number[];
  constructor(dim: number, unflattenedSize: readonly number[]) {
    super();
    if (!Array.isArray(unflattenedSize) || unflattenedSize.some((s) => !Number.isInteger(s)))
      throw new TypeError(`Unflatten: unflattened_size must be an array of integers, got ${String(unflattenedSize)}`);
    this.dim = dim;
    this.unflattenedSize = [...unflattenedSize];
  }
  override forward(input: Tensor): Tensor {
    return unflatten(input, this.dim, [...this.unflattenedSize]);
  }
  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${pyValue(this.unflattenedSize)}`;
  }
}
