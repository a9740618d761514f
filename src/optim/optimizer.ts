// torch.optim.Optimizer: the base class of every optimizer. It holds parameter groups (each with
// its own options), per-parameter state, and the PyTorch-compatible state dict. Subclasses only write
// the update of one group (`updateGroup`), run by `step` under noGrad with in-place ops.
//
// Naming: group options use TypeScript's camelCase (`group.weightDecay`); per-parameter state keys use
// PyTorch's names (`state.get(p).exp_avg`), and `stateDict()` writes PyTorch's snake_case everywhere
// (`weight_decay`, `initial_lr`), so a state dict can be exchanged with PyTorch's `Optimizer.state_dict()`.

import { Tensor } from "../tensor.js";
import { enableGrad, noGrad } from "../autograd/gradmode.js";
import { fmtShape } from "../shape.js";
import { zeros } from "../ops/creation.js";
import { isTidying, keep } from "../memory/scope.js";

/** One parameter group: its parameters and its options (lr, momentum, ...), camelCase. */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
  [option: string]: unknown;
}

/** A parameter group as passed by the user: parameters plus any options that override the defaults. */
export type ParamGroupSpec<O> = { params: Iterable<Tensor> | Tensor } & Partial<O> & Record<string, unknown>;

/** What an optimizer accepts: parameters (`model.parameters()`) or parameter groups. */
export type Params<O> = Iterable<Tensor> | Iterable<ParamGroupSpec<O>>;

/** Per-parameter state: PyTorch's key names (`momentum_buffer`, `exp_avg`, `step`, ...). */
export type ParamState = Record<string, unknown>;

/**
 * PyTorch's optimizer state dict: `state` maps a parameter's index (its position over all groups) to
 * its state; `param_groups` holds each group's options in snake_case and `params` as indices.
 */
export interface OptimizerStateDict {
  state: Map<number, ParamState>;
  param_groups: Record<string, unknown>[];
}

/** A state dict as loaded: `state` may also be a plain object keyed by index strings. */
export interface OptimizerStateDictInput {
  state: Map<number, ParamState> | Record<string, ParamState>;
  param_groups: Record<string, unknown>[];
}

