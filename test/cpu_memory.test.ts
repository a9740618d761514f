// The CPU backend's allocation paths (issue 4, "Fast CPU"): the storage cache fed by `backend.free`
// (reuse by size, stale typed arrays detached, user arrays never taken, the cap), outputs allocated
// without a zero fill that every op still overwrites, and matmul with 1 to 4 rows (the unpacked
// path of the native kernels) against exact integer arithmetic, and small storages carved from shared
// slabs.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";
import { cpuBackend, CpuStorage } from "../src/backends/cpu/index.js";
import { cpuPoolStats, setCpuPoolCap } from "../src/backends/cpu/pool.js";

const N = 1 << 15; // 128 KiB of float32: above the cache's lower limit

describe("CPU storage cache", () => {
  test("a freed large storage is reused by the next allocation of its size, and its old array is detached", () => {
    setCpuPoolCap(256 * 2 ** 20);
    const t = torch.ones([N]).mul(7); // an op's output: memory the backend allocated
    const old = (t.storage as CpuStorage).data;
    const before = cpuPoolStats().pooledBytes;
    t.dispose();
    assert.equal(cpuPoolStats().pooledBytes, before + N * 4);
    assert.equal(old.length, 0, "a stale reference to the freed array sees no elements");
    assert.throws(() => t.dataSync(), /storage was freed/);
    const s = cpuBackend.allocUninit!("float32", N);
    assert.equal(cpuPoolStats().pooledBytes, before);
    assert.equal((s as CpuStorage).data.length, N);
  });

  test("zero-filled alloc from the cache is zero; uninitialised outputs are fully overwritten", () => {
    setCpuPoolCap(256 * 2 ** 20);
    torch.ones([N]).mul(NaN).dispose();
    const before = cpuPoolStats().pooledBytes;
    const z = (cpuBackend.alloc("float32", N) as CpuStorage).data;
    assert.equal(cpuPoolStats().pooledBytes, before - N * 4, "taken from the cache");
    assert.ok(z.every((v) => v === 0));
    torch.ones([N]).mul(NaN).dispose();
    const a = torch.arange(N, { dtype: torch.float32 });
    const r = a.mul(2).add(1); // every element written: no NaN left from the cached memory
    const d = r.dataSync();
    for (let i = 0; i < N; i += 997) assert.equal(d[i], 2 * i + 1);
    assert.equal(torch.isnan(r).any().item(), 0);
  });

  test("a user's array handed to fromArray is never recycled", () => {
    const mine = new Float32Array(N).fill(3);
    const t = new torch.Tensor(cpuBackend.fromArray("float32", mine), [N]);
    t.dispose();
    assert.equal(mine.length, N);
    assert.equal(mine[5], 3);
  });

  test("small storages and a zero cap bypass the cache", () => {
    setCpuPoolCap(256 * 2 ** 20);
    const before = cpuPoolStats().pooledBytes;
    torch.ones([16]).add(1).dispose();
    assert.equal(cpuPoolStats().pooledBytes, before);
    setCpuPoolCap(0);
    assert.equal(cpuPoolStats().pooledBytes, 0);
    torch.ones([N]).add(1).dispose();
    assert.equal(cpuPoolStats().pooledBytes, 0);
    setCpuPoolCap(256 * 2 ** 20);
  });
});

describe("small storages carved from slabs", () => {
  test("neighbouring small storages share a buffer, start zeroed and never overlap", () => {
    const a = (cpuBackend.alloc("float32", 100) as CpuStorage).data;
    const b = (cpuBackend.allocUninit!("float64", 30) as CpuStorage).data;
    const c = (cpuBackend.alloc("int32", 200) as CpuStorage).data;
    assert.equal(a.buffer, c.buffer, "consecutive small arrays come from one slab");
    assert.ok(a.every((v) => v === 0) && c.every((v) => v === 0));
    const ranges = [a, b, c]
      .filter((x) => x.buffer === a.buffer)
      .map((x) => [x.byteOffset, x.byteOffset + x.byteLength]);
    for (const [s0, e0] of ranges)
      for (const [s1, e1] of ranges) if (s0 !== s1) assert.ok(e0! <= s1! || e1! <= s0!, "slab arrays overlap");
    a.fill(1);
    (b as Float64Array).fill(2);
    assert.ok(
      c.every((v) => v === 0),
      "writing a neighbour leaves an array untouched",
    );
  });

  test("ops between small tensors of one slab give PyTorch's results", () => {
    // logSoftmax's output lands in the same slab as its input: the native kernel must still run on
    // disjoint rows (it refuses only true overlaps)
    const x = torch
      .tensor([
        [1, 2, 3],
        [0, 0, 0],
        [-1, 5, 2],
      ])
      .float()
      .repeat([10, 1]);
    const y = torch.nn.functional.logSoftmax(x, 1);
    const got = y.dataSync();
    // log_softmax([1, 2, 3]) from PyTorch 1.13: [-2.4076, -1.4076, -0.4076]
    assert.ok(Math.abs(got[0]! + 2.4076059) < 1e-6 && Math.abs(got[2]! + 0.4076059) < 1e-6);
    assert.ok(Math.abs(got[3]! + Math.log(3)) < 1e-6);
  });
});

describe("matmul with few rows", () => {
  // small integers: every product and partial sum is exact in float32, so any summation order agrees
  const ints = (shape: number[], seed: number) =>
    torch
      .remainder(
        torch
          .arange(
            shape.reduce((a, b) => a * b, 1),
            { dtype: torch.float32 },
          )
          .mul(seed),
        9,
      )
      .sub(4)
      .reshape(shape);
  const exact = (a: torch.Tensor, b: torch.Tensor) => {
    const [M, K] = a.shape as [number, number];
    const N2 = b.shape[1]!;
    const A = a.contiguous().dataSync();
    const B = b.contiguous().dataSync();
    const out: number[][] = [];
    for (let i = 0; i < M; i++) {
      const row: number[] = [];
      for (let j = 0; j < N2; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += A[i * K + k]! * B[k * N2 + j]!;
        row.push(s);
      }
      out.push(row);
    }
    return out;
  };
  for (const M of [1, 2, 3, 4, 5])
    for (const [K, N2] of [
      [784, 256],
      [37, 70],
      [3, 130],
      [5, 1],
    ] as const) {
      test(`(${M}x${K}) @ (${K}x${N2}), B row-major and B transposed (x @ W^T)`, () => {
        const a = ints([M, K], 7);
        const b = ints([K, N2], 5);
        const want = exact(a, b);
        assert.deepEqual(torch.matmul(a, b).tolist(), want);
        const w = b.t().contiguous(); // (N2, K): b is w.t(), a view with unit stride down its columns
        assert.deepEqual(torch.matmul(a, w.t()).tolist(), want);
        assert.deepEqual(torch.matmul(a.double(), w.double().t()).tolist(), want);
        const at = a.t().contiguous(); // a as at.t(): rows of a strided
        assert.deepEqual(torch.matmul(at.t(), b).tolist(), want);
        assert.deepEqual(torch.matmul(at.t(), w.t()).tolist(), want);
      });
    }
});
