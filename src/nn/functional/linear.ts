// nn.functional linear maps: linear (x W^T + b: the linear primitive of src/ops/linear.ts for float
// operands alike in dtype and device, else a composition) and bilinear (x1^T A x2 + b), as
// compositions of matmul and elementwise ops. Not here: the Linear/Bilinear layers and their init (nn/layers/linear.ts).

import type { Tensor } from "../../tensor.js";
import { fmtShape, numel } from "../../shape.js";
import { add, mul } from "../../ops/elementwise.js";
import { matmul } from "../../ops/linalg.js";
import { linearMatrix } from "../../ops/linear.js";
import { isFloating } from "../../dtype.js";
import { sum } from "../../ops/reduce.js";
import { permute, reshape, t, unsqueeze } from "../../ops/views.js";

/** y = x W^T + b, for x of shape (..., in) and W of shape (out, in) (`F.linear`). */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (weight.ndim > 2) throw new RangeError(`linear(): weight must be 1-D or 2-D, got shape ${fmtShape(weight.shape)}`);
  const last = x.shape[x.ndim - 1];
  const inF = weight.shape[weight.ndim - 1];
  if (x.ndim === 0 || last !== inF)
    throw new RangeError(
      `linear(): mat1 and mat2 shapes cannot be multiplied (input ${fmtShape(x.shape)} and weight ${fmtShape(weight.shape)}: the last dim of the input must be in_features = ${inF})`,
    );
  if (oneProduct(x, weight, bias)) {
    // (..., K) as rows of one matrix: a view where x's batch dims merge
    const rows = x.ndim === 2 ? x : reshape(x, [numel(x.shape.slice(0, -1)), inF!]);
    const y = linearMatrix(rows, weight, bias);
    return x.ndim === 2 ? y : reshape(y, [...x.shape.slice(0, -1), weight.shape[0]!]);
  }
  const y = matmul(x, weight.ndim === 2 ? t(weight) : weight);
  if (!bias) return y;
  const out = add(y, bias);
  // y is seen by no one else (matmul saves its inputs, add saves nothing): on the CPU its memory goes
  // straight back to the storage cache for the next step instead of waiting for the garbage collector
  if (y.device === "cpu") y.dispose();
  return out;
}

/** Whether the linear primitive takes x, weight and bias: float matrices (x of 2+ dims) alike in dtype and device. */
function oneProduct(x: Tensor, weight: Tensor, bias?: Tensor | null): boolean {
  const alike = (u: Tensor) => u.dtype === x.dtype && u.device === x.device;
  return (
    x.ndim >= 2 &&
    weight.ndim === 2 &&
    isFloating(x.dtype) &&
    alike(weight) &&
    (!bias || (bias.ndim === 1 && bias.shape[0] === weight.shape[0] && alike(bias)))
  );
}

/**
 * y_k = x1^T A_k x2 + b_k for x1 (..., in1), x2 (..., in2), weight A (out, in1, in2), bias (out)
 * (`F.bilinear`).
 */
export function bilinear(x1: Tensor, x2: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (weight.ndim !== 3)
    throw new RangeError(`bilinear(): weight must be 3-D (out, in1, in2), got shape ${fmtShape(weight.shape)}`);
  const [outF, in1, in2] = weight.shape as [number, number, number];
  if (x1.ndim !== x2.ndim)
    throw new RangeError(`bilinear(): input dimensions do not match: got ${x1.ndim} and ${x2.ndim}`);
  if (x1.shape.slice(0, -1).some((s, i) => s !== x2.shape[i]))
    throw new RangeError(
      `bilinear(): input batch dimensions do not match: got ${fmtShape(x1.shape.slice(0, -1))} and ${fmtShape(x2.shape.slice(0, -1))}`,
    );
  if (x1.shape[x1.ndim - 1] !== in1)
    throw new RangeError(
      `bilinear(): input1 size does not match weight size: got ${x1.shape[x1.ndim - 1]} but expected ${in1}`,
    );
  if (x2.shape[x2.ndim - 1] !== in2)
    throw new RangeError(
      `bilinear(): input2 size does not match weight size: got ${x2.shape[x2.ndim - 1]} but expected ${in2}`,
    );
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF))
    throw new RangeError(
      `bilinear(): bias size does not match weight size: got ${fmtShape(bias.shape)} but expected [${outF}]`,
    );
  const batch = x1.shape.slice(0, -1);
  const a = reshape(x1, [-1, in1]); // (B, in1)
  const b = reshape(x2, [-1, in2]); // (B, in2)
  const w = reshape(permute(weight, [1, 0, 2]), [in1, outF * in2]); // (in1, out * in2)
  const aw = reshape(matmul(a, w), [-1, outF, in2]); // (B, out, in2)
  let y = sum(mul(aw, unsqueeze(b, 1)), 2); // (B, out)
  if (bias) y = add(y, bias);
  return reshape(y, [...batch, outF]);
}
