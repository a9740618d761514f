// Golden models against PyTorch (fixtures from tools/gen_golden_fixtures.py): an MLP, a CNN with
// BatchNorm and Dropout, a two-layer LSTM language model and a two-layer TransformerEncoder language
// model. Weights come from PyTorch's torch.save(state_dict) files, loaded with torch.load and
// loadStateDict; in training mode (dropout active, masks reproduced from the same seed) torchts must
// give PyTorch's logits, loss, gradients and BatchNorm statistics, and after 3 steps of SGD with
// momentum and of AdamW, PyTorch's losses and state dict (the optimizers' settings are in the
// fixtures; see the generator for the transformer's AdamW eps). Tolerances: PyTorch's assert_close
// defaults for float32 (rtol 1.3e-6, atol 1e-5).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../src/index.js";
import { manualSeed } from "../src/ops/random.js";
import { buildInput, compareTensor, type TensorDesc } from "./opspec.js";

const { nn, optim } = torch;
const F = nn.functional;
type Tensor = torch.Tensor;

const DIR = join(import.meta.dirname, "fixtures", "golden");

interface Golden {
  name: string;
  repr: string;
  x: TensorDesc;
  y: TensorDesc;
  seed: number;
  logits: TensorDesc;
  loss: number;
  grads: [string, TensorDesc][];
  after_forward: [string, TensorDesc][];
  optimizers: Record<string, { optimizer: string; kwargs: Record<string, number>; seeds: number[]; losses: number[] }>;
}

/** Embedding -> 2-layer LSTM (dropout between layers) -> per-step logits, as in the generator. */
class CharLSTM extends nn.Module {
  emb: torch.nn.Embedding;
  lstm: torch.nn.LSTM;
  head: torch.nn.Linear;
  constructor(vocab: number, dim: number, hidden: number) {
    super();
    this.emb = new nn.Embedding(vocab, dim);
    this.lstm = new nn.LSTM(dim, hidden, { numLayers: 2, dropout: 0.2, batchFirst: true });
    this.head = new nn.Linear(hidden, vocab);
  }
  override forward(x: Tensor): Tensor {
    const [y] = this.lstm.forward(this.emb.forward(x));
    return this.head.forward(y);
  }
}

/** Embedding + learned positions -> 2-layer causal TransformerEncoder -> per-step logits. */
class TinyTransformer extends nn.Module {
  emb: torch.nn.Embedding;
  pos: torch.nn.Parameter;
  encoder: torch.nn.TransformerEncoder;
  head: torch.nn.Linear;
  constructor(vocab: number, dim: number, heads: number, ff: number, seq: number) {
    super();
    this.emb = new nn.Embedding(vocab, dim);
    this.pos = new nn.Parameter(torch.randn([seq, dim]).mul(0.1));
    const layer = new nn.TransformerEncoderLayer(dim, heads, { dimFeedforward: ff, dropout: 0.1, batchFirst: true });
    this.encoder = new nn.TransformerEncoder(layer, 2);
    this.head = new nn.Linear(dim, vocab);
  }
  override forward(x: Tensor): Tensor {
    const t = x.shape[1]!;
    const mask = nn.Transformer.generateSquareSubsequentMask(t);
    const h = this.emb.forward(x).add(this.pos.narrow(0, 0, t));
    return this.head.forward(this.encoder.forward(h, { mask }));
  }
}

const tokensLoss = (logits: Tensor, y: Tensor) =>
  F.crossEntropy(logits.reshape([-1, logits.shape[logits.ndim - 1]!]), y.reshape([-1]));

const MODELS: Record<string, { build: () => torch.nn.Module; loss: (o: Tensor, y: Tensor) => Tensor }> = {
  mlp: {
    build: () =>
      new nn.Sequential(new nn.Linear(6, 8), new nn.ReLU(), new nn.Linear(8, 8), new nn.Tanh(), new nn.Linear(8, 3)),
    loss: (o, y) => F.crossEntropy(o, y),
  },
  cnn: {
    build: () =>
      new nn.Sequential(
        new nn.Conv2d(1, 4, 3, { padding: 1, bias: false }),
        new nn.BatchNorm2d(4),
        new nn.ReLU(),
        new nn.MaxPool2d(2),
        new nn.Dropout(0.25),
        new nn.Conv2d(4, 6, 3, { bias: false }),
        new nn.BatchNorm2d(6),
        new nn.ReLU(),
        new nn.Flatten(),
        new nn.Dropout(0.5),
        new nn.Linear(24, 3),
      ),
    loss: (o, y) => F.crossEntropy(o, y),
  },
  lstm: { build: () => new CharLSTM(10, 6, 8), loss: tokensLoss },
  transformer: { build: () => new TinyTransformer(10, 8, 2, 16, 6), loss: tokensLoss },
};