/** `weightDecay` -> `weight_decay`. */
export function toSnakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
/** `weight_decay` -> `weightDecay`. */
export function toCamelCase(name: string): string {
  return name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** A loss-computing closure, for optimizers that re-evaluate the model (LBFGS) or for convenience. */
export type Closure<L> = () => L;

/** Base class of all optimizers (PyTorch's `torch.optim.Optimizer`). */
export abstract class Optimizer<O extends object = Record<string, unknown>> {
  /** The optimizer's name in errors (`SGD`). */
  readonly name: string;
  /** Options used where a parameter group gives none (camelCase keys). */
  readonly defaults: Record<string, unknown>;
  /** The parameter groups, each with all its options filled in. */
  paramGroups: ParamGroup[] = [];
  /** Per-parameter state, created lazily by `step`. */
  state = new Map<Tensor, ParamState>();
  /** PyTorch-only group flags written by `stateDict` for an identical structure (`foreach: null`). */
  protected readonly pytorchFlags: Record<string, unknown>;

  /**
   * `defaults` holds every option with its default (`lr: undefined` when the optimizer requires it);
   * `pytorchFlags` are options PyTorch keeps in its groups that torchts has no use for.
   */
  protected constructor(
    name: string,
    params: Params<O>,
    defaults: Record<string, unknown>,
    pytorchFlags: Record<string, unknown> = {},
  ) {
    this.name = name;
    this.defaults = defaults;
    this.pytorchFlags = pytorchFlags;
    if (params instanceof Tensor)
      throw new TypeError(
        `${name}: params argument given to the optimizer should be an iterable of Tensors or dicts, but got a Tensor`,
      );
    if (params === null || params === undefined || typeof (params as Iterable<unknown>)[Symbol.iterator] !== "function")
      throw new TypeError(`${name}: params argument should be an iterable of Tensors or parameter groups`);
    this.validate(defaults, "defaults");
    let groups = [...(params as Iterable<Tensor | ParamGroupSpec<O>>)];
    if (groups.length === 0) throw new RangeError(`${name}: optimizer got an empty parameter list`);
    // a list of tensors is one group; a non-group first entry is reported by addParamGroup's Tensor check
    if (!isGroupSpec(groups[0])) groups = [{ params: groups as Tensor[] } as unknown as ParamGroupSpec<O>];
    for (const g of groups) this.addParamGroup(g as ParamGroupSpec<O>);
  }

  /** Check option values; throws an error naming the optimizer and option. Undefined values are skipped. */
  protected validate(_options: Record<string, unknown>, _where: string): void {}

  /** Update the parameters of one group (runs under noGrad). */
  protected abstract updateGroup(group: ParamGroup): void;

  /**
   * One optimization step over all groups. `closure` (optional here, required by LBFGS) re-evaluates
   * the model and returns the loss; it runs with gradients enabled and its result is returned.
   */
  step<L>(closure?: Closure<L>): L | undefined {
    let loss: L | undefined;
    if (closure) loss = enableGrad(closure);
    noGrad(() => {
      for (const group of this.paramGroups) this.updateGroup(group);
    });
    // state made inside a torch.tidy scope (the first step's moments) outlives the scope
    if (isTidying()) for (const s of this.state.values()) keepTensors(Object.values(s));
    return loss;
  }

  /** The state of parameter `p`, created empty when missing. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (!s) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /**
   * Add a parameter group (e.g. when unfreezing layers while fine-tuning); options it omits come from
   * the optimizer's defaults.
   */
  addParamGroup(paramGroup: ParamGroupSpec<O>): void {
    if (typeof paramGroup !== "object" || paramGroup === null || paramGroup instanceof Tensor)
      throw new TypeError(`${this.name}: param group must be an object with a "params" field`);
    const raw = paramGroup.params;
    if (raw instanceof Set)
      throw new TypeError(
        `${this.name}: optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use an array instead.`,
      );
    const params = raw instanceof Tensor ? [raw] : [...(raw as Iterable<Tensor>)];
    for (const p of params) {
      if (!(p instanceof Tensor))
        throw new TypeError(
          `${this.name}: optimizer can only optimize Tensors, but one of the params is ${typeName(p)}`,
        );
      if (!(p.isLeaf || p._retainsGrad)) throw new Error(`${this.name}: can't optimize a non-leaf Tensor`);
    }
    const group = { ...paramGroup, params } as unknown as ParamGroup;
    for (const [k, v] of Object.entries(this.defaults)) {
      if (k in group && group[k] !== undefined) continue;
      if (v === undefined)
        throw new Error(`${this.name}: parameter group didn't specify a value of required optimization parameter ${k}`);
      group[k] = Array.isArray(v) ? [...v] : v;
    }
    this.validate(group, `param group ${this.paramGroups.length}`);
    if (new Set(params).size !== params.length)
      console.warn(`${this.name}: optimizer contains a parameter group with duplicate parameters`);
    for (const g of this.paramGroups)
      for (const p of g.params)
        if (params.includes(p))
          throw new Error(`${this.name}: some parameters appear in more than one parameter group`);
    this.paramGroups.push(group);
  }

  /**
   * Reset the gradients of all optimized tensors: to null by default (`setToNone`), or to zeros in place.
   * With null gradients `step` skips those parameters, as in PyTorch.
   */
  zeroGrad({ setToNone = true }: { setToNone?: boolean } = {}): void {
    for (const g of this.paramGroups)
      for (const p of g.params) {
        if (!p.grad) continue;
        if (setToNone) p.grad = null;
        else {
          if (p.grad.gradFn !== null) p.grad = p.grad.detach();
          else p.grad.requiresGrad_(false);
          noGrad(() => p.grad!.zero_());
        }
      }
  }

  /**
   * The optimizer's state as PyTorch's `state_dict()`: `{ state: Map(index -> state), param_groups }`,
   * keys in snake_case. Tensors in it are the live state tensors (not copies), as in PyTorch.
   */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    let start = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) if (k !== "params") packed[toSnakeCase(k)] = copyPlain(v);
      for (const [k, v] of Object.entries(this.pytorchFlags)) if (!(k in packed)) packed[k] = v;
      g.params.forEach((p, i) => {
        if (!index.has(p)) index.set(p, start + i);
      });
      packed.params = g.params.map((p) => index.get(p)!);
      start += g.params.length;
      return packed;
    });
    const state = new Map<number, ParamState>();
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state.set(i, { ...s });
    }
    return { state, param_groups: paramGroups };
  }

  /**
   * Load a state dict from `stateDict()` (here or PyTorch's): state tensors are copied and cast to their
   * parameter's dtype (except `step`). Everything is checked before anything changes.
   */
  loadStateDict(loaded: OptimizerStateDictInput | Map<string, unknown>): void {
    const stateDict = fromLoaded(loaded);
    if (!stateDict || typeof stateDict !== "object" || !Array.isArray(stateDict.param_groups) || !stateDict.state)
      throw new TypeError(`${this.name}.loadStateDict(): expected an object with "state" and "param_groups"`);
    const saved = stateDict.param_groups;
    if (saved.length !== this.paramGroups.length)
      throw new RangeError(
        `${this.name}.loadStateDict(): loaded state dict has a different number of parameter groups (${saved.length}, expected ${this.paramGroups.length})`,
      );
    const idMap = new Map<number, Tensor>();
    saved.forEach((sg, gi) => {
      const ids = sg.params;
      const own = this.paramGroups[gi]!.params;
      if (!Array.isArray(ids) || ids.length !== own.length)
        throw new RangeError(
          `${this.name}.loadStateDict(): loaded state dict contains a parameter group that doesn't match the size of optimizer's group (group ${gi}: ${Array.isArray(ids) ? ids.length : "no params"} vs ${own.length})`,
        );
      ids.forEach((id, i) => idMap.set(Number(id), own[i]!));
    });
    const entries: [number, ParamState][] =
      stateDict.state instanceof Map
        ? [...stateDict.state.entries()].map(([k, v]) => [Number(k), v])
        : Object.entries(stateDict.state).map(([k, v]) => [Number(k), v]);
    const newState = new Map<Tensor, ParamState>();
    for (const [id, s] of entries) {
      const p = idMap.get(id);
      if (!p) continue; // state of no known parameter: PyTorch keeps it under its key; we have nowhere to put it
      this.checkLoadedState(p, id, s);
      const copy: ParamState = {};
      for (const [k, v] of Object.entries(s instanceof Map ? Object.fromEntries(s) : s))
        copy[k] = castState(p, v as never, k);
      newState.set(p, copy);
    }
    this.state = newState;
    this.paramGroups = this.paramGroups.map((g, gi) => {
      const group: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(saved[gi]!)) if (k !== "params") group[toCamelCase(k)] = copyPlain(v);
      group.params = g.params;
      return group as ParamGroup;
    });
  }

  /** State keys holding a tensor shaped like the parameter (checked on load). */
  protected paramShapedStateKeys(): string[] {
    return [];
  }

  private checkLoadedState(p: Tensor, id: number, s: ParamState): void {
    if (typeof s !== "object" || s === null)
      throw new TypeError(`${this.name}.loadStateDict(): state of parameter ${id} is not an object`);
    for (const k of this.paramShapedStateKeys()) {
      const v = s[k];
      if (v === undefined || v === null) continue;
      if (!(v instanceof Tensor))
        throw new TypeError(`${this.name}.loadStateDict(): state "${k}" of parameter ${id} should be a Tensor`);
      if (v.shape.length !== p.shape.length || v.shape.some((d, i) => d !== p.shape[i]))
        throw new RangeError(
          `${this.name}.loadStateDict(): state "${k}" of parameter ${id} has shape ${fmtShape(v.shape)} but the parameter has shape ${fmtShape(p.shape)}`,
        );
    }
  }

  /** A PyTorch-like listing of the groups' options. */
  toString(): string {
    let s = `${this.name} (`;
    this.paramGroups.forEach((g, i) => {
      s += `\nParameter Group ${i}\n`;
      for (const k of Object.keys(g).sort())
        if (k !== "params") s += `    ${k}: ${Array.isArray(g[k]) ? `[${String(g[k])}]` : String(g[k])}\n`;
    });
    return `${s})`;
  }
}

