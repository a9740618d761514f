// The TS kernels' 3x3 stride-1 float32 convolution by Winograd's minimal filtering F(2x2, 3x3) (Lavin
// and Gray, "Fast Algorithms for Convolutional Neural Networks", 2015): each 2x2 block of outputs is
// computed from a 4x4 tile of the input with 16 products per (input channel, output channel) pair
// instead of 36, so the GEMM, which bounds the TS convolution, does 2.25x less work:
//   Y = A^T [ sum over c of (G g G^T) * (B^T d B) ] A
// for the 3x3 kernel g of one channel pair and the 4x4 input tile d (zeros outside the input), * the
// elementwise product. Per tile position xi (16 of them) the channel sum is one matrix product
// M[xi] (O, tiles) = U[xi] (O, C) @ V[xi] (C, tiles), run on the kernel set's matmul. Transforms and
// sums are in float64 and the output is rounded once to float32: its error stays far below float32's
// rounding, where the direct path's sums are exact in float64. Float64 convolutions keep that direct
// path (./conv.ts), so their results stay exactly rounded.

import type { ConvGeometry, Kernels, View } from "../../backend.js";
import { arr } from "./codegen.js";
import { scratch, scratchView } from "./scratch.js";

/** Most float64 elements of one block of transformed input tiles (a whole number of samples, at least one). */
const BLOCK = 1 << 20;
/** Input channels per group from which the transforms pay for themselves (measured: 1 is slower, 2 level). */
const MIN_CHANNELS = 3;

/**
 * Whether `conv(x, w)` with geometry `g` takes the Winograd path: float32, 2-D, 3x3, stride 1, no
 * dilation, at least MIN_CHANNELS input channels per group, and every element of x and w finite (the
 * transforms subtract elements, so one inf would make NaN of the sums it meets, and a NaN would reach
 * all outputs of its tile, where the direct sums give inf or keep the NaN to the outputs that read it).
 */
export function winogradApplies(x: View, w: View, g: ConvGeometry): boolean {
  if (x.dtype !== "float32" || x.shape.length !== 4 || w.shape[2] !== 3 || w.shape[3] !== 3) return false;
  for (let d = 0; d < 2; d++)
    if (g.stride[d] !== 1 || g.dilation[d] !== 1 || g.inputDilation[d] !== 1 || g.padding[d]! < 0) return false;
  return x.shape[1]! / g.groups >= MIN_CHANNELS && allFinite(x) && allFinite(w);
}

/** Whether every element of a 4-D view is finite. */
function allFinite(v: View): boolean {
  const A = arr(v);
  const [n0, n1, n2, n3] = v.shape as [number, number, number, number];
  const [s0, s1, s2, s3] = v.strides as [number, number, number, number];
  for (let i = 0; i < n0; i++)
    for (let j = 0; j < n1; j++)
      for (let k = 0; k < n2; k++) {
        const r = v.offset + i * s0 + j * s1 + k * s2;
        for (let l = 0; l < n3; l++) {
          const e = A[r + l * s3]!;
          if (e - e !== 0) return false; // NaN for NaN and +-inf
        }
      }
  return true;
}

/**
 * out (N, O, H', W') = the cross-correlation of x (N, C, H, W) with w (O, C / groups, 3, 3), zero
 * padding `g.padding` before the input (the output's size sets how much lies after it); for the
 * geometries `winogradApplies` accepts.
 */
