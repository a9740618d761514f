// PyTorch's checkpoint format (torch.save / torch.load since 1.6): a zip of stored entries holding
// `<name>/data.pkl` (a protocol-2 pickle whose tensors point at storages by persistent id),
// `<name>/data/<key>` (raw little-endian storage bytes, shared by views) and `<name>/version`.

import { Tensor } from "../tensor.js";
import { getBackend, type Storage } from "../backend.js";
import { allocArray, f16BitsToNumber, itemSize, numberToF16Bits, type DType, type StorageArray } from "../dtype.js";
import { PyGlobal, Pickler, unpickle } from "./pickle.js";
import { readZip, writeZip } from "./zip.js";
import { nodeFs } from "../io/nodefs.js";
import { readHostValues, storageValues, type HostValues } from "./host_values.js";

const STORAGE_DTYPE: Record<string, DType> = {
  FloatStorage: "float32",
  DoubleStorage: "float64",
  HalfStorage: "float16",
  BFloat16Storage: "bfloat16",
  LongStorage: "int64",
  IntStorage: "int32",
  ShortStorage: "int16",
  CharStorage: "int8",
  ByteStorage: "uint8",
  BoolStorage: "bool",
};
const DTYPE_STORAGE = Object.fromEntries(Object.entries(STORAGE_DTYPE).map(([k, v]) => [v, k])) as Record<
  DType,
  string
>;

/** Little-endian bytes of a storage array in PyTorch's layout for `dtype`. */
export function storageBytes(data: StorageArray, dtype: DType): Uint8Array {
  const n = data.length;
  if (dtype === "int64") {
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) out[i] = BigInt(data[i]!);
    return new Uint8Array(out.buffer);
  }
  if (dtype === "float16" || dtype === "bfloat16") {
    const out = new Uint16Array(n);
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    for (let i = 0; i < n; i++) {
      if (dtype === "float16") out[i] = numberToF16Bits(data[i]!);
      else {
        f[0] = data[i]!;
        out[i] = u[0]! >>> 16;
      }
    }
    return new Uint8Array(out.buffer);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
}

/** A storage array of `dtype` from PyTorch's little-endian bytes. */
export function arrayFromBytes(bytes: Uint8Array, dtype: DType, what: string): StorageArray {
  const size = itemSize[dtype];
  if (bytes.length % size !== 0)
    throw new Error(`${what}: ${bytes.length} bytes is not a whole number of ${dtype} elements`);
  const n = bytes.length / size;
  const copy = bytes.slice(); // aligned copy
  const out = allocArray(dtype, n);
  if (dtype === "int64") {
    const src = new BigInt64Array(copy.buffer);
    for (let i = 0; i < n; i++) {
      const v = src[i]!;
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER))
        throw new Error(`${what}: int64 value ${v} is beyond 2^53, which torchts int64 tensors cannot hold exactly`);
      out[i] = Number(v);
    }
  } else if (dtype === "float16" || dtype === "bfloat16") {
    const src = new Uint16Array(copy.buffer);
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    for (let i = 0; i < n; i++) {
      if (dtype === "float16") out[i] = f16BitsToNumber(src[i]!);
      else {
        u[0] = src[i]! << 16;
        out[i] = f[0]!;
      }
    }
  } else if (dtype === "bool") {
    for (let i = 0; i < n; i++) out[i] = copy[i] ? 1 : 0;
  } else out.set(new (out.constructor as new (b: ArrayBuffer) => StorageArray)(copy.buffer));
  return out;
}

/** Serialize a value (tensors, Maps, objects, arrays, numbers, strings, booleans, null) to checkpoint bytes. */
export function serialize(obj: unknown, values?: HostValues): Uint8Array {
  const keys = new Map<Storage, string>();
  const blobs: { name: string; data: Uint8Array }[] = [];
  const pickler = new Pickler((p, v) => {
    if (v instanceof StorageRef) {
      p.global("torch", DTYPE_STORAGE[v.dtype]);
      return true;
    }
    if (!(v instanceof Tensor)) return false;
    let key = keys.get(v.storage);
    if (key === undefined) {
      key = String(keys.size);
      keys.set(v.storage, key);
      blobs.push({ name: `archive/data/${key}`, data: storageBytes(storageValues(v, values), v.dtype) });
    }
    p.global("torch._utils", "_rebuild_tensor_v2");
    p.raw(0x28); // MARK of the args tuple
    p.tuple(["storage", new StorageRef(v.dtype), key, "cpu", v.storage.numel]);
    p.raw(0x51); // BINPERSID
    p.int(v.offset);
    p.tuple([...v.shape]);
    p.tuple([...v.strides]);
    p.raw(v.requiresGrad ? 0x88 : 0x89);
    p.global("collections", "OrderedDict");
    p.raw(0x29, 0x52, 0x74, 0x52); // (), REDUCE; TUPLE; REDUCE
    return true;
  });
  pickler.dump(obj);
  const pkl = pickler.finish();
  return writeZip([
    { name: "archive/data.pkl", data: pkl },
    ...blobs,
    { name: "archive/version", data: new TextEncoder().encode("3\n") },
  ]);
}

