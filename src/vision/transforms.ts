// Image transforms (torchvision.transforms): ToTensor, Normalize, RandomCrop, RandomHorizontalFlip, Compose.
// Each transform built here is worker-ready: it carries a `workerSpec()` naming the factory and
// arguments that rebuild it, so datasets using it can be loaded in DataLoader worker threads.
// Random transforms draw from the global generator unless given one, as torchvision does; in a
// worker that generator is seeded with the DataLoader's base seed + worker id.

import { Tensor } from "../tensor.js";
import { tensor } from "../ops/creation.js";
import { pad } from "../ops/shape_ops.js";
import { randint, rand, type Generator } from "../ops/random.js";
import { buildFromSpec, isWorkerReady, withWorkerSpec, type WorkerSpec } from "../utils/data/spec.js";

/** A transform is a function of one input. */
export type Transform<I = Tensor, O = Tensor> = (x: I) => O;

const here = import.meta.url;

function described<T extends object>(fn: T, exportName: string, args: unknown[]): T {
  return withWorkerSpec(fn, { module: here, exportName, args });
}

/** Apply transforms in order; worker-ready when every transform is. */
export function Compose(transforms: Transform<never, unknown>[]): Transform<unknown, unknown> {
  const fn: Transform<unknown, unknown> = (x) =>
    transforms.reduce<unknown>((v, t) => (t as Transform<unknown, unknown>)(v), x);
  return withWorkerSpec(fn, () => ({
    module: here,
    exportName: "composeFromSpecs",
    args: [
      transforms.map((t, i) => {
        if (!isWorkerReady(t))
          throw new TypeError(
            `Compose.workerSpec(): transform ${i} (${t.name || "anonymous function"}) cannot be rebuilt in a worker thread; use torchts.vision.transforms or attach a spec with withWorkerSpec()`,
          );
        return t.workerSpec();
      }),
    ],
  }));
}

/** @internal Compose's worker factory */
export async function composeFromSpecs(specs: WorkerSpec[]): Promise<Transform<unknown, unknown>> {
  return Compose((await Promise.all(specs.map(buildFromSpec))) as Transform<never, unknown>[]);
}

/** uint8 [H, W] or [H, W, C] to float32 [C, H, W] in [0, 1] (float input is only permuted). */
export function ToTensor(): Transform {
  return described(
    (img: Tensor) => {
      const chw = img.ndim === 2 ? img.unsqueeze(0) : img.ndim === 3 ? img.permute(2, 0, 1) : null;
      if (!chw)
        throw new RangeError(
          `ToTensor(): expected an image of shape [H, W] or [H, W, C], got [${img.shape.join(", ")}]`,
        );
      return img.dtype === "uint8" ? chw.float().div(255) : chw.float();
    },
    "ToTensor",
    [],
  );
}

/** (x - mean) / std per channel of a float [..., C, H, W] tensor. */
export function Normalize(mean: number[], std: number[]): Transform {
  if (mean.length === 0 || mean.length !== std.length)
    throw new RangeError(
      `Normalize(): mean and std need the same non-zero length, got ${mean.length} and ${std.length}`,
    );
  if (std.some((s) => Math.fround(s) === 0))
    throw new RangeError(
      `Normalize(): std evaluated to zero after conversion to float32, leading to division by zero (std ${std})`,
    );
  const m = tensor(mean, { dtype: "float32" }).view(-1, 1, 1);
  const s = tensor(std, { dtype: "float32" }).view(-1, 1, 1);
  return described(
    (x: Tensor) => {
      if (!x.isFloatingPoint())
        throw new TypeError(`Normalize(): Input tensor should be a float tensor. Got ${x.dtype}.`);
      if (x.ndim < 3 || (x.shape[x.ndim - 3] !== mean.length && mean.length !== 1))
        throw new RangeError(
          `Normalize(): expected a [C, H, W] tensor with C = ${mean.length}, got [${x.shape.join(", ")}]`,
        );
      return x.sub(m).div(s);
    },
    "Normalize",
    [[...mean], [...std]],
  );
}

