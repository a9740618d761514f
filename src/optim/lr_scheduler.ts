// torch.optim.lr_scheduler: learning-rate schedules that rewrite `group.lr` of an optimizer's parameter
// groups on each `step()`. The formulas are PyTorch 1.13's, recursive (chainable) where PyTorch's are,
// closed-form where PyTorch uses the closed form (`step(epoch)`, SequentialLR's milestones), all in
// float64 like Python floats.
//
// Not here: CyclicLR, the `verbose` printing, and PyTorch's warnings about calling `scheduler.step()`
// before `optimizer.step()`.

import { Tensor } from "../tensor.js";
import { Optimizer, type ParamGroup } from "./optimizer.js";

/** A scheduler's state as PyTorch's `state_dict()`: field names in snake_case (`last_epoch`, `base_lrs`). */
export type SchedulerStateDict = Record<string, unknown>;

/** PyTorch's names for fields whose camelCase form does not map back mechanically. */
const PY_NAMES: Record<string, string> = { TMax: "T_max", T0: "T_0", Ti: "T_i", TCur: "T_cur", TMult: "T_mult" };
const TS_NAMES: Record<string, string> = Object.fromEntries(Object.entries(PY_NAMES).map(([k, v]) => [v, k]));

function pyName(field: string): string {
  return PY_NAMES[field] ?? field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
function tsName(key: string): string {
  return TS_NAMES[key] ?? key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}
function copyValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyValue);
  if (v instanceof Map) return new Map(v);
  return v;
}

/** Python's `a % b` (sign of the divisor). */
function pyMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}
/** Python's bisect.bisect_right on a sorted array. */
function bisectRight(arr: readonly number[], x: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < arr[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function checkOptimizer(optimizer: unknown): void {
  if (!(optimizer instanceof Optimizer))
    throw new TypeError(`${(optimizer as object | null)?.constructor?.name ?? String(optimizer)} is not an Optimizer`);
}

/**
 * Base class of the epoch-indexed schedulers (PyTorch's `_LRScheduler`). A subclass sets its fields,
 * then calls `this.init(lastEpoch)`, which records each group's `initialLr` and takes the first step.
 */
export abstract class LRScheduler {
  /** The optimizer whose groups' `lr` this scheduler sets. */
  readonly optimizer: Optimizer;
  /** Each group's `initialLr` when the schedule started. */
  baseLrs: number[] = [];
  /** Index of the last step taken (-1 before the first). */
  lastEpoch = -1;
  /** Kept for PyTorch's state dict; torchts does not print. */
  verbose = false;
  /** @internal steps taken, as PyTorch counts them */
  _stepCount = 0;
  /** @internal whether `getLr` runs inside `step` */
  _getLrCalledWithinStep = false;
  /** @internal the learning rates set by the last step */
  _lastLr: number[] = [];

  protected constructor(optimizer: Optimizer) {
    checkOptimizer(optimizer);
    this.optimizer = optimizer;
  }

  /** Record initial learning rates (or check them when resuming) and take the initial step. */
  protected init(lastEpoch: number): void {
    const groups = this.optimizer.paramGroups;
    if (lastEpoch === -1) {
      for (const g of groups) if (g.initialLr === undefined) g.initialLr = g.lr;
    } else
      groups.forEach((g, i) => {
        if (g.initialLr === undefined)
          throw new Error(
            `param 'initialLr' is not specified in paramGroups[${i}] when resuming an optimizer (lastEpoch ${lastEpoch})`,
          );
      });
    this.baseLrs = groups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
    this.initialStep();
  }

  /** @internal reset the step count and take the first step */
  initialStep(): void {
    this._stepCount = 0;
    this.step();
  }

  /** The learning rates of the next step, given the groups' current ones (chainable form). */
  protected abstract getLr(): number[];

  /** The closed form used by `step(epoch)`, when the schedule has one. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /** The learning rates of the last step, one per parameter group. */
  getLastLr(): number[] {
    return [...this._lastLr];
  }

  /**
   * Advance one epoch (or batch) and set each group's lr. `epoch` (deprecated in PyTorch) jumps to that
   * epoch with the closed form where there is one.
   */
  step(epoch?: number): void {
    this._stepCount += 1;
    this._getLrCalledWithinStep = true;
    let values: number[];
    try {
      if (epoch === undefined) {
        this.lastEpoch += 1;
        values = this.getLr();
      } else {
        this.lastEpoch = epoch;
        values = this.closedFormLr() ?? this.getLr();
      }
    } finally {
      this._getLrCalledWithinStep = false;
    }
    this.setLrs(values);
  }

  protected setLrs(values: number[]): void {
    const groups = this.optimizer.paramGroups;
    groups.forEach((g, i) => {
      g.lr = values[i]!;
    });
    this._lastLr = groups.map((g) => g.lr);
  }

  protected get groups(): ParamGroup[] {
    return this.optimizer.paramGroups;
  }

  /** Fields saved by `stateDict`, subclass ones first (PyTorch's `__dict__` order). */
  protected stateFields(): string[] {
    return ["baseLrs", "lastEpoch", "verbose", "_stepCount", "_getLrCalledWithinStep", "_lastLr"];
  }

  /** The scheduler's state with PyTorch's key names (`step_size`, `base_lrs`, `last_epoch`, ...). */
  stateDict(): SchedulerStateDict {
    const self = this as unknown as Record<string, unknown>;
    const out: SchedulerStateDict = {};
    for (const f of this.stateFields()) out[pyName(f)] = copyValue(self[f]);
    return out;
  }

  /** Restore a state from `stateDict()` (keys in PyTorch's snake_case). */
  loadStateDict(stateDict: SchedulerStateDict): void {
    const self = this as unknown as Record<string, unknown>;
    const known = new Set(this.stateFields());
    for (const [k, v] of Object.entries(stateDict)) {
      const f = tsName(k);
      if (known.has(f)) self[f] = copyValue(v);
    }
  }
}

/** Options every epoch-indexed scheduler takes. */
export interface SchedulerOptions {
  /** Index of the last epoch when resuming (default -1: start). */
  lastEpoch?: number;
}

/** A multiplicative factor as a function of the epoch, for LambdaLR and MultiplicativeLR. */
export type LrLambda = (epoch: number) => number;

function lambdasFor(name: string, optimizer: Optimizer, lrLambda: LrLambda | LrLambda[]): LrLambda[] {
  if (!Array.isArray(lrLambda)) return optimizer.paramGroups.map(() => lrLambda);
  if (lrLambda.length !== optimizer.paramGroups.length)
    throw new RangeError(`${name}: Expected ${optimizer.paramGroups.length} lr_lambdas, but got ${lrLambda.length}`);
  return [...lrLambda];
}

/** lr = initial lr × lrLambda(epoch), one function for all groups or one per group (PyTorch's `LambdaLR`). */
export class LambdaLR extends LRScheduler {
  /** The factor functions, one per group (not saved by `stateDict`). */
  lrLambdas: LrLambda[];
  /** `new LambdaLR(opt, (epoch) => 0.95 ** epoch)`. */
  constructor(optimizer: Optimizer, lrLambda: LrLambda | LrLambda[], { lastEpoch = -1 }: SchedulerOptions = {}) {
    super(optimizer);
    this.lrLambdas = lambdasFor("LambdaLR", optimizer, lrLambda);
    this.init(lastEpoch);
  }
  protected getLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i]!(this.lastEpoch));
  }
  /** As PyTorch for plain functions: `lr_lambdas` holds null for each. */
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), lr_lambdas: this.lrLambdas.map(() => null) };
  }
}

