// Moving batches between a DataLoader worker and the main thread: tensors become
// { dtype, shape, data } records whose typed-array buffers are transferred (not copied), and are
// rebuilt as tensors on the other side. Arrays and plain objects are walked; other values
// (numbers, strings, booleans, null, typed arrays) go through structured clone as they are.

import { Tensor } from "../../tensor.js";
import type { DType, StorageArray } from "../../dtype.js";
import { fromStorageArray } from "../../ops/creation.js";

const TAG = "$torchtsTensor";

interface EncodedTensor {
  [TAG]: true;
  dtype: DType;
  shape: number[];
  data: StorageArray;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Encode a batch for postMessage; the buffers to transfer are pushed onto `transfer`. */
export function encodeBatch(value: unknown, transfer: ArrayBuffer[]): unknown {
  if (value instanceof Tensor) {
    let data = value.dataSync();
    // dataSync copies, but transfer only a buffer that holds exactly these elements and nothing else
    const buf = data.buffer;
    const shared = typeof SharedArrayBuffer !== "undefined" && buf instanceof SharedArrayBuffer;
    if (!shared && (data.byteOffset !== 0 || buf.byteLength !== data.byteLength)) data = data.slice();
    if (!shared && !transfer.includes(data.buffer as ArrayBuffer)) transfer.push(data.buffer as ArrayBuffer);
    const enc: EncodedTensor = { [TAG]: true, dtype: value.dtype, shape: [...value.shape], data };
    return enc;
  }
  if (Array.isArray(value)) return value.map((v) => encodeBatch(v, transfer));
  if (typeof value === "object" && value !== null && !ArrayBuffer.isView(value) && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = encodeBatch(v, transfer);
    return out;
  }
  return value;
}

/** Rebuild a batch encoded by encodeBatch. */
export function decodeBatch(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeBatch);
  if (typeof value === "object" && value !== null && !ArrayBuffer.isView(value) && isPlainObject(value)) {
    const rec = value as Record<string, unknown>;
    if (rec[TAG] === true) {
      const t = value as EncodedTensor;
      return fromStorageArray(t.data, t.shape, t.dtype);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rec)) out[k] = decodeBatch(v);
    return out;
  }
  return value;
}

/** An error as plain data (postMessage keeps only some Error fields). */
export interface ErrorRecord {
  name: string;
  message: string;
  stack: string;
}

/** Plain-data copy of a thrown value. */
export function errorRecord(e: unknown): ErrorRecord {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack ?? `${e.name}: ${e.message}` };
  return { name: "Error", message: String(e), stack: `thrown value: ${String(e)}` };
}
