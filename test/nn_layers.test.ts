// The conv, pooling, norm and resampling layers against PyTorch (fixtures from
// tools/gen_nn_layer_fixtures.py): default initialisation under the same seed, repr, state-dict keys,
// outputs and gradients (input and every parameter) with PyTorch's weights, and the running
// statistics of BatchNorm/InstanceNorm after training steps.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../src/index.js";
import { manualSeed } from "../src/ops/random.js";
import { buildInput, compareTensor, type TensorDesc } from "./opspec.js";

interface Step {
  train: boolean;
  input: TensorDesc;
  outputs: TensorDesc[];
  cotangents: TensorDesc[];
  input_grad: TensorDesc;
  param_grads: [string, TensorDesc | null][];
}
interface LayerCase {
  name: string;
  ts: string;
  seed: number;
  repr: string;
  call?: string;
  init: [string, TensorDesc][];
  state: [string, TensorDesc][];
  steps: Step[];
  after: [string, TensorDesc][];
}

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "nn_layers.json"), "utf8")) as {
  cases: LayerCase[];
};

const build = (ts: string) => new Function("torch", "nn", `return ${ts};`)(torch, torch.nn) as torch.nn.Module;
const tensorOf = (d: TensorDesc) => buildInput(d, "cpu").leaf;

/** Compare a state dict with a fixture's (same keys in the same order, same values). */
function compareState(what: string, got: Map<string, torch.Tensor>, want: [string, TensorDesc][]): string[] {
  const errs: string[] = [];
  assert.deepEqual(
    [...got.keys()],
    want.map(([k]) => k),
    `${what}: state-dict keys`,
  );
  for (const [k, d] of want) {
    const m = compareTensor(`${what} ${k}`, got.get(k)!, d, null);
    if (m) errs.push(m);
  }
  return errs;
}

describe("nn layers against PyTorch", () => {
  for (const c of fixture.cases) {
    test(c.name, () => {
      manualSeed(c.seed);
      const m = build(c.ts);
      assert.equal(String(m), c.repr);
      // default initialisation: same seed, same draws as PyTorch
      const errs = compareState("init", m.stateDict(), c.init);
      m.loadStateDict(new Map(c.state.map(([k, d]) => [k, tensorOf(d)])));
      const params = new Map(m.namedParameters());
      c.steps.forEach((s, i) => {
        m.train(s.train);
        const x = tensorOf(s.input).requiresGrad_(true);
        const call = c.call
          ? (new Function("m", "x", `return ${c.call};`) as (m: unknown, x: unknown) => unknown)
          : null;
        const y = call ? call(m, x) : m.call(x);
        const ys = (Array.isArray(y) ? y : [y]) as torch.Tensor[];
        assert.equal(ys.length, s.outputs.length, `${c.name} step ${i}: number of outputs`);
        ys.forEach((t, j) => {
          const e = compareTensor(`step ${i} output ${j}`, t, s.outputs[j]!, null);
          if (e) errs.push(e);
        });
        const diff = ys.filter((t) => t.requiresGrad);
        assert.equal(diff.length, s.cotangents.length, `${c.name} step ${i}: differentiable outputs`);
        let total = diff[0]!.mul(tensorOf(s.cotangents[0]!)).sum();
        for (let j = 1; j < diff.length; j++) total = total.add(diff[j]!.mul(tensorOf(s.cotangents[j]!)).sum());
        const names = s.param_grads.map(([k]) => k);
        assert.deepEqual([...params.keys()], names, `${c.name}: parameter names`);
        const grads = torch.autograd.grad(total, [x, ...names.map((k) => params.get(k)!)], { allowUnused: true });
        const e = compareTensor(`step ${i} input grad`, grads[0]!, s.input_grad, null);
        if (e) errs.push(e);
        s.param_grads.forEach(([k, d], j) => {
          const g = grads[j + 1];
          if (d === null) {
            if (g) errs.push(`step ${i} grad of ${k} should be unused`);
            return;
          }
          const e2 = g ? compareTensor(`step ${i} grad of ${k}`, g, d, null) : `step ${i} grad of ${k} missing`;
          if (e2) errs.push(e2);
        });
      });
      errs.push(...compareState("after steps", m.stateDict(), c.after));
      assert.deepEqual(errs, [], `${c.name}:\n${errs.slice(0, 8).join("\n")}`);
    });
  }
});

describe("nn layers: argument checks", () => {
  test("conv layer settings are checked as in PyTorch", () => {
    assert.throws(() => new torch.nn.Conv2d(3, 4, 3, { groups: 2 }), /in_channels must be divisible by groups/);
    assert.throws(() => new torch.nn.Conv2d(4, 3, 3, { groups: 2 }), /out_channels must be divisible by groups/);
    assert.throws(() => new torch.nn.Conv2d(3, 4, 3, { padding: "same", stride: 2 }), /not supported for strided/);
    assert.throws(
      () => new torch.nn.Conv2d(3, 4, 3, { paddingMode: "mirror" as torch.nn.PaddingMode }),
      /padding_mode must be one of/,
    );
    assert.throws(
      () => new torch.nn.ConvTranspose2d(3, 4, 3, { paddingMode: "reflect" as "zeros" }),
      /Only "zeros" padding mode/,
    );
  });
  test("a conv layer names the shapes when the input has the wrong channels", () => {
    const conv = new torch.nn.Conv2d(3, 8, 3);
    assert.throws(
      () => conv.forward(torch.zeros([1, 4, 5, 5])),
      /Given groups=1, weight of size \[8, 3, 3, 3\], expected input\[1, 4, 5, 5\] to have 3 channels, but got 4 channels instead/,
    );
  });
  test("BatchNorm checks the input's dims", () => {
    assert.throws(
      () => new torch.nn.BatchNorm2d(3).forward(torch.zeros([2, 3, 4])),
      /expected 4D input \(got 3D input\)/,
    );
    assert.throws(() => new torch.nn.BatchNorm1d(3).forward(torch.zeros([2, 3, 4, 4])), /expected 2D or 3D input/);
  });
  test("max pooling with returnIndices gives values and indices; the gradient goes to the single maximum", () => {
    const x = torch.tensor([[[1, 3, 3, 2]]], { dtype: "float64" }).requiresGrad_(true);
    const [v, idx] = new torch.nn.MaxPool1d(2, { stride: 1, returnIndices: true }).forward(x);
    assert.deepEqual(v.tolist(), [[[3, 3, 3]]]);
    assert.deepEqual(idx.tolist(), [[[1, 1, 2]]]);
    v.sum().backward();
    assert.deepEqual(x.grad!.tolist(), [[[0, 2, 1, 0]]]);
  });
});
