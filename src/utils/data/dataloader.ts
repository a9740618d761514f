// DataLoader: batches a dataset through a sampler and a collate function; iterate it with `for await`.
// With `numWorkers > 0` (Node only) batches are loaded in worker threads: the dataset is rebuilt in
// each worker from its `workerSpec()` (see spec.ts), batch k goes to worker k % numWorkers, at most
// `prefetchFactor * numWorkers` batches are in flight, and batches come back in sampler order.

import { Dataset, IterableDataset } from "./dataset.js";
import { BatchSampler, RandomSampler, SequentialSampler, type Sampler } from "./sampler.js";
import { defaultCollate } from "./collate.js";
import { defaultGenerator, type Generator } from "../../ops/random.js";
import { isWorkerReady, type WorkerSpec } from "./spec.js";
import { decodeBatch } from "./transfer.js";
import { WorkerPool, type Reply } from "./pool.js";
import type { WorkerFnRef } from "./worker.js";

/** DataLoader options (PyTorch's keyword arguments). */
export interface DataLoaderOptions<B> {
  /** Samples per batch (default 1); null yields single samples, uncollated. */
  batchSize?: number | null;
  /** Reshuffle the indices every epoch (a RandomSampler over the loader's generator). */
  shuffle?: boolean;
  /** Which indices to visit (exclusive with shuffle). */
  sampler?: Sampler;
  /** Yields whole batches of indices (exclusive with batchSize, shuffle, sampler and dropLast). */
  batchSampler?: Iterable<number[]> & { length?: number };
  /** Drop the last batch when it is smaller than batchSize. */
  dropLast?: boolean;
  /** Turns a list of samples into a batch (default: defaultCollate). With workers it runs on the main thread. */
  collateFn?: (items: unknown[]) => B;
  /** The generator behind shuffling and the workers' base seed (default: the global generator). */
  generator?: Generator;
  /**
   * Worker threads loading batches in parallel (default 0: load on the calling thread). Needs Node
   * and a dataset implementing `workerSpec()`.
   */
  numWorkers?: number;
  /** Batches each worker may have in flight ahead of the consumer (default 2; only with workers). */
  prefetchFactor?: number;
  /** Keep the workers between epochs (close them with `loader.close()`; idle workers never keep the process alive). */
  persistentWorkers?: boolean;
  /**
   * Called in each worker as `(await import(module))[exportName](workerId, ...args)` after the
   * worker's generator is seeded and its dataset built (PyTorch's worker_init_fn).
   */
  workerInitFn?: WorkerFnRef;
  /**
   * Seconds to wait for a batch from a worker before failing (default 0: no limit), counted once the
   * worker has started and built its dataset.
   */
  timeout?: number;
}

/** The base seed PyTorch draws at the start of every epoch: `torch.empty((), dtype=int64).random_(generator)`. */
function drawBaseSeed(g: Generator | undefined): bigint {
  return (g ?? defaultGenerator).random64() & ((1n << 63n) - 1n);
}

/**
 * Iterates a dataset in batches: `for await (const [x, y] of new DataLoader(ds, { batchSize: 64, shuffle: true }))`.
 * Each epoch draws one 63-bit base seed from the generator before sampling, as PyTorch does, so a
 * seeded generator gives PyTorch's shuffle order; worker i seeds its global generator with base seed + i.
 */
