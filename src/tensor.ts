// The Tensor: a strided view of a backend storage, plus the autograd fields.
// Op methods (`add`, `sum`, `matmul`, ...) are attached by the files under ops/, next to their
// functions, through declaration merging; this file holds only what every tensor has.

import { getBackend, type Backend, type Storage } from "./backend.js";
import { isFloating, type DType, type StorageArray } from "./dtype.js";
import { contiguousStrides, isContiguousLayout, normDim, numel, type Shape } from "./shape.js";
import type { Node } from "./autograd/node.js";
import { formatTensor } from "./format.js";
import { releaseStorage, retainStorage } from "./memory/refs.js";

/** A nested array of numbers or booleans, as returned by `tolist()`. */
export type NestedArray = number | boolean | NestedArray[];

/** A hook on the gradient of a tensor: may return a replacement gradient. */
export type GradHook = (grad: Tensor) => Tensor | void;

/** Called with every new tensor while a `torch.tidy` scope is open (null otherwise: one check per tensor). */
let onCreate: ((t: Tensor) => void) | null = null;
/** Called when a tensor's `.grad` is replaced (installed by src/memory/scope.ts). */
let onGradSet: ((holder: Tensor, old: Tensor | null, grad: Tensor | null) => void) | null = null;

/** @internal set the memory hooks of src/memory/scope.ts */
export function setMemoryHooks(
  create: ((t: Tensor) => void) | null,
  gradSet: ((holder: Tensor, old: Tensor | null, grad: Tensor | null) => void) | null,
): void {
  onCreate = create;
  onGradSet = gradSet;
}

/** A multi-dimensional array on a device, with autograd support (PyTorch's `torch.Tensor`). */
export class Tensor {
  /** The memory this tensor views (shared with its views). */
  readonly storage: Storage;
  /** Size of each dimension. */
  readonly shape: readonly number[];
  /** Elements to skip in storage to step one along each dimension. */
  readonly strides: readonly number[];
  /** Index of the first element in storage. */
  readonly offset: number;
  /** Element type. */
  readonly dtype: DType;

  /** The node that created this tensor, or null for leaves (`grad_fn`). */
  gradFn: Node | null = null;
  /** Which output of `gradFn` this tensor is. */
  outputNr = 0;
  /** @internal the `.grad` slot */
  _grad: Tensor | null = null;
  /** The tensor this one is a view of (null when it owns its storage). */
  base: Tensor | null = null;
  /** @internal leaf requires_grad flag */
  _requiresGrad = false;
  /** @internal created from a JS number for an op (a "wrapped number" in PyTorch's promotion rules) */
  _wrapped = false;
  /** @internal hooks on a leaf's gradient */
  _hooks: GradHook[] = [];
  /** @internal whether a non-leaf keeps its .grad */
  _retainsGrad = false;
  /** @internal set by dispose() */
  _disposed = false;

  constructor(storage: Storage, shape: Shape, strides?: Shape, offset = 0, dtype?: DType) {
    this.storage = storage;
    this.shape = shape;
    this.strides = strides ?? contiguousStrides(shape);
    this.offset = offset;
    this.dtype = dtype ?? storage.dtype;
    retainStorage(storage);
    if (onCreate !== null) onCreate(this);
  }

  /** Accumulated gradient of a leaf after `backward()` (or of a tensor that called `retainGrad()`). */
  get grad(): Tensor | null {
    return this._grad;
  }
  set grad(g: Tensor | null) {
    const old = this._grad;
    this._grad = g;
    if (onGradSet !== null && old !== g) onGradSet(this, old, g);
  }

