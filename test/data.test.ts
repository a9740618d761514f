// torch.utils.data and torchts.vision: datasets, samplers, collate and DataLoader (in-thread and with
// worker threads), the idx readers and the image transforms, and the progress bar. Reference values
// come from PyTorch 1.13 through tools/gen_data_fixtures.py (test/fixtures/data.json).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import * as torch from "../src/index.js";
import { liveWorkerCount } from "../src/utils/data/pool.js";

const {
  Dataset,
  IterableDataset,
  TensorDataset,
  ConcatDataset,
  Subset,
  randomSplit,
  SequentialSampler,
  RandomSampler,
  SubsetRandomSampler,
  WeightedRandomSampler,
  BatchSampler,
  DataLoader,
  defaultCollate,
  buildFromSpec,
  getWorkerInfo,
  withWorkerSpec,
  DataLoaderWorkerError,
} = torch.utils.data;
const { MNIST, FashionMNIST, parseIdx, DEBIAN_FASHION_MNIST } = torch.vision.datasets;
const T = torch.vision.transforms;
type Tensor = torch.Tensor;

interface Enc {
  dtype: string;
  shape: number[];
  data: (number | boolean)[];
}
type Summary = Record<
  "train" | "t10k",
  {
    imageShape: number[];
    labelShape: number[];
    firstLabels: number[];
    pixelSum: number;
    pixelWeighted: number;
    labelCounts: number[];
    image0Row14: number[];
  }
>;
const fx = JSON.parse(readFileSync(new URL("./fixtures/data.json", import.meta.url), "utf8")) as {
  randomSplit: { n: number; lengths: number[]; seed?: number; globalSeed?: number; indices: number[][] }[];
  samplers: {
    kind: string;
    n?: number;
    opts?: { num_samples?: number; replacement?: boolean };
    seed?: number;
    globalSeed?: number;
    indices?: number[];
    weights?: number[];
    numSamples?: number;
    replacement?: boolean;
    order: number[];
  }[];
  loaders: {
    n: number;
    batchSize: number;
    dropLast: boolean;
    seed?: number;
    globalSeed?: number;
    epochs: number[][][];
  }[];
  baseSeeds: { seed: number; baseSeed: string }[];
  workerDraws: { seed: number; batchSize: number; numWorkers: number; batches: Enc[][] };
  collate: { name: string; batch: unknown[]; result: unknown }[];
  subset: Summary;
  debian: Summary | null;
  transforms: {
    image: Enc;
    toTensor: Enc;
    mean: number[];
    std: number[];
    normalized: Enc;
    chw: Enc;
    cropSeed: number;
    crops: Enc[];
    afterCrop: number;
    flipSeed: number;
    flips: Enc[];
  };
};

const SUBSET = fileURLToPath(new URL("../data/fashion-mnist-subset", import.meta.url));
const SRC = new URL("../src/", import.meta.url).href;

/** A tensor from a fixture's { dtype, shape, data }. */
function fromEnc(e: Enc): Tensor {
  return torch.tensor(e.data as number[], { dtype: e.dtype as torch.DType }).reshape(e.shape);
}

