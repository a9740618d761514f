// The torchts contender of the CPU benchmark: each case written with torchts's public API the way a
// PyTorch user writes it (nn.Sequential, optim.SGD/Adam, F.crossEntropy, noGrad), seeded like
// bench/cpu/torch_cases.py so both start from the same weights and inputs. Which kernels run (native
// addon or TypeScript) is chosen by TORCHTS_KERNELS in the process environment.

import * as torch from "../../src/index.js";
import { makeCnn, makeMlp } from "../models.js";
import type { CaseSpec } from "./cases.js";
import { loadTrain } from "./fashion_data.js";

const { nn, optim } = torch;
const F = nn.functional;
type Tensor = torch.Tensor;

/** A prepared case: `step()` runs `calls` operations of it. */
export interface PreparedCase {
  readonly step: () => unknown;
  readonly calls: number;
}

function makeModel(model: "mlp" | "cnn"): torch.nn.Module {
  return model === "mlp" ? makeMlp() : makeCnn();
}

function inputShape(model: "mlp" | "cnn", batch: number): number[] {
  return model === "mlp" ? [batch, 784] : [batch, 1, 28, 28];
}

function makeOptimizer(kind: "sgd" | "adam", params: Iterable<torch.nn.Parameter>): torch.optim.Optimizer {
  return kind === "sgd" ? new optim.SGD(params, { lr: 0.01, momentum: 0.9 }) : new optim.Adam(params, { lr: 1e-3 });
}

/** One training step: forward, cross-entropy, zero_grad, backward, optimizer step. */
function trainStep(model: torch.nn.Module, opt: torch.optim.Optimizer, x: Tensor, y: Tensor): Tensor {
  const loss = F.crossEntropy(model.forward(x) as Tensor, y);
  opt.zeroGrad();
  loss.backward();
  opt.step();
  return loss;
}

/** Builds `spec` with torchts (the global generator seeded with 0 first). */
export async function prepareTorchts(spec: CaseSpec): Promise<PreparedCase> {
  torch.manualSeed(0);
  switch (spec.kind) {
    case "matmul": {
      const a = torch.randn([spec.n, spec.n]);
      const b = torch.randn([spec.n, spec.n]);
      return { step: () => torch.matmul(a, b), calls: 1 };
    }
    case "conv": {
      const conv1 = new nn.Conv2d(1, 32, 3, { padding: 1 });
      const conv2 = new nn.Conv2d(32, 64, 3, { padding: 1 });
      const x = torch.randn([spec.batch, 1, spec.size, spec.size]);
      const forward = () => conv2.forward(conv1.forward(x).relu());
      if (!spec.backward) return { step: () => torch.noGrad(forward), calls: 1 };
      return { step: () => forward().sum().backward(), calls: 1 };
    }
    case "train": {
      const model = makeModel(spec.model);
      const opt = makeOptimizer(spec.optim, model.parameters());
      const x = torch.randn(inputShape(spec.model, spec.batch));
      const y = torch.randint(0, 10, [spec.batch]);
      return { step: () => trainStep(model, opt, x, y), calls: 1 };
    }
    case "chain": {
      const x = torch.randn([spec.n]);
      const w = torch.randn([spec.n]);
      const b = torch.randn([spec.n]);
      return { step: () => x.mul(w).add(b).relu(), calls: 1 };
    }
    case "add": {
      const a = torch.randn([spec.n]);
      const b = torch.randn([spec.n]);
      const calls = spec.calls;
      return {
        step: () => {
          for (let i = 0; i < calls; i++) torch.add(a, b);
        },
        calls,
      };
    }
    case "infer": {
      const model = makeModel(spec.model);
      model.eval();
      const x = torch.randn(inputShape(spec.model, spec.batch));
      return { step: () => torch.noGrad(() => model.forward(x)), calls: 1 };
    }
    case "epoch": {
      const data = loadTrain(spec.dir, spec.images);
      const images = torch.tensor(data.images).reshape([data.count, 1, 28, 28]);
      const labels = torch.tensor(data.labels, { dtype: torch.int64 });
      const loader = new torch.utils.data.DataLoader<Tensor[]>(new torch.utils.data.TensorDataset(images, labels), {
        batchSize: spec.batch,
        shuffle: true,
      });
      const model = makeCnn();
      const opt = new optim.Adam(model.parameters(), { lr: 0.002 });
      // warm-up outside the timed epoch: a few steps on the first batch
      const x0 = images.narrow(0, 0, spec.batch);
      const y0 = labels.narrow(0, 0, spec.batch);
      for (let i = 0; i < 3; i++) trainStep(model, opt, x0, y0);
      const epoch = async () => {
        let last: Tensor | null = null;
        for await (const [x, y] of loader) last = trainStep(model, opt, x!, y!);
        return last?.item();
      };
      return { step: epoch, calls: 1 };
    }
  }
}
