// The CPU storage cache: large typed arrays whose tensors were freed explicitly (`backend.free`, called
// by `dispose()` / `torch.tidy` once no tensor views the storage) are kept, by byte size, and handed
// to the next allocation of that size, so a loop reuses its memory instead of asking the system for
// fresh pages (first-touch page faults cost more than the arithmetic of an elementwise op). A
// recycled buffer is first detached from every typed array that viewed it (a transfer), so no stale
// reference can reach memory a new tensor owns. Arrays the garbage collector frees go back to the C
// allocator, which the native addon tunes to keep them for reuse too (native/src/addon.cc).

import { arrayCtor, type DType, type StorageArray } from "../../dtype.js";

/** Arrays below this many bytes are left to V8, which allocates and zeroes them cheaply. */
const MIN_BYTES = 1 << 16;

interface NodeLike {
  process?: { env?: Record<string, string | undefined> };
  Buffer?: { allocUnsafeSlow(bytes: number): Uint8Array };
}
const g = globalThis as NodeLike;
const envCap = Number(g.process?.env?.TORCHTS_CPU_POOL_BYTES ?? NaN);
/** Most bytes the cache holds (TORCHTS_CPU_POOL_BYTES overrides; 0 turns caching off). */
let capBytes = Number.isFinite(envCap) && envCap >= 0 ? envCap : 256 * 2 ** 20;

const free = new Map<number, ArrayBuffer[]>();
let pooledBytes = 0;
/** Buffers this backend allocated, the only ones it may recycle (never a user's array). */
const owned = new WeakSet<ArrayBuffer>();

/** A fresh buffer without the zero fill where the platform allows it (Node's Buffer), else zeroed. */
function newBuffer(bytes: number): ArrayBuffer {
  const B = g.Buffer;
  if (B) {
    const u = B.allocUnsafeSlow(bytes);
    if (u.byteOffset === 0 && u.buffer.byteLength === bytes) return u.buffer as ArrayBuffer;
  }
  return new ArrayBuffer(bytes);
}

/**
 * A storage array of `n` elements of `dtype` with unspecified contents: a cached buffer of the same
 * size, else new memory without the zero fill. Null for small arrays (V8's own allocation is best).
 */
export function takeArray(dtype: DType, n: number): StorageArray | null {
  const bytes = n * arrayCtor[dtype].BYTES_PER_ELEMENT;
  if (bytes < MIN_BYTES) return null;
  const list = free.get(bytes);
  let buf = list?.pop();
  if (buf) pooledBytes -= bytes;
  else {
    buf = newBuffer(bytes);
    owned.add(buf);
  }
  return new arrayCtor[dtype](buf, 0, n);
}

/** Arrays from this many bytes are allocated without the zero fill when their contents are unspecified. */
const UNINIT_BYTES = 8192;

/** Arrays above V8's on-heap limit and up to this many bytes are carved from a shared slab. */
const SLAB_ITEM_BYTES = 8192;
/** Size of one slab: fresh, zero-filled memory that is never reused, so its arrays start zeroed. */
const SLAB_BYTES = 1 << 16;
let slab: ArrayBuffer | null = null;
let slabUsed = SLAB_BYTES;

/**
 * A zero-filled array of `n` elements carved from the current slab, or null outside the slab's size
 * range. V8 allocates a typed array of over 64 bytes as a separate off-heap buffer, which costs
 * microseconds (the size of a small op's arithmetic); a view of a slab costs a tenth of that. The GC
 * frees a slab once none of its arrays is reachable, so a long-lived small tensor keeps up to
 * SLAB_BYTES alive.
 */
function slabArray(dtype: DType, n: number): StorageArray | null {
  const ctor = arrayCtor[dtype];
  const bytes = n * ctor.BYTES_PER_ELEMENT;
  if (bytes <= 64 || bytes > SLAB_ITEM_BYTES) return null;
  if (slabUsed + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const a = new ctor(slab!, slabUsed, n);
  slabUsed += (bytes + 63) & ~63; // 64-byte aligned, as the C allocator's large blocks
  return a;
}

/** A zero-filled storage array of `n` elements: from the cache (refilled), a slab, or V8. */
export function zeroedArray(dtype: DType, n: number): StorageArray {
  const cached = takeArray(dtype, n);
  if (cached) return cached.fill(0);
  return slabArray(dtype, n) ?? new arrayCtor[dtype](n);
}

/**
 * A fresh storage array of `n` elements with unspecified contents (for outputs a kernel overwrites):
 * from the cache or new memory without the zero fill from UNINIT_BYTES on (the fill costs as much as
 * an elementwise op on such sizes), else V8's zeroed allocation.
 */
export function uninitArray(dtype: DType, n: number): StorageArray {
  const cached = takeArray(dtype, n) ?? slabArray(dtype, n);
  if (cached) return cached;
  const ctor = arrayCtor[dtype];
  const bytes = n * ctor.BYTES_PER_ELEMENT;
  return bytes >= UNINIT_BYTES ? new ctor(newBuffer(bytes), 0, n) : new ctor(n);
}

/**
 * Take back the memory of an array no live tensor uses any more. Every typed array viewing it is
 * detached (length 0) first. Arrays the backend did not allocate, or over the cap, are left to the GC.
 */
export function recycleArray(a: StorageArray): void {
  const buf = a.buffer as ArrayBuffer;
  const bytes = buf.byteLength;
  if (!owned.has(buf) || bytes < MIN_BYTES || pooledBytes + bytes > capBytes) return;
  let moved: ArrayBuffer;
  try {
    moved = structuredClone(buf, { transfer: [buf] });
  } catch {
    return; // not detachable (e.g. backed by shared memory): leave it to the GC
  }
  owned.add(moved);
  let list = free.get(bytes);
  if (!list) free.set(bytes, (list = []));
  list.push(moved);
  pooledBytes += bytes;
}

/** What the cache holds now. */
export interface CpuPoolStats {
  /** Bytes held for reuse. */
  pooledBytes: number;
  /** Most bytes it may hold. */
  capBytes: number;
}

/** The cache's state (for tests and benchmarks). */
export function cpuPoolStats(): CpuPoolStats {
  return { pooledBytes, capBytes };
}

/** Set the most bytes the cache may hold, dropping cached buffers above it; 0 empties and disables it. */
export function setCpuPoolCap(bytes: number): void {
  if (!(bytes >= 0)) throw new RangeError(`setCpuPoolCap(): expected a byte count >= 0, got ${bytes}`);
  capBytes = bytes;
  for (const [size, list] of free) {
    while (list.length && pooledBytes > capBytes) {
      list.pop();
      pooledBytes -= size;
    }
    if (!list.length) free.delete(size);
  }
}
