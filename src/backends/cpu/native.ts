// The native CPU kernel set: loads the Node addon built from native/ (C++ with AVX-512, AVX2+FMA and
// portable variants, and a thread pool) and wraps the TS reference kernels, taking over only the cases
// it accelerates (float32/float64 matmul, common float32 elementwise expressions over contiguous or
// broadcast operands, float32 sums) and passing everything else to the TS kernels.
//
// The switch: env TORCHTS_KERNELS=ts uses the TS kernels only; =native requires the addon (an error
// if it cannot be loaded); unset uses the addon when it loads and otherwise prints one notice and
// falls back to the TS kernels. Outside Node (browsers) the TS kernels are used silently.

import type { ConvGeometry, Expr, Kernels, View } from "../../backend.js";
import type { StorageArray } from "../../dtype.js";
import { arr, coalesce } from "./codegen.js";
import { metaArray, metaOf } from "./native_meta.js";
import { type F32Operand, float32Operand, type SelectAddon, trySelect } from "./native_select.js";
import {
  type NnAddon,
  tryArgReduce,
  tryConv,
  tryConvInputGrad,
  tryConvWeightGrad,
  tryGather,
  tryMaxPoolIndices,
  tryScatter,
  trySoftmax,
  trySoftmaxGrad,
  tryNorm,
  tryNormGrad,
  tryStridedAccumulate,
} from "./native_nn.js";
import { fmtShape } from "../../shape.js";
import { SUM } from "../../ops/reduce_exprs.js";
import type { OptimAddon } from "./native_optim.js";

/** The functions the addon exports (native/src/addon.cc, and the NN kernels of ./native_nn.ts). */
interface Addon extends NnAddon, SelectAddon, OptimAddon {
  matmul(a: StorageArray, b: StorageArray, out: StorageArray, meta: Float64Array): void;
  map(
    op: number,
    p0: number,
    out: StorageArray,
    a: StorageArray | null,
    b: StorageArray | null,
    meta: Float64Array,
  ): void;
  sum(x: StorageArray, out: StorageArray, meta: Float64Array): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  isa(): string;
}

interface NodeProcess {
  versions?: { node?: string };
  env?: Record<string, string | undefined>;
}

const proc = (globalThis as { process?: NodeProcess }).process;
const isNode = !!proc?.versions?.node;

/** Where the build puts the addon, relative to this file (src/backends/cpu or dist/backends/cpu). */
const ADDON_PATH = "../../../native/build/Release/torchts_native.node";

