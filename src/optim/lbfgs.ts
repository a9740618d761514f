// L-BFGS with an optional strong-Wolfe line search: PyTorch 1.13's `torch.optim.LBFGS` (itself a port
// of minFunc / torch7's optim), step for step.
//
// PyTorch's scalars are a mix of Python floats and 0-dim tensors of the parameters' dtype (dot
// products, step sizes derived from them); `ScalarMath` keeps that distinction so that float32 runs
// round (and compare) where PyTorch does.
//
// The algorithm reads a host scalar (a norm, a dot product, the loss) several times per iteration,
// as PyTorch's does with .item(). It is written once, as generators that yield each 0-dim tensor to
// read and receive its value (`Reads`): `step` answers synchronously (`item()`, CPU tensors), and
// `stepAsync` with `await itemAsync()`, so it also runs on devices that read back asynchronously.

import { Tensor } from "../tensor.js";
import { full, zeros } from "../ops/creation.js";
import { castValue, type DType } from "../dtype.js";
import { cat } from "../ops/shape_ops.js";
import { Optimizer, type Closure, type ParamGroup, type ParamState, type Params } from "./optimizer.js";
import { enableGrad, noGrad } from "../autograd/gradmode.js";

/** Options of LBFGS. */
export interface LBFGSOptions {
  lr?: number;
  maxIter?: number;
  /** Function evaluations per step (default maxIter * 5 / 4, rounded down). */
  maxEval?: number | null;
  toleranceGrad?: number;
  toleranceChange?: number;
  historySize?: number;
  lineSearchFn?: "strong_wolfe" | null;
}

/**
 * A scalar of the algorithm as PyTorch holds it: a Python float (`t: false`, float64) or a 0-dim tensor
 * of the parameters' dtype (`t: true`), e.g. a dot product. PyTorch's rules for mixing them are kept,
 * because for float32 parameters they decide branches near convergence (f + c₁ t gᵀd rounds to f):
 * an op with a tensor operand casts the float operand to the tensor's dtype, computes, rounds, and
 * gives a tensor; comparisons with a tensor compare in its dtype; floats with floats stay float64.
 */
interface Sc {
  v: number;
  t: boolean;
}
type ScLike = Sc | number;

/** Arithmetic on `Sc` for parameters of one dtype (for float64 it is plain float64 arithmetic). */
class ScalarMath {
  private readonly round: (x: number) => number;
  constructor(dtype: DType) {
    this.round = (x) => castValue(x, dtype);
  }
  /** The value of a 0-dim tensor (`.item()` is exact in float64). */
  tensor(v: number): Sc {
    return { v, t: true };
  }
  /** A Python float (or an `Sc` as is). */
  of(a: ScLike): Sc {
    return typeof a === "number" ? { v: a, t: false } : a;
  }
  /** The value as an op's scalar argument: PyTorch casts it to the tensor's dtype. */
  arg(a: Sc): number {
    return this.round(a.v);
  }
  private bin(a: ScLike, b: ScLike, op: (x: number, y: number) => number): Sc {
    const x = this.of(a);
    const y = this.of(b);
    if (!x.t && !y.t) return { v: op(x.v, y.v), t: false };
    return { v: this.round(op(this.round(x.v), this.round(y.v))), t: true };
  }
  add(a: ScLike, b: ScLike): Sc {
    return this.bin(a, b, (x, y) => x + y);
  }
  sub(a: ScLike, b: ScLike): Sc {
    return this.bin(a, b, (x, y) => x - y);
  }
  mul(a: ScLike, b: ScLike): Sc {
    return this.bin(a, b, (x, y) => x * y);
  }
  div(a: ScLike, b: ScLike): Sc {
    return this.bin(a, b, (x, y) => x / y);
  }
  abs(a: Sc): Sc {
    return { v: Math.abs(a.v), t: a.t };
  }
  sqrt(a: Sc): Sc {
    return a.t ? { v: this.round(Math.sqrt(a.v)), t: true } : { v: Math.sqrt(a.v), t: false };
  }
  private cmp(a: ScLike, b: ScLike): [number, number] {
    const x = this.of(a);
    const y = this.of(b);
    return x.t || y.t ? [this.round(x.v), this.round(y.v)] : [x.v, y.v];
  }
  lt(a: ScLike, b: ScLike): boolean {
    const [x, y] = this.cmp(a, b);
    return x < y;
  }
  le(a: ScLike, b: ScLike): boolean {
    const [x, y] = this.cmp(a, b);
    return x <= y;
  }
  gt(a: ScLike, b: ScLike): boolean {
    return this.lt(b, a);
  }
  ge(a: ScLike, b: ScLike): boolean {
    return this.le(b, a);
  }
  /** Python's min(a, b): a unless b < a. */
  min(a: ScLike, b: ScLike): Sc {
    return this.lt(b, a) ? this.of(b) : this.of(a);
  }
  /** Python's max(a, b): a unless b > a. */
  max(a: ScLike, b: ScLike): Sc {
    return this.gt(b, a) ? this.of(b) : this.of(a);
  }
}

