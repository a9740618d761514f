// Datasets (torch.utils.data): map-style Dataset, IterableDataset, TensorDataset, ConcatDataset,
// Subset and randomSplit. The built-in datasets are worker-ready: `workerSpec()` tells a DataLoader
// worker thread how to rebuild them (tensors travel in shared memory).

import { Tensor } from "../../tensor.js";
import { randperm, type Generator } from "../../ops/random.js";
import {
  buildFromSpec,
  isWorkerReady,
  shareTensor,
  tensorFromShared,
  type SharedTensor,
  type WorkerSpec,
} from "./spec.js";

/**
 * A map-style dataset: `length` items reachable by index (getItem may return a promise).
 * To load it in DataLoader worker threads (`numWorkers > 0`), implement `workerSpec()`: return
 * `{ module: import.meta.url, exportName, args }` where `exportName` is an exported function of that
 * module that rebuilds an equivalent dataset from the structured-cloneable `args` (pass tensors as
 * `shareTensor(t)` and rebuild them with `tensorFromShared`).
 */
export abstract class Dataset<T = unknown> {
  /** The item at index i. */
  abstract getItem(index: number): T | Promise<T>;
  /** Number of items. */
  abstract get length(): number;
}

/**
 * A dataset read as a stream (no random access). With `numWorkers > 0` each worker rebuilds it from
 * `workerSpec()` and streams its own copy, so split the work with `getWorkerInfo()` (as in PyTorch),
 * or every worker yields every item.
 */
export abstract class IterableDataset<T = unknown> {
  abstract [Symbol.asyncIterator](): AsyncIterator<T>;
}

function specOf(d: unknown, owner: string): WorkerSpec {
  if (!isWorkerReady(d))
    throw new TypeError(
      `${owner}.workerSpec(): the wrapped ${(d as object).constructor.name} has no workerSpec() method, so it cannot be rebuilt in a worker thread`,
    );
  return d.workerSpec();
}

/** Items are the i-th rows of each tensor: `[x[i], y[i]]`. */
export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: Tensor[];
  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new RangeError("TensorDataset(): at least one tensor is required");
    const n = tensors[0]!.shape[0];
    for (const t of tensors)
      if (t.ndim === 0 || t.shape[0] !== n)
        throw new RangeError(
          `TensorDataset(): Size mismatch between tensors (first dims ${tensors.map((x) => x.shape[0]).join(", ")})`,
        );
    this.tensors = tensors;
  }
  getItem(index: number): Tensor[] {
    return this.tensors.map((t) => t.select(0, index));
  }
  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }
  /** Rebuilt in a worker from the tensors' elements in shared memory (copied once, not per worker). */
  workerSpec(): WorkerSpec {
    return { module: import.meta.url, exportName: "tensorDatasetFromSpec", args: this.tensors.map(shareTensor) };
  }
}

/** @internal TensorDataset's worker factory */
export function tensorDatasetFromSpec(...tensors: SharedTensor[]): TensorDataset {
  return new TensorDataset(...tensors.map(tensorFromShared));
}

/** Several datasets one after another. */
export class ConcatDataset<T> extends Dataset<T> {
  /** Cumulative lengths (PyTorch's `cumulative_sizes`). */
  readonly cumulativeSizes: number[] = [];
  constructor(readonly datasets: Dataset<T>[]) {
    super();
    if (datasets.length === 0) throw new RangeError("ConcatDataset(): datasets should not be an empty iterable");
    let total = 0;
    for (const d of datasets) {
      if (d instanceof IterableDataset)
        throw new TypeError("ConcatDataset(): does not support IterableDataset (only map-style Datasets)");
      this.cumulativeSizes.push((total += d.length));
    }
  }
  getItem(index: number): T | Promise<T> {
    const i = index < 0 ? index + this.length : index;
    if (!Number.isInteger(i) || i < 0 || i >= this.length)
      throw new RangeError(`ConcatDataset: index ${index} out of range for length ${this.length}`);
    // first dataset whose end is past i (bisect_right)
    let lo = 0;
    let hi = this.cumulativeSizes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulativeSizes[mid]! > i) hi = mid;
      else lo = mid + 1;
    }
    return this.datasets[lo]!.getItem(i - (lo === 0 ? 0 : this.cumulativeSizes[lo - 1]!));
  }
  get length(): number {
    return this.cumulativeSizes[this.cumulativeSizes.length - 1] ?? 0;
  }
  /** Worker-ready when every part is. */
  workerSpec(): WorkerSpec {
    return {
      module: import.meta.url,
      exportName: "concatDatasetFromSpec",
      args: [this.datasets.map((d) => specOf(d, "ConcatDataset"))],
    };
  }
}

/** @internal ConcatDataset's worker factory */
export async function concatDatasetFromSpec(parts: WorkerSpec[]): Promise<ConcatDataset<unknown>> {
  return new ConcatDataset((await Promise.all(parts.map(buildFromSpec))) as Dataset[]);
}

/** The items of a dataset at the given indices. */
export class Subset<T> extends Dataset<T> {
  constructor(
    readonly dataset: Dataset<T>,
    readonly indices: number[],
  ) {
    super();
  }
  getItem(index: number): T | Promise<T> {
    const j = Number.isInteger(index) ? this.indices.at(index) : undefined;
    if (j === undefined) throw new RangeError(`Subset: index ${index} out of range for length ${this.length}`);
    return this.dataset.getItem(j);
  }
  get length(): number {
    return this.indices.length;
  }
  /** Worker-ready when the wrapped dataset is. */
  workerSpec(): WorkerSpec {
    return {
      module: import.meta.url,
      exportName: "subsetFromSpec",
      args: [specOf(this.dataset, "Subset"), [...this.indices]],
    };
  }
}

/** @internal Subset's worker factory */
export async function subsetFromSpec(inner: WorkerSpec, indices: number[]): Promise<Subset<unknown>> {
  return new Subset((await buildFromSpec(inner)) as Dataset, indices);
}

/**
 * Split a dataset into non-overlapping random subsets of the given lengths, or of fractions summing
 * to 1 (`floor(n * f)` each, the remainder handed out round-robin), as PyTorch's `random_split`:
 * the same generator state gives the same indices (a `randperm` of the length).
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: number[], generator?: Generator): Subset<T>[] {
  const n = dataset.length;
  let sizes = lengths;
  const total = lengths.reduce((a, b) => a + b, 0);
  // math.isclose(sum, 1) and sum <= 1, as PyTorch decides between fractions and lengths
  if (Math.abs(total - 1) <= 1e-9 * Math.max(1, Math.abs(total)) && total <= 1) {
    lengths.forEach((f, i) => {
      if (!(f >= 0 && f <= 1)) throw new RangeError(`randomSplit(): Fraction at index ${i} is not between 0 and 1`);
    });
    sizes = lengths.map((f) => Math.floor(n * f));
    const rest = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < rest; i++) sizes[i % sizes.length]!++;
  } else if (lengths.some((l) => !Number.isInteger(l) || l < 0))
    throw new RangeError(
      `randomSplit(): lengths must be non-negative integers or fractions summing to 1, got [${lengths.join(", ")}]`,
    );
  if (sizes.reduce((a, b) => a + b, 0) !== n)
    throw new RangeError(
      `randomSplit(): sum of input lengths (${sizes.reduce((a, b) => a + b, 0)}) does not equal the length of the input dataset (${n})`,
    );
  const perm = Array.from(randperm(n, { generator }).dataSync());
  let start = 0;
  return sizes.map((s) => {
    const idx = perm.slice(start, start + s);
    start += s;
    return new Subset(dataset, idx);
  });
}
