// The CPU kernel of the `convolution` primitive: im2col of a few samples at a time into a scratch
// matrix, then one batched matmul through the kernel set's own matmul (the native addon's when it is
// loaded, else the TS one); float32 3x3 stride-1 convolutions go to ./winograd.ts instead. Serves 1
// to 3 spatial dims, groups, strides, padding (negative crops), kernel dilation and input dilation
// (the transposed convolution), reading x and w through their strides.

import type { ConvGeometry, Kernels, View } from "../../backend.js";
import { arr } from "./codegen.js";
import { scratch, scratchView } from "./scratch.js";
import { winogradApplies, winogradConv } from "./winograd.js";

type Scratch = Float32Array | Float64Array;

/** Most elements of one im2col block (a whole number of samples, at least one). */
const BLOCK = 1 << 22;

/** Pad a per-spatial-dim list to 3 entries (leading dims of size 1). */
function to3(v: readonly number[], fill: number): number[] {
  return [...new Array<number>(3 - v.length).fill(fill), ...v];
}

/**
 * Convolution (cross-correlation, as in PyTorch) of x (N, C, *in) with w (O, C / groups, *k) into the
 * contiguous out (N, O, *outSizes): out[n, o, p] = sum over c, t of x_e[n, c, p * stride - pad + t * dil] *
 * w[o, c, t], where x_e is x with `inputDilation - 1` zeros between elements and zeros outside.
 * For each group, the im2col matrix holds one row per (c, t) and one column per output position, so
 * out = W (O/G, K) @ cols (K, L) per sample.
 */
