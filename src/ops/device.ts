// Moving tensors between devices; the gradient moves back.

import { getBackend } from "../backend.js";
import { Tensor } from "../tensor.js";
import { isGradEnabled } from "../autograd/gradmode.js";
import { gradEdge, Node } from "../autograd/node.js";

class ToDeviceNode extends Node {
  constructor(
    input: Tensor,
    private readonly source: string,
  ) {
    super();
    this.next = [gradEdge(input)];
  }
  name(): string {
    return "ToCopyBackward0";
  }
  apply([g]: (Tensor | null)[]): (Tensor | null)[] {
    return [g ? copyToDevice(g, this.source) : null];
  }
}

/** The tensor on `device` (itself when already there); differentiable. */
export function copyToDevice(x: Tensor, device: string): Tensor {
  const target = getBackend(device);
  if (target.device === x.device) return x;
  const out = new Tensor(target.fromArray(x.dtype, x.dataSync()), [...x.shape]);
  if (isGradEnabled() && x.requiresGrad) out.gradFn = new ToDeviceNode(x, x.device);
  return out;
}
