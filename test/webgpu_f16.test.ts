// float16 on webgpu. Where the adapter has "shader-f16", float16 tensors are stored as WGSL f16
// (2 bytes per element); otherwise, or with TORCHTS_WEBGPU_F16=0, as f32 values on the f16 grid.
// Either way they must hold exactly the CPU's (PyTorch's) values. Checked here: PyTorch's float32 ->
// float16 rounding (test/fixtures/misc.json) through upload and through a GPU cast; every one of the
// 65536 half bit patterns through upload, readback and GPU casts; ops of each kernel family against
// the same op computed on the GPU in float32 and rounded on the host (bit-exact: kernels compute
// float16 in f32); matmul, conv and a training step against the CPU. The file runs itself again in a
// child process with TORCHTS_WEBGPU_F16=0, so the f32 fallback passes the same checks.
// Fails (does not skip) when no WebGPU adapter appears, like test/webgpu.test.ts.

import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";
import type { GpuInfo } from "../src/backends/webgpu/public.js";
import { f16BitsToNumber, roundF16 } from "../src/dtype.js";
import { decodeValue } from "./opspec.js";

const dev = "webgpu";
const fallbackChild = process.env.TORCHTS_WEBGPU_F16 === "0";
let info: GpuInfo;

before(async () => {
  info = await torch.webgpu.init();
});

const rounding = (
  JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "misc.json"), "utf8")) as {
    rounding: { float16: { inputs: (number | string)[]; outputs: (number | string)[] } };
  }
).rounding.float16;

/** Elementwise Object.is (NaN equals NaN, -0 differs from 0); lists the first mismatches. */
function assertSame(got: ArrayLike<number>, want: ArrayLike<number>, what: string, inputs?: ArrayLike<number>): void {
  assert.equal(got.length, want.length, `${what}: length`);
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++)
    if (!Object.is(got[i], want[i])) bad.push(`[${i}]${inputs ? ` ${inputs[i]}` : ""}: ${got[i]}, expected ${want[i]}`);
  assert.deepEqual(bad.slice(0, 8), [], `${what}: ${bad.length} mismatches`);
}

/** `f` on float16 webgpu tensors equals `f` on their float32 copies (GPU), rounded to f16 on the host. */
async function sameAsF32(f: (...xs: Tensor[]) => Tensor, xs: Tensor[], what: string): Promise<void> {
  const half = f(...xs.map((x) => x.to("float16").to(dev)));
  assert.equal(half.dtype, "float16", `${what}: dtype`);
  const full = f(...xs.map((x) => x.to("float16").to(dev, "float32")));
  const want = Float32Array.from(await full.data(), roundF16);
  assertSame(await half.float().data(), want, what);
}

/** Within one float16 ulp of the CPU's float16 result (sums in another order may round apart). */
async function closeToCpu(got: Tensor, want: Tensor, what: string): Promise<void> {
  assert.equal(got.dtype, "float16", `${what}: dtype`);
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const g = await got.data();
  const w = want.contiguous().dataSync();
  for (let i = 0; i < w.length; i++) {
    const tol = Math.max(Math.abs(w[i]!) * 2 ** -10, 2 ** -24);
    if (!(Math.abs(g[i]! - w[i]!) <= tol)) assert.fail(`${what}: element ${i}: ${g[i]}, expected ${w[i]}`);
  }
}

/** All 65536 float16 values, in bit-pattern order (float32 holding them exactly). */
const allHalves = Float32Array.from({ length: 65536 }, (_, i) => f16BitsToNumber(i));

/** Small float16-exact test values of both signs, with zeros, subnormals, the largest half and Inf/NaN. */
const specials = [
  0,
  -0,
  1,
  -1.5,
  2 ** -24,
  -(2 ** -20),
  2 ** -14,
  0.1,
  3.140625,
  100,
  -2049,
  65504,
  Infinity,
  -Infinity,
  NaN,
];

