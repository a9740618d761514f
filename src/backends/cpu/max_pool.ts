// The TS kernels of max pooling (see `Kernels.maxPoolIndices`, `Kernels.maxPoolValues`): for every
// plane of x (M, *spatial) and every window, the flat spatial index of its first maximum in row-major
// tap order, or the maximum itself. A NaN beats any number (the last NaN wins, as PyTorch 1.13 takes
// every NaN it meets), taps in the padding are skipped, and a window whose real elements are all -inf
// points at its first real element (where PyTorch points). Windows wholly inside the input (most of
// them) read their taps through one table of offsets; the others clip their tap ranges per dim.

import type { PoolGeometry, View } from "../../backend.js";
import { arr } from "./codegen.js";

/** Per output position of one dim: the taps [lo, hi) that land inside the input. */
function realTaps(L: number, k: number, s: number, p: number, d: number, n: number): [Int32Array, Int32Array] {
  const lo = new Int32Array(n);
  const hi = new Int32Array(n);
  for (let o = 0; o < n; o++) {
    const b = o * s - p;
    let l = 0;
    while (l < k && b + l * d < 0) l++;
    let h = k;
    while (h > l && b + (h - 1) * d >= L) h--;
    lo[o] = l;
    hi[o] = h;
  }
  return [lo, hi];
}

/** out (M, *outSpatial), int64: the flat spatial index of each window's maximum. */
export function maxPoolIndices(x: View, out: View, g: PoolGeometry): void {
  maxPoolScan(x, out, g, false);
}

/** out (M, *outSpatial), x's dtype: each window's maximum (NaN where the window holds one). */
export function maxPoolValues(x: View, out: View, g: PoolGeometry): void {
  maxPoolScan(x, out, g, true);
}

function maxPoolScan(x: View, out: View, g: PoolGeometry, values: boolean): void {
  const X = arr(x);
  const O = arr(out);
  const nsp = x.shape.length - 1;
  // pad the geometry to three spatial dims with unit leading ones
  const lead = 3 - nsp;
  const fill = <T>(v: readonly T[], one: T): T[] => [...new Array<T>(lead).fill(one), ...v];
  const sp = fill(x.shape.slice(1), 1);
  const st = fill(x.strides.slice(1), 0);
  const [k, s, p, d] = [fill(g.kernel, 1), fill(g.stride, 1), fill(g.padding, 0), fill(g.dilation, 1)];
  const o = fill(out.shape.slice(1), 1);
  const taps = [0, 1, 2].map((i) => realTaps(sp[i]!, k[i]!, s[i]!, p[i]!, d[i]!, o[i]!));
  const [[lo0, hi0], [lo1, hi1], [lo2, hi2]] = taps;
  const [S1, S2, st0, st1, st2, d0, d1, d2] = [sp[1]!, sp[2]!, st[0]!, st[1]!, st[2]!, d[0]!, d[1]!, d[2]!];
  // windows that lie wholly inside the input read their taps through one table of offsets
  const [full0, full1, full2] = taps.map(([lo, hi], i) =>
    Uint8Array.from(lo, (l, a) => +(l === 0 && hi[a] === k[i])),
  ) as [Uint8Array, Uint8Array, Uint8Array];
  const T = k[0]! * k[1]! * k[2]!;
  const tapOff = new Int32Array(T); // element offset of each tap from the window's first one
  const tapIdx = new Int32Array(T); // flat spatial index of each tap from the window's first one
  for (let t = 0; t < T; t++) {
    const t0 = Math.floor(t / (k[1]! * k[2]!)) * d0;
    const t1 = (Math.floor(t / k[2]!) % k[1]!) * d1;
    const t2 = (t % k[2]!) * d2;
    tapOff[t] = t0 * st0 + t1 * st1 + t2 * st2;
    tapIdx[t] = (t0 * S1 + t1) * S2 + t2;
  }
  const [O2, s2, p2] = [o[2]!, s[2]!, p[2]!];
  const M = x.shape[0]!;
  let q = out.offset;
  for (let m = 0; m < M; m++) {
    const xm = x.offset + m * x.strides[0]!;
    for (let a0 = 0; a0 < o[0]!; a0++) {
      const b0 = a0 * s[0]! - p[0]!;
      for (let a1 = 0; a1 < o[1]!; a1++) {
        const b1 = a1 * s[1]! - p[1]!;
        for (let a2 = 0; a2 < O2; a2++) {
          const b2 = a2 * s2 - p2;
          if (full0[a0]! & full1[a1]! & full2[a2]!) {
            const base = xm + b0 * st0 + b1 * st1 + b2 * st2;
            if (values) {
              // the rule below without the index (Math.max is slower: it also orders -0 before 0)
              let m = X[base]!;
              for (let t = 1; t < T; t++) {
                const v = X[base + tapOff[t]!]!;
                if (v > m || v !== v) m = v;
              }
              O[q++] = m;
              continue;
            }
            let best = X[base]!;
            let bt = 0;
            for (let t = 1; t < T; t++) {
              const v = X[base + tapOff[t]!]!;
              if (v > best || v !== v) {
                best = v;
                bt = t;
              }
            }
            O[q++] = (b0 * S1 + b1) * S2 + b2 + tapIdx[bt]!;
            continue;
          }
          let best = -Infinity;
          let idx = ((b0 + lo0![a0]! * d0) * S1 + b1 + lo1![a1]! * d1) * S2 + b2 + lo2![a2]! * d2;
          for (let t0 = lo0![a0]!; t0 < hi0![a0]!; t0++) {
            const i0 = b0 + t0 * d0;
            for (let t1 = lo1![a1]!; t1 < hi1![a1]!; t1++) {
              const i1 = b1 + t1 * d1;
              const row = xm + i0 * st0 + i1 * st1;
              for (let t2 = lo2![a2]!; t2 < hi2![a2]!; t2++) {
                const i2 = b2 + t2 * d2;
                const v = X[row + i2 * st2]!;
                if (v > best || v !== v) {
                  best = v;
                  idx = (i0 * S1 + i1) * S2 + i2;
                }
              }
            }
          }
          O[q++] = values ? best : idx;
        }
      }
    }
  }
}