/** lr ← lr × lrLambda(epoch) each step (PyTorch's `MultiplicativeLR`). */
export class MultiplicativeLR extends LRScheduler {
  /** The factor functions, one per group (not saved by `stateDict`). */
  lrLambdas: LrLambda[];
  /** `new MultiplicativeLR(opt, () => 0.95)`. */
  constructor(optimizer: Optimizer, lrLambda: LrLambda | LrLambda[], { lastEpoch = -1 }: SchedulerOptions = {}) {
    super(optimizer);
    this.lrLambdas = lambdasFor("MultiplicativeLR", optimizer, lrLambda);
    this.init(lastEpoch);
  }
  protected getLr(): number[] {
    if (this.lastEpoch > 0) return this.groups.map((g, i) => g.lr * this.lrLambdas[i]!(this.lastEpoch));
    return this.groups.map((g) => g.lr);
  }
  /** As PyTorch for plain functions: `lr_lambdas` holds null for each. */
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), lr_lambdas: this.lrLambdas.map(() => null) };
  }
}

/** lr ← lr × gamma every `stepSize` epochs (PyTorch's `StepLR`). */
export class StepLR extends LRScheduler {
  /** Period of the decay, in epochs. */
  stepSize: number;
  /** Multiplicative factor of the decay. */
  gamma: number;
  /** `new StepLR(opt, 30, { gamma: 0.1 })`. */
  constructor(
    optimizer: Optimizer,
    stepSize: number,
    { gamma = 0.1, lastEpoch = -1 }: SchedulerOptions & { gamma?: number } = {},
  ) {
    super(optimizer);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.init(lastEpoch);
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
  protected override stateFields(): string[] {
    return ["stepSize", "gamma", ...super.stateFields()];
  }
}

/** lr ← lr × gamma at each milestone epoch (a milestone listed twice decays twice; PyTorch's `MultiStepLR`). */
export class MultiStepLR extends LRScheduler {
  /** Milestone epoch → how many times it was listed (PyTorch's Counter). */
  milestones: Map<number, number>;
  /** Multiplicative factor of the decay. */
  gamma: number;
  /** `new MultiStepLR(opt, [30, 80], { gamma: 0.1 })`. */
  constructor(
    optimizer: Optimizer,
    milestones: number[],
    { gamma = 0.1, lastEpoch = -1 }: SchedulerOptions & { gamma?: number } = {},
  ) {
    super(optimizer);
    this.milestones = new Map();
    for (const m of milestones) this.milestones.set(m, (this.milestones.get(m) ?? 0) + 1);
    this.gamma = gamma;
    this.init(lastEpoch);
  }
  protected getLr(): number[] {
    const n = this.milestones.get(this.lastEpoch);
    if (n === undefined) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma ** n);
  }
  protected override closedFormLr(): number[] {
    const sorted = [...this.milestones].flatMap(([m, n]) => new Array<number>(n).fill(m)).sort((a, b) => a - b);
    return this.baseLrs.map((b) => b * this.gamma ** bisectRight(sorted, this.lastEpoch));
  }
  protected override stateFields(): string[] {
    return ["milestones", "gamma", ...super.stateFields()];
  }
  override loadStateDict(stateDict: SchedulerStateDict): void {
    super.loadStateDict(stateDict);
    const m = stateDict.milestones;
    if (m && !(m instanceof Map))
      this.milestones = new Map(Object.entries(m as Record<string, number>).map(([k, v]) => [Number(k), v]));
  }
}

