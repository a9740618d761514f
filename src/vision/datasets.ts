// MNIST-format datasets (MNIST, Fashion-MNIST) read from idx files, gzipped or not.
// Reading files needs Node (the fs module is loaded on demand, so the package still bundles for browsers;
// in a browser, build the dataset from bytes with `fromIdx`). The datasets are worker-ready: their
// images live in shared memory and their transform is rebuilt from its spec in each worker.

import { Dataset } from "../utils/data/dataset.js";
import { Tensor } from "../tensor.js";
import { fromStorageArray } from "../ops/creation.js";
import { nodeFs } from "../io/nodefs.js";
import {
  allocShared,
  buildFromSpec,
  isWorkerReady,
  shareTensor,
  tensorFromShared,
  type SharedTensor,
  type WorkerSpec,
} from "../utils/data/spec.js";

/** Default location of Debian's dataset-fashion-mnist package. */
export const DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist";

/**
 * Parse an idx file (big-endian dims, unsigned bytes) into its shape and bytes. The bytes are copied
 * into shared memory (when available) so DataLoader workers can read them without a copy.
 */
export function parseIdx(bytes: Uint8Array, name = "idx"): { shape: number[]; data: Uint8Array } {
  if (bytes.length < 4) throw new Error(`${name}: file too short to be an idx file (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const type = (magic >>> 8) & 0xff;
  const ndim = magic & 0xff;
  if (magic >>> 16 !== 0 || type !== 0x08)
    throw new Error(
      `${name}: not an unsigned-byte idx file (magic 0x${magic.toString(16).padStart(8, "0")}, expected 0x000008nn)`,
    );
  const start = 4 + 4 * ndim;
  if (bytes.length < start)
    throw new Error(`${name}: truncated header: ${ndim} dims need ${start} bytes, the file has ${bytes.length}`);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i));
  const n = shape.reduce((a, b) => a * b, 1);
  if (bytes.length - start !== n)
    throw new Error(
      `${name}: ${bytes.length - start < n ? "truncated" : "too long"}: expected ${n} data bytes for shape [${shape.join(", ")}], found ${bytes.length - start}`,
    );
  const data = allocShared("uint8", n) as Uint8Array;
  data.set(bytes.subarray(start, start + n));
  return { shape, data };
}

/** Whether bytes start with the gzip magic number. */
function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

async function gunzip(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new Error(`${name}: corrupt gzip data (${(e as Error).message})`);
  }
}

/** Parse idx bytes, gunzipping them first when they are gzip data. */
async function parseIdxMaybeGz(bytes: Uint8Array, name: string): Promise<{ shape: number[]; data: Uint8Array }> {
  return parseIdx(isGzip(bytes) ? await gunzip(bytes, name) : bytes, name);
}

/** Read `<dir>/<base>.gz` or `<dir>/<base>`. */
async function readIdxFile(dir: string, base: string): Promise<{ shape: number[]; data: Uint8Array }> {
  const fs = await nodeFs();
  for (const file of [`${dir}/${base}.gz`, `${dir}/${base}`]) {
    let raw: Uint8Array;
    try {
      raw = new Uint8Array(await fs.readFile(file));
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") continue;
      throw new Error(`${file}: cannot read (${(e as Error).message})`, { cause: e });
    }
    return parseIdxMaybeGz(raw, file);
  }
  throw new Error(`MNIST: neither ${dir}/${base}.gz nor ${dir}/${base} exists`);
}

/** Options of the MNIST-format datasets. */
export interface MNISTOptions<T> {
  /** The training split (default) or the test split. */
  train?: boolean;
  /**
   * Applied to each image, a uint8 tensor of shape [28, 28]. To load in DataLoader workers, build it
   * from torchts.vision.transforms (or give it a spec with `withWorkerSpec`).
   */
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
    if (images.ndim !== 3 || targets.ndim !== 1)
      throw new RangeError(
        `MNIST: expected images [N, H, W] and labels [N], got [${images.shape.join(", ")}] and [${targets.shape.join(", ")}]`,
      );
    if (images.shape[0] !== targets.shape[0])
      throw new RangeError(`MNIST: ${images.shape[0]} images but ${targets.shape[0]} labels`);
  }
  /** Load the idx files of a split from a directory (gzipped or not). */
  static async load<T = Tensor>(root: string, opts: MNISTOptions<T> = {}): Promise<MNIST<T>> {
    const prefix = opts.train === false ? "t10k" : "train";
    // images first, then labels: a missing split is reported the same way every time
    const imgs = await readIdxFile(root, `${prefix}-images-idx3-ubyte`);
    const labels = await readIdxFile(root, `${prefix}-labels-idx1-ubyte`);
    return this.fromParsed(imgs, labels, opts);
  }
  /** Build the dataset from the bytes of an images and a labels idx file (gzipped or not); works in browsers. */
  static async fromIdx<T = Tensor>(
    images: Uint8Array,
    labels: Uint8Array,
    opts: Omit<MNISTOptions<T>, "train"> = {},
  ): Promise<MNIST<T>> {
    return this.fromParsed(await parseIdxMaybeGz(images, "images"), await parseIdxMaybeGz(labels, "labels"), opts);
  }
  private static fromParsed<T>(
    imgs: { shape: number[]; data: Uint8Array },
    labels: { shape: number[]; data: Uint8Array },
    opts: MNISTOptions<T>,
  ): MNIST<T> {
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
  /** Rebuilt in a worker from the images and labels in shared memory and the transform's spec. */
  workerSpec(): WorkerSpec {
    const t = this.transform;
    if (t && !isWorkerReady(t))
      throw new TypeError(
        `${this.constructor.name}.workerSpec(): the transform is a plain function, which cannot be sent to a worker thread; build it from torchts.vision.transforms (Compose, ToTensor, Normalize, ...) or attach a spec with withWorkerSpec(fn, { module, exportName, args })`,
      );
    return {
      module: import.meta.url,
      exportName: "mnistFromSpec",
      args: [
        shareTensor(this.images),
        shareTensor(this.targets),
        t ? t.workerSpec() : null,
        this instanceof FashionMNIST ? "FashionMNIST" : "MNIST",
      ],
    };
  }
}

/** @internal MNIST's and FashionMNIST's worker factory */
export async function mnistFromSpec(
  images: SharedTensor,
  targets: SharedTensor,
  transform: WorkerSpec | null,
  kind: "MNIST" | "FashionMNIST",
): Promise<MNIST<unknown>> {
  const t = transform ? ((await buildFromSpec(transform)) as (img: Tensor) => unknown) : undefined;
  const C = kind === "FashionMNIST" ? FashionMNIST : MNIST;
  return new C(tensorFromShared(images), tensorFromShared(targets), t);
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
