// The models the benchmarks train and run: the MLP and the README CNN (the demo's model).

import * as torch from "../src/index.js";
export { makeModel as makeCnn } from "../examples/fashion_mnist_model.js";

const { nn } = torch;

/** The MLP of the issue: 784-256-256-10 with ReLU. */
export function makeMlp(): torch.nn.Module {
  return new nn.Sequential(
    new nn.Linear(784, 256),
    new nn.ReLU(),
    new nn.Linear(256, 256),
    new nn.ReLU(),
    new nn.Linear(256, 10),
  );
}
