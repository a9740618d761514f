// Printing: toString() and console.log (util.inspect) of tensors against PyTorch's repr strings in
// test/fixtures/misc.json (written by tools/gen_misc_fixtures.py with PyTorch's default print options),
// plus Python's number formatting (round half to even) that the printer relies on.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inspect, format } from "node:util";
import * as torch from "../src/index.js";
import type { DType } from "../src/index.js";
import { formatFixed, formatSci } from "../src/format.js";
import { decodeValue } from "./opspec.js";

interface ReprCase {
  name: string;
  tensor: { dtype: DType; shape: number[]; data: (number | string)[] };
  make: "leaf" | "mul2" | "mul3" | "sum" | "add1" | null;
  default: DType;
  repr: string;
}
const fx = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "misc.json"), "utf8")) as {
  repr: ReprCase[];
  pyformat: [string, number | string, string][];
};

/** Rebuild the case's tensor from its values, then apply the case's op. */
function build(c: ReprCase): torch.Tensor {
  const { dtype, shape, data } = c.tensor;
  let t =
    data.length === 0 ? torch.zeros(shape, { dtype }) : torch.tensor(data.map(decodeValue), { dtype }).reshape(shape);
  if (c.make === null) return t;
  t = t.requiresGrad_(true);
  switch (c.make) {
    case "leaf":
      return t;
    case "mul2":
      return t.mul(2);
    case "mul3":
      return t.mul(3);
    case "sum":
      return t.sum();
    case "add1":
      return t.add(1);
  }
}

describe("repr matches PyTorch", () => {
  for (const c of fx.repr) {
    test(c.name, () => {
      torch.setDefaultDtype(c.default);
      try {
        const t = build(c);
        assert.equal(t.toString(), c.repr);
        assert.equal(inspect(t), c.repr);
        assert.equal(format("%s", t), c.repr);
        assert.equal(`${String(t)}`, c.repr);
      } finally {
        torch.setDefaultDtype("float32");
      }
    });
  }

  test("console.log prints the repr", () => {
    const cases = ["2d_int", "grad_fn_mul", "summary_2d"].map((n) => fx.repr.find((c) => c.name === n)!);
    const lines: string[] = [];
    const orig = console.log;
    console.log = (...args: unknown[]) => void lines.push(format(...args));
    try {
      for (const c of cases) console.log(build(c));
      console.log("x =", build(cases[0]!));
    } finally {
      console.log = orig;
    }
    assert.deepEqual(lines, [...cases.map((c) => c.repr), `x = ${cases[0]!.repr}`]);
  });

  test("non-contiguous views print their own elements", () => {
    const t = torch.arange(6).view(2, 3).t();
    assert.equal(t.toString(), "tensor([[0, 3],\n        [1, 4],\n        [2, 5]])");
    const s = torch.tensor([1.5, 2, 3.25, 4]).narrow(0, 1, 2);
    assert.equal(s.toString(), "tensor([2.0000, 3.2500])");
  });
});

describe("Python number formatting", () => {
  test("fixed and scientific notation match Python's format() (round half to even, exact binary value)", () => {
    const bad: string[] = [];
    for (const [spec, x, want] of fx.pyformat) {
      const v = decodeValue(x);
      const digits = Number(spec.slice(1, -1));
      const got = spec.endsWith("f") ? formatFixed(v, digits) : formatSci(v, digits);
      if (got !== want) bad.push(`format(${v}, "${spec}"): ${got}, Python ${want}`);
    }
    assert.deepEqual(bad, []);
  });

  test("non-finite values", () => {
    assert.equal(formatFixed(NaN, 4), "nan");
    assert.equal(formatFixed(-Infinity, 0), "-inf");
    assert.equal(formatSci(Infinity, 4), "inf");
  });
});
