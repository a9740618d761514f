// Grad mode: whether ops record the autograd graph. Scoped like PyTorch's thread-local flag; in Node
// the scope follows async functions across `await` (AsyncLocalStorage), elsewhere it is held until
// the scoped function's promise settles.

import { createAsyncStore } from "../utils/async_store.js";

interface ModeState {
  enabled: boolean;
}

const asyncStore = await createAsyncStore<ModeState>();
const root: ModeState = { enabled: true };

function current(): ModeState {
  return asyncStore?.getStore() ?? root;
}

/** Whether autograd records ops now (`torch.is_grad_enabled`). */
export function isGradEnabled(): boolean {
  return current().enabled;
}

/** Turn gradient recording on or off in the current scope (`torch.set_grad_enabled`). */
export function setGradEnabled(enabled: boolean): void {
  current().enabled = enabled;
}

/** Run `fn` with grad mode set to `enabled`, restoring it afterwards; async `fn` keeps the mode across awaits. */
export function withGradMode<R>(enabled: boolean, fn: () => R): R {
  if (asyncStore) return asyncStore.run({ enabled }, fn);
  const state = current();
  const prev = state.enabled;
  state.enabled = enabled;
  let result: R;
  try {
    result = fn();
  } catch (e) {
    state.enabled = prev;
    throw e;
  }
  if (result instanceof Promise) {
    return result.finally(() => {
      state.enabled = prev;
    }) as R;
  }
  state.enabled = prev;
  return result;
}

/** Run `fn` without recording gradients (`with torch.no_grad()`); works for async functions too. */
export function noGrad<R>(fn: () => R): R {
  return withGradMode(false, fn);
}

/** Run `fn` with gradient recording on, even inside `noGrad` (`with torch.enable_grad()`). */
export function enableGrad<R>(fn: () => R): R {
  return withGradMode(true, fn);
}
