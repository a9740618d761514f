// torch.nn modules against PyTorch (test/fixtures/nn.json, written by tools/gen_nn_fixtures.py):
// layer reprs, default init and nn.init values for the same seed, init distributions over large
// samples, Module bookkeeping (registration order, stateDict keys, loadStateDict errors that leave the
// model untouched, train/eval, zeroGrad), dropout in train/eval, gradient clipping, parameter vectors
// and a small golden MLP (outputs, loss and gradients). The functionals are covered by the op specs
// (tools/opspec/specs_nn_functional.py).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { compareTensor, decodeValue, type TensorDesc } from "./opspec.js";

const { nn } = torch;

interface Fixtures {
  reprs: { py: string; ts: string; repr: string }[];
  layer_inits: { py: string; ts: string; seed: number; state: [string, TensorDesc][] }[];
  inits: { py: string; ts: string; seed: number; value: TensorDesc }[];
  gains: [string, number | null, number][];
  module_api: {
    named_parameters: [string, number[]][];
    state_dict: [string, number[]][];
    named_buffers: string[];
    named_modules: string[];
    named_children: string[];
    num_parameters: number;
    load_errors: Record<"missing" | "unexpected" | "shape" | "shape_nonstrict", string>;
    nonstrict_result: { missing: string[]; unexpected: string[] };
  };
  dropout: { x: TensorDesc; seed: number; train: TensorDesc; eval: TensorDesc };
  clip: {
    grads: TensorDesc[];
    norm: { max_norm: number; norm_type: number | string; total: number; clipped: TensorDesc[] }[];
    value: { clip: number; clipped: TensorDesc[] };
  };
  golden_mlp: {
    seed_init: number;
    seed_forward: number;
    state: [string, TensorDesc][];
    x: TensorDesc;
    y: TensorDesc;
    logits: TensorDesc;
    loss: number;
    grads: [string, TensorDesc][];
  };
}
const fx = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "nn.json"), "utf8")) as Fixtures;

/** Evaluate a fixture's torchts expression with `torch` and `nn` in scope. */
function evalTs<T>(ts: string): T {
  return new Function("torch", "nn", `return (${ts});`)(torch, nn) as T;
}
/** A tensor from a fixture description. */
function fromDesc(d: TensorDesc): Tensor {
  return torch.tensor(Float64Array.from(d.data, decodeValue), { dtype: d.dtype }).reshape(d.shape);
}
/** Assert `got` matches the fixture within PyTorch's default float tolerances. */
function assertClose(what: string, got: Tensor, want: TensorDesc): void {
  const m = compareTensor(what, got, want, null);
  assert.equal(m, null, m ?? "");
}
/** The message of the error `fn` throws (fails when it does not throw). */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail("expected an error");
}
/** PyTorch's `torch.Size([2, 3])` is printed `[2, 3]` by torchts; trailing spaces are not compared. */
function normalizeMessage(s: string): string {
  return s
    .replace(/torch\.Size\((\[[^\]]*\])\)/g, "$1")
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n");
}

describe("layer reprs match PyTorch's", () => {
  for (const c of fx.reprs)
    test(c.py, () => {
      assert.equal(String(evalTs<torch.nn.Module>(c.ts)), c.repr);
    });
});

describe("default init of the layers matches PyTorch's for the same seed", () => {
  for (const c of fx.layer_inits)
    test(c.py, () => {
      torch.manualSeed(c.seed);
      const m = evalTs<torch.nn.Module>(c.ts);
      const state = m.stateDict();
      assert.deepEqual(
        [...state.keys()],
        c.state.map(([k]) => k),
      );
      for (const [k, want] of c.state) assertClose(k, state.get(k)!, want);
      for (const p of m.parameters()) assert.ok(p.requiresGrad && p.isLeaf);
    });
});

