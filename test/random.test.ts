// Random number generation: replays test/fixtures/random.json (PyTorch 1.13's outputs for the same
// seeds, written by tools/gen_random_fixtures.py), and checks the Generator API, autograd behaviour,
// the statistics of the samplers and the exact fused multiply-add helpers they rely on.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as torch from "../src/index.js";
import { _fma } from "../src/ops/random.js";

type Enc = number | string;
interface EncTensor {
  dtype: string;
  shape: number[];
  data: Enc[];
}
interface Case {
  name: string;
  seed: number;
  py: string;
  ts: string;
  check: "exact" | "libm" | "error";
  scale?: number;
  error?: string;
  results?: EncTensor[];
  probe?: EncTensor[];
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/random.json", import.meta.url), "utf8")) as {
  cases: Case[];
};

function dec(v: Enc): number {
  if (typeof v === "number") return v;
  return v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : -0;
}

function run(c: Case): unknown {
  torch.manualSeed(c.seed);
  const g = new torch.Generator().manualSeed(c.seed + 1000);
  const f = new Function("torch", "g", `return (${c.ts});`) as (t: typeof torch, g: torch.Generator) => unknown;
  return f(torch, g);
}

/** Differences between a torchts tensor and a PyTorch result; `libm` allows last-bit differences. */
function compare(what: string, got: torch.Tensor, want: EncTensor, c: Case): string[] {
  if (got.dtype !== want.dtype) return [`${what}: dtype ${got.dtype}, expected ${want.dtype}`];
  if (got.shape.join(",") !== want.shape.join(",")) return [`${what}: shape [${got.shape}], expected [${want.shape}]`];
  const data = got.dataSync();
  const errs: string[] = [];
  let equal = 0;
  for (let i = 0; i < want.data.length; i++) {
    const a = data[i]!;
    // float32 values are stored in their shortest decimal form: round back to float32
    const b = want.dtype === "float32" ? Math.fround(dec(want.data[i]!)) : dec(want.data[i]!);
    if (Object.is(a, b) || (a === 0 && b === 0 && c.check === "libm")) {
      equal++;
      continue;
    }
    // libm: log/sin/cos may round their last bit differently in JS and in the C library
    const tol = 8 * Number.EPSILON * (Math.abs(b) + (c.scale ?? 1));
    if (c.check === "libm" && Math.abs(a - b) <= tol) continue;
    errs.push(`${what}[${i}]: got ${a}, expected ${b}`);
  }
  // the libm slack must stay rare: most values are bit-identical
  if (c.check === "libm" && equal < 0.8 * want.data.length)
    errs.push(`${what}: only ${equal}/${want.data.length} values are bit-identical`);
  return errs.slice(0, 5);
}

describe("random: PyTorch fixtures", () => {
  for (const c of fixture.cases) {
    test(c.name, () => {
      if (c.check === "error") {
        assert.throws(
          () => run(c),
          (e: Error) => {
            assert.match(e.message, /^[A-Za-z_]+\(\): /, `error should name the op: ${e.message}`);
            return true;
          },
          `PyTorch raised "${c.error}" but torchts did not`,
        );
        return;
      }
      const r = run(c);
      const got = Array.isArray(r) ? (r as torch.Tensor[]) : [r as torch.Tensor];
      assert.equal(got.length, c.results!.length);
      const errs = got.flatMap((t, i) => compare(`result ${i}`, t, c.results![i]!, c));
      // where the streams stand afterwards: the call drew exactly as many numbers as PyTorch's
      errs.push(...compare("default generator probe", torch.rand(3, { dtype: "float64" }), c.probe![0]!, c));
      assert.deepEqual(errs, [], `${c.ts}\n  (PyTorch: ${c.py})`);
    });
  }

  test("generator probe also checks the explicit generator stream", () => {
    for (const c of fixture.cases.filter((x) => x.ts.includes("generator: g"))) {
      torch.manualSeed(c.seed);
      const g = new torch.Generator().manualSeed(c.seed + 1000);
      const f = new Function("torch", "g", `return (${c.ts});`) as (t: typeof torch, g: torch.Generator) => unknown;
      f(torch, g);
      const errs = compare("g probe", torch.rand(3, { dtype: "float64", generator: g }), c.probe![1]!, c);
      assert.deepEqual(errs, [], c.ts);
    }
  });
});

