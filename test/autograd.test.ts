// Autograd: backward and autograd.grad (explicit gradients, retainGraph, createGraph and higher
// order, allowUnused), accumulation, retainGrad, hooks, leaf/requiresGrad/gradFn bookkeeping, detach,
// grad mode (also across await), custom Functions, in-place safety (version counter, CopySlices) and
// gradcheck. Reference values come from PyTorch (test/fixtures/misc.json, written by
// tools/gen_misc_fixtures.py) or from derivatives that are obvious by hand.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { FunctionCtx } from "../src/autograd/api.js";

type Nested = number | Nested[];
const fx = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "misc.json"), "utf8")) as {
  autograd: Record<string, Record<string, unknown>>;
};
const ag = fx.autograd;

const f64 = (v: Nested, requiresGrad = false) => torch.tensor(v as number[], { dtype: "float64", requiresGrad });

/** Compare nested number arrays elementwise within a float64 rounding tolerance. */
function close(got: torch.NestedArray | null | undefined, want: unknown, what: string, tol = 1e-12): void {
  const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
  const g = flat(got);
  const w = flat(want);
  assert.equal(g.length, w.length, `${what}: ${g.length} values, expected ${w.length}`);
  g.forEach((v, i) => {
    assert.ok(Math.abs(v - w[i]!) <= tol * (1 + Math.abs(w[i]!)), `${what}[${i}]: ${v}, PyTorch ${w[i]}`);
  });
}