async function loadAddon(): Promise<{ addon: Addon | null; reason: string }> {
  if (!isNode) return { addon: null, reason: "not running on Node" };
  const mode = proc?.env?.TORCHTS_KERNELS ?? "";
  if (mode !== "" && mode !== "ts" && mode !== "native")
    throw new Error(`TORCHTS_KERNELS must be "ts" or "native", got "${mode}"`);
  if (mode === "ts") return { addon: null, reason: "TORCHTS_KERNELS=ts" };
  try {
    const name = "node:module";
    const { createRequire } = (await import(/* @vite-ignore */ name)) as {
      createRequire(url: string): (id: string) => unknown;
    };
    const addon = createRequire(import.meta.url)(ADDON_PATH) as Addon;
    addon.isa();
    return { addon, reason: "" };
  } catch (e) {
    const reason = (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
    if (mode === "native")
      throw new Error(`TORCHTS_KERNELS=native but the native kernels cannot be loaded: ${reason}`, { cause: e });
    console.warn(
      `torchts: native CPU kernels unavailable (${reason}); using the TypeScript kernels. ` +
        "Build them with `npm run build:native` (needs a C++ compiler), or set TORCHTS_KERNELS=ts to silence this.",
    );
    return { addon: null, reason };
  }
}

const loaded = await loadAddon();
const addon = loaded.addon;

/** Which CPU kernel set runs, and on what. */
export interface CpuKernelInfo {
  /** "native" (the addon) or "ts" (TypeScript reference kernels only). */
  kernels: "native" | "ts";
  /** The addon's code path for this CPU ("avx512", "avx2", "portable"), or null. */
  isa: string | null;
  /** Why the TS kernels are used, when they are. */
  reason: string;
}

/** The addon's fused optimizer steps (./native_optim.ts), or null when the TS kernels are in use. */
export function nativeOptimAddon(): OptimAddon | null {
  return addon;
}

/** The CPU kernel set in use. */
export function cpuKernelInfo(): CpuKernelInfo {
  return addon
    ? { kernels: "native", isa: addon.isa(), reason: "" }
    : { kernels: "ts", isa: null, reason: loaded.reason };
}

let tsThreads = 1;

/**
 * Set the number of threads the CPU kernels use (`torch.set_num_threads`); the calling thread counts.
 * The default is the number of CPUs this process may run on. The TS kernels always run on one thread.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads(): expected a positive integer, got ${n}`);
  if (addon) addon.setNumThreads(n);
  else tsThreads = n;
}

/** The number of threads the CPU kernels use (`torch.get_num_threads`). */
export function getNumThreads(): number {
  return addon ? addon.getNumThreads() : tsThreads;
}

// ---- the cases taken over ----------------------------------------------------------------------

// Opcodes of native/src/kernels.h (enum MapOp).
const OP = {
  copy: 0,
  fill: 1,
  neg: 2,
  abs: 3,
  relu: 4,
  square: 5,
  sqrt: 6,
  recip: 7,
  exp: 8,
  log: 9,
  sigmoid: 10,
  tanh: 11,
  add: 12,
  sub: 13,
  mul: 14,
  div: 15,
  axpy: 16,
  reluGrad: 17,
} as const;

/** Expressions of the op table (src/ops/elementwise.ts, casts) that have a native float32 loop. */
const UNARY = new Map<string, number>([
  ["a", OP.copy],
  ["-a", OP.neg],
  ["Math.abs(a)", OP.abs],
  ["a < 0 ? 0 : a", OP.relu],
  ["a * a", OP.square],
  ["Math.sqrt(a)", OP.sqrt],
  ["1 / a", OP.recip],
  ["Math.exp(a)", OP.exp],
  ["Math.log(a)", OP.log],
  ["1 / (1 + Math.exp(-a))", OP.sigmoid],
  ["Math.tanh(a)", OP.tanh],
]);
const BINARY = new Map<string, number>([
  ["a + p0 * b", OP.add],
  ["a - p0 * b", OP.sub],
  ["a * b", OP.mul],
  ["a / b", OP.div],
  ["b <= 0 ? 0 : a", OP.reluGrad],
]);

/** The op-table expressions that the native map runs (for tests: an expression missing here runs in TS). */
export function nativeMapExprs(): string[] {
  return [...UNARY.keys(), ...BINARY.keys()];
}

/**
 * Work below this many elements stays in TS, where a call costs less than the addon's (~3 us).
 * TORCHTS_NATIVE_MAP_MIN / TORCHTS_NATIVE_SUM_MIN override them (0: everything the addon handles).
 */
const env = isNode ? (proc?.env ?? {}) : {};
const MAP_MIN = Number(env.TORCHTS_NATIVE_MAP_MIN ?? 512);
const SUM_MIN = Number(env.TORCHTS_NATIVE_SUM_MIN ?? 1024);

const numelOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function sameLayout(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function tryMap(a: Addon, expr: Expr, views: readonly View[], out: View, scalars: readonly number[]): boolean {
  const js = expr.js;
  if (out.dtype !== "float32") return false;
  // float32 operands, with broadcast scalars of other dtypes that the op reads as float32
  const operands = views.map((v, k) => float32Operand(expr, v, k));
  if (operands.some((o) => o === null)) return false;
  const inputs = operands as F32Operand[];
  let op: number | undefined;
  let p0 = 0;
  if (inputs.length === 0) {
    if (js !== "p0") return false;
    op = OP.fill;
    p0 = scalars[0]!;
  } else if (inputs.length === 1) {
    op = UNARY.get(js);
  } else if (inputs.length === 2) {
    op = BINARY.get(js);
    if (op === OP.add || op === OP.sub) {
      const alpha = scalars[0]!;
      if (alpha !== 1) {
        p0 = op === OP.add ? alpha : -alpha;
        op = OP.axpy;
      }
    }
  }
  if (op === undefined || numelOf(out.shape) < MAP_MIN) return false;
  const c = coalesce(out.shape, [out.strides, ...inputs.map((v) => v.strides)]);
  const nd = c.shape.length;
  if (nd > 16) return false;
  if (nd > 0) {
    if (c.strides[0]![nd - 1] !== 1) return false;
    for (let k = 1; k <= inputs.length; k++) if (c.strides[k]![nd - 1]! > 1 || c.strides[k]![nd - 1]! < 0) return false;
  }
  const outArr = arr(out);
  const ins = inputs.map((o) => o.data);
  if (!(outArr instanceof Float32Array)) return false;
  // an input sharing the output's memory must be the very same view (in-place ops)
  for (let k = 0; k < inputs.length; k++)
    if (ins[k] === outArr && (inputs[k]!.offset !== out.offset || !sameLayout(c.strides[k + 1]!, c.strides[0]!)))
      return false;
  const meta = metaArray(4 + 4 * nd);
  meta[0] = nd;
  meta[1] = out.offset;
  meta[2] = inputs[0]?.offset ?? 0;
  meta[3] = inputs[1]?.offset ?? 0;
  for (let d = 0; d < nd; d++) {
    meta[4 + d] = c.shape[d]!;
    for (let k = 0; k < 3; k++) meta[4 + (k + 1) * nd + d] = c.strides[k]?.[d] ?? 0;
  }
  a.map(op, p0, outArr, ins[0] ?? null, ins[1] ?? null, meta);
  return true;
}

function trySum(a: Addon, x: View, nReduce: number, out: View): boolean {
  if (x.dtype !== "float32" || out.dtype !== "float32" || numelOf(x.shape) < SUM_MIN) return false;
  const k = x.shape.length - nReduce;
  const red = coalesce(x.shape.slice(k), [x.strides.slice(k)]);
  const rn = numelOf(x.shape.slice(k));
  if (red.shape.length === 2 && red.strides[0]![1] === 1 && rn > 0) return trySum2(a, x, k, red, out);
  if (red.shape.length > 1) return false;
  const R = rn === 0 ? 0 : (red.shape[0] ?? 1);
  const sr = rn === 0 ? 0 : (red.strides[0]![0] ?? 0);
  const outer = coalesce(x.shape.slice(0, k), [x.strides.slice(0, k)]);
  const no = outer.shape.length;
  if (no > 15) return false;
  const xs = arr(x);
  const os = arr(out);
  if (!(xs instanceof Float32Array) || !(os instanceof Float32Array) || xs === os) return false;
  const meta = metaArray(5 + 2 * no);
  meta[0] = x.offset;
  meta[1] = out.offset;
  meta[2] = R;
  meta[3] = sr;
  meta[4] = no;
  for (let d = 0; d < no; d++) {
    meta[5 + d] = outer.shape[d]!;
    meta[5 + no + d] = outer.strides[0]![d]!;
  }
  a.sum(xs, os, meta);
  return true;
}

/**
 * A sum over two reduced dims, the inner one contiguous (a bias gradient: batch and spatial dims): the
 * native sum over the inner dim into float32 partials (one per outer reduced index), then over those.
 */
function trySum2(a: Addon, x: View, k: number, red: { shape: number[]; strides: number[][] }, out: View): boolean {
  const [R1, R0] = red.shape as [number, number];
  const outer = coalesce(x.shape.slice(0, k), [x.strides.slice(0, k)]);
  const no = outer.shape.length;
  if (no > 14) return false;
  const xs = arr(x);
  const os = arr(out);
  if (!(xs instanceof Float32Array) || !(os instanceof Float32Array) || xs === os) return false;
  const nout = numelOf(outer.shape);
  const partial = new Float32Array(nout * R1);
  const m1 = metaArray(5 + 2 * (no + 1));
  m1.set([x.offset, 0, R0, 1, no + 1]);
  for (let d = 0; d < no; d++) {
    m1[5 + d] = outer.shape[d]!;
    m1[5 + no + 1 + d] = outer.strides[0]![d]!;
  }
  m1[5 + no] = R1;
  m1[5 + 2 * no + 1] = red.strides[0]![0]!;
  a.sum(xs, partial, m1);
  a.sum(partial, os, metaOf([0, out.offset, R1, 1, 1, nout, R1]));
  return true;
}

function tryMatmul(ad: Addon, a: View, b: View, out: View): boolean {
  const dt = out.dtype;
  if ((dt !== "float32" && dt !== "float64") || a.dtype !== dt || b.dtype !== dt) return false;
  const A = arr(a);
  const B = arr(b);
  const C = arr(out);
  if (A === C || B === C) return false;
  const nd = out.shape.length;
  const nb = nd - 2;
  const meta = metaArray(13 + 4 * nb);
  meta[0] = nb;
  meta[1] = out.shape[nd - 2]!;
  meta[2] = out.shape[nd - 1]!;
  meta[3] = a.shape[nd - 1]!;
  meta[4] = a.offset;
  meta[5] = b.offset;
  meta[6] = out.offset;
  meta[7] = a.strides[nd - 2]!;
  meta[8] = a.strides[nd - 1]!;
  meta[9] = b.strides[nd - 2]!;
  meta[10] = b.strides[nd - 1]!;
  meta[11] = out.strides[nd - 2]!;
  meta[12] = out.strides[nd - 1]!;
  for (let d = 0; d < nb; d++) {
    meta[13 + d] = out.shape[d]!;
    meta[13 + nb + d] = a.strides[d]!;
    meta[13 + 2 * nb + d] = b.strides[d]!;
    meta[13 + 3 * nb + d] = out.strides[d]!;
  }
  ad.matmul(A, B, C, meta);
  return true;
}

/**
 * The CPU kernels to register: `ts` itself when the addon is not in use, otherwise `ts` with the
 * native matmul, map, reduce, index kernels and convolution in front (each falls back to `ts` for the cases it does not handle).
 */
export function withNativeKernels(ts: Kernels): Kernels {
  const a = addon;
  if (!a) return ts;
  return {
    ...ts,
    map(expr, inputs, out, scalars) {
      if (!tryMap(a, expr, inputs, out, scalars) && !trySelect(a, expr, inputs, out))
        ts.map(expr, inputs, out, scalars);
    },
    reduce(expr, x, nReduce, out) {
      if (expr !== SUM || !trySum(a, x, nReduce, out)) ts.reduce(expr, x, nReduce, out);
    },
    matmul(x, y, out) {
      if (!tryMatmul(a, x, y, out)) ts.matmul(x, y, out);
    },
    gather(x, dim, index, out) {
      if (!tryGather(a, x, dim, index, out)) ts.gather(x, dim, index, out);
    },
    scatter(out, dim, index, src, reduce, includeSelf) {
      if (!tryScatter(a, out, dim, index, src, reduce, includeSelf))
        ts.scatter(out, dim, index, src, reduce, includeSelf);
    },
    argReduce(kind, x, out) {
      if (!tryArgReduce(a, kind, x, out)) ts.argReduce(kind, x, out);
    },
    conv(x, w, out, geometry) {
      if (!tryConv(a, x, w, out, geometry)) ts.conv(x, w, out, geometry);
    },
    maxPoolIndices(x, out, geometry) {
      if (!tryMaxPoolIndices(a, x, out, geometry)) ts.maxPoolIndices!(x, out, geometry);
    },
    // no values-only pooling: the native argmax and gather take a third of the TS values kernel's time
    maxPoolValues: undefined,
    ...(a.convInputGrad && {
      convInputGrad(gy: View, w: View, out: View, geometry: ConvGeometry) {
        if (!tryConvInputGrad(a, gy, w, out, geometry))
          throw new Error(
            `convolution_backward_input: the native kernel cannot take gy ${fmtShape(gy.shape)} (strides ${fmtShape(gy.strides)}) with weight ${fmtShape(w.shape)}`,
          );
      },
    }),
    ...(a.convWeightGrad && {
      convWeightGrad(gy: View, x: View, out: View, geometry: ConvGeometry) {
        if (!tryConvWeightGrad(a, gy, x, out, geometry))
          throw new Error(
            `convolution_backward_weight: the native kernel cannot take gy ${fmtShape(gy.shape)} (strides ${fmtShape(gy.strides)}) with input ${fmtShape(x.shape)}`,
          );
      },
    }),
    softmax(x, out, log) {
      if (!trySoftmax(a, x, out, log)) ts.softmax(x, out, log);
    },
    norm(x, weight, bias, out, stats, p) {
      if (!tryNorm(a, x, weight, bias, out, stats, p)) ts.norm!(x, weight, bias, out, stats, p);
    },
    normGrad(g, x, weight, out, p) {
      if (!tryNormGrad(a, g, x, weight, out, p)) ts.normGrad!(g, x, weight, out, p);
    },
    softmaxGrad(y, g, out, log) {
      if (!trySoftmaxGrad(a, y, g, out, log)) ts.softmaxGrad!(y, g, out, log);
    },
    stridedAccumulate(src, out, viewShape, viewStrides, viewOffset) {
      if (!tryStridedAccumulate(a, src, out, viewShape, viewStrides, viewOffset))
        ts.stridedAccumulate(src, out, viewShape, viewStrides, viewOffset);
    },
  };
}