/** RandomCrop options (torchvision's keyword arguments). */
export interface RandomCropOptions {
  /** Border added first: all sides, [left/right, top/bottom] or [left, top, right, bottom]. */
  padding?: number | [number, number] | [number, number, number, number];
  /** Pad the image when it is smaller than the crop. */
  padIfNeeded?: boolean;
  /** Value of constant padding (default 0). */
  fill?: number;
  /** How the border is filled (default "constant"). */
  paddingMode?: "constant" | "edge" | "reflect";
  /** Generator for the crop position (default: the global one; such a transform cannot go to workers). */
  generator?: Generator;
}

/**
 * A random crop of a [..., H, W] tensor, after optional padding (torchvision's RandomCrop: the top and
 * left offsets are `randint(0, H - h + 1)` then `randint(0, W - w + 1)`; nothing is drawn when the
 * image already has the crop size).
 */
export function RandomCrop(size: number | [number, number], opts: RandomCropOptions = {}): Transform {
  const [th, tw] = typeof size === "number" ? [size, size] : size;
  const mode = opts.paddingMode ?? "constant";
  const torchMode = mode === "edge" ? "replicate" : mode;
  const padTo = (x: Tensor, lrtb: number[]) =>
    pad(x, lrtb, torchMode, mode === "constant" ? (opts.fill ?? 0) : undefined);
  let p: number[] | null = null;
  if (opts.padding !== undefined) {
    const q = typeof opts.padding === "number" ? [opts.padding] : opts.padding;
    const [l, t, r, b] =
      q.length === 1 ? [q[0]!, q[0]!, q[0]!, q[0]!] : q.length === 2 ? [q[0]!, q[1]!, q[0]!, q[1]!] : q;
    p = [l!, r!, t!, b!];
  }
  const fn = (x: Tensor) => {
    let img = p ? padTo(x, p) : x;
    if (opts.padIfNeeded && img.shape[img.ndim - 1]! < tw) {
      const d = tw - img.shape[img.ndim - 1]!;
      img = padTo(img, [d, d, 0, 0]);
    }
    if (opts.padIfNeeded && img.shape[img.ndim - 2]! < th) {
      const d = th - img.shape[img.ndim - 2]!;
      img = padTo(img, [0, 0, d, d]);
    }
    const h = img.shape[img.ndim - 2]!;
    const w = img.shape[img.ndim - 1]!;
    if (h < th || w < tw)
      throw new RangeError(
        `RandomCrop(): required crop size (${th}, ${tw}) is larger than input image size (${h}, ${w})`,
      );
    if (h === th && w === tw) return img;
    const i = randint(0, h - th + 1, [1], { generator: opts.generator }).item();
    const j = randint(0, w - tw + 1, [1], { generator: opts.generator }).item();
    return img.narrow(-2, i, th).narrow(-1, j, tw).contiguous();
  };
  return withWorkerSpec(fn, () => {
    if (opts.generator) throw generatorError("RandomCrop");
    return { module: here, exportName: "RandomCrop", args: [[th, tw], { ...opts }] };
  });
}

/** Flip the last dim with probability p (`rand(1) < p`, as torchvision). */
export function RandomHorizontalFlip(p = 0.5, opts: { generator?: Generator } = {}): Transform {
  const fn = (x: Tensor) => (rand([1], { generator: opts.generator }).item() < p ? x.flip(-1) : x);
  return withWorkerSpec(fn, () => {
    if (opts.generator) throw generatorError("RandomHorizontalFlip");
    return { module: here, exportName: "RandomHorizontalFlip", args: [p] };
  });
}

function generatorError(name: string): Error {
  return new TypeError(
    `${name}.workerSpec(): a transform with its own generator cannot be sent to a worker thread; leave generator unset so each worker uses its global generator, seeded with the DataLoader's base seed + worker id`,
  );
}
