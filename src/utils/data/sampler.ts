// Samplers: which dataset indices a DataLoader visits, and in what order.

import { randperm, multinomial, type Generator } from "../../ops/random.js";
import { tensor } from "../../ops/creation.js";

/** Yields dataset indices. */
export interface Sampler extends Iterable<number> {
  readonly length: number;
}

/** 0, 1, ..., n-1. */
export class SequentialSampler implements Sampler {
  constructor(private readonly n: number) {}
  get length(): number {
    return this.n;
  }
  *[Symbol.iterator](): Iterator<number> {
    for (let i = 0; i < this.n; i++) yield i;
  }
}

/** A random permutation each pass (or `numSamples` draws with replacement). */
export class RandomSampler implements Sampler {
  constructor(
    private readonly n: number,
    private readonly opts: { replacement?: boolean; numSamples?: number; generator?: Generator } = {},
  ) {}
  get length(): number {
    return this.opts.numSamples ?? this.n;
  }
  *[Symbol.iterator](): Iterator<number> {
    if (this.opts.replacement) {
      const probs = tensor(new Float64Array(this.n).fill(1));
      yield* multinomial(probs, this.length, true, { generator: this.opts.generator }).dataSync();
      return;
    }
    const total = this.length;
    for (let done = 0; done < total;) {
      const perm = randperm(this.n, { generator: this.opts.generator }).dataSync();
      for (let i = 0; i < perm.length && done < total; i++, done++) yield perm[i]!;
    }
  }
}

/** A random permutation of the given indices. */
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

/** Indices drawn with probability proportional to `weights`. */
export class WeightedRandomSampler implements Sampler {
  constructor(
    private readonly weights: number[],
    private readonly numSamples: number,
    private readonly replacement = true,
    private readonly generator?: Generator,
  ) {}
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
    private readonly sampler: Sampler,
    private readonly batchSize: number,
    private readonly dropLast: boolean,
  ) {
    if (!Number.isInteger(batchSize) || batchSize <= 0)
      throw new RangeError(
        `BatchSampler: batchSize should be a positive integer value, but got batchSize=${batchSize}`,
      );
  }
  get length(): number {
    return this.dropLast
      ? Math.floor(this.sampler.length / this.batchSize)
      : Math.ceil(this.sampler.length / this.batchSize);
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
