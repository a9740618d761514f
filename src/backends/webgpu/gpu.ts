// The WebGPU device behind the "webgpu" backend: acquiring an adapter (navigator.gpu in browsers, the
// npm package `webgpu` (Dawn) in Node: one code path after that), the buffer pool, command batching,
// the pipeline cache, kernel errors reported at the next readback, and async readback itself.
// It knows nothing of dtypes or ops: kernels.ts builds shaders and calls `dispatch`.
/// <reference types="@webgpu/types" />

import { nextTimestamps, profiling, resolveBatch } from "./profile.js";

/** GPUBufferUsage / GPUMapMode flags as numbers, so no WebGPU globals are needed (Node has none). */
const U = { MAP_READ: 1, COPY_SRC: 4, COPY_DST: 8, STORAGE: 128 } as const;
const MAP_READ_MODE = 1;

/** What `init` found: the device and a description of its adapter. */
export interface GpuInfo {
  /** Adapter vendor / architecture / description as reported (may be empty strings). */
  readonly adapter: string;
  /** Adapter features (e.g. "shader-f16"). */
  readonly features: readonly string[];
  /**
   * Whether float16 tensors take 2 bytes per element (stored as WGSL f16: the adapter has
   * "shader-f16" and the environment variable TORCHTS_WEBGPU_F16 is not "0"); otherwise they are
   * stored as f32 values on the f16 grid. Results are the same either way.
   */
  readonly float16Storage: boolean;
}

interface Context {
  gpu: GPU;
  device: GPUDevice;
  info: GpuInfo;
  /** A small buffer of atomic words in which kernels report bad indices (checked at readback). */
  errBuf: GPUBuffer;
  /** The kernel parameters of one batch of queued kernels (see `dispatch`), bound at dynamic offsets. */
  metaBuf: GPUBuffer;
  /** The device's alignment for those offsets (minStorageBufferOffsetAlignment). */
  metaAlign: number;
  /** Whether shaders may use f16 ("shader-f16" enabled): float16 tensors are then stored as f16. */
  f16: boolean;
  /** Whether the adapter is a GPU or a CPU implementation of WebGPU (see `adapterKind`). */
  kind: AdapterKind;
}

let ctx: Context | null = null;
/** Bumped for every device opened, so buffers of a destroyed device are never pooled again. */
let gen = 0;
let pending: Promise<Context> | null = null;
let lastError: Error | null = null;
/** Validation and device errors raised by Dawn/the browser, thrown at the next readback. */
const gpuErrors: string[] = [];

/** Number of atomic words in the kernel error buffer: [flag, code, index, size, dim, ...]. */
export const ERR_WORDS = 8;

async function findGpu(): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (!proc?.versions?.node)
    throw new Error("webgpu: this environment has no navigator.gpu (WebGPU is not enabled in this browser)");
  // Node: Dawn from the optional npm package `webgpu`; the name is a variable so bundlers leave it alone
  const pkg = "webgpu";
  let mod: { create(options: string[]): GPU };
  try {
    mod = (await import(pkg)) as typeof mod;
  } catch (e) {
    throw new Error(
      `webgpu: the optional npm package 'webgpu' (Dawn for Node) could not be loaded: ${(e as Error).message}`,
    );
  }
  return mod.create([]);
}

