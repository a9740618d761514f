// The public `torch.webgpu` namespace: device setup, memory statistics, leak reporting and
// synchronisation.

export {
  init,
  isAvailable,
  isInitialized,
  emptyCache,
  synchronize,
  destroy,
  startProfiling,
  stopProfiling,
  type GpuInfo,
} from "./index.js";
export type { KernelTime } from "./profile.js";
export { memoryStats, setLeakReporting, isLeakReporting, type MemoryStats } from "./memory.js";