export function winogradConv(x: View, w: View, out: View, g: ConvGeometry, matmul: Kernels["matmul"]): void {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const O = w.shape[0]!;
  const [OH, OW] = [out.shape[2]!, out.shape[3]!];
  const G = g.groups;
  const [Cg, Og] = [C / G, O / G];
  const [ph, pw] = [g.padding[0]!, g.padding[1]!];
  const [TY, TX] = [Math.ceil(OH / 2), Math.ceil(OW / 2)]; // tiles per sample
  const tilesPer = TY * TX;
  const X = arr(x);
  const Y = arr(out);
  const Wa = arr(w);
  const [xn, xc, xh, xw] = x.strides as [number, number, number, number];
  const [wo, wc, wh, ww] = w.strides as [number, number, number, number];
  const [yn, yc, yh, yw] = out.strides as [number, number, number, number];

  // U[xi, o, c] = (G g G^T)[xi] for the kernel g = w[o, c]: rows of G are (1,0,0), (1,1,1)/2, (1,-1,1)/2, (0,0,1)
  const U = scratch("winograd.weight", Float64Array, 16 * O * Cg);
  const u = new Float64Array(12); // G g: 4 rows x 3 columns
  for (let o = 0; o < O; o++)
    for (let c = 0; c < Cg; c++) {
      const b = w.offset + o * wo + c * wc;
      for (let j = 0; j < 3; j++) storeG(u, j, 3, Wa[b + j * ww]!, Wa[b + wh + j * ww]!, Wa[b + 2 * wh + j * ww]!);
      // (G g) G^T, row i to U[4 * i + (0..3), o, c]; U is (16, O, Cg): group gi's rows start at gi * Og
      const step = O * Cg;
      for (let i = 0; i < 4; i++) storeG(U, 4 * i * step + o * Cg + c, step, u[3 * i]!, u[3 * i + 1]!, u[3 * i + 2]!);
    }

  const per = Math.max(1, Math.min(N, Math.floor(BLOCK / (16 * Math.max(Cg, Og) * tilesPer))));
  const T = per * tilesPer; // tiles of a full block
  const V = scratch("winograd.input", Float64Array, 16 * Cg * T); // V[xi, t, c]
  const Mx = scratch("winograd.product", Float64Array, 16 * Og * T); // M[xi, o, t]
  const d = new Float32Array(16); // an input tile that reaches past the input, row-major, zeros outside
  for (let n0 = 0; n0 < N; n0 += per) {
    const nb = Math.min(per, N - n0);
    const Tb = nb * tilesPer;
    const vStep = Cg * Tb; // V is (16, Tb, Cg) for this block: each tile's channels side by side
    for (let gi = 0; gi < G; gi++) {
      // V[xi, t, c] = (B^T d B)[xi] for the tile d of channel c
      for (let c = 0; c < Cg; c++) {
        let t = 0;
        for (let s = 0; s < nb; s++) {
          const xb = x.offset + (n0 + s) * xn + (gi * Cg + c) * xc;
          for (let ty = 0; ty < TY; ty++) {
            const y0 = 2 * ty - ph;
            for (let tx = 0; tx < TX; tx++, t++) {
              const x0 = 2 * tx - pw;
              const v = t * Cg + c;
              if (y0 >= 0 && y0 + 4 <= H && x0 >= 0 && x0 + 4 <= W) {
                inputTile(X as Float32Array, xb + y0 * xh + x0 * xw, xh, xw, V, v, vStep);
                continue;
              }
              for (let i = 0; i < 4; i++)
                for (let j = 0; j < 4; j++) {
                  const yy = y0 + i;
                  const xx = x0 + j;
                  d[4 * i + j] = yy >= 0 && yy < H && xx >= 0 && xx < W ? X[xb + yy * xh + xx * xw]! : 0;
                }
              inputTile(d, 0, 4, 1, V, v, vStep);
            }
          }
        }
      }
      // M[xi, o, t] = sum_c U[xi, gi * Og + o, c] V[xi, t, c]: per xi a product (Og, Cg) @ (Cg, Tb)
      matmul(
        scratchView(U, "float64", [16, Og, Cg], [O * Cg, Cg, 1], gi * Og * Cg),
        scratchView(V, "float64", [16, Cg, Tb], [vStep, 1, Cg]),
        scratchView(Mx, "float64", [16, Og, Tb], [Og * Tb, Tb, 1]),
      );
      // out = A^T M A, rows of A^T (1,1,1,0), (0,1,-1,-1); only the outputs inside out's extent
      const mStep = Og * Tb;
      const [s1, s2, s3] = [mStep, 2 * mStep, 3 * mStep];
      for (let o = 0; o < Og; o++) {
        let t = o * Tb;
        for (let s = 0; s < nb; s++) {
          const yb = out.offset + (n0 + s) * yn + (gi * Og + o) * yc;
          for (let ty = 0; ty < TY; ty++)
            for (let tx = 0; tx < TX; tx++, t++) {
              // per row i of this tile's M (entries xi = 4 * i + j at t + xi * mStep): (m A)[i, 0..1]
              const b0 = t;
              const b1 = t + 4 * mStep;
              const b2 = t + 8 * mStep;
              const b3 = t + 12 * mStep;
              const r00 = Mx[b0]! + Mx[b0 + s1]! + Mx[b0 + s2]!;
              const r01 = Mx[b0 + s1]! - Mx[b0 + s2]! - Mx[b0 + s3]!;
              const r10 = Mx[b1]! + Mx[b1 + s1]! + Mx[b1 + s2]!;
              const r11 = Mx[b1 + s1]! - Mx[b1 + s2]! - Mx[b1 + s3]!;
              const r20 = Mx[b2]! + Mx[b2 + s1]! + Mx[b2 + s2]!;
              const r21 = Mx[b2 + s1]! - Mx[b2 + s2]! - Mx[b2 + s3]!;
              const r30 = Mx[b3]! + Mx[b3 + s1]! + Mx[b3 + s2]!;
              const r31 = Mx[b3 + s1]! - Mx[b3 + s2]! - Mx[b3 + s3]!;
              const oy = 2 * ty;
              const ox = 2 * tx;
              const q = yb + oy * yh + ox * yw;
              Y[q] = r00 + r10 + r20;
              if (ox + 1 < OW) Y[q + yw] = r01 + r11 + r21;
              if (oy + 1 < OH) {
                Y[q + yh] = r10 - r20 - r30;
                if (ox + 1 < OW) Y[q + yh + yw] = r11 - r21 - r31;
              }
            }
        }
      }
    }
  }
}

