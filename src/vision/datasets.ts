// MNIST-format datasets (MNIST, Fashion-MNIST) read from idx files, gzipped or not.
// Reading files needs Node (the fs module is loaded on demand, so the package still bundles for browsers;
// in a browser, build the dataset from bytes with `fromIdx`).

import { Dataset } from "../utils/data/dataset.js";
import { Tensor } from "../tensor.js";
import { fromStorageArray } from "../ops/creation.js";
import { nodeFs } from "../io/nodefs.js";

/** Default location of Debian's dataset-fashion-mnist package. */
export const DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist";

/** Parse an idx file (big-endian dims, unsigned bytes) into its shape and bytes. */
export function parseIdx(bytes: Uint8Array, name = "idx"): { shape: number[]; data: Uint8Array } {
  if (bytes.length < 4) throw new Error(`${name}: file too short to be an idx file (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const type = (magic >> 8) & 0xff;
  const ndim = magic & 0xff;
  if (magic >> 16 !== 0 || type !== 0x08)
    throw new Error(`${name}: not an unsigned-byte idx file (magic 0x${magic.toString(16)})`);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i));
  const start = 4 + 4 * ndim;
  const n = shape.reduce((a, b) => a * b, 1);
  if (bytes.length < start + n)
    throw new Error(
      `${name}: truncated: expected ${n} data bytes for shape [${shape.join(", ")}], found ${bytes.length - start}`,
    );
  return { shape, data: bytes.slice(start, start + n) };
}

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Read `<dir>/<base>` or `<dir>/<base>.gz`. */
async function readIdxFile(dir: string, base: string): Promise<{ shape: number[]; data: Uint8Array }> {
  const fs = await nodeFs();
  for (const [file, gz] of [
    [`${dir}/${base}.gz`, true],
    [`${dir}/${base}`, false],
  ] as const) {
    let raw: Uint8Array;
    try {
      raw = new Uint8Array(await fs.readFile(file));
    } catch {
      continue;
    }
    let bytes: Uint8Array;
    try {
      bytes = gz ? await gunzip(raw) : raw;
    } catch (e) {
      throw new Error(`${file}: corrupt gzip data (${(e as Error).message})`);
    }
    return parseIdx(bytes, file);
  }
  throw new Error(`MNIST: neither ${dir}/${base}.gz nor ${dir}/${base} exists`);
}

/** Options of the MNIST-format datasets. */
export interface MNISTOptions<T> {
  /** The training split (default) or the test split. */
  train?: boolean;
  /** Applied to each image, a uint8 tensor of shape [28, 28]. */
  transform?: (img: Tensor) => T;
}

/** MNIST-format images and labels: items are `[transform(image), label]`. */
export class MNIST<T = Tensor> extends Dataset<[T, number]> {
  constructor(
    /** All images, uint8 [N, 28, 28]. */
    readonly images: Tensor,
    /** All labels, int64 [N]. */
    readonly targets: Tensor,
    private readonly transform?: (img: Tensor) => T,
  ) {
    super();
    if (images.shape[0] !== targets.shape[0])
      throw new RangeError(`MNIST: ${images.shape[0]} images but ${targets.shape[0]} labels`);
  }
  /** Load the idx files of a split from a directory (gzipped or not). */
  static async load<T = Tensor>(root: string, opts: MNISTOptions<T> = {}): Promise<MNIST<T>> {
    const prefix = opts.train === false ? "t10k" : "train";
    const [imgs, labels] = await Promise.all([
      readIdxFile(root, `${prefix}-images-idx3-ubyte`),
      readIdxFile(root, `${prefix}-labels-idx1-ubyte`),
    ]);
    return new this(
      fromStorageArray(imgs.data, imgs.shape, "uint8"),
      fromStorageArray(Float64Array.from(labels.data), labels.shape, "int64"),
      opts.transform,
    ) as MNIST<T>;
  }
  getItem(index: number): [T, number] {
    const img = this.images.select(0, index);
    const label = this.targets.select(0, index).item();
    return [this.transform ? this.transform(img) : (img as unknown as T), label];
  }
  get length(): number {
    return this.images.shape[0]!;
  }
}

/** Fashion-MNIST (same format as MNIST); `load()` defaults to Debian's dataset-fashion-mnist. */
export class FashionMNIST<T = Tensor> extends MNIST<T> {
  /** The ten class names. */
  static readonly classes = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
  ];
  static override async load<T = Tensor>(
    root: string = DEBIAN_FASHION_MNIST,
    opts: MNISTOptions<T> = {},
  ): Promise<FashionMNIST<T>> {
    return (await super.load(root, opts)) as FashionMNIST<T>;
  }
}
