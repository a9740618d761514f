// Creation ops: tensor() from nested arrays, typed arrays, scalars and tensors; zeros/ones/empty/full
// and their *Like forms; arange, linspace, logspace (against PyTorch values in
// test/fixtures/misc.json, written by tools/gen_misc_fixtures.py); eye; creation options.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../src/index.js";
import type { DType } from "../src/index.js";
import { decodeValue } from "./opspec.js";

interface RangeCase {
  start: number;
  end: number;
  steps: number;
  base?: number;
  dtype: DType;
  values: (number | string)[];
}
interface Fixtures {
  linspace: RangeCase[];
  logspace: RangeCase[];
  arange: { args: number[]; dtype: DType; explicit?: boolean; values: (number | string)[] }[];
  casts: { from: DType; to: DType; inputs: (number | string)[]; outputs: (number | string)[] }[];
}
const fx = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "misc.json"), "utf8")) as Fixtures;

/** Shape, dtype and values of a tensor in one comparable object. */
function summary(t: torch.Tensor): { shape: number[]; dtype: DType; values: torch.NestedArray } {
  return { shape: [...t.shape], dtype: t.dtype, values: t.tolist() };
}

/** The message of the error `fn` throws. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail("expected an error");
}

describe("tensor()", () => {
  test("nested arrays infer bool, int64 and the default float dtype", () => {
    assert.deepEqual(
      summary(
        torch.tensor([
          [1, 2],
          [3, 4],
        ]),
      ),
      {
        shape: [2, 2],
        dtype: "int64",
        values: [
          [1, 2],
          [3, 4],
        ],
      },
    );
    assert.deepEqual(summary(torch.tensor([1.5, 2])), { shape: [2], dtype: "float32", values: [1.5, 2] });
    assert.deepEqual(summary(torch.tensor([true, false])), { shape: [2], dtype: "bool", values: [true, false] });
    // a bool among numbers counts as a number, as in PyTorch (torch.tensor([True, 2]) is int64)
    assert.deepEqual(summary(torch.tensor([true, 2])), { shape: [2], dtype: "int64", values: [1, 2] });
    assert.deepEqual(summary(torch.tensor([[[0.25]], [[-1]]])), {
      shape: [2, 1, 1],
      dtype: "float32",
      values: [[[0.25]], [[-1]]],
    });
    assert.deepEqual(summary(torch.tensor([])), { shape: [0], dtype: "float32", values: [] });
    assert.deepEqual(summary(torch.tensor([[], []])), { shape: [2, 0], dtype: "float32", values: [[], []] });
    // float32 storage rounds
    assert.equal((torch.tensor([0.1]).tolist() as number[])[0], Math.fround(0.1));
    assert.equal((torch.tensor([0.1], { dtype: "float64" }).tolist() as number[])[0], 0.1);
  });

  test("ragged arrays raise PyTorch's message", () => {
    assert.match(
      errorOf(() => torch.tensor([[1, 2], [3]])),
      /^tensor\(\): expected sequence of length 2 at dim 1 \(got 1\)$/,
    );
    assert.match(
      errorOf(() => torch.tensor([[1], [2, 3]])),
      /expected sequence of length 1 at dim 1 \(got 2\)/,
    );
    assert.match(
      errorOf(() => torch.tensor([[[1, 2]], [[3]]])),
      /expected sequence of length 2 at dim 2 \(got 1\)/,
    );
    assert.match(
      errorOf(() => torch.tensor([[1, 2], 3] as never)),
      /tensor\(\).*dim 1/,
    );
    assert.match(
      errorOf(() => torch.tensor([1, [2]] as never)),
      /tensor\(\).*dim 1/,
    );
    assert.match(
      errorOf(() => torch.tensor(["a"] as never)),
      /tensor\(\): could not convert a/,
    );
  });

  test("typed arrays keep their element type", () => {
    const cases: [ArrayLike<number> | BigInt64Array, DType][] = [
      [new Float32Array([1.5, -2]), "float32"],
      [new Float64Array([1.5, -2]), "float64"],
      [new Int32Array([1, -2]), "int32"],
      [new Int16Array([1, -2]), "int16"],
      [new Int8Array([1, -2]), "int8"],
      [new Uint8Array([1, 254]), "uint8"],
      [new Uint8ClampedArray([1, 254]), "uint8"],
      [new BigInt64Array([1n, -2n]), "int64"],
    ];
    for (const [arr, dtype] of cases) {
      const t = torch.tensor(arr as Float32Array);
      assert.equal(t.dtype, dtype, arr.constructor.name);
      assert.deepEqual(t.shape, [2]);
      assert.deepEqual(t.tolist(), Array.from(arr as ArrayLike<number>, Number));
    }
    // the data is copied: changing the source later leaves the tensor alone
    const src = new Float32Array([1, 2, 3]);
    const t = torch.tensor(src);
    src[0] = 100;
    assert.deepEqual(t.tolist(), [1, 2, 3]);
    assert.deepEqual(torch.tensor(new Float32Array([1.5, 2.5]), { dtype: "int32" }).tolist(), [1, 2]);
  });

  test("scalars give 0-dim tensors", () => {
    assert.deepEqual(summary(torch.tensor(3)), { shape: [], dtype: "int64", values: 3 });
    assert.deepEqual(summary(torch.tensor(2.5)), { shape: [], dtype: "float32", values: 2.5 });
    assert.deepEqual(summary(torch.tensor(true)), { shape: [], dtype: "bool", values: true });
    assert.deepEqual(summary(torch.tensor(3, { dtype: "float64" })), { shape: [], dtype: "float64", values: 3 });
    assert.equal(torch.tensor(7).item(), 7);
    assert.equal(torch.tensor(7).ndim, 0);
    assert.equal(torch.tensor(7).numel(), 1);
  });

  test("from another tensor: a detached copy", () => {
    const a = torch.tensor([1.5, 2.5], { requiresGrad: true });
    const b = torch.tensor(a);
    assert.deepEqual(summary(b), summary(a));
    assert.equal(b.requiresGrad, false);
    assert.notEqual(b.storage, a.storage);
    torch.noGrad(() => a.mul_(2));
    assert.deepEqual(b.tolist(), [1.5, 2.5]);
    const c = torch.tensor(a.t(), { dtype: "int64" });
    assert.deepEqual(summary(c), { shape: [2], dtype: "int64", values: [3, 5] });
    const nc = torch.arange(6).view(2, 3).t();
    assert.deepEqual(torch.tensor(nc).tolist(), [
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
  });

  test("integer dtypes reject values that overflow, as PyTorch does", () => {
    // c10::checked_convert: NaN, Inf and values outside [min, max] raise; integers wrap into uint8
    assert.match(
      errorOf(() => torch.tensor([300], { dtype: "int8" })),
      /tensor\(\): value 300 cannot be converted to type int8 without overflow/,
    );
    assert.match(
      errorOf(() => torch.tensor([127.9], { dtype: "int8" })),
      /value 127.9 cannot be converted to type int8/,
    );
    assert.match(
      errorOf(() => torch.tensor([NaN], { dtype: "int64" })),
      /value NaN cannot be converted to type int64/,
    );
    assert.match(
      errorOf(() => torch.tensor([2 ** 31], { dtype: "int32" })),
      /int32 without overflow/,
    );
    assert.match(
      errorOf(() => torch.tensor([2 ** 63], { dtype: "int64" })),
      /int64 without overflow/,
    );
    assert.match(
      errorOf(() => torch.tensor([-1.5], { dtype: "uint8" })),
      /uint8 without overflow/,
    );
    assert.match(
      errorOf(() => torch.full([2], 300, { dtype: "int8" })),
      /full\(\): value 300 cannot be converted to type int8/,
    );
    assert.deepEqual(torch.tensor([-1, 2.7, -2.7], { dtype: "int8" }).tolist(), [-1, 2, -2]);
    assert.deepEqual(torch.tensor([-1, 255], { dtype: "uint8" }).tolist(), [255, 255]);
    assert.deepEqual(torch.tensor([NaN, 0, 2], { dtype: "bool" }).tolist(), [true, false, true]);
    assert.deepEqual(torch.tensor([1e300], { dtype: "float32" }).tolist(), [Infinity]);
  });

  test("values stored by creation convert as PyTorch's cast kernel does (float64 source, in range)", () => {
    for (const c of fx.casts.filter((c) => c.from === "float64")) {
      const ins = c.inputs.map(decodeValue);
      const want = c.outputs.map(decodeValue);
      const bad: string[] = [];
      ins.forEach((v, i) => {
        // only values PyTorch's overflow check accepts (bool has no check)
        const bounds: Record<string, [number, number]> = {
          uint8: [0, 255],
          int8: [-128, 127],
          int16: [-32768, 32767],
          int32: [-(2 ** 31), 2 ** 31 - 1],
          int64: [-(2 ** 63), 2 ** 63 - 1],
        };
        const b = bounds[c.to];
        if (b && !(v >= b[0] && v <= b[1] && v < 2 ** 63)) return;
        const got = Number((torch.tensor([v], { dtype: c.to }).tolist() as (number | boolean)[])[0]);
        const got2 = Number((torch.full([1], v, { dtype: c.to }).tolist() as (number | boolean)[])[0]);
        if (!Object.is(got, want[i]) || !Object.is(got2, want[i]))
          bad.push(`${v} -> ${c.to}: ${got}, ${got2} (PyTorch ${want[i]})`);
      });
      assert.deepEqual(bad, []);
    }
  });
});

describe("filled tensors", () => {
  test("zeros, ones, empty: shapes as arguments or an array, default dtype", () => {
    assert.deepEqual(summary(torch.zeros(2, 3)), {
      shape: [2, 3],
      dtype: "float32",
      values: [
        [0, 0, 0],
        [0, 0, 0],
      ],
    });
    assert.deepEqual(summary(torch.zeros([2, 3])), summary(torch.zeros(2, 3)));
    assert.deepEqual(summary(torch.ones([2], { dtype: "int32" })), { shape: [2], dtype: "int32", values: [1, 1] });
    assert.deepEqual(summary(torch.ones(3, { dtype: "bool" })), {
      shape: [3],
      dtype: "bool",
      values: [true, true, true],
    });
    assert.deepEqual(torch.empty(4, 0).shape, [4, 0]);
    assert.equal(torch.empty(2).dtype, "float32");
    assert.deepEqual(summary(torch.zeros()), { shape: [], dtype: "float32", values: 0 });
    assert.deepEqual(summary(torch.ones([])), { shape: [], dtype: "float32", values: 1 });
    assert.throws(() => torch.zeros(2, -1), /zeros.*-1/);
    assert.throws(() => torch.ones(1.5), /ones/);
    torch.setDefaultDtype("float64");
    try {
      assert.equal(torch.zeros(1).dtype, "float64");
      assert.equal(torch.ones(1).dtype, "float64");
    } finally {
      torch.setDefaultDtype("float32");
    }
  });

  test("full infers the dtype from the fill value", () => {
    assert.deepEqual(summary(torch.full([2], 3)), { shape: [2], dtype: "int64", values: [3, 3] });
    assert.deepEqual(summary(torch.full([2], 2.5)), { shape: [2], dtype: "float32", values: [2.5, 2.5] });
    assert.deepEqual(summary(torch.full([1, 2], true)), { shape: [1, 2], dtype: "bool", values: [[true, true]] });
    assert.deepEqual(summary(torch.full([2], 3, { dtype: "float64" })), {
      shape: [2],
      dtype: "float64",
      values: [3, 3],
    });
    assert.deepEqual(summary(torch.full([], -1)), { shape: [], dtype: "int64", values: -1 });
    assert.deepEqual(torch.full([2], NaN).tolist(), [NaN, NaN]);
    assert.deepEqual(torch.full([1], 2.7, { dtype: "int32" }).tolist(), [2]);
  });

  test("*Like functions copy shape, dtype and device", () => {
    const ref = torch.tensor([[1, 2, 3]], { dtype: "int32" });
    assert.deepEqual(summary(torch.zerosLike(ref)), { shape: [1, 3], dtype: "int32", values: [[0, 0, 0]] });
    assert.deepEqual(summary(torch.onesLike(ref, { dtype: "float64" })), {
      shape: [1, 3],
      dtype: "float64",
      values: [[1, 1, 1]],
    });
    assert.deepEqual(summary(torch.emptyLike(ref)).shape, [1, 3]);
    assert.equal(torch.emptyLike(ref).dtype, "int32");
    assert.deepEqual(summary(torch.fullLike(ref, 7)), { shape: [1, 3], dtype: "int32", values: [[7, 7, 7]] });
    assert.deepEqual(torch.fullLike(ref, 2.5).tolist(), [[2, 2, 2]]); // the value takes ref's dtype
    assert.equal(torch.zerosLike(ref).device, ref.device);
    const g = torch.onesLike(torch.zeros(2), { requiresGrad: true });
    assert.equal(g.requiresGrad, true);
    assert.equal(g.isLeaf, true);
    // a *Like result never inherits requiresGrad or history
    const x = torch.ones(2, { requiresGrad: true });
    assert.equal(torch.zerosLike(x.mul(2)).requiresGrad, false);
  });
});

describe("ranges", () => {
  // PyTorch's CPU kernels switch to a vectorised formula (start + step*idx + step*lane) for outputs of
  // at least two SIMD vectors, whose rounding depends on the machine's vector width. Below that size
  // (AVX2: 16 float32 / 8 float64 elements) PyTorch uses the scalar formula, and we compare exactly;
  // above it, within the rounding error of computing start + i*step in the dtype.
  const scalarPath = (n: number, dtype: DType) => n < (dtype === "float64" ? 8 : 16);
  const eps = (dtype: DType) => (dtype === "float64" ? 2 ** -52 : 2 ** -23);
  /** The spacing of float64 values at |x|. */
  const ulp64 = (x: number) => 2 ** (Math.floor(Math.log2(Math.abs(x))) - 52);

  function compareRange(got: number[], want: number[], exact: boolean, scale: number, dtype: DType): string[] {
    const bad: string[] = [];
    assert.equal(got.length, want.length);
    for (let i = 0; i < want.length; i++) {
      const ok = exact
        ? Object.is(got[i], want[i])
        : Math.abs(got[i]! - want[i]!) <= 2 * eps(dtype) * scale || Object.is(got[i], want[i]);
      if (!ok) bad.push(`[${i}] ${got[i]} (PyTorch ${want[i]})`);
    }
    return bad;
  }

  for (const c of fx.linspace) {
    test(`linspace(${c.start}, ${c.end}, ${c.steps}, ${c.dtype})`, () => {
      const t = torch.linspace(c.start, c.end, c.steps, { dtype: c.dtype });
      assert.equal(t.dtype, c.dtype);
      assert.deepEqual(t.shape, [c.steps]);
      const want = c.values.map(decodeValue);
      const exact = !c.dtype.startsWith("float") || scalarPath(c.steps, c.dtype);
      const scale = Math.max(Math.abs(c.start), Math.abs(c.end));
      assert.deepEqual(compareRange(t.tolist() as number[], want, exact, scale, c.dtype), []);
    });
  }

  test("linspace default dtype and errors", () => {
    assert.equal(torch.linspace(0, 1, 3).dtype, "float32");
    assert.deepEqual(torch.linspace(0, 1, 3).tolist(), [0, 0.5, 1]);
    assert.throws(() => torch.linspace(0, 1, -1), /linspace\(\).*non-negative/);
  });

  for (const c of fx.logspace) {
    test(`logspace(${c.start}, ${c.end}, ${c.steps}, base ${c.base}, ${c.dtype})`, () => {
      const t = torch.logspace(c.start, c.end, c.steps, c.base, { dtype: c.dtype });
      assert.equal(t.dtype, c.dtype);
      const want = c.values.map(decodeValue);
      const got = t.tolist() as number[];
      if (c.dtype === "float64") {
        // PyTorch's exponents match exactly; glibc's pow is correctly rounded, V8's Math.pow is within
        // 1 ulp, so float64 results may differ by one ulp
        const bad = want
          .map((w, i) => [w, got[i]!, i] as const)
          .filter(([w, g]) => !Object.is(w, g) && !(Math.abs(g - w) <= ulp64(w)))
          .map(([w, g, i]) => `[${i}] ${g} (PyTorch ${w})`);
        assert.deepEqual(bad, []);
      } else {
        // float32: the exponents and the double power round to the same float32 as PyTorch's
        assert.deepEqual(compareRange(got, want, true, 0, c.dtype), []);
      }
    });
  }

  for (const c of fx.arange) {
    const dtypeOpt = c.explicit ? { dtype: c.dtype } : undefined;
    test(`arange(${c.args.join(", ")})${c.explicit ? ` ${c.dtype}` : ""}`, () => {
      const t =
        c.args.length === 1
          ? torch.arange(c.args[0]!, dtypeOpt)
          : torch.arange(c.args[0]!, c.args[1]!, c.args[2] ?? 1, dtypeOpt);
      assert.equal(t.dtype, c.dtype);
      const want = c.values.map(decodeValue);
      const exact = !t.isFloatingPoint() || scalarPath(want.length, c.dtype);
      const scale = Math.max(...c.args.map(Math.abs));
      assert.deepEqual(compareRange(t.tolist() as number[], want, exact, scale, c.dtype), []);
    });
  }

  test("arange errors name the op and the bounds", () => {
    assert.match(
      errorOf(() => torch.arange(0, 5, 0)),
      /arange\(\): step must be nonzero/,
    );
    assert.match(
      errorOf(() => torch.arange(1, 0)),
      /arange\(\): upper bound and larger bound inconsistent with step sign/,
    );
    assert.match(
      errorOf(() => torch.arange(0, 5, -1)),
      /inconsistent with step sign.*start 0, end 5, step -1/,
    );
    assert.match(
      errorOf(() => torch.arange(0, Infinity)),
      /arange\(\): unsupported range/,
    );
    assert.deepEqual(torch.arange(0).shape, [0]);
  });

  test("eye", () => {
    assert.deepEqual(summary(torch.eye(3)), {
      shape: [3, 3],
      dtype: "float32",
      values: [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
    });
    assert.deepEqual(torch.eye(2, 4).tolist(), [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
    ]);
    assert.deepEqual(torch.eye(3, 2).tolist(), [
      [1, 0],
      [0, 1],
      [0, 0],
    ]);
    assert.deepEqual(summary(torch.eye(2, { dtype: "int64" })), {
      shape: [2, 2],
      dtype: "int64",
      values: [
        [1, 0],
        [0, 1],
      ],
    });
    assert.deepEqual(summary(torch.eye(2, 1, { dtype: "bool" })), {
      shape: [2, 1],
      dtype: "bool",
      values: [[true], [false]],
    });
    assert.deepEqual(torch.eye(0).shape, [0, 0]);
    assert.throws(() => torch.eye(-1), /eye/);
  });
});

