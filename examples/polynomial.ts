// The classic first PyTorch program: fit y = sin(x) with a cubic polynomial by plain gradient descent,
// with autograd computing the gradients. Same program, same seed, same numbers as PyTorch's tutorial
// ("Learning PyTorch with Examples", tensors and autograd). Run: npx tsx examples/polynomial.ts

import * as torch from "../src/index.js";

export function fitPolynomial(steps = 2000, log: (msg: string) => void = console.log) {
  torch.manualSeed(0);
  const dtype = torch.float32;
  const x = torch.linspace(-Math.PI, Math.PI, 2000, { dtype });
  const y = torch.sin(x);

  // random initial weights: y ~ a + b x + c x^2 + d x^3
  const a = torch.randn([], { dtype, requiresGrad: true });
  const b = torch.randn([], { dtype, requiresGrad: true });
  const c = torch.randn([], { dtype, requiresGrad: true });
  const d = torch.randn([], { dtype, requiresGrad: true });

  const learningRate = 1e-6;
  let loss = 0;
  for (let t = 0; t < steps; t++) {
    const yPred = a
      .add(b.mul(x))
      .add(c.mul(x.pow(2)))
      .add(d.mul(x.pow(3)));
    const l = yPred.sub(y).pow(2).sum();
    loss = l.item();
    if (t % 100 === 99) log(`${t} ${loss}`);
    l.backward();
    torch.noGrad(() => {
      for (const p of [a, b, c, d]) {
        p.sub_(p.grad!.mul(learningRate));
        p.grad = null;
      }
    });
  }
  const coef = [a, b, c, d].map((p) => p.item());
  log(`Result: y = ${coef[0]} + ${coef[1]} x + ${coef[2]} x^2 + ${coef[3]} x^3`);
  return { loss, coef };
}

if (import.meta.url === `file://${process.argv[1]}`) fitPolynomial();
