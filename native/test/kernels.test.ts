// Checks the native CPU kernels against the TS reference kernels (map, sum, softmax gradient, norm) and a float64 reference
// (matmul) on every ISA variant this CPU runs, over the layouts they take over: transposed, offset,
// padded and broadcast operands, tile edges, empty sizes, special values, and one vs several threads.
// Run: node --import tsx --test native/test/kernels.test.ts (skips itself when the addon is not built).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import type { Kernels, NormGeometry, View } from "../../src/backend.js";
import type { DType } from "../../src/dtype.js";
import { CpuStorage, cpuBackend } from "../../src/backends/cpu/index.js";
import { runMap, runReduce } from "../../src/backends/cpu/codegen.js";
import { cpuKernelInfo, getNumThreads, nativeMapExprs, setNumThreads } from "../../src/backends/cpu/native.js";
import { softmaxGrad as tsSoftmaxGrad } from "../../src/backends/cpu/loss.js";
import { norm as tsNorm, normGrad as tsNormGrad } from "../../src/backends/cpu/norm.js";

const info = cpuKernelInfo();
const native = info.kernels === "native";
const K: Kernels = cpuBackend.kernels;
const addon = native
  ? (createRequire(import.meta.url)("../build/Release/torchts_native.node") as {
      selectIsa(name: string): string;
      isa(): string;
    })
  : null;
const startIsa = addon?.isa() ?? "";
const isas = addon ? ["avx512", "avx2", "portable"].filter((n) => addon.selectIsa(n) === n) : [];
addon?.selectIsa(startIsa);

// deterministic random numbers (mulberry32)
let seed = 12345;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function view(dtype: DType, data: Float32Array | Float64Array, shape: number[], strides: number[], offset = 0): View {
  return { storage: new CpuStorage(dtype, data), shape, strides, offset, dtype };
}

function contiguous(shape: number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d]!;
  }
  return s;
}

/** The storage array behind a view. */
function arrOf(v: View): ArrayLike<number> {
  return (v.storage as CpuStorage).data;
}

/** Element offsets of a view in row-major order of its shape. */
function offsets(v: View): number[] {
  const out: number[] = [];
  const n = v.shape.reduce((a, b) => a * b, 1);
  const idx = new Array<number>(v.shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    out.push(v.offset + idx.reduce((a, x, d) => a + x * v.strides[d]!, 0));
    for (let d = v.shape.length - 1; d >= 0; d--)
      if (++idx[d]! < v.shape[d]!) break;
      else idx[d] = 0;
  }
  return out;
}

/** Distance in units in the last place between two float32 values (NaN equals NaN only). */
function ulps(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return 0;
  const f = new Float32Array([a, b]);
  const i = new Int32Array(f.buffer);
  const key = (x: number) => (x < 0 ? -(x & 0x7fffffff) : x);
  return Math.abs(key(i[0]!) - key(i[1]!));
}

