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

// ReLU's forward and gradient on float32 edge values, in a contiguous and a strided layout, repeated to
// 1024 elements so that the native kernels take them too (the TS kernels evaluate both on the bit
// patterns). PyTorch: relu(x) = x < 0 ? 0 : x, so NaNs (of either sign) and -0 pass through; the
// gradient is g where relu(x) <= 0 is false (NaN included), else 0.
describe(`relu on float32 edge values on ${device}`, () => {
  const edges = [
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fc00001,
    0xffc00001, 0x00000001, 0x80000001, 0x7f7fffff, 0xff7fffff, 0x00800000, 0x80800000,
  ];
  const n = 64 * edges.length;
  const bits = Uint32Array.from({ length: n }, (_, i) => edges[i % edges.length]!);
  const values = new Float32Array(bits.buffer);
  const expectedRelu = (v: number): number => (v < 0 ? 0 : v);
  const expectedGrad = (v: number): number => (expectedRelu(v) <= 0 ? 0 : 3);
  /** Equal as float32 values, telling -0 from +0 and any NaN equal to any NaN. */
  const same = (a: number, b: number): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
  const show = (v: number): string => (Object.is(v, -0) ? "-0" : String(v));

  for (const layout of ["contiguous", "strided"]) {
    test(layout, async () => {
      // strided: the values run down column 1 of a [n, 3] tensor, so the op's input has stride 3
      const strided = new Uint32Array(3 * n).fill(0x40a00000); // 5
      bits.forEach((b, i) => (strided[3 * i + 1] = b));
      const data = layout === "contiguous" ? values : new Float32Array(strided.buffer);
      const leaf = torch.tensor(data, { dtype: "float32", device });
      // the input must reach the kernel bit for bit (a NaN's sign included), or this test checks less
      const held = await leaf.data();
      assert.deepEqual(
        [...new Uint32Array(held.buffer, held.byteOffset, held.length)],
        [...new Uint32Array(data.buffer)],
      );
      leaf.requiresGrad_(true);
      const x = layout === "contiguous" ? leaf : leaf.reshape([n, 3]).select(1, 1);
      const y = torch.relu(x);
      y.backward(torch.full([n], 3, { dtype: "float32", device }));
      const out = await y.data();
      const grad = await leaf.grad!.data();
      const errs = new Set<string>();
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        const g = layout === "contiguous" ? grad[i]! : grad[3 * i + 1]!;
        const hex = bits[i]!.toString(16);
        if (!same(out[i]!, expectedRelu(v)))
          errs.add(`relu(0x${hex}) = ${show(out[i]!)}, expected ${show(expectedRelu(v))}`);
        if (!same(g, expectedGrad(v))) errs.add(`grad at 0x${hex} = ${g}, expected ${expectedGrad(v)}`);
      }
      assert.deepEqual([...errs], []);
    });
  }
});
