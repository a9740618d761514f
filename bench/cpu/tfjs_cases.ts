// The TensorFlow.js contenders of the CPU benchmark (backends "cpu" and "wasm", 4.22): each case in
// tfjs-core ops without tf.layers, the way TF.js code writes it: NHWC images, variables initialised
// with PyTorch's default bounds (uniform +-1/sqrt(fan_in)), gradients by tf.variableGrads through an
// optimizer's minimize (tf.train.momentum for SGD with momentum, tf.train.adam), every call in
// tf.tidy so intermediate tensors are freed as PyTorch frees them. Cases a backend lacks a kernel for
// throw "Kernel ... not registered", which the driver reports as n/a.

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import type { CaseSpec } from "./cases.js";
import { loadTrain } from "./fashion_data.js";
import { registerTfjsGradients } from "./tfjs_gradients.js";
import type { PreparedCase } from "./torchts_cases.js";

let seed = 0;

/** A variable of `shape` uniform in +-1/sqrt(fanIn) (PyTorch's default Linear/Conv2d bounds). */
function param(shape: number[], fanIn: number): tf.Variable {
  const bound = 1 / Math.sqrt(fanIn);
  return tf.variable(tf.randomUniform(shape, -bound, bound, "float32", seed++));
}

interface Model {
  readonly vars: tf.Variable[];
  readonly forward: (x: tf.Tensor) => tf.Tensor;
}

/** 784-256-256-10 with ReLU. */
function mlp(): Model {
  const sizes = [784, 256, 256, 10];
  const ws = sizes.slice(1).map((o, i) => param([sizes[i]!, o], sizes[i]!));
  const bs = sizes.slice(1).map((o, i) => param([o], sizes[i]!));
  const forward = (x: tf.Tensor) => {
    let h = x as tf.Tensor2D;
    for (let i = 0; i < ws.length; i++) {
      h = tf.add(tf.matMul(h, ws[i]!), bs[i]!);
      if (i < ws.length - 1) h = tf.relu(h);
    }
    return h;
  };
  return { vars: [...ws, ...bs], forward };
}

/** The README CNN in NHWC: conv(1->16) relu pool, conv(16->32) relu pool, linear(32*7*7 -> 10). */
function cnn(): Model {
  const w1 = param([3, 3, 1, 16], 9);
  const b1 = param([16], 9);
  const w2 = param([3, 3, 16, 32], 144);
  const b2 = param([32], 144);
  const w3 = param([32 * 7 * 7, 10], 32 * 7 * 7);
  const b3 = param([10], 32 * 7 * 7);
  const block = (h: tf.Tensor4D, w: tf.Variable, b: tf.Variable) =>
    tf.maxPool(tf.relu(tf.add(tf.conv2d(h, w as tf.Tensor4D, 1, "same"), b)) as tf.Tensor4D, 2, 2, "valid");
  const forward = (x: tf.Tensor) => {
    const h = block(block(x as tf.Tensor4D, w1, b1), w2, b2);
    return tf.add(tf.matMul(tf.reshape(h, [h.shape[0], 32 * 7 * 7]), w3), b3);
  };
  return { vars: [w1, b1, w2, b2, w3, b3], forward };
}

function inputShape(model: "mlp" | "cnn", batch: number): number[] {
  return model === "mlp" ? [batch, 784] : [batch, 28, 28, 1];
}

/** Mean softmax cross-entropy of `logits` against one-hot labels. */
function loss(model: Model, x: tf.Tensor, yOneHot: tf.Tensor): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(yOneHot, model.forward(x)) as tf.Scalar;
}

/** One training step: loss, gradients of the variables, optimizer update. */
function trainStep(model: Model, opt: tf.Optimizer, x: tf.Tensor, y: tf.Tensor): void {
  opt.minimize(() => loss(model, x, y), false, model.vars);
}

/** Selects the TF.js backend ("cpu" or "wasm"; wasm runs 1 thread in Node, see the README section). */
export async function useTfjsBackend(name: "cpu" | "wasm"): Promise<{ backend: string; version: string }> {
  if (!(await tf.setBackend(name))) throw new Error(`tfjs: backend ${name} failed to initialise`);
  await tf.ready();
  await registerTfjsGradients();
  tf.enableProdMode(); // skips TF.js's debug checks, as a tuned TF.js program would
  return { backend: tf.getBackend(), version: tf.version_core };
}

