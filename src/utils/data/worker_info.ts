// getWorkerInfo(): inside a DataLoader worker thread, which worker this is (torch.utils.data.get_worker_info).

/** What a DataLoader worker knows about itself. */
export interface WorkerInfo {
  /** This worker's index, 0 ≤ id < numWorkers. */
  readonly id: number;
  /** How many workers the DataLoader runs. */
  readonly numWorkers: number;
  /** The seed of this worker's default generator: the DataLoader's base seed + id, as in PyTorch. */
  readonly seed: bigint;
  /** This worker's copy of the dataset (undefined while the dataset is being built). */
  readonly dataset: unknown;
}

let info: WorkerInfo | null = null;

/** Inside a DataLoader worker: its id, worker count, seed and dataset copy; null on the main thread. */
export function getWorkerInfo(): WorkerInfo | null {
  return info;
}

/** @internal set by the worker entry point */
export function setWorkerInfo(i: WorkerInfo | null): void {
  info = i;
}
