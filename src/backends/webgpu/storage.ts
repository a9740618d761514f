// Storage of the "webgpu" device: one GPUBuffer from the pool per storage, in the layout wgsl.ts's
// storeType gives (float32/bfloat16 as f32, float16 as f16 where the device has it, the integers as
// i32, bool as u32), plus the host-side conversions for upload and readback. A FinalizationRegistry gives the buffer of a storage that was never
// disposed back to the pool once the storage is garbage collected (a backstop: dispose() is prompt),
// and reports it as a leak with the place the storage was created (./memory.ts).

import type { Storage } from "../../backend.js";
import type { DType, StorageArray } from "../../dtype.js";
import { f16BitsToNumber } from "../../dtype.js";
import { acquire, clear, generation, halfStorage, hasQueued, release, upload } from "./gpu.js";
import { creationSite, noteLeak } from "./memory.js";
import { storeBytes } from "./wgsl.js";

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Why a dtype cannot be stored on webgpu, or null when it can. */
export function unsupportedReason(dtype: DType): string | null {
  switch (dtype) {
    case "float32":
    case "float16":
    case "bfloat16":
    case "int32":
    case "int64":
    case "int8":
    case "uint8":
    case "int16":
    case "bool":
      return null;
    case "float64":
      return "float64 is not supported on webgpu (WebGPU has no 64-bit floats): use float32";
    default:
      return `${dtype} is not supported on webgpu yet (float32, float16, bfloat16, int8, uint8, int16, int32, int64 in the int32 range and bool are)`;
  }
}

/** A tensor storage on the GPU. */
export class WebGpuStorage implements Storage {
  readonly device = "webgpu";
  version = 0;
  /** Live tensors and saved references using this storage (src/memory/refs.ts). */
  refs = 0;
  /** Set by `dispose()`: the buffer went back to the pool. */
  freed = false;
  /** The device generation the buffer belongs to. */
  readonly generation = generation();
  constructor(
    readonly dtype: DType,
    readonly numel: number,
    /** The buffer, or null for a storage of an unsupported dtype (kernels then raise `unsupported`). */
    public buffer: GPUBuffer | null,
    readonly unsupported: string | null = null,
  ) {}
}

interface Held {
  buffer: GPUBuffer;
  generation: number;
  /** Where the storage was created, when leak reporting is on. */
  site: string | null;
}
const backstop = new FinalizationRegistry<Held>((h) => {
  if (h.generation !== generation()) return;
  const bytes = h.buffer.size;
  release(h.buffer);
  noteLeak(h.site, bytes);
});

function track(s: WebGpuStorage): WebGpuStorage {
  if (s.buffer) backstop.register(s, { buffer: s.buffer, generation: generation(), site: creationSite() }, s);
  return s;
}

/** A zero-filled storage (unspecified contents unless `zeroed`); for an unsupported dtype, a placeholder on which every kernel raises a clear error. */
export function allocStorage(dtype: DType, numel: number, zeroed = true): WebGpuStorage {
  const why = unsupportedReason(dtype);
  if (why) return new WebGpuStorage(dtype, numel, null, why);
  const { buffer, fresh } = acquire(Math.max(numel, 1) * storeBytes(dtype));
  if (!fresh && zeroed) clear(buffer);
  return track(new WebGpuStorage(dtype, numel, buffer));
}

/** The GPU layout of host data of `dtype` (a whole number of 4-byte words). */
function toDevice(dtype: DType, data: StorageArray): Float32Array | Int32Array | Uint32Array | Uint16Array {
  switch (dtype) {
    case "float16": // f16, or f32 on the 16-bit grid as on the CPU
      return halfStorage() ? halfBits(data as Float32Array) : (data as Float32Array);
    case "float32":
    case "bfloat16":
      return data as Float32Array;
    case "float64":
      return Float32Array.from(data);
    case "int32":
      return data as Int32Array;
    case "int64": {
      const out = new Int32Array(data.length);
      for (let i = 0; i < data.length; i++) {
        const v = data[i]!;
        if (v < INT32_MIN || v > INT32_MAX)
          throw new RangeError(`webgpu stores int64 as int32: the value ${v} is outside [${INT32_MIN}, ${INT32_MAX}]`);
        out[i] = v;
      }
      return out;
    }
    case "bool":
      return Uint32Array.from(data);
    case "int8": // kept as int32, wrapped to their width by every kernel that writes them
    case "uint8":
    case "int16":
      return Int32Array.from(data);
    default:
      throw new Error(`webgpu: cannot store ${dtype}`);
  }
}

