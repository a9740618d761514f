// safetensors: an 8-byte little-endian header length, a JSON header ({ name: { dtype, shape,
// data_offsets } , "__metadata__": { ... } }), then the raw little-endian tensor bytes.

import { readContiguous, Tensor } from "../tensor.js";
import { readHostValues, storageValues, type HostValues } from "./host_values.js";
import { getBackend } from "../backend.js";
import type { DType } from "../dtype.js";
import { contiguousStrides, numel } from "../shape.js";
import { arrayFromBytes, storageBytes } from "./pt.js";
import { nodeFs, type FileHandle } from "../io/nodefs.js";

const ST_DTYPE: Record<string, DType> = {
  F32: "float32",
  F64: "float64",
  F16: "float16",
  BF16: "bfloat16",
  I64: "int64",
  I32: "int32",
  I16: "int16",
  I8: "int8",
  U8: "uint8",
  BOOL: "bool",
};
const DTYPE_ST = Object.fromEntries(Object.entries(ST_DTYPE).map(([k, v]) => [v, k])) as Record<DType, string>;

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Encode named tensors (and string metadata) as safetensors bytes. */
export function serializeSafetensors(
  tensors: Map<string, Tensor> | Record<string, Tensor>,
  metadata?: Record<string, string>,
  values?: HostValues,
): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    const bytes = storageBytes(readContiguous(t, storageValues(t, values)), t.dtype);
    header[name] = { dtype: DTYPE_ST[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    blobs.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8); // the format pads the header to 8 bytes
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let p = 8 + head.length;
  for (const b of blobs) {
    out.set(b, p);
    p += b.length;
  }
  return out;
}

/** Parse and validate a safetensors header from its first bytes; returns the header and data start. */
export function parseSafetensorsHeader(
  prefix: Uint8Array,
  fileSize: number,
  what = "safetensors",
): { header: Record<string, HeaderEntry>; metadata: Record<string, string>; dataStart: number } {
  if (prefix.length < 8) throw new Error(`${what}: file too short (${prefix.length} bytes)`);
  const n = Number(new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true));
  if (n > 100_000_000 || 8 + n > fileSize)
    throw new Error(`${what}: invalid header length ${n} (file of ${fileSize} bytes; truncated or not safetensors)`);
  if (prefix.length < 8 + n) throw new Error(`${what}: truncated header`);
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(new TextDecoder().decode(prefix.subarray(8, 8 + n))) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${what}: corrupt header JSON (${(e as Error).message})`);
  }
  const metadata = (parsed.__metadata__ ?? {}) as Record<string, string>;
  delete parsed.__metadata__;
  const header = parsed as unknown as Record<string, HeaderEntry>;
  const dataLen = fileSize - 8 - n;
  for (const [name, e] of Object.entries(header)) {
    if (!ST_DTYPE[e.dtype]) throw new Error(`${what}: tensor ${name} has unsupported dtype ${e.dtype}`);
    const [b, end] = e.data_offsets;
    const expected = numel(e.shape) * byteSize(e.dtype);
    if (!(b >= 0 && end >= b && end <= dataLen) || end - b !== expected)
      throw new Error(
        `${what}: tensor ${name}: data_offsets [${b}, ${end}] do not match shape [${e.shape.join(", ")}] of ${e.dtype} within ${dataLen} data bytes`,
      );
  }
  return { header, metadata, dataStart: 8 + n };
}

function byteSize(st: string): number {
  return { F32: 4, F64: 8, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 }[st] ?? 0;
}

function toTensor(bytes: Uint8Array, e: HeaderEntry, device: string, what: string): Tensor {
  const dtype = ST_DTYPE[e.dtype]!;
  const arr = arrayFromBytes(bytes, dtype, what);
  return new Tensor(getBackend(device).fromArray(dtype, arr), [...e.shape], contiguousStrides(e.shape), 0, dtype);
}

/** Decode safetensors bytes into a Map of tensors plus the metadata. */
export function deserializeSafetensors(
  bytes: Uint8Array,
  opts: { device?: string } = {},
): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  const { header, metadata, dataStart } = parseSafetensorsHeader(bytes, bytes.length);
  const tensors = new Map<string, Tensor>();
  for (const [name, e] of Object.entries(header))
    tensors.set(
      name,
      toTensor(
        bytes.subarray(dataStart + e.data_offsets[0], dataStart + e.data_offsets[1]),
        e,
        opts.device ?? "cpu",
        `safetensors ${name}`,
      ),
    );
  return { tensors, metadata };
}

/** Write named tensors to a .safetensors file. */
export async function saveFile(
  tensors: Map<string, Tensor> | Record<string, Tensor>,
  path: string,
  metadata?: Record<string, string>,
): Promise<void> {
  const values = await readHostValues(tensors);
  await (await nodeFs()).writeFile(path, serializeSafetensors(tensors, metadata, values));
}

/** Read a whole .safetensors file. */
export async function loadFile(path: string, opts: { device?: string } = {}): Promise<Map<string, Tensor>> {
  const buf = new Uint8Array(await (await nodeFs()).readFile(path));
  return deserializeSafetensors(buf, opts).tensors;
}

/** A .safetensors file opened lazily: reads the header, then one tensor at a time (`safe_open`). */
export class SafeOpen {
  private constructor(
    private readonly fh: FileHandle,
    private readonly header: Record<string, HeaderEntry>,
    readonly metadata: Record<string, string>,
    private readonly dataStart: number,
    private readonly device: string,
    private readonly path: string,
  ) {}
  /** Open a file and read only its header. */
  static async open(path: string, opts: { device?: string } = {}): Promise<SafeOpen> {
    const fh = await (await nodeFs()).open(path, "r");
    try {
      const size = (await fh.stat()).size;
      const lenBuf = new Uint8Array(8);
      await fh.read(lenBuf, 0, 8, 0);
      const n = Number(new DataView(lenBuf.buffer).getBigUint64(0, true));
      if (n > 100_000_000 || 8 + n > size)
        throw new Error(`${path}: invalid header length ${n} (truncated or not safetensors)`);
      const prefix = new Uint8Array(8 + n);
      await fh.read(prefix, 0, 8 + n, 0);
      const { header, metadata, dataStart } = parseSafetensorsHeader(prefix, size, path);
      return new SafeOpen(fh, header, metadata, dataStart, opts.device ?? "cpu", path);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }
  /** Names of the tensors in the file. */
  keys(): string[] {
    return Object.keys(this.header);
  }
  /** Read one tensor (only its bytes are read from disk). */
  async getTensor(name: string): Promise<Tensor> {
    const e = this.header[name];
    if (!e) throw new Error(`${this.path}: no tensor named '${name}' (has ${this.keys().join(", ")})`);
    const len = e.data_offsets[1] - e.data_offsets[0];
    const buf = new Uint8Array(len);
    await this.fh.read(buf, 0, len, this.dataStart + e.data_offsets[0]);
    return toTensor(buf, e, this.device, `${this.path} ${name}`);
  }
  /** Close the file. */
  async close(): Promise<void> {
    await this.fh.close();
  }
}