/** The message of the error `fn` throws. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail("expected an error");
}

describe("backward", () => {
  test("scalar output: d/dx sum(x*x) = 2x", () => {
    const x = torch.tensor([1, -2, 3.5], { requiresGrad: true });
    x.mul(x).sum().backward();
    assert.deepEqual(x.grad!.tolist(), [2, -4, 7]);
    assert.equal(x.grad!.dtype, "float32");
    assert.equal(x.grad!.requiresGrad, false);
  });

  test("explicit gradient for a non-scalar output", () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    x.mul(2).backward(torch.tensor([1, 0.5, -1]));
    assert.deepEqual(x.grad!.tolist(), [2, 1, -2]);
  });

  test("a leaf's .grad never shares memory with a tensor someone else sees", () => {
    const F32 = { dtype: torch.float32 };
    // a fresh gradient may become .grad without a copy; these must still be copies:
    // the same gradient reaching two leaves (add's backward hands g to both inputs)
    const a = torch.zeros([3], { requiresGrad: true });
    const b = torch.zeros([3], { requiresGrad: true });
    a.add(b).backward(torch.tensor([1, 2, 3], F32));
    a.grad!.add_(10);
    assert.deepEqual(b.grad!.tolist(), [1, 2, 3]);
    // the caller's gradient, backpropagated into a leaf directly or through a view
    const g = torch.tensor([1, 2, 3], F32);
    const c = torch.zeros([3], { requiresGrad: true });
    c.backward(g);
    c.view([3]).backward(g);
    assert.deepEqual(c.grad!.tolist(), [2, 4, 6]);
    assert.deepEqual(g.tolist(), [1, 2, 3]);
    // a gradient a hook saw (and may keep)
    let seen: torch.Tensor | null = null;
    const d = torch.zeros([3], { requiresGrad: true });
    d.registerHook((h) => void (seen = h));
    d.mul(2).sum().backward();
    d.grad!.add_(1);
    assert.deepEqual(seen!.tolist(), [2, 2, 2]);
    // a retained gradient of a non-leaf that passes its gradient on unchanged
    const e = torch.zeros([3], { requiresGrad: true });
    const v = e.view([3]);
    v.retainGrad();
    v.backward(torch.tensor([4, 5, 6], F32));
    e.grad!.add_(1);
    assert.deepEqual(v.grad!.tolist(), [4, 5, 6]);
    // a fresh gradient taken over is still correct and accumulates in place on the next pass
    const w = torch.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { requiresGrad: true },
    );
    const x = torch.tensor(
      [
        [1, 0],
        [2, 1],
      ],
      F32,
    );
    for (let k = 0; k < 2; k++) x.matmul(w.t()).sum().backward();
    assert.deepEqual(w.grad!.tolist(), [
      [6, 2],
      [6, 2],
    ]);
  });

  test("a non-scalar output without a gradient raises", () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    assert.match(
      errorOf(() => x.mul(2).backward()),
      /grad can be implicitly created only for scalar outputs.*\[2\]/,
    );
    assert.match(
      errorOf(() => x.mul(2).backward(torch.ones(3))),
      /Mismatch in shape: grad_output\[0\] has a shape of \[3\] and output\[0\] has a shape of \[2\]/,
    );
    // options passed where the gradient goes: a TypeError saying where they belong
    const opts = { retainGraph: true } as unknown as torch.Tensor;
    assert.match(
      errorOf(() => x.sum().backward(opts)),
      /gradient must be a Tensor or null; options go second/,
    );
    assert.match(
      errorOf(() => torch.ones(2).sum().backward()),
      /element 0 of tensors does not require grad and does not have a grad_fn/,
    );
  });

  test("a second backward through nodes that saved no tensors works, as in PyTorch", () => {
    // PyTorch 1.13: view and add keep no tensors, so backward may pass them again; mul and exp do
    const a = torch.ones([6], { requiresGrad: true });
    const b = a.view([2, 3]);
    b.mul(3).sum().backward();
    b.mul(3).sum().backward();
    assert.deepEqual(a.grad!.tolist(), [6, 6, 6, 6, 6, 6]);
    const x = torch.ones([3], { requiresGrad: true });
    const w = x.add(x);
    w.sum().backward();
    w.sum().backward();
    assert.deepEqual(x.grad!.tolist(), [4, 4, 4]);
    const y = x.mul(2);
    y.sum().backward();
    assert.match(
      errorOf(() => y.sum().backward()),
      /Trying to backward through the graph a second time/,
    );
  });

  test("retainGraph: a second backward raises without it and works with it", () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward();
    assert.match(
      errorOf(() => y.backward()),
      /Trying to backward through the graph a second time.*retainGraph: true/,
    );

    const x2 = torch.tensor([1, 2], { dtype: "float64", requiresGrad: true });
    const y2 = x2.mul(x2).sum();
    y2.backward(null, { retainGraph: true });
    y2.backward(null, { retainGraph: true });
    y2.backward();
    assert.deepEqual(x2.grad!.tolist(), [6, 12]); // three times 2x
  });

  test("gradients accumulate into the same .grad tensor", () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    x.mul(3).sum().backward();
    const g = x.grad!;
    assert.deepEqual(g.tolist(), [3, 3]);
    x.mul(x).sum().backward();
    assert.equal(x.grad, g, "the .grad object is updated in place");
    assert.deepEqual(g.tolist(), [5, 7]);
    g.zero_();
    x.sum().backward();
    assert.equal(x.grad, g);
    assert.deepEqual(g.tolist(), [1, 1]);
    x.grad = null;
    x.sum().backward();
    assert.notEqual(x.grad, g);
    assert.deepEqual(x.grad!.tolist(), [1, 1]);
  });

  test("a leaf used twice gets the sum of both paths; broadcasting sums back to the leaf's shape", () => {
    const x = torch.tensor([[1, 2]], { requiresGrad: true });
    const y = torch.tensor([[10], [20], [30]], { requiresGrad: true });
    x.mul(y).add(x).sum().backward();
    assert.deepEqual(x.grad!.tolist(), [[63, 63]]); // (10 + 1) + (20 + 1) + (30 + 1)
    assert.deepEqual(y.grad!.tolist(), [[3], [3], [3]]);
  });
});

describe("higher order", () => {
  test("d/dx, d2/dx2, d3/dx3 of x^3 at 2 are 12, 12, 6", () => {
    for (const cube of [(x: Tensor) => x.pow(3), (x: Tensor) => x.mul(x).mul(x)]) {
      const x = torch.tensor(2, { dtype: "float64", requiresGrad: true });
      const [g1] = torch.autograd.grad(cube(x), x, { createGraph: true });
      assert.equal(g1!.item(), 12);
      assert.equal(g1!.requiresGrad, true);
      const [g2] = torch.autograd.grad(g1!, x, { createGraph: true });
      assert.equal(g2!.item(), 12);
      const [g3] = torch.autograd.grad(g2!, x);
      assert.equal(g3!.item(), 6);
      assert.equal(g3!.requiresGrad, false);
    }
  });

  test("fused backward kernels give the same gradients as their createGraph (tensor-op) forms", () => {
    // a plain backward runs the fused kernels (softmax, norm); createGraph runs the differentiable
    // formulas, which gradgradcheck alone would not compare with the first-order gradient
    torch.manualSeed(3);
    const F = torch.nn.functional;
    const x = torch.randn([4, 6, 5], { dtype: "float64", requiresGrad: true });
    const w = torch.randn([6], { dtype: "float64", requiresGrad: true });
    const b = torch.randn([6], { dtype: "float64", requiresGrad: true });
    const lw = torch.randn([5], { dtype: "float64", requiresGrad: true });
    const lb = torch.randn([5], { dtype: "float64", requiresGrad: true });
    const cases: [string, () => Tensor, Tensor[]][] = [
      ["softmax", () => F.softmax(x, 1), [x]],
      ["logSoftmax", () => F.logSoftmax(x, -1), [x]],
      ["layerNorm", () => F.layerNorm(x, [5], lw, lb), [x, lw, lb]],
      ["groupNorm", () => F.groupNorm(x, 3, w, b), [x, w, b]],
      ["instanceNorm", () => F.instanceNorm(x, null, null, w, b), [x, w, b]],
      ["batchNorm", () => F.batchNorm(x, null, null, w, b, { training: true }), [x, w, b]],
    ];
    for (const [name, f, inputs] of cases) {
      const g = torch.randn([4, 6, 5], { dtype: "float64" });
      const plain = torch.autograd.grad(f(), inputs, { gradOutputs: g });
      const graph = torch.autograd.grad(f(), inputs, { gradOutputs: g, createGraph: true });
      plain.forEach((p, i) => {
        const diff = p!.sub(graph[i]!).abs().max().item();
        assert.ok(diff < 1e-12, `${name}: input ${i} differs by ${diff}`);
      });
    }
  });

  test("grad of a function of first gradients through several ops matches PyTorch", () => {
    const c = ag.higher_order!;
    const x = f64(c.x as number[], true);
    const y = f64(c.y as number[], true);
    const z = x
      .sin()
      .mul(y.exp())
      .sum()
      .add(x.mul(y).pow(2).mean())
      .add(x.tanh().div(y.pow(2).add(1)).sum());
    close(z.item(), c.z, "z");
    const [gx, gy] = torch.autograd.grad(z, [x, y], { createGraph: true });
    close(gx!.tolist(), c.gx, "gx");
    close(gy!.tolist(), c.gy, "gy");
    const s = gx!
      .mul(f64(c.v as number[]))
      .sum()
      .add(gy!.mul(gy!).sum());
    const [hx, hy] = torch.autograd.grad(s, [x, y]);
    close(hx!.tolist(), c.hx, "hx");
    close(hy!.tolist(), c.hy, "hy");
  });

  test("backward with createGraph leaves a differentiable .grad", () => {
    const x = torch.tensor([1, 2], { dtype: "float64", requiresGrad: true });
    x.pow(3).sum().backward(null, { createGraph: true });
    const g = x.grad!;
    assert.deepEqual(g.tolist(), [3, 12]);
    assert.equal(g.requiresGrad, true);
    const [h] = torch.autograd.grad(g.sum(), x);
    assert.deepEqual(h!.tolist(), [6, 12]);
  });
});

describe("autograd.grad", () => {
  test("gradOutputs, broadcasting and a non-leaf input match PyTorch", () => {
    const c = ag.grad_outputs!;
    const x = f64(c.x as number[], true);
    const w = f64(c.w as number[][], true);
    const h = x.exp();
    const o = h.mul(w).add(x);
    const [gh, gw, gx] = torch.autograd.grad(o, [h, w, x], { gradOutputs: [f64(c.go as number[][])] });
    close(gh!.tolist(), c.gh, "gh");
    close(gw!.tolist(), c.gw, "gw");
    close(gx!.tolist(), c.gx, "gx");
    assert.equal(x.grad, null, "grad() does not accumulate into .grad");
    assert.equal(w.grad, null);
  });

  test("allowUnused", () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const unused = torch.tensor([3], { requiresGrad: true });
    assert.match(
      errorOf(() => torch.autograd.grad(x.mul(2).sum(), [x, unused])),
      /One of the differentiated Tensors \(input 1\) appears to not have been used in the graph. Set allowUnused: true/,
    );
    const [gx, gu] = torch.autograd.grad(x.mul(2).sum(), [x, unused], { allowUnused: true });
    assert.deepEqual(gx!.tolist(), [2, 2]);
    assert.equal(gu, null);
  });

  test("inputs that do not require grad raise", () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    assert.match(
      errorOf(() => torch.autograd.grad(x.sum(), [torch.ones(2)])),
      /Tensors \(input 0\) does not require grad/,
    );
    assert.match(
      errorOf(() => torch.autograd.grad(x.mul(2), [x])),
      /grad can be implicitly created only for scalar outputs/,
    );
  });

  test("several outputs", () => {
    const x = torch.tensor([1, 2], { dtype: "float64", requiresGrad: true });
    const [g] = torch.autograd.grad([x.mul(2).sum(), x.mul(x).sum()], [x]);
    assert.deepEqual(g!.tolist(), [4, 6]);
  });
});

describe("retainGrad and hooks", () => {
  test("retainGrad keeps a non-leaf's gradient", () => {
    const a = torch.tensor([1, 2], { requiresGrad: true });
    const b = a.mul(2);
    const c = b.mul(3);
    b.retainGrad();
    c.mul(c).sum().backward();
    assert.deepEqual(b.grad!.tolist(), [36, 72]); // 2 c * 3 = 18 b
    assert.equal(c.grad, null, "non-leaves keep no gradient unless asked");
    assert.deepEqual(a.grad!.tolist(), [72, 144]);
    assert.match(
      errorOf(() => torch.ones(2).retainGrad()),
      /can't retain_grad on Tensor that has requires_grad=False/,
    );
  });

  test("hooks on a leaf and a non-leaf change the gradient as in PyTorch", () => {
    const c = ag.hooks!;
    const x = f64(c.x as number[], true);
    const m = x.mul(x);
    m.registerHook((g) => g.add(1));
    x.registerHook((g) => g.mul(2));
    m.mul(3).sum().backward();
    close(x.grad!.tolist(), c.gx, "gx");
  });

  test("a hook sees the gradient; returning nothing keeps it; remove() detaches the hook", () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const seen: number[][] = [];
    const h1 = x.registerHook((g) => void seen.push(g.tolist() as number[]));
    const y = x.mul(5);
    const h2 = y.registerHook((g) => g.mul(10));
    y.sum().backward();
    assert.deepEqual(seen, [[50, 50]]);
    assert.deepEqual(x.grad!.tolist(), [50, 50]);
    h1.remove();
    h2.remove();
    x.grad = null;
    x.mul(5).sum().backward();
    assert.deepEqual(seen.length, 1);
    assert.deepEqual(x.grad!.tolist(), [5, 5]);
    assert.match(
      errorOf(() => torch.ones(2).registerHook((g) => g)),
      /cannot register a hook on a tensor that doesn't require gradient/,
    );
  });
});

describe("graph bookkeeping", () => {
  test("isLeaf, requiresGrad and gradFn", () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const c = torch.tensor([3, 4]);
    assert.equal(x.isLeaf, true);
    assert.equal(x.gradFn, null);
    assert.equal(c.isLeaf, true);
    assert.equal(c.requiresGrad, false);
    const y = x.mul(c);
    assert.equal(y.isLeaf, false);
    assert.equal(y.requiresGrad, true);
    assert.equal(y.gradFn!.name(), "MulBackward0");
    const z = c.mul(2);
    assert.equal(z.isLeaf, true, "results of ops on tensors that need no grad are leaves");
    assert.equal(z.gradFn, null);
  });

  test("gradFn names match PyTorch's", () => {
    const names = ag.names as Record<string, string>;
    const x = torch.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { requiresGrad: true },
    );
    const ops: Record<string, () => Tensor> = {
      mul: () => x.mul(2),
      add: () => x.add(1),
      sub: () => x.sub(1),
      div: () => x.div(2),
      neg: () => x.neg(),
      pow: () => x.pow(2),
      exp: () => x.exp(),
      sum: () => x.sum(),
      mean: () => x.mean(),
      view: () => x.view(4),
      t: () => x.t(),
      select: () => x.select(0, 0),
      unsqueeze: () => x.unsqueeze(0),
      clone: () => x.clone(),
      to: () => x.to("float64"),
      matmul: () => x.matmul(x),
      relu: () => x.relu(),
      tanh: () => x.tanh(),
      sigmoid: () => x.sigmoid(),
      expand: () => x.narrow(0, 0, 1).expand(3, 2),
      transpose: () => x.transpose(0, 1),
      permute: () => x.permute(1, 0),
      abs: () => x.abs(),
    };
    assert.deepEqual(Object.keys(ops).sort(), Object.keys(names).sort());
    const got = Object.fromEntries(Object.entries(ops).map(([k, f]) => [k, f().gradFn!.name()]));
    const pick = (keep: (k: string) => boolean, o: Record<string, string>) =>
      Object.fromEntries(Object.entries(o).filter(([k]) => keep(k)));
    assert.deepEqual(
      pick((k) => !COMPOSITE_NAMES.includes(k), got),
      pick((k) => !COMPOSITE_NAMES.includes(k), names),
    );
  });

  // ops built on another primitive (t/transpose on permute, unsqueeze on view, mean on sum and div)
  // record that primitive's node, so their gradFn names differ from PyTorch's
  const COMPOSITE_NAMES = ["t", "transpose", "unsqueeze", "mean"];
  test("gradFn names of ops that are composites here", () => {
    const names = ag.names as Record<string, string>;
    const x = torch.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { requiresGrad: true },
    );
    const got = {
      t: x.t().gradFn!.name(),
      transpose: x.transpose(0, 1).gradFn!.name(),
      unsqueeze: x.unsqueeze(0).gradFn!.name(),
      mean: x.mean().gradFn!.name(),
    };
    assert.deepEqual(got, Object.fromEntries(COMPOSITE_NAMES.map((k) => [k, names[k]])));
  });

  test("requiresGrad_ errors", () => {
    assert.match(
      errorOf(() => torch.tensor([1, 2]).requiresGrad_()),
      /requiresGrad_\(\): only Tensors of floating point dtype can require gradients \(got int64\)/,
    );
    assert.match(
      errorOf(() => torch.tensor([true]).requiresGrad_()),
      /floating point.*bool/,
    );
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    assert.match(
      errorOf(() => y.requiresGrad_(false)),
      /you can only change requires_grad flags of leaf variables/,
    );
    assert.equal(y.requiresGrad_(true), y);
    const z = torch.tensor([1.5]).requiresGrad_();
    assert.equal(z.requiresGrad, true);
    z.requiresGrad = false;
    assert.equal(z.requiresGrad, false);
    assert.throws(() => (torch.tensor([1]).requiresGrad = true), /floating point/);
  });

  test("detach shares data and the version counter, and records nothing", () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    const d = y.detach();
    assert.equal(d.requiresGrad, false);
    assert.equal(d.isLeaf, true);
    assert.equal(d.storage, y.storage);
    const v = y.version;
    d.add_(1);
    assert.deepEqual(y.tolist(), [3, 5]);
    assert.equal(y.version, v + 1);
    assert.equal(d.mul(3).requiresGrad, false);
  });
});

describe("grad mode", () => {
  test("noGrad, enableGrad, setGradEnabled", () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = torch.noGrad(() => x.mul(2));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.gradFn, null);
    const z = torch.noGrad(() => torch.enableGrad(() => x.mul(2)));
    assert.equal(z.requiresGrad, true);
    assert.equal(torch.isGradEnabled(), true);
    torch.setGradEnabled(false);
    try {
      assert.equal(torch.isGradEnabled(), false);
      assert.equal(x.mul(2).requiresGrad, false);
      assert.equal(torch.enableGrad(() => x.mul(2)).requiresGrad, true);
    } finally {
      torch.setGradEnabled(true);
    }
    assert.equal(x.mul(2).requiresGrad, true);
    // setGradEnabled inside a scope stays in that scope
    torch.noGrad(() => {
      torch.setGradEnabled(true);
      assert.equal(x.mul(2).requiresGrad, true);
    });
    assert.equal(torch.isGradEnabled(), true);
  });

  test("the mode is restored when the scoped function throws", () => {
    assert.throws(() =>
      torch.noGrad(() => {
        throw new Error("boom");
      }),
    );
    assert.equal(torch.isGradEnabled(), true);
  });

  test("noGrad on an async function holds across await, and leaves code outside alone", async () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const inside: boolean[] = [];
    const pending = torch.noGrad(async () => {
      inside.push(torch.isGradEnabled());
      await sleep(10);
      inside.push(torch.isGradEnabled());
      const y = x.mul(2);
      await Promise.resolve();
      return [y, x.exp()];
    });
    // the async function is suspended at its first await: code out here still records
    assert.equal(torch.isGradEnabled(), true);
    const outside = x.mul(3);
    assert.equal(outside.requiresGrad, true);
    const [y, e] = await pending;
    assert.deepEqual(inside, [false, false]);
    assert.equal(y!.requiresGrad, false);
    assert.equal(e!.requiresGrad, false);
    assert.equal(torch.isGradEnabled(), true);
    assert.equal(x.mul(2).requiresGrad, true);
  });

  test("concurrent async scopes keep their own modes", async () => {
    const x = torch.tensor([1], { requiresGrad: true });
    const run = (mode: "no" | "enable") =>
      (mode === "no" ? torch.noGrad : torch.enableGrad)(async () => {
        const r: boolean[] = [];
        for (let i = 0; i < 3; i++) {
          await sleep(1 + i);
          r.push(x.mul(2).requiresGrad);
        }
        return r;
      });
    const [a, b] = await Promise.all([run("no"), torch.noGrad(() => run("enable"))]);
    assert.deepEqual(a, [false, false, false]);
    assert.deepEqual(b, [true, true, true]);
  });
});

// ---- custom Functions -----------------------------------------------------------------------------

const needsSeen: boolean[][] = [];

class Cube extends torch.autograd.Function {
  static override forward(ctx: FunctionCtx, t: Tensor): Tensor {
    needsSeen.push([...ctx.needsInputGrad]);
    ctx.saveForBackward(t);
    return t.pow(3);
  }
  static override backward(ctx: FunctionCtx, g: Tensor | null): Tensor | null {
    const [t] = ctx.savedTensors;
    return g!.mul(3).mul(t!.pow(2));
  }
}

class SinCos extends torch.autograd.Function {
  static override forward(ctx: FunctionCtx, t: Tensor): Tensor[] {
    ctx.saveForBackward(t);
    return [t.sin(), t.cos()];
  }
  static override backward(ctx: FunctionCtx, gs: Tensor | null, gc: Tensor | null): Tensor {
    const [t] = ctx.savedTensors;
    return gs!.mul(t!.cos()).sub(gc!.mul(t!.sin()));
  }
}

/** a * k + b with a number argument; needsInputGrad covers every argument. */
class ScaleAdd extends torch.autograd.Function {
  static override forward(ctx: FunctionCtx, a: Tensor, k: number, b: Tensor): Tensor {
    ctx.k = k;
    ctx.needs = [...ctx.needsInputGrad];
    return a.mul(k).add(b);
  }
  static override backward(ctx: FunctionCtx, g: Tensor | null): (Tensor | null)[] {
    const needs = ctx.needs as boolean[];
    return [needs[0] ? g!.mul(ctx.k as number) : null, null, needs[2] ? g : null];
  }
}