class StorageRef {
  constructor(readonly dtype: DType) {}
}

const ALLOWED = new Set([
  "collections.OrderedDict",
  "torch._utils._rebuild_tensor_v2",
  "torch._utils._rebuild_parameter",
  "torch.nn.parameter.Parameter",
  ...Object.keys(STORAGE_DTYPE).map((s) => `torch.${s}`),
]);

/** Read checkpoint bytes; tensors land on `device` (default cpu). Dicts come back as Maps. */
export function deserialize(bytes: Uint8Array, opts: { device?: string; what?: string } = {}): unknown {
  const what = opts.what ?? "load()";
  const entries = readZip(bytes, what);
  const pklName = [...entries.keys()].find((k) => k.endsWith("/data.pkl") || k === "data.pkl");
  if (!pklName) throw new Error(`${what}: no data.pkl in the archive (not a PyTorch checkpoint)`);
  const prefix = pklName.slice(0, -"data.pkl".length);
  const backend = getBackend(opts.device ?? "cpu");
  const storages = new Map<string, Storage>();
  return unpickle(
    entries.get(pklName)!,
    {
      allowed: (g) => ALLOWED.has(g.qualified),
      persistentLoad(pid) {
        if (!Array.isArray(pid) || pid[0] !== "storage" || !(pid[1] instanceof PyGlobal))
          throw new Error(`${what}: unsupported persistent id ${JSON.stringify(pid)}`);
        const dtype = STORAGE_DTYPE[pid[1].name]!;
        const key = String(pid[2]);
        let s = storages.get(key);
        if (!s) {
          const blob = entries.get(`${prefix}data/${key}`);
          if (!blob) throw new Error(`${what}: storage ${key} is missing from the archive`);
          const arr = arrayFromBytes(blob, dtype, `${what} storage ${key}`);
          if (arr.length < Number(pid[4]))
            throw new Error(`${what}: storage ${key} holds ${arr.length} elements, expected ${pid[4]}`);
          s = backend.fromArray(dtype, arr);
          storages.set(key, s);
        }
        return s;
      },
      call(fn, args) {
        switch (fn.qualified) {
          case "collections.OrderedDict":
            return new Map();
          case "torch._utils._rebuild_tensor_v2": {
            const [storage, offset, size, stride, requiresGrad] = args as [
              Storage,
              number,
              number[],
              number[],
              boolean,
            ];
            let end = offset;
            for (let i = 0; i < size.length; i++) end += (size[i]! - 1) * stride[i]!;
            if (size.every((d) => d > 0) && end >= storage.numel)
              throw new Error(
                `${what}: tensor of size [${size.join(", ")}] with strides [${stride.join(", ")}] at offset ${offset} exceeds its storage of ${storage.numel} elements`,
              );
            const t = new Tensor(storage, [...size], [...stride], offset, storage.dtype);
            if (requiresGrad) t.requiresGrad_(true);
            return t;
          }
          case "torch._utils._rebuild_parameter": {
            const [data, requiresGrad] = args as [Tensor, boolean];
            if (requiresGrad) data.requiresGrad_(true);
            return data;
          }
          default:
            throw new Error(`${what}: '${fn.qualified}' cannot be called while loading`);
        }
      },
    },
    what,
  );
}

/** Save a value to a file in PyTorch's format (`torch.save`); Python's `torch.load(path, weights_only=True)` reads it. */
export async function save(obj: unknown, path: string): Promise<void> {
  await (await nodeFs()).writeFile(path, serialize(obj, await readHostValues(obj)));
}

/** Load a file written by `torch.save` (PyTorch's or ours). Never runs code from the file. */
export async function load(path: string, opts: { device?: string } = {}): Promise<unknown> {
  const buf = new Uint8Array(await (await nodeFs()).readFile(path));
  return deserialize(buf, { device: opts.device, what: `load(${path})` });
}