  /** Device name, e.g. `"cpu"`. */
  get device(): string {
    return this.storage.device;
  }
  /** @internal the backend owning this tensor's storage */
  get backend(): Backend {
    return getBackend(this.storage.device);
  }
  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }
  /** Number of dimensions (`x.dim()`). */
  dim(): number {
    return this.shape.length;
  }
  /** Total number of elements. */
  numel(): number {
    return numel(this.shape);
  }
  /** The shape, or the size of one dimension. */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    return dim === undefined ? [...this.shape] : this.shape[normDim(dim, this.ndim, "size")]!;
  }
  /** The strides, or the stride of one dimension. */
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    return dim === undefined ? [...this.strides] : this.strides[normDim(dim, this.ndim, "stride")]!;
  }
  /** Index of the first element in the storage. */
  storageOffset(): number {
    return this.offset;
  }
  /** Whether the elements are laid out in row-major order without gaps. */
  isContiguous(): boolean {
    return isContiguousLayout(this.shape, this.strides);
  }
  /** Whether this tensor's dtype is a floating-point type. */
  isFloatingPoint(): boolean {
    return isFloating(this.dtype);
  }
  /** The version counter bumped by in-place ops (shared by views). */
  get version(): number {
    return this.storage.version;
  }

  /** Whether gradients are recorded for ops on this tensor. */
  get requiresGrad(): boolean {
    return this._requiresGrad || this.gradFn !== null;
  }
  set requiresGrad(v: boolean) {
    this.requiresGrad_(v);
  }
  /** Set requiresGrad on a leaf, in place; returns this. */
  requiresGrad_(v = true): this {
    if (this.gradFn !== null) {
      if (!v)
        throw new Error(
          "requiresGrad_(): you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use x.detach().",
        );
      return this;
    }
    if (v && !isFloating(this.dtype))
      throw new TypeError(
        `requiresGrad_(): only Tensors of floating point dtype can require gradients (got ${this.dtype})`,
      );
    this._requiresGrad = v;
    return this;
  }
  /** A tensor is a leaf when no recorded op created it. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** The elements in row-major order as a typed array (a copy), synchronously; CPU-like backends only. */
  dataSync(): StorageArray {
    return readContiguous(this, this.backend.readSync(this.storage));
  }
  /** The elements in row-major order as a typed array (a copy). int64 comes back as Float64Array. */
  async data(): Promise<StorageArray> {
    return readContiguous(this, await this.backend.read(this.storage));
  }
  /** The elements as nested arrays (booleans for bool tensors), like PyTorch's `tolist()`. */
  tolist(): NestedArray {
    return nest(this, this.dataSync());
  }
  /** `tolist()` for every device: the async form webgpu tensors need. */
  async tolistAsync(): Promise<NestedArray> {
    return nest(this, await this.data());
  }
  /** The value of a one-element tensor as a number (booleans as 0/1 numbers... use `tolist` for booleans). */
  item(): number {
    if (this.numel() !== 1)
      throw new RangeError(`item(): a Tensor with ${this.numel()} elements cannot be converted to Scalar`);
    return this.dataSync()[0]!;
  }
  /** `item()` for every device: the async form webgpu tensors need (`await x.itemAsync()`). */
  async itemAsync(): Promise<number> {
    if (this.numel() !== 1)
      throw new RangeError(`item(): a Tensor with ${this.numel()} elements cannot be converted to Scalar`);
    return (await this.data())[0]!;
  }
  /**
   * A contiguous copy on `device` (this tensor itself when already there), read back asynchronously:
   * the way to bring a webgpu tensor to the CPU. Not recorded by autograd (the copy is a leaf).
   */
  async toAsync(device: string): Promise<Tensor> {
    const target = getBackend(device);
    if (target.device === this.device) return this;
    return new Tensor(target.fromArray(this.dtype, await this.data()), [...this.shape], undefined, 0, this.dtype);
  }
  /**
   * Release this tensor's memory now: the storage goes back to its backend (the webgpu buffer pool,
   * the CPU array cache) once no other live tensor views it and autograd no longer saves it for
   * backward, so disposing one view never frees memory another tensor uses. Idempotent. The tensor
   * must not be used afterwards (on webgpu, ops on freed memory raise an error).
   */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    releaseStorage(this.storage);
  }
  /** Whether `dispose()` was called on this tensor. */
  get isDisposed(): boolean {
    return this._disposed;
  }
  /** `using x = ...` disposes the tensor at the end of the scope. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** PyTorch-style repr: `tensor([1., 2.], requires_grad=True)`. */
  toString(): string {
    return formatTensor(this);
  }
  /** Node's console.log uses this. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** Row-major elements as nested arrays (booleans for bool tensors). */
function nest(t: Tensor, flat: StorageArray): NestedArray {
  const isBool = t.dtype === "bool";
  const build = (dim: number, start: number): NestedArray => {
    if (dim === t.ndim) return isBool ? flat[start] !== 0 : flat[start]!;
    const inner = numel(t.shape.slice(dim + 1));
    const out: NestedArray[] = [];
    for (let i = 0; i < t.shape[dim]!; i++) out.push(build(dim + 1, start + i * inner));
    return out;
  };
  return build(0, 0);
}

/** Copy a tensor's elements out of its storage array in row-major order. */
export function readContiguous(t: Tensor, data: StorageArray): StorageArray {
  const n = t.numel();
  if (t.isContiguous()) return data.slice(t.offset, t.offset + n);
  const out = new (data.constructor as new (n: number) => StorageArray)(n);
  const nd = t.ndim;
  const idx = new Array<number>(nd).fill(0);
  let p = t.offset;
  for (let i = 0; i < n; i++) {
    out[i] = data[p]!;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      p += t.strides[d]!;
      if (idx[d]! < t.shape[d]!) break;
      p -= t.strides[d]! * t.shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}