describe("creation options", () => {
  test("dtype strings, torch constants and aliases", () => {
    for (const [spec, want] of [
      [torch.float32, "float32"],
      [torch.float64, "float64"],
      [torch.long, "int64"],
      [torch.int, "int32"],
      ["float", "float32"],
      ["long", "int64"],
      ["half", "float16"],
      ["torch.bfloat16", "bfloat16"],
    ] as const) {
      assert.equal(torch.zeros(1, { dtype: spec }).dtype, want);
      assert.equal(torch.tensor([1], { dtype: spec }).dtype, want);
      assert.equal(torch.arange(3, { dtype: spec }).dtype, want);
    }
  });

  test("device", () => {
    assert.equal(torch.zeros(2, { device: "cpu" }).device, "cpu");
    assert.equal(torch.tensor([1], { device: "cpu" }).device, "cpu");
    assert.throws(() => torch.zeros(2, { device: "nowhere" }), /nowhere/);
  });

  test("requiresGrad makes a leaf; integer dtypes cannot require grad", () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    assert.equal(x.dtype, "float32"); // documented: requiresGrad without dtype picks the float default
    assert.equal(x.requiresGrad, true);
    assert.equal(x.isLeaf, true);
    assert.equal(torch.zeros(2, { requiresGrad: true }).requiresGrad, true);
    assert.equal(torch.linspace(0, 1, 2, { requiresGrad: true }).requiresGrad, true);
    assert.match(
      errorOf(() => torch.tensor([1, 2], { dtype: "int64", requiresGrad: true })),
      /only Tensors of floating point dtype can require gradients \(got int64\)/,
    );
    assert.match(
      errorOf(() => torch.arange(3, { requiresGrad: true })),
      /floating point.*int64/,
    );
  });
});
