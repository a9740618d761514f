// torch.utils.data: datasets, samplers, collate and DataLoader.

export { Dataset, IterableDataset, TensorDataset, ConcatDataset, Subset, randomSplit } from "./dataset.js";
export {
  SequentialSampler,
  RandomSampler,
  SubsetRandomSampler,
  WeightedRandomSampler,
  BatchSampler,
  type Sampler,
} from "./sampler.js";
export { defaultCollate } from "./collate.js";
export { DataLoader, type DataLoaderOptions } from "./dataloader.js";
