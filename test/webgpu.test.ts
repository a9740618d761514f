// The "webgpu" device itself: initialisation, device moves, async readback (and the errors of the sync
// forms), clear errors (mixed devices, float64, bad indices, disposed tensors), value checks deferred
// to the next readback, the async forms of value-shaped ops, 8/16-bit dtypes, autograd on the device,
// a few kernels against the CPU, and GPU memory that stays flat over a 200-step loop. Fails (does not
// skip) when no WebGPU adapter appears: tools/setup_webgpu.sh installs lavapipe for Node's Dawn.

import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";

const dev = "webgpu";

/** Element-wise closeness of a webgpu result and a CPU reference. */
async function assertClose(got: Tensor, want: Tensor, tol = 1e-5): Promise<void> {
  assert.equal(got.device, dev);
  assert.deepEqual(got.shape, want.shape);
  assert.equal(got.dtype, want.dtype);
  const g = await got.data();
  const w = want.dataSync();
  for (let i = 0; i < w.length; i++) {
    const a = g[i]!;
    const b = w[i]!;
    if (Number.isNaN(b)) assert.ok(Number.isNaN(a), `element ${i}: ${a}, expected NaN`);
    else assert.ok(Math.abs(a - b) <= tol * (1 + Math.abs(b)), `element ${i}: ${a}, expected ${b}`);
  }
}

before(async () => {
  await torch.webgpu.init();
});

