// Small tensors the op layer makes for itself: wrapped scalars and zero/one fills.

import { getBackend } from "../backend.js";
import { allocArray, castValue, type DType } from "../dtype.js";
import { contiguousStrides, numel, type Shape } from "../shape.js";
import { Tensor } from "../tensor.js";

/**
 * A JS number or boolean as a 0-dim "wrapped number" tensor: booleans are bool, integers int64, other
 * numbers float64 (exact), and type promotion treats them as Python scalars.
 */
export function scalarTensor(x: number | boolean, device: string): Tensor {
  const dtype: DType = typeof x === "boolean" ? "bool" : Number.isInteger(x) ? "int64" : "float64";
  const t = filled([], Number(x), dtype, device);
  t._wrapped = true;
  wrappedValues.set(t, Number(x));
  return t;
}

/** The JS values of wrapped-number tensors, so ops can use them without reading the device. */
const wrappedValues = new WeakMap<Tensor, number>();

/** The JS number a wrapped-number tensor was made from (undefined for other tensors). */
export function wrappedValue(t: Tensor): number | undefined {
  return t._wrapped ? wrappedValues.get(t) : undefined;
}

/** A new contiguous tensor of `shape` with every element `value`. */
export function filled(shape: Shape, value: number, dtype: DType, device: string): Tensor {
  const data = allocArray(dtype, numel(shape));
  if (value !== 0) data.fill(castValue(value, dtype));
  const storage = getBackend(device).fromArray(dtype, data);
  return new Tensor(storage, [...shape], contiguousStrides(shape), 0, dtype);
}
