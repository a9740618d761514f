// Fine-tuning from a checkpoint: take the Fashion-MNIST CNN (10 classes), freeze its convolutional layers,
// replace its classifier with a new 2-class head ("footwear" = sandal, sneaker, ankle boot, vs everything
// else) and train only that head, with its own learning rate in a parameter group. Then save the result
// as safetensors with metadata and check that the file loads back into a fresh model.
//
// The base checkpoint is the one examples/fashion_mnist.ts writes (fashion_mnist_cnn.pt in the current
// directory) when it is there, and otherwise data/checkpoints/fmnist_cnn_pytorch.pt: the same network
// trained and saved by PyTorch (tools/gen_finetune_checkpoint.py), loaded here with torch.load.
//
//   npx tsx examples/finetune.ts                       # 3,000 training images, 1 epoch (about 15 s)
//   npx tsx examples/finetune.ts --tune-last-conv      # also train the second conv layer, at a lower lr
//
// Options: --from FILE, --train-size N, --epochs/-e N, --batch-size N, --lr X (the head's),
// --tune-last-conv, --out FILE.
// Not here: data augmentation, unfreezing in stages, BatchNorm layers (which would also need eval()).

import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as torch from "../src/index.js";
import { makeModel } from "./fashion_mnist_model.js";

const { nn, optim } = torch;
const F = nn.functional;
const T = torch.vision.transforms;
type Tensor = torch.Tensor;
type Loader = torch.utils.data.DataLoader<Tensor[]>;

const EMBEDDED = fileURLToPath(new URL("../data/fashion-mnist-subset", import.meta.url));
const PYTORCH_CHECKPOINT = fileURLToPath(new URL("../data/checkpoints/fmnist_cnn_pytorch.pt", import.meta.url));
/** The new task: Fashion-MNIST class -> 1 for footwear (5 sandal, 7 sneaker, 9 ankle boot), else 0. */
const FOOTWEAR = torch.tensor([0, 0, 0, 0, 0, 1, 0, 1, 0, 1]);
const NEW_CLASSES = ["not footwear", "footwear"];

/** Settings of a run; every field has a default. */
export interface FinetuneOptions {
  /** The base checkpoint (a state dict of examples/fashion_mnist.ts's makeModel()). */
  from?: string;
  /** Training images used (the first N of the embedded 6,000). */
  trainSize?: number;
  /** Test images used (the first N of the embedded 1,000). */
  testSize?: number;
  epochs?: number;
  batchSize?: number;
  /** Learning rate of the new head. */
  lr?: number;
  /** Also train the second conv layer, at lr / 20 (a second parameter group). */
  tuneLastConv?: boolean;
  /** The fine-tuned model, as .safetensors (default: in the OS temp directory). */
  out?: string;
  seed?: number;
  log?: (line: string) => void;
  /** Show a progress bar on stderr (default true). */
  progress?: boolean;
}

/** Fraction of rows where the argmax of `logits` equals `labels`. */
function accuracy(logits: Tensor, labels: Tensor): number {
  return logits.argmax(1).eq(labels).float().mean().item();
}

/** Run `net` over a loader without gradients: its outputs and the labels, concatenated. */
async function outputs(net: torch.nn.Module, loader: Loader): Promise<[Tensor, Tensor]> {
  const outs: Tensor[] = [];
  const labels: Tensor[] = [];
  await torch.noGrad(async () => {
    for await (const [x, y] of loader) {
      outs.push(net.forward(x!) as Tensor);
      labels.push(y!);
    }
  });
  return [torch.cat(outs), torch.cat(labels)];
}

