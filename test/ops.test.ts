// The op-spec suite: every fixture case (outputs and gradients against PyTorch), plus gradcheck and
// gradgradcheck of every differentiable spec. TORCHTS_DEVICE picks the device (default "cpu").
// On "webgpu" the cases run with async readback (value errors surface there, as device-side
// asserts), specs whose result shape depends on values run their async form (opspec.ts,
// VALUE_SHAPED), and float64 cases (see skipReason) are skipped and counted; the suite fails when no
// adapter appears.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";
import { compileSpec, gradcheckInputs, loadFixtures, runCase, runCaseAsync, skipReason } from "./opspec.js";

const device = process.env.TORCHTS_DEVICE ?? "cpu";
const webgpu = device === "webgpu";
/** Skipped cases per reason (webgpu). */
const skipped = new Map<string, number>();

if (webgpu) {
  before(async () => {
    await torch.webgpu.init();
  });
  after(() => {
    const total = [...skipped.values()].reduce((a, b) => a + b, 0);
    console.log(`webgpu: skipped ${total} cases`);
    for (const [why, n] of skipped) console.log(`  ${n} ${why}`);
  });
}

for (const [group, specs] of loadFixtures()) {
  describe(`ops/${group} on ${device}`, () => {
    for (const spec of specs) {
      const cases = spec.cases.filter((c) => {
        const why = skipReason(device, c);
        if (why) skipped.set(why, (skipped.get(why) ?? 0) + 1);
        return !why;
      });
      if (webgpu) {
        const skip = cases.length === 0 ? "every case is float64, which WebGPU lacks" : false;
        test(spec.name, { skip }, async () => {
          const errs: string[] = [];
          for (const c of cases) errs.push(...(await runCaseAsync(spec, c, device)));
          assert.deepEqual(errs, [], `${spec.name} (${spec.ts}):\n${errs.slice(0, 8).join("\n")}`);
        });
        if (spec.gradcheck) test(`${spec.name} gradcheck`, { skip: "gradcheck runs in float64, which WebGPU lacks" });
        continue;
      }
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
