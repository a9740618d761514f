// Samplers: which dataset indices a DataLoader visits, and in what order.

import { randperm, randint, multinomial, defaultGenerator, Generator } from "../../ops/random.js";
import { tensor } from "../../ops/creation.js";

/** Yields dataset indices. */
export interface Sampler extends Iterable<number> {
  readonly length: number;
}

/** A dataset size, or anything with a length (a dataset), as PyTorch's samplers take `data_source`. */
export type SizeSource = number | { readonly length: number };

function sizeOf(src: SizeSource, who: string): number {
  const n = typeof src === "number" ? src : src.length;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${who}: expected a non-negative integer size, got ${n}`);
  return n;
}

/** 0, 1, ..., n-1. */
export class SequentialSampler implements Sampler {
  private readonly n: number;
  constructor(dataSource: SizeSource) {
    this.n = sizeOf(dataSource, "SequentialSampler");
  }
  get length(): number {
    return this.n;
  }
  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.n; i++) yield i;
  }
}

/**
 * A random permutation each pass (or `numSamples` draws with replacement), drawn exactly as
 * PyTorch's RandomSampler does: `randperm(n)` per pass, or `randint(n)` in chunks of 32 with
 * replacement; without a generator, each pass seeds a fresh one from the global generator.
 */
export class RandomSampler implements Sampler {
  private readonly n: number;
  constructor(
    dataSource: SizeSource,
    private readonly opts: { replacement?: boolean; numSamples?: number; generator?: Generator } = {},
  ) {
    this.n = sizeOf(dataSource, "RandomSampler");
    const k = opts.numSamples;
    if (k !== undefined && (!Number.isInteger(k) || k <= 0))
      throw new RangeError(`RandomSampler: numSamples should be a positive integer value, but got numSamples=${k}`);
  }
  get length(): number {
    return this.opts.numSamples ?? this.n;
  }
  *[Symbol.iterator](): Iterator<number> {
    const n = this.n;
    const total = this.length;
    // PyTorch: seed = int(torch.empty((), dtype=torch.int64).random_().item()) when no generator is given
    const generator =
      this.opts.generator ?? new Generator().manualSeed(defaultGenerator.random64() & ((1n << 63n) - 1n));
    if (this.opts.replacement) {
      for (let i = 0; i < Math.floor(total / 32); i++) yield* randint(n, [32], { generator }).dataSync();
      yield* randint(n, [total % 32], { generator }).dataSync();
      return;
    }
    for (let i = 0; i < Math.floor(total / n); i++) yield* randperm(n, { generator }).dataSync();
    // PyTorch draws this last permutation even when it keeps none of it (numSamples % n === 0)
    yield* randperm(n, { generator })
      .dataSync()
      .subarray(0, total % n);
  }
}

/** A random permutation of the given indices (each pass). */
export class SubsetRandomSampler implements Sampler {
  constructor(
    private readonly indices: number[],
    private readonly generator?: Generator,
  ) {}
  get length(): number {
    return this.indices.length;
  }
  *[Symbol.iterator](): Iterator<number> {
    for (const i of randperm(this.indices.length, { generator: this.generator }).dataSync()) yield this.indices[i]!;
  }
}

/** Indices drawn with probability proportional to `weights` (`multinomial(weights, numSamples, replacement)`). */
export class WeightedRandomSampler implements Sampler {
  constructor(
    private readonly weights: number[],
    private readonly numSamples: number,
    private readonly replacement = true,
    private readonly generator?: Generator,
  ) {
    if (!Number.isInteger(numSamples) || numSamples <= 0)
      throw new RangeError(
        `WeightedRandomSampler: numSamples should be a positive integer value, but got numSamples=${numSamples}`,
      );
  }
  get length(): number {
    return this.numSamples;
  }
  *[Symbol.iterator](): Iterator<number> {
    const w = tensor(Float64Array.from(this.weights));
    yield* multinomial(w, this.numSamples, this.replacement, { generator: this.generator }).dataSync();
  }
}

/** Groups a sampler's indices into lists of batchSize (the last one shorter unless dropLast). */
export class BatchSampler implements Iterable<number[]> {
  constructor(
    private readonly sampler: Sampler | (Iterable<number> & { length?: number }),
    private readonly batchSize: number,
    private readonly dropLast: boolean,
  ) {
    if (!Number.isInteger(batchSize) || batchSize <= 0)
      throw new RangeError(
        `BatchSampler: batchSize should be a positive integer value, but got batchSize=${batchSize}`,
      );
  }
  get length(): number {
    const n = this.sampler.length ?? [...this.sampler].length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }
  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length && !this.dropLast) yield batch;
  }
}
