// dtypes: PyTorch's promotion table, result_type with 0-dim tensors and JS scalars, float16/bfloat16
// rounding and casts between dtypes, all against PyTorch values in test/fixtures/misc.json
// (written by tools/gen_misc_fixtures.py).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../src/index.js";
import { f16BitsToNumber, numberToF16Bits, resultType, roundBf16, roundF16, type DType } from "../src/dtype.js";
import { decodeValue } from "./opspec.js";

type Operand = { kind: "dim" | "zerodim"; dtype: DType } | { kind: "scalar"; value: number | boolean };
interface Fixtures {
  dtypes: DType[];
  promote: [DType, DType, DType][];
  resultType: { a: Operand; b: Operand; default: DType; dtype: DType }[];
  rounding: Record<"float16" | "bfloat16", { inputs: (number | string)[]; outputs: (number | string)[] }>;
  casts: { from: DType; to: DType; inputs: (number | string)[]; outputs: (number | string)[]; dropped: unknown[] }[];
}
const fx = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "misc.json"), "utf8")) as Fixtures;

/** Same number, with NaN equal to NaN and -0 distinct from 0. */
function same(a: number, b: number): boolean {
  return Object.is(a, b);
}

/** Run `fn` with another default float dtype, restoring float32 afterwards. */
function withDefault<R>(d: DType, fn: () => R): R {
  torch.setDefaultDtype(d);
  try {
    return fn();
  } finally {
    torch.setDefaultDtype("float32");
  }
}

function makeOperand(o: Operand): torch.Tensor | number | boolean {
  if (o.kind === "scalar") return o.value;
  return torch.ones(o.kind === "dim" ? [2] : [], { dtype: o.dtype });
}
function describeOperand(o: Operand): string {
  return o.kind === "scalar" ? `scalar ${String(o.value)}` : `${o.kind} ${o.dtype}`;
}

