// The public `torch.webgpu` namespace: device setup, memory statistics and synchronisation.

export {
  init,
  isAvailable,
  isInitialized,
  memoryStats,
  emptyCache,
  synchronize,
  destroy,
  type MemoryStats,
  type GpuInfo,
} from "./index.js";