describe("webgpu device", () => {
  test("isAvailable and tensors made on the device", async () => {
    assert.equal(await torch.webgpu.isAvailable(), true);
    const z = torch.zeros([2, 3], { device: dev });
    assert.equal(z.device, dev);
    assert.deepEqual(Array.from(await z.data()), [0, 0, 0, 0, 0, 0]);
    const t = torch.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { device: dev, dtype: "float32" },
    );
    assert.deepEqual(await t.tolistAsync(), [
      [1, 2],
      [3, 4],
    ]);
  });

  test("device moves both ways keep values, dtype and shape", async () => {
    const x = torch.arange(12).reshape([3, 4]).to("float32");
    const g = x.to(dev);
    assert.equal(g.device, dev);
    const back = await g.t().toAsync("cpu");
    assert.equal(back.device, "cpu");
    assert.deepEqual(back.tolist(), x.t().tolist());
    const i = await torch.tensor([5, -7], { device: dev }).toAsync("cpu");
    assert.equal(i.dtype, "int64");
    assert.deepEqual(i.tolist(), [5, -7]);
    const b = await torch.tensor([true, false], { device: dev }).toAsync("cpu");
    assert.deepEqual(b.tolist(), [true, false]);
  });

  test("async readback: data(), itemAsync(), tolistAsync()", async () => {
    const x = torch.tensor([1.5, 2.5, 3], { device: dev });
    assert.equal(await x.sum().itemAsync(), 7);
    assert.deepEqual(Array.from(await x.mul(2).data()), [3, 5, 6]);
    assert.deepEqual(await x.gt(2).tolistAsync(), [false, true, true]);
  });

  test("the sync forms raise an error pointing to the async ones", () => {
    const x = torch.ones([2], { device: dev });
    for (const f of [() => x.dataSync(), () => x.sum().item(), () => x.tolist(), () => x.cpu()])
      assert.throws(f, /cannot be read synchronously.*await x\.data\(\)/);
  });

  test("tensors of two devices in one op: an error naming both", () => {
    const a = torch.ones([2], { device: dev });
    const b = torch.ones([2]);
    assert.throws(() => a.add(b), /same device.*webgpu and cpu/);
    assert.throws(() => torch.matmul(b.reshape([1, 2]), a.reshape([2, 1])), /same device/);
  });

  test("float64 and unsupported dtypes: errors naming the op and dtype", () => {
    const x = torch.ones([3], { device: dev });
    assert.throws(() => x.to("float64"), /to_copy\(\): float64 is not supported on webgpu/);
    assert.throws(() => torch.zeros([3], { dtype: "float64", device: dev }), /float64 tensor on webgpu/);
    assert.throws(() => torch.tensor([2 ** 40], { device: dev }), /int64 as int32/);
  });

  test("an out-of-range index is reported at the next readback", async () => {
    const x = torch.ones([2, 3], { device: dev });
    const bad = torch.gather(x, 1, torch.tensor([[0, 3]], { device: dev }));
    await assert.rejects(bad.data(), /gather\(\): index 3 is out of bounds for dimension 1 with size 3/);
    // the report is cleared: the device goes on working
    assert.equal(await x.sum().itemAsync(), 6);
  });

  test("value checks raise at the next readback with PyTorch's message, and the report is cleared", async () => {
    const x = torch.arange(3, { dtype: "float32", device: dev });
    const cases: [() => Tensor, RegExp][] = [
      [() => x.index(torch.tensor([0, 5], { device: dev })), /index 5 is out of bounds for dimension 0 with size 3/],
      [() => torch.take(x, torch.tensor([-4], { device: dev })), /take\(\): out of range: tried to access index -4/],
      [
        () => torch.nn.functional.embedding(torch.tensor([1, 7], { device: dev }), torch.ones([3, 2], { device: dev })),
        /embedding\(\): index out of range in self \(index 7, 3 rows\)/,
      ],
      [
        () => torch.nn.functional.nllLoss(torch.zeros([2, 3], { device: dev }), torch.tensor([0, 3], { device: dev })),
        /nll_loss\(\): Target 3 is out of bounds/,
      ],
      [
        () => torch.nn.functional.binaryCrossEntropy(x, torch.zeros([3], { device: dev })),
        /all elements of input should be between 0 and 1/,
      ],
      [
        () => torch.remainder(torch.tensor([3], { device: dev }), torch.tensor([0], { device: dev })),
        /ZeroDivisionError/,
      ],
    ];
    for (const [op, message] of cases) {
      const y = op(); // no error yet: the check runs on the device
      await assert.rejects(y.data(), message);
      assert.equal(await x.sum().itemAsync(), 3); // cleared: the next readback succeeds
    }
    // the CPU raises at once
    const cpu = torch.arange(3, { dtype: "float32" });
    assert.throws(() => cpu.index(torch.tensor([5])), /index 5 is out of bounds for dimension 0 with size 3/);
  });

  test("value-shaped ops: the sync form names the async one; async forms give PyTorch's results", async () => {
    const m = torch.tensor(
      [
        [1, 0],
        [0, 2],
      ],
      { dtype: "int32", device: dev },
    );
    assert.throws(() => torch.nonzero(m), /nonzero\(\): .*use the async form `await torch\.nonzeroAsync\(x\)`/);
    assert.throws(() => torch.unique(m), /use the async form `await torch\.uniqueAsync/);
    assert.throws(() => m.index(m.gt(0)), /use the async form `await torch\.nonzeroAsync/);
    // torch.nonzero(torch.tensor([[1, 0], [0, 2]])) == [[0, 0], [1, 1]]
    assert.deepEqual(await (await torch.nonzeroAsync(m)).tolistAsync(), [
      [0, 0],
      [1, 1],
    ]);
    // torch.unique(torch.tensor([2, 1, 2, 5]), return_counts=True) == ([1, 2, 5], [1, 2, 1])
    const [u, counts] = (await torch.uniqueAsync(torch.tensor([2, 1, 2, 5], { dtype: "int32", device: dev }), {
      returnCounts: true,
    })) as Tensor[];
    assert.deepEqual(await u!.tolistAsync(), [1, 2, 5]);
    assert.deepEqual(await counts!.tolistAsync(), [1, 2, 1]);
    // masked select stays differentiable: the gradient is the mask
    const x = torch.tensor([1, -2, 3, -4], { device: dev, requiresGrad: true });
    const picked = await torch.maskedSelectAsync(x, x.gt(0));
    assert.deepEqual(await picked.tolistAsync(), [1, 3]);
    picked.sum().backward();
    assert.deepEqual(await x.grad!.tolistAsync(), [1, 0, 1, 0]);
    assert.deepEqual(await (await x.detach().indexAsync(x.detach().lt(0))).tolistAsync(), [-2, -4]);
    // torch.repeat_interleave(torch.tensor([1, 2]), torch.tensor([2, 1])) == [1, 1, 2]
    const r = await torch.repeatInterleaveAsync(
      torch.tensor([1, 2], { device: dev }),
      torch.tensor([2, 1], { device: dev }),
    );
    assert.deepEqual(await r.tolistAsync(), [1, 1, 2]);
    // torch.bincount(torch.tensor([0, 2, 2])) == [1, 0, 2]
    assert.deepEqual(
      await (await torch.bincountAsync(torch.tensor([0, 2, 2], { device: dev }))).tolistAsync(),
      [1, 0, 2],
    );
    // the async forms work on the CPU too
    assert.deepEqual((await torch.nonzeroAsync(torch.tensor([0, 3]))).tolist(), [[1]]);
  });

  test("searchsorted, bucketize, histc and masked writes run on the device", async () => {
    // PyTorch's documented searchsorted example
    const seq = torch.tensor(
      [
        [1, 3, 5, 7, 9],
        [2, 4, 6, 8, 10],
      ],
      { device: dev },
    );
    const vals = torch.tensor(
      [
        [3, 6, 9],
        [3, 6, 9],
      ],
      { device: dev },
    );
    assert.deepEqual(await torch.searchsorted(seq, vals).tolistAsync(), [
      [1, 3, 4],
      [1, 2, 4],
    ]);
    assert.deepEqual(await torch.searchsorted(seq, vals, { right: true }).tolistAsync(), [
      [2, 3, 5],
      [1, 3, 4],
    ]);
    // torch.histc(torch.tensor([1., 2, 1]), bins=4, min=0, max=3) == [0, 2, 1, 0]
    assert.deepEqual(
      await torch.histc(torch.tensor([1, 2, 1], { dtype: "float32", device: dev }), 4, 0, 3).tolistAsync(),
      [0, 2, 1, 0],
    );
    // x[x > 0] = values of the selected count, and a count mismatch reported at readback
    const x = torch.tensor([1, -2, 3], { dtype: "float32", device: dev });
    const y = x.clone().indexPut_([x.gt(0)], torch.tensor([10, 30], { dtype: "float32", device: dev }));
    assert.deepEqual(await y.tolistAsync(), [10, -2, 30]);
    const bad = x.clone().indexPut_([x.gt(0)], torch.tensor([1, 2, 3], { dtype: "float32", device: dev }));
    await assert.rejects(
      bad.data(),
      /shape mismatch: value tensor of shape \[3\] cannot be broadcast to indexing result of shape \[2\]/,
    );
  });

  test("float16/bfloat16 round to their grid, int8/uint8/int16 wrap, as on the CPU", async () => {
    // torch.tensor([1.0001, 65519., 70000.]).half() == [1., 65504., inf]
    const h = torch.tensor([1.0001, 65519, 70000], { dtype: "float32", device: dev }).half();
    assert.equal(h.dtype, "float16");
    assert.deepEqual(Array.from(await h.data()), [1, 65504, Infinity]);
    // torch.tensor([1.00390625]).bfloat16() == 1.0 (ties to even), 1.01171875 -> 1.015625
    const b = torch.tensor([1.00390625, 1.01171875], { dtype: "float32", device: dev }).to("bfloat16");
    assert.deepEqual(Array.from(await b.data()), [1, 1.015625]);
    // torch.tensor([100], dtype=torch.int8) + 100 == -56; uint8 250 + 10 == 4; int16 32767 + 1 == -32768
    const i8 = torch.tensor([100], { dtype: "int8", device: dev }).add(100);
    assert.deepEqual(Array.from(await i8.data()), [-56]);
    const u8 = torch.tensor([250], { dtype: "uint8", device: dev }).add(10);
    assert.deepEqual(Array.from(await u8.data()), [4]);
    const i16 = torch.tensor([32767], { dtype: "int16", device: dev }).add(1);
    assert.deepEqual(Array.from(await i16.data()), [-32768]);
  });

  test("dispose() frees memory; a disposed tensor cannot be used", async () => {
    const before = torch.webgpu.memoryStats().bytesInUse;
    const x = torch.ones([1000], { device: dev });
    assert.ok(torch.webgpu.memoryStats().bytesInUse >= before + 4000);
    x.dispose();
    assert.equal(torch.webgpu.memoryStats().bytesInUse, before);
    assert.throws(() => x.add(1), /disposed/);
    const y = torch.ones([10], { device: dev });
    y[Symbol.dispose]();
    await assert.rejects(y.data(), /disposed/);
  });

  test("autograd runs on the device", async () => {
    const xc = torch.tensor([
      [0.5, -1, 2],
      [3, 0.25, -0.75],
    ]);
    const wc = torch.tensor([
      [1, -2],
      [0.5, 0.5],
      [-1, 3],
    ]);
    const x = xc.to(dev).requiresGrad_();
    const w = wc.to(dev).requiresGrad_();
    const loss = x.matmul(w).tanh().sum();
    loss.backward();
    const xr = xc.clone().requiresGrad_();
    const wr = wc.clone().requiresGrad_();
    const lr = xr.matmul(wr).tanh().sum();
    lr.backward();
    await assertClose(loss, lr);
    await assertClose(x.grad!, xr.grad!);
    await assertClose(w.grad!, wr.grad!);
  });

  test("kernels agree with the CPU: batched strided matmul, conv2d, sort, cumsum, scatter_add", async () => {
    torch.manualSeed(0);
    const a = torch.randn([3, 5, 7]);
    const b = torch.randn([3, 4, 7]).transpose(1, 2);
    await assertClose(a.to(dev).matmul(b.to(dev).contiguous().transpose(1, 2).transpose(1, 2)), a.matmul(b));
    await assertClose(a.to(dev).matmul(b.contiguous().to(dev)), a.matmul(b));
    const x = torch.randn([2, 3, 6, 5]);
    const w = torch.randn([4, 3, 3, 2]);
    const opts = { stride: [2, 1], padding: [1, 0] };
    await assertClose(
      torch.nn.functional.conv2d(x.to(dev), w.to(dev), null, opts),
      torch.nn.functional.conv2d(x, w, null, opts),
    );
    const s = torch.tensor([
      [3, 1, NaN, 1, -2],
      [0, 0, 5, -1, 2],
    ]);
    const [sv, si] = torch.sort(s.to(dev), 1, true);
    const [cv, ci] = torch.sort(s, 1, true);
    await assertClose(sv, cv);
    await assertClose(si, ci);
    await assertClose(s.to(dev).cumsum(1), s.cumsum(1));
    const idx = torch.tensor([
      [0, 1, 0, 1, 0],
      [1, 1, 1, 0, 0],
    ]);
    const src = torch.randn([2, 5]);
    await assertClose(
      torch.zeros([2, 2], { device: dev }).scatterAdd(1, idx.to(dev), src.to(dev)),
      torch.zeros([2, 2]).scatterAdd(1, idx, src),
    );
  });

  test("GPU memory stays flat over a 200-step loop", async () => {
    const w = torch.randn([16, 16]).to(dev);
    const x = torch.randn([8, 16]).to(dev);
    const usage: number[] = [];
    for (let step = 0; step < 200; step++) {
      const h = x.matmul(w);
      const r = h.relu();
      const s = r.sum();
      await s.itemAsync();
      for (const t of [h, r, s]) t.dispose();
      usage.push(torch.webgpu.memoryStats().bytesInUse);
    }
    // no step after the warm-up adds to the bytes in use; they may drop, when the garbage collector
    // frees tensors that earlier tests left undisposed
    for (let i = 10; i < 200; i++)
      assert.ok(usage[i]! <= usage[i - 1]!, `bytes in use grew at step ${i}: ${usage[i - 1]} -> ${usage[i]}`);
    const stats = torch.webgpu.memoryStats();
    assert.ok(stats.bytesPooled < 1 << 20, `pool holds ${stats.bytesPooled} bytes`);
  });

  test("LBFGS: step() on webgpu parameters points to stepAsync() and leaves them untouched", async () => {
    const w = torch.tensor([1.5, -0.5], { device: "webgpu", requiresGrad: true });
    const opt = new torch.optim.LBFGS([w]);
    const closure = () => {
      opt.zeroGrad();
      const loss = w.square().sum();
      loss.backward();
      return loss;
    };
    assert.throws(
      () => opt.step(closure),
      /LBFGS: its line search reads scalars .* use `await optimizer.stepAsync\(closure\)`/,
    );
    assert.deepEqual([...(await w.data())], [1.5, -0.5]);
  });

  test("LBFGS.stepAsync on webgpu follows the CPU's step() (least squares, strong Wolfe line search)", async () => {
    torch.manualSeed(5);
    const a = torch.randn([20, 4]);
    const b = torch.randn([20]);
    const run = async (device: string, useAsync: boolean) => {
      const w = torch.zeros([4], { device, requiresGrad: true });
      const [ad, bd] = [a.to(device), b.to(device)];
      const opt = new torch.optim.LBFGS([w], { lineSearchFn: "strong_wolfe", maxIter: 5, historySize: 3 });
      const closure = () => {
        opt.zeroGrad();
        const loss = torch.matmul(ad, w).sub(bd).square().mean();
        loss.backward();
        return loss;
      };
      const losses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const loss = useAsync ? await opt.stepAsync(closure) : opt.step(closure)!;
        losses.push(await loss.itemAsync());
      }
      return { losses, w: [...(await w.data())], evals: opt.state.get(w)!.func_evals };
    };
    const cpu = await run("cpu", false);
    // the async driver runs the same arithmetic: identical on the CPU
    assert.deepEqual(await run("cpu", true), cpu);
    const gpu = await run("webgpu", true);
    assert.equal(gpu.evals, cpu.evals);
    for (let i = 0; i < 4; i++)
      assert.ok(Math.abs(gpu.w[i]! - cpu.w[i]!) < 1e-4, `w[${i}]: ${gpu.w[i]} vs ${cpu.w[i]}`);
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(gpu.losses[i]! - cpu.losses[i]!) < 1e-4 * cpu.losses[0]!);
    assert.ok(cpu.losses[2]! < cpu.losses[0]! * 0.9, `losses ${cpu.losses}`);
  });
});