/** Builds `spec` with TF.js on the current backend. */
export function prepareTfjs(spec: CaseSpec): PreparedCase {
  seed = 0;
  const tidy = (f: () => tf.TensorContainer) => () => tf.dispose(tf.tidy(f));
  switch (spec.kind) {
    case "matmul": {
      const a = tf.randomNormal([spec.n, spec.n], 0, 1, "float32", 1);
      const b = tf.randomNormal([spec.n, spec.n], 0, 1, "float32", 2);
      return { step: tidy(() => tf.matMul(a, b)), calls: 1 };
    }
    case "conv": {
      const w1 = param([3, 3, 1, 32], 9);
      const b1 = param([32], 9);
      const w2 = param([3, 3, 32, 64], 288);
      const b2 = param([64], 288);
      const x = tf.randomNormal([spec.batch, spec.size, spec.size, 1], 0, 1, "float32", 3) as tf.Tensor4D;
      const forward = () => {
        const h = tf.relu(tf.add(tf.conv2d(x, w1 as tf.Tensor4D, 1, "same"), b1)) as tf.Tensor4D;
        return tf.add(tf.conv2d(h, w2 as tf.Tensor4D, 1, "same"), b2);
      };
      if (!spec.backward) return { step: tidy(forward), calls: 1 };
      const vars = [w1, b1, w2, b2];
      return { step: tidy(() => tf.variableGrads(() => tf.sum(forward()) as tf.Scalar, vars).grads), calls: 1 };
    }
    case "train": {
      const model = spec.model === "mlp" ? mlp() : cnn();
      const opt = spec.optim === "sgd" ? tf.train.momentum(0.01, 0.9) : tf.train.adam(1e-3);
      const x = tf.randomNormal(inputShape(spec.model, spec.batch), 0, 1, "float32", 4);
      const y = tf.oneHot(tf.randomUniform([spec.batch], 0, 10, "int32", 5), 10);
      return { step: () => trainStep(model, opt, x, y), calls: 1 };
    }
    case "chain": {
      const x = tf.randomNormal([spec.n], 0, 1, "float32", 6);
      const w = tf.randomNormal([spec.n], 0, 1, "float32", 7);
      const b = tf.randomNormal([spec.n], 0, 1, "float32", 8);
      return { step: tidy(() => tf.relu(tf.add(tf.mul(x, w), b))), calls: 1 };
    }
    case "add": {
      const a = tf.randomNormal([spec.n], 0, 1, "float32", 9);
      const b = tf.randomNormal([spec.n], 0, 1, "float32", 10);
      const calls = spec.calls;
      return {
        step: () => {
          for (let i = 0; i < calls; i++) tf.add(a, b).dispose();
        },
        calls,
      };
    }
    case "infer": {
      const model = spec.model === "mlp" ? mlp() : cnn();
      const x = tf.randomNormal(inputShape(spec.model, spec.batch), 0, 1, "float32", 11);
      return { step: tidy(() => model.forward(x)), calls: 1 };
    }
    case "epoch": {
      const data = loadTrain(spec.dir, spec.images);
      const images = tf.tensor4d(data.images, [data.count, 28, 28, 1]);
      const labels = tf.oneHot(tf.tensor1d(data.labels, "int32"), 10);
      const model = cnn();
      const opt = tf.train.adam(0.002);
      const batch = spec.batch;
      const x0 = tf.slice(images, 0, batch);
      const y0 = tf.slice(labels, 0, batch);
      for (let i = 0; i < 3; i++) trainStep(model, opt, x0, y0);
      const epoch = () => {
        const order = tf.util.createShuffledIndices(data.count);
        for (let s = 0; s < data.count; s += batch) {
          const idx = tf.tensor1d(Int32Array.from(order.subarray(s, s + batch)), "int32");
          const [x, y] = [tf.gather(images, idx), tf.gather(labels, idx)];
          trainStep(model, opt, x, y);
          tf.dispose([idx, x, y]);
        }
      };
      return { step: epoch, calls: 1 };
    }
  }
}
