// The tuned webgpu matmul (src/backends/webgpu/matmul.ts) against the CPU: odd shapes (1x1, sizes that
// are not multiples of any tile), each tile configuration, batched and broadcast batches, transposed,
// sliced and misaligned views (the vec4 and the strided load paths), empty K, and the gradients of a
// matmul on the device; convolutions, which run as im2col + that matmul (conv_im2col.ts), in every
// geometry and with their gradients. Fails (does not skip) when no WebGPU adapter appears, like test/webgpu.test.ts.
//
// The reference is the float64 product of the same float32 inputs; the kernel sums in float32 in k
// order, whose error is at most K * 2^-24 * sum_k |a_ik * b_kj| (Higham's bound, doubled for margin), so
// a result outside that bound is a wrong result, not rounding.

import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { chooseConfig, forceMatmulConfig, MATMUL_CONFIGS } from "../src/backends/webgpu/matmul.js";

const dev = "webgpu";

before(async () => {
  await torch.webgpu.init();
});

/** Assert `got` (webgpu) lies within `bound` of `want` (CPU float64), element by element. */
async function assertWithin(got: Tensor, want: Tensor, bound: Tensor, what: string): Promise<void> {
  assert.equal(got.device, dev);
  assert.deepEqual(got.shape, want.shape);
  const g = await got.data();
  const w = want.contiguous().dataSync();
  const e = bound.contiguous().dataSync();
  for (let i = 0; i < w.length; i++)
    if (!(Math.abs(g[i]! - w[i]!) <= e[i]! + 1e-30))
      assert.fail(`${what}: element ${i} of ${got.shape.join("x")}: ${g[i]}, expected ${w[i]} (tolerance ${e[i]})`);
}

/**
 * Check webgpu `aDev @ bDev` against the float64 product of the CPU tensors `a`, `b` holding the same
 * values (by default aDev, bDev are a and b moved to the device).
 */
async function checkMatmul(a: Tensor, b: Tensor, aDev = a.to(dev), bDev = b.to(dev)): Promise<void> {
  const got = torch.matmul(aDev, bDev);
  const want = torch.matmul(a.to("float64"), b.to("float64"));
  const bound = torch.matmul(a.abs().to("float64"), b.abs().to("float64"));
  assert.equal(got.device, dev);
  assert.deepEqual(got.shape, want.shape);
  assert.equal(got.dtype, "float32");
  const K = a.shape[a.shape.length - 1]!;
  const g = await got.data();
  const w = want.contiguous().dataSync();
  const e = bound.contiguous().dataSync();
  for (let i = 0; i < w.length; i++) {
    const tol = 2 * K * 2 ** -24 * e[i]! + 1e-30;
    if (!(Math.abs(g[i]! - w[i]!) <= tol))
      assert.fail(`element ${i} of ${got.shape.join("x")}: ${g[i]}, expected ${w[i]} (tolerance ${tol})`);
  }
}

/** A view of `t` moved to the device whose storage starts `shift` elements in (offset not a multiple of 4). */
function shifted(t: Tensor, shift = 1): Tensor {
  const n = t.numel();
  const flat = torch.cat([torch.zeros([shift]), t.contiguous().reshape([n])]).to(dev);
  return flat.narrow(0, shift, n).view([...t.shape]);
}