/** lr × factor until epoch `totalIters`, then the base lr (PyTorch's `ConstantLR`). */
export class ConstantLR extends LRScheduler {
  /** The factor applied before `totalIters`. */
  factor: number;
  /** Epochs the factor applies. */
  totalIters: number;
  /** `new ConstantLR(opt, { factor: 1 / 3, totalIters: 5 })`. */
  constructor(
    optimizer: Optimizer,
    {
      factor = 1.0 / 3,
      totalIters = 5,
      lastEpoch = -1,
    }: SchedulerOptions & { factor?: number; totalIters?: number } = {},
  ) {
    super(optimizer);
    if (factor > 1.0 || factor < 0)
      throw new RangeError("ConstantLR: Constant multiplicative factor expected to be between 0 and 1.");
    this.factor = factor;
    this.totalIters = totalIters;
    this.init(lastEpoch);
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1.0 / this.factor));
  }
  protected override closedFormLr(): number[] {
    const after = this.lastEpoch >= this.totalIters ? 1 : 0;
    return this.baseLrs.map((b) => b * (this.factor + after * (1 - this.factor)));
  }
  protected override stateFields(): string[] {
    return ["factor", "totalIters", ...super.stateFields()];
  }
}

/** The lr factor moves linearly from `startFactor` to `endFactor` over `totalIters` epochs (PyTorch's `LinearLR`). */
export class LinearLR extends LRScheduler {
  /** Factor at epoch 0. */
  startFactor: number;
  /** Factor from epoch `totalIters` on. */
  endFactor: number;
  /** Epochs of the linear change. */
  totalIters: number;
  /** `new LinearLR(opt, { startFactor: 0.1, totalIters: 5 })` (a warm-up). */
  constructor(
    optimizer: Optimizer,
    {
      startFactor = 1.0 / 3,
      endFactor = 1.0,
      totalIters = 5,
      lastEpoch = -1,
    }: SchedulerOptions & { startFactor?: number; endFactor?: number; totalIters?: number } = {},
  ) {
    super(optimizer);
    if (startFactor > 1.0 || startFactor < 0)
      throw new RangeError("LinearLR: Starting multiplicative factor expected to be between 0 and 1.");
    if (endFactor > 1.0 || endFactor < 0)
      throw new RangeError("LinearLR: Ending multiplicative factor expected to be between 0 and 1.");
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.init(lastEpoch);
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr * this.startFactor);
    if (this.lastEpoch > this.totalIters) return this.groups.map((g) => g.lr);
    const delta = this.endFactor - this.startFactor;
    return this.groups.map(
      (g) => g.lr * (1 + delta / (this.totalIters * this.startFactor + (this.lastEpoch - 1) * delta)),
    );
  }
  protected override closedFormLr(): number[] {
    const delta = this.endFactor - this.startFactor;
    return this.baseLrs.map(
      (b) => b * (this.startFactor + (delta * Math.min(this.totalIters, this.lastEpoch)) / this.totalIters),
    );
  }
  protected override stateFields(): string[] {
    return ["startFactor", "endFactor", "totalIters", ...super.stateFields()];
  }
}

