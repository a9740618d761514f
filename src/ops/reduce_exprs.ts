// How each reduction combines elements, as the kernels take it (`ReduceExpr`): a JS form (the CPU
// kernels compile it) and WGSL forms for the webgpu kernels, side by side so they cannot drift
// apart. The WGSL forms exist per accumulator type (f32 for floating inputs, i32 for integers and
// bool); `combine` merges two partial accumulators `a` and `b` (a reduction split over workgroups).
// NaN is tested on the bits in WGSL (isnan_f), since WGSL compilers may assume there is none.

import type { ReduceExpr, WgslReduce } from "../backend.js";

const add: WgslReduce = { init: "A(0)", step: "acc + v", combine: "a + b" };

/** The sum (also of integers and bool). */
export const SUM: ReduceExpr = { init: "0", step: "acc + v", wgsl: { f32: add, i32: add } };

/** The product. */
export const PROD: ReduceExpr = {
  init: "1",
  step: "acc * v",
  wgsl: {
    f32: { init: "A(1)", step: "acc * v", combine: "a * b" },
    i32: { init: "A(1)", step: "acc * v", combine: "a * b" },
  },
};

/** The sum skipping NaN. */
export const NANSUM: ReduceExpr = {
  init: "0",
  step: "v !== v ? acc : acc + v",
  wgsl: { f32: { init: "A(0)", step: "select(acc + v, acc, isnan_f(v))", combine: "a + b" }, i32: add },
};

/** The largest (`max`) or smallest element; NaN wins over every number. */
function extremum(max: boolean): ReduceExpr {
  const [cmp, inf] = max ? [">", "-Infinity"] : ["<", "Infinity"];
  const pick = (x: string, y: string) =>
    `select(select(${x}, ${y}, ${y} ${cmp} ${x} || isnan_f(${y})), ${x}, isnan_f(${x}))`;
  return {
    init: inf,
    step: `(v ${cmp} acc || v !== v || acc !== acc) ? (acc !== acc ? acc : v) : acc`,
    wgsl: {
      f32: { init: max ? "-inf_f()" : "inf_f()", step: pick("acc", "v"), combine: pick("a", "b") },
      i32: max
        ? { init: "i32(-2147483647 - 1)", step: "max(acc, v)", combine: "max(a, b)" }
        : { init: "i32(2147483647)", step: "min(acc, v)", combine: "min(a, b)" },
    },
  };
}
export const AMAX = extremum(true);
export const AMIN = extremum(false);

/**
 * The reduction of the p-norm before its final root: the largest |v| (p = inf; NaN wins), the
 * smallest (p = -inf), the count of nonzeros (p = 0), or the sum of |v|^p. Floating inputs only.
 */
export function normReduce(p: number): ReduceExpr {
  if (p === Infinity || p === -Infinity) {
    const [cmp, init, winit] = p > 0 ? [">", "0", "A(0)"] : ["<", "Infinity", "inf_f()"];
    return {
      init,
      step: `(Math.abs(v) ${cmp} acc || v !== v) ? Math.abs(v) : acc`,
      wgsl: {
        f32: {
          init: winit,
          step: `select(acc, abs(v), abs(v) ${cmp} acc || isnan_f(v))`,
          combine: `select(a, b, b ${cmp} a || isnan_f(b))`,
        },
      },
    };
  }
  const sumOf = (js: string, wgsl: string): ReduceExpr => ({
    init: "0",
    step: `acc + ${js}`,
    wgsl: { f32: { init: "A(0)", step: `acc + ${wgsl}`, combine: "a + b" } },
  });
  if (p === 0) return sumOf("(v !== 0 ? 1 : 0)", "select(A(1), A(0), v == A(0))");
  if (p === 1) return sumOf("Math.abs(v)", "abs(v)");
  if (p === 2) return sumOf("v * v", "v * v");
  return sumOf(`Math.pow(Math.abs(v), ${p})`, `pow_f(abs(v), f32(${p}))`);
}