describe("webgpu tuned matmul", () => {
  test("tiny and odd shapes", async () => {
    torch.manualSeed(1);
    await checkMatmul(torch.tensor([[3]], { dtype: "float32" }), torch.tensor([[-2]], { dtype: "float32" }));
    await checkMatmul(torch.randn([3, 5]), torch.randn([5, 7]));
    await checkMatmul(torch.randn([1, 9]), torch.randn([9, 1]));
    await checkMatmul(torch.randn([5]), torch.randn([5, 6])); // vector @ matrix: M = 1
    await checkMatmul(torch.randn([6, 5]), torch.randn([5])); // matrix @ vector: N = 1
    await checkMatmul(torch.randn([33, 17]), torch.randn([17, 35])); // not multiples of the tile
    await checkMatmul(torch.randn([64, 64]), torch.randn([64, 64]));
    await checkMatmul(torch.randn([4, 300]), torch.randn([300, 8])); // K spans many k steps
  });

  test("integer-valued products are exact", async () => {
    const a = torch.arange(0, 15, 1, { dtype: "float32" }).reshape([3, 5]);
    const b = torch.arange(0, 35, 1, { dtype: "float32" }).reshape([5, 7]).sub(17);
    // torch.arange(15.).reshape(3, 5) @ (torch.arange(35.).reshape(5, 7) - 17), PyTorch 1.13
    assert.deepEqual(await torch.matmul(a.to(dev), b.to(dev)).tolistAsync(), [
      [40, 50, 60, 70, 80, 90, 100],
      [-35, 0, 35, 70, 105, 140, 175],
      [-110, -50, 10, 70, 130, 190, 250],
    ]);
  });

  test("every tile configuration", async () => {
    torch.manualSeed(2);
    // per config: sizes off the tile and the vec4 grid, then sizes on the vec4 grid (vec4 loads and stores)
    const cases: [number[], number[], string][] = [
      [[128, 129, 9], [128, 9, 130], "128x128"],
      [[128, 128, 8], [128, 8, 132], "128x128"],
      [[40, 65, 7], [40, 7, 66], "64x64"],
      [[40, 68, 8], [40, 8, 68], "64x64"],
      [[3, 5, 7], [3, 7, 6], "32x32"],
      [[3, 36, 12], [3, 12, 4], "32x32"],
    ];
    try {
      for (const [sa, sb, name] of cases) {
        forceMatmulConfig(name);
        await checkMatmul(torch.randn(sa), torch.randn(sb));
        // the transposed layouts (A contiguous along M, B along K)
        const at = torch.randn([sa[0]!, sa[2]!, sa[1]!]);
        const bt = torch.randn([sb[0]!, sb[2]!, sb[1]!]);
        await checkMatmul(
          at.transpose(1, 2),
          bt.transpose(1, 2),
          at.to(dev).transpose(1, 2),
          bt.to(dev).transpose(1, 2),
        );
      }
    } finally {
      forceMatmulConfig(null);
    }
    assert.deepEqual(
      MATMUL_CONFIGS.map((c) => c.name),
      ["128x128", "64x64", "32x32"],
    );
    assert.throws(() => forceMatmulConfig("16x16"), /matmul tile 16x16: not one of 128x128, 64x64, 32x32/);
  });

  test("tile choice: enough workgroups on a GPU, least padded work on a CPU adapter", () => {
    // on a GPU: the largest tile with 256 workgroups, else the middle one with 128, else the smallest
    assert.equal(chooseConfig(2048, 2048, 1, "gpu").name, "128x128");
    assert.equal(chooseConfig(1024, 1024, 1, "gpu").name, "64x64");
    assert.equal(chooseConfig(512, 512, 1, "gpu").name, "32x32");
    assert.equal(chooseConfig(128, 130, 128, "gpu").name, "128x128");
    // on a CPU adapter: the large tile wherever it is not mostly padding
    assert.equal(chooseConfig(128, 128, 1, "cpu").name, "128x128");
    assert.equal(chooseConfig(128, 784, 1, "cpu").name, "128x128");
    assert.equal(chooseConfig(64, 6272, 1, "cpu").name, "128x128");
    assert.equal(chooseConfig(64, 64, 1, "cpu").name, "64x64");
    assert.equal(chooseConfig(32, 6272, 1, "cpu").name, "32x32");
    assert.equal(chooseConfig(5, 7, 3, "cpu").name, "32x32");
  });

  test("batched, broadcast and transposed views", async () => {
    torch.manualSeed(3);
    // batch broadcast: (2, 1, 6, 8) @ (3, 8, 12) -> (2, 3, 6, 12)
    await checkMatmul(torch.randn([2, 1, 6, 8]), torch.randn([3, 8, 12]));
    // transposed operands, moved as views: A contiguous along M, B contiguous along K
    const at = torch.randn([3, 8, 12]);
    const bt = torch.randn([3, 20, 8]);
    const tr = (t: Tensor) => t.transpose(1, 2);
    await checkMatmul(tr(at), tr(bt), tr(at.to(dev)), tr(bt.to(dev)));
    // the same with sizes that rule out vec4 (odd M, N, K)
    const ao = torch.randn([7, 5]);
    const bo = torch.randn([9, 7]);
    await checkMatmul(ao.t(), bo.t(), ao.to(dev).t(), bo.to(dev).t());
    // mixed: A transposed, B row-major; A row-major, B transposed
    await checkMatmul(tr(at), torch.ones([3, 8, 4]));
    await checkMatmul(torch.ones([3, 4, 8]), tr(bt), undefined, tr(bt.to(dev)));
    await checkMatmul(tr(at), torch.ones([3, 8, 4]), tr(at.to(dev)));
    // every second column / row: strides (2k, 2) and (2n, 1) on the device
    const as = torch.randn([6, 16]);
    const bs = torch.randn([16, 10]);
    const even = (t: Tensor) => t.index(":", "::2");
    await checkMatmul(even(as), bs.index("::2"), even(as.to(dev)), bs.to(dev).index("::2"));
  });

  test("operands starting at offsets that are not multiples of 4", async () => {
    torch.manualSeed(4);
    const a = torch.randn([2, 8, 12]);
    const b = torch.randn([2, 12, 16]);
    await checkMatmul(a, b, shifted(a, 1), shifted(b, 3));
    await checkMatmul(a, b, shifted(a, 4), shifted(b, 8)); // aligned again: the vec4 path with an offset
  });

  test("empty K gives zeros, empty M gives an empty result", async () => {
    const z = torch.matmul(torch.zeros([3, 0], { device: dev }), torch.zeros([0, 4], { device: dev }));
    assert.deepEqual(Array.from(await z.data()), new Array<number>(12).fill(0));
    const e = torch.matmul(torch.zeros([0, 3], { device: dev }), torch.zeros([3, 4], { device: dev }));
    assert.deepEqual(e.shape, [0, 4]);
  });

  test("gradients of a matmul on the device", async () => {
    torch.manualSeed(5);
    const xc = torch.randn([37, 20]);
    const wc = torch.randn([20, 44]);
    const x = xc.to(dev).requiresGrad_();
    const w = wc.to(dev).requiresGrad_();
    torch.matmul(x, w).tanh().sum().backward();
    const xr = xc.to("float64").requiresGrad_();
    const wr = wc.to("float64").requiresGrad_();
    torch.matmul(xr, wr).tanh().sum().backward();
    for (const [g, r] of [
      [x.grad!, xr.grad!],
      [w.grad!, wr.grad!],
    ] as const) {
      const gv = await g.data();
      const rv = r.dataSync();
      for (let i = 0; i < rv.length; i++)
        assert.ok(
          Math.abs(gv[i]! - rv[i]!) <= 1e-4 * (1 + Math.abs(rv[i]!)),
          `grad element ${i}: ${gv[i]}, expected ${rv[i]}`,
        );
    }
  });
});