/** The optimizer of a fixture run, its keyword arguments in camelCase (weight_decay -> weightDecay). */
function makeOptimizer(cls: string, kwargs: Record<string, number>, params: torch.nn.Parameter[]) {
  const opts = Object.fromEntries(
    Object.entries(kwargs).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]),
  );
  if (cls === "SGD") return new optim.SGD(params, opts);
  if (cls === "AdamW") return new optim.AdamW(params, opts);
  throw new Error(`unknown optimizer ${cls}`);
}

const tensorOf = (d: TensorDesc) => buildInput(d, "cpu").leaf;
const loadState = async (file: string) => (await torch.load(join(DIR, file))) as Map<string, Tensor>;
/** |got - want| <= atol + rtol |want| with float32's assert_close defaults. */
const closeScalar = (got: number, want: number) => Math.abs(got - want) <= 1e-5 + 1.3e-6 * Math.abs(want);

function compareStates(what: string, got: Map<string, Tensor>, want: Map<string, Tensor> | [string, TensorDesc][]) {
  const wantKeys = want instanceof Map ? [...want.keys()] : want.map(([k]) => k);
  assert.deepEqual([...got.keys()], wantKeys, `${what}: state-dict keys`);
  const errs: string[] = [];
  for (const [k, w] of want instanceof Map ? want : new Map(want)) {
    const d: TensorDesc =
      w instanceof torch.Tensor ? { dtype: w.dtype, shape: [...w.shape], data: Array.from(w.dataSync()) } : w;
    const e = compareTensor(`${what} ${k}`, got.get(k)!, d, null);
    if (e) errs.push(e);
  }
  return errs;
}

describe("golden models against PyTorch", () => {
  for (const name of Object.keys(MODELS)) {
    const fx = JSON.parse(readFileSync(join(DIR, `${name}.json`), "utf8")) as Golden;
    const { build, loss: lossFn } = MODELS[name]!;
    const x = tensorOf(fx.x);
    const y = tensorOf(fx.y);

    /** A fresh model with PyTorch's initial weights, in training mode. */
    const fresh = async () => {
      const m = build();
      const res = m.loadStateDict(await loadState(`${name}.pt`));
      assert.deepEqual(res, { missingKeys: [], unexpectedKeys: [] });
      return m.train();
    };

    test(`${name}: logits, loss, gradients`, async () => {
      const m = await fresh();
      assert.equal(String(m), fx.repr);
      manualSeed(fx.seed);
      const logits = m.forward(x) as Tensor;
      const loss = lossFn(logits, y);
      loss.backward();
      const errs: string[] = [];
      const e = compareTensor("logits", logits, fx.logits, null);
      if (e) errs.push(e);
      if (!closeScalar(loss.item(), fx.loss)) errs.push(`loss ${loss.item()}, expected ${fx.loss}`);
      const params = new Map(m.namedParameters());
      assert.deepEqual(
        [...params.keys()],
        fx.grads.map(([k]) => k),
        "parameter names",
      );
      for (const [k, d] of fx.grads) {
        const g = params.get(k)!.grad;
        const e2 = g ? compareTensor(`grad of ${k}`, g, d, null) : `grad of ${k} missing`;
        if (e2) errs.push(e2);
      }
      errs.push(...compareStates("state after forward", m.stateDict(), fx.after_forward));
      assert.deepEqual(errs, [], `${name}:\n${errs.slice(0, 8).join("\n")}`);
    });

    for (const [optName, run] of Object.entries(fx.optimizers)) {
      test(`${name}: 3 steps of ${run.optimizer} ${JSON.stringify(run.kwargs)}`, async () => {
        const m = await fresh();
        const opt = makeOptimizer(run.optimizer, run.kwargs, m.parameters());
        const errs: string[] = [];
        run.seeds.forEach((seed, i) => {
          opt.zeroGrad();
          manualSeed(seed);
          const loss = lossFn(m.forward(x) as Tensor, y);
          loss.backward();
          opt.step();
          if (!closeScalar(loss.item(), run.losses[i]!))
            errs.push(`step ${i}: loss ${loss.item()}, expected ${run.losses[i]}`);
        });
        errs.push(...compareStates("after 3 steps", m.stateDict(), await loadState(`${name}_${optName}.pt`)));
        assert.deepEqual(errs, [], `${name} ${optName}:\n${errs.slice(0, 8).join("\n")}`);
      });
    }
  }
});
