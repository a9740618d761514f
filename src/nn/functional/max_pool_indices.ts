// The `max_pool_indices` primitive: max pooling's argmax per window, from the backend's
// `maxPoolIndices` kernel (one pass over the input). It has no gradient: pooling gathers the values at these indices, and the gather carries it.

import type { PoolGeometry } from "../../backend.js";
import type { Tensor } from "../../tensor.js";
import { apply, type Prim } from "../../ops/prim.js";

const maxPoolIndicesPrim: Prim<PoolGeometry & { out: readonly number[] }> = {
  name: "max_pool_indices",
  overwrites: true,
  infer: (inputs, p) => ({ shape: [inputs[0]!.shape[0]!, ...p.out], dtype: "int64" }),
  run(k, [x], out, p) {
    k.maxPoolIndices(x!, out, p);
  },
  grad: null,
};

/**
 * For planes x (M, *spatial): the flat spatial index of each window's first maximum (M, *out), int64.
 */
export function maxPoolIndices(x: Tensor, g: PoolGeometry, out: readonly number[]): Tensor {
  return apply(maxPoolIndicesPrim, [x], { ...g, out });
}
