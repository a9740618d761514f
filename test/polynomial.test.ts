// The README's first program (examples/polynomial.ts, PyTorch's autograd tutorial) reproduces
// PyTorch's run: same random initial weights, same loss curve, same fitted coefficients.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../src/index.js";
import { fitPolynomial } from "../examples/polynomial.js";

const ref = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "polynomial.json"), "utf8")) as {
  init: number[];
  losses: number[];
  coef: number[];
};

test("the same seed gives PyTorch's initial weights", () => {
  torch.manualSeed(0);
  const init = [0, 1, 2, 3].map(() => torch.randn([], { dtype: "float32" }).item());
  assert.deepEqual(init, ref.init);
});

test("the polynomial fit follows PyTorch's loss curve and coefficients", () => {
  const losses: number[] = [];
  const { coef } = fitPolynomial(2000, (msg) => {
    const m = /^\d+ (.+)$/.exec(msg);
    if (m) losses.push(Number(m[1]));
  });
  assert.equal(losses.length, ref.losses.length);
  // float32 sums over 2000 points are accumulated in a different order than PyTorch's, so the
  // values agree to float32 rounding of those sums, not bit for bit
  losses.forEach((l, i) =>
    assert.ok(Math.abs(l - ref.losses[i]!) <= 1e-5 * Math.abs(ref.losses[i]!), `loss ${i}: ${l} vs ${ref.losses[i]}`),
  );
  coef.forEach((c, i) =>
    assert.ok(Math.abs(c - ref.coef[i]!) <= 1e-5 * Math.abs(ref.coef[i]!), `coef ${i}: ${c} vs ${ref.coef[i]}`),
  );
});