for (const isa of isas) {
  describe(`native kernels (${isa})`, { skip: !native && "addon not built" }, () => {
    test("matmul float32/float64 over layouts, tile edges and batches", () => {
      addon!.selectIsa(isa);
      const sizes: [number, number, number][] = [
        [1, 1, 1],
        [3, 5, 7],
        [12, 32, 1],
        [13, 33, 17],
        [25, 47, 300],
        [200, 70, 260],
        [64, 64, 64],
        [5, 600, 9],
        [1, 37, 300], // few rows (batch-1 inference): column blocks, vector and scalar K tails
        [3, 9, 53],
        [7, 1100, 20], // more columns than one float32 block of B (NC = 1024): two column blocks
        [3, 2100, 5], // the same for float64 (NC = 2048)
        [0, 4, 3],
        [4, 3, 0],
      ];
      for (const dtype of ["float32", "float64"] as const)
        for (const [M, N, Kd] of sizes)
          for (const la of ["n", "t", "pad"])
            for (const lb of ["n", "t", "pad"])
              for (const batch of [[], [2], [3, 1]] as number[][]) {
                if (batch.length && M * N * Kd > 20000) continue;
                const Arr = dtype === "float32" ? Float32Array : Float64Array;
                const mk = (R: number, C: number, layout: string, bshape: number[], bcast: boolean) => {
                  const off = 3;
                  const ld = layout === "pad" ? C + 5 : layout === "t" ? R : C;
                  const mat = R * C + (layout === "pad" ? R * 5 : 0);
                  const nb = bcast ? 1 : bshape.reduce((a, b) => a * b, 1);
                  const data = new Arr(off + nb * mat + 2);
                  for (let i = 0; i < data.length; i++) data[i] = rand() * 2 - 1;
                  const inner = layout === "t" ? [1, ld] : [ld, 1];
                  const bstr = bcast ? bshape.map(() => 0) : contiguous(bshape).map((s) => s * mat);
                  return view(dtype, data, [...bshape, R, C], [...bstr, ...inner], off);
                };
                const a = mk(M, Kd, la, batch, false);
                const b = mk(Kd, N, lb, batch, batch.length === 1);
                const outShape = [...batch, M, N];
                const out = view(dtype, new Arr(outShape.reduce((x, y) => x * y, 1)), outShape, contiguous(outShape));
                K.matmul(a, b, out);
                const A = (a.storage as CpuStorage).data;
                const B = (b.storage as CpuStorage).data;
                const C = (out.storage as CpuStorage).data;
                const nbatch = batch.reduce((x, y) => x * y, 1);
                const eps = dtype === "float32" ? 2 ** -24 : 2 ** -53;
                for (let t = 0; t < nbatch; t++) {
                  const ao = a.offset + (batch.length ? t * a.strides[0]! : 0);
                  const bo = b.offset + (batch.length ? t * b.strides[0]! : 0);
                  const nd = outShape.length;
                  for (let i = 0; i < M; i++)
                    for (let j = 0; j < N; j++) {
                      let s = 0;
                      let sa = 0;
                      for (let k = 0; k < Kd; k++) {
                        const p =
                          A[ao + i * a.strides[nd - 2]! + k * a.strides[nd - 1]!]! *
                          B[bo + k * b.strides[nd - 2]! + j * b.strides[nd - 1]!]!;
                        s += p;
                        sa += Math.abs(p);
                      }
                      const got = C[t * M * N + i * N + j]!;
                      const tol = 4 * (Kd + 2) * eps * sa + 1e-300;
                      if (!(Math.abs(got - s) <= tol))
                        assert.fail(
                          `${dtype} ${M}x${N}x${Kd} ${la}${lb} batch [${batch}] (${t},${i},${j}): ${got} vs ${s}`,
                        );
                    }
                }
              }
    });

    test("matmul results do not depend on the thread count", () => {
      addon!.selectIsa(isa);
      const M = 333,
        N = 517,
        Kd = 401;
      const a = view(
        "float32",
        Float32Array.from({ length: M * Kd }, () => rand() - 0.5),
        [M, Kd],
        [Kd, 1],
      );
      const b = view(
        "float32",
        Float32Array.from({ length: Kd * N }, () => rand() - 0.5),
        [Kd, N],
        [1, Kd],
      );
      const run = (threads: number) => {
        setNumThreads(threads);
        const out = view("float32", new Float32Array(M * N), [M, N], [N, 1]);
        K.matmul(a, b, out);
        return (out.storage as CpuStorage).data;
      };
      const before = getNumThreads();
      const one = run(1);
      const three = run(3);
      setNumThreads(before);
      assert.deepEqual(three, one);
    });

    test("few-row matmuls split by columns among threads match the definition and the 1-thread result", () => {
      addon!.selectIsa(isa);
      // at most 192 rows and over 2^20 multiply-adds: each thread takes a share of the column panels
      const sizes: [number, number, number, boolean][] = [
        [64, 256, 784, true], // x @ W^T of a Linear(784, 256) at batch 64
        [64, 300, 500, false],
        [13, 200, 500, true],
        [192, 96, 100, false],
        [100, 70, 333, true],
      ];
      const before = getNumThreads();
      try {
        for (const dtype of ["float32", "float64"] as const)
          for (const [M, N, Kd, bt] of sizes) {
            const Arr = dtype === "float32" ? Float32Array : Float64Array;
            const A = Arr.from({ length: M * Kd }, () => rand() - 0.5);
            const B = Arr.from({ length: Kd * N }, () => rand() - 0.5);
            const a = view(dtype, A, [M, Kd], [Kd, 1]);
            const b = view(dtype, B, [Kd, N], bt ? [1, Kd] : [N, 1]);
            const run = (threads: number) => {
              setNumThreads(threads);
              const out = view(dtype, new Arr(M * N), [M, N], [N, 1]);
              K.matmul(a, b, out);
              return (out.storage as CpuStorage).data;
            };
            const one = run(1);
            const eps = dtype === "float32" ? 2 ** -24 : 2 ** -53;
            for (let i = 0; i < M; i++)
              for (let j = 0; j < N; j++) {
                let s = 0;
                let sa = 0;
                for (let k = 0; k < Kd; k++) {
                  const p = A[i * Kd + k]! * B[bt ? j * Kd + k : k * N + j]!;
                  s += p;
                  sa += Math.abs(p);
                }
                if (!(Math.abs(one[i * N + j]! - s) <= 4 * (Kd + 2) * eps * sa))
                  assert.fail(`${dtype} ${M}x${N}x${Kd} (${i},${j}): ${one[i * N + j]} vs ${s}`);
              }
            for (const threads of [2, 3])
              assert.deepEqual(run(threads), one, `${dtype} ${M}x${N}x${Kd} at ${threads} threads`);
          }
      } finally {
        setNumThreads(before);
      }
    });

    const specials = [0, -0, 1, -1, NaN, Infinity, -Infinity, 1e-45, 1e-40, -1e-40, 88.7, 88.73, -87.3, -103.9, -104];
    const specials2 = [1e-8, -1e-8, 0.625, -0.625, 0.6249, 20, -20, 9, 3.4e38, -3.4e38, 0.5, 2, 1e-30, 100, -100];
    const inputs = (n: number, scale: number) => {
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = (rand() * 2 - 1) * scale;
      [...specials, ...specials2].forEach((v, i) => (x[(i * 37) % n] = v));
      return x;
    };
    const unary: [string, number][] = [
      ["a", 0],
      ["-a", 0],
      ["Math.abs(a)", 0],
      ["a < 0 ? 0 : a", 0],
      ["a * a", 0],
      ["Math.sqrt(a)", 0],
      ["1 / a", 0],
      ["Math.exp(a)", 2],
      ["Math.log(a)", 2],
      ["1 / (1 + Math.exp(-a))", 3],
      ["Math.tanh(a)", 3],
    ];
    const binary: [string, number[], number][] = [
      ["a + p0 * b", [1], 0],
      ["a + p0 * b", [0.375], 1],
      ["a - p0 * b", [1], 0],
      ["a - p0 * b", [-2.5], 1],
      ["a * b", [], 0],
      ["a / b", [], 0],
      ["b <= 0 ? 0 : a", [], 0],
    ];

    test("elementwise float32 ops match the TS kernels", () => {
      addon!.selectIsa(isa);
      const worst = new Map<string, number>();
      const check = (js: string, ins: View[], shape: number[], scalars: number[], maxUlps: number) => {
        // an expression the native map does not know would compare the TS loop with itself
        if (js !== "p0") assert.ok(nativeMapExprs().includes(js), `the native map has no loop for ${js}`);
        const n = shape.reduce((a, b) => a * b, 1);
        const o1 = view("float32", new Float32Array(n + 4), shape, contiguous(shape), 2);
        const o2 = view("float32", new Float32Array(n + 4), shape, contiguous(shape), 2);
        K.map({ js }, ins, o1, scalars);
        runMap({ js }, ins, o2, scalars);
        const g = (o1.storage as CpuStorage).data;
        const w = (o2.storage as CpuStorage).data;
        // a + p0 * b may round p0 * b first (no FMA) where TS rounds once: bound the error by the terms
        const axpy = js.includes("p0 * b") && scalars[0] !== 1;
        const terms: number[] = [];
        if (axpy) {
          const [oa, ob] = ins.map(offsets);
          const [da, db] = ins.map((v) => (v.storage as CpuStorage).data);
          for (let i = 0; i < n; i++) terms.push(Math.abs(da![oa![i]!]!) + Math.abs(scalars[0]! * db![ob![i]!]!));
        }
        for (let i = 0; i < g.length; i++) {
          if (axpy && i >= 2 && i < n + 2 && Math.abs(g[i]! - w[i]!) <= 2 ** -23 * terms[i - 2]!) continue;
          const u = ulps(g[i]!, w[i]!);
          worst.set(js, Math.max(worst.get(js) ?? 0, u));
          if (u > maxUlps) assert.fail(`${js} [${shape}] element ${i}: ${g[i]} vs ${w[i]} (${u} ulps)`);
        }
      };
      for (const n of [1024, 1031, 4099, 300001]) {
        const shape = [n];
        for (const [js, tol] of unary) {
          const scale = js.includes("exp") ? 100 : js.includes("tanh") ? 10 : 1e3;
          const x = inputs(n + 3, scale);
          check(js, [view("float32", x, shape, [1], 3)], shape, [], tol);
          check(js, [view("float32", x, shape, [0], 5)], shape, [], tol); // broadcast scalar
        }
        for (const [js, p, tol] of binary) {
          const x = inputs(n, 100);
          const y = inputs(n, 3);
          check(js, [view("float32", x, shape, [1]), view("float32", y, shape, [1])], shape, p, tol);
          check(js, [view("float32", x, shape, [1]), view("float32", y, shape, [0], 7)], shape, p, tol);
          check(js, [view("float32", x, shape, [0], 9), view("float32", y, shape, [1])], shape, p, tol);
        }
      }
      // 2-D with a broadcast row or column (bias add, per-row scale), and a permuted fallback
      const [R, C] = [37, 41];
      const x = inputs(R * C, 10);
      const bias = inputs(C, 10);
      const col = inputs(R, 10);
      for (const [js, p, tol] of binary) {
        check(js, [view("float32", x, [R, C], [C, 1]), view("float32", bias, [R, C], [0, 1])], [R, C], p, tol);
        check(js, [view("float32", col, [R, C], [1, 0]), view("float32", x, [R, C], [C, 1])], [R, C], p, tol);
        check(js, [view("float32", x, [R, C], [1, R]), view("float32", bias, [R, C], [0, 1])], [R, C], p, tol);
      }
      check("p0", [], [R, C], [0.1], 0);
      // outputs of 2 MiB and more go around the caches from their first aligned element on: an output
      // that starts off alignment (offset 2), a tail, rows of a 2-D output, and threads that split rows
      const threadsBefore = getNumThreads();
      for (const threads of [1, 3]) {
        setNumThreads(threads);
        for (const shape of [[600001], [601, 1031]]) {
          const n = shape.reduce((a, b) => a * b, 1);
          const st = contiguous(shape);
          const row = shape.map((s, d) => (d === shape.length - 1 ? 1 : 0));
          const x = view("float32", inputs(n, 10), shape, st);
          const y = view("float32", inputs(n, 3), shape, st);
          check("a < 0 ? 0 : a", [x], shape, [], 0);
          check("Math.exp(a)", [x], shape, [], 2);
          check("a * b", [x, y], shape, [], 0);
          check("a + p0 * b", [x, view("float32", inputs(shape[shape.length - 1]!, 3), shape, row)], shape, [0.375], 1);
        }
      }
      setNumThreads(threadsBefore);
      for (const [js, ws] of worst) if (ws > 0) console.log(`  ${isa} ${js}: max ${ws} ulp`);
    });

    test("in-place elementwise ops read and write the same view", () => {
      addon!.selectIsa(isa);
      const n = 5000;
      const x = inputs(n, 5);
      const y = inputs(n, 5);
      const a = view("float32", Float32Array.from(x), [n], [1]);
      const b = view("float32", y, [n], [1]);
      K.map({ js: "a * b" }, [a, b], a, []);
      const want = view("float32", Float32Array.from(x), [n], [1]);
      runMap({ js: "a * b" }, [want, b], want, []);
      assert.deepEqual((a.storage as CpuStorage).data, (want.storage as CpuStorage).data);
    });

    test("float32 sums over trailing dims match the TS kernels", () => {
      addon!.selectIsa(isa);
      const e = { init: "0", step: "acc + v" };
      const cases: [number[], number[], number, number][] = [
        // [shape of x, strides of x, offset, nReduce]
        [[100000], [1], 0, 1], // one output, chunked
        [[3, 70001], [70001, 1], 0, 1], // contiguous rows
        [[50, 33], [33, 1], 0, 1],
        [[33, 50], [1, 33], 0, 1], // column sums (sum over dim 0)
        [[70, 2000], [1, 70], 0, 1], // column sums over a long reduced dim
        [[4, 5, 300], [1500, 300, 1], 0, 2], // two trailing dims that coalesce
        [[6, 7, 40], [1, 6 * 40, 6], 0, 1], // strided everything: scalar loop
        [[6, 0], [1, 1], 0, 1], // empty reduction
        [[5, 300, 4], [1200, 1, 300], 0, 2], // reduced dims that do not coalesce: TS
      ];
      for (const [shape, strides, offset, nReduce] of cases) {
        const size = offsets({ shape, strides, offset } as unknown as View).reduce((a, b) => Math.max(a, b), 0) + 1;
        const data = inputs(size + 3, 10);
        const x = view("float32", data, shape, strides, offset);
        const outShape = shape.slice(0, shape.length - nReduce);
        const n = outShape.reduce((a, b) => a * b, 1);
        const o1 = view("float32", new Float32Array(n), outShape, contiguous(outShape));
        const o2 = view("float32", new Float32Array(n), outShape, contiguous(outShape));
        // no NaN/inf here: sums of finite values
        for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!) || Math.abs(data[i]!) > 1e3) data[i] = 0.5;
        K.reduce(e, x, nReduce, o1);
        runReduce(e, x, nReduce, o2);
        const g = (o1.storage as CpuStorage).data;
        const w = (o2.storage as CpuStorage).data;
        for (let i = 0; i < n; i++)
          if (ulps(g[i]!, w[i]!) > 1 && Math.abs(g[i]! - w[i]!) > 1e-9)
            assert.fail(`sum [${shape}] strides [${strides}] output ${i}: ${g[i]} vs ${w[i]}`);
      }
    });
  });
}

