// Replays the PyTorch op-spec fixtures (test/fixtures/ops/*.json, written by tools/gen_fixtures.py)
// through torchts: same inputs and layouts, compare outputs and gradients with PyTorch's.

import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";

export interface TensorDesc {
  dtype: torch.DType;
  shape: number[];
  data: (number | string)[];
  layout?: { t?: [number, number]; step?: number; expand?: number[] } | null;
  grad?: boolean;
}
export interface Case {
  id: string;
  inputs: TensorDesc[];
  outputs?: (TensorDesc | { scalar: number | string | boolean })[];
  error?: string;
  cotangents?: TensorDesc[];
  grads?: (TensorDesc | null)[];
}
export interface SpecFixture {
  name: string;
  ts: string;
  py: string;
  tol: Record<string, [number, number]> | null;
  note: string | null;
  gradcheck: boolean;
  gradgrad: boolean;
  cases: Case[];
}

const FIXTURES = join(import.meta.dirname, "fixtures", "ops");

/** All fixture groups: { group: specs }. */
export function loadFixtures(): Map<string, SpecFixture[]> {
  const out = new Map<string, SpecFixture[]>();
  for (const f of readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    const json = JSON.parse(readFileSync(join(FIXTURES, f), "utf8")) as { specs: SpecFixture[] };
    out.set(f.replace(/\.json$/, ""), json.specs);
  }
  return out;
}

export function decodeValue(v: number | string): number {
  if (typeof v === "number") return v;
  switch (v) {
    case "nan":
      return NaN;
    case "inf":
      return Infinity;
    case "-inf":
      return -Infinity;
    case "-0":
      return -0;
    default:
      throw new Error(`bad fixture value ${v}`);
  }
}

/** The leaf tensor of an input and the view the op receives. */
export function buildInput(d: TensorDesc, device: string): { leaf: Tensor; view: Tensor } {
  const values = Float64Array.from(d.data, decodeValue);
  const leaf = torch.tensor(values, { dtype: d.dtype, device }).reshape(d.shape);
  if (d.grad) leaf.requiresGrad_(true);
  let view = leaf;
  const l = d.layout;
  if (l?.t) view = leaf.transpose(l.t[0], l.t[1]);
  else if (l?.step !== undefined) view = torch.slice(leaf, l.step, 0, Infinity, 2);
  else if (l?.expand) view = leaf.expand(l.expand);
  return { leaf, view };
}

const DEFAULT_TOL: Record<string, [number, number]> = {
  float64: [1e-7, 1e-7],
  float32: [1.3e-6, 1e-5],
  float16: [1e-3, 1e-5],
  bfloat16: [1.6e-2, 1e-5],
};

/** Compare a tensor with a fixture tensor; returns a description of the first mismatch or null. */
export function compareTensor(
  what: string,
  got: Tensor,
  want: TensorDesc,
  tol: Record<string, [number, number]> | null,
): string | null {
  if (got.dtype !== want.dtype) return `${what}: dtype ${got.dtype}, expected ${want.dtype}`;
  if (got.shape.length !== want.shape.length || got.shape.some((s, i) => s !== want.shape[i]))
    return `${what}: shape [${got.shape.join(", ")}], expected [${want.shape.join(", ")}]`;
  const data = got.dataSync();
  const [rtol, atol] = tol?.[want.dtype] ?? DEFAULT_TOL[want.dtype] ?? [0, 0];
  for (let i = 0; i < data.length; i++) {
    const g = data[i]!;
    // float32 values are stored in their shortest decimal form: round back to float32
    const w = want.dtype === "float32" ? Math.fround(decodeValue(want.data[i]!)) : decodeValue(want.data[i]!);
    if (Number.isNaN(w) ? Number.isNaN(g) : g === w || Math.abs(g - w) <= atol + rtol * Math.abs(w)) continue;
    return `${what}: element ${i} is ${g}, expected ${w} (rtol ${rtol}, atol ${atol})`;
  }
  return null;
}

export type OpFn = (...args: Tensor[]) => unknown;

/** Compile a spec's TS expression into a function of its inputs a, b, c, ... */
export function compileSpec(ts: string): OpFn {
  const f = new Function("torch", "a", "b", "c", "d", "e", `return (${ts});`) as (
    t: typeof torch,
    ...a: Tensor[]
  ) => unknown;
  return (...args: Tensor[]) => f(torch, ...args);
}

/** Outputs of an op as a list (tensors, or scalars for boolean/number results). */
export function asList(r: unknown): unknown[] {
  if (r instanceof torch.Tensor) return [r];
  if (r !== null && typeof r === "object" && Symbol.iterator in r) return [...(r as Iterable<unknown>)];
  return [r];
}

