// Memory management on the webgpu device, measured by the buffer pool's bookkeeping
// (`torch.webgpu.memoryStats()`): torch.tidy (sync, across await, nested, keep, returned values,
// views), dispose() of views sharing a storage, autograd freeing saved buffers after backward (and
// PyTorch's error on a second backward), the leak reporter naming where a leaked tensor was made, and
// 1,000-step training loops (MLP with SGD and Adam, a small CNN) whose memory stays flat. The
// optimizers run with synchronous reads refused (webgpu), so a host read in a step would fail them.
// Fails (does not skip) without a WebGPU adapter: tools/setup_webgpu.sh installs lavapipe.

import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";

const dev = "webgpu";
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Collect garbage and let the FinalizationRegistry backstop run: earlier tests' leftovers are reclaimed. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    gc();
    await new Promise((res) => setTimeout(res, 5));
  }
}
const F = torch.nn.functional;

/** Bytes held by live webgpu storages, after the queued kernels were submitted. */
async function inUse(): Promise<number> {
  await torch.webgpu.synchronize();
  return torch.webgpu.memoryStats().bytesInUse;
}

/** The sum of a tensor's elements, read back; the 0-dim sum tensor is disposed again. */
async function sumOf(t: Tensor): Promise<number> {
  const s = t.sum();
  const v = await s.itemAsync();
  s.dispose();
  return v;
}

/** A float32 webgpu tensor of `n` elements: 4n bytes, a power of two for n a power of two. */
function vec(n: number, value = 1): Tensor {
  return torch.full([n], value, { device: dev });
}

before(async () => {
  await torch.webgpu.init();
});

describe("torch.tidy", () => {
  test("disposes what a sync function made, except the returned tensor", async () => {
    const base = await inUse();
    let inner: Tensor[] = [];
    const r = torch.tidy(() => {
      const a = vec(1024, 2);
      const b = a.mul(3);
      inner = [a, b];
      return b.add(1);
    });
    assert.equal(await inUse(), base + 4096);
    assert.ok(inner.every((t) => t.isDisposed));
    assert.deepEqual(Array.from((await r.data()).slice(0, 2)), [7, 7]);
    r.dispose();
    assert.equal(await inUse(), base);
  });

  test("returned arrays, objects and Maps keep their tensors; the rest is disposed", async () => {
    const base = await inUse();
    const { list, obj, map } = torch.tidy(() => {
      const a = vec(256, 1);
      a.add(5); // dropped
      return { list: [a.mul(2)], obj: { deep: { t: a.mul(3) } }, map: new Map([["k", a.mul(4)]]) };
    });
    assert.equal(await inUse(), base + 3 * 1024);
    assert.equal(await sumOf(list[0]!), 512);
    assert.equal(await sumOf(obj.deep.t), 768);
    assert.equal(await sumOf(map.get("k")!), 1024);
    torch.dispose([list, obj, map]);
    assert.equal(await inUse(), base);
  });

  test("an async function is tracked across await", async () => {
    const base = await inUse();
    let afterAwait: Tensor | null = null;
    const r = await torch.tidy(async () => {
      const a = vec(1024, 1);
      await new Promise((res) => setTimeout(res, 5));
      afterAwait = a.mul(2); // made after an await: still this scope's
      const s = afterAwait.sum();
      assert.equal(await s.itemAsync(), 2048);
      return s.add(1);
    });
    assert.ok(afterAwait!.isDisposed);
    assert.equal(await r.itemAsync(), 2049);
    assert.equal(await inUse(), base + 16);
    r.dispose();
  });

  test("concurrent async scopes do not dispose each other's tensors", async () => {
    const base = await inUse();
    const run = (v: number) =>
      torch.tidy(async () => {
        const a = vec(512, v);
        await new Promise((res) => setTimeout(res, v));
        const b = a.mul(v);
        await new Promise((res) => setTimeout(res, 1));
        return b.sum();
      });
    const [x, y] = await Promise.all([run(3), run(1)]);
    assert.equal(await x.itemAsync(), 512 * 9);
    assert.equal(await y.itemAsync(), 512);
    assert.equal(await inUse(), base + 32);
    torch.dispose([x, y]);
  });

  test("nested scopes: an inner result belongs to the outer scope; keep exempts a tensor", async () => {
    const base = await inUse();
    let innerResult: Tensor | null = null;
    let kept: Tensor | null = null;
    const out = torch.tidy(() => {
      innerResult = torch.tidy(() => vec(256, 1).mul(2));
      assert.equal(innerResult.isDisposed, false);
      kept = torch.keep(vec(256, 5));
      return innerResult.add(1);
    });
    assert.ok(innerResult!.isDisposed, "the inner result was not returned by the outer scope");
    assert.equal(kept!.isDisposed, false);
    assert.equal(await sumOf(out), 768);
    assert.equal(await inUse(), base + 2048);
    torch.dispose([out, kept]);
    assert.equal(await inUse(), base);
  });

  test("a returned view keeps the memory of the base it views", async () => {
    const base = await inUse();
    const v = torch.tidy(() => torch.arange(16, { device: dev, dtype: "float32" }).reshape([4, 4]).t());
    assert.equal(await inUse(), base + 64);
    assert.deepEqual((await v.tolistAsync()) as number[][], [
      [0, 4, 8, 12],
      [1, 5, 9, 13],
      [2, 6, 10, 14],
      [3, 7, 11, 15],
    ]);
    v.dispose();
    assert.equal(await inUse(), base);
  });

  test("parameters and tensors held as .grad survive; an error disposes and propagates", async () => {
    const base = await inUse();
    const p = torch.tidy(() => {
      const w = torch.ones([64], { device: dev }).requiresGrad_();
      w.grad = torch.full([64], 3, { device: dev });
      return null;
    });
    assert.equal(p, null);
    assert.equal(await inUse(), base + 512);
    let t: Tensor | null = null;
    assert.throws(
      () =>
        torch.tidy(() => {
          t = vec(256);
          throw new Error("boom");
        }),
      /boom/,
    );
    assert.ok(t!.isDisposed);
    assert.equal(await inUse(), base + 512);
  });

  test("also disposes CPU tensors (their memory returns to the CPU cache)", () => {
    let a: Tensor | null = null;
    const r = torch.tidy(() => {
      a = torch.ones([4]);
      return a.mul(2);
    });
    assert.ok(a!.isDisposed);
    assert.deepEqual(r.tolist(), [2, 2, 2, 2]);
  });
});