describe("random: Generator", () => {
  test("seeds and initial seeds", () => {
    assert.equal(new torch.Generator().initialSeed(), 67280421310721);
    assert.equal(torch.manualSeed(1234).initialSeed(), 1234);
    assert.equal(torch.initialSeed(), 1234);
    assert.equal(torch.manualSeed(2.9).initialSeed(), 2, "torch.manualSeed truncates like int()");
    assert.equal(new torch.Generator().manualSeed(-1).initialSeed(), 2 ** 64);
    assert.throws(() => new torch.Generator().manualSeed(1.5), /manualSeed\(\): expected an integer seed/);
    assert.throws(() => new torch.Generator().manualSeed(-(2n ** 63n) - 1n), /Overflow/);
    const s = torch.seed();
    assert.ok(Number.isSafeInteger(s) && s >= 0);
    assert.equal(torch.initialSeed(), s);
    const g = new torch.Generator();
    const s2 = g.seed();
    assert.equal(g.initialSeed(), s2);
    assert.throws(() => new torch.Generator("webgpu"), /Generator\(\): only cpu/);
  });

  test("same seed, same stream; generators are independent of the default one", () => {
    const g1 = new torch.Generator().manualSeed(42);
    const g2 = new torch.Generator().manualSeed(42);
    torch.manualSeed(7);
    const a = torch.randn(50, { generator: g1 });
    torch.rand(10); // draws from the default generator only
    const b = torch.randn(50, { generator: g2 });
    assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
  });

  test("getState returns a copy; setState restores the stream and the normal cache", () => {
    const g = new torch.Generator().manualSeed(5);
    torch.randn(1, { generator: g }); // leaves a cached second sample
    const st = g.getState();
    assert.equal(st.dtype, "uint8");
    assert.deepEqual(st.shape, [5056]);
    const a = torch.randn(3, { generator: g });
    st.fill_(0); // mutating the returned copy does not touch the generator
    const st2 = g.getState();
    g.setState(st2);
    const b = torch.randn(3, { generator: g });
    g.setState(st2);
    const c = torch.randn(3, { generator: g });
    assert.deepEqual(Array.from(b.dataSync()), Array.from(c.dataSync()));
    assert.notDeepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
    assert.throws(() => g.setState(torch.zeros(5056, { dtype: "uint8" })), /setState\(\): Invalid mt19937 state/);
  });

  test("manualSeed clears the cached normal sample", () => {
    torch.manualSeed(3);
    const a = torch.randn(1).item();
    torch.randn(1); // would use the cache
    torch.manualSeed(3);
    assert.equal(torch.randn(1).item(), a);
  });
});

describe("random: API and autograd", () => {
  test("creation options", () => {
    const x = torch.rand(2, 3, { requiresGrad: true });
    assert.ok(x.requiresGrad && x.isLeaf);
    assert.equal(torch.randn([4], { dtype: "float64" }).dtype, "float64");
    assert.equal(torch.randint(5, [3]).dtype, "int64");
    assert.equal(torch.randperm(4).dtype, "int64");
    torch.setDefaultDtype("float64");
    try {
      assert.equal(torch.rand(2).dtype, "float64");
    } finally {
      torch.setDefaultDtype("float32");
    }
    assert.equal(torch.randintLike(torch.zeros(2, { dtype: "int16" }), 9).dtype, "int16");
    assert.throws(() => torch.randint(0, 3, 5 as unknown as number[]), /randint\(\)/);
  });

  test("in-place samplers on a leaf that requires grad: only under noGrad", () => {
    const w = torch.zeros(4, { requiresGrad: true });
    assert.throws(() => w.normal_(), /normal_\(\): a leaf Variable that requires grad/);
    torch.noGrad(() => w.uniform_(-1, 1));
    assert.ok(w.requiresGrad && w.isLeaf && w.gradFn === null);
    const v = w.dataSync();
    assert.ok(v.every((e) => e >= -1 && e < 1) && v.some((e) => e !== 0));
  });

  test("samples carry zero gradients, as PyTorch's random ops do", () => {
    const x = torch.ones(3, { requiresGrad: true });
    const y = x.mul(2);
    y.uniform_();
    assert.equal(y.gradFn?.name(), "UniformBackward0");
    y.sum().backward();
    assert.deepEqual(Array.from(x.grad!.dataSync()), [0, 0, 0]);

    const m = torch.zeros(3, { requiresGrad: true });
    const s = torch.ones(3, { requiresGrad: true });
    const n = torch.normal(m, s);
    assert.equal(n.gradFn?.name(), "NormalBackward3");
    n.sum().backward();
    assert.deepEqual(Array.from(m.grad!.dataSync()), [0, 0, 0]);
    assert.deepEqual(Array.from(s.grad!.dataSync()), [0, 0, 0]);

    const p = torch.full([4], 0.5, { requiresGrad: true });
    const b = torch.bernoulli(p);
    assert.equal(b.gradFn?.name(), "BernoulliBackward0");
    assert.equal(torch.noGrad(() => torch.bernoulli(p)).gradFn, null);
  });

  test("in-place on a view writes through to the base", () => {
    torch.manualSeed(0);
    const base = torch.zeros(4, 5);
    base.select(0, 2).fill_(7);
    base.narrow(1, 1, 2).exponential_();
    const d = base.dataSync();
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 5; j++) {
        const v = d[i * 5 + j]!;
        if (j === 1 || j === 2) assert.ok(v > 0 && v !== 7, `[${i},${j}] = ${v}`);
        else assert.equal(v, i === 2 ? 7 : 0);
      }
  });
});

