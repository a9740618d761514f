// nn.Module and nn.Parameter: the container every layer and model derives from.
//
// Registration follows PyTorch: assigning a Parameter or a Module to a field registers it, in
// assignment order. Fields are found by scanning the module's own properties, so a plain
// `this.fc = new nn.Linear(4, 2)` is all it takes. Buffers are registered explicitly with
// `registerBuffer(name, tensor)` (the field then holds the tensor). Field names are the state-dict
// keys: built-in layers use PyTorch's names (`weight`, `running_mean`) so checkpoints interoperate.

import { Tensor } from "../tensor.js";
import { noGrad } from "../autograd/gradmode.js";
import { fmtShape } from "../shape.js";
import type { DType } from "../dtype.js";

/** A tensor that is a module parameter (requires grad by default). */
export class Parameter extends Tensor {
  /** Wrap `data` (sharing its storage) as a parameter. */
  constructor(data: Tensor, requiresGrad = true) {
    super(data.storage, data.shape, data.strides, data.offset, data.dtype);
    if (requiresGrad) this.requiresGrad_(true);
  }
  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}

/** A forward hook: (module, inputs, output) => replacement output or nothing. */
export type ForwardHook = (module: Module, inputs: unknown[], output: unknown) => unknown;
/** A forward pre-hook: (module, inputs) => replacement inputs or nothing. */
export type ForwardPreHook = (module: Module, inputs: unknown[]) => unknown[] | void;