/** A deliberately wrong backward (2 t^2 instead of 3 t^2). */
class BadCube extends torch.autograd.Function {
  static override forward(ctx: FunctionCtx, t: Tensor): Tensor {
    ctx.saveForBackward(t);
    return t.pow(3);
  }
  static override backward(ctx: FunctionCtx, g: Tensor | null): Tensor {
    const [t] = ctx.savedTensors;
    return g!.mul(2).mul(t!.pow(2));
  }
}

describe("custom Function", () => {
  test("forward/backward, saveForBackward, multiple outputs, used twice: PyTorch's gradients", () => {
    const c = ag.custom!;
    const x = f64(c.x as number[], true);
    const y1 = Cube.apply<Tensor>(x).add(Cube.apply<Tensor>(x.mul(2)));
    const [s, c2] = SinCos.apply<Tensor[]>(y1);
    const total = s!
      .mul(f64(c.v as number[]))
      .sum()
      .add(c2!.sum());
    close(total.item(), c.total, "total");
    total.backward();
    close(x.grad!.tolist(), c.gx, "gx");
    assert.deepEqual([y1.gradFn!.nextFunctions[0]!.node.name(), s!.gradFn!.name()], c.names);
    assert.equal(s!.gradFn, c2!.gradFn, "both outputs share one node");
    assert.equal(c2!.outputNr, 1);
  });

  test("needsInputGrad and non-tensor arguments", () => {
    const a = torch.tensor([1, 2], { requiresGrad: true });
    const b = torch.tensor([10, 20]);
    const out = ScaleAdd.apply<Tensor>(a, 3, b);
    assert.deepEqual(out.tolist(), [13, 26]);
    out.sum().backward();
    assert.deepEqual(a.grad!.tolist(), [3, 3]);
    needsSeen.length = 0;
    Cube.apply(torch.ones(1));
    Cube.apply(a);
    assert.deepEqual(needsSeen, [[false], [true]]);
    // nothing requires grad: no node
    assert.equal(Cube.apply<Tensor>(torch.ones(1)).gradFn, null);
    assert.equal(torch.noGrad(() => Cube.apply<Tensor>(a)).gradFn, null);
  });

  test("forward runs without recording", () => {
    let recorded: boolean | null = null;
    class Probe extends torch.autograd.Function {
      static override forward(_ctx: FunctionCtx, t: Tensor): Tensor {
        recorded = t.mul(2).requiresGrad;
        return t.mul(2);
      }
      static override backward(_ctx: FunctionCtx, g: Tensor | null): Tensor {
        return g!.mul(2);
      }
    }
    const y = Probe.apply<Tensor>(torch.ones(2, { requiresGrad: true }));
    assert.equal(recorded, false);
    assert.equal(y.gradFn!.name(), "ProbeBackward");
  });

  test("gradcheck and gradgradcheck of custom Functions", () => {
    const x = torch.tensor([0.5, -1.3, 2], { dtype: "float64", requiresGrad: true });
    assert.equal(
      torch.autograd.gradcheck((t) => Cube.apply<Tensor>(t), [x]),
      true,
    );
    assert.equal(
      torch.autograd.gradgradcheck((t) => Cube.apply<Tensor>(t), [x]),
      true,
    );
    assert.equal(
      torch.autograd.gradcheck((t) => SinCos.apply<Tensor[]>(t), [x]),
      true,
    );
  });

  test("gradcheck raises on a wrong backward", () => {
    const x = torch.tensor([0.5, -1.3, 2], { dtype: "float64", requiresGrad: true });
    assert.match(
      errorOf(() => torch.autograd.gradcheck((t) => BadCube.apply<Tensor>(t), [x])),
      /gradcheck: Jacobian mismatch for output 0 with respect to input 0.*numerical 0\.75.*analytical 0\.5/,
    );
    assert.equal(
      torch.autograd.gradcheck((t) => BadCube.apply<Tensor>(t), [x], { raiseException: false }),
      false,
    );
  });
});

