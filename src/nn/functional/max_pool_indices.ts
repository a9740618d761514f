// The `max_pool_indices` primitive: max pooling's argmax per window, from the backend's optional
// `maxPoolIndices` kernel (one pass over the input instead of a window copy, an argmax and a table
// gather). It has no gradient: pooling gathers the values at these indices, and the gather carries it.

import type { PoolGeometry } from "../../backend.js";
import type { Tensor } from "../../tensor.js";
import { apply, type Prim } from "../../ops/prim.js";

const maxPoolIndicesPrim: Prim<PoolGeometry & { out: readonly number[] }> = {
  name: "max_pool_indices",
  overwrites: true,
  infer: (inputs, p) => ({ shape: [inputs[0]!.shape[0]!, ...p.out], dtype: "int64" }),
  run(k, [x], out, p) {
    k.maxPoolIndices!(x!, out, p);
  },
  grad: null,
};

/** Whether `x`'s backend computes max pooling's indices natively (float32 / float64 inputs). */
export function hasMaxPoolIndices(x: Tensor): boolean {
  return !!x.backend.kernels.maxPoolIndices && (x.dtype === "float32" || x.dtype === "float64");
}

/**
 * For planes x (M, *spatial): the flat spatial index of each window's first maximum (M, *out), int64.
 * Call only where `hasMaxPoolIndices(x)`.
 */
export function maxPoolIndices(x: Tensor, g: PoolGeometry, out: readonly number[]): Tensor {
  return apply(maxPoolIndicesPrim, [x], { ...g, out });
}
