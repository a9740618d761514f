// The sequence layers against PyTorch (fixtures from tools/gen_nn_seq_fixtures.py): RNN, LSTM, GRU and
// their cells, nn.utils.rnn packing, MultiheadAttention and the Transformer family. Each case checks
// the repr, the state-dict keys and default initialisation under the same seed, then, with PyTorch's
// weights loaded, outputs and gradients (inputs and every parameter) in train mode (dropout masks
// reproduced from the same seed) and eval mode. Argument checks and mask helpers follow.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../src/index.js";
import { manualSeed } from "../src/ops/random.js";
import { buildInput, compareTensor, type TensorDesc } from "./opspec.js";

const { nn } = torch;

interface Step {
  train: boolean;
  seed: number;
  inputs: TensorDesc[];
  outputs: TensorDesc[];
  cotangents: TensorDesc[];
  input_grads?: (TensorDesc | null)[];
  param_grads?: [string, TensorDesc | null][];
}
interface SeqCase {
  name: string;
  ts: string | null;
  seed: number;
  call: string;
  repr?: string;
  init?: [string, TensorDesc][];
  state?: [string, TensorDesc][];
  steps: Step[];
}

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "nn_seq.json"), "utf8")) as {
  cases: SeqCase[];
};

const NAMES = ["a", "b", "c", "d", "e", "f", "g", "h"];
const tensorOf = (d: TensorDesc) => buildInput(d, "cpu").leaf;

/** Outputs flattened as the generator does: nested arrays and PackedSequence fields, nulls skipped. */
function flatten(r: unknown): torch.Tensor[] {
  if (r === null || r === undefined) return [];
  if (r instanceof torch.Tensor) return [r];
  if (Array.isArray(r) || r instanceof nn.utils.rnn.PackedSequence)
    return [...(r as Iterable<unknown>)].flatMap(flatten);
  throw new TypeError(`unexpected output ${String(r)}`);
}

function compareState(what: string, got: Map<string, torch.Tensor>, want: [string, TensorDesc][]): string[] {
  assert.deepEqual(
    [...got.keys()],
    want.map(([k]) => k),
    `${what}: state-dict keys`,
  );
  return want.flatMap(([k, d]) => compareTensor(`${what} ${k}`, got.get(k)!, d, null) ?? []);
}

describe("sequence layers against PyTorch", () => {
  for (const c of fixture.cases) {
    test(c.name, () => {
      const errs: string[] = [];
      let m: torch.nn.Module | null = null;
      if (c.ts) {
        manualSeed(c.seed);
        m = new Function("torch", "nn", `return ${c.ts};`)(torch, nn) as torch.nn.Module;
        assert.equal(String(m), c.repr);
        errs.push(...compareState("init", m.stateDict(), c.init!));
        m.loadStateDict(new Map((c.state ?? c.init!).map(([k, d]) => [k, tensorOf(d)])));
      }
      const params = new Map(m ? m.namedParameters() : []);
      const call = new Function("torch", "U", "m", ...NAMES, `return ${c.call};`) as (...a: unknown[]) => unknown;
      c.steps.forEach((s, i) => {
        m?.train(s.train);
        const xs = s.inputs.map(tensorOf);
        manualSeed(s.seed);
        const ys = flatten(call(torch, nn.utils.rnn, m, ...xs));
        assert.equal(ys.length, s.outputs.length, `${c.name} step ${i}: number of outputs`);
        ys.forEach((y, j) => {
          const e = compareTensor(`step ${i} output ${j}`, y, s.outputs[j]!, null);
          if (e) errs.push(e);
        });
        const diff = ys.filter((y) => y.requiresGrad);
        assert.equal(diff.length, s.cotangents.length, `${c.name} step ${i}: differentiable outputs`);
        if (!s.param_grads) return;
        let total = diff[0]!.mul(tensorOf(s.cotangents[0]!)).sum();
        for (let j = 1; j < diff.length; j++) total = total.add(diff[j]!.mul(tensorOf(s.cotangents[j]!)).sum());
        const leaves = xs.filter((x) => x.requiresGrad);
        const names = s.param_grads.map(([k]) => k);
        assert.deepEqual([...params.keys()], names, `${c.name}: parameter names`);
        const grads = torch.autograd.grad(total, [...leaves, ...names.map((k) => params.get(k)!)], {
          allowUnused: true,
        });
        const wants: [string, TensorDesc | null][] = [
          ...s.input_grads!.map((d, j): [string, TensorDesc | null] => [`input ${NAMES[j]}`, d]),
          ...s.param_grads,
        ];
        wants.forEach(([k, d], j) => {
          const g = grads[j];
          if (d === null) {
            if (g) errs.push(`step ${i} grad of ${k} should be unused`);
            return;
          }
          const e = g ? compareTensor(`step ${i} grad of ${k}`, g, d, null) : `step ${i} grad of ${k} missing`;
          if (e) errs.push(e);
        });
      });
      assert.deepEqual(errs, [], `${c.name}:\n${errs.slice(0, 8).join("\n")}`);
    });
  }
});

