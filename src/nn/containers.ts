// Containers: Sequential, ModuleList, ModuleDict, ParameterList. Children are fields named "0", "1",
// ... (or by key), so state-dict keys read `features.0.weight` as in PyTorch.

import { Module, Parameter } from "./module.js";

function setField(m: Module, key: string, v: unknown): void {
  (m as unknown as Record<string, unknown>)[key] = v;
}

/** Modules applied in order; `forward(x)` chains them. */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => setField(this, String(i), m));
  }
  override forward(input: unknown): unknown {
    let x = input;
    for (const m of this.children()) x = m.call(x);
    return x;
  }
  /** Number of modules. */
  get length(): number {
    return [...this.children()].length;
  }
  /** The module at index i (negative counts from the end). */
  at(i: number): Module {
    const list = [...this.children()];
    const m = list[i < 0 ? i + list.length : i];
    if (!m) throw new RangeError(`Sequential: index ${i} is out of range`);
    return m;
  }
  /** Add a module at the end. */
  append(m: Module): this {
    setField(this, String(this.length), m);
    return this;
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.children();
  }
}

/** A list of sub-modules, registered as "0", "1", .... */
export class ModuleList extends Module {
  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }
  get length(): number {
    return [...this.children()].length;
  }
  at(i: number): Module {
    const list = [...this.children()];
    const m = list[i < 0 ? i + list.length : i];
    if (!m) throw new RangeError(`ModuleList: index ${i} is out of range`);
    return m;
  }
  append(m: Module): this {
    setField(this, String(this.length), m);
    return this;
  }
  extend(ms: Iterable<Module>): this {
    for (const m of ms) this.append(m);
    return this;
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.children();
  }
}

/** Sub-modules by name. */
export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    const entries = Symbol.iterator in modules ? [...(modules as Iterable<[string, Module]>)] : Object.entries(modules);
    for (const [k, m] of entries) this.set(k, m);
  }
  get(key: string): Module | undefined {
    const v = (this as unknown as Record<string, unknown>)[key];
    return v instanceof Module ? v : undefined;
  }
  set(key: string, m: Module): void {
    setField(this, key, m);
  }
  keys(): string[] {
    return [...this.namedChildren()].map(([k]) => k);
  }
  values(): Module[] {
    return [...this.children()];
  }
  entries(): [string, Module][] {
    return [...this.namedChildren()];
  }
}

/** A list of parameters, registered as "0", "1", .... */
export class ParameterList extends Module {
  constructor(params: Iterable<Parameter> = []) {
    super();
    for (const p of params) this.append(p);
  }
  get length(): number {
    return this.parameters(false).length;
  }
  at(i: number): Parameter {
    const list = this.parameters(false);
    const p = list[i < 0 ? i + list.length : i];
    if (!p) throw new RangeError(`ParameterList: index ${i} is out of range`);
    return p;
  }
  append(p: Parameter): this {
    setField(this, String(this.length), p);
    return this;
  }
  [Symbol.iterator](): Iterator<Parameter> {
    return this.parameters(false)[Symbol.iterator]();
  }
}