describe("dispose() and views", () => {
  test("disposing one view does not free memory another live tensor uses", async () => {
    const base = await inUse();
    const x = torch.arange(8, { device: dev, dtype: "float32" });
    const v = x.view([2, 4]);
    const d = x.detach();
    x.dispose();
    x.dispose(); // idempotent
    assert.equal(await inUse(), base + 32);
    assert.deepEqual(await v.tolistAsync(), [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    v.dispose();
    assert.equal(await sumOf(d), 28);
    d.dispose();
    assert.equal(await inUse(), base);
  });

  test("on the CPU too: a disposed view leaves its base readable", () => {
    const x = torch.arange(20000, { dtype: "float32" }); // large enough for the CPU array cache
    const v = x.narrow(0, 0, 10);
    v.dispose();
    assert.equal(x.sum().item(), (19999 * 20000) / 2);
  });
});

describe("autograd and memory", () => {
  test("backward frees the saved buffers only autograd held", async () => {
    const x = torch.linspace(-1, 1, 1024).to(dev).requiresGrad_();
    const base = await inUse();
    // exp saves its output, mul saves both operands, sin saves x: two 4 KiB buffers live in the graph
    const loss = torch.tidy(() => x.exp().mul(x.sin()).sum());
    assert.equal(await inUse(), base + 16 + 2 * 4096);
    loss.backward();
    // left: the loss and x.grad; the saved buffers and backward's temporaries went back to the pool
    assert.equal(await inUse(), base + 16 + 4096);
    const g = await x.grad!.toAsync("cpu");
    const xc = torch.linspace(-1, 1, 1024);
    const want = xc.exp().mul(xc.sin().add(xc.cos()));
    assert.ok(g.sub(want).abs().max().item() < 1e-5);
    assert.throws(() => loss.backward(), /Trying to backward through the graph a second time/);
    torch.dispose([loss, x.grad]);
  });

  test("retainGraph keeps the saved buffers for a second backward", async () => {
    const x = torch.ones([256], { device: dev }).requiresGrad_();
    const base = await inUse();
    const loss = torch.tidy(() => x.exp().sum());
    loss.backward(null, { retainGraph: true });
    const held = await inUse();
    assert.equal(held, base + 16 + 1024 + 1024); // loss, exp's saved output, x.grad
    loss.backward();
    assert.equal(await inUse(), base + 16 + 1024);
    assert.ok(Math.abs((await sumOf(x.grad!)) - 2 * 256 * Math.E) < 1e-2);
  });
});

describe("leak reporting", () => {
  test("a tensor garbage collected without dispose() is reported with its creation site", async () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (msg: string) => warnings.push(String(msg));
    torch.webgpu.setLeakReporting(true);
    const leakedBefore = torch.webgpu.memoryStats().leaked;
    try {
      (function makeLeakyTensor() {
        vec(128, 1).mul(2);
      })();
      for (let i = 0; i < 20 && torch.webgpu.memoryStats().leaked === leakedBefore; i++) {
        gc();
        await new Promise((res) => setTimeout(res, 10));
      }
    } finally {
      torch.webgpu.setLeakReporting(false);
      console.warn = warn;
    }
    assert.ok(torch.webgpu.memoryStats().leaked >= leakedBefore + 2, "both tensors were reclaimed");
    const report = warnings.find((w) => w.includes("garbage collected without dispose()"));
    assert.ok(report, `no leak report among: ${warnings.join(" | ")}`);
    assert.match(report, /makeLeakyTensor/);
    assert.match(report, /webgpu_memory\.test\.ts/);
    assert.doesNotMatch(report, /src\/backends\/webgpu/);
  });
});

describe("1,000-step training loops hold flat GPU memory", () => {
  /** Train for 1,000 steps with `step`; memory in use after step 100 must equal that after step 1,000. */
  async function flat(step: (i: number) => Promise<Tensor> | Tensor): Promise<{ first: number; last: number }> {
    await settle();
    let at100 = 0;
    let first = NaN;
    let last = NaN;
    for (let i = 1; i <= 1000; i++) {
      const loss = await step(i);
      if (i === 1) first = await loss.itemAsync();
      if (i === 1000) last = await loss.itemAsync();
      loss.dispose();
      if (i % 100 === 0) {
        const now = await inUse();
        if (i === 100) at100 = now;
        else assert.equal(now, at100, `bytes in use grew from ${at100} (step 100) to ${now} (step ${i})`);
      }
    }
    return { first, last };
  }

  function mlp(): torch.nn.Module {
    torch.manualSeed(0);
    return new torch.nn.Sequential(new torch.nn.Linear(8, 16), new torch.nn.ReLU(), new torch.nn.Linear(16, 3)).to(
      dev,
    ) as torch.nn.Module;
  }
  const x = () => torch.randn([32, 8], { generator: new torch.Generator().manualSeed(1) }).to(dev);
  const y = () => torch.randint(0, 3, [32], { generator: new torch.Generator().manualSeed(2) }).to(dev);

  test("MLP with SGD (momentum) inside a sync tidy", async () => {
    const model = mlp();
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const [xs, ys] = [x(), y()];
    const { first, last } = await flat(() =>
      torch.tidy(() => {
        const loss = F.crossEntropy(model.forward(xs) as Tensor, ys);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        return loss;
      }),
    );
    assert.ok(last < first / 4, `loss went from ${first} to ${last}`);
  });

  test("MLP with Adam inside an async tidy that awaits the loss", async () => {
    const model = mlp();
    const opt = new torch.optim.Adam(model.parameters(), { lr: 0.01 });
    const [xs, ys] = [x(), y()];
    let firstSeen = NaN;
    const { first, last } = await flat((i) =>
      torch.tidy(async () => {
        const loss = F.crossEntropy(model.forward(xs) as Tensor, ys);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        if (i === 1) firstSeen = await loss.itemAsync(); // an await inside the scope
        return loss;
      }),
    );
    assert.ok(Math.abs(firstSeen - first) < 1e-6);
    assert.ok(last < first / 4, `loss went from ${first} to ${last}`);
  });

  test("small CNN with SGD, zeroGrad to zeros in place", async () => {
    torch.manualSeed(0);
    const model = new torch.nn.Sequential(
      new torch.nn.Conv2d(1, 4, 3, { padding: 1 }),
      new torch.nn.ReLU(),
      new torch.nn.MaxPool2d(2),
      new torch.nn.Flatten(),
      new torch.nn.Linear(4 * 4 * 4, 2),
    ).to(dev) as torch.nn.Module;
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.05 });
    const gen = new torch.Generator().manualSeed(3);
    const xs = torch.randn([8, 1, 8, 8], { generator: gen }).to(dev);
    const ys = torch.tensor([0, 1, 0, 1, 1, 0, 1, 0]).to(dev);
    const { first, last } = await flat(() =>
      torch.tidy(() => {
        opt.zeroGrad({ setToNone: false });
        const loss = F.crossEntropy(model.forward(xs) as Tensor, ys);
        loss.backward();
        opt.step();
        return loss;
      }),
    );
    assert.ok(last < first / 4, `loss went from ${first} to ${last}`);
  });
});
