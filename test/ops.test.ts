// The op-spec suite: every fixture case (outputs and gradients against PyTorch), plus gradcheck and
// gradgradcheck of every differentiable spec. TORCHTS_DEVICE picks the device (default "cpu").

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";
import { compileSpec, gradcheckInputs, loadFixtures, runCase } from "./opspec.js";

const device = process.env.TORCHTS_DEVICE ?? "cpu";

for (const [group, specs] of loadFixtures()) {
  describe(`ops/${group} on ${device}`, () => {
    for (const spec of specs) {
      test(spec.name, () => {
        const errs = spec.cases.flatMap((c) => runCase(spec, c, device));
        assert.deepEqual(errs, [], `${spec.name} (${spec.ts}):\n${errs.slice(0, 8).join("\n")}`);
      });
      if (spec.gradcheck) {
        const inputs = gradcheckInputs(spec, device);
        if (!inputs) continue;
        const fn = compileSpec(spec.ts) as (...a: torch.Tensor[]) => torch.Tensor;
        test(`${spec.name} gradcheck`, () => {
          assert.ok(torch.autograd.gradcheck(fn, inputs));
        });
        if (spec.gradgrad)
          test(`${spec.name} gradgradcheck`, () => {
            assert.ok(torch.autograd.gradgradcheck(fn, inputs));
          });
      }
    }
  });
}