test("the native kernel set is in use unless TORCHTS_KERNELS=ts", () => {
  if (process.env.TORCHTS_KERNELS === "ts") assert.equal(info.kernels, "ts");
  else if (process.env.TORCHTS_KERNELS === "native") assert.equal(info.kernels, "native");
  assert.ok(getNumThreads() >= 1);
});

// ---- NN kernels: convolution, index kernels, comparisons / where ---------------------------------

interface ConvCase {
  x: number[]; // (N, C, *sp)
  w: number[]; // (O, C / groups, *k)
  stride: number[];
  padding: number[];
  dilation: number[];
  inputDilation: number[];
  groups: number;
  xPerm?: number[]; // x stored in this dim order (a permuted, non-contiguous view)
  wFlip?: boolean; // w read through negative spatial strides
}

/**
 * A random geometry, stride 1 along the innermost dim (where the forward and the weight gradient pack
 * from a padded copy run by run, and the input gradient sums each input row in one pass): 1 to 3
 * spatial dims, runs of any length (shorter and longer than a vector), padding from -1 (a crop) to
 * past the kernel's reach, dilation, groups, and now and then a stride along an outer dim.
 */
function randomConvCase(): ConvCase {
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const nsp = int(1, 3);
  const groups = int(1, 2);
  const k = Array.from({ length: nsp }, () => int(1, nsp === 3 ? 2 : 4));
  const dilation = k.map(() => int(1, 2));
  const padding = k.map((kk, d) => int(-1, dilation[d]! * (kk - 1)));
  const reach = k.map((kk, d) => dilation[d]! * (kk - 1) + 1 - 2 * padding[d]!); // the least size with an output
  const sp = reach.map((r) => Math.max(1, r) + int(0, nsp === 3 ? 4 : 20));
  const stride = k.map((_, d) => (d < nsp - 1 && rand() < 0.3 ? 2 : 1));
  const cg = int(1, 3);
  return {
    x: [int(1, 2), groups * cg, ...sp],
    w: [groups * int(1, 3), cg, ...k],
    stride,
    padding,
    dilation,
    inputDilation: k.map(() => 1),
    groups,
  };
}

/** Output size per spatial dim, as the convolution primitive computes it (padding on both sides). */
function convOut(c: ConvCase): number[] {
  return c.x.slice(2).map((L, d) => {
    const dil = (L - 1) * c.inputDilation[d]! + 1;
    return Math.floor((dil + 2 * c.padding[d]! - c.dilation[d]! * (c.w[2 + d]! - 1) - 1) / c.stride[d]!) + 1;
  });
}

/** A strided view of random data with logical shape `shape`, stored in dim order `perm`. */
function randomView(dtype: DType, shape: number[], perm?: number[], flipSpatial = false): View {
  const order = perm ?? shape.map((_, i) => i);
  const stored = order.map((d) => shape[d]!);
  const st = contiguous(stored);
  const strides = new Array<number>(shape.length);
  order.forEach((d, i) => (strides[d] = st[i]!));
  const n = shape.reduce((a, b) => a * b, 1);
  const Ctor = dtype === "float64" || dtype === "int64" ? Float64Array : Float32Array;
  const data = new Ctor(n + 3);
  for (let i = 0; i < data.length; i++) data[i] = rand() * 2 - 1;
  let offset = 3;
  if (flipSpatial)
    for (let d = 2; d < shape.length; d++) {
      offset += (shape[d]! - 1) * strides[d]!;
      strides[d] = -strides[d]!;
    }
  return view(dtype, data, shape, strides, offset);
}

/** Element of a view at a multi-index. */
function at(v: View, idx: number[]): number {
  const a = (v.storage as CpuStorage).data;
  return a[v.offset + idx.reduce((s, i, d) => s + i * v.strides[d]!, 0)]!;
}

/** The convolution by its definition, in float64: out and the sum of |terms| per element. */
function convReference(c: ConvCase, x: View, w: View): { out: Float64Array; mag: Float64Array } {
  const nsp = c.x.length - 2;
  const os = convOut(c);
  const [N, C] = c.x as [number, number];
  const O = c.w[0]!;
  const Cg = C / c.groups;
  const Og = O / c.groups;
  const L = os.reduce((a, b) => a * b, 1);
  const K = c.w.slice(2).reduce((a, b) => a * b, 1);
  const out = new Float64Array(N * O * L);
  const mag = new Float64Array(N * O * L);
  const unr = (i: number, sh: number[]) => {
    const r: number[] = [];
    for (let d = sh.length - 1; d >= 0; d--) {
      r[d] = i % sh[d]!;
      i = Math.floor(i / sh[d]!);
    }
    return r;
  };
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let l = 0; l < L; l++) {
        const p = unr(l, os);
        let s = 0;
        let m = 0;
        const g = Math.floor(o / Og);
        for (let ci = 0; ci < Cg; ci++)
          for (let t = 0; t < K; t++) {
            const tp = unr(t, c.w.slice(2));
            const xi: number[] = [];
            let ok = true;
            for (let d = 0; d < nsp; d++) {
              const e = p[d]! * c.stride[d]! - c.padding[d]! + tp[d]! * c.dilation[d]!;
              if (e < 0 || e % c.inputDilation[d]! !== 0 || e / c.inputDilation[d]! >= c.x[2 + d]!) ok = false;
              xi.push(e / c.inputDilation[d]!);
            }
            if (!ok) continue;
            const v = at(x, [n, g * Cg + ci, ...xi]) * at(w, [o, ci, ...tp]);
            s += v;
            m += Math.abs(v);
          }
        out[(n * O + o) * L + l] = s;
        mag[(n * O + o) * L + l] = m;
      }
  return { out, mag };
}

/** A 3x3 convolution case with stride 1 and no dilation. */
function conv3x3(x: number[], w: number[], padding: number[], groups = 1, xPerm?: number[]): ConvCase {
  return { x, w, stride: [1, 1], padding, dilation: [1, 1], inputDilation: [1, 1], groups, ...(xPerm && { xPerm }) };
}