describe("nn.init matches PyTorch's for the same seed", () => {
  for (const c of fx.inits)
    test(c.py, () => {
      torch.manualSeed(c.seed);
      assertClose(c.py, evalTs<Tensor>(c.ts), c.value);
    });
  test("calculateGain", () => {
    for (const [nl, p, want] of fx.gains) assert.ok(Math.abs(nn.init.calculateGain(nl, p) - want) < 1e-15, nl);
    assert.equal(nn.init.calculateGain("leakyRelu", 0.2), nn.init.calculateGain("leaky_relu", 0.2));
    assert.throws(() => nn.init.calculateGain("swish"), /Unsupported nonlinearity swish/);
  });
  test("init runs without recording and keeps the tensor a leaf", () => {
    const w = torch.empty([3, 4], { requiresGrad: true });
    const r = nn.init.kaimingUniform_(w);
    assert.equal(r, w);
    assert.ok(w.isLeaf && w.requiresGrad && w.gradFn === null);
  });
  test("errors name the initializer and the problem", () => {
    assert.throws(() => nn.init.xavierUniform_(torch.empty([5])), /Fan in and fan out can not be computed/);
    assert.throws(() => nn.init.eye_(torch.empty([2, 2, 2])), /eye_\(\): Only tensors with 2 dimensions/);
    assert.throws(() => nn.init.dirac_(torch.empty([3, 3])), /dirac_\(\): Only tensors with 3, 4, or 5 dimensions/);
    assert.throws(() => nn.init.dirac_(torch.empty([5, 2, 3]), 2), /divisible by groups/);
    assert.throws(() => nn.init.kaimingNormal_(torch.empty([2, 2]), 0, "fan_avg" as "fan_in"), /fan_avg not supported/);
    assert.throws(() => nn.init.orthogonal_(torch.empty([4])), /2 or more dimensions/);
    assert.throws(() => nn.init.sparse_(torch.empty([2, 2, 2]), 0.1), /Only tensors with 2 dimensions/);
  });
  test("a generator option gives a reproducible stream independent of the global one", () => {
    const a = nn.init.normal_(torch.empty([50]), 0, 1, { generator: new torch.Generator().manualSeed(5) });
    torch.manualSeed(0);
    const b = nn.init.normal_(torch.empty([50]), 0, 1, { generator: new torch.Generator().manualSeed(5) });
    assert.deepEqual(a.tolist(), b.tolist());
  });
});

/** Sample mean and (population) variance of a tensor's values. */
function moments(t: Tensor): { n: number; mean: number; variance: number; min: number; max: number } {
  const v = t.dataSync();
  let s = 0;
  for (const x of v) s += x;
  const mean = s / v.length;
  let ss = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of v) {
    ss += (x - mean) ** 2;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  return { n: v.length, mean, variance: ss / v.length, min, max };
}
/**
 * Check sample moments against a distribution's mean, variance and fourth central moment: each within
 * 6 standard errors (sd / sqrt(n) for the mean, sqrt((mu4 - var^2) / n) for the variance).
 */
function assertMoments(what: string, t: Tensor, mean: number, variance: number, mu4: number): void {
  const m = moments(t);
  const seMean = Math.sqrt(variance / m.n);
  const seVar = Math.sqrt((mu4 - variance ** 2) / m.n);
  assert.ok(Math.abs(m.mean - mean) <= 6 * seMean, `${what}: mean ${m.mean}, expected ${mean} +- ${6 * seMean}`);
  assert.ok(
    Math.abs(m.variance - variance) <= 6 * seVar,
    `${what}: variance ${m.variance}, expected ${variance} +- ${6 * seVar}`,
  );
}
const uniformMoments = (a: number, b: number): [number, number, number] => [
  (a + b) / 2,
  (b - a) ** 2 / 12,
  (b - a) ** 4 / 80,
];
const normalMoments = (mean: number, std: number): [number, number, number] => [mean, std ** 2, 3 * std ** 4];

