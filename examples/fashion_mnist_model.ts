// The README CNN of the main demo (examples/fashion_mnist.ts), in a module of its own so that
// benchmarks, the fine-tuning example and bundles can import it without the demo's entry point.

import * as torch from "../src/index.js";

const { nn } = torch;

/** conv(1->16) relu pool, conv(16->32) relu pool, linear(32*7*7 -> 10). */
export function makeModel(): torch.nn.Module {
  return new nn.Sequential(
    new nn.Conv2d(1, 16, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(16, 32, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(32 * 7 * 7, 10),
  );
}
