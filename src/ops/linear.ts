// The linear layer's product as one primitive: y = x W^T + b for a matrix x (M, K), weight W (N, K)
// and optional bias b (N). One output tensor and one autograd node instead of a transpose, a product
// and a bias add, whose JS bookkeeping is most of a small layer's time (batch-1 inference). The kernel
// is the backend's matmul of x with W's transposed view, then b added in place to the fresh output,
// as the convolution primitive adds its bias. Callers check shapes and dtypes first (F.linear).

import type { View } from "../backend.js";
import type { Tensor } from "../tensor.js";
import { apply, type Prim } from "./prim.js";
import { binaryPrims } from "./elementwise.js";
import { matmul } from "./linalg.js";
import { sum } from "./reduce.js";
import { mT } from "./views.js";

/** (K, N) view of a weight (N, K): its transpose, without a copy. */
function transposedView(w: View): View {
  return { ...w, shape: [w.shape[1]!, w.shape[0]!], strides: [w.strides[1]!, w.strides[0]!] };
}

const linearPrim: Prim<Record<string, never>> = {
  name: "addmm",
  saves: { inputs: [0, 1] },
  overwrites: true,
  infer: ([x, w]) => ({ shape: [x!.shape[0]!, w!.shape[0]!], dtype: x!.dtype }),
  run(k, [x, w, b], out) {
    k.matmul(x!, transposedView(w!), out);
    // out += b in place, b (N) broadcast along the rows
    if (b) binaryPrims.add.run!(k, [out, { ...b, shape: out.shape, strides: [0, b.strides[0]!] }], out, [1]);
  },
  // dx = g W, dW = g^T x (contiguous (N, K), the weight's layout), db = g summed over the rows
  grad: (g, { inputs: [x, w], needs }) => [
    needs[0] ? matmul(g, w!) : null,
    needs[1] ? matmul(mT(g), x!) : null,
    needs[2] ? sum(g, [0]) : null,
  ],
};

/**
 * x (M, K) @ w^T (+ b) for w (N, K), b (N), all of one floating dtype on one device (the caller
 * checks): the product of `F.linear` on a matrix.
 */
export function linearMatrix(x: Tensor, w: Tensor, b?: Tensor | null): Tensor {
  return apply(linearPrim, b ? [x, w, b] : [x, w], {});
}
