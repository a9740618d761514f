// DataLoader: batches a dataset through a sampler and a collate function; iterate it with `for await`.

import { Dataset, IterableDataset } from "./dataset.js";
import { BatchSampler, RandomSampler, SequentialSampler, type Sampler } from "./sampler.js";
import { defaultCollate } from "./collate.js";
import type { Generator } from "../../ops/random.js";

/** DataLoader options (PyTorch's keyword arguments). */
export interface DataLoaderOptions<B> {
  batchSize?: number | null;
  shuffle?: boolean;
  sampler?: Sampler;
  batchSampler?: Iterable<number[]> & { length?: number };
  dropLast?: boolean;
  collateFn?: (items: unknown[]) => B;
  generator?: Generator;
}

/** Iterates a dataset in batches: `for await (const [x, y] of new DataLoader(ds, { batchSize: 64, shuffle: true }))`. */
export class DataLoader<B = unknown> implements AsyncIterable<B> {
  readonly batchSize: number | null;
  private readonly batches: (Iterable<number[]> & { length?: number }) | null;
  private readonly collate: (items: unknown[]) => B;
  constructor(
    readonly dataset: Dataset | IterableDataset,
    readonly opts: DataLoaderOptions<B> = {},
  ) {
    this.batchSize = opts.batchSize === undefined ? 1 : opts.batchSize;
    this.collate = opts.collateFn ?? (defaultCollate as (items: unknown[]) => B);
    if (opts.shuffle && opts.sampler)
      throw new Error("DataLoader(): sampler option is mutually exclusive with shuffle");
    if (opts.batchSampler && (opts.sampler || opts.shuffle || opts.dropLast || opts.batchSize !== undefined))
      throw new Error(
        "DataLoader(): batchSampler option is mutually exclusive with batchSize, shuffle, sampler, and dropLast",
      );
    if (dataset instanceof IterableDataset) {
      if (opts.shuffle || opts.sampler || opts.batchSampler)
        throw new Error("DataLoader(): IterableDataset does not support shuffle, sampler or batchSampler");
      this.batches = null;
      return;
    }
    if (opts.batchSampler) {
      this.batches = opts.batchSampler;
      return;
    }
    const sampler =
      opts.sampler ??
      (opts.shuffle
        ? new RandomSampler(dataset.length, { generator: opts.generator })
        : new SequentialSampler(dataset.length));
    this.batches =
      this.batchSize === null
        ? {
            length: sampler.length,
            *[Symbol.iterator]() {
              for (const i of sampler) yield [i];
            },
          }
        : new BatchSampler(sampler, this.batchSize, opts.dropLast ?? false);
  }

  /** Number of batches. */
  get length(): number {
    if (!this.batches) throw new TypeError("DataLoader over an IterableDataset has no length");
    return this.batches.length ?? [...this.batches].length;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    if (!this.batches) {
      let buf: unknown[] = [];
      for await (const item of this.dataset as IterableDataset) {
        if (this.batchSize === null) {
          yield item as B;
          continue;
        }
        buf.push(item);
        if (buf.length === this.batchSize) {
          yield this.collate(buf);
          buf = [];
        }
      }
      if (buf.length && !this.opts.dropLast) yield this.collate(buf);
      return;
    }
    const ds = this.dataset as Dataset;
    for (const idx of this.batches) {
      const items = await Promise.all(idx.map((i) => ds.getItem(i)));
      yield this.batchSize === null ? (items[0] as B) : this.collate(items);
    }
  }
}