describe("float16 on webgpu", () => {
  test("storage: 2 bytes per element exactly when the adapter has shader-f16 (and it is not switched off)", () => {
    assert.equal(info.float16Storage, info.features.includes("shader-f16") && !fallbackChild);
    const bytes = (dtype: "float16" | "float32") => {
      const before = torch.webgpu.memoryStats().bytesInUse;
      const t = torch.empty([1000], { dtype, device: dev });
      const used = torch.webgpu.memoryStats().bytesInUse - before;
      t.dispose();
      return used;
    };
    assert.equal(bytes("float16") * (info.float16Storage ? 2 : 1), bytes("float32"));
  });

  test(`PyTorch's float32 -> float16 rounding, uploaded and cast on the GPU (${rounding.inputs.length} values)`, async () => {
    const ins = rounding.inputs.map(decodeValue);
    const want = rounding.outputs.map(decodeValue);
    assertSame(await torch.tensor(ins, { dtype: "float16", device: dev }).data(), want, "upload", ins);
    const cast = torch.tensor(ins, { dtype: "float32", device: dev }).to("float16");
    assertSame(await cast.data(), want, "GPU cast float32 -> float16", ins);
  });

  test("every half bit pattern survives upload, readback and GPU casts to and from float32", async () => {
    const h = torch.tensor(allHalves, { dtype: "float16", device: dev });
    assertSame(await h.data(), allHalves, "upload and readback");
    const f = h.to("float32");
    assertSame(await f.data(), allHalves, "GPU cast float16 -> float32");
    assertSame(await f.to("float16").data(), allHalves, "GPU cast float32 -> float16");
    // odd sizes and offsets: a view starting at an odd element of an odd-length storage
    const v = h.narrow(0, 1001, 4097);
    assertSame(await v.contiguous().data(), allHalves.subarray(1001, 5098), "odd view");
    assertSame(await v.mul(1).data(), allHalves.subarray(1001, 5098), "odd view through a kernel");
  });

  test("elementwise ops on special values are bit-exact", async () => {
    const a = torch.tensor(specials).view([-1, 1]);
    const b = torch.tensor(specials).view([1, -1]);
    for (const [name, f] of [
      ["add", (x: Tensor, y: Tensor) => x.add(y)],
      ["sub", (x: Tensor, y: Tensor) => x.sub(y)],
      ["mul", (x: Tensor, y: Tensor) => x.mul(y)],
      ["div", (x: Tensor, y: Tensor) => x.div(y)],
      ["maximum", (x: Tensor, y: Tensor) => torch.maximum(x, y)],
      ["where", (x: Tensor, y: Tensor) => torch.where(x.gt(y), x, y)],
    ] as const)
      await sameAsF32(f, [a, b], name);
    const x = torch.tensor([...specials, ...(torch.linspace(-12, 12, 97).tolist() as number[])]);
    for (const [name, f] of [
      ["neg", (t: Tensor) => t.neg()],
      ["abs", (t: Tensor) => t.abs()],
      ["exp", (t: Tensor) => t.exp()],
      ["log", (t: Tensor) => t.abs().log()],
      ["sqrt", (t: Tensor) => t.abs().sqrt()],
      ["tanh", (t: Tensor) => t.tanh()],
      ["sigmoid", (t: Tensor) => t.sigmoid()],
      ["relu", (t: Tensor) => torch.relu(t)],
      ["pow 2", (t: Tensor) => t.pow(2)],
      ["mul 1e4", (t: Tensor) => t.mul(1e4)],
    ] as const)
      await sameAsF32(f, [x], name);
  });

  test("casts to integers and comparisons read float16 exactly", async () => {
    const x = torch.tensor([0.5, -1.5, 2.75, 1000.5, -0, 2 ** -24], { dtype: "float16" });
    const g = x.to(dev);
    assert.deepEqual(await g.to("int32").tolistAsync(), x.to("int32").tolist());
    assert.deepEqual(await g.gt(0).tolistAsync(), x.gt(0).tolist());
    assert.deepEqual(await g.eq(x.to(dev)).tolistAsync(), [true, true, true, true, true, true]);
    assert.deepEqual(
      await torch.tensor([3, -7, 2049], { dtype: "int32", device: dev }).to("float16").tolistAsync(),
      [3, -7, 2048],
    );
  });

  test("reductions, scans, arg-reductions and sorting", async () => {
    torch.manualSeed(0);
    const x = torch.randn([6, 300]).mul(30);
    await sameAsF32((t) => t.sum(1), [x], "sum");
    await sameAsF32((t) => t.sum(), [x], "full sum");
    await sameAsF32((t) => t.amax(1), [x], "amax");
    await sameAsF32((t) => t.cumsum(1), [x], "cumsum");
    await sameAsF32((t) => t.sort(1).values, [x], "sort values");
    const h = x.to("float16");
    const g = h.to(dev);
    // mean and softmax round intermediate float16 results (as on the CPU), so they are compared with the CPU
    await closeToCpu(g.mean(0), h.mean(0), "mean");
    await closeToCpu(torch.nn.functional.softmax(g, 1), torch.nn.functional.softmax(h, 1), "softmax");
    assert.deepEqual(await g.argmax(1).tolistAsync(), h.argmax(1).tolist());
    assert.deepEqual(await g.sort(1).indices.tolistAsync(), h.sort(1).indices.tolist());
  });

  test("indexing: gather, scatterAdd, indexSelect and the gradient of overlapping views", async () => {
    torch.manualSeed(1);
    const x = torch.randn([5, 7]).mul(100);
    const idx = torch.tensor([[0, 4, 4, 1, 0, 3, 2]], { dtype: "int64" });
    await sameAsF32((t) => t.gather(0, idx.to(dev)), [x], "gather");
    await sameAsF32((t, s) => t.scatterAdd(0, idx.expand([2, 7]).to(dev), s), [x, x.narrow(0, 0, 2)], "scatterAdd");
    await sameAsF32(
      (t) => t.indexSelect(1, torch.tensor([6, 0, 0], { dtype: "int64", device: dev })),
      [x],
      "indexSelect",
    );
    // adds into a float16 destination round after every add, as PyTorch's CPU does: 1 + 2048 = 2049
    // ties to 2048, and so does each further + 1 (one rounding of the exact sum would give 2052)
    const src = torch.tensor([1, 2048, 1, 1, 3, 5], { dtype: "float16" });
    const to = torch.tensor([0, 0, 0, 0, 1, 2], { dtype: "int64" });
    const added = torch.zeros([3], { dtype: "float16", device: dev }).scatterAdd(0, to.to(dev), src.to(dev));
    assert.deepEqual(await added.tolistAsync(), [2048, 3, 5]);
    // the gradient of overlapping windows adds each position's contributions in turn (the
    // strided-accumulate kernel): element 2 gets 2048, then 1, then 1
    const w = torch.tensor(
      [
        [1, 1, 2048],
        [1, 1, 1],
        [1, 1, 1],
      ],
      { dtype: "float16" },
    );
    const leaf = torch.ones([5], { dtype: "float16", device: dev }).requiresGrad_();
    leaf.asStrided([3, 3], [1, 1]).mul(w.to(dev)).sum().backward();
    assert.deepEqual(await leaf.grad!.tolistAsync(), [1, 2, 2048, 2, 1]);
  });

  // (no conv2d: PyTorch's CPU has no float16 convolution, and torchts refuses it on every device alike)
  test("matmul and max-pooling match the CPU's float16", async () => {
    torch.manualSeed(2);
    const a = torch.randn([2, 17, 33]).to("float16");
    const b = torch.randn([33, 9]).to("float16");
    await closeToCpu(torch.matmul(a.to(dev), b.to(dev)), torch.matmul(a, b), "matmul");
    const img = torch.randn([2, 3, 9, 9]).to("float16");
    const pooled = torch.nn.functional.maxPool2d(img.to(dev), 2);
    assertSame(await pooled.data(), torch.nn.functional.maxPool2d(img, 2).dataSync(), "maxPool2d");
  });

  test("a training step of a float16 model matches the CPU", async () => {
    torch.manualSeed(3);
    const make = () =>
      new torch.nn.Sequential(new torch.nn.Linear(12, 16), new torch.nn.ReLU(), new torch.nn.Linear(16, 3)).to(
        "float16",
      );
    const cpu = make();
    const gpu = make().to(dev);
    gpu.loadStateDict(cpu.stateDict());
    const x = torch.randn([8, 12]).to("float16");
    const y = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1], { dtype: "int64" });
    for (const [m, d] of [
      [cpu, "cpu"],
      [gpu, dev],
    ] as const) {
      const opt = new torch.optim.SGD(m.parameters(), { lr: 0.1 });
      const out = m.forward(x.to(d)) as Tensor;
      torch.nn.functional.mseLoss(out, torch.nn.functional.oneHot(y, 3).to("float16").to(d)).backward();
      opt.step();
    }
    const want = cpu.stateDict();
    for (const [k, v] of gpu.stateDict()) await closeToCpu(v, want.get(k)!, k);
  });

  test("the f32 fallback (TORCHTS_WEBGPU_F16=0) passes this file too", { skip: fallbackChild }, () => {
    // (without NODE_TEST_CONTEXT, which would make the child report to this runner instead of stdout)
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--test", import.meta.filename], {
      env: { ...env, TORCHTS_WEBGPU_F16: "0" },
      encoding: "utf8",
    });
    assert.equal(r.status, 0, `child run failed:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
    assert.match(r.stdout, /# pass 9\b/);
  });
});