describe("promotion", () => {
  test("promoteTypes matches torch.promote_types for every pair", () => {
    assert.equal(fx.promote.length, fx.dtypes.length ** 2);
    const bad = fx.promote
      .filter(([a, b, r]) => torch.promoteTypes(a, b) !== r)
      .map(([a, b, r]) => `${a} + ${b}: got ${torch.promoteTypes(a, b)}, PyTorch ${r}`);
    assert.deepEqual(bad, []);
  });

  test("promoteTypes is symmetric", () => {
    for (const a of fx.dtypes)
      for (const b of fx.dtypes) assert.equal(torch.promoteTypes(a, b), torch.promoteTypes(b, a));
  });

  test("result type of add with 0-dim tensors and scalars matches torch.result_type", () => {
    const bad: string[] = [];
    for (const c of fx.resultType) {
      withDefault(c.default, () => {
        const a = makeOperand(c.a) as torch.Tensor;
        const b = makeOperand(c.b);
        const got = torch.add(a, b).dtype;
        const operands = [c.a, c.b].map((o) =>
          o.kind === "scalar"
            ? {
                dtype: (typeof o.value === "boolean"
                  ? "bool"
                  : Number.isInteger(o.value)
                    ? "int64"
                    : "float64") as DType,
                ndim: 0,
                wrapped: true,
              }
            : { dtype: o.dtype, ndim: o.kind === "dim" ? 1 : 0, wrapped: false },
        );
        const rt = resultType(operands);
        if (got !== c.dtype || rt !== c.dtype)
          bad.push(
            `${describeOperand(c.a)} + ${describeOperand(c.b)} (default ${c.default}): add gives ${got}, resultType ${rt}, PyTorch ${c.dtype}`,
          );
      });
    }
    assert.deepEqual(bad, []);
  });

  test("the documented examples", () => {
    // each expected dtype is looked up in PyTorch's table, then checked through a real op
    const lookup = (a: Operand, b: Operand, def: DType = "float32") => {
      const c = fx.resultType.find(
        (r) =>
          JSON.stringify(r.a) === JSON.stringify(a) && JSON.stringify(r.b) === JSON.stringify(b) && r.default === def,
      );
      assert.ok(c, `no fixture for ${describeOperand(a)} and ${describeOperand(b)}`);
      return c.dtype;
    };
    const int64 = torch.tensor([1, 2]);
    assert.equal(lookup({ kind: "dim", dtype: "int64" }, { kind: "scalar", value: 0.5 }), "float32");
    assert.equal(int64.mul(0.5).dtype, "float32");
    assert.equal(
      withDefault("float64", () => int64.mul(0.5).dtype),
      "float64",
    );
    assert.equal(lookup({ kind: "dim", dtype: "int32" }, { kind: "scalar", value: 2 }), "int32");
    assert.equal(torch.tensor([1, 2], { dtype: "int32" }).add(2).dtype, "int32");
    assert.equal(lookup({ kind: "dim", dtype: "bool" }, { kind: "scalar", value: 2 }), "int64");
    assert.equal(torch.tensor([true, false]).add(2).dtype, "int64");
    assert.equal(lookup({ kind: "dim", dtype: "uint8" }, { kind: "zerodim", dtype: "float64" }), "float64");
    const u8f64 = torch.tensor([1, 2], { dtype: "uint8" }).add(torch.tensor(0.5, { dtype: "float64" }));
    assert.equal(u8f64.dtype, "float64");
    assert.deepEqual(u8f64.tolist(), [1.5, 2.5]);
    assert.equal(lookup({ kind: "dim", dtype: "float16" }, { kind: "zerodim", dtype: "float64" }), "float16");
    assert.equal(
      torch.tensor([1, 2], { dtype: "float16" }).mul(torch.tensor(0.5, { dtype: "float64" })).dtype,
      "float16",
    );
    // two dimensioned tensors promote fully
    assert.equal(
      torch.tensor([1, 2], { dtype: "int32" }).add(torch.tensor([1.5], { dtype: "float64" })).dtype,
      "float64",
    );
  });

  test("canCast follows the category order", () => {
    assert.equal(torch.canCast("int64", "float16"), true);
    assert.equal(torch.canCast("float32", "int64"), false);
    assert.equal(torch.canCast("bool", "uint8"), true);
    assert.equal(torch.canCast("int8", "bool"), false);
    assert.throws(() => torch.tensor([1, 2]).add_(0.5), /add_\(\).*Float.*can't be cast.*Long/);
  });
});

describe("16-bit float rounding", () => {
  for (const name of ["float16", "bfloat16"] as const) {
    const { inputs, outputs } = fx.rounding[name];
    const ins = inputs.map(decodeValue);
    const want = outputs.map(decodeValue);
    const compare = (got: ArrayLike<number>, how: string) => {
      const bad: string[] = [];
      for (let i = 0; i < want.length; i++)
        if (!same(got[i]!, want[i]!)) bad.push(`${ins[i]} -> ${got[i]} (PyTorch ${want[i]})`);
      assert.deepEqual(bad.slice(0, 10), [], `${name} ${how}: ${bad.length} mismatches`);
    };
    test(`${name}: creation from JS numbers rounds as PyTorch does (${ins.length} values)`, () => {
      compare(torch.tensor(ins, { dtype: name }).dataSync(), "tensor()");
    });
    test(`${name}: float64 -> ${name} cast kernel`, () => {
      compare(torch.tensor(ins, { dtype: "float64" }).to(name).dataSync(), "cast from float64");
    });
    test(`${name}: float32 -> ${name} cast kernel`, () => {
      // PyTorch rounds a double to 16 bits through float32, so the float32 source gives the same values
      compare(torch.tensor(ins, { dtype: "float32" }).to(name).dataSync(), "cast from float32");
    });
    test(`${name}: scalar rounding function`, () => {
      const f = name === "float16" ? roundF16 : roundBf16;
      compare(Float64Array.from(ins, f), "round function");
    });
  }

  test("float16 bits round-trip every rounded value", () => {
    const want = fx.rounding.float16.outputs.map(decodeValue);
    for (const v of want) {
      const back = f16BitsToNumber(numberToF16Bits(v));
      assert.ok(same(back, v), `${v} -> bits ${numberToF16Bits(v).toString(16)} -> ${back}`);
    }
    // the extremes of the format, from its definition
    assert.equal(f16BitsToNumber(0x0001), 2 ** -24);
    assert.equal(f16BitsToNumber(0x03ff), 1023 * 2 ** -24);
    assert.equal(f16BitsToNumber(0x0400), 2 ** -14);
    assert.equal(f16BitsToNumber(0x7bff), 65504);
    assert.equal(f16BitsToNumber(0x7c00), Infinity);
    assert.equal(numberToF16Bits(-0), 0x8000);
  });

  test("float16 arithmetic results are rounded to the grid", () => {
    const x = torch.tensor([1, 2048], { dtype: "float16" });
    // 1 + 2^-11 is a tie between 1 and 1 + 2^-10: ties to even gives 1; 2048 + 1 ties to 2048
    assert.deepEqual(x.add(torch.tensor([2 ** -11, 1], { dtype: "float16" })).tolist(), [1, 2048]);
    assert.deepEqual(torch.tensor([60000], { dtype: "float16" }).mul(2).tolist(), [Infinity]);
  });
});

describe("casts", () => {
  for (const c of fx.casts) {
    test(`${c.from} -> ${c.to} (${c.inputs.length} values)`, () => {
      const ins = c.inputs.map(decodeValue);
      const want = c.outputs.map(decodeValue);
      const got = torch.tensor(ins, { dtype: c.from }).to(c.to).tolist() as (number | boolean)[];
      const bad: string[] = [];
      got.forEach((g, i) => {
        if (!same(Number(g), want[i]!)) bad.push(`${ins[i]} -> ${String(g)} (PyTorch ${want[i]})`);
      });
      assert.deepEqual(bad, []);
      assert.deepEqual(c.dropped, [], "every value converts the same in PyTorch's scalar and vector paths");
    });
  }

  test("float -> int truncates toward zero, int -> bool is != 0", () => {
    const f = torch.tensor([2.7, -2.7, 0.5, -0.5, 1e-30]);
    assert.deepEqual(f.to("int64").tolist(), [2, -2, 0, 0, 0]);
    assert.ok(
      (f.to("int64").tolist() as number[]).every((v) => !Object.is(v, -0)),
      "integer tensors have no -0",
    );
    assert.deepEqual(torch.tensor([0, 3, -1]).bool().tolist(), [false, true, true]);
    assert.deepEqual(torch.tensor([0, NaN, -0.0001]).bool().tolist(), [false, true, true]);
    assert.deepEqual(torch.tensor([true, false]).float().tolist(), [1, 0]);
    assert.equal(torch.tensor([true, false]).long().dtype, "int64");
  });

  test("int -> narrower int keeps the low bits", () => {
    // (2^40 + 5) mod 2^32 = 5; 300 mod 256 = 44; -129 mod 256 = 127
    assert.deepEqual(
      torch
        .tensor([2 ** 40 + 5, 300, -129])
        .to("int32")
        .tolist(),
      [5, 300, -129],
    );
    assert.deepEqual(
      torch
        .tensor([2 ** 40 + 5, 300, -129])
        .to("int8")
        .tolist(),
      [5, 44, 127],
    );
    assert.deepEqual(
      torch
        .tensor([2 ** 40 + 5, 300, -129])
        .to("uint8")
        .tolist(),
      [5, 44, 127],
    );
  });
});

describe("dtype names", () => {
  test("constants and aliases", () => {
    assert.equal(torch.float32, "float32");
    assert.equal(torch.float, "float32");
    assert.equal(torch.double, "float64");
    assert.equal(torch.half, "float16");
    assert.equal(torch.long, "int64");
    assert.equal(torch.int, "int32");
    assert.equal(torch.short, "int16");
    assert.equal(torch.bool, "bool");
    assert.equal(torch.bfloat16, "bfloat16");
    assert.equal(torch.zeros(1, { dtype: "long" }).dtype, "int64");
    assert.equal(torch.zeros(1, { dtype: "double" }).dtype, "float64");
    assert.equal(torch.zeros(1, { dtype: "torch.int16" }).dtype, "int16");
    assert.equal(torch.zeros(1, { dtype: "byte" }).dtype, "uint8");
    assert.equal(torch.zeros(1, { dtype: "char" }).dtype, "int8");
  });

  test("an unknown dtype names the valid ones", () => {
    assert.throws(() => torch.zeros(1, { dtype: "float8" }), /unknown dtype 'float8'.*float32/);
  });

  test("to() takes a dtype, a device, (device, dtype) as PyTorch's x.to(device, dtype), or an object", () => {
    const x = torch.tensor([1.5, -2]);
    assert.equal(x.to("float64").dtype, "float64");
    assert.equal(x.to("cpu"), x);
    const y = x.to("cpu", "float16");
    assert.equal(y.dtype, "float16");
    assert.equal(y.device, "cpu");
    assert.deepEqual(y.tolist(), [1.5, -2]);
    assert.equal(x.to({ dtype: "int32", device: "cpu" }).dtype, "int32");
    assert.throws(() => x.to("cpu", "float8"), /unknown dtype 'float8'/);
  });

  test("default dtype", () => {
    assert.equal(torch.getDefaultDtype(), "float32");
    withDefault("float64", () => {
      assert.equal(torch.tensor([1.5]).dtype, "float64");
      assert.equal(torch.zeros(2).dtype, "float64");
      assert.equal(torch.tensor([1, 2]).dtype, "int64");
    });
    assert.throws(() => torch.setDefaultDtype("int64"), /only float32 and float64/);
    assert.equal(torch.getDefaultDtype(), "float32");
  });
});