describe("init distributions over large samples", () => {
  const N = 200_000;
  test("uniform_ stays in [a, b) with the uniform moments", () => {
    const t = nn.init.uniform_(torch.empty([N]), -0.5, 1.5);
    const m = moments(t);
    assert.ok(m.min >= -0.5 && m.max < 1.5, `range [${m.min}, ${m.max}]`);
    assertMoments("uniform_", t, ...uniformMoments(-0.5, 1.5));
  });
  test("normal_ has the normal moments", () => {
    assertMoments("normal_", nn.init.normal_(torch.empty([N]), 0.3, 2), ...normalMoments(0.3, 2));
  });
  test("kaimingUniform_ / kaimingNormal_ use bound gain * sqrt(3 / fan) and std gain / sqrt(fan)", () => {
    const w = nn.init.kaimingUniform_(torch.empty([400, 500]), Math.sqrt(5));
    const bound = (Math.sqrt(3) * Math.sqrt(2 / (1 + 5))) / Math.sqrt(500);
    const m = moments(w);
    assert.ok(m.min >= -bound && m.max < bound);
    assertMoments("kaimingUniform_", w, ...uniformMoments(-bound, bound));
    // fan_out = size(0) * receptive field = 500 * 20
    const wn = nn.init.kaimingNormal_(torch.empty([500, 20, 20]), 0, "fan_out", "relu");
    assertMoments("kaimingNormal_", wn, ...normalMoments(0, Math.sqrt(2) / Math.sqrt(500 * 20)));
  });
  test("xavierUniform_ / xavierNormal_ use gain * sqrt(2 / (fan_in + fan_out))", () => {
    const std = Math.sqrt(2 / (300 + 700));
    const a = Math.sqrt(3) * std;
    assertMoments("xavierUniform_", nn.init.xavierUniform_(torch.empty([700, 300])), ...uniformMoments(-a, a));
    assertMoments("xavierNormal_", nn.init.xavierNormal_(torch.empty([700, 300]), 3), ...normalMoments(0, 3 * std));
  });
  test("truncNormal_ stays in [a, b] with the truncated-normal moments", () => {
    const [mu, sigma, a, b] = [0.5, 2, -1, 3];
    const t = nn.init.truncNormal_(torch.empty([N], { dtype: "float64" }), mu, sigma, a, b);
    const m = moments(t);
    assert.ok(m.min >= a && m.max <= b);
    // moments of N(mu, sigma^2) truncated to [a, b] (alpha, beta standardised bounds)
    const phi = (x: number) => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
    const cdf = (x: number) =>
      (1 +
        torch
          .tensor(x / Math.SQRT2, { dtype: "float64" })
          .erf()
          .item()) /
      2;
    const [al, be] = [(a - mu) / sigma, (b - mu) / sigma];
    const Z = cdf(be) - cdf(al);
    const mean = mu + ((phi(al) - phi(be)) / Z) * sigma;
    const variance = sigma ** 2 * (1 + (al * phi(al) - be * phi(be)) / Z - ((phi(al) - phi(be)) / Z) ** 2);
    // the fourth moment is bounded by that of the untruncated normal around the truncated mean
    assertMoments("truncNormal_", t, mean, variance, 3 * sigma ** 4);
  });
  test("orthogonal_ gives orthonormal rows (wide) or columns (tall), scaled by gain", () => {
    for (const [shape, gain] of [
      [[60, 20], 1],
      [[20, 60], 2],
      [[8, 3, 2, 2], 1],
    ] as [number[], number][]) {
      const w = nn.init.orthogonal_(torch.empty(shape, { dtype: "float64" }), gain).reshape([shape[0]!, -1]);
      const g = w.shape[0]! >= w.shape[1]! ? w.t().matmul(w) : w.matmul(w.t());
      const eye = torch.eye(g.shape[0]!, { dtype: "float64" }).mul(gain * gain);
      assert.ok(torch.allclose(g, eye, { atol: 1e-12 }), `orthogonal_ ${shape}`);
    }
  });
  test("sparse_ zeroes ceil(sparsity * rows) entries of each column", () => {
    const w = nn.init.sparse_(torch.empty([10, 30]), 0.25, 1);
    const zerosPerColumn = w.eq(0).sum(0).tolist() as number[];
    assert.deepEqual(zerosPerColumn, new Array(30).fill(3));
  });
  test("Dropout zeroes a fraction p and scales the rest by 1 / (1 - p)", () => {
    const p = 0.3;
    const y = new nn.Dropout(p).forward(torch.ones([N]));
    const v = y.dataSync();
    let zeros = 0;
    for (const x of v) {
      if (x === 0) zeros++;
      else assert.equal(x, Math.fround(1 / Math.fround(1 - p)));
    }
    const se = Math.sqrt((p * (1 - p)) / N);
    assert.ok(Math.abs(zeros / N - p) <= 6 * se, `dropped fraction ${zeros / N}`);
  });
});