/** |mean - expected| within 5 standard errors. */
function assertMean(values: ArrayLike<number>, expected: number, sd: number, what: string): void {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  const mean = s / values.length;
  const bound = (5 * sd) / Math.sqrt(values.length);
  assert.ok(Math.abs(mean - expected) <= bound, `${what}: mean ${mean}, expected ${expected} +- ${bound}`);
}

describe("random: statistics", () => {
  test("uniform, normal and exponential moments", () => {
    const g = new torch.Generator().manualSeed(11);
    const u = torch.rand(20000, { generator: g }).dataSync();
    assert.ok(u.every((v) => v >= 0 && v < 1));
    assertMean(u, 0.5, Math.sqrt(1 / 12), "rand");
    const z = torch.randn(20000, { generator: g, dtype: "float64" }).dataSync();
    assertMean(z, 0, 1, "randn");
    assertMean(
      z.map((v) => v * v),
      1,
      Math.SQRT2,
      "randn variance",
    );
    const e = torch.empty(20000).exponential_(4, { generator: g }).dataSync();
    assert.ok(e.every((v) => v >= 0));
    assertMean(e, 0.25, 0.25, "exponential_(4)");
    const n = torch.normal(3, 0.5, [20000], { generator: g }).dataSync();
    assertMean(n, 3, 0.5, "normal(3, 0.5)");
  });

  test("randint and randperm", () => {
    const g = new torch.Generator().manualSeed(12);
    const r = torch.randint(-3, 4, [20000], { generator: g }).dataSync();
    assert.ok(r.every((v) => Number.isInteger(v) && v >= -3 && v < 4));
    assertMean(r, 0, 2, "randint(-3, 4)");
    const p = Array.from(torch.randperm(500, { generator: g }).dataSync()).sort((a, b) => a - b);
    assert.deepEqual(
      p,
      Array.from({ length: 500 }, (_, i) => i),
    );
  });

  test("bernoulli: frequency within the binomial bound; same seed, same draws", () => {
    const p = 0.3;
    const probs = torch.full([40000], p);
    const a = torch.bernoulli(probs, { generator: new torch.Generator().manualSeed(1) }).dataSync();
    assert.ok(a.every((v) => v === 0 || v === 1));
    assertMean(a, p, Math.sqrt(p * (1 - p)), "bernoulli(0.3)");
    const b = torch.bernoulli(probs, { generator: new torch.Generator().manualSeed(1) }).dataSync();
    assert.deepEqual(Array.from(a), Array.from(b));
    const c = torch
      .zeros(40000)
      .bernoulli_(0.8, { generator: new torch.Generator().manualSeed(2) })
      .dataSync();
    assertMean(c, 0.8, Math.sqrt(0.8 * 0.2), "bernoulli_(0.8)");
    assert.ok(
      torch
        .bernoulli(torch.zeros(50))
        .dataSync()
        .every((v) => v === 0),
    );
    assert.ok(
      torch
        .bernoulli(torch.ones(50))
        .dataSync()
        .every((v) => v === 1),
    );
  });

  test("multinomial with replacement: category frequencies", () => {
    const w = [1, 2, 3, 4];
    const n = 40000;
    const s = torch.multinomial(torch.tensor(w, { dtype: "float32" }), n, true, {
      generator: new torch.Generator().manualSeed(3),
    });
    const counts = [0, 0, 0, 0];
    for (const v of s.dataSync()) counts[v]!++;
    for (let k = 0; k < 4; k++) {
      const pk = w[k]! / 10;
      const sd = Math.sqrt(n * pk * (1 - pk));
      assert.ok(Math.abs(counts[k]! - n * pk) <= 5 * sd, `category ${k}: ${counts[k]} of ${n}, p=${pk}`);
    }
  });

  test("multinomial without replacement: distinct draws, first draw ~ p", () => {
    const rows = 20000;
    const probs = torch
      .tensor([[0.5, 0.25, 0.125, 0.125]], { dtype: "float64" })
      .expand(rows, 4)
      .contiguous();
    const s = torch.multinomial(probs, 3, false, { generator: new torch.Generator().manualSeed(4) });
    const d = s.dataSync();
    const first = [0, 0, 0, 0];
    for (let r = 0; r < rows; r++) {
      const row = [d[3 * r]!, d[3 * r + 1]!, d[3 * r + 2]!];
      assert.equal(new Set(row).size, 3, `row ${r} repeats a category: ${row}`);
      first[row[0]!]!++;
    }
    [0.5, 0.25, 0.125, 0.125].forEach((pk, k) => {
      const sd = Math.sqrt(rows * pk * (1 - pk));
      assert.ok(Math.abs(first[k]! - rows * pk) <= 5 * sd, `first draw ${k}: ${first[k]} of ${rows}`);
    });
    // zero-probability categories are never drawn while others remain
    const z = torch.multinomial(torch.tensor([0, 1, 0, 1], { dtype: "float32" }), 2).dataSync();
    assert.deepEqual(Array.from(z).sort(), [1, 3]);
  });
});