export async function main(opts: FinetuneOptions = {}) {
  const from = opts.from ?? (existsSync("fashion_mnist_cnn.pt") ? "fashion_mnist_cnn.pt" : PYTORCH_CHECKPOINT);
  const trainSize = opts.trainSize ?? 3000;
  const testSize = opts.testSize ?? 1000;
  const epochs = opts.epochs ?? 1;
  const batchSize = opts.batchSize ?? 64;
  const lr = opts.lr ?? 0.003;
  const out = opts.out ?? join(tmpdir(), "fmnist_footwear.safetensors");
  const seed = opts.seed ?? 0;
  const log = opts.log ?? console.log;
  torch.manualSeed(seed);
  const gen = new torch.Generator().manualSeed(seed);

  // the base model, as examples/fashion_mnist.ts trained it
  const base = makeModel();
  const checkpoint = (await torch.load(from)) as Map<string, Tensor>;
  base.loadStateDict(checkpoint);
  log(`loaded ${from} (${[...checkpoint.keys()].join(", ")})`);

  // the same images and preprocessing as examples/fashion_mnist.ts
  const transform = T.Compose([T.ToTensor(), T.Normalize([0.286], [0.353])]) as (img: Tensor) => Tensor;
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  const { FashionMNIST } = torch.vision.datasets;
  const { DataLoader, Subset } = torch.utils.data;
  const trainSet = new Subset(await FashionMNIST.load(EMBEDDED, { train: true, transform }), range(trainSize));
  const testSet = new Subset(await FashionMNIST.load(EMBEDDED, { train: false, transform }), range(testSize));
  const trainLoader = new DataLoader<Tensor[]>(trainSet, { batchSize, shuffle: true, generator: gen });
  const testLoader = new DataLoader<Tensor[]>(testSet, { batchSize: 500 });

  // the new model shares the base's layers up to the flattened features (keys 0.* and 3.* stay as they
  // were) and ends in a new head, 7.* (PyTorch: nn.Sequential(*list(base.children())[:-1], nn.Linear(...)))
  const layers = [...base.children()];
  const features = new nn.Sequential(...layers.slice(0, -1)); // (N, 1, 28, 28) -> (N, 32 * 7 * 7)
  features.requiresGrad_(false);
  const head = new nn.Linear(32 * 7 * 7, NEW_CLASSES.length);
  const model = new nn.Sequential(...layers.slice(0, -1), head);
  const lastConv = layers[3]!; // the second Conv2d
  // one parameter group per part, each with its own lr: the head learns fast; the last conv layer, if
  // tuned at all, slowly (it takes the optimizer's default lr)
  const groups: torch.optim.ParamGroupSpec<{ lr: number }>[] = [{ params: head.parameters(), lr }];
  if (opts.tuneLastConv) {
    lastConv.requiresGrad_(true);
    groups.push({ params: lastConv.parameters() });
  }
  const opt = new optim.AdamW(groups, { lr: lr / 20 });
  const trainable = [...model.parameters()].filter((p) => p.requiresGrad).reduce((n, p) => n + p.numel(), 0);
  const total = [...model.parameters()].reduce((n, p) => n + p.numel(), 0);
  log(`${String(model)}\ntraining ${trainable} of ${total} parameters`);

  // before: the base model on its own 10 classes, and the untrained head on the new task
  const [testFeatures, testLabels] = await outputs(features, testLoader);
  const testTask = FOOTWEAR.indexSelect(0, testLabels);
  const baseAccuracy = torch.noGrad(() => accuracy(layers.at(-1)!.forward(testFeatures) as Tensor, testLabels));
  const beforeAccuracy = torch.noGrad(() => accuracy(head.forward(testFeatures), testTask));
  const majority = Math.max(testTask.float().mean().item(), 1 - testTask.float().mean().item());
  log(`base model, 10 classes: test accuracy ${(100 * baseAccuracy).toFixed(2)}%`);
  log(
    `new head before training, ${NEW_CLASSES.join(" vs ")}: ${(100 * beforeAccuracy).toFixed(2)}% ` +
      `(always answering the larger class: ${(100 * majority).toFixed(2)}%)`,
  );

  const losses: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const bar =
      opts.progress === false
        ? null
        : new torch.utils.ProgressBar({ total: trainLoader.length, desc: `epoch ${epoch}/${epochs}`, unit: "samples" });
    for await (const [x, y] of trainLoader) {
      const loss = F.crossEntropy(model.forward(x!) as Tensor, FOOTWEAR.indexSelect(0, y!));
      opt.zeroGrad();
      loss.backward(); // stops at the frozen layers: they need no gradients
      opt.step();
      losses.push(loss.item());
      bar?.setPostfix({ loss: losses.at(-1)! });
      bar?.update(1, y!.shape[0]!);
    }
    bar?.close();
  }
  const [logits] = await outputs(model, testLoader);
  const afterAccuracy = accuracy(logits, testTask);
  log(
    `after fine-tuning: test accuracy ${(100 * afterAccuracy).toFixed(2)}% (was ${(100 * beforeAccuracy).toFixed(2)}%)`,
  );
  const frozenUnchanged = ["0.weight", "0.bias"].every((k) =>
    torch.equal(model.stateDict().get(k)!, checkpoint.get(k)!),
  );
  const lastConvChanged = !torch.equal(model.stateDict().get("3.weight")!, checkpoint.get("3.weight")!);

  // save with metadata (string to string, as safetensors requires), then read it back into a fresh model
  await torch.safetensors.saveFile(model.stateDict(), out, {
    task: NEW_CLASSES.join(" vs "),
    classes: JSON.stringify(NEW_CLASSES),
    base_checkpoint: basename(from),
    test_accuracy: afterAccuracy.toFixed(4),
  });
  const file = await torch.safetensors.SafeOpen.open(out);
  const metadata = file.metadata;
  await file.close();
  const fresh = new nn.Sequential(...[...makeModel().children()].slice(0, -1), new nn.Linear(32 * 7 * 7, 2));
  fresh.loadStateDict(await torch.safetensors.loadFile(out));
  const probe = new DataLoader<Tensor[]>(new Subset(testSet, range(100)), { batchSize: 100 });
  const reloadedEqual = torch.equal((await outputs(fresh, probe))[0], (await outputs(model, probe))[0]);
  log(
    `saved ${out} with metadata ${JSON.stringify(metadata)}; reloaded into a fresh model: ${reloadedEqual ? "same" : "DIFFERENT"} outputs`,
  );
  return {
    baseAccuracy,
    beforeAccuracy,
    afterAccuracy,
    majority,
    losses,
    frozenUnchanged,
    lastConvChanged,
    metadata,
    reloadedEqual,
    out,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: a } = parseArgs({
    options: {
      from: { type: "string" },
      "train-size": { type: "string" },
      epochs: { type: "string", short: "e" },
      "batch-size": { type: "string" },
      lr: { type: "string" },
      "tune-last-conv": { type: "boolean" },
      out: { type: "string" },
    },
  });
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  await main({
    from: a.from,
    trainSize: num(a["train-size"]),
    epochs: num(a.epochs),
    batchSize: num(a["batch-size"]),
    lr: num(a.lr),
    tuneLastConv: a["tune-last-conv"],
    out: a.out,
  });
}
