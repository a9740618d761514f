// torch.tidy / torch.keep / torch.dispose: scopes that dispose, when they end, the tensors created
// inside them that did not escape. A scope follows an async function across `await` on Node
// (AsyncLocalStorage from src/utils/async_store.ts, shared with grad mode). Browsers have no
// async context: there a scope is current only while its function runs synchronously, so an async
// `tidy` tracks the tensors made before its first `await` (later ones are left to the garbage
// collector) and still disposes them, minus the resolved value, when the promise settles.
//
// Spared at the end of a scope: tensors in the returned value (arrays, plain objects, Maps, Sets and
// other objects' own fields, walked deeply; they move to the enclosing scope), tensors marked with
// `keep`, leaves that require grad (parameters: PyTorch's variables), tensors held as some tensor's
// `.grad` (then owned by that slot: replacing the `.grad`, e.g. `optimizer.zeroGrad()`, disposes them),
// and tensors already disposed. While no scope is open, a new tensor costs one null check.

import { createAsyncStore } from "../utils/async_store.js";
import type { Storage } from "../backend.js";
import { setMemoryHooks, Tensor } from "../tensor.js";

interface Scope {
  readonly tensors: Tensor[];
  readonly parent: Scope | null;
  ended: boolean;
}

const asyncStore = await createAsyncStore<Scope>();
/** The current scope where there is no AsyncLocalStorage (browsers). */
let syncCurrent: Scope | null = null;
/** Scopes begun and not yet ended, over all async contexts: the creation hook is on while > 0. */
let openScopes = 0;

/** Tensors `keep` exempted from every scope. */
const kept = new WeakSet<Tensor>();
/** The tensor whose `.grad` each gradient was last assigned to. */
const gradHolder = new WeakMap<Tensor, Tensor>();
/** Gradients a scope spared because a `.grad` held them: disposed when that `.grad` is replaced. */
const slotOwned = new WeakSet<Tensor>();

function currentScope(): Scope | null {
  let s = asyncStore ? (asyncStore.getStore() ?? null) : syncCurrent;
  // async work a scope started but did not await: its tensors go to the nearest scope still open
  while (s !== null && s.ended) s = s.parent;
  return s;
}

function track(t: Tensor): void {
  currentScope()?.tensors.push(t);
}

const onGradSet: Parameters<typeof setMemoryHooks>[1] = (holder, old, grad) => {
  if (grad !== null) gradHolder.set(grad, holder);
  if (old !== null && slotOwned.has(old) && gradHolder.get(old) === holder) {
    slotOwned.delete(old);
    old.dispose();
  }
};
setMemoryHooks(null, onGradSet);

function begin(): Scope {
  const scope: Scope = { tensors: [], parent: currentScope(), ended: false };
  if (openScopes++ === 0) setMemoryHooks(track, onGradSet);
  return scope;
}

/** Every tensor reachable from `value` through arrays, Maps, Sets and object fields. */
function escaping(value: unknown): Set<Tensor> {
  const found = new Set<Tensor>();
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v !== "object" || v === null || seen.has(v)) continue;
    seen.add(v);
    if (v instanceof Tensor) {
      found.add(v);
      continue;
    }
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Promise) continue;
    if (v instanceof Map) for (const [k, x] of v) stack.push(k, x);
    else if (v instanceof Set) for (const x of v) stack.push(x);
    else if (Array.isArray(v)) for (const x of v as unknown[]) stack.push(x);
    else for (const x of Object.values(v)) stack.push(x);
  }
  return found;
}

function end(scope: Scope, result: unknown): void {
  scope.ended = true;
  if (--openScopes === 0) setMemoryHooks(null, onGradSet);
  const out = escaping(result);
  const parent = currentParent(scope);
  for (const t of scope.tensors) {
    if (t._disposed) continue;
    if (out.has(t)) {
      parent?.tensors.push(t);
      continue;
    }
    if (kept.has(t) || isLeafVariable(t)) continue;
    if (heldAsGrad(t)) {
      slotOwned.add(t);
      continue;
    }
    t.dispose();
  }
  scope.tensors.length = 0;
}

