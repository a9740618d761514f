// Regression with a small MLP: learn y = sin(2 x0) cos(x1) + 0.3 x2^2 - 0.5 x0 x3 (plus a little noise)
// from 4 inputs. Shows the everyday training loop: data from a seeded generator, a TensorDataset split
// into training and validation sets with randomSplit, DataLoaders, MSE loss, Adam with a cosine learning
// rate schedule, and a checkpoint saved with torch.save and loaded back into a fresh model, which must
// predict exactly what the trained one does.
//
//   npx tsx examples/mlp_regression.ts                  # 3,000 samples, 40 epochs (about 10 s)
//   npx tsx examples/mlp_regression.ts -e 60 --lr 0.005
//
// Options: --samples N, --epochs/-e N, --batch-size N, --lr X, --seed N, --out FILE.
// Not shown here: GPU devices, mixed precision, early stopping.

import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as torch from "../src/index.js";

const { nn, optim } = torch;
const F = nn.functional;
const { TensorDataset, DataLoader, randomSplit } = torch.utils.data;

/** Settings of a run; every field has a default. */
export interface MlpRegressionOptions {
  samples?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  /** Where the checkpoint goes (default: mlp_regression.pt in the OS temp directory). */
  out?: string;
  log?: (line: string) => void;
}

/** The function to learn, for x of shape (N, 4): (N, 1). */
export function target(x: torch.Tensor): torch.Tensor {
  const [x0, x1, x2, x3] = x.unbind(1) as [torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor];
  return x0.mul(2).sin().mul(x1.cos()).add(x2.pow(2).mul(0.3)).sub(x0.mul(x3).mul(0.5)).unsqueeze(1);
}

/** 4 -> 64 -> 64 -> 1 with SiLU activations. */
export function makeModel(): torch.nn.Module {
  return new nn.Sequential(
    new nn.Linear(4, 64),
    new nn.SiLU(),
    new nn.Linear(64, 64),
    new nn.SiLU(),
    new nn.Linear(64, 1),
  );
}

/** Mean squared error of `model` over a loader. */
async function meanLoss(model: torch.nn.Module, loader: torch.utils.data.DataLoader<torch.Tensor[]>): Promise<number> {
  let sum = 0;
  let n = 0;
  await torch.noGrad(async () => {
    for await (const [x, y] of loader) {
      const loss = F.mseLoss(model.forward(x!) as torch.Tensor, y!, { reduction: "sum" });
      sum += loss.item();
      n += y!.shape[0]!;
    }
  });
  return sum / n;
}

export async function main(opts: MlpRegressionOptions = {}) {
  const samples = opts.samples ?? 3000;
  const epochs = opts.epochs ?? 40;
  const batchSize = opts.batchSize ?? 64;
  const lr = opts.lr ?? 0.01;
  const seed = opts.seed ?? 0;
  const out = opts.out ?? join(tmpdir(), "mlp_regression.pt");
  const log = opts.log ?? console.log;
  torch.manualSeed(seed); // weight init and dropout use the global generator

  // data: inputs uniform in [-2, 2)^4, targets with Gaussian noise of std 0.05
  const gen = new torch.Generator().manualSeed(seed);
  const x = torch.rand([samples, 4], { generator: gen }).mul(4).sub(2);
  const y = target(x).add(torch.randn([samples, 1], { generator: gen }).mul(0.05));
  const [trainSet, valSet] = randomSplit(new TensorDataset(x, y), [0.8, 0.2], gen);
  const trainLoader = new DataLoader<torch.Tensor[]>(trainSet!, { batchSize, shuffle: true, generator: gen });
  const valLoader = new DataLoader<torch.Tensor[]>(valSet!, { batchSize: 500 });
  // predicting the mean of y scores its variance: the loss to beat
  const valY = torch.stack(valSet!.indices.map((i) => y.select(0, i)));
  const baseline = valY.var(null, { correction: 0 }).item();
  log(
    `${trainSet!.length} training and ${valSet!.length} validation samples; predicting the mean scores ${baseline.toFixed(4)}`,
  );

  const model = makeModel();
  const opt = new optim.Adam(model.parameters(), { lr });
  const sched = new optim.lrScheduler.CosineAnnealingLR(opt, epochs, { etaMin: lr / 100 });
  const trainLosses: number[] = [];
  const valLosses: number[] = [];
  const start = Date.now();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    let sum = 0;
    let n = 0;
    for await (const [xb, yb] of trainLoader) {
      const loss = F.mseLoss(model.forward(xb!) as torch.Tensor, yb!);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      sum += loss.item() * yb!.shape[0]!;
      n += yb!.shape[0]!;
    }
    const lrNow = sched.getLastLr()[0]!;
    sched.step();
    trainLosses.push(sum / n);
    valLosses.push(await meanLoss(model, valLoader));
    log(
      `epoch ${String(epoch).padStart(3)}: train MSE ${(sum / n).toFixed(5)}, validation MSE ${valLosses.at(-1)!.toFixed(5)}, lr ${lrNow.toExponential(2)}`,
    );
  }
  const seconds = (Date.now() - start) / 1000;
  log(
    `trained in ${seconds.toFixed(1)} s: validation MSE ${valLosses.at(-1)!.toFixed(5)} (mean predictor: ${baseline.toFixed(4)})`,
  );

  // save, then load into a fresh model: same predictions, bit for bit
  await torch.save(model.stateDict(), out);
  const restored = makeModel();
  restored.loadStateDict((await torch.load(out)) as Map<string, torch.Tensor>);
  const valX = torch.stack(valSet!.indices.map((i) => x.select(0, i)));
  const [before, after] = torch.noGrad(() => [model.forward(valX), restored.forward(valX)] as torch.Tensor[]);
  const reloadedEqual = torch.equal(before!, after!);
  log(`saved ${out}; the reloaded model's predictions ${reloadedEqual ? "are identical" : "DIFFER"}`);
  return { baseline, trainLosses, valLosses, reloadedEqual, seconds, out };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: a } = parseArgs({
    options: {
      samples: { type: "string" },
      epochs: { type: "string", short: "e" },
      "batch-size": { type: "string" },
      lr: { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
    },
  });
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  await main({
    samples: num(a.samples),
    epochs: num(a.epochs),
    batchSize: num(a["batch-size"]),
    lr: num(a.lr),
    seed: num(a.seed),
    out: a.out,
  });
}