/** lr ← lr × gamma every epoch (PyTorch's `ExponentialLR`). */
export class ExponentialLR extends LRScheduler {
  /** Multiplicative factor per epoch. */
  gamma: number;
  /** `new ExponentialLR(opt, 0.9)`. */
  constructor(optimizer: Optimizer, gamma: number, { lastEpoch = -1 }: SchedulerOptions = {}) {
    super(optimizer);
    this.gamma = gamma;
    this.init(lastEpoch);
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
  protected override stateFields(): string[] {
    return ["gamma", ...super.stateFields()];
  }
}

/** lr = base × (1 − epoch/totalIters)^power, then constant (PyTorch's `PolynomialLR`). */
export class PolynomialLR extends LRScheduler {
  /** Epochs of the decay. */
  totalIters: number;
  /** Power of the polynomial. */
  power: number;
  /** `new PolynomialLR(opt, { totalIters: 5, power: 1 })`. */
  constructor(
    optimizer: Optimizer,
    { totalIters = 5, power = 1.0, lastEpoch = -1 }: SchedulerOptions & { totalIters?: number; power?: number } = {},
  ) {
    super(optimizer);
    this.totalIters = totalIters;
    this.power = power;
    this.init(lastEpoch);
  }
  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch > this.totalIters) return this.groups.map((g) => g.lr);
    const decay =
      ((1.0 - this.lastEpoch / this.totalIters) / (1.0 - (this.lastEpoch - 1) / this.totalIters)) ** this.power;
    return this.groups.map((g) => g.lr * decay);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map(
      (b) => b * (1.0 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters) ** this.power,
    );
  }
  protected override stateFields(): string[] {
    return ["totalIters", "power", ...super.stateFields()];
  }
}

/**
 * Cosine annealing from the base lr to `etaMin` over `TMax` epochs, computed recursively as PyTorch
 * does (so it composes with other changes to lr), rising again after `TMax` (PyTorch's `CosineAnnealingLR`).
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Half-period, in epochs. */
  TMax: number;
  /** Minimum learning rate. */
  etaMin: number;
  /** `new CosineAnnealingLR(opt, 100, { etaMin: 1e-5 })`. */
  constructor(
    optimizer: Optimizer,
    TMax: number,
    { etaMin = 0, lastEpoch = -1 }: SchedulerOptions & { etaMin?: number } = {},
  ) {
    super(optimizer);
    this.TMax = TMax;
    this.etaMin = etaMin;
    this.init(lastEpoch);
  }
  protected getLr(): number[] {
    const { lastEpoch: e, TMax, etaMin } = this;
    if (e === 0) return this.groups.map((g) => g.lr);
    if (this._stepCount === 1 && e > 0)
      return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((e * Math.PI) / TMax))) / 2);
    if (pyMod(e - 1 - TMax, 2 * TMax) === 0)
      return this.groups.map((g, i) => g.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / TMax))) / 2);
    return this.groups.map(
      (g) =>
        ((1 + Math.cos((Math.PI * e) / TMax)) / (1 + Math.cos((Math.PI * (e - 1)) / TMax))) * (g.lr - etaMin) + etaMin,
    );
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map(
      (b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.TMax))) / 2,
    );
  }
  protected override stateFields(): string[] {
    return ["TMax", "etaMin", ...super.stateFields()];
  }
}