export function convKernel(x: View, w: View, out: View, g: ConvGeometry, matmul: Kernels["matmul"]): void {
  const [N, C] = x.shape as [number, number];
  const O = w.shape[0]!;
  const G = g.groups;
  const Cg = C / G;
  const Og = O / G;
  const inS = to3(x.shape.slice(2), 1);
  const inSt = to3(x.strides.slice(2), 0);
  const [k0, k1, k2] = to3(w.shape.slice(2), 1) as [number, number, number];
  const [o0, o1, o2] = to3(out.shape.slice(2), 1) as [number, number, number];
  const stride = to3(g.stride, 1);
  const pad = to3(g.padding, 0);
  const dil = to3(g.dilation, 1);
  const inDil = to3(g.inputDilation, 1);
  const K = Cg * k0 * k1 * k2;
  const L = o0 * o1 * o2;
  if (N === 0 || O === 0 || L === 0) return;
  if (winogradApplies(x, w, g)) return winogradConv(x, w, out, g, matmul);
  const dtype = x.dtype;
  const Ctor = dtype === "float64" ? Float64Array : Float32Array;
  const scratchOf = (slot: string, n: number): Scratch =>
    dtype === "float64" ? scratch(slot, Float64Array, n) : scratch(slot, Float32Array, n);
  const X = arr(x);

  // the weight as a contiguous (O, K) matrix, rows ordered (c, t0, t1, t2)
  const Wm = scratchOf("conv.weight", O * K);
  const Wa = arr(w);
  const ws = w.strides;
  const wsp = to3(ws.slice(2), 0);
  let q = 0;
  for (let o = 0; o < O; o++)
    for (let c = 0; c < Cg; c++)
      for (let t0 = 0; t0 < k0; t0++)
        for (let t1 = 0; t1 < k1; t1++)
          for (let t2 = 0; t2 < k2; t2++)
            Wm[q++] = Wa[w.offset + o * ws[0]! + c * ws[1]! + t0 * wsp[0]! + t1 * wsp[1]! + t2 * wsp[2]!]!;

  // tap tables for the two outer spatial dims: input element offset read by output position a at
  // tap t ([a * k + t]), or -1 in padding / between dilated inputs
  const table = (d: number, n: number, k: number): Int32Array => {
    const t = new Int32Array(n * k);
    for (let a = 0; a < n; a++)
      for (let j = 0; j < k; j++) {
        const p = a * stride[d]! - pad[d]! + j * dil[d]!;
        const ok = p >= 0 && p % inDil[d]! === 0 && p / inDil[d]! < inS[d]!;
        t[a * k + j] = ok ? (p / inDil[d]!) * inSt[d]! : -1;
      }
    return t;
  };
  const T0 = table(0, o0, k0);
  const T1 = table(1, o1, k1);
  const T2 = table(2, o2, k2);
  // innermost dim without input dilation: for each tap, the valid output positions are one run
  // [LO, HI) reading the input from FIRST with step STEP
  const dense = inDil[2] === 1;
  const LO = new Int32Array(k2);
  const HI = new Int32Array(k2);
  const FIRST = new Int32Array(k2);
  for (let t2 = 0; t2 < k2; t2++) {
    const tap = t2 * dil[2]!;
    const lo = Math.max(0, Math.ceil((pad[2]! - tap) / stride[2]!));
    const hi = Math.min(o2, Math.floor((inS[2]! - 1 + pad[2]! - tap) / stride[2]!) + 1);
    LO[t2] = Math.min(lo, o2);
    HI[t2] = Math.max(lo, hi);
    FIRST[t2] = (lo * stride[2]! - pad[2]! + tap) * inSt[2]!;
  }
  const STEP = stride[2]! * inSt[2]!;

  const per = Math.max(1, Math.min(N, Math.floor(BLOCK / Math.max(1, K * L))));
  const cols = scratchOf("conv.cols", per * K * L);
  const [sn, sc] = [x.strides[0]!, x.strides[1]!];
  const [on, oc] = [out.strides[0]!, out.strides[1]!];
  for (let n0 = 0; n0 < N; n0 += per) {
    const nb = Math.min(per, N - n0);
    for (let gi = 0; gi < G; gi++) {
      // im2col of samples n0 .. n0 + nb - 1: cols[s, (c, t0, t1, t2), (a0, a1, a2)]
      let pos = 0;
      for (let s = 0; s < nb; s++)
        for (let c = 0; c < Cg; c++) {
          const cb = x.offset + (n0 + s) * sn + (gi * Cg + c) * sc;
          for (let t0 = 0; t0 < k0; t0++)
            for (let t1 = 0; t1 < k1; t1++)
              for (let t2 = 0; t2 < k2; t2++) {
                const lo = LO[t2]!;
                const hi = HI[t2]!;
                const first = FIRST[t2]!;
                for (let a0 = 0; a0 < o0; a0++) {
                  const e0 = T0[a0 * k0 + t0]!;
                  for (let a1 = 0; a1 < o1; a1++) {
                    const e1 = T1[a1 * k1 + t1]!;
                    const end = pos + o2;
                    if (e0 < 0 || e1 < 0) {
                      while (pos < end) cols[pos++] = 0;
                      continue;
                    }
                    const b = cb + e0 + e1;
                    if (!dense) {
                      for (let a2 = 0; a2 < o2; a2++) {
                        const e = T2[a2 * k2 + t2]!;
                        cols[pos++] = e < 0 ? 0 : X[b + e]!;
                      }
                      continue;
                    }
                    const runEnd = pos + hi;
                    while (pos < end - o2 + lo) cols[pos++] = 0;
                    if (STEP === 1 && hi - lo >= 64 && X instanceof Ctor) {
                      cols.set(X.subarray(b + first, b + first + hi - lo), pos);
                      pos = runEnd;
                    } else for (let r = b + first; pos < runEnd; r += STEP) cols[pos++] = X[r]!;
                    while (pos < end) cols[pos++] = 0;
                  }
                }
              }
        }
      // out[n0 + s, gi * Og + m, l] = sum_k W[gi * Og + m, k] * cols[s, k, l]
      matmul(
        scratchView(Wm, dtype, [nb, Og, K], [0, K, 1], gi * Og * K),
        scratchView(cols, dtype, [nb, K, L], [K * L, L, 1]),
        { ...out, shape: [nb, Og, L], strides: [on, oc, 1], offset: out.offset + n0 * on + gi * Og * oc },
      );
    }
  }
}
