// THE op table: every primitive, by name. Backends implement the kernels these primitives run, the
// tracer reads their shape/dtype rules, and the op coverage list in docs/ops.md is generated from it.

import type { Prim } from "./prim.js";
import { binaryPrims, castPrim, clonePrim, lerpPrim, unaryPrims, wherePrim } from "./elementwise.js";
import { viewPrims, viewScatterPrim } from "./views.js";
import { argPrims, evenlyPrim, normPrim, reducePrims, scanPrims } from "./reduce.js";
import { gatherPrim, scatterPrim } from "./indexing.js";
import { sortPrim } from "./sort.js";
import { catPrim, constantPadPrim, flipPrim } from "./shape_ops.js";
import { matmulPrim } from "./linalg.js";
import { convPrim } from "./conv.js";

/** All primitives. A new primitive needs a written reason (see docs/DESIGN). */
export const prims = {
  ...unaryPrims,
  ...binaryPrims,
  where: wherePrim,
  lerp: lerpPrim,
  to_copy: castPrim,
  clone: clonePrim,
  ...viewPrims,
  as_strided_scatter: viewScatterPrim,
  ...reducePrims,
  ...argPrims,
  norm: normPrim,
  evenly_distribute: evenlyPrim,
  ...scanPrims,
  gather: gatherPrim,
  scatter: scatterPrim,
  sort: sortPrim,
  cat: catPrim,
  flip: flipPrim,
  constant_pad_nd: constantPadPrim,
  mm: matmulPrim,
  convolution: convPrim,
} satisfies Record<string, Prim<never>>;

/** Names of all primitives. */
export type PrimName = keyof typeof prims;
