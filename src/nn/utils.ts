// torch.nn.utils: gradient clipping (clipGradNorm_, clipGradValue_) and flattening parameters to one
// vector and back (parametersToVector, vectorToParameters), following torch/nn/utils in PyTorch 1.13.

import { Tensor } from "../tensor.js";
import { noGrad } from "../autograd/gradmode.js";
import { tensor } from "../ops/creation.js";
import { add, clampMax, div, isinf, isnan, logicalOr } from "../ops/elementwise.js";
import { amax, norm } from "../ops/reduce.js";
import { cat, stack } from "../ops/shape_ops.js";

/** Packed and padded sequences for the recurrent layers (`nn.utils.rnn`). */
export * as rnn from "./rnn_utils.js";

function asList(parameters: Tensor | Iterable<Tensor>): Tensor[] {
  return parameters instanceof Tensor ? [parameters] : [...parameters];
}

/**
 * Scale the gradients of `parameters` in place so that their total `normType`-norm (over all
 * gradients together; Infinity for the max-norm) is at most `maxNorm`. Returns the total norm before
 * clipping (`clip_grad_norm_`); parameters without a gradient are skipped.
 */
export function clipGradNorm_(
  parameters: Tensor | Iterable<Tensor>,
  maxNorm: number,
  normType = 2,
  opts: { errorIfNonfinite?: boolean } = {},
): Tensor {
  const grads = asList(parameters)
    .map((p) => p.grad)
    .filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return tensor(0.0);
  return noGrad(() => {
    const device = grads[0]!.device;
    let total: Tensor;
    if (normType === Infinity) {
      const norms = grads.map((g) => amax(g.detach().abs()).to(device));
      total = norms.length === 1 ? norms[0]! : amax(stack(norms));
    } else total = norm(stack(grads.map((g) => norm(g.detach(), normType).to(device))), normType);
    if (opts.errorIfNonfinite && logicalOr(isnan(total), isinf(total)).item())
      throw new Error(
        `clipGradNorm_(): The total norm of order ${normType} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set errorIfNonfinite: false`,
      );
    // multiply by the coefficient clamped to 1 even when it is 1: no host sync needed on a device
    const coef = clampMax(div(maxNorm, add(total, 1e-6)), 1);
    for (const g of grads) g.mul_(coef.to(g.device));
    return total;
  });
}

/** Clamp every gradient of `parameters` in place into [-clipValue, clipValue] (`clip_grad_value_`). */
export function clipGradValue_(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  noGrad(() => {
    for (const p of asList(parameters)) if (p.grad) p.grad.clamp_(-clipValue, clipValue);
  });
}

function checkSameDevice(params: Tensor[]): void {
  const dev = params[0]?.device;
  for (const p of params)
    if (p.device !== dev)
      throw new TypeError(
        `Found two parameters on different devices, this is currently not supported (${dev} and ${p.device}).`,
      );
}

/** All parameters flattened and concatenated into one vector (differentiable) (`parameters_to_vector`). */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  const params = [...parameters];
  checkSameDevice(params);
  return cat(params.map((p) => p.reshape([-1])));
}

/**
 * Copy consecutive slices of `vec` into the parameters (in place, without recording), the inverse of
 * parametersToVector (`vector_to_parameters`). PyTorch rebinds each `param.data` to a view of `vec`;
 * torchts copies the values, so the parameters keep their own storage.
 */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  if (!(vec instanceof Tensor))
    throw new TypeError(`vectorToParameters(): expected torch.Tensor, but got: ${typeof vec}`);
  const params = [...parameters];
  checkSameDevice(params);
  const total = params.reduce((n, p) => n + p.numel(), 0);
  if (vec.ndim !== 1 || vec.shape[0] !== total)
    throw new RangeError(
      `vectorToParameters(): expected a vector of ${total} elements, got shape [${vec.shape.join(", ")}]`,
    );
  noGrad(() => {
    let offset = 0;
    for (const p of params) {
      const n = p.numel();
      p.copy_(vec.narrow(0, offset, n).reshape([...p.shape]));
      offset += n;
    }
  });
}
