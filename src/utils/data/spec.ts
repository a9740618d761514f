// Worker specs: how a dataset (or a transform, or an init function) is re-created inside a DataLoader
// worker thread. Functions and class instances cannot be sent to another thread, so a worker-ready
// object describes itself as "call export `exportName` of ES module `module` with `args`", where the
// args are structured-cloneable (numbers, strings, arrays, plain objects, typed arrays, other specs).
// Tensors travel as SharedTensor: their elements in a SharedArrayBuffer that every worker reads
// without a copy.

import { Tensor } from "../../tensor.js";
import type { DType, StorageArray } from "../../dtype.js";
import { allocArray } from "../../dtype.js";
import { fromStorageArray } from "../../ops/creation.js";

/**
 * How to rebuild an object in a worker: `(await import(module))[exportName](...args)`.
 * `module` is a URL an ES `import()` in the worker resolves (use `import.meta.url` of the module
 * that exports the factory); `args` must survive `structuredClone`.
 */
export interface WorkerSpec {
  /** URL of the ES module (e.g. `import.meta.url`). */
  module: string;
  /** Name of the exported factory; it may return a promise. */
  exportName: string;
  /** Structured-cloneable arguments of the factory (they may contain other specs and SharedTensors). */
  args: unknown[];
}

/** An object that can describe itself to a worker (`Dataset`s, transforms, ...). */
export interface WorkerReady {
  /** The recipe a worker follows to rebuild this object. */
  workerSpec(): WorkerSpec;
}

/** Whether `x` implements `workerSpec()`. */
export function isWorkerReady(x: unknown): x is WorkerReady {
  return (
    (typeof x === "object" || typeof x === "function") &&
    x !== null &&
    typeof (x as { workerSpec?: unknown }).workerSpec === "function"
  );
}

/**
 * Attach a worker spec to an object or function (e.g. a custom transform), so DataLoader workers can
 * rebuild it: `withWorkerSpec(myTransform, { module: import.meta.url, exportName: "makeMyTransform", args: [] })`.
 * Returns the same object.
 */
export function withWorkerSpec<T extends object>(obj: T, spec: WorkerSpec | (() => WorkerSpec)): T & WorkerReady {
  const fn = typeof spec === "function" ? spec : () => spec;
  Object.defineProperty(obj, "workerSpec", { value: fn, configurable: true, enumerable: false, writable: true });
  return obj as T & WorkerReady;
}

/** Follow a spec: import its module and call its factory (runs in the worker). */
export async function buildFromSpec(spec: WorkerSpec): Promise<unknown> {
  if (!spec || typeof spec.module !== "string" || typeof spec.exportName !== "string" || !Array.isArray(spec.args))
    throw new TypeError("buildFromSpec(): expected { module: string, exportName: string, args: unknown[] }");
  const mod = (await import(/* @vite-ignore */ spec.module)) as Record<string, unknown>;
  const factory = mod[spec.exportName];
  if (typeof factory !== "function")
    throw new TypeError(`buildFromSpec(): module ${spec.module} has no exported function '${spec.exportName}'`);
  return await (factory as (...a: unknown[]) => unknown)(...spec.args);
}

/** A tensor's elements in shared memory: structured-cloneable, and free to send to many workers. */
export interface SharedTensor {
  /** Marks the object as a SharedTensor. */
  kind: "SharedTensor";
  dtype: DType;
  shape: number[];
  /** Row-major elements; backed by a SharedArrayBuffer when the platform has one. */
  data: StorageArray;
}

const shareCache = new WeakMap<Tensor, { version: number; shared: SharedTensor }>();

function storageArray(t: Tensor): StorageArray | null {
  const data = (t.storage as { data?: unknown }).data;
  return ArrayBuffer.isView(data) ? (data as StorageArray) : null;
}

/**
 * Put a tensor's elements in shared memory. Zero-copy when the tensor is contiguous and its storage
 * already lives in a SharedArrayBuffer; otherwise copied once and cached until the tensor is modified
 * in place.
 */
export function shareTensor(t: Tensor): SharedTensor {
  const cached = shareCache.get(t);
  if (cached && cached.version === t.version) return cached.shared;
  const n = t.numel();
  const store = storageArray(t);
  let data: StorageArray;
  if (
    store &&
    typeof SharedArrayBuffer !== "undefined" &&
    store.buffer instanceof SharedArrayBuffer &&
    t.isContiguous()
  ) {
    data = store.subarray(t.storageOffset(), t.storageOffset() + n);
  } else {
    const src = t.dataSync();
    data = allocShared(t.dtype, n);
    data.set(src);
  }
  const shared: SharedTensor = { kind: "SharedTensor", dtype: t.dtype, shape: [...t.shape], data };
  shareCache.set(t, { version: t.version, shared });
  return shared;
}

/** A zeroed storage array for `n` elements of `dtype` in a SharedArrayBuffer (a plain one if unavailable). */
export function allocShared(dtype: DType, n: number): StorageArray {
  const plain = allocArray(dtype, 0);
  if (typeof SharedArrayBuffer === "undefined") return allocArray(dtype, n);
  const ctor = plain.constructor as new (b: SharedArrayBuffer, o: number, n: number) => StorageArray;
  return new ctor(new SharedArrayBuffer(n * plain.BYTES_PER_ELEMENT), 0, n);
}

/** The tensor a SharedTensor describes (shares its memory: treat it as read-only). */
export function tensorFromShared(s: SharedTensor): Tensor {
  if (!isSharedTensor(s)) throw new TypeError("tensorFromShared(): expected a SharedTensor from shareTensor()");
  return fromStorageArray(s.data, s.shape, s.dtype);
}

/** Whether `x` is a SharedTensor. */
export function isSharedTensor(x: unknown): x is SharedTensor {
  return typeof x === "object" && x !== null && (x as { kind?: unknown }).kind === "SharedTensor";
}