describe("webgpu convolution (im2col + tuned matmul)", () => {
  const F = torch.nn.functional;
  type Conv = (x: Tensor, w: Tensor) => Tensor;
  /** Check conv(x, w) on the device against float64 on the CPU, with the float32 summation bound. */
  async function checkConv(conv: Conv, x: Tensor, w: Tensor, what: string): Promise<void> {
    const taps = w.numel() / w.shape[0]!;
    const got = conv(x.to(dev), w.to(dev));
    const want = conv(x.to("float64"), w.to("float64"));
    const bound = conv(x.abs().to("float64"), w.abs().to("float64")).mul(4 * taps * 2 ** -24);
    await assertWithin(got, want, bound, what);
  }

  test("geometries: 1-3 spatial dims, stride, padding, dilation, groups, transposed", async () => {
    torch.manualSeed(6);
    await checkConv(
      (x, w) => F.conv1d(x, w, null, { stride: 2, padding: 1 }),
      torch.randn([2, 3, 11]),
      torch.randn([4, 3, 3]),
      "conv1d",
    );
    await checkConv((x, w) => F.conv2d(x, w), torch.randn([3, 1, 9, 8]), torch.randn([5, 1, 3, 3]), "conv2d 1 channel");
    await checkConv(
      (x, w) => F.conv2d(x, w, null, { stride: [2, 1], padding: [1, 2], dilation: [1, 2] }),
      torch.randn([2, 3, 10, 9]),
      torch.randn([4, 3, 3, 2]),
      "conv2d stride/padding/dilation",
    );
    await checkConv(
      (x, w) => F.conv2d(x, w, null, { groups: 2, padding: 1 }),
      torch.randn([2, 4, 6, 7]),
      torch.randn([6, 2, 3, 3]),
      "conv2d groups",
    );
    await checkConv(
      (x, w) => F.conv3d(x, w, null, { padding: 1 }),
      torch.randn([1, 2, 4, 5, 3]),
      torch.randn([3, 2, 2, 3, 2]),
      "conv3d",
    );
    await checkConv(
      (x, w) => F.convTranspose2d(x, w, null, { stride: 2, padding: 1, outputPadding: 1 }),
      torch.randn([2, 3, 4, 5]),
      torch.randn([3, 2, 3, 3]),
      "conv_transpose2d",
    );
    // a weight view whose rows are not contiguous (packed first)
    const wt = torch.randn([3, 4, 3, 3]);
    const x = torch.randn([2, 3, 6, 6]);
    const got = F.conv2d(x.to(dev), wt.to(dev).transpose(0, 1));
    const want = F.conv2d(x.to("float64"), wt.to("float64").transpose(0, 1));
    const bound = F.conv2d(x.abs().to("float64"), wt.abs().to("float64").transpose(0, 1)).mul(4 * 27 * 2 ** -24);
    await assertWithin(got, want, bound, "conv2d, transposed weight view");
  });

  test("conv 1->8->16 forward and backward (weight gradients read permuted views)", async () => {
    torch.manualSeed(7);
    const x = torch.randn([3, 1, 12, 12]);
    const w1 = torch.randn([8, 1, 3, 3]);
    const w2 = torch.randn([16, 8, 3, 3]).mul(0.3);
    const run = (dtype: "float32" | "float64", device: string) => {
      const p = [w1, w2].map((w) => w.to(dtype).to(device).requiresGrad_());
      const y = F.conv2d(F.conv2d(x.to(dtype).to(device), p[0]!, null, { padding: 1 }).tanh(), p[1]!);
      y.sum().backward();
      return [y, p[0]!.grad!, p[1]!.grad!];
    };
    const got = run("float32", dev);
    const want = run("float64", "cpu");
    for (const [i, name] of ["output", "grad w1", "grad w2"].entries()) {
      const tol = want[i]!.abs().add(1).mul(1e-4);
      await assertWithin(got[i]!, want[i]!, tol, name);
    }
  });

  test("weight and input gradients in every geometry, and weight gradients summed over batch chunks", async () => {
    torch.manualSeed(8);
    type Case = [string, number[], number[], (x: Tensor, w: Tensor) => Tensor];
    const cases: Case[] = [
      ["conv1d stride 3", [2, 3, 13], [5, 3, 4], (x, w) => F.conv1d(x, w, null, { stride: 3 })],
      [
        "conv2d groups 2",
        [2, 4, 10, 8],
        [6, 2, 3, 2],
        (x, w) => F.conv2d(x, w, null, { stride: 2, padding: 1, groups: 2 }),
      ],
      [
        "conv2d dilation",
        [3, 2, 11, 11],
        [4, 2, 3, 3],
        (x, w) => F.conv2d(x, w, null, { dilation: 2, padding: [2, 1] }),
      ],
      ["depthwise", [2, 4, 7, 7], [4, 1, 3, 3], (x, w) => F.conv2d(x, w, null, { groups: 4, padding: 1 })],
      ["conv3d", [2, 2, 5, 5, 5], [3, 2, 2, 2, 2], (x, w) => F.conv3d(x, w, null, { padding: 1 })],
      ["transposed", [2, 4, 5, 5], [4, 3, 3, 3], (x, w) => F.convTranspose2d(x, w, null, { stride: 2, padding: 1 })],
      ["empty batch", [0, 3, 5, 5], [4, 3, 3, 3], (x, w) => F.conv2d(x, w)],
      // 120 samples x 128 outputs x 1,152 weights per output: over the 2^24 partial products kept at
      // once, so the per-sample products are summed in chunks
      ["batch chunks", [120, 128, 4, 4], [128, 128, 3, 3], (x, w) => F.conv2d(x, w)],
    ];
    for (const [name, xs, ws, conv] of cases) {
      const x = torch.randn(xs);
      const w = torch.randn(ws);
      const run = (dtype: "float32" | "float64", device: string, abs = false) => {
        const [xd, wd] = [x, w].map((t) => (abs ? t.abs() : t).to(dtype).to(device).requiresGrad_());
        const y = conv(xd!, wd!);
        const g = torch.cos(torch.arange(y.numel()).to(dtype)).view([...y.shape]);
        y.backward((abs ? g.abs() : g).to(device));
        return [xd!.grad!, wd!.grad!];
      };
      const got = run("float32", dev);
      const want = run("float64", "cpu");
      // a float32 sum of K products, in any order, is off by at most K * 2^-24 * (sum of their
      // magnitudes), doubled for margin; K is O * taps for the input gradient, N * outputs for the weight's
      const magnitude = run("float64", "cpu", true);
      const taps = ws.slice(2).reduce((a, b) => a * b, 1);
      const outputs = conv(x, w).numel() / Math.max(1, (xs[0] ?? 0) * ws[0]!);
      const K = [ws[0]! * taps, xs[0]! * outputs];
      for (const [i, what] of ["input", "weight"].entries())
        await assertWithin(got[i]!, want[i]!, magnitude[i]!.mul(2 * K[i]! * 2 ** -24), `${name}: ${what} gradient`);
    }
  });
});