/** Mark the tensors among `values` (and in arrays among them) with `torch.keep`. */
function keepTensors(values: unknown[]): void {
  for (const v of values)
    if (v instanceof Tensor) keep(v);
    else if (Array.isArray(v)) keepTensors(v);
}

/** A copy of a plain option value (arrays copied, everything else as is). */
function copyPlain(v: unknown): unknown {
  return Array.isArray(v) ? v.map(copyPlain) : v;
}

/** Deep copy of a loaded state value; floating tensors take the parameter's dtype, except `step`. */
function castState(p: Tensor, v: unknown, key?: string): unknown {
  if (v instanceof Tensor) {
    let t = v.detach().clone();
    if (key !== "step" && p.isFloatingPoint() && t.isFloatingPoint() && t.dtype !== p.dtype) t = t.to(p.dtype);
    if (key !== "step" && t.device !== p.device) t = t.to(p.device);
    return t;
  }
  if (Array.isArray(v)) return v.map((x) => castState(p, x));
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, castState(p, x, String(k))]));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, castState(p, x, k)]));
  return v;
}

function isGroupSpec(v: unknown): boolean {
  return typeof v === "object" && v !== null && !(v instanceof Tensor) && "params" in v;
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v;
}

/** A number from a number or a one-element tensor (state saved by PyTorch may hold either). */
export function toNumber(v: unknown): number {
  return v instanceof Tensor ? v.item() : Number(v);
}