/** A leaf that requires grad: a parameter or variable, never disposed by a scope. */
function isLeafVariable(t: Tensor): boolean {
  return t._requiresGrad && t.gradFn === null;
}

/** Whether `t` is some tensor's `.grad` now. */
function heldAsGrad(t: Tensor): boolean {
  const holder = gradHolder.get(t);
  return holder !== undefined && holder.grad === t;
}

/** Whether a scope's end spares `t` for its own sake: kept, a leaf variable, or held as a `.grad`. */
function outlivesScope(t: Tensor): boolean {
  return kept.has(t) || isLeafVariable(t) || heldAsGrad(t);
}

/** How far back `onlyScopeHolds` looks among the current scope's tensors. */
const HOLDER_WINDOW = 64;

/**
 * Whether every holder of `storage` is a tensor that the current scope disposes when it ends (found
 * among its newest tensors, and not in `spared`, what the scope's function hands out): then nothing
 * outside the scope can reach the memory, and a tensor made from it may take it over. Autograd hands
 * a fresh gradient to a leaf's `.grad` this way instead of copying it, as PyTorch's AccumulateGrad
 * steals a gradient no one else holds.
 */
export function onlyScopeHolds(storage: Storage, spared: readonly Tensor[]): boolean {
  const scope = currentScope();
  const refs = storage.refs ?? 0;
  if (!scope || refs === 0) return false;
  const list = scope.tensors;
  let found = 0;
  for (let i = list.length - 1; i >= 0 && i >= list.length - HOLDER_WINDOW; i--) {
    const t = list[i]!;
    if (t._disposed || t.storage !== storage) continue;
    if (outlivesScope(t) || spared.includes(t)) return false;
    if (++found === refs) return true;
  }
  return false;
}

function currentParent(scope: Scope): Scope | null {
  let s = scope.parent;
  while (s !== null && s.ended) s = s.parent;
  return s;
}

/**
 * Run `fn` and dispose every tensor created inside it that does not escape (TensorFlow.js's
 * `tf.tidy`, with PyTorch's kinds of escape). Returned tensors (also inside arrays or objects) survive
 * and belong to the enclosing scope; so do tensors marked with `keep`, parameters and other leaves
 * that require grad, and tensors held as a `.grad`. An async `fn` is tracked across `await` on Node
 * (`await torch.tidy(async () => ...)`); in browsers only up to its first `await`. Scopes nest.
 * Autograd saves what backward needs, so a returned loss can still be backpropagated.
 */
export function tidy<R>(fn: () => R): R {
  const scope = begin();
  let result: R;
  try {
    if (asyncStore) result = asyncStore.run(scope, fn);
    else {
      const prev = syncCurrent;
      syncCurrent = scope;
      try {
        result = fn();
      } finally {
        syncCurrent = prev;
      }
    }
  } catch (e) {
    end(scope, undefined);
    throw e;
  }
  if (result instanceof Promise)
    return result.then(
      (v: unknown) => {
        end(scope, v);
        return v;
      },
      (e: unknown) => {
        end(scope, undefined);
        throw e;
      },
    ) as R;
  end(scope, result);
  return result;
}

/** Exempt `t` from disposal by every `tidy` scope (`tf.keep`); returns `t`. */
export function keep<T extends Tensor>(t: T): T {
  kept.add(t);
  return t;
}

/** Whether a `tidy` scope is open somewhere (tensors are being tracked). */
export function isTidying(): boolean {
  return openScopes > 0;
}

/** Dispose every tensor in `value` (a tensor, or arrays, objects, Maps, Sets holding tensors). */
export function dispose(value: unknown): void {
  for (const t of escaping(value)) t.dispose();
}