export class DataLoader<B = unknown> implements AsyncIterable<B> {
  readonly batchSize: number | null;
  /** Number of worker threads. */
  readonly numWorkers: number;
  /** Batches in flight per worker. */
  readonly prefetchFactor: number;
  private readonly batches: (Iterable<number[]> & { length?: number }) | null;
  private readonly collate: (items: unknown[]) => B;
  private pool: WorkerPool | null = null;
  constructor(
    readonly dataset: Dataset | IterableDataset,
    readonly opts: DataLoaderOptions<B> = {},
  ) {
    this.batchSize = opts.batchSize === undefined ? 1 : opts.batchSize;
    this.collate = opts.collateFn ?? (defaultCollate as (items: unknown[]) => B);
    this.numWorkers = opts.numWorkers ?? 0;
    if (!Number.isInteger(this.numWorkers) || this.numWorkers < 0)
      throw new RangeError(
        `DataLoader(): numWorkers option should be a non-negative integer; use numWorkers: 0 to disable workers (got ${opts.numWorkers})`,
      );
    if (opts.timeout !== undefined && !(opts.timeout >= 0))
      throw new RangeError(`DataLoader(): timeout option should be non-negative (got ${opts.timeout})`);
    if (this.numWorkers === 0 && opts.prefetchFactor !== undefined)
      throw new Error(
        "DataLoader(): prefetchFactor option could only be specified in multiprocessing. let numWorkers > 0 to enable multiprocessing",
      );
    if (this.numWorkers === 0 && opts.persistentWorkers)
      throw new Error("DataLoader(): persistentWorkers option needs numWorkers > 0");
    this.prefetchFactor = opts.prefetchFactor ?? 2;
    if (!Number.isInteger(this.prefetchFactor) || this.prefetchFactor < 1)
      throw new RangeError(`DataLoader(): prefetchFactor should be a positive integer (got ${opts.prefetchFactor})`);
    if (this.batchSize !== null && (!Number.isInteger(this.batchSize) || this.batchSize <= 0))
      throw new RangeError(
        `DataLoader(): batchSize should be a positive integer value or null, but got batchSize=${this.batchSize}`,
      );
    if (this.numWorkers > 0 && !isWorkerReady(dataset))
      throw new TypeError(
        `DataLoader(): numWorkers=${this.numWorkers} needs a dataset that can be rebuilt in a worker thread, but ${dataset.constructor.name} has no workerSpec() method (see WorkerSpec in torchts.utils.data)`,
      );
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

  /** Stop the persistent workers, if any (a later epoch starts new ones). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    if (pool) await pool.close();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    const baseSeed = drawBaseSeed(this.opts.generator);
    if (this.numWorkers > 0) yield* this.iterWorkers(baseSeed);
    else if (!this.batches) yield* this.iterIterable();
    else {
      const ds = this.dataset as Dataset;
      for (const idx of this.batches) {
        const items = await Promise.all(idx.map((i) => ds.getItem(i)));
        yield this.batchSize === null ? (items[0] as B) : this.collate(items);
      }
    }
  }

  private async *iterIterable(): AsyncGenerator<B> {
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
  }

  /** A batch as it comes from a worker: collated there, or a list of samples to collate here. */
  private finish(data: unknown): B {
    if (this.batchSize === null || !this.opts.collateFn) return data as B;
    return this.collate(data as unknown[]);
  }

  private async *iterWorkers(baseSeed: bigint): AsyncGenerator<B> {
    const W = this.numWorkers;
    const persistent = this.opts.persistentWorkers ?? false;
    let pool = this.pool;
    if (pool && !pool.usable) {
      await this.close();
      pool = null;
    }
    if (pool) {
      if (!this.batches) pool.reset();
    } else {
      const spec = (this.dataset as unknown as { workerSpec(): WorkerSpec }).workerSpec();
      pool = await WorkerPool.start(
        W,
        {
          dataset: spec,
          iterable: !this.batches,
          collate: this.opts.collateFn ? "none" : "default",
          batchSize: this.batchSize,
          dropLast: this.opts.dropLast ?? false,
          initFn: this.opts.workerInitFn ?? null,
        },
        baseSeed,
      );
      if (persistent) this.pool = pool;
    }
    const p = pool;
    const maxInFlight = this.prefetchFactor * W;
    const queue: { worker: number; reply: Promise<Reply>; n: number }[] = [];
    let sent = 0;
    let send: () => boolean;
    const active = new Array<boolean>(W).fill(true);
    if (this.batches) {
      const it = this.batches[Symbol.iterator]();
      send = () => {
        const r = it.next();
        if (r.done) return false;
        const worker = sent % W;
        queue.push({ worker, reply: p.request(worker, { type: "fetch", indices: [...r.value] }), n: sent++ });
        return true;
      };
    } else {
      let cursor = 0;
      send = () => {
        for (let k = 0; k < W; k++) {
          const worker = cursor;
          cursor = (cursor + 1) % W;
          if (!active[worker]) continue;
          queue.push({ worker, reply: p.request(worker, { type: "next" }), n: sent++ });
          return true;
        }
        return false;
      };
    }
    let failed = false;
    try {
      while (queue.length < maxInFlight && send());
      while (queue.length) {
        const { worker, reply, n } = queue.shift()!;
        const r = await this.withTimeout(p, reply, worker, n);
        if (r.type === "done") {
          active[worker] = false;
          send();
          continue;
        }
        send();
        yield this.finish(decodeBatch(r.data));
      }
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      if (!persistent || failed) {
        if (this.pool === p) this.pool = null;
        await p.close();
      } else p.discardPending();
    }
  }

  private async withTimeout(pool: WorkerPool, reply: Promise<Reply>, worker: number, n: number): Promise<Reply> {
    const t = this.opts.timeout ?? 0;
    if (!t) return reply;
    await Promise.race([reply, pool.whenReady(worker)]);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`DataLoader timed out after ${t} seconds waiting for batch ${n} from worker ${worker}`)),
        t * 1000,
      );
    });
    return Promise.race([reply, timeout]).finally(() => clearTimeout(timer));
  }
}