// ---- exact fused multiply-add: compared with exact rational arithmetic on BigInts

function parts(x: number): [bigint, number] {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  const bits = dv.getBigUint64(0);
  const e = Number((bits >> 52n) & 0x7ffn);
  let m = bits & ((1n << 52n) - 1n);
  if (e !== 0) m |= 1n << 52n;
  const sign = bits >> 63n ? -1n : 1n;
  return [sign * m, e === 0 ? -1074 : e - 1075];
}
/** Round m * 2^e to `p` significant bits, ties to even (normal range only). */
function roundTo(m: bigint, e: number, p: number): number {
  if (m === 0n) return 0;
  const neg = m < 0n;
  let a = neg ? -m : m;
  const shift = a.toString(2).length - p;
  if (shift > 0) {
    const sh = BigInt(shift);
    const rem = a & ((1n << sh) - 1n);
    const half = 1n << (sh - 1n);
    a >>= sh;
    if (rem > half || (rem === half && (a & 1n) === 1n)) a += 1n;
    e += shift;
  }
  return (neg ? -1 : 1) * Number(a) * 2 ** e;
}
function exactFma(a: number, b: number, c: number, p: number): number {
  const [ma, ea] = parts(a);
  const [mb, eb] = parts(b);
  const [mc, ec] = parts(c);
  const mp = ma * mb;
  const ep = ea + eb;
  const e = Math.min(ep, ec);
  return roundTo((mp << BigInt(ep - e)) + (mc << BigInt(ec - e)), e, p);
}

describe("random: exact fma helpers", () => {
  // a deterministic xorshift so the test draws nothing from torch's generators
  let s = 0x9e3779b9;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  const near = (x: number) => x * (1 + (next() - 0.5) * 2 ** -20);

  test("fma (float64) is correctly rounded, including near-ties", () => {
    for (let i = 0; i < 20000; i++) {
      const a = (next() - 0.5) * 2 ** Math.floor(next() * 20 - 10);
      const b = (next() - 0.5) * 8;
      // c close to -a*b makes cancellations and ties likely
      const c = i % 3 === 0 ? -near(a * b) : (next() - 0.5) * 4;
      const want = exactFma(a, b, c, 53);
      assert.equal(_fma.fma(a, b, c), want, `fma(${a}, ${b}, ${c})`);
    }
  });

  test("fmaf (float32) is correctly rounded, including exact ties", () => {
    const f = Math.fround;
    for (let i = 0; i < 20000; i++) {
      const a = f(next());
      const b = f((next() - 0.5) * 16);
      let c = f((next() - 0.5) * 4);
      if (i % 4 === 0) c = f(-near(a * b));
      if (i % 4 === 1) {
        // a product whose low bits sit exactly half an ulp from a float32: ties must go to even
        c = f(Math.round(c * 2 ** 10) / 2 ** 10);
      }
      const want = exactFma(a, b, c, 24);
      assert.equal(_fma.fmaf(a, b, c), f(want), `fmaf(${a}, ${b}, ${c})`);
    }
  });
});
