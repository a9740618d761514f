// Checks the native CPU kernels against the TS reference kernels (map, sum) and a float64 reference
// (matmul) on every ISA variant this CPU runs, over the layouts they take over: transposed, offset,
// padded and broadcast operands, tile edges, empty sizes, special values, and one vs several threads.
// Run: node --import tsx --test native/test/kernels.test.ts (skips itself when the addon is not built).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import type { Kernels, View } from "../../src/backend.js";
import type { DType } from "../../src/dtype.js";
import { CpuStorage, cpuBackend } from "../../src/backends/cpu/index.js";
import { runMap, runReduce } from "../../src/backends/cpu/codegen.js";
import { cpuKernelInfo, getNumThreads, setNumThreads } from "../../src/backends/cpu/native.js";

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
      ["(a > 0 || a !== a) ? a : 0", 0],
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
    ];

    test("elementwise float32 ops match the TS kernels", () => {
      addon!.selectIsa(isa);
      const worst = new Map<string, number>();
      const check = (js: string, ins: View[], shape: number[], scalars: number[], maxUlps: number) => {
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
