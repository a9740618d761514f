// The CPU benchmark's case table (issue 4, "Fast CPU"): every case is defined here once, as a plain JSON
// spec that each contender (torchts, TF.js, PyTorch in bench/cpu/torch_cases.py) implements, plus the
// issue's target for it. `--quick` swaps in tiny sizes for a smoke run.

/** What one case computes per timed call; the same JSON is handed to every contender's process. */
export type CaseSpec =
  | { kind: "matmul"; n: number }
  | { kind: "conv"; batch: number; size: number; backward: boolean }
  | { kind: "train"; model: "mlp" | "cnn"; optim: "sgd" | "adam"; batch: number }
  | { kind: "chain"; n: number }
  | { kind: "add"; n: number; calls: number }
  | { kind: "infer"; model: "mlp" | "cnn"; batch: number }
  | { kind: "epoch"; batch: number; images: number; dir: string };

/** The goal for a case; `ratio` bounds torchts native / PyTorch, `us` an absolute time. */
export interface Target {
  readonly text: string;
  readonly ratio?: number;
  readonly us?: number;
}

/** One row of the benchmark table. */
export interface BenchCase {
  /** Unique name, also what `--cases` matches (by group or by id). */
  readonly id: string;
  readonly group: "matmul" | "conv" | "train" | "chain" | "add" | "infer" | "epoch";
  readonly title: string;
  readonly spec: CaseSpec;
  readonly target?: Target;
  /** One timed call per process (no warm-up call of its own): the Fashion-MNIST epoch. */
  readonly single?: boolean;
}

/** Where the epoch case reads Fashion-MNIST from, and which set that is. */
export interface EpochData {
  readonly dir: string;
  readonly name: string;
  readonly images: number;
}

/**
 * Builds the case list; `quick` uses tiny sizes (a smoke run of the machinery, not a measurement), to
 * which the targets do not apply.
 */
export function buildCases(quick: boolean, epoch: EpochData): BenchCase[] {
  const cases = fullCases(quick, epoch);
  return quick ? cases.map((c) => ({ ...c, target: undefined })) : cases;
}

function fullCases(quick: boolean, epoch: EpochData): BenchCase[] {
  const cases: BenchCase[] = [];
  for (const n of quick ? [32, 64] : [128, 256, 512, 1024, 2048])
    cases.push({
      id: `matmul-${n}`,
      group: "matmul",
      title: `matmul ${n}x${n} @ ${n}x${n}`,
      spec: { kind: "matmul", n },
      target: n >= 256 ? { text: "<= 1.05", ratio: 1.05 } : undefined,
    });
  const conv = quick ? { batch: 2, size: 8 } : { batch: 32, size: 28 };
  const convTitle = `conv 1->32->64 3x3 pad 1, ${conv.batch}x${conv.size}x${conv.size}`;
  cases.push(
    { id: "conv-fwd", group: "conv", title: `${convTitle}, forward`, spec: { kind: "conv", ...conv, backward: false } },
    {
      id: "conv-fwdbwd",
      group: "conv",
      title: `${convTitle}, forward+backward`,
      spec: { kind: "conv", ...conv, backward: true },
      target: { text: "<= 1.2", ratio: 1.2 },
    },
  );
  for (const model of ["mlp", "cnn"] as const)
    for (const optim of ["sgd", "adam"] as const) {
      const batch = quick ? 4 : model === "mlp" ? 128 : 64;
      cases.push({
        id: `train-${model}-${optim}`,
        group: "train",
        title: `${model === "mlp" ? "MLP 784-256-256-10" : "README CNN"} train step, ${optim === "sgd" ? "SGD" : "Adam"}, batch ${batch}`,
        spec: { kind: "train", model, optim, batch },
        target: { text: "<= 1.2", ratio: 1.2 },
      });
    }
  for (const n of quick ? [1e4] : [1e6, 1e7])
    cases.push({
      id: `chain-${n.toExponential().replace("+", "")}`,
      group: "chain",
      title: `relu(x*w+b), ${n.toExponential().replace("+", "")} elements`,
      spec: { kind: "chain", n },
      target: { text: "< 1 (faster than eager)", ratio: 1 },
    });
  cases.push({
    id: "add-16",
    group: "add",
    title: "dispatch: add of two 16-element tensors (per call)",
    spec: { kind: "add", n: 16, calls: quick ? 100 : 2000 },
    target: { text: "<= 2 us", us: 2 },
  });
  for (const model of ["mlp", "cnn"] as const)
    for (const batch of quick ? [1, 2] : [1, 64])
      cases.push({
        id: `infer-${model}-b${batch}`,
        group: "infer",
        title: `${model === "mlp" ? "MLP" : "CNN"} inference, batch ${batch}`,
        spec: { kind: "infer", model, batch },
        target: batch === 1 ? { text: "<= 1.5", ratio: 1.5 } : undefined,
      });
  const images = quick ? Math.min(epoch.images, 256) : epoch.images;
  cases.push({
    id: "epoch-cnn",
    group: "epoch",
    title: `one epoch of the README CNN (Adam, batch 64), ${images} images`,
    spec: { kind: "epoch", batch: 64, images, dir: epoch.dir },
    single: true,
  });
  return cases;
}

/** The cases whose id or group is in `names` (all when `names` is empty), in table order. */
export function selectCases(all: readonly BenchCase[], names: readonly string[]): BenchCase[] {
  if (names.length === 0) return [...all];
  const unknown = names.filter((n) => !all.some((c) => c.id === n || c.group === n));
  if (unknown.length)
    throw new Error(
      `bench: unknown case(s) ${unknown.join(", ")}; known groups: ${[...new Set(all.map((c) => c.group))].join(", ")}; ids: ${all.map((c) => c.id).join(", ")}`,
    );
  return all.filter((c) => names.includes(c.id) || names.includes(c.group));
}
