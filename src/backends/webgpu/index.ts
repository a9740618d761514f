// The "webgpu" device: tensors in GPU buffers, kernels as WGSL compute shaders, one code path for
// browsers (navigator.gpu) and Node (npm `webgpu`, Dawn). Exposed as `torch.webgpu`.
//
// Initialisation is explicit and async: `await torch.webgpu.init()` (or `isAvailable()`) before the
// first webgpu tensor; creating one before fails with an error saying so. Readback is async only:
// `await x.data()`, `await x.itemAsync()`, `await x.tolistAsync()`, `await x.toAsync("cpu")`.
// Memory is freed by `x.dispose()` (or `using`), else when the tensor is garbage collected.
// Dtypes: float32, float16 (f16 where the device has "shader-f16", else f32 on its grid), bfloat16
// (f32 rounded to its grid), int8/uint8/int16 (i32 wrapped to their width), int32, bool, and int64
// stored as int32 (values must lie in [-2^31, 2^31)); float64 only for single JS-number operands
// (an op producing float64 raises an error naming it). Value
// checks raise at the next readback (`asyncOnly`: see ops/device_check.ts and ops/host_values.ts).

import type { Backend } from "../../backend.js";
import { destroyGpu, emptyPool, flush, gpu, initGpu, readBuffer, ready } from "./gpu.js";
import { beginSession, endSession, profiling, type KernelTime } from "./profile.js";
import type { GpuInfo } from "./gpu.js";
import { synchronize as sync } from "./gpu.js";
import { webgpuKernels } from "./kernels.js";
import {
  allocStorage,
  bufferOf,
  freeStorage,
  fromDevice,
  storageBytes,
  storageFrom,
  type WebGpuStorage,
} from "./storage.js";

export type { GpuInfo } from "./gpu.js";

/** The backend registered for the device "webgpu". */
export const webgpuBackend: Backend = {
  device: "webgpu",
  kernels: webgpuKernels,
  alloc: (dtype, n) => allocStorage(dtype, n),
  allocUninit: (dtype, n) => allocStorage(dtype, n, false),
  fromArray: (dtype, data) => storageFrom(dtype, data),
  async read(s) {
    const w = s as WebGpuStorage;
    const bytes = await readBuffer(bufferOf(w, "data"), storageBytes(w));
    return fromDevice(w.dtype, bytes, w.numel);
  },
  readSync() {
    throw new Error(
      "webgpu tensors cannot be read synchronously (dataSync(), item(), tolist(), toString(), cpu(), to('cpu')): " +
        "use `await x.data()`, `await x.itemAsync()`, `await x.tolistAsync()` or `await x.toAsync('cpu')`",
    );
  },
  asyncOnly: true,
  free: (s) => freeStorage(s as WebGpuStorage),
};

/**
 * Find a WebGPU adapter and open its device (once); needed before the first webgpu tensor.
 * Throws a clear error when there is no adapter (or, in Node, no `webgpu` package or Vulkan driver).
 */
export async function init(): Promise<GpuInfo> {
  return initGpu();
}

/** Whether a WebGPU device can be used here (initialises it on success). */
export async function isAvailable(): Promise<boolean> {
  try {
    await initGpu();
    return true;
  } catch {
    return false;
  }
}

/** Whether `init()` has succeeded. */
export function isInitialized(): boolean {
  return ready();
}

/** Destroy the pooled buffers no tensor uses (`torch.cuda.empty_cache`). */
export function emptyCache(): void {
  emptyPool();
}

/** Wait until every queued kernel has finished; throws errors kernels reported (e.g. bad indices). */
export async function synchronize(): Promise<void> {
  if (!ready()) return;
  flush();
  await sync();
}

/**
 * Start timing every kernel on the GPU (see `stopProfiling`). Needs the adapter's "timestamp-query"
 * feature; kernels run one compute pass each while profiling, a little slower than usual.
 */
export function startProfiling(): void {
  const { device } = gpu();
  if (profiling()) throw new Error("webgpu.startProfiling(): a profiling session is already running");
  if (!device.features.has("timestamp-query"))
    throw new Error(
      "webgpu.startProfiling(): this adapter has no 'timestamp-query' feature, so kernels cannot be timed",
    );
  flush(); // kernels queued before are not part of the session
  beginSession(device);
}

/**
 * Stop profiling and return the GPU time of each kernel (by pipeline), largest total first:
 *
 *   torch.webgpu.startProfiling();
 *   trainStep();
 *   console.table(await torch.webgpu.stopProfiling());
 */
export async function stopProfiling(): Promise<KernelTime[]> {
  flush();
  return endSession();
}

/** Release the device; webgpu tensors that still exist become unusable. `init()` opens a new one. */
export function destroy(): void {
  destroyGpu();
}
