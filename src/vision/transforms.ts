// Image transforms (torchvision.transforms): ToTensor, Normalize, RandomCrop, RandomHorizontalFlip, Compose.

import { Tensor } from "../tensor.js";
import { tensor } from "../ops/creation.js";
import { pad } from "../ops/shape_ops.js";
import { randint, rand, type Generator } from "../ops/random.js";

/** A transform is a function of one input. */
export type Transform<I = Tensor, O = Tensor> = (x: I) => O;

/** Apply transforms in order. */
export function Compose(transforms: Transform<never, unknown>[]): Transform<unknown, unknown> {
  return (x) => transforms.reduce<unknown>((v, t) => (t as Transform<unknown, unknown>)(v), x);
}

/** uint8 [H, W] or [H, W, C] to float32 [C, H, W] in [0, 1] (float input is only permuted). */
export function ToTensor(): Transform {
  return (img) => {
    const chw = img.ndim === 2 ? img.unsqueeze(0) : img.ndim === 3 ? img.permute(2, 0, 1) : null;
    if (!chw)
      throw new RangeError(`ToTensor(): expected an image of shape [H, W] or [H, W, C], got [${img.shape.join(", ")}]`);
    return img.dtype === "uint8" ? chw.float().div(255) : chw.float();
  };
}

/** (x - mean) / std per channel of a [C, H, W] tensor. */
export function Normalize(mean: number[], std: number[]): Transform {
  if (std.some((s) => s === 0))
    throw new RangeError(
      `Normalize(): std evaluated to zero after conversion to float32, leading to division by zero (std ${std})`,
    );
  const m = tensor(mean, { dtype: "float32" }).view(-1, 1, 1);
  const s = tensor(std, { dtype: "float32" }).view(-1, 1, 1);
  return (x) => {
    if (x.ndim < 3 || (x.shape[x.ndim - 3] !== mean.length && mean.length !== 1))
      throw new RangeError(
        `Normalize(): expected a [C, H, W] tensor with C = ${mean.length}, got [${x.shape.join(", ")}]`,
      );
    return x.sub(m).div(s);
  };
}

/** A random size x size crop of a [..., H, W] tensor, after optional zero padding. */
export function RandomCrop(
  size: number | [number, number],
  opts: { padding?: number; generator?: Generator } = {},
): Transform {
  const [th, tw] = typeof size === "number" ? [size, size] : size;
  return (x) => {
    const p = opts.padding ?? 0;
    const img = p ? pad(x, [p, p, p, p]) : x;
    const h = img.shape[img.ndim - 2]!;
    const w = img.shape[img.ndim - 1]!;
    if (h < th || w < tw)
      throw new RangeError(
        `RandomCrop(): required crop size (${th}, ${tw}) is larger than input image size (${h}, ${w})`,
      );
    const i = randint(0, h - th + 1, [1], { generator: opts.generator }).item();
    const j = randint(0, w - tw + 1, [1], { generator: opts.generator }).item();
    return img.narrow(-2, i, th).narrow(-1, j, tw).contiguous();
  };
}

/** Flip the last dim with probability p. */
export function RandomHorizontalFlip(p = 0.5, opts: { generator?: Generator } = {}): Transform {
  return (x) => (rand([1], { generator: opts.generator }).item() < p ? x.flip(-1) : x);
}