/**
 * Cosine annealing with warm restarts (SGDR): the cosine restarts every Tᵢ epochs, Tᵢ growing by
 * `TMult` (PyTorch's `CosineAnnealingWarmRestarts`). `step(epoch)` accepts fractional epochs.
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  /** Length of the first period. */
  T0: number;
  /** Length of the current period. */
  Ti: number;
  /** Growth factor of the period after each restart. */
  TMult: number;
  /** Minimum learning rate. */
  etaMin: number;
  /** Epochs since the last restart. */
  TCur: number;
  /** `new CosineAnnealingWarmRestarts(opt, 10, { TMult: 2, etaMin: 1e-5 })`. */
  constructor(
    optimizer: Optimizer,
    T0: number,
    { TMult = 1, etaMin = 0, lastEpoch = -1 }: SchedulerOptions & { TMult?: number; etaMin?: number } = {},
  ) {
    super(optimizer);
    if (!Number.isInteger(T0) || T0 <= 0)
      throw new RangeError(`CosineAnnealingWarmRestarts: Expected positive integer T0, but got ${T0}`);
    if (!Number.isInteger(TMult) || TMult < 1)
      throw new RangeError(`CosineAnnealingWarmRestarts: Expected integer TMult >= 1, but got ${TMult}`);
    this.T0 = T0;
    this.Ti = T0;
    this.TMult = TMult;
    this.etaMin = etaMin;
    this.TCur = lastEpoch;
    this.init(lastEpoch);
  }
  protected getLr(): number[] {
    return this.baseLrs.map(
      (b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.TCur) / this.Ti))) / 2,
    );
  }
  /** Advance one step, or jump to `epoch` (which may be fractional, e.g. `epoch + i / itersPerEpoch`). */
  override step(epoch?: number): void {
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.TCur = this.TCur + 1;
      if (this.TCur >= this.Ti) {
        this.TCur = this.TCur - this.Ti;
        this.Ti = this.Ti * this.TMult;
      }
    } else {
      if (epoch < 0) throw new RangeError(`CosineAnnealingWarmRestarts: Expected non-negative epoch, but got ${epoch}`);
      if (epoch >= this.T0) {
        if (this.TMult === 1) this.TCur = epoch % this.T0;
        else {
          const n = Math.trunc(Math.log((epoch / this.T0) * (this.TMult - 1) + 1) / Math.log(this.TMult));
          this.TCur = epoch - (this.T0 * (this.TMult ** n - 1)) / (this.TMult - 1);
          this.Ti = this.T0 * this.TMult ** n;
        }
      } else {
        this.Ti = this.T0;
        this.TCur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    this._getLrCalledWithinStep = true;
    let values: number[];
    try {
      values = this.getLr();
    } finally {
      this._getLrCalledWithinStep = false;
    }
    this.setLrs(values);
  }
  protected override stateFields(): string[] {
    return ["T0", "Ti", "TMult", "etaMin", "TCur", ...super.stateFields()];
  }
}

/** Options of OneCycleLR (give `totalSteps`, or `epochs` and `stepsPerEpoch`). */
export interface OneCycleLROptions extends SchedulerOptions {
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart?: number;
  annealStrategy?: "cos" | "linear";
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
}

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

/**
 * The 1cycle policy (PyTorch's `OneCycleLR`): lr rises from maxLr/divFactor to maxLr over `pctStart` of
 * the steps, then anneals to initial/finalDivFactor; momentum (or Adam's β₁) cycles inversely. Step
 * after every batch.
 */
export class OneCycleLR extends LRScheduler {
  /** Steps in the cycle. */
  totalSteps: number;
  /** @internal the phases, naming the group fields they run between */
  _schedulePhases: Phase[];
  /** Whether momentum is cycled. */
  cycleMomentum: boolean;
  /** Whether the cycled momentum is `betas[0]` (Adam-like) rather than `momentum`. */
  useBeta1 = false;
  /** "cos" or "linear". */
  readonly annealStrategy: "cos" | "linear";