/** Assert a tensor equals a fixture tensor: dtype, shape, and values within `tol` (0: exact). */
function assertTensor(got: unknown, want: Enc, what: string, tol = 0): void {
  assert.ok(got instanceof torch.Tensor, `${what}: expected a Tensor, got ${typeof got}`);
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const a = Array.from(got.dataSync());
  const b = want.data.map(Number);
  for (let i = 0; i < b.length; i++)
    assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]} (tol ${tol})`);
}

/** Compare a collated value with PyTorch's, structure and tensors. */
function assertCollated(got: unknown, want: unknown, what: string): void {
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(got), `${what}: expected an array`);
    assert.equal(got.length, want.length, `${what}: length`);
    want.forEach((w, i) => assertCollated(got[i], w, `${what}[${i}]`));
  } else if (want !== null && typeof want === "object" && "dtype" in want && "shape" in want)
    assertTensor(got, want as Enc, what);
  else if (want !== null && typeof want === "object") {
    assert.deepEqual(Object.keys(got as object), Object.keys(want), `${what}: keys`);
    for (const [k, w] of Object.entries(want)) assertCollated((got as Record<string, unknown>)[k], w, `${what}.${k}`);
  } else assert.equal(got, want, what);
}

/** A batch as plain nested arrays (tensors via tolist), for comparisons. */
function plain(v: unknown): unknown {
  if (v instanceof torch.Tensor) return { dtype: v.dtype, value: v.tolist() };
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

async function collect<B>(loader: AsyncIterable<B>): Promise<B[]> {
  const out: B[] = [];
  for await (const b of loader) out.push(b);
  return out;
}

/** An ES module given by its source, importable in the main thread and in workers. */
function moduleUrl(code: string): string {
  return "data:text/javascript," + encodeURIComponent(code);
}

/** Datasets defined in a module of their own, so that worker threads can import them. */
const testModule = moduleUrl(`
import * as torch from ${JSON.stringify(SRC + "index.ts")};
const { Dataset, IterableDataset, getWorkerInfo } = torch.utils.data;
const here = import.meta.url;
/** item i: [i, worker id, a float64 uniform and an int in [0, 1000) from the global generator] */
export class Draws extends Dataset {
  constructor(n) { super(); this.n = n; }
  get length() { return this.n; }
  getItem(i) {
    const w = getWorkerInfo();
    return [i, w ? w.id : -1, torch.rand([1], { dtype: "float64" }).item(), torch.randint(0, 1000, [1]).item()];
  }
  workerSpec() { return { module: here, exportName: "makeDraws", args: [this.n] }; }
}
export function makeDraws(n) { return new Draws(n); }
/** fails at item 'bad' (or never answers when hang is set, or exits the thread when exit is set) */
export class Faulty extends Dataset {
  constructor(n, bad, how) { super(); this.n = n; this.bad = bad; this.how = how; }
  get length() { return this.n; }
  getItem(i) {
    if (i === this.bad) {
      if (this.how === "hang") return new Promise(() => {});
      if (this.how === "exit") process.exit(3);
      throw new RangeError("item " + i + " is cursed");
    }
    return { i, w: getWorkerInfo()?.id ?? -1, seed: String(getWorkerInfo()?.seed ?? -1), tag: globalThis.initTag ?? "" };
  }
  workerSpec() { return { module: here, exportName: "makeFaulty", args: [this.n, this.bad, this.how] }; }
}
export function makeFaulty(n, bad, how) { return new Faulty(n, bad, how); }
export function brokenFactory() { throw new TypeError("cannot build this dataset"); }
export function initTag(id, prefix) { globalThis.initTag = prefix + id; }
/** 0..n-1, each worker yielding its share (i % numWorkers === id), as PyTorch's docs suggest */
export class Stream extends IterableDataset {
  constructor(n) { super(); this.n = n; }
  async *[Symbol.asyncIterator]() {
    const w = getWorkerInfo();
    const id = w ? w.id : 0, k = w ? w.numWorkers : 1;
    for (let i = id; i < this.n; i += k) yield [i, w ? w.id : -1];
  }
  workerSpec() { return { module: here, exportName: "makeStream", args: [this.n] }; }
}
export function makeStream(n) { return new Stream(n); }
`);
const tm = (await import(testModule)) as {
  makeDraws(n: number): torch.utils.data.Dataset;
  makeFaulty(n: number, bad: number, how?: string): torch.utils.data.Dataset;
  makeStream(n: number): torch.utils.data.IterableDataset;
};

// ---------------------------------------------------------------------------------------------

describe("datasets", () => {
  test("TensorDataset: rows of each tensor, length, size mismatch, rebuilt from its worker spec", async () => {
    const x = torch.arange(12).reshape(4, 3).float();
    const y = torch.tensor([7, 8, 9, 10]);
    const ds = new TensorDataset(x, y);
    assert.equal(ds.length, 4);
    const [xi, yi] = ds.getItem(2);
    assert.deepEqual(xi!.tolist(), [6, 7, 8]);
    assert.equal(yi!.item(), 9);
    assert.throws(() => new TensorDataset(x, torch.arange(3)), /Size mismatch/);
    assert.throws(() => new TensorDataset(), /at least one tensor/);
    const copy = (await buildFromSpec(structuredClone(ds.workerSpec()))) as InstanceType<typeof TensorDataset>;
    assert.equal(copy.length, 4);
    assert.deepEqual(
      copy.getItem(3).map((t) => t.tolist()),
      [[9, 10, 11], 10],
    );
    assert.equal(copy.tensors[1]!.dtype, "int64");
    // the shared copy is cached, and refreshed after an in-place change
    assert.equal(ds.workerSpec().args[0], ds.workerSpec().args[0]);
    x.add_(1);
    const again = (await buildFromSpec(ds.workerSpec())) as InstanceType<typeof TensorDataset>;
    assert.deepEqual(again.getItem(0)[0]!.tolist(), [1, 2, 3]);
  });

  test("ConcatDataset: lengths, indexing across parts, negative indices, errors", async () => {
    const a = new TensorDataset(torch.arange(3));
    const b = new TensorDataset(torch.arange(10, 15));
    const c = new TensorDataset(torch.arange(20, 22));
    const cat = new ConcatDataset([a, b, c]);
    assert.equal(cat.length, 10);
    assert.deepEqual(cat.cumulativeSizes, [3, 8, 10]);
    const all = Array.from({ length: 10 }, (_, i) => (cat.getItem(i) as Tensor[])[0]!.item());
    assert.deepEqual(all, [0, 1, 2, 10, 11, 12, 13, 14, 20, 21]);
    assert.equal((cat.getItem(-1) as Tensor[])[0]!.item(), 21);
    assert.equal((cat.getItem(-10) as Tensor[])[0]!.item(), 0);
    assert.throws(() => cat.getItem(10), /out of range/);
    assert.throws(() => cat.getItem(-11), /out of range/);
    assert.throws(() => new ConcatDataset([]), /empty/);
    assert.throws(() => new ConcatDataset([tm.makeStream(3) as never]), /IterableDataset/);
    const copy = (await buildFromSpec(cat.workerSpec())) as InstanceType<typeof ConcatDataset>;
    assert.equal((copy.getItem(5) as Tensor[])[0]!.item(), 12);
  });

  test("Subset: the items at the indices (negative ones too)", () => {
    const ds = new TensorDataset(torch.arange(10, 20));
    const s = new Subset(ds, [9, 0, 4]);
    assert.equal(s.length, 3);
    assert.deepEqual(
      [0, 1, 2, -1].map((i) => (s.getItem(i) as Tensor[])[0]!.item()),
      [19, 10, 14, 14],
    );
    assert.throws(() => s.getItem(3), /out of range/);
  });

  test("randomSplit matches PyTorch's random_split (lengths and fractions, seeded generators)", () => {
    for (const c of fx.randomSplit) {
      const ds = new TensorDataset(torch.arange(c.n));
      let parts;
      if (c.globalSeed !== undefined) {
        torch.manualSeed(c.globalSeed);
        parts = randomSplit(ds, c.lengths);
      } else parts = randomSplit(ds, c.lengths, new torch.Generator().manualSeed(c.seed!));
      const what = `randomSplit(${c.n}, [${c.lengths}])`;
      assert.deepEqual(
        parts.map((p) => p.length),
        c.indices.map((ix) => ix.length),
        `${what}: lengths`,
      );
      assert.deepEqual(
        parts.map((p) => p.indices),
        c.indices,
        `${what}: indices`,
      );
      assert.deepEqual(
        parts.map((p) => Array.from({ length: p.length }, (_, i) => (p.getItem(i) as Tensor[])[0]!.item())),
        c.indices,
        `${what}: items`,
      );
    }
    const ds = new TensorDataset(torch.arange(10));
    assert.throws(
      () => randomSplit(ds, [3, 3]),
      /sum of input lengths \(6\) does not equal the length of the input dataset \(10\)/,
    );
    assert.throws(() => randomSplit(ds, [1.5, -0.5]), /Fraction at index 0 is not between 0 and 1/);
    assert.throws(() => randomSplit(ds, [2.5, 7.5]), /non-negative integers or fractions/);
  });
});

// ---------------------------------------------------------------------------------------------

describe("samplers", () => {
  test("SequentialSampler", () => {
    assert.deepEqual([...new SequentialSampler(5)], [0, 1, 2, 3, 4]);
    const s = new SequentialSampler(new TensorDataset(torch.zeros([3])));
    assert.equal(s.length, 3);
    assert.deepEqual([...s], [0, 1, 2]);
  });

  test("RandomSampler, SubsetRandomSampler, WeightedRandomSampler give PyTorch's orders", () => {
    for (const c of fx.samplers) {
      let s: Iterable<number> & { length: number };
      const g = c.seed !== undefined ? new torch.Generator().manualSeed(c.seed) : undefined;
      if (c.globalSeed !== undefined) torch.manualSeed(c.globalSeed);
      if (c.kind === "RandomSampler")
        s = new RandomSampler(c.n!, {
          generator: g,
          replacement: c.opts!.replacement,
          numSamples: c.opts!.num_samples,
        });
      else if (c.kind === "SubsetRandomSampler") s = new SubsetRandomSampler(c.indices!, g);
      else s = new WeightedRandomSampler(c.weights!, c.numSamples!, c.replacement, g);
      const got = [...s];
      assert.equal(s.length, c.order.length, `${c.kind} ${JSON.stringify(c.opts ?? {})}: length`);
      assert.deepEqual(got, c.order, `${c.kind} ${JSON.stringify(c.opts ?? c.weights)}`);
    }
  });

  test("RandomSampler: a new permutation each pass; errors", () => {
    const s = new RandomSampler(50, { generator: new torch.Generator().manualSeed(0) });
    const a = [...s];
    const b = [...s];
    assert.deepEqual(
      [...a].sort((x, y) => x - y),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.notDeepEqual(a, b);
    assert.throws(() => new RandomSampler(5, { numSamples: 0 }), /numSamples should be a positive integer/);
  });

  test("WeightedRandomSampler: frequencies follow the weights; without replacement all distinct", () => {
    const w = [1, 2, 3, 0, 4];
    const n = 40000;
    const counts = new Array<number>(w.length).fill(0);
    for (const i of new WeightedRandomSampler(w, n, true, new torch.Generator().manualSeed(1))) counts[i]!++;
    const total = w.reduce((a, b) => a + b, 0);
    w.forEach((wi, i) => {
      const p = wi / total;
      const sd = Math.sqrt(n * p * (1 - p) || 1);
      assert.ok(Math.abs(counts[i]! - n * p) < 5 * sd, `category ${i}: ${counts[i]} draws, expected ~${n * p}`);
    });
    assert.equal(counts[3], 0);
    const d = [...new WeightedRandomSampler([5, 1, 1, 1, 1, 1], 6, false, new torch.Generator().manualSeed(2))];
    assert.deepEqual([...d].sort(), [0, 1, 2, 3, 4, 5]);
    assert.throws(() => new WeightedRandomSampler([1, 2], 0), /numSamples should be a positive integer/);
  });

  test("BatchSampler with and without dropLast", () => {
    const s = new SequentialSampler(10);
    const keep = new BatchSampler(s, 3, false);
    assert.deepEqual([...keep], [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    assert.equal(keep.length, 4);
    const drop = new BatchSampler(s, 3, true);
    assert.deepEqual(
      [...drop],
      [
        [0, 1, 2],
        [3, 4, 5],
        [6, 7, 8],
      ],
    );
    assert.equal(drop.length, 3);
    assert.deepEqual(
      [...new BatchSampler(new SequentialSampler(6), 3, true)],
      [
        [0, 1, 2],
        [3, 4, 5],
      ],
    );
    assert.throws(() => new BatchSampler(s, 0, false), /batchSize should be a positive integer/);
  });
});

// ---------------------------------------------------------------------------------------------

describe("defaultCollate", () => {
  test("matches PyTorch's default_collate", () => {
    for (const c of fx.collate) {
      const batch = c.batch.map((b) => (b !== null && typeof b === "object" && "dtype" in b ? fromEnc(b as Enc) : b));
      assertCollated(defaultCollate(batch), c.result, c.name);
    }
  });

  test("typed arrays, bigints, and errors", () => {
    const t = defaultCollate([Float32Array.of(1, 2), Float32Array.of(3, 4)]) as Tensor;
    assert.equal(t.dtype, "float32");
    assert.deepEqual(t.tolist(), [
      [1, 2],
      [3, 4],
    ]);
    const b = defaultCollate([1n, 2n]) as Tensor;
    assert.equal(b.dtype, "int64");
    assert.deepEqual(b.tolist(), [1, 2]);
    assert.throws(() => defaultCollate([[1, 2], [3]]), /equal size/);
    assert.throws(() => defaultCollate([1, "a"]), /sample 0 is a number but sample 1 is string/);
    assert.throws(() => defaultCollate([{ a: 1 }, { b: 2 }]), /sample 1 has no key 'a'/);
    assert.throws(() => defaultCollate([null]), /found null/);
    assert.throws(() => defaultCollate([]), /non-empty/);
  });
});

// ---------------------------------------------------------------------------------------------

describe("DataLoader", () => {
  const xs = torch.arange(20).reshape(10, 2).float();
  const ys = torch.arange(100, 110);
  const ds = new TensorDataset(xs, ys);

  test("batchSize, dropLast, length, batchSize null", async () => {
    const b = await collect(new DataLoader<Tensor[]>(ds, { batchSize: 4 }));
    assert.deepEqual(
      b.map(([x, y]) => [x!.shape, y!.tolist()]),
      [
        [
          [4, 2],
          [100, 101, 102, 103],
        ],
        [
          [4, 2],
          [104, 105, 106, 107],
        ],
        [
          [2, 2],
          [108, 109],
        ],
      ],
    );
    assert.equal(new DataLoader(ds, { batchSize: 4 }).length, 3);
    const d = await collect(new DataLoader<Tensor[]>(ds, { batchSize: 4, dropLast: true }));
    assert.equal(d.length, 2);
    assert.equal(new DataLoader(ds, { batchSize: 4, dropLast: true }).length, 2);
    const single = await collect(new DataLoader<Tensor[]>(ds, { batchSize: null }));
    assert.equal(single.length, 10);
    assert.deepEqual(
      single[3]!.map((t) => t.tolist()),
      [[6, 7], 103],
    );
    assert.equal((await collect(new DataLoader<Tensor[]>(ds)))[0]![0]!.shape.join(), "1,2");
  });

  test("shuffle with a seeded generator gives PyTorch's batches, epoch after epoch", async () => {
    for (const c of fx.loaders) {
      const data = new TensorDataset(torch.arange(c.n));
      let gen: torch.Generator | undefined;
      if (c.globalSeed !== undefined) torch.manualSeed(c.globalSeed);
      else gen = new torch.Generator().manualSeed(c.seed!);
      const dl = new DataLoader<Tensor[]>(data, {
        batchSize: c.batchSize,
        shuffle: true,
        dropLast: c.dropLast,
        generator: gen,
      });
      for (let e = 0; e < c.epochs.length; e++) {
        const got = (await collect(dl)).map(([y]) => y!.tolist());
        assert.deepEqual(got, c.epochs[e], `n=${c.n} batch=${c.batchSize} dropLast=${c.dropLast} epoch ${e}`);
      }
    }
  });

  test("sampler, batchSampler, custom collateFn, option errors", async () => {
    const sampler = new SubsetRandomSampler([1, 3, 5], new torch.Generator().manualSeed(0));
    const viaSampler = await collect(new DataLoader<Tensor[]>(ds, { batchSize: 3, sampler }));
    assert.deepEqual((viaSampler[0]![1]!.tolist() as number[]).sort(), [101, 103, 105]);
    const bs = await collect(new DataLoader<Tensor[]>(ds, { batchSampler: [[9, 0], [5]] }));
    assert.deepEqual(
      bs.map(([, y]) => y!.tolist()),
      [[109, 100], [105]],
    );
    const custom = await collect(
      new DataLoader(ds, { batchSize: 3, collateFn: (items) => items.map((it) => (it as Tensor[])[1]!.item()) }),
    );
    assert.deepEqual(custom, [[100, 101, 102], [103, 104, 105], [106, 107, 108], [109]]);
    assert.throws(() => new DataLoader(ds, { shuffle: true, sampler }), /mutually exclusive with shuffle/);
    assert.throws(() => new DataLoader(ds, { batchSampler: [[0]], batchSize: 2 }), /mutually exclusive/);
    assert.throws(() => new DataLoader(ds, { batchSize: 0 }), /batchSize should be a positive integer/);
    assert.throws(() => new DataLoader(ds, { numWorkers: -1 }), /non-negative/);
    assert.throws(() => new DataLoader(ds, { prefetchFactor: 4 }), /prefetchFactor option could only be specified/);
    assert.throws(() => new DataLoader(ds, { persistentWorkers: true }), /needs numWorkers > 0/);
  });

  test("default collate of numbers, booleans, strings, nested arrays and objects", async () => {
    class Mixed extends Dataset<unknown> {
      get length() {
        return 3;
      }
      getItem(i: number) {
        return {
          id: i,
          score: i + 0.5,
          ok: i % 2 === 0,
          name: `s${i}`,
          pair: [i, [i * 2, `t${i}`]],
          img: torch.full([2], i),
        };
      }
    }
    const [b] = await collect(new DataLoader(new Mixed(), { batchSize: 3 }));
    assert.deepEqual(plain(b), {
      id: { dtype: "int64", value: [0, 1, 2] },
      score: { dtype: "float64", value: [0.5, 1.5, 2.5] },
      ok: { dtype: "bool", value: [true, false, true] },
      name: ["s0", "s1", "s2"],
      pair: [{ dtype: "int64", value: [0, 1, 2] }, [{ dtype: "int64", value: [0, 2, 4] }, ["t0", "t1", "t2"]]],
      img: {
        dtype: "int64",
        value: [
          [0, 0],
          [1, 1],
          [2, 2],
        ],
      }, // torch.full with an integer fill is int64
    });
  });

  test("IterableDataset: batches in stream order, dropLast, no length; async getItem", async () => {
    class Count extends IterableDataset<number> {
      async *[Symbol.asyncIterator]() {
        for (let i = 0; i < 7; i++) yield i;
      }
    }
    const b = await collect(new DataLoader<Tensor>(new Count(), { batchSize: 3 }));
    assert.deepEqual(
      b.map((t) => t.tolist()),
      [[0, 1, 2], [3, 4, 5], [6]],
    );
    const d = await collect(new DataLoader<Tensor>(new Count(), { batchSize: 3, dropLast: true }));
    assert.equal(d.length, 2);
    assert.deepEqual(await collect(new DataLoader(new Count(), { batchSize: null })), [0, 1, 2, 3, 4, 5, 6]);
    assert.throws(() => new DataLoader(new Count()).length, /no length/);
    assert.throws(() => new DataLoader(new Count(), { shuffle: true }), /does not support shuffle/);
    class Slow extends Dataset<number> {
      get length() {
        return 4;
      }
      async getItem(i: number) {
        await new Promise((r) => setTimeout(r, 4 - i));
        return i * 10;
      }
    }
    assert.deepEqual(
      (await collect(new DataLoader<Tensor>(new Slow(), { batchSize: 4 })))[0]!.tolist(),
      [0, 10, 20, 30],
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe("DataLoader workers", () => {
  test("numWorkers 0 and 2 give identical batches (TensorDataset, shuffled; Subset; ConcatDataset)", async () => {
    const x = torch.randn([37, 3], { generator: new torch.Generator().manualSeed(3) });
    const y = torch.arange(37);
    const ds = new TensorDataset(x, y);
    for (const data of [
      ds,
      new Subset(ds, [5, 1, 30, 2, 8, 13, 21]),
      new ConcatDataset([ds, ds]),
    ] as torch.utils.data.Dataset[]) {
      const run = (numWorkers: number) =>
        collect(
          new DataLoader(data, {
            batchSize: 5,
            shuffle: true,
            numWorkers,
            generator: new torch.Generator().manualSeed(8),
          }),
        );
      const [a, b] = [await run(0), await run(2)];
      assert.ok(a.length > 1);
      assert.deepEqual(plain(b), plain(a));
    }
    assert.equal(liveWorkerCount(), 0);
  });

  test("Fashion-MNIST with transforms: identical batches with 0 and 2 workers", async () => {
    const transform = T.Compose([T.ToTensor(), T.Normalize([0.286], [0.353])]) as (img: Tensor) => Tensor;
    const full = await FashionMNIST.load(SUBSET, { train: false, transform });
    const data = new Subset(
      full,
      Array.from({ length: 150 }, (_, i) => i * 3),
    );
    const run = (numWorkers: number) =>
      collect(
        new DataLoader<Tensor[]>(data, {
          batchSize: 32,
          shuffle: true,
          numWorkers,
          generator: new torch.Generator().manualSeed(1),
        }),
      );
    const [a, b] = [await run(0), await run(2)];
    assert.equal(b.length, 5);
    for (let k = 0; k < a.length; k++) {
      assert.deepEqual(b[k]![0]!.shape, a[k]![0]!.shape);
      assert.equal(b[k]![0]!.dtype, "float32");
      assert.ok(torch.equal(b[k]![0]!, a[k]![0]!), `batch ${k} images`);
      assert.deepEqual(b[k]![1]!.tolist(), a[k]![1]!.tolist());
    }
  });

  test("per-worker seeding (base seed + worker id) and batch order match PyTorch's DataLoader", async () => {
    const w = fx.workerDraws;
    const dl = new DataLoader(tm.makeDraws(9), {
      batchSize: w.batchSize,
      numWorkers: w.numWorkers,
      generator: new torch.Generator().manualSeed(w.seed),
    });
    const got = await collect(dl);
    assert.equal(got.length, w.batches.length);
    got.forEach((b, k) => assertCollated(b, w.batches[k], `batch ${k}`));
  });

  test("getWorkerInfo: null on the main thread; in workers the seed is PyTorch's base seed + id", async () => {
    assert.equal(getWorkerInfo(), null);
    for (const s of fx.baseSeeds) {
      const dl = new DataLoader<{ w: Tensor; seed: string[] }>(tm.makeFaulty(4, -1), {
        batchSize: 1,
        numWorkers: 2,
        generator: new torch.Generator().manualSeed(s.seed),
      });
      const got = await collect(dl);
      const base = BigInt(s.baseSeed);
      assert.deepEqual(
        got.map((b) => [b.w.item(), b.seed[0]]),
        [0, 1, 0, 1].map((id) => [id, String(base + BigInt(id))]),
        `generator seed ${s.seed}`,
      );
    }
  });

  test("workerInitFn runs in each worker before loading", async () => {
    const dl = new DataLoader<{ tag: string[] }>(tm.makeFaulty(4, -1), {
      batchSize: 2,
      numWorkers: 2,
      workerInitFn: { module: testModule, exportName: "initTag", args: ["worker-"] },
    });
    assert.deepEqual(
      (await collect(dl)).map((b) => b.tag),
      [
        ["worker-0", "worker-0"],
        ["worker-1", "worker-1"],
      ],
    );
  });

  test("IterableDataset in workers: each worker streams its share, round-robin batches", async () => {
    const b = await collect(new DataLoader<Tensor[]>(tm.makeStream(11), { batchSize: 2, numWorkers: 2 }));
    // worker 0 yields 0,2,4,6,8,10 and worker 1 yields 1,3,5,7,9; batches alternate until one runs out
    assert.deepEqual(
      b.map(([i, w]) => [i!.tolist(), w!.tolist()]),
      [
        [
          [0, 2],
          [0, 0],
        ],
        [
          [1, 3],
          [1, 1],
        ],
        [
          [4, 6],
          [0, 0],
        ],
        [
          [5, 7],
          [1, 1],
        ],
        [
          [8, 10],
          [0, 0],
        ],
        [[9], [1]],
      ],
    );
    const d = await collect(
      new DataLoader<Tensor[]>(tm.makeStream(11), { batchSize: 2, numWorkers: 2, dropLast: true }),
    );
    assert.equal(d.length, 5); // each worker drops its own partial batch, as in PyTorch
  });

  test("an error in a worker reaches the consumer with its message and stack", async () => {
    const dl = new DataLoader(tm.makeFaulty(10, 5), { batchSize: 2, numWorkers: 2 });
    const seen: unknown[] = [];
    await assert.rejects(
      async () => {
        for await (const b of dl) seen.push(b);
      },
      (e: unknown) => {
        assert.ok(e instanceof DataLoaderWorkerError);
        assert.match(e.message, /Caught RangeError in DataLoader worker 0: item 5 is cursed/);
        assert.equal(e.workerId, 0);
        assert.equal(e.originalName, "RangeError");
        assert.match(e.workerStack, /getItem/);
        assert.match(String(e.stack), /Original stack in DataLoader worker 0/);
        return true;
      },
    );
    assert.equal(seen.length, 2); // batches 0 and 1 arrived, batch 2 (items 4, 5) failed
    assert.equal(liveWorkerCount(), 0);
  });

  test("a dataset that cannot be built, a crashing worker, a timeout: clear errors, no hang", async () => {
    const broken = tm.makeFaulty(4, -1);
    withWorkerSpec(broken, { module: testModule, exportName: "brokenFactory", args: [] });
    await assert.rejects(
      collect(new DataLoader(broken, { numWorkers: 1 })),
      /Caught TypeError in DataLoader worker 0 while starting: cannot build this dataset/,
    );
    await assert.rejects(
      collect(new DataLoader(tm.makeFaulty(4, 1, "exit"), { numWorkers: 2 })),
      /DataLoader worker 1 exited unexpectedly with code 3/,
    );
    await assert.rejects(
      collect(new DataLoader(tm.makeFaulty(4, 2, "hang"), { numWorkers: 2, timeout: 1 })),
      /DataLoader timed out after 1 seconds waiting for batch 2 from worker 0/,
    );
    assert.equal(liveWorkerCount(), 0);
  });

  test("breaking out early shuts the workers down; prefetch is bounded", async () => {
    let pulled = 0;
    const sampler = {
      length: 1000,
      *[Symbol.iterator]() {
        for (let i = 0; i < 1000; i++) {
          pulled++;
          yield i % 10;
        }
      },
    };
    const dl = new DataLoader<Tensor[]>(new TensorDataset(torch.arange(10)), {
      batchSize: 1,
      sampler,
      numWorkers: 2,
      prefetchFactor: 3,
    });
    let n = 0;
    for await (const [x] of dl) {
      assert.equal(x!.item(), n % 10);
      // 2 workers x 3 batches in flight, plus the one sent when this batch arrived
      assert.equal(pulled, 7 + n, `indices pulled when batch ${n} arrived`);
      if (++n === 5) break;
    }
    assert.equal(liveWorkerCount(), 0);
  });

  test("persistent workers survive epochs and give the same batches as fresh ones", async () => {
    const data = new TensorDataset(torch.arange(12));
    const opts = { batchSize: 4, shuffle: true, numWorkers: 2 } as const;
    const fresh = new DataLoader<Tensor[]>(data, { ...opts, generator: new torch.Generator().manualSeed(4) });
    const kept = new DataLoader<Tensor[]>(data, {
      ...opts,
      persistentWorkers: true,
      generator: new torch.Generator().manualSeed(4),
    });
    for (let e = 0; e < 2; e++) {
      const a = (await collect(fresh)).map(([y]) => y!.tolist());
      const b = (await collect(kept)).map(([y]) => y!.tolist());
      assert.deepEqual(b, a, `epoch ${e}`);
      assert.equal(liveWorkerCount(), 2);
    }
    for await (const _ of kept) break; // an early break keeps them too
    assert.equal(liveWorkerCount(), 2);
    assert.equal((await collect(kept)).length, 3);
    await kept.close();
    assert.equal(liveWorkerCount(), 0);
  });

  test("outside Node (no process object) workers are refused with a clear error", async () => {
    const dl = new DataLoader(new TensorDataset(torch.arange(4)), { numWorkers: 1 });
    const it = dl[Symbol.asyncIterator]();
    const desc = Object.getOwnPropertyDescriptor(globalThis, "process")!;
    Object.defineProperty(globalThis, "process", { value: undefined, configurable: true, writable: true });
    let first: Promise<unknown>;
    try {
      first = it.next(); // runs synchronously up to the Node check
    } finally {
      Object.defineProperty(globalThis, "process", desc);
    }
    await assert.rejects(first, /numWorkers > 0 needs Node.js worker_threads; in a browser, use numWorkers: 0/);
    assert.equal(liveWorkerCount(), 0);
  });

  test("datasets and transforms that cannot go to a worker are refused clearly", async () => {
    class Plain extends Dataset<number> {
      get length() {
        return 2;
      }
      getItem(i: number) {
        return i;
      }
    }
    assert.throws(() => new DataLoader(new Plain(), { numWorkers: 2 }), /Plain has no workerSpec\(\) method/);
    const imgs = torch.zeros([2, 4, 4], { dtype: "uint8" });
    const labels = torch.tensor([0, 1]);
    const lambda = new MNIST(imgs, labels, (img: Tensor) => img.float());
    await assert.rejects(collect(new DataLoader(lambda, { numWorkers: 1 })), /the transform is a plain function/);
    const own = new MNIST(imgs, labels, T.RandomCrop(2, { generator: new torch.Generator() }));
    await assert.rejects(
      collect(new DataLoader(own, { numWorkers: 1 })),
      /RandomCrop.workerSpec\(\): a transform with its own generator/,
    );
    await assert.rejects(
      collect(new DataLoader(new Subset(new Plain(), [0]), { numWorkers: 1 })),
      /wrapped Plain has no workerSpec/,
    );
    assert.equal(liveWorkerCount(), 0);
  });
});

// ---------------------------------------------------------------------------------------------

function weighted(bytes: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < bytes.length; i++) s = (s + (i % 9973) * bytes[i]!) % (2 ** 31 - 1);
  return s;
}

async function checkSummary(root: string, want: Summary): Promise<void> {
  for (const split of ["train", "t10k"] as const) {
    const ds = await FashionMNIST.load(root, { train: split === "train" });
    const w = want[split];
    assert.deepEqual(ds.images.shape, w.imageShape, `${split} images`);
    assert.deepEqual(ds.targets.shape, w.labelShape, `${split} labels`);
    assert.equal(ds.images.dtype, "uint8");
    assert.equal(ds.targets.dtype, "int64");
    assert.deepEqual(Array.from(ds.targets.dataSync().subarray(0, 20)), w.firstLabels);
    const px = ds.images.dataSync();
    let sum = 0;
    for (let i = 0; i < px.length; i++) sum += px[i]!;
    assert.equal(sum, w.pixelSum, `${split} pixel sum`);
    assert.equal(weighted(px), w.pixelWeighted, `${split} weighted checksum`);
    assert.deepEqual(torch.bincount(ds.targets, null, 10).tolist(), w.labelCounts);
    const [img, label] = ds.getItem(0);
    assert.deepEqual(img.select(0, 14).tolist(), w.image0Row14);
    assert.equal(label, w.firstLabels[0]);
  }
}

describe("vision datasets", () => {
  test("the embedded Fashion-MNIST subset: shapes, labels, pixel checksums (Python's gzip reader)", async () => {
    await checkSummary(SUBSET, fx.subset);
  });

  test(
    "FashionMNIST.load() defaults to Debian's full dataset",
    { skip: !fx.debian || !existsSync(DEBIAN_FASHION_MNIST) },
    async () => {
      await checkSummary(DEBIAN_FASHION_MNIST, fx.debian!);
      const ds = await FashionMNIST.load();
      assert.equal(ds.length, 60000);
      assert.equal(FashionMNIST.classes[ds.getItem(0)[1]], "Ankle boot");
    },
  );

  test("uncompressed files, fromIdx, and clear errors for missing, truncated and corrupt files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "torchts-idx-"));
    try {
      const header = (magic: number, dims: number[]) => {
        const b = Buffer.alloc(4 + 4 * dims.length);
        b.writeUInt32BE(magic, 0);
        dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
        return b;
      };
      const images = Buffer.concat([header(0x803, [2, 2, 3]), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])]);
      const labels = Buffer.concat([header(0x801, [2]), Buffer.from([4, 7])]);
      writeFileSync(join(dir, "train-images-idx3-ubyte"), images);
      writeFileSync(join(dir, "train-labels-idx1-ubyte.gz"), gzipSync(labels));
      const ds = await MNIST.load(dir);
      assert.deepEqual(ds.images.tolist(), [
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        [
          [7, 8, 9],
          [10, 11, 12],
        ],
      ]);
      assert.deepEqual(ds.targets.tolist(), [4, 7]);
      const fromBytes = await MNIST.fromIdx(gzipSync(images), labels);
      assert.deepEqual(fromBytes.getItem(1)[0].tolist(), [
        [7, 8, 9],
        [10, 11, 12],
      ]);

      await assert.rejects(
        MNIST.load(dir, { train: false }),
        /neither .*t10k-images-idx3-ubyte.gz nor .*t10k-images-idx3-ubyte exists/,
      );
      writeFileSync(join(dir, "train-images-idx3-ubyte"), images.subarray(0, images.length - 5));
      await assert.rejects(
        MNIST.load(dir),
        /train-images-idx3-ubyte: truncated: expected 12 data bytes for shape \[2, 2, 3\], found 7/,
      );
      writeFileSync(join(dir, "train-images-idx3-ubyte"), images.subarray(0, 10));
      await assert.rejects(MNIST.load(dir), /truncated header: 3 dims need 16 bytes, the file has 10/);
      writeFileSync(join(dir, "train-images-idx3-ubyte"), Buffer.concat([images, Buffer.from([0])]));
      await assert.rejects(MNIST.load(dir), /too long: expected 12 data bytes/);
      writeFileSync(join(dir, "train-images-idx3-ubyte"), Buffer.concat([header(0x0d03, [2, 2, 3]), Buffer.alloc(48)]));
      await assert.rejects(MNIST.load(dir), /not an unsigned-byte idx file \(magic 0x00000d03/);
      writeFileSync(join(dir, "train-images-idx3-ubyte"), images);
      const gz = gzipSync(labels);
      writeFileSync(join(dir, "train-labels-idx1-ubyte.gz"), gz.subarray(0, gz.length - 12));
      await assert.rejects(MNIST.load(dir), /train-labels-idx1-ubyte.gz: corrupt gzip data/);
      writeFileSync(
        join(dir, "train-labels-idx1-ubyte.gz"),
        Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
      );
      await assert.rejects(MNIST.load(dir), /train-labels-idx1-ubyte.gz: corrupt gzip data/);
      writeFileSync(
        join(dir, "train-labels-idx1-ubyte.gz"),
        gzipSync(Buffer.concat([header(0x801, [3]), Buffer.from([4, 7, 1])])),
      );
      await assert.rejects(MNIST.load(dir), /MNIST: 2 images but 3 labels/);
      assert.throws(() => parseIdx(Uint8Array.of(0, 0)), /too short/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("vision transforms", () => {
  const tf = fx.transforms;

  test("ToTensor and Normalize", () => {
    const img = fromEnc(tf.image);
    const t = T.ToTensor()(img);
    assertTensor(t, tf.toTensor, "ToTensor", 0);
    assert.deepEqual(T.ToTensor()(img.select(2, 0)).shape, [1, 4, 5]);
    assert.throws(() => T.ToTensor()(torch.zeros([2])), /expected an image of shape/);
    const n = T.Normalize(tf.mean, tf.std)(t);
    assertTensor(n, tf.normalized, "Normalize", 1e-6);
    assert.throws(() => T.Normalize([0.5], [0.5])(img.permute(2, 0, 1)), /should be a float tensor. Got uint8/);
    assert.throws(() => T.Normalize([0.5, 0.5], [1, 1])(t), /C = 2/);
    assert.throws(() => T.Normalize([0.5], [0]), /std evaluated to zero/);
    // explicit values: (x - m) / s
    assert.deepEqual(T.Normalize([1], [2])(torch.tensor([[[3, 5]]], { dtype: "float32" })).tolist(), [[[1, 2]]]);
  });

  test("RandomCrop with padding and RandomHorizontalFlip draw as torchvision does", () => {
    const chw = fromEnc(tf.chw);
    torch.manualSeed(tf.cropSeed);
    const crop = T.RandomCrop([3, 4], { padding: 2 });
    tf.crops.forEach((want, k) => assertTensor(crop(chw), want, `crop ${k}`));
    assert.equal(torch.rand([1]).item(), tf.afterCrop); // exactly two draws per crop
    torch.manualSeed(tf.flipSeed);
    const flip = T.RandomHorizontalFlip(0.5);
    tf.flips.forEach((want, k) => assertTensor(flip(chw), want, `flip ${k}`));
    // explicit small case: padding 1 around [[1, 2], [3, 4]], a crop at the top-left corner
    const g = new torch.Generator().manualSeed(0);
    const p = T.RandomCrop(4, { padding: 1, generator: g })(
      torch.tensor([
        [1, 2],
        [3, 4],
      ]),
    );
    assert.deepEqual(p.tolist(), [
      [0, 0, 0, 0],
      [0, 1, 2, 0],
      [0, 3, 4, 0],
      [0, 0, 0, 0],
    ]);
    // no draw when the image already has the crop size
    const g2 = new torch.Generator().manualSeed(5);
    const before = g2.getState();
    T.RandomCrop(2, { generator: g2 })(torch.ones([2, 2]));
    assert.ok(torch.equal(g2.getState(), before));
    assert.throws(
      () => T.RandomCrop(5)(torch.ones([3, 3])),
      /required crop size \(5, 5\) is larger than input image size \(3, 3\)/,
    );
    // padIfNeeded pads both sides by the missing size: [3, 2] -> [3, 6] rows 9 9 1 1 9 9, then a 3x4 window
    const padded = T.RandomCrop([3, 4], { padIfNeeded: true, fill: 9, generator: g2 })(
      torch.ones([3, 2]),
    ).tolist() as number[][];
    assert.equal(padded.length, 3);
    const row = [9, 9, 1, 1, 9, 9];
    const at = [0, 1, 2].find((j) => row.slice(j, j + 4).join() === padded[0]!.join());
    assert.ok(at !== undefined, `row ${padded[0]} is not a window of ${row}`);
    assert.ok(padded.every((r) => r.join() === padded[0]!.join()));
  });

  test("Compose applies in order and is rebuilt from its spec with the same result", async () => {
    const x = torch.tensor(
      [
        [10, 20],
        [30, 40],
      ],
      { dtype: "uint8" },
    );
    const c = T.Compose([T.ToTensor(), T.Normalize([0.5], [0.5]), T.RandomHorizontalFlip(1)]) as (
      img: Tensor,
    ) => Tensor;
    const n = (v: number) => (v / 255 - 0.5) / 0.5;
    const got = c(x); // to [0, 1], normalized, then flipped left-right
    assertTensor(got, { dtype: "float32", shape: [1, 2, 2], data: [n(20), n(10), n(40), n(30)] }, "Compose", 1e-6);
    const rebuilt = (await buildFromSpec(
      structuredClone((c as unknown as { workerSpec(): torch.utils.data.WorkerSpec }).workerSpec()),
    )) as (img: Tensor) => Tensor;
    assert.ok(torch.equal(rebuilt(x), got));
    const bad = T.Compose([T.ToTensor(), (v: Tensor) => v]);
    assert.throws(
      () => (bad as unknown as { workerSpec(): unknown }).workerSpec(),
      /transform 1 .* cannot be rebuilt in a worker/,
    );
  });
});

describe("ProgressBar", () => {
  test("line format, rate, time left, postfix; printed every printEvery seconds and at close", async () => {
    let now = 1000;
    const lines: string[] = [];
    const bar = new torch.utils.ProgressBar({
      total: 10,
      desc: "epoch 1/2",
      unit: "samples",
      width: 10,
      printEvery: 5,
      write: (s) => lines.push(s),
      now: () => now,
    });
    now += 2000;
    bar.update(1, 64);
    bar.setPostfix({ loss: 0.123456, acc: "88.2%", big: 12345 });
    now += 2000;
    bar.update(2, 128);
    now += 4000;
    bar.update(1, 64);
    bar.close();
    bar.close();
    assert.deepEqual(lines, [
      "epoch 1/2:  10%|#         | 1/10 [00:02<00:18, 32.0 samples/s]\n",
      "epoch 1/2:  40%|####      | 4/10 [00:08<00:12, 32.0 samples/s] loss=0.1235, acc=88.2%, big=1.235e+4\n",
      "epoch 1/2:  40%|####      | 4/10 [00:08<00:12, 32.0 samples/s] loss=0.1235, acc=88.2%, big=1.235e+4\n",
    ]);
    assert.equal(torch.utils.formatTime(3725), "1:02:05");
    assert.equal(torch.utils.formatTime(NaN), "?");
  });

  test("in place on a terminal; tqdm over a DataLoader with and without a length", async () => {
    let now = 0;
    const out: string[] = [];
    const bar = new torch.utils.ProgressBar({ write: (s) => out.push(s), inPlace: true, now: () => now });
    now = 500;
    bar.update(3);
    bar.close();
    assert.deepEqual(out, ["\r3 [00:00<?, 6.0 it/s]\x1b[K", "\r3 [00:00<?, 6.0 it/s]\x1b[K\n"]);
    const seen: string[] = [];
    const dl = new DataLoader(new TensorDataset(torch.arange(6)), { batchSize: 2 });
    let n = 0;
    for await (const _ of torch.utils.tqdm(dl, { write: (s) => seen.push(s), printEvery: 1e9 })) n++;
    assert.equal(n, 3);
    assert.match(seen[0]!, /^ 33%\|#+ +\| 1\/3 \[/);
    assert.match(seen[seen.length - 1]!, /^100%\|#+\| 3\/3 \[/);
    class Count extends IterableDataset<number> {
      async *[Symbol.asyncIterator]() {
        yield* [1, 2, 3];
      }
    }
    const it: string[] = [];
    for await (const _ of torch.utils.tqdm(new DataLoader(new Count()), { write: (s) => it.push(s), printEvery: 1e9 }));
    assert.match(it[it.length - 1]!, /^3 \[/);
  });
});
