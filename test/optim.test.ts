// torch.optim against PyTorch 1.13 (fixtures from tools/gen_optim_fixtures.py): every optimizer and
// option combination follows PyTorch's parameter trajectory and ends with PyTorch's state dict;
// PyTorch's mid-run state dict loads and continues the same trajectory; every scheduler gives PyTorch's
// lr sequence and state dict. Plus param groups, zeroGrad, addParamGroup and the error cases.
//
// Tolerances. float64 runs: the same arithmetic as PyTorch's up to summation order in matmul/mean and
// 1-ulp differences of libm (tanh, pow), so values agree to ~1e-14 relative; we allow rtol 1e-9 plus
// atol 1e-12. float32 runs: torchts rounds to float32 at the same points as PyTorch but computes a
// scalar operand in float64 where PyTorch first rounds it to float32, and sums in another order, so
// each op may differ by about one float32 ulp (6e-8 relative); over 5 steps of a normalised update
// (Adam's m/√v can amplify a relative gradient error by ~2x) that stays below rtol 1e-5 plus atol 1e-6
// (atol for the elements near zero). LBFGS in float32 is ill-conditioned on this problem (its
// curvature pairs are differences of nearby gradients; PyTorch's own float32 and float64 runs drift
// apart by up to 3e-2): it must agree with PyTorch's float32 run within twice that measured drift, and
// its float64 runs carry the tight check. Each tolerance is stated again where it is used.
// Learning rates are float64 computations of the same formulas: rtol 1e-12 (cos/pow may differ by an ulp).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../src/index.js";
import { adamLoop, sgdLoop } from "../src/backends/cpu/optim_loops.js";

const { optim } = torch;
const S = optim.lrScheduler;
type Tensor = torch.Tensor;
type DType = "float32" | "float64";

interface EncTensor {
  dtype: string;
  shape: number[];
  data: number[];
}
interface OptFixture {
  optimizer: string;
  kwargs: Record<string, unknown>;
  groups: ({ params: number[] } & Record<string, unknown>)[] | null;
  steps: number;
  dtype: DType;
  trajectory: number[][][];
  losses: number[];
  mid: { step: number; state_dict: PyStateDict };
  final_state_dict: PyStateDict;
  /** PyTorch's run resumed from `mid` in a fresh optimizer (loading casts state to the params' dtype). */
  resumed: { trajectory: number[][][]; final_state_dict: PyStateDict };
}
interface PyStateDict {
  state: Record<string, Record<string, unknown>>;
  param_groups: Record<string, unknown>[];
}
interface SchedFixture {
  scheduler: string;
  kwargs: Record<string, unknown>;
  optimizer: "SGD" | "Adam";
  /** When given, step k is `step(epochs[k])` (closed forms, fractional epochs). */
  epochs: number[] | null;
  sequence: { lr: number[]; last_lr: number[] | null; momentum: number[] }[];
  state_dict: Record<string, unknown>;
}
const fx = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "optim.json"), "utf8")) as {
  problem: { W: number[][]; b: number[]; c: number[]; x: number[][]; y: number[][] };
  optimizers: OptFixture[];
  rosenbrock: {
    kwargs: Record<string, unknown>;
    start: number[];
    trajectory: number[][];
    losses: number[];
    final_state_dict: PyStateDict;
  }[];
  metrics: number[];
  schedulers: SchedFixture[];
};

// ---------------------------------------------------------------------------------------------
// helpers

type Tol = { rtol: number; atol: number };

function tol(f: OptFixture, step = f.steps): Tol {
  if (f.dtype === "float64") return { rtol: 1e-9, atol: 1e-12 };
  if (f.optimizer !== "LBFGS") return { rtol: 1e-5, atol: 1e-6 };
  // LBFGS in float32 amplifies rounding (its curvature pairs are differences of nearby gradients): the
  // bound is twice the distance between PyTorch's own float32 and float64 runs at this step
  const twin = fx.optimizers.find(
    (g) =>
      g.dtype === "float64" && g.optimizer === f.optimizer && JSON.stringify(g.kwargs) === JSON.stringify(f.kwargs),
  )!;
  let spread = 0;
  f.trajectory[step - 1]!.forEach((p, i) =>
    p.forEach((v, j) => (spread = Math.max(spread, Math.abs(v - twin.trajectory[step - 1]![i]![j]!)))),
  );
  return { rtol: 1e-5, atol: Math.max(1e-5, 2 * spread) };
}