  /** `new OneCycleLR(opt, 0.1, { totalSteps: 1000 })` or `{ epochs, stepsPerEpoch }`. */
  constructor(optimizer: Optimizer, maxLr: number | number[], options: OneCycleLROptions = {}) {
    super(optimizer);
    const {
      totalSteps,
      epochs,
      stepsPerEpoch,
      pctStart = 0.3,
      annealStrategy = "cos",
      cycleMomentum = true,
      baseMomentum = 0.85,
      maxMomentum = 0.95,
      divFactor = 25,
      finalDivFactor = 1e4,
      threePhase = false,
      lastEpoch = -1,
    } = options;
    const positiveInt = (v: number | undefined, what: string): number => {
      if (v === undefined || !Number.isInteger(v) || v <= 0)
        throw new RangeError(`OneCycleLR: Expected positive integer ${what}, but got ${v}`);
      return v;
    };
    if (totalSteps === undefined && epochs === undefined && stepsPerEpoch === undefined)
      throw new RangeError("OneCycleLR: You must define either totalSteps OR (epochs AND stepsPerEpoch)");
    if (totalSteps !== undefined) this.totalSteps = positiveInt(totalSteps, "totalSteps");
    else this.totalSteps = positiveInt(epochs, "epochs") * positiveInt(stepsPerEpoch, "stepsPerEpoch");
    const total = this.totalSteps;
    this._schedulePhases = threePhase
      ? [
          phase(pctStart * total - 1, "initialLr", "maxLr", "maxMomentum", "baseMomentum"),
          phase(2 * pctStart * total - 2, "maxLr", "initialLr", "baseMomentum", "maxMomentum"),
          phase(total - 1, "initialLr", "minLr", "maxMomentum", "maxMomentum"),
        ]
      : [
          phase(pctStart * total - 1, "initialLr", "maxLr", "maxMomentum", "baseMomentum"),
          phase(total - 1, "maxLr", "minLr", "baseMomentum", "maxMomentum"),
        ];
    if (!(pctStart >= 0 && pctStart <= 1))
      throw new RangeError(`OneCycleLR: Expected float between 0 and 1 pctStart, but got ${pctStart}`);
    if (annealStrategy !== "cos" && annealStrategy !== "linear")
      throw new RangeError(
        `OneCycleLR: annealStrategy must be one of 'cos' or 'linear', instead got ${String(annealStrategy)}`,
      );
    this.annealStrategy = annealStrategy;

    const groups = optimizer.paramGroups;
    const maxLrs = perGroup("maxLr", groups, maxLr);
    if (lastEpoch === -1)
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i]! / divFactor;
        g.maxLr = maxLrs[i]!;
        g.minLr = (g.initialLr as number) / finalDivFactor;
      });
    this.cycleMomentum = cycleMomentum;
    if (cycleMomentum) {
      if (!("momentum" in optimizer.defaults) && !("betas" in optimizer.defaults))
        throw new Error("OneCycleLR: optimizer must support momentum with `cycleMomentum` option enabled");
      this.useBeta1 = "betas" in optimizer.defaults;
      const maxMs = perGroup("maxMomentum", groups, maxMomentum);
      const baseMs = perGroup("baseMomentum", groups, baseMomentum);
      if (lastEpoch === -1)
        groups.forEach((g, i) => {
          if (this.useBeta1) g.betas = [maxMs[i]!, ...(g.betas as number[]).slice(1)];
          else g.momentum = maxMs[i]!;
          g.maxMomentum = maxMs[i]!;
          g.baseMomentum = baseMs[i]!;
        });
    }
    this.init(lastEpoch);
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === "cos") {
      const cosOut = Math.cos(Math.PI * pct) + 1;
      return end + ((start - end) / 2.0) * cosOut;
    }
    return (end - start) * pct + start;
  }

  protected getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps)
      throw new RangeError(
        `OneCycleLR: Tried to step ${stepNum + 1} times. The specified number of total steps is ${this.totalSteps}`,
      );
    return this.groups.map((g) => {
      let startStep = 0;
      let lr = 0;
      let momentum = 0;
      const phases = this._schedulePhases;
      for (let i = 0; i < phases.length; i++) {
        const ph = phases[i]!;
        if (stepNum <= ph.endStep || i === phases.length - 1) {
          const pct = (stepNum - startStep) / (ph.endStep - startStep);
          lr = this.anneal(g[ph.startLr] as number, g[ph.endLr] as number, pct);
          if (this.cycleMomentum)
            momentum = this.anneal(g[ph.startMomentum] as number, g[ph.endMomentum] as number, pct);
          break;
        }
        startStep = ph.endStep;
      }
      if (this.cycleMomentum) {
        if (this.useBeta1) g.betas = [momentum, ...(g.betas as number[]).slice(1)];
        else g.momentum = momentum;
      }
      return lr;
    });
  }

  /** PyTorch's keys; `_schedule_phases` names the group fields in PyTorch's spelling. */
  override stateDict(): SchedulerStateDict {
    const sd = super.stateDict();
    if (!this.cycleMomentum) delete sd.use_beta1; // PyTorch sets it only when cycling momentum
    sd._schedule_phases = this._schedulePhases.map((ph) => ({
      end_step: ph.endStep,
      start_lr: pyName(ph.startLr),
      end_lr: pyName(ph.endLr),
      start_momentum: pyName(ph.startMomentum),
      end_momentum: pyName(ph.endMomentum),
    }));
    return sd;
  }
  override loadStateDict(stateDict: SchedulerStateDict): void {
    const phases = stateDict._schedule_phases as Record<string, unknown>[] | undefined;
    super.loadStateDict({ ...stateDict, _schedule_phases: undefined });
    if (phases)
      this._schedulePhases = phases.map((ph) =>
        phase(
          ph.end_step as number,
          tsName(ph.start_lr as string),
          tsName(ph.end_lr as string),
          tsName(ph.start_momentum as string),
          tsName(ph.end_momentum as string),
        ),
      );
  }
  protected override stateFields(): string[] {
    return ["totalSteps", "cycleMomentum", "useBeta1", ...super.stateFields()];
  }
}

function phase(endStep: number, startLr: string, endLr: string, startMomentum: string, endMomentum: string): Phase {
  return { endStep, startLr, endLr, startMomentum, endMomentum };
}

function perGroup(name: string, groups: ParamGroup[], v: number | number[]): number[] {
  if (!Array.isArray(v)) return groups.map(() => v);
  if (v.length !== groups.length)
    throw new RangeError(`OneCycleLR: expected ${groups.length} values for ${name}, got ${v.length}`);
  return v;
}

/** Any scheduler that SequentialLR and ChainedScheduler can drive. */
type Chainable = LRScheduler;