/** Run one fixture case; returns mismatch descriptions (empty when it matches PyTorch). */
export function runCase(spec: SpecFixture, c: Case, device: string): string[] {
  const fn = compileSpec(spec.ts);
  const built = c.inputs.map((d) => buildInput(d, device));
  const views = built.map((b) => b.view);
  if (c.error !== undefined) {
    try {
      fn(...views);
    } catch {
      return [];
    }
    return [`${c.id}: PyTorch raised "${c.error}" but torchts did not`];
  }
  let result: unknown;
  try {
    result = fn(...views);
  } catch (e) {
    return [`${c.id}: threw ${(e as Error).message}`];
  }
  const outs = asList(result);
  const errs = compareOutputs(spec, c, outs);
  if (errs.length || !c.grads) return errs;
  const diffOuts = outs.filter((o): o is Tensor => o instanceof torch.Tensor && o.requiresGrad);
  if (diffOuts.length !== c.cotangents!.length)
    return [`${c.id}: ${diffOuts.length} differentiable outputs, expected ${c.cotangents!.length}`];
  let grads: (Tensor | null)[];
  try {
    grads = caseGrads(c, built, diffOuts, device);
  } catch (e) {
    return [`${c.id}: backward threw ${(e as Error).message}`];
  }
  return compareGrads(spec, c, grads);
}

/** Compare a case's outputs (on the CPU) with the fixture's. */
function compareOutputs(spec: SpecFixture, c: Case, outs: unknown[]): string[] {
  const errs: string[] = [];
  const want = c.outputs!;
  if (outs.length !== want.length) return [`${c.id}: ${outs.length} outputs, expected ${want.length}`];
  outs.forEach((o, i) => {
    const w = want[i]!;
    if ("scalar" in w) {
      const wv = typeof w.scalar === "boolean" ? w.scalar : decodeValue(w.scalar as number | string);
      const gv = typeof o === "boolean" || typeof o === "number" ? o : NaN;
      if (typeof wv === "boolean" ? Boolean(gv) !== wv || typeof gv !== "boolean" : gv !== wv)
        errs.push(`${c.id}: output ${i} is ${String(o)}, expected ${String(wv)}`);
      return;
    }
    if (!(o instanceof torch.Tensor)) {
      errs.push(`${c.id}: output ${i} is not a tensor`);
      return;
    }
    const m = compareTensor(`${c.id} output ${i}`, o, w, spec.tol);
    if (m) errs.push(m);
  });
  return errs;
}

/** Gradients of sum(out * cotangent) with respect to the case's leaves that require grad. */
function caseGrads(c: Case, built: { leaf: Tensor }[], diffOuts: Tensor[], device: string): (Tensor | null)[] {
  let total: Tensor | null = null;
  diffOuts.forEach((o, i) => {
    const cot = buildInput(c.cotangents![i]!, device).leaf;
    const term = o.mul(cot).sum();
    total = total ? total.add(term) : term;
  });
  const leaves = built.filter((b) => b.leaf.requiresGrad).map((b) => b.leaf);
  return torch.autograd.grad(total!, leaves, { allowUnused: true });
}

/** Compare a case's gradients (on the CPU) with the fixture's. */
function compareGrads(spec: SpecFixture, c: Case, grads: (Tensor | null)[]): string[] {
  const errs: string[] = [];
  c.grads!.forEach((w, i) => {
    const g = grads[i] ?? null;
    if (w === null) {
      if (g && g.abs().sum().item() !== 0) errs.push(`${c.id}: grad ${i} should be unused/zero`);
      return;
    }
    if (!g) {
      errs.push(`${c.id}: grad ${i} missing`);
      return;
    }
    const m = compareTensor(`${c.id} grad ${i}`, g, w, spec.tol);
    if (m) errs.push(m);
  });
  return errs;
}

/** A copy on the CPU of every tensor in `xs` (other values as they are), read back asynchronously. */
async function toHost<T>(xs: T[]): Promise<(T | Tensor)[]> {
  return Promise.all(xs.map((x) => (x instanceof torch.Tensor ? x.toAsync("cpu") : x)));
}

/**
 * Specs whose result SHAPE depends on input values (nonzero, unique, bool-mask indexing, ...) and
 * ctcLoss (its lengths shape the computation): on devices that read only asynchronously they run
 * their async form (`asyncExpression`), and their synchronous form must raise the error naming it.
 */
export const VALUE_SHAPED =
  /^(index_mask_|masked_select|nonzero|where_cond|unique|bincount|repeat_interleave_(tensor|repeats_only)|ctc_loss_|one_hot_infer)/;

/** The ops with an async form (longest names first, so `unique` does not shadow `uniqueConsecutive`). */
const ASYNC_OPS = [
  "uniqueConsecutive",
  "repeatInterleave",
  "maskedSelect",
  "nonzero",
  "bincount",
  "ctcLoss",
  "oneHot",
  "unique",
  "where",
  "index",
];

/**
 * A spec expression with every call of an op of ASYNC_OPS replaced by its awaited async form:
 * `torch.nonzero(a)` becomes `(await torch.nonzeroAsync(a))`, `a.index(b)` `(await a.indexAsync(b))`.
 */