async function open(): Promise<Context> {
  const gpu = await findGpu();
  const adapter = await gpu.requestAdapter();
  if (!adapter)
    throw new Error(
      "webgpu: no WebGPU adapter found. In Node this needs a Vulkan driver (on Debian 12: Mesa 25 lavapipe from " +
        "bookworm-backports, see tools/setup_webgpu.sh); in a browser, WebGPU must be enabled.",
    );
  // timestamps for the kernel profiler (profile.ts) and f16 storage, where the adapter has them
  const f16 = adapter.features.has("shader-f16") && env("TORCHTS_WEBGPU_F16") !== "0";
  const features: GPUFeatureName[] = adapter.features.has("timestamp-query") ? ["timestamp-query"] : [];
  if (f16) features.push("shader-f16");
  const device = await adapter.requestDevice({
    requiredFeatures: features,
    requiredLimits: {
      maxStorageBuffersPerShaderStage: Math.min(8, adapter.limits.maxStorageBuffersPerShaderStage),
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
  device.onuncapturederror = (ev) => {
    gpuErrors.push(ev.error.message);
  };
  void device.lost.then((info) => {
    if (ctx?.device === device) {
      gpuErrors.push(`device lost: ${info.message}`);
      ctx = null;
      pending = null;
    }
  });
  const i = adapter.info;
  const desc = [i?.vendor, i?.architecture, i?.device, i?.description].filter((s) => s).join(" ");
  const errBuf = device.createBuffer({ size: ERR_WORDS * 4, usage: U.STORAGE | U.COPY_SRC | U.COPY_DST });
  const metaBuf = device.createBuffer({ size: META_BYTES + META_MAX_BINDING, usage: U.STORAGE | U.COPY_DST });
  const info = { adapter: desc || "unknown", features: [...adapter.features], float16Storage: f16 };
  // a software adapter: Mesa's lavapipe reports the architecture "software", SwiftShader its name
  const kind: AdapterKind = /software|cpu|llvmpipe|swiftshader/i.test(desc) ? "cpu" : "gpu";
  const metaAlign = device.limits.minStorageBufferOffsetAlignment;
  return { gpu, device, info, errBuf, metaBuf, metaAlign, f16, kind };
}

/** Acquire the adapter and device (once; later calls return the same). Throws when there is none. */
export async function initGpu(): Promise<GpuInfo> {
  if (ctx) return ctx.info;
  pending ??= open();
  try {
    ctx = await pending;
    gen++;
    lastError = null;
    return ctx.info;
  } catch (e) {
    pending = null;
    lastError = e as Error;
    throw e;
  }
}

/** The device, or a clear error telling to initialise first. */
export function gpu(): Context {
  if (ctx) return ctx;
  throw new Error(
    "webgpu: the device is not initialised: call `await torch.webgpu.init()` before creating webgpu tensors" +
      (lastError ? ` (the last attempt failed: ${lastError.message})` : ""),
  );
}

/** Which device buffers belong to (see `gen`). */
export function generation(): number {
  return gen;
}

/**
 * Whether float16 tensors are stored as f16 (the adapter has "shader-f16" and TORCHTS_WEBGPU_F16 is
 * not "0"); otherwise they are stored as f32 values on the f16 grid.
 */
export function halfStorage(): boolean {
  return ctx?.f16 ?? false;
}

/** A GPU, or a CPU implementation of WebGPU (lavapipe, SwiftShader): kernels may tune for either. */
export type AdapterKind = "gpu" | "cpu";

/** The kind of the open device's adapter ("gpu" when none is open). */
export function adapterKind(): AdapterKind {
  return ctx?.kind ?? "gpu";
}

/** Whether `init` succeeded. */
export function ready(): boolean {
  return ctx !== null;
}

// ---- buffer pool ------------------------------------------------------------------------------

/** Sizes are rounded up to a power of two (at least 16 bytes), so buffers of one class are interchangeable. */
export function sizeClass(bytes: number): number {
  let s = 16;
  while (s < bytes) s *= 2;
  return s;
}

const freeBuffers = new Map<number, GPUBuffer[]>();
const stats = { bytesInUse: 0, buffersInUse: 0, bytesPooled: 0, buffersPooled: 0 };
/** Pooled bytes above this are destroyed instead of kept. */
let poolLimit = 256 * 2 ** 20;

/** A storage buffer of at least `bytes` bytes. `fresh` tells whether it is zero-filled (newly made). */
export function acquire(bytes: number): { buffer: GPUBuffer; fresh: boolean } {
  const size = sizeClass(bytes);
  const list = freeBuffers.get(size);
  stats.bytesInUse += size;
  stats.buffersInUse++;
  const b = list?.pop();
  if (b) {
    stats.bytesPooled -= size;
    stats.buffersPooled--;
    return { buffer: b, fresh: false };
  }
  const buffer = gpu().device.createBuffer({ size, usage: U.STORAGE | U.COPY_SRC | U.COPY_DST });
  return { buffer, fresh: true };
}

/**
 * Give a buffer from `acquire` back to the pool. Queued kernels may still use it: a kernel that reuses it
 * runs after them (commands run in order), and `upload` submits them before writing to a reused buffer.
 */
export function release(b: GPUBuffer): void {
  const size = b.size;
  stats.bytesInUse -= size;
  stats.buffersInUse--;
  if (stats.bytesPooled + size > poolLimit) {
    if (encoder) destroyAfterSubmit.push(b);
    else destroyBuffer(b);
    return;
  }
  let list = freeBuffers.get(size);
  if (!list) freeBuffers.set(size, (list = []));
  list.push(b);
  stats.bytesPooled += size;
  stats.buffersPooled++;
}

/** Bytes and buffers held by live tensors and kept in the pool. */
export function poolStats(): { bytesInUse: number; buffersInUse: number; bytesPooled: number; buffersPooled: number } {
  return { ...stats };
}

/** Destroy the pooled (unused) buffers; optionally change how many bytes the pool may keep. */
export function emptyPool(limit?: number): void {
  flush();
  for (const list of freeBuffers.values()) for (const b of list) destroyBuffer(b);
  freeBuffers.clear();
  stats.bytesPooled = 0;
  stats.buffersPooled = 0;
  if (limit !== undefined) poolLimit = limit;
}

// ---- commands ---------------------------------------------------------------------------------

let encoder: GPUCommandEncoder | null = null;
/** The compute pass the queued kernels go into (ended when a copy or clear is queued, or at flush). */
let pass: GPUComputePassEncoder | null = null;
let queued = 0;
/** Pooled buffers over the pool's limit, destroyed once the commands that may use them are submitted. */
const destroyAfterSubmit: GPUBuffer[] = [];
/** Temporaries of queued kernels, given back to the pool once those are submitted. */
const afterSubmit: GPUBuffer[] = [];
/** Submit after this many kernels, so work starts while JS goes on. */
const BATCH = 32;

/** The command encoder collecting copies and clears (and the compute passes) until the next flush. */
function commands(): GPUCommandEncoder {
  encoder ??= gpu().device.createCommandEncoder();
  if (pass) {
    pass.end();
    pass = null;
  }
  return encoder;
}

/** The open compute pass (each dispatch in it is its own usage scope, so kernels see earlier writes). */
function computePass(): GPUComputePassEncoder {
  if (pass) return pass;
  encoder ??= gpu().device.createCommandEncoder();
  pass = encoder.beginComputePass();
  return pass;
}

/** Whether commands are waiting to be submitted. */
export function hasQueued(): boolean {
  return encoder !== null;
}

/** Submit the queued commands (with their kernel parameters, written just before them). */
export function flush(): void {
  if (!encoder || !ctx) return;
  const enc = commands();
  if (metaUsed > 0) ctx.device.queue.writeBuffer(ctx.metaBuf, 0, metaHost.buffer, 0, metaUsed);
  const readTimestamps = profiling() ? resolveBatch(enc) : null;
  ctx.device.queue.submit([enc.finish()]);
  readTimestamps?.();
  encoder = null;
  queued = 0;
  metaUsed = 0;
  for (const b of destroyAfterSubmit.splice(0)) destroyBuffer(b);
  for (const b of afterSubmit.splice(0)) release(b);
}

/** Release `b` (a temporary read by kernels queued after this call) once the queued commands are submitted. */
export function releaseAfterSubmit(b: GPUBuffer): void {
  afterSubmit.push(b);
}

/** Copy `data` into `b` (flushing first when queued commands might still use `b`). */
export function upload(b: GPUBuffer, data: ArrayBufferView, mayBeQueued: boolean): void {
  if (mayBeQueued) flush();
  gpu().device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
}

/** A temporary copy of `b` (for kernels that read a buffer they also write). */
export function snapshot(b: GPUBuffer): GPUBuffer {
  const { buffer } = acquire(b.size);
  commands().copyBufferToBuffer(b, 0, buffer, 0, b.size);
  releaseAfterSubmit(buffer);
  return buffer;
}

/** Zero-fill a buffer in command order. */
export function clear(b: GPUBuffer): void {
  commands().clearBuffer(b);
}

// ---- pipelines --------------------------------------------------------------------------------

/**
 * How a kernel binds a buffer: "r" read-only storage, "w" read-write storage, "m" the kernel's parameters
 * (read-only i32 words, bound after its buffers), "e" the error buffer (after the parameters).
 */
export type BindKind = "r" | "w" | "m" | "e";

interface Kernel {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  /** Numbers the pipeline in bind-group cache keys. */
  id: number;
  /** What the profiler calls it: the cache key, cut short. */
  name: string;
}
const pipelines = new Map<string, Kernel>();

/** A compute pipeline for `code` (entry point `main`), cached by `key`; `binds` lists its bindings 0.. in order. */
export function pipeline(key: string, binds: readonly BindKind[], code: () => string): Kernel {
  let k = pipelines.get(key);
  if (k) return k;
  const device = gpu().device;
  const layout = device.createBindGroupLayout({
    entries: binds.map((b, i) => ({
      binding: i,
      visibility: 4, // GPUShaderStage.COMPUTE
      buffer: {
        type: b === "w" || b === "e" ? ("storage" as const) : ("read-only-storage" as const),
        hasDynamicOffset: b === "m",
      },
    })),
  });
  const src = (gpu().f16 ? "enable f16;\n" : "") + code();
  const module = device.createShaderModule({ code: src, label: key.slice(0, 200) });
  if (debugShaders)
    void module.getCompilationInfo().then((info) => {
      for (const m of info.messages)
        if (m.type === "error") console.error(`WGSL error in ${key}: ${m.message}\n${src}`);
    });
  const p = device.createComputePipeline({
    layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
    compute: { module, entryPoint: "main" },
  });
  k = { pipeline: p, layout, id: pipelines.size, name: key.slice(0, 120) };
  pipelines.set(key, k);
  return k;
}

/** An environment variable in Node (undefined in browsers). */
export function env(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

const debugShaders = env("TORCHTS_WEBGPU_DEBUG") === "1";

/** Number of cached pipelines. */
export function pipelineCount(): number {
  return pipelines.size;
}

// ---- kernel parameters and bind groups -------------------------------------------------------

/**
 * Parameters of the kernels queued since the last flush, packed at aligned offsets; `flush` writes them
 * to the device's parameter buffer just before submitting, and each kernel binds its slice by dynamic
 * offset. So a kernel costs no buffer of its own, and its bind group depends only on its buffers.
 */
const META_BYTES = 1 << 18;
/** Largest parameter block of one kernel (a binding's size is a power of two from 64 bytes up to this). */
const META_MAX_BINDING = 1 << 14;
const metaHost = new Uint8Array(META_BYTES + META_MAX_BINDING);
let metaUsed = 0;

/** Copy `meta` into the batch's parameter block; returns its offset and binding size. */
function stageMeta(c: Context, meta: Int32Array): [offset: number, size: number] {
  let size = 64;
  while (size < meta.byteLength) size *= 2;
  if (size > META_MAX_BINDING) throw new Error(`webgpu: kernel parameters of ${meta.byteLength} bytes are too large`);
  if (metaUsed + size > META_BYTES) flush();
  const offset = metaUsed;
  metaHost.set(new Uint8Array(meta.buffer, meta.byteOffset, meta.byteLength), offset);
  metaUsed = Math.ceil((offset + size) / c.metaAlign) * c.metaAlign;
  return [offset, size];
}

/** Numbers buffers for bind-group cache keys (a number is never reused). */
const bufferIds = new WeakMap<GPUBuffer, number>();
let nextBufferId = 0;
function bufferId(b: GPUBuffer): number {
  let id = bufferIds.get(b);
  if (id === undefined) bufferIds.set(b, (id = nextBufferId++));
  return id;
}

/** Bind groups by pipeline, buffers and parameter size: pooled buffers recur, so most kernels find theirs. */
const bindGroups = new Map<string, GPUBindGroup>();
/** The cache keys naming each buffer, dropped when the buffer is destroyed. */
const keysByBuffer = new Map<number, string[]>();
const MAX_BIND_GROUPS = 1 << 14;

function bindGroup(
  c: Context,
  k: Kernel,
  buffers: readonly GPUBuffer[],
  metaSize: number,
  errors: boolean,
): GPUBindGroup {
  let key = `${k.id}|${metaSize}`;
  for (const b of buffers) key += `|${bufferId(b)}`;
  let bind = bindGroups.get(key);
  if (bind) return bind;
  if (bindGroups.size >= MAX_BIND_GROUPS) {
    bindGroups.clear();
    keysByBuffer.clear();
  }
  const entries: GPUBindGroupEntry[] = buffers.map((buffer, i) => ({ binding: i, resource: { buffer } }));
  entries.push({ binding: buffers.length, resource: { buffer: c.metaBuf, size: metaSize } });
  if (errors) entries.push({ binding: buffers.length + 1, resource: { buffer: c.errBuf } });
  bind = c.device.createBindGroup({ layout: k.layout, entries });
  bindGroups.set(key, bind);
  for (const b of buffers) {
    const id = bufferId(b);
    const keys = keysByBuffer.get(id);
    if (keys) keys.push(key);
    else keysByBuffer.set(id, [key]);
  }
  return bind;
}

/** Destroy a buffer and forget the bind groups that use it. */
function destroyBuffer(b: GPUBuffer): void {
  const id = bufferIds.get(b);
  if (id !== undefined) {
    for (const key of keysByBuffer.get(id) ?? []) bindGroups.delete(key);
    keysByBuffer.delete(id);
  }
  b.destroy();
}

/**
 * Queue one kernel: `buffers` are bound at 0.., then `meta` (i32 words: shapes, strides, scalars) as a
 * read-only storage buffer, then the error buffer when `errors` is set. `groups` are workgroup counts.
 */
export function dispatch(
  k: Kernel,
  buffers: readonly GPUBuffer[],
  meta: Int32Array,
  groups: readonly [number, number, number],
  errors = false,
): void {
  const c = gpu();
  const [offset, size] = stageMeta(c, meta);
  const bind = bindGroup(c, k, buffers, size, errors);
  if (profiling()) {
    // a pass of its own, timestamped at its start and end
    const timestampWrites = nextTimestamps(k.name);
    if (!timestampWrites) {
      flush();
      return dispatch(k, buffers, meta, groups, errors);
    }
    const p = commands().beginComputePass({ timestampWrites });
    p.setPipeline(k.pipeline);
    p.setBindGroup(0, bind, [offset]);
    p.dispatchWorkgroups(groups[0], groups[1], groups[2]);
    p.end();
  } else {
    const p = computePass();
    p.setPipeline(k.pipeline);
    p.setBindGroup(0, bind, [offset]);
    p.dispatchWorkgroups(groups[0], groups[1], groups[2]);
  }
  if (++queued >= BATCH) flush();
}

/** Workgroup counts (x, y) covering `n` workgroups within the 65535-per-dimension limit. */
export function grid(n: number): [number, number, number] {
  const x = Math.min(n, 65535);
  return [Math.max(x, 1), Math.max(Math.ceil(n / 65535), 1), 1];
}

// ---- readback ---------------------------------------------------------------------------------

/** Decodes a kernel error report (flag, code, index, size, dim) into an Error, or null. */
export type ErrorDecoder = (words: Int32Array) => Error | null;
let decodeKernelError: ErrorDecoder = () => null;
/** Set how kernel error reports are turned into errors (kernels.ts knows the codes). */
export function setErrorDecoder(d: ErrorDecoder): void {
  decodeKernelError = d;
}

/** Wait for the queued kernels and copy `bytes` bytes of `b` to the host; throws deferred kernel errors. */
export async function readBuffer(b: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
  const c = gpu();
  const size = Math.ceil(bytes / 4) * 4;
  const staging = c.device.createBuffer({ size: size + ERR_WORDS * 4, usage: U.MAP_READ | U.COPY_DST });
  const enc = commands();
  if (size > 0) enc.copyBufferToBuffer(b, 0, staging, 0, size);
  enc.copyBufferToBuffer(c.errBuf, 0, staging, size, ERR_WORDS * 4);
  flush();
  try {
    await staging.mapAsync(MAP_READ_MODE);
    const all = staging.getMappedRange().slice(0);
    staging.unmap();
    checkErrors(new Int32Array(all, size, ERR_WORDS));
    return all.slice(0, bytes);
  } finally {
    staging.destroy();
  }
}

/** Wait until every queued kernel has run, then throw any error they reported. */
export async function synchronize(): Promise<void> {
  await readBuffer(gpu().errBuf, 0);
}

function checkErrors(words: Int32Array): void {
  if (gpuErrors.length) {
    const msg = gpuErrors.splice(0).join("\n");
    throw new Error(`webgpu: a kernel failed: ${msg}`);
  }
  if (words[0] !== 0) {
    const c = gpu();
    c.device.queue.writeBuffer(c.errBuf, 0, new Int32Array(ERR_WORDS));
    throw decodeKernelError(words) ?? new Error("webgpu: a kernel reported an unknown error");
  }
}

/** Release the device and every buffer (tensors still on webgpu become unusable). */
export function destroyGpu(): void {
  if (!ctx) return;
  flush();
  emptyPool();
  pipelines.clear();
  bindGroups.clear();
  keysByBuffer.clear();
  const c = ctx;
  ctx = null;
  pending = null;
  gen++;
  stats.bytesInUse = 0;
  stats.buffersInUse = 0;
  c.device.destroy();
}
