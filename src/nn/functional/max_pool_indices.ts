// The max-pooling primitives: `max_pool_indices`, max pooling's argmax per window from the backend's
// `maxPoolIndices` kernel (one pass over the input), and `max_pool_values`, the windows' maxima from
// its optional `maxPoolValues` kernel. Neither has a gradient: where one is needed, pooling gathers
// the values at the indices, and the gather carries it (./pooling.ts).

import type { PoolGeometry } from "../../backend.js";
import type { Tensor } from "../../tensor.js";
import { apply, type Prim } from "../../ops/prim.js";

type PoolParams = PoolGeometry & { out: readonly number[] };

const maxPoolIndicesPrim: Prim<PoolParams> = {
  name: "max_pool_indices",
  overwrites: true,
  infer: (inputs, p) => ({ shape: [inputs[0]!.shape[0]!, ...p.out], dtype: "int64" }),
  run(k, [x], out, p) {
    k.maxPoolIndices(x!, out, p);
  },
  grad: null,
};

const maxPoolValuesPrim: Prim<PoolParams> = {
  name: "max_pool_values",
  overwrites: true,
  infer: (inputs, p) => ({ shape: [inputs[0]!.shape[0]!, ...p.out], dtype: inputs[0]!.dtype }),
  run(k, [x], out, p) {
    k.maxPoolValues!(x!, out, p);
  },
  grad: null,
};

/**
 * For planes x (M, *spatial): the flat spatial index of each window's first maximum (M, *out), int64.
 */
export function maxPoolIndices(x: Tensor, g: PoolGeometry, out: readonly number[]): Tensor {
  return apply(maxPoolIndicesPrim, [x], { ...g, out });
}

/**
 * For planes x (M, *spatial) on a backend with the `maxPoolValues` kernel: each window's maximum
 * (M, *out), without a gradient.
 */
export function maxPoolValues(x: Tensor, g: PoolGeometry, out: readonly number[]): Tensor {
  return apply(maxPoolValuesPrim, [x], { ...g, out });
}