/** Result of loadStateDict: keys the module expected but did not get, and keys it did not know. */
export interface IncompatibleKeys {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Base class of all layers and models (PyTorch's `nn.Module`). Subclasses override `forward`. */
export class Module {
  /** Whether the module is in training mode (`train()`) or evaluation mode (`eval()`). */
  training = true;
  /** @internal names of own fields that are buffers, and those left out of the state dict */
  protected _bufferNames = new Set<string>();
  protected _nonPersistent = new Set<string>();
  /** @internal */
  protected _forwardHooks: ForwardHook[] = [];
  protected _forwardPreHooks: ForwardPreHook[] = [];

  /** The computation; subclasses override it. */
  forward(..._args: unknown[]): unknown {
    throw new Error(`Module [${this.constructor.name}] is missing the required "forward" function`);
  }

  /** Run forward with hooks (PyTorch's `module(x)`); `forward` may be called directly too when no hooks are used. */
  call(...args: unknown[]): unknown {
    let inputs = args;
    for (const h of this._forwardPreHooks) {
      const r = h(this, inputs);
      if (r) inputs = r;
    }
    let out = this.forward(...inputs);
    for (const h of this._forwardHooks) {
      const r = h(this, inputs, out);
      if (r !== undefined) out = r;
    }
    return out;
  }

  /** Register a hook run after forward (through `call`). */
  registerForwardHook(hook: ForwardHook): { remove(): void } {
    this._forwardHooks.push(hook);
    return { remove: () => this._forwardHooks.splice(this._forwardHooks.indexOf(hook) >>> 0, 1) };
  }
  /** Register a hook run before forward (through `call`). */
  registerForwardPreHook(hook: ForwardPreHook): { remove(): void } {
    this._forwardPreHooks.push(hook);
    return { remove: () => this._forwardPreHooks.splice(this._forwardPreHooks.indexOf(hook) >>> 0, 1) };
  }

  /** Register a tensor that is state but not a parameter (e.g. running_mean); `persistent: false` keeps it out of stateDict. */
  registerBuffer(name: string, tensor: Tensor | null, persistent = true): void {
    if (name.includes(".")) throw new Error(`registerBuffer(): buffer name can't contain "." (got "${name}")`);
    (this as unknown as Record<string, unknown>)[name] = tensor;
    this._bufferNames.add(name);
    if (!persistent) this._nonPersistent.add(name);
  }
  /** Register a parameter under a name (same as assigning a Parameter to the field). */
  registerParameter(name: string, param: Parameter | null): void {
    if (name.includes(".")) throw new Error(`registerParameter(): parameter name can't contain "." (got "${name}")`);
    (this as unknown as Record<string, unknown>)[name] = param;
  }
  /** Register a sub-module under a name (same as assigning it to the field). */
  registerModule(name: string, module: Module | null): void {
    (this as unknown as Record<string, unknown>)[name] = module;
  }
  /** Alias of registerModule, as in PyTorch. */
  addModule(name: string, module: Module | null): void {
    this.registerModule(name, module);
  }

  /** Own fields in registration order, classified. */
  private ownEntries(kind: "param" | "module" | "buffer"): [string, unknown][] {
    return Object.entries(this).filter(([k, v]) => {
      if (kind === "param") return v instanceof Parameter;
      if (kind === "module") return v instanceof Module;
      return this._bufferNames.has(k) && v instanceof Tensor;
    });
  }

  /** Direct sub-modules with their names. */
  *namedChildren(): Generator<[string, Module]> {
    for (const [k, v] of this.ownEntries("module")) yield [k, v as Module];
  }
  /** Direct sub-modules. */
  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }
  /** This module and all descendants with dotted names (each module once). */
  *namedModules(prefix = "", memo = new Set<Module>()): Generator<[string, Module]> {
    if (memo.has(this)) return;
    memo.add(this);
    yield [prefix, this];
    for (const [k, m] of this.namedChildren()) yield* m.namedModules(prefix ? `${prefix}.${k}` : k, memo);
  }
  /** This module and all descendants. */
  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }
  /** Parameters with dotted names (shared parameters once), recursing into sub-modules by default. */
  *namedParameters(prefix = "", recurse = true): Generator<[string, Parameter]> {
    const seen = new Set<Tensor>();
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [mp, m] of mods)
      for (const [k, p] of m.ownEntries("param")) {
        if (seen.has(p as Tensor)) continue;
        seen.add(p as Tensor);
        yield [mp ? `${mp}.${k}` : k, p as Parameter];
      }
  }
  /** All parameters (what an optimizer takes). */
  parameters(recurse = true): Parameter[] {
    return [...this.namedParameters("", recurse)].map(([, p]) => p);
  }
  /** Buffers with dotted names. */
  *namedBuffers(prefix = "", recurse = true): Generator<[string, Tensor]> {
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [mp, m] of mods) for (const [k, b] of m.ownEntries("buffer")) yield [mp ? `${mp}.${k}` : k, b as Tensor];
  }
  /** All buffers. */
  buffers(recurse = true): Tensor[] {
    return [...this.namedBuffers("", recurse)].map(([, b]) => b);
  }

  /** Set training mode on this module and all descendants. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  /** Set evaluation mode (`train(false)`). */
  eval(): this {
    return this.train(false);
  }
  /** Set requiresGrad on every parameter. */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }
  /** Reset the gradients of all parameters (to null by default, as PyTorch 2 does). */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    for (const p of this.parameters()) {
      if (!p.grad) continue;
      if (opts.setToNone ?? true) p.grad = null;
      else noGrad(() => p.grad!.zero_());
    }
  }
  /** Apply fn to every sub-module (children first) and this module. */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /** Convert parameters and buffers in place to a dtype (floating ones only) or device. */
  to(target: DType | string | { dtype?: DType | string; device?: string }): this {
    const conv = (t: Tensor): Tensor => {
      if (typeof target === "string" && !t.isFloatingPoint() && isDtypeName(target)) return t;
      if (typeof target === "object" && target.dtype && !t.isFloatingPoint())
        return target.device ? t.to({ device: target.device }) : t;
      return t.to(target);
    };
    noGrad(() => {
      for (const m of this.modules()) {
        const rec = m as unknown as Record<string, unknown>;
        for (const [k, v] of Object.entries(m)) {
          if (v instanceof Parameter) {
            const c = conv(v);
            if (c !== v) {
              const p = new Parameter(c, v.requiresGrad);
              if (v.grad) p.grad = conv(v.grad);
              rec[k] = p;
            }
          } else if (m._bufferNames.has(k) && v instanceof Tensor) rec[k] = conv(v);
        }
      }
    });
    return this;
  }

  /** Parameters and persistent buffers by dotted name (`features.0.weight`, `bn.running_mean`). */
  stateDict(opts: { keepVars?: boolean } = {}): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [mp, m] of this.namedModules()) {
      for (const [k, v] of Object.entries(m)) {
        const isParam = v instanceof Parameter;
        const isBuf = m._bufferNames.has(k) && v instanceof Tensor && !m._nonPersistent.has(k);
        if (!isParam && !isBuf) continue;
        const t = v as Tensor;
        out.set(mp ? `${mp}.${k}` : k, opts.keepVars ? t : t.detach());
      }
    }
    return out;
  }

  /**
   * Copy tensors into parameters and buffers. With `strict` (default), missing or unexpected keys are
   * an error; shape mismatches always are. Checks everything before writing, so a failed load leaves
   * the module untouched.
   */
  loadStateDict(
    state: Map<string, Tensor> | Record<string, Tensor>,
    opts: { strict?: boolean } = {},
  ): IncompatibleKeys {
    const strict = opts.strict ?? true;
    const entries = state instanceof Map ? state : new Map(Object.entries(state));
    const own = this.stateDict({ keepVars: true });
    const missingKeys = [...own.keys()].filter((k) => !entries.has(k));
    const unexpectedKeys = [...entries.keys()].filter((k) => !own.has(k));
    const errors: string[] = [];
    for (const [k, t] of own) {
      const src = entries.get(k);
      if (!src) continue;
      if (!(src instanceof Tensor)) errors.push(`While copying the parameter named "${k}", expected a Tensor`);
      else if (src.shape.length !== t.shape.length || src.shape.some((d, i) => d !== t.shape[i]))
        errors.push(
          `size mismatch for ${k}: copying a param with shape ${fmtShape(src.shape)} from checkpoint, the shape in current model is ${fmtShape(t.shape)}.`,
        );
    }
    if (strict) {
      if (unexpectedKeys.length)
        errors.unshift(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}.`);
      if (missingKeys.length)
        errors.unshift(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(", ")}.`);
    }
    if (errors.length)
      throw new Error(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join("\n\t")}`);
    noGrad(() => {
      for (const [k, t] of own) {
        const src = entries.get(k);
        if (src) t.copy_(src);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** One line describing the layer's configuration (e.g. `in_features=4, out_features=2, bias=True`). */
  extraRepr(): string {
    return "";
  }
  /** PyTorch-style nested repr. */
  toString(): string {
    const children = [...this.namedChildren()];
    const extra = this.extraRepr();
    if (children.length === 0) return `${this.constructor.name}(${extra})`;
    const lines = children.map(([k, m]) => `  (${k}): ${m.toString().split("\n").join("\n  ")}`);
    if (extra) lines.unshift(`  ${extra}`);
    return `${this.constructor.name}(\n${lines.join("\n")}\n)`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

function isDtypeName(s: string): boolean {
  return [
    "float32",
    "float64",
    "float16",
    "bfloat16",
    "int8",
    "uint8",
    "int16",
    "int32",
    "int64",
    "bool",
    "float",
    "double",
    "half",
    "long",
    "int",
  ].includes(s.startsWith("torch.") ? s.slice(6) : s);
}
