// default collate: turns a list of samples into a batch, like PyTorch's default_collate.

import { Tensor } from "../../tensor.js";
import { stack } from "../../ops/shape_ops.js";
import { tensor } from "../../ops/creation.js";
import type { TypedArray } from "../../dtype.js";

/**
 * Turn a list of samples into a batch, as PyTorch's `default_collate`: tensors are stacked (a new
 * first dim); numbers become a tensor, int64 when all are integers and float64 otherwise (Python's
 * int and float; JS cannot tell `2.0` from `2`, so a batch of whole numbers is int64); booleans a
 * bool tensor; bigints int64; typed arrays are stacked as tensors; arrays are collated position by
 * position and plain objects key by key; strings stay a list.
 */
export function defaultCollate(batch: unknown[]): unknown {
  if (!Array.isArray(batch) || batch.length === 0)
    throw new TypeError("defaultCollate(): expected a non-empty array of samples");
  const first = batch[0];
  const same = (pred: (v: unknown) => boolean, what: string) => {
    const i = batch.findIndex((v) => !pred(v));
    if (i >= 0)
      throw new TypeError(
        `defaultCollate(): sample 0 is ${what} but sample ${i} is ${batch[i] === null ? "null" : typeof batch[i]}`,
      );
  };
  if (first instanceof Tensor) {
    same((v) => v instanceof Tensor, "a Tensor");
    return stack(batch as Tensor[]);
  }
  if (typeof first === "number") {
    same((v) => typeof v === "number", "a number");
    const nums = batch as number[];
    return tensor(Float64Array.from(nums), { dtype: nums.every(Number.isInteger) ? "int64" : "float64" });
  }
  if (typeof first === "bigint") {
    same((v) => typeof v === "bigint", "a bigint");
    return tensor(Float64Array.from(batch as bigint[], Number), { dtype: "int64" });
  }
  if (typeof first === "boolean") {
    same((v) => typeof v === "boolean", "a boolean");
    return tensor(batch as boolean[]);
  }
  if (typeof first === "string") return batch;
  if (ArrayBuffer.isView(first) && !(first instanceof DataView)) {
    same((v) => ArrayBuffer.isView(v), "a typed array");
    return stack((batch as TypedArray[]).map((a) => tensor(a)));
  }
  if (Array.isArray(first)) {
    const n = first.length;
    if (!batch.every((b) => Array.isArray(b) && b.length === n))
      throw new RangeError("defaultCollate(): each element in list of batch should be of equal size");
    return first.map((_, i) => defaultCollate(batch.map((b) => (b as unknown[])[i])));
  }
  if (first !== null && typeof first === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(first)) {
      const i = batch.findIndex((b) => b === null || typeof b !== "object" || !(k in b));
      if (i >= 0) throw new TypeError(`defaultCollate(): sample ${i} has no key '${k}' (sample 0 has)`);
      out[k] = defaultCollate(batch.map((b) => (b as Record<string, unknown>)[k]));
    }
    return out;
  }
  throw new TypeError(
    `defaultCollate(): batch must contain tensors, numbers, booleans, strings, typed arrays, arrays or objects; found ${first === null ? "null" : typeof first}`,
  );
}
