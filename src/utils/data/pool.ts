// The main-thread side of DataLoader workers: starts Node worker threads (node:worker_threads is
// loaded on demand, so the core still bundles for browsers), sends them numbered requests, and
// hands back each reply through a promise. A failing worker (an error in the dataset, a crash, an
// exit) rejects the requests waiting on it with the worker's message and stack. Worker handles are
// unref'd while no request is outstanding, so an abandoned iteration never keeps the process alive.

import type { WorkerInit, ToWorker, FromWorker } from "./worker.js";
import type { ErrorRecord } from "./transfer.js";

interface NodeWorker {
  readonly threadId: number;
  postMessage(m: ToWorker): void;
  on(ev: "message", fn: (m: FromWorker) => void): void;
  on(ev: "error", fn: (e: Error) => void): void;
  on(ev: "exit", fn: (code: number) => void): void;
  terminate(): Promise<number>;
  ref(): void;
  unref(): void;
}
type WorkerCtor = new (code: string, opts: { eval: true; workerData: unknown }) => NodeWorker;

/** An error thrown in a DataLoader worker, re-thrown on the main thread. */
export class DataLoaderWorkerError extends Error {
  /** The worker's id. */
  readonly workerId: number;
  /** The error's name in the worker (e.g. "RangeError"). */
  readonly originalName: string;
  /** The error's stack in the worker. */
  readonly workerStack: string;
  constructor(workerId: number, rec: ErrorRecord, where: string) {
    super(`Caught ${rec.name} in DataLoader worker ${workerId}${where}: ${rec.message}`);
    this.name = "DataLoaderWorkerError";
    this.workerId = workerId;
    this.originalName = rec.name;
    this.workerStack = rec.stack;
    this.stack = `${this.stack ?? this.message}\nOriginal stack in DataLoader worker ${workerId}:\n${rec.stack}`;
  }
}

/** A reply: a batch, or (iterable datasets) the end of a worker's stream. */
export type Reply = { type: "result"; data: unknown } | { type: "done" };

interface Pending {
  worker: number;
  resolve(r: Reply): void;
  reject(e: Error): void;
}

const BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
(async () => {
  if (workerData.tsLoader) (await import(workerData.tsLoader)).register();
  const entry = await import(workerData.entry);
  await entry.main();
})().catch((e) => { setImmediate(() => { throw e; }); });
`;

let live = 0;

/** @internal how many DataLoader worker threads are running in this process */
export function liveWorkerCount(): number {
  return live;
}

function workerFiles(): { entry: string; tsLoader: string | null } {
  const here = import.meta.url;
  const ext = /\.[cm]?[jt]s$/.exec(here)?.[0] ?? ".js";
  const entry = new URL(`./worker${ext}`, here).href;
  if (!ext.endsWith("ts")) return { entry, tsLoader: null };
  // running from TypeScript sources: Node 20 does not apply --import loaders to worker threads,
  // so the worker registers tsx itself
  const resolve = (import.meta as { resolve?: (s: string) => string }).resolve;
  try {
    if (!resolve) throw new Error("import.meta.resolve is unavailable");
    return { entry, tsLoader: resolve("tsx/esm/api") };
  } catch (e) {
    throw new Error(
      `DataLoader: torchts runs from its TypeScript sources, and worker threads need tsx to load them (${(e as Error).message}); install tsx or use the compiled package`,
    );
  }
}

/** @internal a set of worker threads serving one DataLoader */
export class WorkerPool {
  private readonly pending = new Map<number, Pending>();
  private nextTask = 0;
  private closed = false;
  private failure: Error | null = null;
  private referenced = true;
  private readonly ready: Promise<void>[] = [];
  private readonly markReady: (() => void)[] = [];

  private constructor(
    private readonly workers: NodeWorker[],
    private readonly exited: boolean[],
  ) {}

  /** Resolves once worker `id` has built its dataset (never rejects). */
  whenReady(id: number): Promise<void> {
    return this.ready[id]!;
  }

  /** Start `numWorkers` threads; worker i gets `init` with id i and seed baseSeed + i. */
  static async start(
    numWorkers: number,
    init: Omit<WorkerInit, "id" | "seed" | "numWorkers">,
    baseSeed: bigint,
  ): Promise<WorkerPool> {
    const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
    if (!proc?.versions?.node)
      throw new Error(
        "DataLoader: numWorkers > 0 needs Node.js worker_threads; in a browser, use numWorkers: 0 (the default)",
      );
    const name = "node:worker_threads";
    const { Worker } = (await import(/* @vite-ignore */ name)) as { Worker: WorkerCtor };
    const files = workerFiles();
    const workers: NodeWorker[] = [];
    const exited: boolean[] = [];
    const pool = new WorkerPool(workers, exited);
    for (let id = 0; id < numWorkers; id++) {
      const data: WorkerInit & typeof files = { ...init, ...files, id, numWorkers, seed: baseSeed + BigInt(id) };
      const w = new Worker(BOOTSTRAP, { eval: true, workerData: data });
      live++;
      workers.push(w);
      exited.push(false);
      pool.ready.push(new Promise<void>((r) => pool.markReady.push(r)));
      w.on("message", (m) => pool.onMessage(id, m));
      w.on("error", (e) => pool.fail(id, e, null));
      w.on("exit", (code) => {
        exited[id] = true;
        live--;
        if (!pool.closed) pool.fail(id, null, `DataLoader worker ${id} exited unexpectedly with code ${code}`);
      });
    }
    pool.updateRefs();
    return pool;
  }

  /** Whether the pool can still take requests. */
  get usable(): boolean {
    return !this.closed && !this.failure;
  }

  /** Send a request to worker `worker`; resolves with its reply. */
  request(worker: number, msg: { type: "fetch"; indices: number[] } | { type: "next" }): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error("DataLoader: the worker pool is closed"));
    const task = this.nextTask++;
    const p = new Promise<Reply>((resolve, reject) => this.pending.set(task, { worker, resolve, reject }));
    p.catch(() => {}); // a rejection is reported when the consumer reaches this batch, never as unhandled
    this.workers[worker]!.postMessage({ ...msg, task });
    this.updateRefs();
    return p;
  }

  /** Ask every worker to restart its iterable dataset's stream (persistent workers, new epoch). */
  reset(): void {
    for (const w of this.workers) w.postMessage({ type: "reset" });
  }

  /** Forget the requests still outstanding (their replies will be dropped). */
  discardPending(): void {
    this.pending.clear();
    this.updateRefs();
  }

  /** Terminate the threads. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new Error("DataLoader: the worker pool was closed");
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    await Promise.all(this.workers.map((w, i) => (this.exited[i] ? Promise.resolve(0) : w.terminate())));
  }

  private onMessage(id: number, m: FromWorker): void {
    if (m.task === null) {
      if (m.type === "error") this.fail(id, null, null, m.error);
      else if (m.type === "ready") this.markReady[id]!();
      return;
    }
    const p = this.pending.get(m.task);
    if (!p) return; // a reply to a discarded request
    this.pending.delete(m.task);
    if (m.type === "error") p.reject(new DataLoaderWorkerError(id, m.error, ""));
    else p.resolve(m.type === "done" ? { type: "done" } : { type: "result", data: m.data });
    this.updateRefs();
  }

  /** A worker failed as a whole: every request outstanding (and every later one) gets the error. */
  private fail(id: number, e: Error | null, msg: string | null, rec?: ErrorRecord): void {
    if (this.failure || this.closed) return;
    this.failure = rec
      ? new DataLoaderWorkerError(id, rec, " while starting")
      : e
        ? new DataLoaderWorkerError(
            id,
            { name: e.name, message: e.message, stack: e.stack ?? String(e) },
            " (uncaught)",
          )
        : new Error(msg ?? `DataLoader worker ${id} failed`);
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
    this.updateRefs();
  }

  /** Keep the process alive only while a reply is awaited. */
  private updateRefs(): void {
    const want = this.pending.size > 0;
    if (want === this.referenced) return;
    this.referenced = want;
    this.workers.forEach((w, i) => {
      if (this.exited[i]) return;
      if (want) w.ref();
      else w.unref();
    });
  }
}