export function asyncExpression(ts: string): string {
  const re = new RegExp(`\\b(torch\\.nn\\.functional|torch|[a-e])\\.(${ASYNC_OPS.join("|")})\\(`, "g");
  const calls = [...ts.matchAll(re)];
  if (calls.length === 0) throw new Error(`no op with an async form in '${ts}'`);
  let out = ts;
  for (const m of calls.reverse()) {
    const open = m.index + m[0].length - 1;
    let depth = 0;
    let close = open;
    for (; close < out.length; close++) {
      if (out[close] === "(") depth++;
      else if (out[close] === ")" && --depth === 0) break;
    }
    const args = out.slice(open + 1, close);
    out = `${out.slice(0, m.index)}(await ${m[1]}.${m[2]}Async(${args}))${out.slice(close + 1)}`;
  }
  return out;
}

/** Compile an expression that may `await` into an async function of the inputs a, b, c, ... */
function compileAsync(ts: string): (...args: Tensor[]) => Promise<unknown> {
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
    ...a: string[]
  ) => (t: typeof torch, ...a: Tensor[]) => Promise<unknown>;
  const f = new AsyncFunction("torch", "a", "b", "c", "d", "e", `return (${ts});`);
  return (...args: Tensor[]) => f(torch, ...args);
}

/** Wait for the device's queued kernels, raising the errors they reported (webgpu); nothing elsewhere. */
async function settle(device: string): Promise<void> {
  if (device === "webgpu") await torch.webgpu.synchronize();
}

/**
 * `runCase` for devices that read back asynchronously (webgpu): the op and its backward run on
 * `device`; outputs and gradients are compared on the CPU. Value errors that kernels report at the
 * next readback (bad indices, targets out of range, ...) count as raised; a case expecting an error
 * fails when none comes, and a case expecting none fails when one is reported.
 */
export async function runCaseAsync(spec: SpecFixture, c: Case, device: string): Promise<string[]> {
  const valueShaped = VALUE_SHAPED.test(spec.name);
  const fn = valueShaped ? compileAsync(asyncExpression(spec.ts)) : compileSpec(spec.ts);
  const built = c.inputs.map((d) => buildInput(d, device));
  const views = built.map((b) => b.view);
  if (c.error !== undefined) {
    try {
      await toHost(asList(await fn(...views)));
      await settle(device);
    } catch {
      return [];
    }
    return [`${c.id}: PyTorch raised "${c.error}" but torchts did not`];
  }
  if (valueShaped) {
    // the synchronous form cannot know its result's shape: it must refuse, naming the async form
    let refused: Error | null = null;
    try {
      compileSpec(spec.ts)(...views);
    } catch (e) {
      refused = e as Error;
    }
    if (!refused || !/use the async form `await [\w.]+Async\(/.test(refused.message))
      return [`${c.id}: the synchronous form did not raise the async-form error (${refused?.message ?? "no error"})`];
  }
  let outs: unknown[];
  let hostOuts: unknown[];
  try {
    outs = asList(await fn(...views));
    hostOuts = await toHost(outs);
  } catch (e) {
    return [`${c.id}: threw ${(e as Error).message}`];
  }
  const errs = compareOutputs(spec, c, hostOuts);
  if (!errs.length && c.grads) errs.push(...(await gradsAsync(spec, c, built, outs, device)));
  try {
    await settle(device);
  } catch (e) {
    errs.push(`${c.id}: a kernel reported an error: ${(e as Error).message}`);
  }
  return errs;
}

/** The gradient part of `runCaseAsync`. */
async function gradsAsync(
  spec: SpecFixture,
  c: Case,
  built: { leaf: Tensor }[],
  outs: unknown[],
  device: string,
): Promise<string[]> {
  const diffOuts = outs.filter((o): o is Tensor => o instanceof torch.Tensor && o.requiresGrad);
  if (diffOuts.length !== c.cotangents!.length)
    return [`${c.id}: ${diffOuts.length} differentiable outputs, expected ${c.cotangents!.length}`];
  let grads: (Tensor | null)[];
  try {
    grads = (await toHost(caseGrads(c, built, diffOuts, device))) as (Tensor | null)[];
  } catch (e) {
    return [`${c.id}: backward threw ${(e as Error).message}`];
  }
  return compareGrads(spec, c, grads);
}

/**
 * Why a case cannot run on `device` (null when it can): on webgpu, float64 (WebGPU has no 64-bit
 * floats; like PyTorch's MPS device). Every other dtype runs there: float16 as f16 (or float32 on its grid),
 * bfloat16 as float32 on its grid, int8/uint8/int16 as int32 wrapped to their width, int64 as int32.
 */
export function skipReason(device: string, c: Case): string | null {
  if (device !== "webgpu") return null;
  const caseDtype = c.id.slice(c.id.lastIndexOf("/") + 1);
  const results = [...(c.outputs ?? []), ...(c.grads ?? [])].flatMap((d) => (d && "dtype" in d ? [d.dtype] : []));
  const dtypes = [caseDtype, ...c.inputs.map((d) => d.dtype), ...results];
  return dtypes.includes("float64") ? "float64 (WebGPU has no 64-bit floats)" : null;
}

/** Inputs of a spec's first float64 contiguous case, for gradcheck. */
export function gradcheckInputs(spec: SpecFixture, device: string): Tensor[] | null {
  const c = spec.cases.find((k) => k.id === "contig/float64" && !k.error);
  if (!c || !c.grads) return null;
  return c.inputs.map((d) => buildInput(d, device).leaf);
}
