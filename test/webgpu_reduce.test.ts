// Reductions on webgpu against the CPU where few outputs each reduce many elements, so the kernel
// splits every output's range over several workgroups and combines their partial results in a
// second pass (src/backends/webgpu/kernels.ts, `reduce`): full sums, max/min with NaN, norms, counts,
// integer sums, and the bias-gradient shape (sum over all dims but one). Fails (does not skip) when
// no WebGPU adapter appears, like test/webgpu.test.ts.

import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";

const dev = "webgpu";

before(async () => {
  await torch.webgpu.init();
});

/** `got` (webgpu) equals `want` (CPU float64 of the same values) within K * 2^-24 * magnitude. */
async function close(got: Tensor, want: Tensor, magnitude: Tensor, K: number, what: string): Promise<void> {
  const g = await got.data();
  const w = want.contiguous().dataSync();
  const m = magnitude.contiguous().dataSync();
  assert.deepEqual(got.shape, want.shape, what);
  for (let i = 0; i < w.length; i++) {
    const tol = 2 * K * 2 ** -24 * m[i]!;
    if (!(Math.abs(g[i]! - w[i]!) <= tol))
      assert.fail(`${what}: element ${i}: ${g[i]}, expected ${w[i]} (tolerance ${tol})`);
  }
}

describe("webgpu reductions split over workgroups", () => {
  test("sum, mean, norm and sum over all dims but one of large tensors", async () => {
    torch.manualSeed(3);
    for (const shape of [[1 << 20], [3, 70001], [16, 32, 24, 24]]) {
      const x = torch.randn(shape);
      const xd = x.to(dev);
      const x64 = x.to("float64");
      const n = x.numel();
      await close(xd.sum(), x64.sum(), x64.abs().sum(), n, `sum of ${shape}`);
      await close(xd.mean(), x64.mean(), x64.abs().mean(), n, `mean of ${shape}`);
      await close(xd.norm(), x64.norm(), x64.norm(), n, `norm of ${shape}`);
      const dims = shape.length === 4 ? [0, 2, 3] : [0];
      const keep = x64.sum(dims);
      await close(xd.sum(dims), keep, x64.abs().sum(dims), n / keep.numel(), `sum over ${dims} of ${shape}`);
    }
  });

  test("max and min propagate NaN from any chunk; counts and integer sums are exact", async () => {
    const x = torch.randn([300000]);
    const xd = x.to(dev);
    assert.equal(await xd.amax().itemAsync(), x.amax().item());
    assert.equal(await xd.amin().itemAsync(), x.amin().item());
    for (const at of [0, 150000, 299999]) {
      const y = x.clone();
      y.view([-1]).narrow(0, at, 1).fill_(NaN);
      const yd = y.to(dev);
      assert.ok(Number.isNaN(await yd.amax().itemAsync()), `amax with NaN at ${at}`);
      assert.ok(Number.isNaN(await yd.amin().itemAsync()), `amin with NaN at ${at}`);
      assert.ok(Number.isNaN(await yd.sum().itemAsync()), `sum with NaN at ${at}`);
    }
    const ints = torch.arange(300000, { dtype: "int32" }).remainder(7);
    assert.equal(await ints.to(dev).sum().itemAsync(), ints.sum().item());
    assert.equal(await torch.countNonzero(ints.to(dev)).itemAsync(), torch.countNonzero(ints).item());
  });

  test("the bias gradient of a convolution (sum of the output gradient over batch and space)", async () => {
    torch.manualSeed(4);
    const x = torch.randn([16, 8, 20, 20]);
    const w = torch.randn([32, 8, 3, 3]);
    const b = torch.randn([32]);
    const grad = (device: string, dtype: "float32" | "float64") => {
      const bd = b.to(dtype).to(device).requiresGrad_();
      torch.nn.functional.conv2d(x.to(dtype).to(device), w.to(dtype).to(device), bd).square().sum().backward();
      return bd.grad!;
    };
    const want = grad("cpu", "float64");
    const y = torch.nn.functional.conv2d(x.to("float64"), w.to("float64"), b.to("float64"));
    const magnitude = y.abs().mul(2).sum([0, 2, 3]);
    await close(grad(dev, "float32"), want, magnitude, 16 * 18 * 18 * 8 * 9, "bias gradient");
  });
});