const convCases: ConvCase[] = [
  // 2-D 3x3, padding 1 (the README CNN's layers)
  {
    x: [2, 3, 9, 8],
    w: [4, 3, 3, 3],
    stride: [1, 1],
    padding: [1, 1],
    dilation: [1, 1],
    inputDilation: [1, 1],
    groups: 1,
  },
  // strided, dilated, grouped, permuted input, flipped kernel
  {
    x: [3, 4, 11, 10],
    w: [6, 2, 3, 2],
    stride: [2, 3],
    padding: [2, 1],
    dilation: [2, 1],
    inputDilation: [1, 1],
    groups: 2,
    xPerm: [1, 0, 3, 2],
    wFlip: true,
  },
  // depthwise
  {
    x: [2, 5, 7, 7],
    w: [5, 1, 3, 3],
    stride: [1, 1],
    padding: [1, 1],
    dilation: [1, 1],
    inputDilation: [1, 1],
    groups: 5,
  },
  // 1x1 (multiplies the input in place) and its strided-input variant
  {
    x: [2, 6, 5, 4],
    w: [7, 6, 1, 1],
    stride: [1, 1],
    padding: [0, 0],
    dilation: [1, 1],
    inputDilation: [1, 1],
    groups: 1,
  },
  {
    x: [2, 6, 5, 4],
    w: [7, 6, 1, 1],
    stride: [1, 1],
    padding: [0, 0],
    dilation: [1, 1],
    inputDilation: [1, 1],
    groups: 1,
    xPerm: [0, 2, 3, 1],
  },
  // input dilation (transposed convolution / input gradient of a strided conv), negative padding
  {
    x: [2, 3, 5, 6],
    w: [2, 3, 3, 3],
    stride: [1, 1],
    padding: [2, -1],
    dilation: [1, 1],
    inputDilation: [2, 3],
    groups: 1,
  },
  // kernel wider than the output (the weight gradient's shape): im2col along the taps
  {
    x: [3, 4, 12, 13],
    w: [5, 4, 10, 11],
    stride: [1, 1],
    padding: [0, 1],
    dilation: [1, 1],
    inputDilation: [1, 1],
    groups: 1,
  },
  {
    x: [2, 4, 12, 13],
    w: [6, 2, 5, 6],
    stride: [1, 1],
    padding: [1, 0],
    dilation: [2, 2],
    inputDilation: [1, 1],
    groups: 2,
  },
  // 3x3, stride 1, several input channels per group (the geometry a Winograd path would take): odd and
  // even output sizes, padding 0-2, groups, a channels-last input, a larger map
  conv3x3([2, 5, 7, 8], [6, 5, 3, 3], [1, 1]),
  conv3x3([1, 8, 6, 5], [4, 4, 3, 3], [2, 0], 2, [0, 2, 3, 1]),
  conv3x3([3, 4, 9, 9], [3, 4, 3, 3], [0, 1]),
  conv3x3([1, 16, 70, 69], [8, 16, 3, 3], [1, 1]),
  // the float32 Winograd path (maps of at least 8x8, >= 4 channels per group, a sample per thread): an
  // odd output width, groups with a channels-last input, output channels over several micro-kernel
  // panels with a partial one, a map in several blocks of tile rows
  conv3x3([2, 6, 10, 11], [5, 6, 3, 3], [1, 1]),
  conv3x3([2, 8, 12, 9], [6, 4, 3, 3], [2, 1], 2, [0, 2, 3, 1]),
  conv3x3([3, 4, 8, 8], [30, 4, 3, 3], [1, 1]),
  conv3x3([2, 16, 70, 69], [8, 16, 3, 3], [0, 1]),
  // 1-D
  { x: [2, 3, 17], w: [4, 3, 5], stride: [2], padding: [3], dilation: [2], inputDilation: [1], groups: 1 },
  // enough columns (C/groups x taps x output positions > 2^18) that the input gradient works in several
  // blocks of output rows, the last one partial; kernel dilation and a stride along the rows cross block edges
  {
    x: [1, 64, 40, 30],
    w: [2, 64, 3, 3],
    stride: [1, 2],
    padding: [1, 1],
    dilation: [2, 1],
    inputDilation: [1, 1],
    groups: 1,
  },
  // the same with stride 1 along the rows (the input gradient's one-pass-per-row col2im) and a stride
  // across them
  {
    x: [1, 64, 40, 30],
    w: [2, 64, 3, 3],
    stride: [2, 1],
    padding: [1, 2],
    dilation: [1, 2],
    inputDilation: [1, 1],
    groups: 1,
  },
  // 3-D: blocks of output rows (a0, a1) that start and end inside an a0 plane
  {
    x: [1, 32, 6, 10, 12],
    w: [2, 32, 3, 3, 3],
    stride: [1, 1, 1],
    padding: [1, 1, 1],
    dilation: [1, 1, 1],
    inputDilation: [1, 1, 1],
    groups: 1,
  },
  // many output channels, few positions (the transposed GEMM)
  {
    x: [2, 3, 4, 4],
    w: [40, 3, 3, 3],
    stride: [1, 1],
    padding: [0, 0],
    dilation: [1, 1],
    inputDilation: [1, 1],
    groups: 1,
  },
  ...Array.from({ length: 24 }, randomConvCase),
];

/** The weight gradient by its definition, in float64: dW[o, ci, t] = sum over n, l of gy[n, o, l] x[n, c, l.t]. */
function convWeightGradReference(c: ConvCase, gy: View, x: View): { out: Float64Array; mag: Float64Array } {
  const nsp = c.x.length - 2;
  const os = convOut(c);
  const [N, C] = c.x as [number, number];
  const O = c.w[0]!;
  const Cg = C / c.groups;
  const Og = O / c.groups;
  const L = os.reduce((a, b) => a * b, 1);
  const ks = c.w.slice(2);
  const K = ks.reduce((a, b) => a * b, 1);
  const out = new Float64Array(O * Cg * K);
  const mag = new Float64Array(O * Cg * K);
  const unr = (i: number, sh: number[]) => {
    const r: number[] = [];
    for (let d = sh.length - 1; d >= 0; d--) {
      r[d] = i % sh[d]!;
      i = Math.floor(i / sh[d]!);
    }
    return r;
  };
  for (let o = 0; o < O; o++)
    for (let ci = 0; ci < Cg; ci++)
      for (let t = 0; t < K; t++) {
        const tp = unr(t, ks);
        let s = 0;
        let m = 0;
        for (let n = 0; n < N; n++)
          for (let l = 0; l < L; l++) {
            const p = unr(l, os);
            const xi: number[] = [];
            let ok = true;
            for (let d = 0; d < nsp; d++) {
              const e = p[d]! * c.stride[d]! - c.padding[d]! + tp[d]! * c.dilation[d]!;
              if (e < 0 || e % c.inputDilation[d]! !== 0 || e / c.inputDilation[d]! >= c.x[2 + d]!) ok = false;
              xi.push(e / c.inputDilation[d]!);
            }
            if (!ok) continue;
            const v = at(gy, [n, o, ...p]) * at(x, [n, Math.floor(o / Og) * Cg + ci, ...xi]);
            s += v;
            m += Math.abs(v);
          }
        out[(o * Cg + ci) * K + t] = s;
        mag[(o * Cg + ci) * K + t] = m;
      }
  return { out, mag };
}

/** The input gradient by its definition, in float64: dx[n, c, i] = sum of gy[n, o, l] w[o, c, t] over the taps reading i. */
function convInputGradReference(c: ConvCase, gy: View, w: View): { out: Float64Array; mag: Float64Array } {
  const nsp = c.x.length - 2;
  const os = convOut(c);
  const [N, C] = c.x as [number, number];
  const O = c.w[0]!;
  const Cg = C / c.groups;
  const Og = O / c.groups;
  const L = os.reduce((a, b) => a * b, 1);
  const ks = c.w.slice(2);
  const K = ks.reduce((a, b) => a * b, 1);
  const xs = c.x.slice(2);
  const S = xs.reduce((a, b) => a * b, 1);
  const out = new Float64Array(N * C * S);
  const mag = new Float64Array(N * C * S);
  const unr = (i: number, sh: number[]) => {
    const r: number[] = [];
    for (let d = sh.length - 1; d >= 0; d--) {
      r[d] = i % sh[d]!;
      i = Math.floor(i / sh[d]!);
    }
    return r;
  };
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let l = 0; l < L; l++) {
        const p = unr(l, os);
        const gi = Math.floor(o / Og);
        for (let ci = 0; ci < Cg; ci++)
          for (let t = 0; t < K; t++) {
            const tp = unr(t, ks);
            const xi: number[] = [];
            for (let d = 0; d < nsp; d++) xi.push(p[d]! * c.stride[d]! - c.padding[d]! + tp[d]! * c.dilation[d]!);
            if (xi.some((e, d) => e < 0 || e >= xs[d]!)) continue;
            const v = at(gy, [n, o, ...p]) * at(w, [o, ci, ...tp]);
            const flat = (n * C + gi * Cg + ci) * S + xi.reduce((f, e, d) => f * xs[d]! + e, 0);
            out[flat] += v;
            mag[flat] += Math.abs(v);
          }
      }
  return { out, mag };
}

