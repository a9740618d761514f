// torch.utils.data: datasets, samplers, collate, DataLoader and its worker threads.

export { Dataset, IterableDataset, TensorDataset, ConcatDataset, Subset, randomSplit } from "./dataset.js";
export {
  SequentialSampler,
  RandomSampler,
  SubsetRandomSampler,
  WeightedRandomSampler,
  BatchSampler,
  type Sampler,
  type SizeSource,
} from "./sampler.js";
export { defaultCollate } from "./collate.js";
export { DataLoader, type DataLoaderOptions } from "./dataloader.js";
export {
  type WorkerSpec,
  type WorkerReady,
  type SharedTensor,
  isWorkerReady,
  withWorkerSpec,
  buildFromSpec,
  shareTensor,
  tensorFromShared,
} from "./spec.js";
export { getWorkerInfo, type WorkerInfo } from "./worker_info.js";
export { DataLoaderWorkerError } from "./pool.js";
export type { WorkerFnRef } from "./worker.js";