describe("sequence layers: behaviour and argument checks", () => {
  test("parameter names and shapes follow PyTorch", () => {
    const lstm = new nn.LSTM(3, 5, { numLayers: 2, bidirectional: true, projSize: 2 });
    assert.deepEqual(
      [...lstm.namedParameters()].filter(([k]) => k.endsWith("l1_reverse")).map(([k, p]) => [k, p.shape]),
      [
        ["weight_ih_l1_reverse", [20, 4]],
        ["weight_hh_l1_reverse", [20, 2]],
        ["bias_ih_l1_reverse", [20]],
        ["bias_hh_l1_reverse", [20]],
        ["weight_hr_l1_reverse", [2, 5]],
      ],
    );
    const mha = new nn.MultiheadAttention(8, 2, { kdim: 3, vdim: 5 });
    assert.deepEqual(
      [...mha.namedParameters()].map(([k]) => k),
      ["q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"],
    );
  });

  test("recurrent layers check their arguments as PyTorch does", () => {
    assert.throws(() => new nn.LSTM(3, 4, { projSize: 4 }), /proj_size has to be smaller than hidden_size/);
    assert.throws(() => new nn.GRU(3, 4, { projSize: 2 } as torch.nn.RNNOptions), /only supported for LSTM/);
    assert.throws(() => new nn.RNN(3, 4, { nonlinearity: "sigmoid" as "tanh" }), /Unknown nonlinearity/);
    assert.throws(() => new nn.RNN(3, 4, { dropout: 1.5 }), /dropout should be a number in range/);
    const rnn = new nn.GRU(3, 4, 2);
    assert.throws(
      () => rnn.forward(torch.zeros([5, 2, 2])),
      /input.size\(-1\) must be equal to input_size. Expected 3, got 2/,
    );
    assert.throws(
      () => rnn.forward(torch.zeros([5, 2, 3]), torch.zeros([1, 2, 4])),
      /Expected hidden size \[2, 2, 4\], got \[1, 2, 4\]/,
    );
    assert.throws(() => rnn.forward(torch.zeros([5, 2, 3]), torch.zeros([2, 4])), /hx should also be 3-D/);
    const lstm = new nn.LSTM(3, 4);
    assert.throws(
      () => lstm.forward(torch.zeros([5, 2, 3]), [torch.zeros([1, 2, 4]), torch.zeros([1, 3, 4])]),
      /Expected hidden\[1\] size \[1, 2, 4\], got \[1, 3, 4\]/,
    );
  });

  test("packPaddedSequence checks lengths; packing round-trips", () => {
    const U = nn.utils.rnn;
    const x = torch.randn([4, 3, 2]);
    assert.throws(() => U.packPaddedSequence(x, [2, 4, 1]), /must be sorted in decreasing order/);
    assert.throws(() => U.packPaddedSequence(x, [4, 0, 0], false, false), /greater than 0/);
    const p = U.packPaddedSequence(x, [2, 4, 1], false, false);
    assert.deepEqual(p.batchSizes.tolist(), [3, 2, 1, 1]);
    assert.deepEqual(p.sortedIndices!.tolist(), [1, 0, 2]);
    assert.deepEqual(p.unsortedIndices!.tolist(), [1, 0, 2]);
    const [padded, lengths] = U.padPackedSequence(p);
    assert.deepEqual(lengths.tolist(), [2, 4, 1]);
    // valid steps come back, padding is zero
    assert.deepEqual(padded.narrow(0, 0, 2).select(1, 0).tolist(), x.narrow(0, 0, 2).select(1, 0).tolist());
    assert.deepEqual(padded.narrow(0, 2, 2).select(1, 0).tolist(), [
      [0, 0],
      [0, 0],
    ]);
    assert.throws(() => U.padPackedSequence(p, false, 0, 3), /total_length to be at least/);
    const seqs = U.unpackSequence(U.packSequence([torch.ones([2, 1]), torch.ones([3, 1])], false));
    assert.deepEqual(
      seqs.map((s) => s.shape),
      [
        [2, 1],
        [3, 1],
      ],
    );
  });

  test("scaledDotProductAttention: masks, causal, scale", () => {
    const F = nn.functional;
    manualSeed(0);
    const [q, k, v] = [torch.randn([2, 3, 4]), torch.randn([2, 5, 4]), torch.randn([2, 5, 6])];
    const ref = (mask: torch.Tensor | null, scale = 0.5) => {
      let s = q.matmul(k.transpose(-2, -1)).mul(scale);
      if (mask) s = s.add(mask);
      return F.softmax(s, -1).matmul(v);
    };
    const close = (a: torch.Tensor, b: torch.Tensor) => assert.ok(torch.allclose(a, b, { rtol: 1e-5, atol: 1e-6 }));
    close(F.scaledDotProductAttention(q, k, v), ref(null));
    const bool = torch.tensor([[true, false, true, true, false]]);
    const additive = torch.tensor([[0, -Infinity, 0, 0, -Infinity]]);
    close(F.scaledDotProductAttention(q, k, v, { attnMask: bool }), ref(additive));
    close(F.scaledDotProductAttention(q, k, v, { attnMask: additive, scale: 0.1 }), ref(additive, 0.1));
    const causal = torch.triu(torch.full([3, 5], -Infinity), 1);
    close(F.scaledDotProductAttention(q, k, v, { isCausal: true }), ref(causal));
    assert.throws(() => F.scaledDotProductAttention(q, k, v, { isCausal: true, attnMask: bool }), /should not be set/);
  });

  test("generateSquareSubsequentMask", () => {
    assert.deepEqual(nn.Transformer.generateSquareSubsequentMask(3).tolist(), [
      [0, -Infinity, -Infinity],
      [0, 0, -Infinity],
      [0, 0, 0],
    ]);
  });

  test("TransformerEncoder layers are independent copies", () => {
    const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8 }), 2);
    const [l0, l1] = [...enc.layers] as torch.nn.TransformerEncoderLayer[];
    assert.ok(torch.equal(l0!.linear1.weight, l1!.linear1.weight));
    assert.notEqual(l0!.linear1.weight, l1!.linear1.weight);
    torch.noGrad(() => l0!.linear1.weight.add_(1));
    assert.ok(!torch.equal(l0!.linear1.weight, l1!.linear1.weight));
    assert.equal(enc.parameters().length, 2 * l0!.parameters().length);
  });
});