for (const isa of isas) {
  describe(`native NN kernels (${isa})`, { skip: !native && "addon not built" }, () => {
    test("convolution matches its definition over geometries, layouts, dtypes and thread counts", () => {
      addon!.selectIsa(isa);
      const before = getNumThreads();
      try {
        for (const threads of [1, 2])
          for (const dtype of ["float32", "float64"] as const)
            for (const c of convCases) {
              setNumThreads(threads);
              const x = randomView(dtype, c.x, c.xPerm);
              const w = randomView(dtype, c.w, undefined, c.wFlip);
              const os = [c.x[0]!, c.w[0]!, ...convOut(c)];
              const n = os.reduce((a, b) => a * b, 1);
              const Ctor = dtype === "float64" ? Float64Array : Float32Array;
              const out = view(dtype, new Ctor(n + 2).fill(7), os, contiguous(os), 2);
              const padding = c.padding;
              K.conv(x, w, out, { ...c, padding });
              const { out: ref, mag } = convReference(c, x, w);
              const got = (out.storage as CpuStorage).data;
              const eps = dtype === "float64" ? 1e-13 : 2e-6;
              for (let i = 0; i < n; i++)
                if (Math.abs(got[2 + i]! - ref[i]!) > eps * (mag[i]! + 1e-30))
                  assert.fail(
                    `conv ${JSON.stringify(c)} ${dtype} ${threads} threads, element ${i}: ${got[2 + i]} vs ${ref[i]}`,
                  );
              assert.equal(got[0], 7, "writes before the output");
            }
      } finally {
        setNumThreads(before);
        addon!.selectIsa(startIsa);
      }
    });

    test("3x3 convolution with inf and NaN in x or w: outputs as the direct sums give them", () => {
      addon!.selectIsa(isa);
      // a map too small for the Winograd path, and one it takes (two samples: the one holding the
      // value falls back to the direct sums, the other stays on Winograd)
      const cases = [conv3x3([1, 4, 6, 7], [3, 4, 3, 3], [1, 1]), conv3x3([2, 4, 9, 10], [3, 4, 3, 3], [1, 1])];
      try {
        for (const c of cases)
          for (const [where, value] of [
            ["x", Infinity],
            ["x", NaN],
            ["w", -Infinity],
            ["w", NaN],
          ] as const) {
            const x = randomView("float32", c.x);
            const w = randomView("float32", c.w);
            const target = where === "x" ? x : w;
            (target.storage as CpuStorage).data[target.offset + 40] = value;
            const os = [c.x[0]!, c.w[0]!, ...convOut(c)];
            const n = os.reduce((a, b) => a * b, 1);
            const out = view("float32", new Float32Array(n), os, contiguous(os));
            K.conv(x, w, out, c);
            const { out: ref, mag } = convReference(c, x, w);
            const got = (out.storage as CpuStorage).data;
            let nonFinite = 0;
            for (let i = 0; i < n; i++) {
              if (!Number.isFinite(ref[i]!)) {
                nonFinite++;
                assert.ok(
                  Object.is(got[i], Math.fround(ref[i]!)),
                  `${where} ${value}, element ${i}: ${got[i]} vs ${ref[i]}`,
                );
              } else if (!(Math.abs(got[i]! - ref[i]!) <= 2e-6 * mag[i]!))
                assert.fail(`${where} ${value}, element ${i}: ${got[i]} vs ${ref[i]}`);
            }
            assert.ok(nonFinite > 0 && nonFinite < n, `${where} ${value}: some outputs, not all, are non-finite`);
          }
      } finally {
        addon!.selectIsa(startIsa);
      }
    });

    test("convolution input gradient matches its definition over geometries, layouts, dtypes and threads", () => {
      assert.ok(K.convInputGrad, "the native kernels have convInputGrad");
      addon!.selectIsa(isa);
      const before = getNumThreads();
      try {
        for (const threads of [1, 2])
          for (const dtype of ["float32", "float64"] as const)
            for (const c of convCases.filter((cc) => cc.inputDilation.every((e) => e === 1))) {
              setNumThreads(threads);
              const w = randomView(dtype, c.w, undefined, c.wFlip);
              const gy = randomView(
                dtype,
                [c.x[0]!, c.w[0]!, ...convOut(c)],
                [1, 0, ...c.x.slice(2).map((_, d) => d + 2)],
              );
              const n = c.x.reduce((a, b) => a * b, 1);
              const Ctor = dtype === "float64" ? Float64Array : Float32Array;
              const out = view(dtype, new Ctor(n + 2).fill(7), c.x, contiguous(c.x), 2);
              K.convInputGrad!(gy, w, out, c);
              const { out: ref, mag } = convInputGradReference(c, gy, w);
              const got = (out.storage as CpuStorage).data;
              const eps = dtype === "float64" ? 1e-13 : 4e-6;
              for (let i = 0; i < n; i++)
                if (Math.abs(got[2 + i]! - ref[i]!) > eps * (mag[i]! + 1e-30))
                  assert.fail(
                    `convInputGrad ${JSON.stringify(c)} ${dtype} ${threads} threads, element ${i}: ${got[2 + i]} vs ${ref[i]}`,
                  );
              assert.deepEqual([got[0], got[1]], [7, 7], "writes before the output");
            }
      } finally {
        setNumThreads(before);
        addon!.selectIsa(startIsa);
      }
    });

    test("convolution weight gradient matches its definition over geometries, layouts, dtypes and threads", () => {
      assert.ok(K.convWeightGrad, "the native kernels have convWeightGrad");
      addon!.selectIsa(isa);
      const before = getNumThreads();
      try {
        for (const threads of [1, 2])
          for (const dtype of ["float32", "float64"] as const)
            for (const c of convCases) {
              setNumThreads(threads);
              const x = randomView(dtype, c.x, c.xPerm);
              // gy with sample and channel dims swapped in memory (positions stay one unit-stride run)
              const gy = randomView(
                dtype,
                [c.x[0]!, c.w[0]!, ...convOut(c)],
                [1, 0, ...c.x.slice(2).map((_, d) => d + 2)],
              );
              const n = c.w.reduce((a, b) => a * b, 1);
              const Ctor = dtype === "float64" ? Float64Array : Float32Array;
              const out = view(dtype, new Ctor(n + 2).fill(7), c.w, contiguous(c.w), 2);
              K.convWeightGrad!(gy, x, out, c);
              const { out: ref, mag } = convWeightGradReference(c, gy, x);
              const got = (out.storage as CpuStorage).data;
              const eps = dtype === "float64" ? 1e-13 : 4e-6;
              for (let i = 0; i < n; i++)
                if (Math.abs(got[2 + i]! - ref[i]!) > eps * (mag[i]! + 1e-30))
                  assert.fail(
                    `convWeightGrad ${JSON.stringify(c)} ${dtype} ${threads} threads, element ${i}: ${got[2 + i]} vs ${ref[i]}`,
                  );
              assert.equal(got[0], 7, "writes before the output");
              assert.equal(got[1], 7, "writes before the output");
            }
      } finally {
        setNumThreads(before);
        addon!.selectIsa(startIsa);
      }
    });
  });
}