/**
 * Runs `schedulers` one after another, switching at each milestone epoch (PyTorch's `SequentialLR`);
 * a scheduler taking over starts from its epoch 0 (closed form).
 */
export class SequentialLR extends LRScheduler {
  /** @internal the schedulers, in order */
  _schedulers: Chainable[];
  /** @internal epochs at which the next scheduler takes over */
  _milestones: number[];

  /** `new SequentialLR(opt, [warmup, main], [5])`. */
  constructor(
    optimizer: Optimizer,
    schedulers: Chainable[],
    milestones: number[],
    { lastEpoch = -1 }: SchedulerOptions = {},
  ) {
    super(optimizer);
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer)
        throw new Error(
          `SequentialLR: Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index ${i} to be different than the optimizer passed in.`,
        );
    });
    if (milestones.length !== schedulers.length - 1)
      throw new RangeError(
        `SequentialLR: Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers ${schedulers.length} and the number of milestones to be equal to ${milestones.length}`,
      );
    this._schedulers = schedulers;
    this._milestones = milestones;
    this.lastEpoch = lastEpoch + 1;
    // reset learning rates back to initial values, and undo the step each scheduler took when built
    for (const g of optimizer.paramGroups) g.lr = g.initialLr as number;
    for (const s of schedulers) s.lastEpoch -= 1;
    // perform the initial step for only the first scheduler
    schedulers[0]!.initialStep();
    this._lastLr = schedulers[0]!.getLastLr();
  }
  protected getLr(): number[] {
    return this.getLastLr();
  }
  /** Advance one epoch with the scheduler in charge of it. */
  override step(): void {
    this.lastEpoch += 1;
    const idx = bisectRight(this._milestones, this.lastEpoch);
    const scheduler = this._schedulers[idx]!;
    if (idx > 0 && this._milestones[idx - 1] === this.lastEpoch) scheduler.step(0);
    else scheduler.step();
    this._lastLr = scheduler.getLastLr();
  }
  /** Its own fields plus each scheduler's state dict under `_schedulers`. */
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), _schedulers: this._schedulers.map((s) => s.stateDict()) };
  }
  override loadStateDict(stateDict: SchedulerStateDict): void {
    super.loadStateDict(stateDict);
    const subs = stateDict._schedulers as SchedulerStateDict[] | undefined;
    subs?.forEach((s, i) => this._schedulers[i]?.loadStateDict(s));
  }
  protected override stateFields(): string[] {
    return ["_milestones", "lastEpoch", "_lastLr"];
  }
}

/** Steps several schedulers together each call, their factors compounding (PyTorch's `ChainedScheduler`). */
export class ChainedScheduler extends LRScheduler {
  /** @internal the schedulers, stepped in order */
  _schedulers: Chainable[];
  /** `new ChainedScheduler([new ConstantLR(opt, { factor: 0.1, totalIters: 2 }), new ExponentialLR(opt, 0.9)])`. */
  constructor(schedulers: Chainable[]) {
    super(schedulers[0]!.optimizer);
    schedulers.forEach((s, i) => {
      if (s.optimizer !== schedulers[0]!.optimizer)
        throw new Error(
          `ChainedScheduler: ChainedScheduler expects all schedulers to belong to the same optimizer, but got schedulers at index 0 and ${i} to be different`,
        );
    });
    this._schedulers = [...schedulers];
    this._lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }
  protected getLr(): number[] {
    return this.getLastLr();
  }
  /** Step every scheduler once. */
  override step(): void {
    for (const s of this._schedulers) s.step();
    this._lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }
  /** Its own fields plus each scheduler's state dict under `_schedulers`. */
  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), _schedulers: this._schedulers.map((s) => s.stateDict()) };
  }
  override loadStateDict(stateDict: SchedulerStateDict): void {
    super.loadStateDict(stateDict);
    const subs = stateDict._schedulers as SchedulerStateDict[] | undefined;
    subs?.forEach((s, i) => this._schedulers[i]?.loadStateDict(s));
  }
  protected override stateFields(): string[] {
    return ["_lastLr"];
  }
}

/** Options of ReduceLROnPlateau. */
export interface ReduceLROnPlateauOptions {
  /** "min": reduce when the metric stops decreasing; "max": when it stops increasing. */
  mode?: "min" | "max";
  /** new lr = lr × factor (< 1). */
  factor?: number;
  /** Epochs without improvement tolerated before reducing. */
  patience?: number;
  /** Minimum change counted as an improvement. */
  threshold?: number;
  /** "rel": relative to the best value; "abs": absolute. */
  thresholdMode?: "rel" | "abs";
  /** Epochs to wait after a reduction before counting bad epochs again. */
  cooldown?: number;
  /** Lower bound on the lr, one for all groups or one per group. */
  minLr?: number | number[];
  /** Reductions smaller than this are skipped. */
  eps?: number;
}

