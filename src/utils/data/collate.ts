// default collate: turns a list of samples into a batch, like PyTorch's default_collate.

import { Tensor } from "../../tensor.js";
import { stack } from "../../ops/shape_ops.js";
import { tensor } from "../../ops/creation.js";

/**
 * Tensors are stacked; numbers become a tensor (integers int64, others float64, as Python floats
 * do); booleans a bool tensor; arrays and objects are collated position by position / key by key;
 * strings are kept as a list.
 */
export function defaultCollate(batch: unknown[]): unknown {
  const first = batch[0];
  if (first instanceof Tensor) return stack(batch as Tensor[]);
  if (typeof first === "number") {
    const nums = batch as number[];
    return tensor(Float64Array.from(nums), { dtype: nums.every(Number.isInteger) ? "int64" : "float64" });
  }
  if (typeof first === "boolean") return tensor(batch as boolean[]);
  if (typeof first === "string") return batch;
  if (Array.isArray(first)) {
    const n = first.length;
    if (!batch.every((b) => Array.isArray(b) && b.length === n))
      throw new RangeError("defaultCollate(): each element in list of batch should be of equal size");
    return first.map((_, i) => defaultCollate(batch.map((b) => (b as unknown[])[i])));
  }
  if (first !== null && typeof first === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(first)) out[k] = defaultCollate(batch.map((b) => (b as Record<string, unknown>)[k]));
    return out;
  }
  throw new TypeError(
    `defaultCollate(): batch must contain tensors, numbers, booleans, strings, arrays or objects; found ${typeof first}`,
  );
}