describe("native index kernels", { skip: !native && "addon not built" }, () => {
  const f32 = (shape: number[], perm?: number[]) => randomView("float32", shape, perm);
  const idx = (shape: number[], n: number, perm?: number[]) => {
    const v = randomView("int64", shape, perm);
    const a = (v.storage as CpuStorage).data;
    for (let i = 0; i < a.length; i++) a[i] = Math.floor(rand() * n);
    return v;
  };
  const data = (v: View) => (v.storage as CpuStorage).data;

  test("gather reads x along dim at the indices, through strides", () => {
    for (const dim of [0, 1, 2]) {
      const x = f32([4, 5, 6], [2, 0, 1]);
      const index = idx([3, 4, 5], x.shape[dim]!, [1, 2, 0]);
      const out = view("float32", new Float32Array(60), [3, 4, 5], contiguous([3, 4, 5]));
      K.gather(x, dim, index, out);
      let i = 0;
      for (let a = 0; a < 3; a++)
        for (let b = 0; b < 4; b++)
          for (let c = 0; c < 5; c++) {
            const p = [a, b, c];
            p[dim] = at(index, [a, b, c]);
            assert.equal(data(out)[i++], at(x, p));
          }
    }
  });

  test("gather and scatter report out-of-range indices as PyTorch does", () => {
    const x = f32([2, 3]);
    const index = idx([2, 2], 3);
    data(index)[index.offset + 1] = 3;
    const out = view("float32", new Float32Array(4), [2, 2], [2, 1]);
    assert.throws(() => K.gather(x, 1, index, out), /index 3 is out of bounds for dimension 1 with size 3/);
    const o = view("float32", new Float32Array(6), [2, 3], [3, 1]);
    assert.throws(() => K.scatter(o, 1, index, f32([2, 2]), "sum", true), /index 3 is out of bounds/);
  });

  test("scatter (plain and summing) writes src at the indices in row-major order", () => {
    for (const reduce of ["none", "sum"] as const) {
      const out = view("float32", new Float32Array(40).fill(1), [5, 8], [8, 1]);
      const index = idx([6, 4], 5);
      const src = f32([6, 4], [1, 0]);
      const want = Float32Array.from(data(out));
      for (let a = 0; a < 6; a++)
        for (let b = 0; b < 4; b++) {
          const p = at(index, [a, b]) * 8 + b;
          want[p] = reduce === "sum" ? Math.fround(want[p]! + at(src, [a, b])) : at(src, [a, b]);
        }
      K.scatter(out, 0, index, src, reduce, true);
      assert.deepEqual([...data(out)], [...want]);
    }
  });

  test("large gather and scatter along the last dim: results and range checks at 1 and 3 threads", () => {
    const before = getNumThreads();
    try {
      for (const threads of [1, 3]) {
        setNumThreads(threads);
        // 300 x 150 index elements (more than the small cases above)
        const x = f32([300, 200], [1, 0]);
        const index = idx([300, 150], 200, [1, 0]);
        const out = view("float32", new Float32Array(300 * 150), [300, 150], [150, 1]);
        K.gather(x, 1, index, out);
        const want = new Float32Array(300 * 150);
        for (let a = 0; a < 300; a++) for (let b = 0; b < 150; b++) want[a * 150 + b] = at(x, [a, at(index, [a, b])]);
        assert.deepEqual(data(out), want, `gather at ${threads} threads`);

        const acc = view("float32", new Float32Array(300 * 200).fill(1), [300, 200], [200, 1]);
        const src = f32([300, 150], [1, 0]);
        const sums = Float32Array.from(data(acc));
        for (let a = 0; a < 300; a++)
          for (let b = 0; b < 150; b++) {
            const p = a * 200 + at(index, [a, b]);
            sums[p] = Math.fround(sums[p]! + at(src, [a, b]));
          }
        K.scatter(acc, 1, index, src, "sum", true);
        assert.deepEqual(data(acc), sums, `scatter at ${threads} threads`);

        // an index out of range in the last row
        const bad = idx([300, 150], 200);
        data(bad)[bad.offset + 299 * 150 + 7] = 200;
        assert.throws(() => K.gather(x, 1, bad, out), /index 200 is out of bounds/);
        assert.throws(() => K.scatter(acc, 1, bad, src, "sum", true), /index 200 is out of bounds/);
      }
    } finally {
      setNumThreads(before);
    }
  });

  test("argmax / argmin: first extreme along the last dim, NaN counts as the extreme", () => {
    const x = f32([7, 9], [1, 0]);
    const a = data(x);
    a[x.offset + 2 * x.strides[0]! + 4 * x.strides[1]!] = NaN;
    a[x.offset + 3 * x.strides[0]! + 1 * x.strides[1]!] = a[x.offset + 3 * x.strides[0]! + 5 * x.strides[1]!] = 5;
    for (const kind of ["max", "min"] as const) {
      const out = view("int64", new Float64Array(7), [7], [1]);
      K.argReduce(kind, x, out);
      for (let r = 0; r < 7; r++) {
        let bi = 0;
        for (let i = 1; i < 9; i++) {
          const v = at(x, [r, i]);
          const best = at(x, [r, bi]);
          if (best !== best) break;
          if (v !== v || (kind === "max" ? v > best : v < best)) bi = i;
        }
        assert.equal(data(out)[r], bi, `${kind} row ${r}`);
      }
      if (kind === "max") assert.equal(data(out)[2], 4);
      if (kind === "max") assert.equal(data(out)[3], 1);
    }
  });

  test("stridedAccumulate adds a gradient into a transposed and an overlapping view", () => {
    const src = f32([6, 7]);
    const out = view("float32", new Float32Array(50).fill(0.5), [50], [1]);
    K.stridedAccumulate(src, out, [6, 7], [1, 6], 3); // a transposed view at offset 3
    const want = new Float32Array(50).fill(0.5);
    for (let i = 0; i < 6; i++)
      for (let j = 0; j < 7; j++) want[3 + i + 6 * j] = Math.fround(want[3 + i + 6 * j]! + at(src, [i, j]));
    assert.deepEqual([...data(out)], [...want]);
    const out2 = view("float32", new Float32Array(7), [7], [1]);
    K.stridedAccumulate(src, out2, [6, 7], [0, 1], 0); // expanded view: rows add up in order
    const want2 = new Float32Array(7);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 7; j++) want2[j] = Math.fround(want2[j]! + at(src, [i, j]));
    assert.deepEqual([...data(out2)], [...want2]);
  });

  test("float32 comparisons with a scalar and where with a bool mask match the TS kernels", () => {
    const shape = [33, 40];
    const x = f32(shape, [1, 0]);
    data(x)[x.offset + 5] = NaN;
    data(x)[x.offset + 6] = 0;
    const zero = view("int64", new Float64Array([0]), shape, [0, 0]);
    for (const js of [
      "a <= b ? 1 : 0",
      "a < b ? 1 : 0",
      "a >= b ? 1 : 0",
      "a > b ? 1 : 0",
      "a === b ? 1 : 0",
      "a !== b ? 1 : 0",
    ]) {
      const e = { js, reads: [null, "Math.fround"] };
      const o1 = {
        ...view("bool", new Float32Array(0), shape, contiguous(shape)),
        storage: new CpuStorage("bool", new Uint8Array(1320)),
      };
      const o2 = { ...o1, storage: new CpuStorage("bool", new Uint8Array(1320)) };
      K.map(e, [x, zero], o1, []);
      runMap(e, [x, zero], o2, []);
      assert.deepEqual([...data(o1)], [...data(o2)], js);
    }
    const mask = {
      ...view("bool", new Float32Array(0), shape, contiguous(shape)),
      storage: new CpuStorage("bool", new Uint8Array(1320)),
    };
    for (let i = 0; i < 1320; i++) (data(mask) as Uint8Array)[i] = rand() < 0.5 ? 1 : 0;
    const g = f32(shape);
    const e = { js: "a !== 0 ? b : c" };
    for (const ins of [
      [mask, zero, g],
      [mask, g, zero],
      [mask, g, x],
    ]) {
      const o1 = view("float32", new Float32Array(1320), shape, contiguous(shape));
      const o2 = view("float32", new Float32Array(1320), shape, contiguous(shape));
      K.map(e, ins, o1, []);
      runMap(e, ins, o2, []);
      assert.deepEqual([...data(o1)], [...data(o2)]);
    }
  });
});

// ---- fused optimizer steps (sgdStep, adamStep) -----------------------------------------------------

type FArr = Float32Array | Float64Array;
interface OptimAddonT {
  sgdStep(arrays: FArr[], meta: Float64Array): void;
  adamStep(arrays: FArr[], meta: Float64Array): void;
}