/** Minimizer of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to bounds (minFunc's polyinterp). */
function cubicInterpolate(M: ScalarMath, x1: Sc, f1: Sc, g1: Sc, x2: Sc, f2: Sc, g2: Sc, bounds?: [Sc, Sc]): Sc {
  const [xminBound, xmaxBound] = bounds ?? (M.le(x1, x2) ? [x1, x2] : [x2, x1]);
  // d1 = g1 + g2 - 3 (f1 - f2) / (x1 - x2); d2 = sqrt(d1² - g1 g2)
  const d1 = M.sub(M.add(g1, g2), M.div(M.mul(3, M.sub(f1, f2)), M.sub(x1, x2)));
  const d2Square = M.sub(M.mul(d1, d1), M.mul(g1, g2));
  if (M.ge(d2Square, 0)) {
    const d2 = M.sqrt(d2Square);
    // min_pos = x2 - (x2 - x1) (g2 + d2 - d1) / (g2 - g1 + 2 d2), or the same with 1 and 2 swapped
    const minPos = M.le(x1, x2)
      ? M.sub(x2, M.mul(M.sub(x2, x1), M.div(M.sub(M.add(g2, d2), d1), M.add(M.sub(g2, g1), M.mul(2, d2)))))
      : M.sub(x1, M.mul(M.sub(x1, x2), M.div(M.sub(M.add(g1, d2), d1), M.add(M.sub(g1, g2), M.mul(2, d2)))));
    return M.min(M.max(minPos, xminBound), xmaxBound);
  }
  return M.div(M.add(xminBound, xmaxBound), 2);
}

/** An algorithm part that yields the 0-dim tensors it needs read on the host and receives their values. */
type Reads<R> = Generator<Tensor, R, number>;

type ObjFunc = (x: Tensor[], t: Sc, d: Tensor) => Reads<[number, Tensor]>;

/** The loss a closure returned, as a number (a tensor is read on the host). */
function* lossValue(loss: Tensor | number): Reads<number> {
  return loss instanceof Tensor ? yield loss : Number(loss);
}

