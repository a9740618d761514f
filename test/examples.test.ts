// The examples in examples/ run end to end with small settings and do what they claim: the MLP beats
// predicting the mean by far and its checkpoint reloads exactly; the character LSTM's held-out loss
// falls well below what character frequencies alone give, and it samples text from its vocabulary;
// fine-tuning loads PyTorch's checkpoint intact, trains only the new head and saves it as safetensors.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../src/index.js";
import { main as mlpRegression } from "../examples/mlp_regression.js";
import { main as charLm } from "../examples/char_lm.js";
import { main as finetune } from "../examples/finetune.js";

const quiet = () => {};
const dir = mkdtempSync(join(tmpdir(), "torchts-examples-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("mlp_regression: learns the function and its checkpoint reloads exactly", async () => {
  const out = join(dir, "mlp.pt");
  const r = await mlpRegression({ samples: 2000, epochs: 12, batchSize: 16, out, log: quiet });
  const last = r.valLosses.at(-1)!;
  assert.ok(last < 0.1 * r.baseline, `validation MSE ${last} vs ${r.baseline} for predicting the mean`);
  assert.ok(last < r.valLosses[0]! / 2, `validation MSE fell from ${r.valLosses[0]} only to ${last}`);
  assert.ok(r.trainLosses.at(-1)! < r.trainLosses[0]! / 2);
  assert.equal(r.reloadedEqual, true);
  const state = (await torch.load(out)) as Map<string, torch.Tensor>;
  assert.deepEqual([...state.keys()], ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]);
});

test("char_lm: the held-out loss falls below the character-frequency baseline; samples use the vocabulary", async () => {
  const r = await charLm({ steps: 30, evalEvery: 15, prompt: "When ", length: 80, progress: false, log: quiet });
  const [first, last] = [r.valLosses[0]!, r.valLosses.at(-1)!];
  assert.equal(r.valLosses.length, 3); // before training, after steps 15 and 30
  assert.ok(Math.abs(first - Math.log(r.vocab.size)) < 0.2, `untrained loss ${first} should be about ln(V)`);
  assert.ok(last < first - 1, `held-out loss fell from ${first} only to ${last}`);
  assert.ok(last < r.unigram - 0.3, `held-out loss ${last} vs ${r.unigram} for character frequencies alone`);
  assert.equal(r.sample.length, "When ".length + 80);
  assert.ok(r.sample.startsWith("When "));
  const vocab = new Set(r.vocab.chars);
  for (const c of r.sample) assert.ok(vocab.has(c), `sampled ${JSON.stringify(c)}, not in the vocabulary`);
  assert.ok(new Set(r.sample.slice(5)).size > 5, `the sample is degenerate: ${JSON.stringify(r.sample)}`);
});

const PYTORCH_CHECKPOINT = join(import.meta.dirname, "..", "data", "checkpoints", "fmnist_cnn_pytorch.pt");

test("finetune: PyTorch's checkpoint loads intact; only the new head trains; safetensors round-trips", async () => {
  const out = join(dir, "footwear.safetensors");
  const r = await finetune({ from: PYTORCH_CHECKPOINT, trainSize: 640, out, progress: false, log: quiet });
  // tools/gen_finetune_checkpoint.py measured 85.00% in PyTorch on the same 1,000 test images
  assert.ok(Math.abs(r.baseAccuracy - 0.85) <= 0.005, `base accuracy ${r.baseAccuracy}, PyTorch's 0.85`);
  assert.ok(r.afterAccuracy > r.majority + 0.15, `accuracy ${r.afterAccuracy}, majority class ${r.majority}`);
  assert.ok(r.afterAccuracy > r.beforeAccuracy + 0.15);
  assert.equal(r.frozenUnchanged, true);
  assert.equal(r.lastConvChanged, false);
  assert.equal(r.reloadedEqual, true);
  assert.equal(r.metadata.task, "not footwear vs footwear");
  assert.equal(r.metadata.test_accuracy, r.afterAccuracy.toFixed(4));
  const saved = await torch.safetensors.loadFile(out);
  assert.deepEqual(saved.get("7.weight")!.shape, [2, 32 * 7 * 7]);
});

test("finetune --tune-last-conv: the second conv layer trains too, the first stays frozen", async () => {
  const r = await finetune({
    from: PYTORCH_CHECKPOINT,
    trainSize: 128,
    testSize: 100,
    tuneLastConv: true,
    out: join(dir, "footwear2.safetensors"),
    progress: false,
    log: quiet,
  });
  assert.equal(r.frozenUnchanged, true);
  assert.equal(r.lastConvChanged, true);
});