/** Every |a - e| <= atol + rtol |e|, with the worst offender in the message. */
function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  t: { rtol: number; atol: number },
  what: string,
) {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} vs ${expected.length}`);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const excess = a === e ? 0 : Math.abs(a - e) - (t.atol + t.rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0)
    assert.fail(
      `${what}: element ${worst} is ${actual[worst]}, PyTorch gives ${expected[worst]} (rtol ${t.rtol}, atol ${t.atol})`,
    );
}

function flat(t: Tensor): number[] {
  return Array.from(t.dataSync());
}

function isEnc(v: unknown): v is EncTensor {
  return typeof v === "object" && v !== null && "dtype" in v && "shape" in v && "data" in v;
}

/** A fixture state value as torchts values (tensors rebuilt from their dtype, shape and data). */
function decode(v: unknown): unknown {
  if (isEnc(v)) return torch.tensor(v.data, { dtype: v.dtype }).reshape(v.shape);
  if (Array.isArray(v)) return v.map(decode);
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
  return v;
}

const snakeToCamel = (k: string) => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
function camelKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [snakeToCamel(k), v]));
}

/** The fixed problem of the generator: loss = mean((tanh(x Wᵀ + b) − y)²) + 0.01 Σ W⁴; c is unused. */
function problem(dtype: DType, values?: number[][]) {
  const p = fx.problem;
  const mk = (v: number[] | number[][], i: number, shape: number[]) =>
    (values ? torch.tensor(values[i]!, { dtype }).reshape(shape) : torch.tensor(v, { dtype })).requiresGrad_(true);
  const W = mk(p.W, 0, [3, 4]);
  const b = mk(p.b, 1, [3]);
  const c = mk(p.c, 2, [2]);
  const x = torch.tensor(p.x, { dtype });
  const y = torch.tensor(p.y, { dtype });
  const loss = () => torch.tanh(x.matmul(W.t()).add(b)).sub(y).pow(2).mean().add(W.pow(4).sum().mul(0.01));
  return { params: [W, b, c], loss };
}

type AnyOptimizer = torch.optim.Optimizer<object>;
const OPTIMIZERS: Record<string, new (params: never, options: never) => AnyOptimizer> = {
  SGD: optim.SGD,
  Adam: optim.Adam,
  AdamW: optim.AdamW,
  RMSprop: optim.RMSprop,
  Adagrad: optim.Adagrad,
  Adadelta: optim.Adadelta,
  Adamax: optim.Adamax,
  NAdam: optim.NAdam,
  RAdam: optim.RAdam,
  LBFGS: optim.LBFGS,
};

function makeOptimizer(f: OptFixture, params: Tensor[]): AnyOptimizer {
  const Cls = OPTIMIZERS[f.optimizer]!;
  const arg = f.groups ? f.groups.map((g) => ({ ...camelKeys(g), params: g.params.map((i) => params[i]!) })) : params;
  return new Cls(arg as never, camelKeys(f.kwargs) as never);
}

/** One training step as the generator takes it (LBFGS through its closure). */
function trainStep(opt: AnyOptimizer, loss: () => Tensor, name: string): number {
  const closure = () => {
    opt.zeroGrad();
    const l = loss();
    l.backward();
    return l;
  };
  if (name === "LBFGS") return (opt.step(closure) as Tensor).item();
  const l = closure();
  opt.step();
  return l.item();
}

function caseName(f: OptFixture): string {
  const kw = Object.entries(f.kwargs)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(", ");
  return `${f.optimizer}(${kw})${f.groups ? " with param groups" : ""} ${f.dtype}`;
}

/**
 * Compare a torchts state value with PyTorch's (tensors by values, dtype and shape). LBFGS's vectors
 * (directions, gradient differences) are linear combinations with cancellation, so they are compared
 * norm-wise: atol grows by rtol times the vector's largest element. `values: false` checks only the
 * structure (types, shapes, dtypes, integer counters): for float32 LBFGS, whose history scalars
 * (1/(yᵀs) of nearby gradients) are dominated by rounding; the float64 runs check their values.
 */
function compareState(ours: unknown, theirs: unknown, t: Tol, what: string, lbfgs: boolean, values = true) {
  if (isEnc(theirs)) {
    if (lbfgs && typeof ours === "number" && theirs.shape.length === 0) {
      if (values) assertClose([ours], theirs.data, t, what); // LBFGS keeps its scalars as numbers
      return;
    }
    assert.ok(ours instanceof torch.Tensor, `${what}: expected a Tensor, got ${String(ours)}`);
    assert.deepEqual([...ours.shape], theirs.shape, `${what}: shape`);
    assert.equal(ours.dtype, theirs.dtype, `${what}: dtype`);
    const scale = lbfgs ? Math.max(0, ...theirs.data.map(Math.abs)) : 0;
    if (values) assertClose(flat(ours), theirs.data, { rtol: t.rtol, atol: t.atol + t.rtol * scale }, what);
  } else if (Array.isArray(theirs)) {
    assert.ok(Array.isArray(ours), `${what}: expected an array`);
    assert.equal(ours.length, theirs.length, `${what}: length`);
    // LBFGS's lists of scalars (al, ro) are compared norm-wise over the list, like its vectors
    const scalars = theirs.map((x) => (isEnc(x) && x.shape.length === 0 ? Math.abs(x.data[0]!) : 0));
    const tl = lbfgs ? { rtol: t.rtol, atol: t.atol + t.rtol * Math.max(0, ...scalars) } : t;
    theirs.forEach((x, i) => compareState(ours[i], x, tl, `${what}[${i}]`, lbfgs, values));
  } else if (typeof theirs === "number" && !Number.isInteger(theirs)) {
    assert.equal(typeof ours, "number", what);
    if (values) assertClose([ours as number], [theirs], t, what);
  } else assert.deepEqual(ours, theirs, what);
}

function compareStateDict(opt: AnyOptimizer, expected: PyStateDict, t: Tol, lbfgs: boolean, values = true) {
  const sd = opt.stateDict();
  assert.deepEqual(sd.param_groups, expected.param_groups, "param_groups");
  assert.deepEqual(
    [...sd.state.keys()].map(String),
    Object.keys(expected.state),
    "state: the same parameters have state",
  );
  for (const [k, st] of Object.entries(expected.state)) {
    const ours = sd.state.get(Number(k))!;
    assert.deepEqual(Object.keys(ours).sort(), Object.keys(st).sort(), `state ${k}: keys`);
    for (const [key, v] of Object.entries(st)) compareState(ours[key], v, t, `state ${k}.${key}`, lbfgs, values);
  }
}

/** Whether state values are compared (not for float32 LBFGS, see compareState). */
const checkValues = (f: OptFixture) => !(f.optimizer === "LBFGS" && f.dtype === "float32");

// ---------------------------------------------------------------------------------------------
// optimizers against PyTorch

describe("optimizers follow PyTorch's trajectory", () => {
  for (const f of fx.optimizers) {
    test(caseName(f), () => {
      const { params, loss } = problem(f.dtype);
      const opt = makeOptimizer(f, params);
      for (let k = 0; k < f.steps; k++) {
        const l = trainStep(opt, loss, f.optimizer);
        assertClose([l], [f.losses[k]!], tol(f, Math.max(k, 1)), `loss before step ${k + 1}`);
        const t = tol(f, k + 1);
        params.forEach((p, i) => assertClose(flat(p), f.trajectory[k]![i]!, t, `param ${i} after step ${k + 1}`));
      }
      compareStateDict(opt, f.final_state_dict, tol(f), f.optimizer === "LBFGS", checkValues(f));
    });
  }
});

describe("LBFGS's strong-Wolfe line search on Rosenbrock's function (float64)", () => {
  for (const f of fx.rosenbrock) {
    test(`LBFGS(${JSON.stringify(f.kwargs)}) from ${JSON.stringify(f.start)}`, () => {
      // the curved valley amplifies last-bit differences of the gradients (autograd's order of ops)
      // about tenfold per iteration: after ~50 evaluations they reach ~1e-9 relative. The state's
      // integer counters (func_evals, n_iter) are compared exactly: the same branches were taken.
      const t = { rtol: 1e-7, atol: 1e-10 };
      const p = torch.tensor(f.start, { dtype: "float64" }).requiresGrad_(true);
      const opt = new optim.LBFGS([p], camelKeys(f.kwargs));
      const closure = () => {
        opt.zeroGrad();
        // (1 - x)² + 100 (y - x²)²
        const [x, y] = [p.select(0, 0), p.select(0, 1)];
        const l = x
          .neg()
          .add(1)
          .pow(2)
          .add(y.sub(x.pow(2)).pow(2).mul(100));
        l.backward();
        return l;
      };
      for (let k = 0; k < 5; k++) {
        const l = opt.step(closure)!.item();
        assertClose([l], [f.losses[k]!], t, `loss at step ${k + 1}`);
        assertClose(flat(p), f.trajectory[k]!, t, `(x, y) after step ${k + 1}`);
      }
      compareStateDict(opt, f.final_state_dict, t, true);
    });
  }
});

describe("PyTorch's state dict loads and continues the trajectory", () => {
  for (const f of fx.optimizers) {
    test(caseName(f), () => {
      const m = f.mid.step;
      const { params, loss } = problem(f.dtype, f.trajectory[m - 1]);
      const opt = makeOptimizer(f, params);
      opt.loadStateDict(decode(f.mid.state_dict) as torch.optim.OptimizerStateDictInput);
      for (let k = m; k < f.steps; k++) {
        trainStep(opt, loss, f.optimizer);
        const t = tol(f, k + 1);
        params.forEach((p, i) =>
          assertClose(flat(p), f.resumed.trajectory[k - m]![i]!, t, `param ${i} after step ${k + 1}`),
        );
      }
      compareStateDict(opt, f.resumed.final_state_dict, tol(f), f.optimizer === "LBFGS", checkValues(f));
    });
  }
});

describe("stateDict / loadStateDict round trip", () => {
  for (const f of fx.optimizers.filter((g) => g.dtype === "float64")) {
    test(caseName(f), () => {
      const t = tol(f);
      const m = f.mid.step;
      const a = problem(f.dtype);
      const optA = makeOptimizer(f, a.params);
      for (let k = 0; k < m; k++) trainStep(optA, a.loss, f.optimizer);
      const sd = optA.stateDict();
      const b = problem(
        f.dtype,
        a.params.map((p) => flat(p)),
      );
      const optB = makeOptimizer(f, b.params);
      optB.loadStateDict(sd);
      // the loaded state is a copy: stepping A further must not move B
      trainStep(optA, a.loss, f.optimizer);
      for (let k = m; k < f.steps; k++) {
        trainStep(optB, b.loss, f.optimizer);
        b.params.forEach((p, i) =>
          assertClose(flat(p), f.resumed.trajectory[k - m]![i]!, t, `param ${i} after step ${k + 1}`),
        );
      }
      compareStateDict(optB, f.resumed.final_state_dict, t, f.optimizer === "LBFGS", checkValues(f));
    });
  }
});

// ---------------------------------------------------------------------------------------------
// groups, zeroGrad, addParamGroup

describe("optimizer API", () => {
  test("param groups take their own options, defaults fill the rest", () => {
    const a = torch.zeros([2]).requiresGrad_(true);
    const b = torch.zeros([3]).requiresGrad_(true);
    const opt = new optim.SGD([{ params: [a], lr: 0.1 }, { params: b }], { lr: 0.01, momentum: 0.9 });
    assert.equal(opt.paramGroups.length, 2);
    assert.equal(opt.paramGroups[0]!.lr, 0.1);
    assert.equal(opt.paramGroups[1]!.lr, 0.01);
    assert.equal(opt.paramGroups[0]!.momentum, 0.9);
    assert.deepEqual(opt.paramGroups[1]!.params, [b]);
    a.grad = torch.ones([2]);
    b.grad = torch.ones([3]);
    opt.step();
    assertClose(flat(a), [-0.1, -0.1], { rtol: 1e-6, atol: 0 }, "a moved by its group's lr");
    assertClose(flat(b), [-0.01, -0.01, -0.01], { rtol: 1e-6, atol: 0 }, "b moved by the default lr");
  });

  test("model.parameters() is accepted", () => {
    const model = new torch.nn.Module();
    const m = model as unknown as Record<string, unknown>;
    m.w = new torch.nn.Parameter(torch.ones([2, 2]));
    m.v = new torch.nn.Parameter(torch.ones([2]));
    const opt = new optim.Adam(model.parameters(), { lr: 0.1 });
    assert.equal(opt.paramGroups[0]!.params.length, 2);
    assert.deepEqual(opt.paramGroups[0]!.betas, [0.9, 0.999]);
  });

  test("zeroGrad sets gradients to null by default, or zeroes them in place", () => {
    const p = torch.ones([3]).requiresGrad_(true);
    const opt = new optim.SGD([p], { lr: 0.1 });
    p.sum().mul(2).backward();
    opt.zeroGrad();
    assert.equal(p.grad, null);
    opt.step(); // a parameter without gradient is skipped
    assert.deepEqual(flat(p), [1, 1, 1]);
    assert.equal(opt.state.size, 0);
    p.sum().mul(2).backward();
    const g = p.grad!;
    opt.zeroGrad({ setToNone: false });
    assert.equal(p.grad, g, "the same tensor, zeroed in place");
    assert.deepEqual(flat(g), [0, 0, 0]);
    p.sum().backward();
    assert.deepEqual(flat(p.grad!), [1, 1, 1], "gradients accumulate into the zeroed tensor");
  });

  test("step(closure) returns the closure's loss", () => {
    const p = torch.tensor([1, 2], { dtype: "float64" }).requiresGrad_(true);
    const opt = new optim.SGD([p], { lr: 0.5 });
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = p.pow(2).sum();
      l.backward();
      return l;
    });
    assert.equal(loss!.item(), 5);
    assert.deepEqual(flat(p), [0, 0]);
  });

  test("addParamGroup adds a group that later steps update", () => {
    const a = torch.ones([2]).requiresGrad_(true);
    const b = torch.ones([2]).requiresGrad_(true);
    const opt = new optim.Adam([a], { lr: 0.1 });
    opt.addParamGroup({ params: [b], lr: 0.2 });
    assert.equal(opt.paramGroups[1]!.lr, 0.2);
    assert.equal(opt.paramGroups[1]!.eps, 1e-8);
    a.grad = torch.ones([2]);
    b.grad = torch.ones([2]);
    opt.step();
    // Adam's first step is lr · g / (|g| + eps·...) ≈ lr
    assertClose(flat(b), [0.8, 0.8], { rtol: 1e-6, atol: 0 }, "b");
    assertClose(flat(a), [0.9, 0.9], { rtol: 1e-6, atol: 0 }, "a");
    assert.throws(
      () => opt.addParamGroup({ params: [a] }),
      /Adam: some parameters appear in more than one parameter group/,
    );
  });

  test("stateDict uses PyTorch's keys and indices", () => {
    const a = torch.ones([2]).requiresGrad_(true);
    const b = torch.ones([1]).requiresGrad_(true);
    const opt = new optim.AdamW([{ params: [a] }, { params: [b], weightDecay: 0 }], { lr: 0.1 });
    b.grad = torch.ones([1]);
    opt.step();
    const sd = opt.stateDict();
    assert.deepEqual([...sd.state.keys()], [1]);
    assert.deepEqual(Object.keys(sd.state.get(1)!).sort(), ["exp_avg", "exp_avg_sq", "step"]);
    assert.equal((sd.state.get(1)!.step as Tensor).item(), 1);
    assert.deepEqual(sd.param_groups[0]!.params, [0]);
    assert.deepEqual(sd.param_groups[1]!.params, [1]);
    assert.equal(sd.param_groups[1]!.weight_decay, 0);
    assert.equal(sd.param_groups[0]!.weight_decay, 0.01);
  });

  test("toString lists the groups' options", () => {
    const opt = new optim.SGD([torch.zeros([1]).requiresGrad_(true)], { lr: 0.1 });
    assert.match(String(opt), /^SGD \(\nParameter Group 0\n {4}dampening: 0\n[\s\S]* {4}lr: 0\.1\n[\s\S]*\)$/);
  });
});

// ---------------------------------------------------------------------------------------------
// errors

describe("optimizer errors", () => {
  const p = () => torch.zeros([2]).requiresGrad_(true);
  const classes: [string, new (params: Tensor[], o: { lr: number }) => AnyOptimizer][] = [
    ["SGD", optim.SGD],
    ["Adam", optim.Adam],
    ["AdamW", optim.AdamW],
    ["RMSprop", optim.RMSprop],
    ["Adagrad", optim.Adagrad],
    ["Adadelta", optim.Adadelta],
    ["Adamax", optim.Adamax],
    ["NAdam", optim.NAdam],
    ["RAdam", optim.RAdam],
  ];
  for (const [name, Cls] of classes)
    test(`${name}: negative learning rate`, () => {
      assert.throws(() => new Cls([p()], { lr: -0.1 }), { message: `${name}: Invalid learning rate: -0.1` });
    });

  test("negative learning rate in a param group", () => {
    assert.throws(() => new optim.SGD([{ params: [p()], lr: -1 }], { lr: 0.1 }), /SGD: Invalid learning rate: -1/);
  });

  test("invalid betas", () => {
    assert.throws(() => new optim.Adam([p()], { betas: [1.0, 0.999] }), {
      message: "Adam: Invalid beta parameter at index 0: 1",
    });
    assert.throws(() => new optim.AdamW([p()], { betas: [0.9, -0.1] }), {
      message: "AdamW: Invalid beta parameter at index 1: -0.1",
    });
    assert.throws(
      () => new optim.NAdam([p()], { betas: [0.9] as unknown as [number, number] }),
      /NAdam: betas should be a pair/,
    );
  });

  test("other invalid options", () => {
    assert.throws(() => new optim.SGD([p()], { lr: 0.1, momentum: -1 }), /SGD: Invalid momentum value: -1/);
    assert.throws(() => new optim.Adam([p()], { eps: -1 }), /Adam: Invalid epsilon value: -1/);
    assert.throws(() => new optim.RMSprop([p()], { alpha: -1 }), /RMSprop: Invalid alpha value: -1/);
    assert.throws(() => new optim.Adadelta([p()], { rho: 1.5 }), /Adadelta: Invalid rho value: 1.5/);
    assert.throws(() => new optim.Adagrad([p()], { lrDecay: -1 }), /Adagrad: Invalid lrDecay value: -1/);
    assert.throws(
      () => new optim.SGD([p()], { lr: 0.1, nesterov: true }),
      /Nesterov momentum requires a momentum and zero dampening/,
    );
    assert.throws(
      () => new optim.SGD([p()]),
      /SGD: parameter group didn't specify a value of required optimization parameter lr/,
    );
    assert.throws(
      () => new optim.LBFGS([p()], { lineSearchFn: "backtracking" as "strong_wolfe" }),
      /only 'strong_wolfe'/,
    );
  });

  test("a non-leaf parameter", () => {
    const leaf = p();
    assert.throws(() => new optim.SGD([leaf.mul(2)], { lr: 0.1 }), {
      message: "SGD: can't optimize a non-leaf Tensor",
    });
  });

  test("bad parameter lists", () => {
    assert.throws(() => new optim.SGD([], { lr: 0.1 }), /SGD: optimizer got an empty parameter list/);
    assert.throws(
      () => new optim.Adam(p() as unknown as Tensor[]),
      /Adam: params argument given to the optimizer should be an iterable/,
    );
    assert.throws(() => new optim.SGD([1 as unknown as Tensor], { lr: 0.1 }), /optimizer can only optimize Tensors/);
    const a = p();
    assert.throws(
      () => new optim.SGD([{ params: [a] }, { params: [a] }], { lr: 0.1 }),
      /SGD: some parameters appear in more than one parameter group/,
    );
  });

  test("LBFGS: one group, and step needs a closure", () => {
    assert.throws(
      () => new optim.LBFGS([{ params: [p()] }, { params: [p()] }]),
      /LBFGS doesn't support per-parameter options/,
    );
    const opt = new optim.LBFGS([p()]);
    assert.throws(() => opt.step(), /LBFGS: step\(\) requires a closure/);
  });

  test("loadStateDict: mismatched groups or shapes are errors and change nothing", () => {
    const a = p();
    const opt = new optim.Adam([a], { lr: 0.1 });
    a.grad = torch.ones([2]);
    opt.step();
    const before = flat(opt.state.get(a)!.exp_avg as Tensor);
    const other = new optim.Adam([{ params: [p()] }, { params: [p()] }]);
    assert.throws(
      () => opt.loadStateDict(other.stateDict()),
      /Adam.loadStateDict\(\): loaded state dict has a different number of parameter groups/,
    );
    const three = new optim.Adam([torch.zeros([3]).requiresGrad_(true), p()]);
    assert.throws(() => opt.loadStateDict(three.stateDict()), /doesn't match the size of optimizer's group/);
    const wrong = torch.zeros([3]).requiresGrad_(true);
    const optW = new optim.Adam([wrong], { lr: 0.5 });
    wrong.grad = torch.ones([3]);
    optW.step();
    assert.throws(
      () => opt.loadStateDict(optW.stateDict()),
      /Adam.loadStateDict\(\): state "exp_avg" of parameter 0 has shape \[3\] but the parameter has shape \[2\]/,
    );
    assert.deepEqual(flat(opt.state.get(a)!.exp_avg as Tensor), before);
    assert.equal(opt.paramGroups[0]!.lr, 0.1);
  });

  test("loadStateDict casts floating state to the parameter's dtype, but not step", () => {
    const a = torch.ones([2], { dtype: "float64" }).requiresGrad_(true);
    const opt = new optim.Adam([a]);
    opt.loadStateDict({
      state: {
        0: { step: torch.tensor(3, { dtype: "float32" }), exp_avg: torch.ones([2]), exp_avg_sq: torch.ones([2]) },
      },
      param_groups: [{ ...opt.stateDict().param_groups[0]! }],
    });
    const st = opt.state.get(a)!;
    assert.equal((st.exp_avg as Tensor).dtype, "float64");
    assert.equal((st.step as Tensor).dtype, "float32");
    assert.equal((st.exp_avg_sq as Tensor).dtype, "float64");
  });
});

// ---------------------------------------------------------------------------------------------
// schedulers

const LAMBDAS: Record<string, (e: number) => number> = {
  pow095: (e) => 0.95 ** e,
  inv: (e) => 1.0 / (e + 1),
  step10: (e) => 0.5 ** Math.floor(e / 10),
  mul09: () => 0.9,
};

type AnyScheduler = torch.optim.lrScheduler.LRScheduler | torch.optim.lrScheduler.ReduceLROnPlateau;

function buildScheduler(name: string, kw: Record<string, unknown>, opt: AnyOptimizer): AnyScheduler {
  const o = Object.fromEntries(
    Object.entries(kw).map(([k, v]) => [
      k.startsWith("T_") ? "T" + snakeToCamel(k.slice(2)).replace(/^./, (c) => c.toUpperCase()) : snakeToCamel(k),
      v,
    ]),
  ) as Record<string, never>;
  const lambdas = (v: unknown) => (Array.isArray(v) ? v.map((n: string) => LAMBDAS[n]!) : LAMBDAS[v as string]!);
  const subs = (v: unknown) =>
    (v as [string, Record<string, unknown>][]).map(
      ([n, k]) => buildScheduler(n, k, opt) as torch.optim.lrScheduler.LRScheduler,
    );
  switch (name) {
    case "StepLR":
      return new S.StepLR(opt, o.stepSize, o);
    case "MultiStepLR":
      return new S.MultiStepLR(opt, o.milestones, o);
    case "ExponentialLR":
      return new S.ExponentialLR(opt, o.gamma);
    case "CosineAnnealingLR":
      return new S.CosineAnnealingLR(opt, o.TMax, o);
    case "CosineAnnealingWarmRestarts":
      return new S.CosineAnnealingWarmRestarts(opt, o.T0, o);
    case "OneCycleLR":
      return new S.OneCycleLR(opt, o.maxLr, o);
    case "LinearLR":
      return new S.LinearLR(opt, o);
    case "ConstantLR":
      return new S.ConstantLR(opt, o);
    case "PolynomialLR":
      return new S.PolynomialLR(opt, o);
    case "LambdaLR":
      return new S.LambdaLR(opt, lambdas(o.lrLambda));
    case "MultiplicativeLR":
      return new S.MultiplicativeLR(opt, lambdas(o.lrLambda));
    case "SequentialLR":
      return new S.SequentialLR(opt, subs(o.schedulers), o.milestones);
    case "ChainedScheduler":
      return new S.ChainedScheduler(subs(o.schedulers));
    case "ReduceLROnPlateau":
      return new S.ReduceLROnPlateau(opt, o);
  }
  throw new Error(`no scheduler ${name}`);
}

function schedOptimizer(kind: "SGD" | "Adam"): AnyOptimizer {
  const groups = [
    { params: [torch.zeros([2]).requiresGrad_(true)], lr: 0.1 },
    { params: [torch.zeros([3]).requiresGrad_(true)], lr: 0.05 },
  ];
  return kind === "SGD" ? new optim.SGD(groups, { lr: 0.1, momentum: 0.9 }) : new optim.Adam(groups);
}

function stepScheduler(s: AnyScheduler, k: number, f: SchedFixture) {
  if (s instanceof S.ReduceLROnPlateau) s.step(fx.metrics[k]!);
  else if (f.epochs) s.step(f.epochs[k]!);
  else s.step();
}

function record(opt: AnyOptimizer, kind: "SGD" | "Adam") {
  return {
    lr: opt.paramGroups.map((g) => g.lr),
    momentum: opt.paramGroups.map((g) => (kind === "SGD" ? (g.momentum as number) : (g.betas as number[])[0]!)),
  };
}

const LR_TOL = { rtol: 1e-12, atol: 0 };

function schedName(f: SchedFixture): string {
  return `${f.scheduler}(${JSON.stringify(f.kwargs)})${f.epochs ? " stepped with step(epoch)" : ""}`;
}

/** Compare a scheduler state dict with PyTorch's (which lacks `_schedulers` and `anneal_func`). */
function compareSchedState(ours: Record<string, unknown>, theirs: Record<string, unknown>) {
  const { _schedulers: _s, ...rest } = ours;
  assert.deepEqual(Object.keys(rest).sort(), Object.keys(theirs).sort(), "state dict keys");
  for (const [k, v] of Object.entries(theirs)) {
    let o = rest[k];
    if (o instanceof Map) o = Object.fromEntries([...o].map(([a, b]) => [String(a), b]));
    const e = decode(v);
    if (Array.isArray(e) && e.every((x) => typeof x === "number")) assertClose(o as number[], e, LR_TOL, k);
    else if (typeof e === "number" && !Number.isInteger(e)) assertClose([o as number], [e], LR_TOL, k);
    else assert.deepEqual(o, e, k);
  }
}

describe("lr schedulers follow PyTorch", () => {
  for (const f of fx.schedulers) {
    test(schedName(f), () => {
      const opt = schedOptimizer(f.optimizer);
      const sched = buildScheduler(f.scheduler, f.kwargs, opt);
      f.sequence.forEach((expected, k) => {
        if (k > 0) {
          opt.step();
          stepScheduler(sched, k - 1, f);
        }
        const got = record(opt, f.optimizer);
        assertClose(got.lr, expected.lr, LR_TOL, `lr after ${k} steps`);
        assertClose(got.momentum, expected.momentum, LR_TOL, `momentum after ${k} steps`);
        if (expected.last_lr) assertClose(sched.getLastLr(), expected.last_lr, LR_TOL, `getLastLr() after ${k} steps`);
      });
      compareSchedState(sched.stateDict(), f.state_dict);
    });
  }
});

describe("lr scheduler stateDict / loadStateDict", () => {
  for (const f of fx.schedulers) {
    test(`${schedName(f)} resumes where it stopped`, () => {
      const optA = schedOptimizer(f.optimizer);
      const a = buildScheduler(f.scheduler, f.kwargs, optA);
      for (let k = 0; k < 10; k++) stepScheduler(a, k, f);
      const optB = schedOptimizer(f.optimizer);
      const b = buildScheduler(f.scheduler, f.kwargs, optB);
      optB.loadStateDict(optA.stateDict());
      b.loadStateDict(a.stateDict());
      for (let k = 10; k < 30; k++) {
        stepScheduler(b, k, f);
        assertClose(record(optB, f.optimizer).lr, f.sequence[k + 1]!.lr, LR_TOL, `lr after ${k + 1} steps`);
      }
    });
  }
});

describe("lr scheduler errors", () => {
  const opt = () => schedOptimizer("SGD");
  test("invalid arguments", () => {
    assert.throws(() => new S.StepLR({} as AnyOptimizer, 3), /is not an Optimizer/);
    assert.throws(
      () => new S.LinearLR(opt(), { startFactor: 2 }),
      /Starting multiplicative factor expected to be between 0 and 1/,
    );
    assert.throws(() => new S.CosineAnnealingWarmRestarts(opt(), 0), /Expected positive integer T0, but got 0/);
    assert.throws(
      () => new S.OneCycleLR(opt(), 0.1),
      /You must define either totalSteps OR \(epochs AND stepsPerEpoch\)/,
    );
    assert.throws(() => new S.OneCycleLR(opt(), [0.1], { totalSteps: 3 }), /expected 2 values for maxLr, got 1/);
    assert.throws(() => new S.ReduceLROnPlateau(opt(), { factor: 1 }), /Factor should be < 1.0/);
    assert.throws(() => new S.LambdaLR(opt(), [() => 1]), /Expected 2 lr_lambdas, but got 1/);
    const o = opt();
    assert.throws(
      () => new S.SequentialLR(o, [new S.StepLR(o, 2)], [3]),
      /one more than the number of milestone points/,
    );
    assert.throws(() => new S.StepLR(opt(), 3, { lastEpoch: 5 }), /initialLr' is not specified in paramGroups\[0\]/);
  });
  test("OneCycleLR refuses to step past totalSteps", () => {
    const s = new S.OneCycleLR(opt(), 0.1, { totalSteps: 2 });
    s.step();
    s.step();
    assert.throws(() => s.step(), /OneCycleLR: Tried to step 4 times. The specified number of total steps is 2/);
  });
});

describe("TS fused optimizer loops (the kernels without the addon)", () => {
  // PyTorch 1.13's single-tensor updates, one float32 rounding per tensor op, as the reference
  const r = Math.fround;
  let seed = 7;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const arr = (n: number, off: number, abs = false) =>
    Float32Array.from({ length: n + off }, () => (abs ? Math.abs(rnd()) : rnd()));

  test("SGD: momentum, dampening, nesterov, weight decay, maximize, a new buffer", () => {
    for (const [momentum, dampening, weightDecay, nesterov, maximize, init] of [
      [0, 0, 0, false, false, false],
      [0.9, 0, 0, false, false, false],
      [0.9, 0, 0, false, false, true],
      [0.9, 0.5, 0.1, false, true, false],
      [0.8, 0, 0.01, true, false, false],
    ] as const) {
      const n = 1001;
      const h = { lr: 0.1, momentum, dampening, weightDecay, nesterov, maximize };
      const [P, G, B] = [arr(n, 1), arr(n, 2), arr(n, 3)];
      const [Pe, Be] = [Float32Array.from(P), Float32Array.from(B)];
      for (let i = 0; i < n; i++) {
        let d = maximize ? -G[2 + i]! : G[2 + i]!;
        if (weightDecay !== 0) d = r(d + r(r(weightDecay) * Pe[1 + i]!));
        if (momentum !== 0) {
          const b = init ? d : r(r(Be[3 + i]! * r(momentum)) + r(r(1 - dampening) * d));
          Be[3 + i] = b;
          d = nesterov ? r(d + r(r(momentum) * b)) : b;
        }
        Pe[1 + i] = r(Pe[1 + i]! + r(r(-h.lr) * d));
      }
      sgdLoop(n, { P, G, B: momentum !== 0 ? B : null, off: [1, 2, 3] }, init, h);
      assert.deepEqual(P, Pe, `params, options ${JSON.stringify(h)} init ${init}`);
      assert.deepEqual(B, Be, `momentum buffer, options ${JSON.stringify(h)} init ${init}`);
    }
  });

  test("Adam and AdamW: weight decay, amsgrad, maximize, bias corrections of the step count", () => {
    for (const [weightDecay, amsgrad, maximize, decoupled, step] of [
      [0, false, false, false, 1],
      [0.1, true, false, false, 3],
      [0.05, false, true, false, 10],
      [0.01, true, false, true, 2],
      [0, false, true, true, 7],
    ] as const) {
      const n = 1001;
      const h = { lr: 0.01, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay, amsgrad, maximize, decoupled };
      const [P, G, M, V, X] = [arr(n, 0), arr(n, 1), arr(n, 2), arr(n, 3, true), arr(n, 4, true)];
      X[4 + 5] = NaN; // a NaN in the running maximum stays (torch.maximum)
      const [Pe, Me, Ve, Xe] = [P, M, V, X].map((a) => Float32Array.from(a)) as Float32Array[];
      const stepSize = h.lr / (1 - h.beta1 ** step);
      const bc2 = Math.sqrt(1 - h.beta2 ** step);
      for (let i = 0; i < n; i++) {
        let g = maximize ? -G[1 + i]! : G[1 + i]!;
        let p = Pe![i]!;
        if (decoupled) p = r(p * r(1 - h.lr * weightDecay));
        else if (weightDecay !== 0) g = r(g + r(r(weightDecay) * p));
        const m = r(r(Me![2 + i]! * r(h.beta1)) + r(r(1 - h.beta1) * g));
        let v = r(r(Ve![3 + i]! * r(h.beta2)) + r(r(r(1 - h.beta2) * g) * g));
        Me![2 + i] = m;
        Ve![3 + i] = v;
        if (amsgrad) {
          const x = Xe![4 + i]!;
          v = Number.isNaN(x) || x > v ? x : v;
          Xe![4 + i] = v;
        }
        const denom = r(r(r(Math.sqrt(v)) / r(bc2)) + r(h.eps));
        Pe![i] = r(p + r(r(r(-stepSize) * m) / denom));
      }
      adamLoop(n, { P, G, M, V, MX: amsgrad ? X : null, off: [0, 1, 2, 3, 4] }, step, h);
      for (const [got, want, what] of [
        [P, Pe, "params"],
        [M, Me, "exp_avg"],
        [V, Ve, "exp_avg_sq"],
        [X, Xe, "max_exp_avg_sq"],
      ] as const)
        assert.deepEqual(got, want, `${what}, options ${JSON.stringify(h)} step ${step}`);
    }
  });
});