/**
 * V[v + xi * vs] = (B^T d B)[xi] (xi = 4 * i + j) for the 4x4 tile d[i, j] = D[r + i * sr + j * sc];
 * the rows of B^T are (1,0,-1,0), (0,1,1,0), (0,-1,1,0), (0,1,0,-1).
 */
function inputTile(D: Float32Array, r: number, sr: number, sc: number, V: Float64Array, v: number, vs: number): void {
  const r1 = r + sr;
  const r2 = r1 + sr;
  const r3 = r2 + sr;
  const c1 = sc;
  const c2 = 2 * sc;
  const c3 = 3 * sc;
  // e = B^T d, column by column (e[i][j] is e<i><j>)
  const e00 = D[r]! - D[r2]!;
  const e10 = D[r1]! + D[r2]!;
  const e20 = D[r2]! - D[r1]!;
  const e30 = D[r1]! - D[r3]!;
  const e01 = D[r + c1]! - D[r2 + c1]!;
  const e11 = D[r1 + c1]! + D[r2 + c1]!;
  const e21 = D[r2 + c1]! - D[r1 + c1]!;
  const e31 = D[r1 + c1]! - D[r3 + c1]!;
  const e02 = D[r + c2]! - D[r2 + c2]!;
  const e12 = D[r1 + c2]! + D[r2 + c2]!;
  const e22 = D[r2 + c2]! - D[r1 + c2]!;
  const e32 = D[r1 + c2]! - D[r3 + c2]!;
  const e03 = D[r + c3]! - D[r2 + c3]!;
  const e13 = D[r1 + c3]! + D[r2 + c3]!;
  const e23 = D[r2 + c3]! - D[r1 + c3]!;
  const e33 = D[r1 + c3]! - D[r3 + c3]!;
  // V = e B, row by row
  storeRowB(V, v, vs, e00, e01, e02, e03);
  storeRowB(V, v + 4 * vs, vs, e10, e11, e12, e13);
  storeRowB(V, v + 8 * vs, vs, e20, e21, e22, e23);
  storeRowB(V, v + 12 * vs, vs, e30, e31, e32, e33);
}

/** V[v + j * vs] = (e B)[j] for one row e = (e0, e1, e2, e3): e0 - e2, e1 + e2, e2 - e1, e1 - e3. */
function storeRowB(V: Float64Array, v: number, vs: number, e0: number, e1: number, e2: number, e3: number): void {
  V[v] = e0 - e2;
  V[v + vs] = e1 + e2;
  V[v + 2 * vs] = e2 - e1;
  V[v + 3 * vs] = e1 - e3;
}

/** dst[p + i * step] = (G g)[i] for one column g = (g0, g1, g2): g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2. */
function storeG(dst: Float64Array, p: number, step: number, g0: number, g1: number, g2: number): void {
  dst[p] = g0;
  dst[p + step] = (g0 + g1 + g2) / 2;
  dst[p + 2 * step] = (g0 - g1 + g2) / 2;
  dst[p + 3 * step] = g2;
}