/** The TypeScript mirror of the generator's Net. */
class Net extends nn.Module {
  embed = new nn.Embedding(10, 4, { paddingIdx: 0 });
  declare scale: Tensor;
  declare tmp: Tensor;
  blocks: torch.nn.ModuleList;
  head: torch.nn.Sequential;
  alpha: torch.nn.Parameter;
  heads: torch.nn.ModuleDict;
  constructor() {
    super();
    this.registerBuffer("scale", torch.ones([1]));
    this.registerBuffer("tmp", torch.zeros([2]), false);
    this.blocks = new nn.ModuleList([new nn.Linear(4, 4), new nn.Linear(4, 4, { bias: false })]);
    this.head = new nn.Sequential(new nn.Dropout(0.1), new nn.Linear(4, 3), new nn.PReLU());
    this.alpha = new nn.Parameter(torch.zeros([3]));
    this.heads = new nn.ModuleDict({ b: new nn.Linear(3, 2), a: new nn.Bilinear(3, 3, 1) });
  }
}
class Small extends nn.Module {
  fc = new nn.Linear(3, 2);
  declare count: Tensor;
  constructor() {
    super();
    this.registerBuffer("count", torch.zeros([1]));
  }
}

describe("Module bookkeeping matches PyTorch", () => {
  const api = fx.module_api;
  test("namedParameters: names, order and shapes", () => {
    const got = [...new Net().namedParameters()].map(([k, p]) => [k, [...p.shape]]);
    assert.deepEqual(got, api.named_parameters);
  });
  test("stateDict: keys (parameters, then persistent buffers, per module) and shapes", () => {
    const got = [...new Net().stateDict()].map(([k, t]) => [k, [...t.shape]]);
    assert.deepEqual(got, api.state_dict);
  });
  test("namedBuffers, namedModules, namedChildren, parameter count", () => {
    const net = new Net();
    assert.deepEqual(
      [...net.namedBuffers()].map(([k]) => k),
      api.named_buffers,
    );
    assert.deepEqual(
      [...net.namedModules()].map(([k]) => k),
      api.named_modules,
    );
    assert.deepEqual(
      [...net.namedChildren()].map(([k]) => k),
      api.named_children,
    );
    assert.equal(
      net.parameters().reduce((n, p) => n + p.numel(), 0),
      api.num_parameters,
    );
  });
  test("loadStateDict: PyTorch's errors, and a failed load leaves the model untouched", () => {
    const src = new Small().stateDict();
    const cases: [keyof typeof api.load_errors, Map<string, Tensor>, boolean][] = [
      [
        "missing",
        new Map([
          ["fc.weight", src.get("fc.weight")!],
          ["count", src.get("count")!],
        ]),
        true,
      ],
      ["unexpected", new Map([...src, ["extra.weight", torch.zeros([1])]]), true],
      ["shape", new Map([...src, ["fc.weight", torch.zeros([2, 4])]]), true],
      ["shape_nonstrict", new Map([["fc.weight", torch.zeros([2, 4])]]), false],
    ];
    for (const [name, sd, strict] of cases) {
      const m = new Small();
      const before = [...m.stateDict()].map(([k, t]) => [k, t.clone()] as const);
      const msg = errorOf(() => m.loadStateDict(sd, { strict }));
      assert.equal(normalizeMessage(msg), normalizeMessage(api.load_errors[name]), name);
      for (const [k, t] of before) assert.ok(torch.equal(m.stateDict().get(k)!, t), `${name}: ${k} changed`);
    }
  });
  test("loadStateDict non-strict reports missing and unexpected keys and loads the rest", () => {
    const m = new Small();
    const w = torch.randn([2, 3]);
    const r = m.loadStateDict(
      new Map([
        ["fc.weight", w],
        ["extra", torch.zeros([1])],
      ]),
      { strict: false },
    );
    assert.deepEqual(
      { missing: [...r.missingKeys].sort(), unexpected: r.unexpectedKeys },
      { missing: [...api.nonstrict_result.missing].sort(), unexpected: api.nonstrict_result.unexpected },
    );
    assert.ok(torch.equal(m.fc.weight, w));
    assert.ok(m.fc.weight.isLeaf && m.fc.weight.requiresGrad);
  });
  test("a stateDict round-trips between two models", () => {
    const a = new Net();
    const b = new Net();
    b.loadStateDict(a.stateDict());
    for (const [k, t] of a.stateDict()) assert.ok(torch.equal(b.stateDict().get(k)!, t), k);
  });
  test("train()/eval() reach every sub-module", () => {
    const net = new Net();
    assert.ok([...net.modules()].every((m) => m.training));
    net.eval();
    assert.ok([...net.modules()].every((m) => !m.training));
    net.train();
    assert.ok([...net.modules()].every((m) => m.training));
  });
  test("zeroGrad sets gradients to null, or to zeros with setToNone: false", () => {
    const net = new Small();
    const loss = (net.fc.forward(torch.randn([4, 3])) as Tensor).sum();
    loss.backward();
    assert.ok(net.parameters().every((p) => p.grad !== null));
    net.zeroGrad({ setToNone: false });
    assert.ok(net.parameters().every((p) => p.grad !== null && p.grad.abs().sum().item() === 0));
    net.zeroGrad();
    assert.ok(net.parameters().every((p) => p.grad === null));
  });
});