/** The group's option `name` as a number. */
export function num(group: ParamGroup, name: string): number {
  return group[name] as number;
}

/** Throw unless `value` is undefined or passes `ok`: `${opt}: Invalid ${what}: ${value}`. */
export function check(opt: string, value: unknown, ok: (v: number) => boolean, what: string): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !ok(value)) throw new RangeError(`${opt}: Invalid ${what}: ${String(value)}`);
}

/** Checks of `betas`: a pair with each in [0, 1). */
export function checkBetas(opt: string, betas: unknown): void {
  if (betas === undefined) return;
  if (!Array.isArray(betas) || betas.length !== 2)
    throw new TypeError(`${opt}: betas should be a pair [beta1, beta2], got ${String(betas)}`);
  betas.forEach((b, i) => check(opt, b, (x) => x >= 0 && x < 1, `beta parameter at index ${i}`));
}

/** The parameters of a group that have a gradient, with it. */
export function withGrad(group: ParamGroup): [Tensor, Tensor][] {
  const out: [Tensor, Tensor][] = [];
  for (const p of group.params) if (p.grad) out.push([p, p.grad]);
  return out;
}

/**
 * The `step` counter kept as a 0-dim tensor of the default dtype (PyTorch's `torch.tensor(0.)`), as
 * Adam-like optimizers do since PyTorch 1.12; a plain number (older checkpoints) is converted.
 */
export function stepTensor(state: ParamState): Tensor {
  const s = state.step;
  if (s instanceof Tensor) return s;
  const t = zeros([]);
  if (s !== undefined) t.fill_(Number(s));
  state.step = t;
  return t;
}

/** A state dict as `torch.load` returns it (Python dicts become Maps) turned into the plain-object form. */
function fromLoaded(sd: OptimizerStateDictInput | Map<string, unknown>): OptimizerStateDictInput {
  if (!(sd instanceof Map)) return sd;
  const groups = sd.get("param_groups");
  return {
    state: sd.get("state"),
    param_groups: Array.isArray(groups) ? groups.map((g) => (g instanceof Map ? Object.fromEntries(g) : g)) : groups,
  } as OptimizerStateDictInput;
}