describe("gradcheck", () => {
  test("true on correct functions, in float64", () => {
    const a = torch.tensor(
      [
        [0.5, -1.2],
        [0.3, 2],
      ],
      { dtype: "float64", requiresGrad: true },
    );
    const b = torch.tensor([0.7, -0.4], { dtype: "float64", requiresGrad: true });
    const fn = (p: Tensor, q: Tensor) => p.mul(q).sin().add(p.matmul(q).unsqueeze(1)).div(q.exp().add(1));
    assert.equal(torch.autograd.gradcheck(fn, [a, b]), true);
    assert.equal(torch.autograd.gradgradcheck(fn, [a, b]), true);
  });

  test("asks for float64 inputs", () => {
    const a = torch.tensor([0.5], { requiresGrad: true });
    assert.match(
      errorOf(() => torch.autograd.gradcheck((t) => t.mul(2), [a])),
      /float32 requires grad; use float64/,
    );
  });
});

describe("in-place safety", () => {
  test("modifying a saved input in place makes backward raise a version error", () => {
    const a = torch.tensor([1, 2, 3], { dtype: "float32" });
    const b = torch.tensor([4, 5, 6], { requiresGrad: true });
    const c = a.mul(b); // saves a for b's gradient
    a.add_(1);
    assert.match(
      errorOf(() => c.sum().backward()),
      /one of the variables needed for gradient computation has been modified by an inplace operation: \[float32 \[3\]\] is at version 1; expected version 0 instead/,
    );
  });

  test("modifying a saved output in place names the node that produced it, as PyTorch does", () => {
    const x = f64([0.5, -1.3, 2], true);
    const a = x.sigmoid(); // saves its output
    a.add_(1);
    const msg = errorOf(() => a.sum().backward());
    const want = ag.saved_output_error as unknown as string;
    const core = /which is output 0 of SigmoidBackward0, is at version 1; expected version 0 instead/;
    assert.match(want, core);
    assert.match(msg, core);
  });

  test("x.mul_(y) on a non-leaf, then backward: PyTorch's gradients", () => {
    const c = ag.inplace_mul!;
    const x = f64(c.x as number[], true);
    const y = f64(c.y as number[], true);
    const a = x.mul(2);
    const r = a.mul_(y);
    assert.equal(r, a, "in-place ops return their tensor");
    assert.equal(a.gradFn!.name(), c.grad_fn);
    a.mul(f64(c.v as number[]))
      .sum()
      .add(a.pow(2).sum())
      .backward();
    close(a.tolist(), c.a, "a");
    close(x.grad!.tolist(), c.gx, "gx");
    close(y.grad!.tolist(), c.gy, "gy");
  });

  test("a chain of in-place ops on a non-leaf", () => {
    const c = ag.inplace_chain!;
    const x = f64(c.x as number[], true);
    const a = x.mul(2);
    a.add_(1).mul_(x).exp_();
    a.sum().backward();
    close(a.tolist(), c.a, "a");
    close(x.grad!.tolist(), c.gx, "gx");
  });

  test("a leaf that requires grad cannot be modified in place, except under noGrad", () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    assert.match(
      errorOf(() => x.add_(1)),
      /add_\(\): a leaf Variable that requires grad is being used in an in-place operation/,
    );
    assert.match(
      errorOf(() => x.select(0, 0).mul_(2)),
      /mul_\(\): a view of a leaf Variable that requires grad is being used in an in-place operation/,
    );
    torch.noGrad(() => x.add_(1));
    assert.deepEqual(x.tolist(), [2, 3]);
    assert.equal(x.isLeaf, true);
    assert.equal(x.requiresGrad, true);
  });

  test("writing into views of a non-leaf (CopySlices): PyTorch's gradients for base and sources", () => {
    const c = ag.copy_slices!;
    const x = f64(c.x as number[][], true);
    const src = f64(c.src as number[], true);
    const col = f64(c.col as number[], true);
    const base = x.mul(1.5);
    base.select(0, 1).mul_(src);
    base.select(1, 0).copy_(col.mul(col));
    assert.equal(base.gradFn!.name(), c.grad_fn);
    close(base.tolist(), c.base, "base");
    base
      .mul(f64(c.w as number[][]))
      .sum()
      .backward();
    close(x.grad!.tolist(), c.gx, "gx");
    close(src.grad!.tolist(), c.gsrc, "gsrc");
    close(col.grad!.tolist(), c.gcol, "gcol");
  });
});