describe("layers", () => {
  test("Dropout and Dropout2d: PyTorch's masks in train mode for the same seed, identity in eval", () => {
    const d = fx.dropout;
    const x = fromDesc(d.x);
    const m = new nn.Sequential(new nn.Dropout(0.4), new nn.Dropout2d(0.5));
    torch.manualSeed(d.seed);
    assertClose("train", (m.forward(x.reshape([2, 3, 4, 1])) as Tensor).reshape([4, 6]), d.train);
    m.eval();
    const y = (m.forward(x.reshape([2, 3, 4, 1])) as Tensor).reshape([4, 6]);
    assertClose("eval", y, d.eval);
    assert.ok(torch.equal(y, x));
  });
  test("Linear: shape errors name the op and both shapes", () => {
    const msg = errorOf(() => new nn.Linear(4, 2).forward(torch.zeros([3, 5])));
    assert.match(msg, /linear\(\).*\[3, 5\].*\[2, 4\]/);
  });
  test("Dropout rejects p outside [0, 1]", () => {
    assert.throws(() => new nn.Dropout(1.5), /dropout probability has to be between 0 and 1, but got 1.5/);
  });
  test("Embedding: padding row starts at zero and gets no gradient; fromPretrained shares and freezes", () => {
    torch.manualSeed(0);
    const e = new nn.Embedding(5, 3, { paddingIdx: 1 });
    assert.deepEqual(e.weight.select(0, 1).tolist(), [0, 0, 0]);
    const out = e.forward(
      torch.tensor([
        [1, 2],
        [1, 4],
      ]),
    );
    assert.deepEqual(out.shape, [2, 2, 3]);
    out.sum().backward();
    assert.deepEqual(e.weight.grad!.tolist(), [
      [0, 0, 0],
      [0, 0, 0],
      [1, 1, 1],
      [0, 0, 0],
      [1, 1, 1],
    ]);
    const w = torch.randn([4, 2]);
    const pre = nn.Embedding.fromPretrained(w);
    assert.equal(pre.weight.storage, w.storage);
    assert.equal(pre.weight.requiresGrad, false);
    assert.equal(nn.Embedding.fromPretrained(w, { freeze: false }).weight.requiresGrad, true);
    assert.equal(String(pre), "Embedding(4, 2)");
  });
  test("loss modules: weights are buffers with PyTorch's names and forward matches the functional", () => {
    const w = torch.tensor([1, 2, 0.5]);
    const ce = new nn.CrossEntropyLoss({ weight: w, labelSmoothing: 0.1 });
    assert.deepEqual([...ce.stateDict().keys()], ["weight"]);
    const x = torch.randn([4, 3]);
    const y = torch.tensor([0, 2, 1, 2]);
    const f = nn.functional.crossEntropy(x, y, { weight: w, labelSmoothing: 0.1 });
    assert.equal(ce.forward(x, y).item(), f.item());
    const bce = new nn.BCEWithLogitsLoss({ posWeight: torch.ones([3]) });
    assert.deepEqual([...bce.stateDict().keys()], ["pos_weight"]);
    assert.equal(bce.posWeight, bce.pos_weight);
    assert.equal(new nn.MSELoss().stateDict().size, 0);
    assert.throws(() => new nn.MSELoss({ reduction: "avg" as "mean" }), /avg is not a valid value for reduction/);
  });
  test("modules run through call() with hooks", () => {
    const m = new nn.Linear(3, 2);
    const seen: number[][] = [];
    m.registerForwardHook((_m, _in, out) => {
      seen.push([...(out as Tensor).shape]);
    });
    m.call(torch.zeros([5, 3]));
    assert.deepEqual(seen, [[5, 2]]);
  });
  test("activation modules forward their functional", () => {
    const x = torch.randn([2, 6]);
    const F = nn.functional;
    const pairs: [torch.nn.Module, Tensor][] = [
      [new nn.ReLU(), F.relu(x)],
      [new nn.LeakyReLU(0.2), F.leakyRelu(x, 0.2)],
      [new nn.GELU("tanh"), F.gelu(x, { approximate: "tanh" })],
      [new nn.Softmax(1), F.softmax(x, 1)],
      [new nn.LogSoftmax(0), F.logSoftmax(x, 0)],
      [new nn.Hardswish(), F.hardswish(x)],
      [new nn.GLU(), F.glu(x)],
      [new nn.Flatten(0), x.flatten()],
      [new nn.Unflatten(1, [2, 3]), x.reshape([2, 2, 3])],
      [new nn.Identity(7, "ignored"), x],
    ];
    for (const [m, want] of pairs) assert.ok(torch.equal(m.forward(x) as Tensor, want), String(m));
  });
});