/** Line search for a step t satisfying the strong Wolfe conditions (minFunc's WolfeLineSearch). */
function* strongWolfe(
  M: ScalarMath,
  objFunc: ObjFunc,
  x: Tensor[],
  t: Sc,
  d: Tensor,
  f: number,
  g: Tensor,
  gtd: Sc,
  c1 = 1e-4,
  c2 = 0.9,
  toleranceChange = 1e-9,
  maxLs = 25,
): Reads<[number, Tensor, Sc, number]> {
  const dNorm = M.tensor(yield d.abs().max());
  g = g.clone();
  // evaluate objective and gradient using initial step
  let [fNew, gNew] = yield* objFunc(x, t, d);
  let lsFuncEvals = 1;
  let gtdNew = M.tensor(yield gNew.dot(d));
  // f + c1 t gᵀd, the Armijo bound, and c2 |gᵀd|, the curvature bound
  const armijo = (tt: Sc) => M.add(f, M.mul(M.mul(c1, tt), gtd));
  const curvature = M.mul(-c2, gtd);

  // bracket an interval containing a point satisfying the Wolfe criteria
  let tPrev: Sc = { v: 0, t: false };
  let fPrev = f;
  let gPrev = g;
  let gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: Sc[] = [];
  let bracketF: number[] = [];
  let bracketG: Tensor[] = [];
  let bracketGtd: Sc[] = [];
  while (lsIter < maxLs) {
    if (M.gt(fNew, armijo(t)) || (lsIter > 1 && fNew >= fPrev)) {
      bracket = [tPrev, t];
      bracketF = [fPrev, fNew];
      bracketG = [gPrev, gNew.clone()];
      bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    if (M.le(M.abs(gtdNew), curvature)) {
      bracket = [t];
      bracketF = [fNew];
      bracketG = [gNew];
      done = true;
      break;
    }
    if (M.ge(gtdNew, 0)) {
      bracket = [tPrev, t];
      bracketF = [fPrev, fNew];
      bracketG = [gPrev, gNew.clone()];
      bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    // interpolate
    const minStep = M.add(t, M.mul(0.01, M.sub(t, tPrev)));
    const maxStep = M.mul(t, 10);
    const tmp = t;
    t = cubicInterpolate(M, tPrev, { v: fPrev, t: false }, gtdPrev, t, { v: fNew, t: false }, gtdNew, [
      minStep,
      maxStep,
    ]);
    // next step
    tPrev = tmp;
    fPrev = fNew;
    gPrev = gNew.clone();
    gtdPrev = gtdNew;
    [fNew, gNew] = yield* objFunc(x, t, d);
    lsFuncEvals += 1;
    gtdNew = M.tensor(yield gNew.dot(d));
    lsIter += 1;
  }
  // reached max number of iterations?
  if (lsIter === maxLs) {
    bracket = [{ v: 0, t: false }, t];
    bracketF = [f, fNew];
    bracketG = [g, gNew];
  }

  // zoom phase: refine the bracket until a point satisfies the criteria
  let insufProgress = false;
  let [lowPos, highPos] = bracketF[0]! <= bracketF[bracketF.length - 1]! ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    const [b0, b1] = [bracket[0]!, bracket[1]!];
    // line-search bracket is so small
    if (M.lt(M.mul(M.abs(M.sub(b1, b0)), dNorm), toleranceChange)) break;
    // compute new trial value
    const [fb0, fb1] = [
      { v: bracketF[0]!, t: false },
      { v: bracketF[1]!, t: false },
    ];
    t = cubicInterpolate(M, b0, fb0, bracketGtd[0]!, b1, fb1, bracketGtd[1]!);
    // a t too close to a bracket end (after insufficient progress, or at the end itself) moves to
    // 0.1 * the bracket's length from the nearest end
    const bMax = M.max(b0, b1);
    const bMin = M.min(b0, b1);
    const eps = M.mul(0.1, M.sub(bMax, bMin));
    if (M.lt(M.min(M.sub(bMax, t), M.sub(t, bMin)), eps)) {
      if (insufProgress || M.ge(t, bMax) || M.le(t, bMin)) {
        t = M.lt(M.abs(M.sub(t, bMax)), M.abs(M.sub(t, bMin))) ? M.sub(bMax, eps) : M.add(bMin, eps);
        insufProgress = false;
      } else insufProgress = true;
    } else insufProgress = false;

    // evaluate new point
    [fNew, gNew] = yield* objFunc(x, t, d);
    lsFuncEvals += 1;
    gtdNew = M.tensor(yield gNew.dot(d));
    lsIter += 1;

    if (M.gt(fNew, armijo(t)) || fNew >= bracketF[lowPos]!) {
      // Armijo condition not satisfied or not lower than lowest point
      bracket[highPos] = t;
      bracketF[highPos] = fNew;
      bracketG[highPos] = gNew.clone();
      bracketGtd[highPos] = gtdNew;
      [lowPos, highPos] = bracketF[0]! <= bracketF[1]! ? [0, 1] : [1, 0];
    } else {
      if (M.le(M.abs(gtdNew), curvature)) {
        done = true; // Wolfe conditions satisfied
      } else if (M.ge(M.mul(gtdNew, M.sub(bracket[highPos]!, bracket[lowPos]!)), 0)) {
        // old high becomes new low
        bracket[highPos] = bracket[lowPos]!;
        bracketF[highPos] = bracketF[lowPos]!;
        bracketG[highPos] = bracketG[lowPos]!;
        bracketGtd[highPos] = bracketGtd[lowPos]!;
      }
      // new point becomes new low
      bracket[lowPos] = t;
      bracketF[lowPos] = fNew;
      bracketG[lowPos] = gNew.clone();
      bracketGtd[lowPos] = gtdNew;
    }
  }
  return [bracketF[lowPos]!, bracketG[lowPos]!, bracket[lowPos]!, lsFuncEvals];
}

/**
 * L-BFGS (PyTorch's `torch.optim.LBFGS`): `step(closure)` runs up to `maxIter` quasi-Newton iterations,
 * calling `closure` (which must zero the gradients, compute the loss, call backward and return the loss)
 * to re-evaluate. One parameter group only; its state lives under the first parameter, as in PyTorch.
 */
export class LBFGS extends Optimizer<LBFGSOptions> {
  private readonly _params: Tensor[];

  /** `new LBFGS(model.parameters(), { lr: 1, historySize: 10, lineSearchFn: "strong_wolfe" })`. */
  constructor(params: Params<LBFGSOptions>, options: LBFGSOptions = {}) {
    const maxIter = options.maxIter ?? 20;
    super("LBFGS", params, {
      lr: 1,
      maxIter,
      toleranceGrad: 1e-7,
      toleranceChange: 1e-9,
      historySize: 100,
      lineSearchFn: null,
      ...options,
      maxEval: options.maxEval ?? Math.floor((maxIter * 5) / 4),
    });
    if (this.paramGroups.length !== 1)
      throw new Error("LBFGS doesn't support per-parameter options (parameter groups)");
    this._params = this.paramGroups[0]!.params;
  }

  protected override validate(o: Record<string, unknown>): void {
    if (o.lineSearchFn !== undefined && o.lineSearchFn !== null && o.lineSearchFn !== "strong_wolfe")
      throw new RangeError(`LBFGS: only 'strong_wolfe' is supported as lineSearchFn (got ${String(o.lineSearchFn)})`);
    for (const k of ["maxIter", "maxEval", "historySize"])
      if (o[k] !== undefined && !(Number.isInteger(o[k]) && (o[k] as number) > 0))
        throw new RangeError(`LBFGS: ${k} must be a positive integer (got ${String(o[k])})`);
  }

  protected updateGroup(_group: ParamGroup): void {
    throw new Error("LBFGS: step() requires a closure");
  }

  private gatherFlatGrad(): Tensor {
    return cat(
      this._params.map((p) =>
        p.grad ? p.grad.reshape([-1]) : zeros([p.numel()], { dtype: p.dtype, device: p.device }),
      ),
      0,
    );
  }

  private addGrad(stepSize: number, update: Tensor): void {
    let offset = 0;
    for (const p of this._params) {
      const n = p.numel();
      p.add_(update.narrow(0, offset, n).viewAs(p), { alpha: stepSize });
      offset += n;
    }
  }

  private *directionalEvaluate(
    M: ScalarMath,
    closure: Closure<Tensor | number>,
    x: Tensor[],
    t: Sc,
    d: Tensor,
  ): Reads<[number, Tensor]> {
    this.addGrad(M.arg(t), d);
    const loss = yield* lossValue(enableGrad(closure));
    const flatGrad = this.gatherFlatGrad();
    this._params.forEach((p, i) => p.copy_(x[i]!));
    return [loss, flatGrad];
  }

  /**
   * Run up to `maxIter` iterations; `closure` is required. Returns the loss of the first evaluation.
   * Parameters on a device that reads back asynchronously ("webgpu") need `stepAsync`.
   */
  override step<L>(closure?: Closure<L>): L | undefined {
    const steps = this.steps(closure, "step");
    const onDevice = this._params.find((p) => p.backend.asyncOnly);
    if (onDevice)
      throw new Error(
        `LBFGS: its line search reads scalars (norms, dot products) on the host every iteration, as PyTorch's does with .item(), ` +
          `which a '${onDevice.device}' tensor cannot do synchronously: use \`await optimizer.stepAsync(closure)\``,
      );
    let r = noGrad(() => steps.next());
    while (!r.done) {
      const v = r.value.item();
      r = noGrad(() => steps.next(v));
    }
    return r.value as L;
  }

  /**
   * \`step\` for any device: the same iterations, reading each host scalar with \`await itemAsync()\`.
   * \`closure\` stays synchronous (forward and backward are, on every device):
   *
   *   const loss = await opt.stepAsync(() => { opt.zeroGrad(); const l = lossFn(model.forward(x), y); l.backward(); return l; });
   */
  async stepAsync<L>(closure: Closure<L>): Promise<L> {
    const steps = this.steps(closure, "stepAsync");
    let r = noGrad(() => steps.next());
    while (!r.done) {
      const v = await r.value.itemAsync();
      r = noGrad(() => steps.next(v));
    }
    return r.value as L;
  }

  /** The iterations of one step as a generator of host reads; checks the closure first. */
  private steps<L>(closure: Closure<L> | undefined, name: string): Reads<Tensor | number> {
    if (typeof closure !== "function")
      throw new Error(`LBFGS: ${name}() requires a closure that re-evaluates the model and returns the loss`);
    return this.run(closure as unknown as Closure<Tensor | number>);
  }

  private *run(closure: Closure<Tensor | number>): Reads<Tensor | number> {
    const group = this.paramGroups[0]!;
    const lr = group.lr;
    const maxIter = group.maxIter as number;
    const maxEval = group.maxEval as number;
    const toleranceGrad = group.toleranceGrad as number;
    const toleranceChange = group.toleranceChange as number;
    const lineSearchFn = group.lineSearchFn as string | null;
    const historySize = group.historySize as number;
    const dtype = this._params[0]!.dtype;
    const M = new ScalarMath(dtype);
    const toState = (a: Sc): Tensor | number => (a.t ? full([], a.v, { dtype }) : a.v);
    // (state scalars are CPU tensors: read synchronously)
    const fromState = (a: unknown): Sc => M.of(a instanceof Tensor ? M.tensor(a.item()) : Number(a));
    const max = (t: Tensor) => t.abs().max();

    // LBFGS has only global state, kept as the first parameter's state (helps loadStateDict's casting)
    const state: ParamState = this.stateOf(this._params[0]!);
    state.func_evals ??= 0;
    state.n_iter ??= 0;

    // evaluate initial f(x) and df/dx
    const origLoss = enableGrad(closure);
    let loss = yield* lossValue(origLoss);
    let currentEvals = 1;
    state.func_evals = (state.func_evals as number) + 1;
    let flatGrad = this.gatherFlatGrad();
    let optCond = M.le(M.tensor(yield max(flatGrad)), toleranceGrad);
    if (optCond) return origLoss; // optimal condition

    // state carried between steps
    let d = (state.d as Tensor | undefined) ?? null;
    let t = fromState(state.t ?? 0);
    let oldDirs = ((state.old_dirs as Tensor[] | undefined) ?? []) as Tensor[];
    let oldStps = ((state.old_stps as Tensor[] | undefined) ?? []) as Tensor[];
    let ro = ((state.ro as unknown[] | undefined) ?? []).map(fromState);
    let hDiag = fromState(state.H_diag ?? 1);
    let prevFlatGrad = (state.prev_flat_grad as Tensor | undefined) ?? null;
    let prevLoss = (state.prev_loss as number | undefined) ?? 0;

    let nIter = 0;
    while (nIter < maxIter) {
      nIter += 1;
      state.n_iter = (state.n_iter as number) + 1;

      // compute gradient descent direction
      if (state.n_iter === 1) {
        d = flatGrad.neg();
        oldDirs = [];
        oldStps = [];
        ro = [];
        hDiag = M.of(1);
      } else {
        // L-BFGS update of the memory
        const y = flatGrad.sub(prevFlatGrad!);
        const s = d!.mul(M.arg(t));
        const ys = M.tensor(yield y.dot(s)); // yᵀs
        if (M.gt(ys, 1e-10)) {
          if (oldDirs.length === historySize) {
            // shift history by one (limited memory)
            oldDirs.shift();
            oldStps.shift();
            ro.shift();
          }
          oldDirs.push(y);
          oldStps.push(s);
          ro.push(M.div(1, ys));
          // scale of the initial Hessian approximation: yᵀs / yᵀy
          hDiag = M.div(ys, M.tensor(yield y.dot(y)));
        }
        // two-loop recursion: the approximate inverse Hessian times the gradient, in one buffer
        const numOld = oldDirs.length;
        if (state.al === undefined) state.al = new Array<null>(historySize).fill(null);
        const al = (state.al as unknown[]).map((a) => (a === null ? null : fromState(a)));
        const q = flatGrad.neg();
        for (let i = numOld - 1; i >= 0; i--) {
          al[i] = M.mul(M.tensor(yield oldStps[i]!.dot(q)), ro[i]!);
          q.add_(oldDirs[i]!, { alpha: -M.arg(al[i]!) });
        }
        // multiply by the initial Hessian; r = d is the final direction
        const r = q.mul(M.arg(hDiag));
        d = r;
        for (let i = 0; i < numOld; i++) {
          const beI = M.mul(M.tensor(yield oldDirs[i]!.dot(r)), ro[i]!);
          r.add_(oldStps[i]!, { alpha: M.arg(M.sub(al[i]!, beI)) });
        }
        state.al = al.map((a) => (a === null ? null : toState(a)));
      }

      if (prevFlatGrad === null) prevFlatGrad = flatGrad.clone();
      else prevFlatGrad.copy_(flatGrad);
      prevLoss = loss;

      // step length: the first iteration's guess is scaled by the gradient's L1 norm
      if (state.n_iter === 1) t = M.mul(M.min(1, M.div(1, M.tensor(yield flatGrad.abs().sum()))), lr);
      else t = M.of(lr);

      // directional derivative; stop when below tolerance
      const gtd = M.tensor(yield flatGrad.dot(d!));
      if (M.gt(gtd, -toleranceChange)) break;

      let lsFuncEvals = 0;
      if (lineSearchFn !== null) {
        const xInit = this._params.map((p) => p.clone());
        const objFunc: ObjFunc = (x, tt, dd) => this.directionalEvaluate(M, closure, x, tt, dd);
        [loss, flatGrad, t, lsFuncEvals] = yield* strongWolfe(M, objFunc, xInit, t, d!, loss, flatGrad, gtd);
        this.addGrad(M.arg(t), d!);
        optCond = M.le(M.tensor(yield max(flatGrad)), toleranceGrad);
      } else {
        // no line search: a fixed step
        this.addGrad(M.arg(t), d!);
        if (nIter !== maxIter) {
          // re-evaluate only if not in the last iteration (no use in a stochastic setting)
          loss = yield* lossValue(enableGrad(closure));
          flatGrad = this.gatherFlatGrad();
          optCond = M.le(M.tensor(yield max(flatGrad)), toleranceGrad);
          lsFuncEvals = 1;
        }
      }
      currentEvals += lsFuncEvals;
      state.func_evals = (state.func_evals as number) + lsFuncEvals;

      // check conditions
      if (nIter === maxIter) break;
      if (currentEvals >= maxEval) break;
      if (optCond) break; // optimal condition
      // lack of progress
      if (M.le(M.tensor(yield max(d!.mul(M.arg(t)))), toleranceChange)) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }

    state.d = d;
    state.t = toState(t);
    state.old_dirs = oldDirs;
    state.old_stps = oldStps;
    state.ro = ro.map(toState);
    state.H_diag = toState(hDiag);
    state.prev_flat_grad = prevFlatGrad;
    state.prev_loss = prevLoss;
    return origLoss;
  }
}
