// The main demo: train a small CNN on Fashion-MNIST and report test accuracy, with a progress bar,
// then save a checkpoint that Python's torch.load reads.
//
//   npx tsx examples/fashion_mnist.ts                 # the subset embedded in the repo (6,000 / 1,000 images)
//   npx tsx examples/fashion_mnist.ts --full -e 5     # Debian's dataset-fashion-mnist (60,000 / 10,000)
//   npx tsx examples/fashion_mnist.ts --device webgpu # train on the GPU (WebGPU through Dawn)
//
// Options: --full, --data DIR, --epochs/-e N, --batch-size N, --lr X, --out FILE, --device cpu|webgpu.

import { fileURLToPath } from "node:url";
import * as torch from "../src/index.js";
import { makeModel } from "./fashion_mnist_model.js";

const { nn, optim } = torch;
const F = nn.functional;
const { FashionMNIST, DEBIAN_FASHION_MNIST } = torch.vision.datasets;
const T = torch.vision.transforms;

const EMBEDDED = fileURLToPath(new URL("../data/fashion-mnist-subset", import.meta.url));

function arg(names: string[], fallback: string): string {
  const i = process.argv.findIndex((a) => names.includes(a));
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** Fraction of correct predictions of `model` over a loader. */
async function evaluate(
  model: torch.nn.Module,
  loader: torch.utils.data.DataLoader<torch.Tensor[]>,
  device: string,
): Promise<number> {
  model.eval();
  let correct = 0;
  let total = 0;
  await torch.noGrad(async () => {
    for await (const [x, y] of loader) {
      const pred = (model.forward(x!.to(device)) as torch.Tensor).argmax(1);
      correct += await pred.eq(y!.to(device)).sum().itemAsync();
      total += y!.shape[0]!;
    }
  });
  model.train();
  return correct / total;
}

export async function main(): Promise<{ accuracy: number; seconds: number }> {
  const full = process.argv.includes("--full");
  const root = arg(["--data"], full ? DEBIAN_FASHION_MNIST : EMBEDDED);
  const epochs = Number(arg(["--epochs", "-e"], "2"));
  const batchSize = Number(arg(["--batch-size"], "64"));
  const lr = Number(arg(["--lr"], "0.002"));
  const out = arg(["--out"], "fashion_mnist_cnn.pt");
  const device = arg(["--device"], "cpu");
  if (device === "webgpu") await torch.webgpu.init();
  torch.manualSeed(0);

  // mean/std of Fashion-MNIST's training pixels
  const transform = T.Compose([T.ToTensor(), T.Normalize([0.286], [0.353])]) as (img: torch.Tensor) => torch.Tensor;
  const train = await FashionMNIST.load(root, { train: true, transform });
  const test = await FashionMNIST.load(root, { train: false, transform });
  console.log(`Fashion-MNIST from ${root}: ${train.length} training and ${test.length} test images`);
  const trainLoader = new torch.utils.data.DataLoader<torch.Tensor[]>(train, { batchSize, shuffle: true });
  const testLoader = new torch.utils.data.DataLoader<torch.Tensor[]>(test, { batchSize: 500 });

  const model = makeModel().to(device);
  console.log(`${String(model)}\non ${device}`);
  const opt = new optim.Adam(model.parameters(), { lr });
  const start = Date.now();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const bar = new torch.utils.ProgressBar({
      total: trainLoader.length,
      desc: `epoch ${epoch}/${epochs}`,
      unit: "samples",
    });
    let seen = 0;
    let correct = 0;
    let lossSum = 0;
    for await (const [xb, yb] of trainLoader) {
      const x = xb!.to(device);
      const y = yb!.to(device);
      const logits = model.forward(x) as torch.Tensor;
      const loss = F.crossEntropy(logits, y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      const n = y.shape[0]!;
      seen += n;
      lossSum += (await loss.itemAsync()) * n;
      correct += await logits.argmax(1).eq(y).sum().itemAsync();
      bar.setPostfix({ loss: lossSum / seen, acc: `${((100 * correct) / seen).toFixed(1)}%` });
      bar.update(1, n);
    }
    bar.close();
    console.log(`epoch ${epoch}: test accuracy ${(100 * (await evaluate(model, testLoader, device))).toFixed(2)}%`);
  }
  const seconds = (Date.now() - start) / 1000;
  const accuracy = await evaluate(model, testLoader, device);
  console.log(`test accuracy ${(100 * accuracy).toFixed(2)}% after ${epochs} epochs in ${seconds.toFixed(1)} s`);
  await torch.save(model.stateDict(), out);
  console.log(`saved ${out} (load in Python: torch.load("${out}", weights_only=True))`);
  return { accuracy, seconds };
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