describe("nn.utils", () => {
  const c = fx.clip;
  const withGrads = () =>
    c.grads.map((g) => {
      const p = torch.zeros(g.shape, { requiresGrad: true });
      p.grad = fromDesc(g);
      return p;
    });
  for (const k of c.norm)
    test(`clipGradNorm_ maxNorm ${k.max_norm}, normType ${k.norm_type}`, () => {
      const params = withGrads();
      const total = nn.utils.clipGradNorm_(params, k.max_norm, decodeValue(k.norm_type));
      assert.ok(Math.abs(total.item() - k.total) <= 1e-5 + 1.3e-6 * Math.abs(k.total), `total ${total.item()}`);
      params.forEach((p, i) => assertClose(`grad ${i}`, p.grad!, k.clipped[i]!));
    });
  test("clipGradNorm_ skips parameters without gradients and returns 0 for none", () => {
    assert.equal(nn.utils.clipGradNorm_([torch.zeros([2], { requiresGrad: true })], 1).item(), 0);
    const params = withGrads();
    params[0]!.grad = params[0]!.grad!.mul(NaN);
    assert.throws(() => nn.utils.clipGradNorm_(params, 1, 2, { errorIfNonfinite: true }), /non-finite/);
  });
  test("clipGradValue_", () => {
    const params = withGrads();
    nn.utils.clipGradValue_(params, c.value.clip);
    params.forEach((p, i) => assertClose(`grad ${i}`, p.grad!, c.value.clipped[i]!));
  });
  test("parametersToVector / vectorToParameters round-trip, and the vector is differentiable", () => {
    const m = new nn.Linear(3, 2);
    const v = nn.utils.parametersToVector(m.parameters());
    assert.deepEqual(v.shape, [8]);
    v.mul(torch.arange(8, { dtype: "float32" }))
      .sum()
      .backward();
    assert.deepEqual(m.weight.grad!.flatten().tolist(), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(m.bias!.grad!.tolist(), [6, 7]);
    nn.utils.vectorToParameters(torch.arange(8, { dtype: "float32" }), m.parameters());
    assert.deepEqual(m.weight.tolist(), [
      [0, 1, 2],
      [3, 4, 5],
    ]);
    assert.deepEqual(m.bias!.tolist(), [6, 7]);
    assert.throws(
      () => nn.utils.vectorToParameters(torch.zeros([7]), m.parameters()),
      /expected a vector of 8 elements/,
    );
  });
});

test("golden MLP: PyTorch's init, dropout mask, logits, loss and gradients", () => {
  const g = fx.golden_mlp;
  torch.manualSeed(g.seed_init);
  const model = new nn.Sequential(
    new nn.Linear(6, 16),
    new nn.GELU(),
    new nn.Dropout(0.3),
    new nn.Linear(16, 16),
    new nn.SiLU(),
    new nn.Linear(16, 4),
  );
  // the seeded init already gives PyTorch's weights; check, then load them anyway
  const state = model.stateDict();
  for (const [k, want] of g.state) assertClose(`init ${k}`, state.get(k)!, want);
  model.loadStateDict(new Map(g.state.map(([k, d]) => [k, fromDesc(d)])));
  torch.manualSeed(g.seed_forward);
  const logits = model.forward(fromDesc(g.x)) as Tensor;
  assertClose("logits", logits, g.logits);
  const loss = new nn.CrossEntropyLoss({ labelSmoothing: 0.05 }).forward(logits, fromDesc(g.y));
  assert.ok(Math.abs(loss.item() - g.loss) <= 1e-5 + 1.3e-6 * Math.abs(g.loss), `loss ${loss.item()} vs ${g.loss}`);
  loss.backward();
  const params = new Map(model.namedParameters());
  for (const [k, want] of g.grads) assertClose(`grad ${k}`, params.get(k)!.grad!, want);
});