describe("native fused optimizer steps", { skip: !native && "addon not built" }, () => {
  const opt = addon as unknown as OptimAddonT;
  // sizes: empty, tiny, and more than one 32768-element chunk
  const sizes = [0, 7, 70001];
  const randArr = (Ctor: typeof Float32Array | typeof Float64Array, n: number, off: number) => {
    const a = new Ctor(n + off);
    for (let i = 0; i < a.length; i++) a[i] = rand() * 2 - 1;
    return a;
  };

  test("SGD matches PyTorch's per-op arithmetic (momentum, dampening, nesterov, decay, maximize)", () => {
    const before = getNumThreads();
    try {
      for (const threads of [1, 2])
        for (const dtype of ["float32", "float64"] as const)
          for (const [momentum, dampening, wd, nesterov, maximize] of [
            [0, 0, 0, false, false],
            [0.9, 0, 0, false, false],
            [0.9, 0.5, 0.1, false, true],
            [0.8, 0, 0.01, true, false],
          ] as const) {
            setNumThreads(threads);
            const Ctor = dtype === "float64" ? Float64Array : Float32Array;
            const r = dtype === "float64" ? (v: number) => v : Math.fround;
            const lr = 0.1;
            const arrays: FArr[] = [];
            const meta = [sizes.length, lr, momentum, dampening, wd, +nesterov, +maximize];
            const expect: number[][] = [];
            sizes.forEach((n, k) => {
              const [P, G, B] = [randArr(Ctor, n, 1), randArr(Ctor, n, 2), randArr(Ctor, n, 3)];
              const init = k === 1; // a new buffer takes this step's direction
              const Pe = [...P];
              const Be = [...B];
              for (let i = 0; i < n; i++) {
                let d = maximize ? -G[2 + i]! : G[2 + i]!;
                if (wd !== 0) d = r(d + r(r(wd) * Pe[1 + i]!));
                if (momentum !== 0) {
                  const b = init ? d : r(r(Be[3 + i]! * r(momentum)) + r(r(1 - dampening) * d));
                  Be[3 + i] = b;
                  d = nesterov ? r(d + r(r(momentum) * b)) : b;
                }
                Pe[1 + i] = r(Pe[1 + i]! + r(r(-lr) * d));
              }
              arrays.push(P, G, B);
              meta.push(n, 1, 2, 3, +init);
              expect.push(Pe, momentum !== 0 ? Be : [...B]);
            });
            opt.sgdStep(arrays, new Float64Array(meta));
            const rtol = dtype === "float64" ? 1e-15 : 3e-7;
            sizes.forEach((_, k) => {
              for (const [got, exp] of [
                [arrays[3 * k]!, expect[2 * k]!],
                [arrays[3 * k + 2]!, expect[2 * k + 1]!],
              ] as const)
                for (let i = 0; i < got.length; i++)
                  if (Math.abs(got[i]! - exp[i]!) > rtol * Math.abs(exp[i]!) + 1e-12)
                    assert.fail(`sgd ${dtype} momentum ${momentum} param ${k} element ${i}: ${got[i]} vs ${exp[i]}`);
            });
          }
    } finally {
      setNumThreads(before);
    }
  });

  test("Adam and AdamW match PyTorch's per-op arithmetic (amsgrad, decay, maximize, per-parameter steps)", () => {
    const before = getNumThreads();
    try {
      for (const threads of [1, 2])
        for (const dtype of ["float32", "float64"] as const)
          for (const [wd, amsgrad, maximize, decoupled] of [
            [0, false, false, false],
            [0.1, true, false, false],
            [0.05, false, true, false],
            [0.01, true, false, true],
            [0, false, true, true],
          ] as const) {
            setNumThreads(threads);
            const Ctor = dtype === "float64" ? Float64Array : Float32Array;
            const r = dtype === "float64" ? (v: number) => v : Math.fround;
            const [lr, beta1, beta2, eps] = [0.01, 0.9, 0.99, 1e-8];
            const arrays: FArr[] = [];
            const meta = [sizes.length, lr, beta1, beta2, eps, wd, +amsgrad, +maximize, +decoupled];
            const expect: number[][] = [];
            sizes.forEach((n, k) => {
              const step = k + 2;
              const [P, G, M, V, X] = [0, 1, 2, 3, 4].map((o) => randArr(Ctor, n, o)) as FArr[];
              for (const A of [V!, X!]) for (let i = 0; i < A.length; i++) A[i] = Math.abs(A[i]!);
              const [Pe, Me, Ve, Xe] = [[...P!], [...M!], [...V!], [...X!]];
              const stepSize = lr / (1 - beta1 ** step);
              const bc2 = Math.sqrt(1 - beta2 ** step);
              for (let i = 0; i < n; i++) {
                let g = maximize ? -G![1 + i]! : G![1 + i]!;
                let p = Pe[i]!;
                if (decoupled) p = r(p * r(1 - lr * wd));
                else if (wd !== 0) g = r(g + r(r(wd) * p));
                const m = r(r(Me[2 + i]! * r(beta1)) + r(r(1 - beta1) * g));
                let v = r(r(Ve[3 + i]! * r(beta2)) + r(r(r(1 - beta2) * g) * g));
                Me[2 + i] = m;
                Ve[3 + i] = v;
                if (amsgrad) v = Xe[4 + i] = Math.max(Xe[4 + i]!, v);
                const denom = r(r(r(Math.sqrt(v)) / r(bc2)) + r(eps));
                Pe[i] = r(p + r(r(r(-stepSize) * m) / denom));
              }
              arrays.push(P!, G!, M!, V!, X!);
              meta.push(n, 0, 1, 2, 3, 4, step);
              expect.push(Pe, Me, Ve, amsgrad ? Xe : [...X!]);
            });
            opt.adamStep(arrays, new Float64Array(meta));
            const rtol = dtype === "float64" ? 1e-14 : 1e-6;
            sizes.forEach((_, k) => {
              for (const [j, name] of [
                [0, "param"],
                [2, "exp_avg"],
                [3, "exp_avg_sq"],
                [4, "max_exp_avg_sq"],
              ] as const) {
                const got = arrays[5 * k + j]!;
                const exp = expect[4 * k + (j === 0 ? 0 : j - 1)]!;
                for (let i = 0; i < got.length; i++)
                  if (Math.abs(got[i]! - exp[i]!) > rtol * Math.abs(exp[i]!) + 1e-12)
                    assert.fail(
                      `adam ${dtype} wd ${wd} amsgrad ${amsgrad} decoupled ${decoupled} ${name} ${k}, element ${i}: ${got[i]} vs ${exp[i]}`,
                    );
              }
            });
          }
    } finally {
      setNumThreads(before);
    }
  });

  test("fused steps reject out-of-range tensors", () => {
    const a = new Float32Array(4);
    assert.throws(
      () => opt.sgdStep([a, a.slice(), a.slice()], new Float64Array([1, 0.1, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0])),
      /out of range/,
    );
    assert.throws(
      () => opt.adamStep([a], new Float64Array([1, 0.1, 0.9, 0.99, 1e-8, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 1])),
      /wrong number/,
    );
  });
});

// ---- max pooling's argmax (maxPoolIndices) ---------------------------------------------------------

interface PoolCase {
  sp: number[];
  k: number[];
  s: number[];
  p: number[];
  d: number[];
  ceil?: boolean;
}

