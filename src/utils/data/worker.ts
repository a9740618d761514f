// The entry point of a DataLoader worker thread (Node worker_threads): seeds the worker's default
// generator (base seed + worker id, as PyTorch does), rebuilds the dataset from its WorkerSpec, runs
// the optional init function, then answers the main thread's requests one at a time, in order:
// `fetch` (map-style: load and collate the items at some indices) or `next` (iterable-style: the
// next batch of the worker's own iterator). Results go back with transferred buffers; errors go
// back with their message and stack.

import "../../index.js"; // registers the CPU backend in this thread
import { defaultGenerator } from "../../ops/random.js";
import { buildFromSpec, type WorkerSpec } from "./spec.js";
import { setWorkerInfo } from "./worker_info.js";
import { encodeBatch, errorRecord } from "./transfer.js";
import { defaultCollate } from "./collate.js";
import type { Dataset, IterableDataset } from "./dataset.js";

/** A function a worker calls: `(await import(module))[exportName](workerId, ...args)`. */
export interface WorkerFnRef {
  module: string;
  exportName: string;
  args?: unknown[];
}

/** @internal what the main thread passes as workerData */
export interface WorkerInit {
  id: number;
  numWorkers: number;
  seed: bigint;
  dataset: WorkerSpec;
  iterable: boolean;
  /** "default": collate in the worker; "none": send the list of samples (the main thread collates). */
  collate: "default" | "none";
  batchSize: number | null;
  dropLast: boolean;
  initFn: WorkerFnRef | null;
}

/** @internal requests from the main thread */
export type ToWorker =
  { type: "fetch"; task: number; indices: number[] } | { type: "next"; task: number } | { type: "reset" };

/** @internal replies to the main thread */
export type FromWorker =
  | { type: "result"; task: number; data: unknown }
  | { type: "done"; task: number }
  | { type: "ready"; task: null }
  | { type: "error"; task: number | null; error: { name: string; message: string; stack: string } };

interface Port {
  on(event: "message", fn: (m: ToWorker) => void): void;
  postMessage(m: FromWorker, transfer?: ArrayBuffer[]): void;
}

/** @internal started by the bootstrap code of the worker */
export async function main(): Promise<void> {
  const name = "node:worker_threads";
  const wt = (await import(/* @vite-ignore */ name)) as { parentPort: Port | null; workerData: WorkerInit };
  if (!wt.parentPort) throw new Error("utils/data/worker: not running in a worker thread");
  const port = wt.parentPort;
  const init = wt.workerData;
  const info = { id: init.id, numWorkers: init.numWorkers, seed: init.seed, dataset: undefined as unknown };
  setWorkerInfo(info);

  let dataset: Dataset | IterableDataset;
  let iterator: AsyncIterator<unknown> | null = null;
  let exhausted = false;
  let initError: unknown = null;
  let queue: Promise<void> = (async () => {
    try {
      defaultGenerator.manualSeed(init.seed);
      const built = await buildFromSpec(init.dataset);
      const ok = init.iterable
        ? typeof (built as IterableDataset | null)?.[Symbol.asyncIterator] === "function"
        : typeof (built as Dataset | null)?.getItem === "function";
      if (!ok)
        throw new TypeError(
          `${init.dataset.module}#${init.dataset.exportName} returned ${describe(built)}, expected ${init.iterable ? "an IterableDataset" : "a Dataset"}`,
        );
      dataset = built as Dataset | IterableDataset;
      info.dataset = dataset;
      if (init.initFn) {
        const mod = (await import(/* @vite-ignore */ init.initFn.module)) as Record<string, unknown>;
        const fn = mod[init.initFn.exportName];
        if (typeof fn !== "function")
          throw new TypeError(
            `workerInitFn: module ${init.initFn.module} has no exported function '${init.initFn.exportName}'`,
          );
        await (fn as (...a: unknown[]) => unknown)(init.id, ...(init.initFn.args ?? []));
      }
      port.postMessage({ type: "ready", task: null });
    } catch (e) {
      initError = e;
      port.postMessage({ type: "error", task: null, error: errorRecord(e) });
    }
  })();

  const collate = (items: unknown[]): unknown =>
    init.batchSize === null ? items[0] : init.collate === "default" ? defaultCollate(items) : items;

  async function handle(msg: ToWorker): Promise<void> {
    if (initError) return;
    if (msg.type === "reset") {
      iterator = null;
      exhausted = false;
      return;
    }
    try {
      let items: unknown[];
      if (msg.type === "fetch") {
        const ds = dataset as Dataset;
        items = await Promise.all(msg.indices.map((i) => ds.getItem(i)));
      } else {
        items = [];
        const want = init.batchSize ?? 1;
        iterator ??= (dataset as IterableDataset)[Symbol.asyncIterator]();
        while (!exhausted && items.length < want) {
          const r = await iterator.next();
          if (r.done) exhausted = true;
          else items.push(r.value);
        }
        if (items.length === 0 || (items.length < want && init.dropLast)) {
          port.postMessage({ type: "done", task: msg.task });
          return;
        }
      }
      const transfer: ArrayBuffer[] = [];
      const data = encodeBatch(collate(items), transfer);
      port.postMessage({ type: "result", task: msg.task, data }, transfer);
    } catch (e) {
      port.postMessage({ type: "error", task: msg.task, error: errorRecord(e) });
    }
  }

  port.on("message", (msg) => {
    queue = queue.then(() => handle(msg));
  });
}

function describe(x: unknown): string {
  if (x === null || typeof x !== "object") return String(x);
  return `an instance of ${(x as { constructor?: { name?: string } }).constructor?.name ?? "Object"}`;
}
