// Async forms of the ops whose result SHAPE depends on tensor values: nonzero, where(cond),
// maskedSelect, x.index(boolMask), unique, uniqueConsecutive, repeatInterleave(tensor), bincount.
// They work on every device: the values they need are read with `await` (withHostValues), then the
// synchronous op runs unchanged, so results, errors and autograd are the same (masked select and
// bool-mask indexing stay differentiable: the indices are found on the host, the gather runs on the
// device). On webgpu the synchronous forms raise an error naming these.

import { Tensor } from "../tensor.js";
import { withHostValues } from "./host_values.js";
import { index, maskedSelect, nonzero, type IndexItem } from "./indexing.js";
import { bincount, unique, uniqueConsecutive, type UniqueOptions } from "./host_ops.js";
import { repeatInterleave } from "./shape_ops.js";

/** `nonzero(x)` for every device (webgpu included); `asTuple` gives one 1-D tensor per dim. */
export function nonzeroAsync(x: Tensor): Promise<Tensor>;
export function nonzeroAsync(x: Tensor, opts: { asTuple: true }): Promise<Tensor[]>;
export function nonzeroAsync(x: Tensor, opts: { asTuple?: boolean } = {}): Promise<Tensor | Tensor[]> {
  return withHostValues([x], () => (opts.asTuple ? nonzero(x, { asTuple: true }) : nonzero(x)));
}

/** `where(cond)` (one argument: the indices of cond's nonzero elements per dim) for every device. */
export function whereAsync(cond: Tensor): Promise<Tensor[]> {
  return nonzeroAsync(cond, { asTuple: true });
}

/** `maskedSelect(x, mask)` for every device; differentiable in x like the synchronous form. */
export function maskedSelectAsync(x: Tensor, mask: Tensor): Promise<Tensor> {
  return withHostValues([mask], () => maskedSelect(x, mask));
}

/** `x.index(...items)` for every device: needed on webgpu when an item is a bool mask tensor. */
export function indexAsync(x: Tensor, ...items: IndexItem[]): Promise<Tensor> {
  const masks = items.filter(
    (it): it is Tensor => it instanceof Tensor && (it.dtype === "bool" || it.dtype === "uint8"),
  );
  return withHostValues(masks, () => index(x, ...items));
}

/** `unique(x, opts)` for every device: `[values, inverse?, counts?]` as the synchronous form. */
export function uniqueAsync(x: Tensor, opts: UniqueOptions = {}): Promise<Tensor | Tensor[]> {
  return withHostValues([x], () => unique(x, opts));
}

/** `uniqueConsecutive(x, opts)` for every device. */
export function uniqueConsecutiveAsync(
  x: Tensor,
  opts: Omit<UniqueOptions, "sorted"> = {},
): Promise<Tensor | Tensor[]> {
  return withHostValues([x], () => uniqueConsecutive(x, opts));
}

/** `repeatInterleave(x, repeats, dim)` for every device (needed on webgpu when repeats is a tensor). */
export function repeatInterleaveAsync(x: Tensor, repeats?: number | Tensor, dim?: number): Promise<Tensor> {
  const read = repeats instanceof Tensor ? repeats : repeats === undefined ? x : null;
  return withHostValues([read], () => repeatInterleave(x, repeats, dim));
}

/** `bincount(input, weights, minlength)` for every device. */
export function bincountAsync(input: Tensor, weights?: Tensor | null, minlength = 0): Promise<Tensor> {
  return withHostValues([input, weights], () => bincount(input, weights, minlength));
}