/**
 * Reduce the learning rate when a metric stops improving (PyTorch's `ReduceLROnPlateau`):
 * call `step(metric)` once per epoch.
 */
export class ReduceLROnPlateau {
  /** The optimizer whose groups' `lr` this scheduler lowers. */
  readonly optimizer: Optimizer;
  factor: number;
  minLrs: number[];
  patience: number;
  verbose = false;
  cooldown: number;
  cooldownCounter = 0;
  mode: "min" | "max";
  threshold: number;
  thresholdMode: "rel" | "abs";
  best = Infinity;
  numBadEpochs = 0;
  modeWorse = Infinity;
  eps: number;
  lastEpoch = 0;
  /** @internal the learning rates after the last step */
  _lastLr: number[];

  /** `new ReduceLROnPlateau(opt, { mode: "min", factor: 0.1, patience: 10 })`. */
  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    const {
      mode = "min",
      factor = 0.1,
      patience = 10,
      threshold = 1e-4,
      thresholdMode = "rel",
      cooldown = 0,
      minLr = 0,
      eps = 1e-8,
    } = options;
    if (factor >= 1.0) throw new RangeError("ReduceLROnPlateau: Factor should be < 1.0.");
    checkOptimizer(optimizer);
    this.factor = factor;
    this.optimizer = optimizer;
    const n = optimizer.paramGroups.length;
    if (Array.isArray(minLr)) {
      if (minLr.length !== n) throw new RangeError(`ReduceLROnPlateau: expected ${n} min_lrs, got ${minLr.length}`);
      this.minLrs = [...minLr];
    } else this.minLrs = new Array<number>(n).fill(minLr);
    this.patience = patience;
    this.cooldown = cooldown;
    this.mode = mode;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
    this.eps = eps;
    this.initIsBetter();
    this.reset();
    this._lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private reset(): void {
    this.best = this.modeWorse;
    this.cooldownCounter = 0;
    this.numBadEpochs = 0;
  }

  private initIsBetter(): void {
    if (this.mode !== "min" && this.mode !== "max")
      throw new RangeError(`ReduceLROnPlateau: mode ${String(this.mode)} is unknown!`);
    if (this.thresholdMode !== "rel" && this.thresholdMode !== "abs")
      throw new RangeError(`ReduceLROnPlateau: threshold mode ${String(this.thresholdMode)} is unknown!`);
    this.modeWorse = this.mode === "min" ? Infinity : -Infinity;
  }

  /** Whether `a` improves on `best` by more than the threshold. */
  isBetter(a: number, best: number): boolean {
    if (this.mode === "min" && this.thresholdMode === "rel") return a < best * (1 - this.threshold);
    if (this.mode === "min") return a < best - this.threshold;
    if (this.thresholdMode === "rel") return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  /** Whether a reduction happened less than `cooldown` epochs ago. */
  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Record this epoch's metric (a number or a one-element tensor) and reduce the lr after `patience` bad epochs. */
  step(metrics: number | Tensor, epoch?: number): void {
    const current = metrics instanceof Tensor ? metrics.item() : Number(metrics);
    this.lastEpoch = epoch ?? this.lastEpoch + 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else this.numBadEpochs += 1;
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // ignore any bad epochs in cooldown
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this._lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      const oldLr = Number(g.lr);
      const newLr = Math.max(oldLr * this.factor, this.minLrs[i]!);
      if (oldLr - newLr > this.eps) g.lr = newLr;
    });
  }

  /** The learning rates after the last step, one per parameter group. */
  getLastLr(): number[] {
    return [...this._lastLr];
  }

  private static readonly FIELDS = [
    "factor",
    "minLrs",
    "patience",
    "verbose",
    "cooldown",
    "cooldownCounter",
    "mode",
    "threshold",
    "thresholdMode",
    "best",
    "numBadEpochs",
    "modeWorse",
    "eps",
    "lastEpoch",
    "_lastLr",
  ];

  /** The scheduler's state with PyTorch's key names (`num_bad_epochs`, `min_lrs`, ...). */
  stateDict(): SchedulerStateDict {
    const self = this as unknown as Record<string, unknown>;
    return Object.fromEntries(ReduceLROnPlateau.FIELDS.map((f) => [pyName(f), copyValue(self[f])]));
  }

  /** Restore a state from `stateDict()`. */
  loadStateDict(stateDict: SchedulerStateDict): void {
    const self = this as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(stateDict)) {
      const f = tsName(k);
      if (ReduceLROnPlateau.FIELDS.includes(f)) self[f] = copyValue(v);
    }
    this.initIsBetter();
  }
}