/** PyTorch's pooling output size. */
function poolOutSize(L: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  let o = Math.floor((L + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (o - 1) * s >= L + p) o--;
  return o;
}

/** The argmax by definition: first maximum over real taps in row-major order, first NaN wins. */
function poolReference(c: PoolCase, x: View, M: number, out: number[]): number[] {
  const res: number[] = [];
  const nOut = out.reduce((a, b) => a * b, 1);
  const K = c.k.reduce((a, b) => a * b, 1);
  const unr = (i: number, sh: number[]) => {
    const r: number[] = [];
    for (let d = sh.length - 1; d >= 0; d--) {
      r[d] = i % sh[d]!;
      i = Math.floor(i / sh[d]!);
    }
    return r;
  };
  for (let m = 0; m < M; m++)
    for (let q = 0; q < nOut; q++) {
      const o = unr(q, out);
      let best = -Infinity;
      let idx = -1;
      for (let t = 0; t < K; t++) {
        const tp = unr(t, c.k);
        const pos = o.map((oi, i) => oi * c.s[i]! - c.p[i]! + tp[i]! * c.d[i]!);
        if (!pos.every((p, i) => p >= 0 && p < c.sp[i]!)) continue;
        const flat = pos.reduce((f, p, i) => f * c.sp[i]! + p, 0);
        if (idx < 0) idx = flat;
        const v = at(x, [m, ...pos]);
        // PyTorch 1.13's CPU loop: a greater value or any NaN takes the window (so the last NaN wins)
        if (v > best || v !== v) {
          best = v;
          idx = flat;
        }
      }
      res.push(idx);
    }
  return res;
}

describe("native max pooling indices", { skip: !native && "addon not built" }, () => {
  const cases: PoolCase[] = [
    { sp: [9, 8], k: [2, 2], s: [2, 2], p: [0, 0], d: [1, 1] },
    { sp: [12, 37], k: [2, 2], s: [2, 2], p: [0, 0], d: [1, 1] },
    { sp: [9, 8], k: [3, 3], s: [2, 1], p: [1, 1], d: [1, 1], ceil: true },
    { sp: [10, 11], k: [3, 2], s: [2, 3], p: [1, 0], d: [2, 3], ceil: true },
    { sp: [17], k: [4], s: [3], p: [2], d: [1] },
    { sp: [5, 6, 7], k: [2, 3, 2], s: [2, 2, 1], p: [1, 1, 0], d: [1, 1, 2] },
  ];
  test("matches its definition (padding, dilation, ceil mode, strided input, NaN, -inf, threads)", () => {
    assert.ok(K.maxPoolIndices, "the native kernels have maxPoolIndices");
    const before = getNumThreads();
    try {
      for (const threads of [1, 2])
        for (const dtype of ["float32", "float64"] as const)
          for (const c of cases)
            for (const planesLast of [true, false]) {
              setNumThreads(threads);
              const M = 6;
              const shape = [M, ...c.sp];
              // planes last in memory (a non-contiguous view), or contiguous (unit-stride rows: the 2x2
              // stride-2 kernel)
              const order = planesLast ? [...c.sp.map((_, i) => i + 1), 0] : [0, ...c.sp.map((_, i) => i + 1)];
              const x = randomView(dtype, shape, order);
              const X = (x.storage as CpuStorage).data;
              // ties, NaNs and all -inf windows
              for (let i = 0; i < X.length; i++) {
                const r = rand();
                if (r < 0.05) X[i] = NaN;
                else if (r < 0.25) X[i] = -Infinity;
                else if (r < 0.4) X[i] = 0.5;
              }
              const out = c.sp.map((L, i) => poolOutSize(L, c.k[i]!, c.s[i]!, c.p[i]!, c.d[i]!, c.ceil ?? false));
              const n = M * out.reduce((a, b) => a * b, 1);
              const o = view("int64", new Float64Array(n + 1).fill(-7), [M, ...out], contiguous([M, ...out]), 1);
              K.maxPoolIndices!(x, o, { kernel: c.k, stride: c.s, padding: c.p, dilation: c.d });
              const got = [...(o.storage as CpuStorage).data];
              assert.equal(got[0], -7, "writes before the output");
              assert.deepEqual(
                got.slice(1),
                poolReference(c, x, M, out),
                `${JSON.stringify(c)} ${dtype} ${threads} ${planesLast}`,
              );
            }
    } finally {
      setNumThreads(before);
    }
  });
});

describe("native softmax", { skip: !native && "addon not built" }, () => {
  /** softmax / log-softmax of one row in float64, NaN throughout when its max is not finite. */
  function reference(row: number[], log: boolean): number[] {
    const m = row.some((v) => Number.isNaN(v)) ? NaN : Math.max(...row);
    if (!Number.isFinite(m)) return row.map(() => NaN);
    const s = row.reduce((a, v) => a + Math.exp(v - m), 0);
    return row.map((v) => (log ? v - m - Math.log(s) : Math.exp(v - m) / s));
  }

  test("matches its definition on every ISA (tails, strided rows, NaN / Inf rows, large values, threads)", () => {
    const before = getNumThreads();
    try {
      for (const isa of isas)
        for (const threads of [1, 2])
          for (const [shape, perm] of [
            [[3, 37], undefined],
            [[5, 16], undefined],
            [[1, 1], undefined],
            [
              [2, 3, 21],
              [2, 0, 1],
            ],
            [[64, 1000], undefined],
          ] as [number[], number[] | undefined][])
            for (const log of [false, true]) {
              addon!.selectIsa(isa);
              setNumThreads(threads);
              const x = randomView("float32", shape, perm);
              const X = (x.storage as CpuStorage).data;
              for (let i = 0; i < X.length; i++) X[i]! *= 30;
              const rows = offsets(x);
              const n = shape[shape.length - 1]!;
              const R = rows.length / n;
              // row 0: large values; rows 1.. of the small cases: a NaN, an Inf, only -Inf
              for (let k = 0; k < n; k++) X[rows[k]!] = 1e4 + k;
              if (R >= 4) {
                X[rows[n + 1]!] = NaN;
                X[rows[2 * n]!] = Infinity;
                for (let k = 0; k < n; k++) X[rows[3 * n + k]!] = -Infinity;
              }
              const out = view("float32", new Float32Array(rows.length + 1).fill(-7), shape, contiguous(shape), 1);
              K.softmax(x, out, log);
              const got = (out.storage as CpuStorage).data;
              assert.equal(got[0], -7, "writes before the output");
              for (let r = 0; r < R; r++) {
                const want = reference(
                  rows.slice(r * n, (r + 1) * n).map((o) => X[o]!),
                  log,
                );
                for (let k = 0; k < n; k++) {
                  const g = got[1 + r * n + k]!;
                  const w = want[k]!;
                  const ok = Number.isNaN(w) ? Number.isNaN(g) : Math.abs(g - w) <= 4e-7 * Math.max(1, Math.abs(w));
                  if (!ok) assert.fail(`${isa} ${threads}T ${shape} log=${log} row ${r} [${k}]: ${g}, expected ${w}`);
                }
              }
            }
    } finally {
      addon?.selectIsa(startIsa);
      setNumThreads(before);
    }
  });
});

describe("native softmax gradient and normalization", { skip: !native && "addon not built" }, () => {
  /** Largest |a - b| relative to max(1, |b|) over two arrays. */
  function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
    let d = 0;
    for (let i = 0; i < b.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
    return d;
  }

  test("softmax gradient matches the TS kernel on every ISA (tails, strided g, threads)", () => {
    const before = getNumThreads();
    try {
      for (const isa of isas)
        for (const threads of [1, 2])
          for (const shape of [
            [3, 37],
            [5, 16],
            [1, 1],
            [64, 1000],
            [200, 10],
          ])
            for (const log of [false, true]) {
              addon!.selectIsa(isa);
              setNumThreads(threads);
              const y = randomView("float32", shape);
              const g = randomView("float32", shape, [1, 0]); // a transposed gradient
              const n = shape[0]! * shape[1]!;
              const got = view("float32", new Float32Array(n), shape, contiguous(shape));
              const want = view("float32", new Float32Array(n), shape, contiguous(shape));
              K.softmaxGrad!(y, g, got, log);
              tsSoftmaxGrad(y, g, want, log);
              const d = maxRelDiff(arrOf(got), arrOf(want));
              assert.ok(d < 1e-5, `${isa} ${threads}T ${shape} log=${log}: differs by ${d}`);
            }
    } finally {
      addon?.selectIsa(startIsa);
      setNumThreads(before);
    }
  });

  test("norm and its gradient match the TS kernels on every ISA (group, layer and batch modes, threads)", () => {
    const before = getNumThreads();
    const cases: [number[], NormGeometry, boolean][] = [
      [[4, 6, 5], { mode: "group", groups: 3, eps: 1e-5 }, true],
      [[4, 6, 5], { mode: "batch", groups: 6, eps: 1e-5 }, true],
      [[7, 37, 1], { mode: "group", groups: 1, eps: 1e-5 }, true], // layer-norm rows
      [[7, 37, 1], { mode: "group", groups: 1, eps: 1e-3 }, false],
      [[8, 16, 300], { mode: "group", groups: 4, eps: 1e-5 }, true], // large enough for the thread pool
      [[8, 16, 300], { mode: "batch", groups: 16, eps: 1e-5 }, false],
      [[300, 130, 1], { mode: "group", groups: 1, eps: 1e-5 }, true],
    ];
    try {
      for (const isa of isas)
        for (const threads of [1, 2])
          for (const [shape, p, affine] of cases) {
            addon!.selectIsa(isa);
            setNumThreads(threads);
            const [N, C, S] = shape as [number, number, number];
            const K2 = p.mode === "batch" ? C : N * p.groups;
            const x = randomView("float32", shape);
            const g = randomView("float32", shape);
            const w = affine ? randomView("float32", [C]) : null;
            const b = affine ? randomView("float32", [C]) : null;
            const fresh = (n: number, s: number[]) => view("float32", new Float32Array(n), s, contiguous(s));
            const [y1, y2] = [fresh(N * C * S, shape), fresh(N * C * S, shape)];
            const [st1, st2] = [fresh(2 * K2, [2, K2]), fresh(2 * K2, [2, K2])];
            K.norm!(x, w, b, y1, st1, p);
            tsNorm(x, w, b, y2, st2, p);
            const label = `${isa} ${threads}T ${shape} ${p.mode}/${p.groups}`;
            assert.ok(maxRelDiff(arrOf(y1), arrOf(y2)) < 2e-5, `${label}: output`);
            assert.ok(maxRelDiff(arrOf(st1), arrOf(st2)) < 2e-5, `${label}: statistics`);
            const m = N * C * S + 2 * C;
            const [d1, d2] = [fresh(m, [m]), fresh(m, [m])];
            K.normGrad!(g, x, w, d1, p);
            tsNormGrad(g, x, w, d2, p);
            // dw, db are sums over N * S terms
            assert.ok(maxRelDiff(arrOf(d1), arrOf(d2)) < 1e-4, `${label}: gradients`);
          }
    } finally {
      addon?.selectIsa(startIsa);
      setNumThreads(before);
    }
  });
});