/** A storage holding `data` (in the dtype's CPU storage representation). */
export function storageFrom(dtype: DType, data: StorageArray): WebGpuStorage {
  // float64 is allowed for single values (JS-number operands, read by float32 ops as float32)
  const why = dtype === "float64" && data.length <= 1 ? null : unsupportedReason(dtype);
  if (why) throw new TypeError(`cannot create a ${dtype} tensor on webgpu: ${why}`);
  const host = toDevice(dtype, data);
  const { buffer, fresh } = acquire(Math.max(host.byteLength, 4));
  if (host.length) upload(buffer, host, !fresh && hasQueued());
  else if (!fresh) clear(buffer);
  return track(new WebGpuStorage(dtype, data.length, buffer));
}

/** Convert the first `numel` elements read back from the GPU to the dtype's CPU storage representation. */
export function fromDevice(dtype: DType, bytes: ArrayBuffer, numel: number): StorageArray {
  switch (dtype) {
    case "float16":
      return halfStorage() ? halfValues(new Uint16Array(bytes, 0, numel)) : new Float32Array(bytes, 0, numel);
    case "float32":
    case "bfloat16":
      return new Float32Array(bytes, 0, numel);
    case "float64":
      return Float64Array.from(new Float32Array(bytes));
    case "int32":
      return new Int32Array(bytes);
    case "int64":
      return Float64Array.from(new Int32Array(bytes));
    case "bool":
      return Uint8Array.from(new Uint32Array(bytes));
    case "int8":
      return Int8Array.from(new Int32Array(bytes));
    case "uint8":
      return Uint8Array.from(new Int32Array(bytes));
    case "int16":
      return Int16Array.from(new Int32Array(bytes));
    default:
      throw new Error(`webgpu: cannot read ${dtype}`);
  }
}

/** Bytes to read back for a storage's elements. */
export function storageBytes(s: WebGpuStorage): number {
  return s.numel * storeBytes(s.dtype);
}

/**
 * float32 values to float16 bits (nearest, ties to even; the values are normally on the f16 grid
 * already), padded to an even count so uploads are whole 4-byte words.
 */
function halfBits(x: Float32Array): Uint16Array {
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const out = new Uint16Array(x.length + (x.length & 1));
  for (let i = 0; i < x.length; i++) {
    const b = bits[i]!;
    const a = b & 0x7fffffff;
    let h: number;
    if (a > 0x7f800000) h = 0x7e00;
    else if (a >= 0x477ff000)
      h = 0x7c00; // 65520 and up round to Inf
    else if (a >= 0x38800000) {
      // normal: drop 13 mantissa bits, rounding to nearest even (a carry may reach the exponent)
      h = (a - 0x38000000 + 0xfff + ((a >>> 13) & 1)) >>> 13;
    } else {
      // subnormal (or zero): a multiple of 2^-24, rounded to nearest even
      const k = Math.abs(x[i]!) * 2 ** 24;
      const r = Math.floor(k);
      h = k - r > 0.5 || (k - r === 0.5 && (r & 1) === 1) ? r + 1 : r;
    }
    out[i] = ((b >>> 16) & 0x8000) | h;
  }
  return out;
}

/** float16 bits to their values, through a table of all 65536 halves (built on first use). */
function halfValues(h: Uint16Array): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) halfTable[i] = f16BitsToNumber(i);
  }
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) out[i] = halfTable[h[i]!]!;
  return out;
}
let halfTable: Float32Array | null = null;

/** Give a storage's buffer back to the pool now; later use of the storage raises an error. */
export function freeStorage(s: WebGpuStorage): void {
  if (!s.buffer) return;
  backstop.unregister(s);
  if (s.generation === generation()) release(s.buffer);
  s.buffer = null;
  s.freed = true;
}

/** The buffer of a storage for op `op`, or a clear error (unsupported dtype, disposed tensor). */
export function bufferOf(s: Storage, op: string): GPUBuffer {
  const w = s as WebGpuStorage;
  if (w.unsupported) throw new TypeError(`${op}(): ${w.unsupported}`);
  if (!w.buffer)
    throw new Error(`${op}(): this webgpu tensor was disposed (its memory went back to the pool) and cannot be used`);
  return w.buffer;
}
