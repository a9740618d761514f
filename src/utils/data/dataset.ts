// Datasets (torch.utils.data): map-style Dataset, IterableDataset, TensorDataset, ConcatDataset,
// Subset and randomSplit.

import { Tensor } from "../../tensor.js";
import { randperm, type Generator } from "../../ops/random.js";

/** A map-style dataset: `length` items reachable by index (getItem may return a promise). */
export abstract class Dataset<T = unknown> {
  /** The item at index i. */
  abstract getItem(index: number): T | Promise<T>;
  /** Number of items. */
  abstract get length(): number;
}

/** A dataset read as a stream (no random access). */
export abstract class IterableDataset<T = unknown> {
  abstract [Symbol.asyncIterator](): AsyncIterator<T>;
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
}

/** Several datasets one after another. */
export class ConcatDataset<T> extends Dataset<T> {
  private readonly ends: number[] = [];
  constructor(readonly datasets: Dataset<T>[]) {
    super();
    let total = 0;
    for (const d of datasets) this.ends.push((total += d.length));
  }
  getItem(index: number): T | Promise<T> {
    const i = index < 0 ? index + this.length : index;
    if (i < 0 || i >= this.length)
      throw new RangeError(`ConcatDataset: index ${index} out of range for length ${this.length}`);
    const k = this.ends.findIndex((e) => i < e);
    return this.datasets[k]!.getItem(i - (k === 0 ? 0 : this.ends[k - 1]!));
  }
  get length(): number {
    return this.ends[this.ends.length - 1] ?? 0;
  }
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
    const j = this.indices[index];
    if (j === undefined) throw new RangeError(`Subset: index ${index} out of range for length ${this.length}`);
    return this.dataset.getItem(j);
  }
  get length(): number {
    return this.indices.length;
  }
}

/** Split a dataset into non-overlapping random subsets of the given lengths (or fractions summing to 1). */
export function randomSplit<T>(dataset: Dataset<T>, lengths: number[], generator?: Generator): Subset<T>[] {
  const n = dataset.length;
  let sizes = lengths;
  if (
    lengths.every((l) => l >= 0 && l <= 1) &&
    Math.abs(lengths.reduce((a, b) => a + b, 0) - 1) < 1e-9 &&
    lengths.some((l) => !Number.isInteger(l))
  ) {
    sizes = lengths.map((f) => Math.floor(n * f));
    let rest = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; rest > 0; i = (i + 1) % sizes.length, rest--) sizes[i]!++;
  }
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
