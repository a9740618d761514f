// Float32 convolution on webgpu as im2col + the tuned matmul (matmul.ts): the input's windows are
// unrolled into a (N, groups, C/groups * taps, outputs) matrix in a temporary buffer, then
// out[n, g] = w[g] (O/groups x C/groups * taps) @ cols[n, g], written straight into the output.
// Handles every geometry of the convolution primitive (stride, padding, kernel and input dilation,
// groups, 1 to 3 spatial dims); a weight view whose (channel, taps) dims are not one contiguous row
// is packed into a contiguous copy first. Large batches run in chunks so the column buffer stays
// below COLS_LIMIT elements.

import type { ConvGeometry, View } from "../../backend.js";
import { numel } from "../../shape.js";
import { acquire, dispatch, grid, pipeline, releaseAfterSubmit, type BindKind } from "./gpu.js";
import { tunedMatmul } from "./matmul.js";
import { allocStorage, freeStorage } from "./storage.js";
import { LINEAR_INDEX, MAIN_ARGS, offsetsFn, offsetsMeta, to3 } from "./wgsl.js";

/** Most elements of one column buffer (256 MiB of float32). */
const COLS_LIMIT = 2 ** 26;

/** Whether the im2col path handles this convolution (float32, contiguous output, sizes within i32). */
export function im2colApplies(x: View, w: View, out: View): boolean {
  if (x.dtype !== "float32" || w.dtype !== "float32" || out.dtype !== "float32") return false;
  const sd = x.shape.length - 2;
  if (sd < 1 || sd > 3) return false;
  // out must be contiguous (the contract says so; checked, as the matmul writes rows of length L)
  let s = 1;
  for (let d = out.shape.length - 1; d >= 0; d--) {
    if (out.shape[d]! > 1 && out.strides[d] !== s) return false;
    s *= out.shape[d]!;
  }
  const rows = numel(w.shape.slice(1));
  return rows * numel(out.shape.slice(2)) <= COLS_LIMIT && numel(out.shape) < 2 ** 31;
}

/**
 * The im2col kernel: cols[(n * G + g) * R + j, l] for j = c * taps + t, l = output position. One
 * invocation per (sample, input channel, output position) writes that position's taps (rows
 * c * taps + t), so the index arithmetic is done once per position rather than once per element.
 */
function im2col(
  xBuf: GPUBuffer,
  cols: GPUBuffer,
  n0: number,
  nb: number,
  G: number,
  R: number,
  L: number,
  meta: number[],
): void {
  const binds: BindKind[] = ["w", "r", "m"];
  const kernel = pipeline(
    "im2col|f32",
    binds,
    () => `
@group(0) @binding(0) var<storage, read_write> cols: array<f32>;
@group(0) @binding(1) var<storage, read> xi: array<f32>;
@group(0) @binding(2) var<storage, read> md: array<i32>;
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  // md: [invocations, R, L, Cg, first n, out sizes 3, in sizes 3, k sizes 3, stride 3, pad 3, dil 3,
  //      inDil 3, x offset, x strides (n, c, 3), G]
  let idx = ${LINEAR_INDEX};
  if (idx >= md[0]) { return; }
  let R = md[1];
  let L = md[2];
  let Cg = md[3];
  let G = md[32];
  let l = idx % L;
  let nc = idx / L;
  let c = nc % (G * Cg);
  let nl = nc / (G * Cg);
  let g = c / Cg;
  let taps = md[11] * md[12] * md[13];
  // this position's first row in cols: sample nl, group g, channel c % Cg, tap 0
  var dst = ((nl * G + g) * R + (c % Cg) * taps) * L + l;
  let q2 = l % md[7];
  let q1 = (l / md[7]) % md[6];
  let q0 = l / (md[7] * md[6]);
  let xo = md[26] + (md[4] + nl) * md[27] + c * md[28];
  for (var t0 = 0; t0 < md[11]; t0++) {
    let e0 = q0 * md[14] - md[17] + t0 * md[20];
    let ok0 = e0 >= 0 && e0 % md[23] == 0 && e0 / md[23] < md[8];
    for (var t1 = 0; t1 < md[12]; t1++) {
      let e1 = q1 * md[15] - md[18] + t1 * md[21];
      let ok1 = ok0 && e1 >= 0 && e1 % md[24] == 0 && e1 / md[24] < md[9];
      for (var t2 = 0; t2 < md[13]; t2++) {
        let e2 = q2 * md[16] - md[19] + t2 * md[22];
        var v = 0.0;
        if (ok1 && e2 >= 0 && e2 % md[25] == 0 && e2 / md[25] < md[10]) {
          v = xi[xo + (e0 / md[23]) * md[29] + (e1 / md[24]) * md[30] + (e2 / md[25]) * md[31]];
        }
        cols[dst] = v;
        dst += L;
      }
    }
  }
}`,
  );
  const invocations = nb * G * meta[0]! * L; // samples x channels x output positions
  dispatch(
    kernel,
    [cols, xBuf],
    Int32Array.from([invocations, R, L, meta[0]!, n0, ...meta.slice(1)]),
    grid(Math.ceil(invocations / 64)),
  );
}

/** A contiguous copy of a strided view (the weight, when its rows are not contiguous). */
function pack(src: GPUBuffer, v: View): GPUBuffer {
  const n = numel(v.shape);
  const { buffer } = acquire(n * 4);
  releaseAfterSubmit(buffer);
  const binds: BindKind[] = ["w", "r", "m"];
  const kernel = pipeline(
    "pack|f32",
    binds,
    () => `
@group(0) @binding(0) var<storage, read_write> dst: array<f32>;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> md: array<i32>;
${offsetsFn(1)}
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  let idx = ${LINEAR_INDEX};
  if (idx >= md[0]) { return; }
  dst[idx] = src[offsets_1(idx, 1)[0]];
}`,
  );
  const meta = Int32Array.from([n, ...offsetsMeta(v.shape, [{ offset: v.offset, strides: v.strides }])]);
  dispatch(kernel, [buffer, src], meta, grid(Math.ceil(n / 64)));
  return buffer;
}

/** The geometry words of the im2col kernel for input x, weight shape (O, Cg, *k) and output shape (N, O, *out). */
function im2colMeta(x: View, wShape: readonly number[], outShape: readonly number[], geo: ConvGeometry): number[] {
  return [
    wShape[1]!,
    ...to3(outShape.slice(2), 1),
    ...to3(x.shape.slice(2), 1),
    ...to3(wShape.slice(2), 1),
    ...to3(geo.stride, 1),
    ...to3(geo.padding, 0),
    ...to3(geo.dilation, 1),
    ...to3(geo.inputDilation, 1),
    x.offset,
    x.strides[0]!,
    x.strides[1]!,
    ...to3(x.strides.slice(2), 0),
    geo.groups,
  ];
}

/** Whether dims 1.. of `v` are laid out row-major contiguously (one weight row per output channel). */
function rowsContiguous(v: View): boolean {
  let s = 1;
  for (let d = v.shape.length - 1; d >= 1; d--) {
    if (v.shape[d]! > 1 && v.strides[d] !== s) return false;
    s *= v.shape[d]!;
  }
  return true;
}

/**
 * out (N, O, *outSizes) = convolution of x (N, C, *in) with w (O, C / groups, *k); `bufs` are the
 * buffers of out, x and w (inputs aliasing out already snapshotted). Call when `im2colApplies`.
 */
export function convIm2col(bufs: readonly GPUBuffer[], x: View, w: View, out: View, geo: ConvGeometry): void {
  const [outBuf, xBuf] = bufs as [GPUBuffer, GPUBuffer, GPUBuffer];
  const N = x.shape[0]!;
  const O = w.shape[0]!;
  const G = geo.groups;
  const Og = O / G;
  const R = numel(w.shape.slice(1));
  const L = numel(out.shape.slice(2));
  if (N === 0 || O === 0 || L === 0) return;
  // the weight as an (O x R) matrix: its own buffer when each row is contiguous, else a packed copy
  const packed = !rowsContiguous(w);
  const wBuf = packed ? pack(bufs[2]!, w) : bufs[2]!;
  const [wOffset, wRow] = packed ? [0, R] : [w.offset, w.strides[0]!];
  const meta = im2colMeta(x, w.shape, out.shape, geo);
  const chunk = Math.max(1, Math.min(N, Math.floor(COLS_LIMIT / (G * R * L))));
  for (let n0 = 0; n0 < N; n0 += chunk) {
    const nb = Math.min(chunk, N - n0);
    const { buffer: cols } = acquire(nb * G * R * L * 4);
    releaseAfterSubmit(cols);
    if (R > 0) im2col(xBuf, cols, n0, nb, G, R, L, meta);
    const f32 = "float32" as const;
    // out[n, g] (Og x L) = w[g] (Og x R) @ cols[n, g] (R x L), batch dims (n, g)
    const a: View = {
      storage: w.storage,
      dtype: f32,
      shape: [nb, G, Og, R],
      strides: [0, Og * wRow, wRow, 1],
      offset: wOffset,
    };
    const b: View = {
      storage: w.storage,
      dtype: f32,
      shape: [nb, G, R, L],
      strides: [G * R * L, R * L, L, 1],
      offset: 0,
    };
    const o: View = {
      storage: out.storage,
      dtype: f32,
      shape: [nb, G, Og, L],
      strides: [O * L, Og * L, L, 1],
      offset: out.offset + n0 * O * L,
    };
    tunedMatmul([outBuf, wBuf, cols], a, b, o);
  }
}

/** Most elements of the per-sample weight-gradient products kept at once (64 MiB of float32). */
const PARTIAL_LIMIT = 2 ** 24;

/**
 * The weight gradient of the convolution: dw (O, Cg, *k), contiguous, = sum over samples n of
 * gy[n, g] (Og x L) @ cols[n, g]^T (L x R) per group g, with cols the input's im2col matrix. The
 * per-sample products run as one batched matmul (batch (n, g): enough workgroups even when O and R are
 * small, where a single GEMM over K = N * L would leave the GPU idle), then a sum over n. `bufs` are
 * the buffers of dw, gy and x; gy's spatial dims are one unit-stride run.
 */
export function convWeightGradIm2col(
  bufs: readonly GPUBuffer[],
  gy: View,
  x: View,
  dw: View,
  geo: ConvGeometry,
  sumOverBatch: (partial: View, out: View) => void,
): void {
  const [, gyBuf, xBuf] = bufs as [GPUBuffer, GPUBuffer, GPUBuffer];
  const N = x.shape[0]!;
  const O = dw.shape[0]!;
  const G = geo.groups;
  const Og = O / G;
  const R = numel(dw.shape.slice(1));
  const L = numel(gy.shape.slice(2));
  const f32 = "float32" as const;
  const dw2: View = { ...dw, shape: [O, R], strides: [R, 1] };
  if (O * R === 0) return;
  if (N === 0 || L === 0) {
    // no products: the sum over none
    sumOverBatch({ storage: gy.storage, dtype: f32, shape: [O, R, 0], strides: [0, 0, 0], offset: 0 }, dw2);
    return;
  }
  const meta = im2colMeta(x, dw.shape, gy.shape, geo);
  const chunk = Math.max(1, Math.min(N, Math.floor(COLS_LIMIT / (G * R * L)), Math.floor(PARTIAL_LIMIT / (O * R))));
  const chunks = Math.ceil(N / chunk);
  // per chunk: the products (nb, O, R), summed over nb into dw or, with several chunks, into sums[c]
  const sums = chunks > 1 ? allocStorage("float32", chunks * O * R, false) : null;
  for (let c = 0; c < chunks; c++) {
    const n0 = c * chunk;
    const nb = Math.min(chunk, N - n0);
    const { buffer: cols } = acquire(nb * G * R * L * 4);
    releaseAfterSubmit(cols);
    im2col(xBuf, cols, n0, nb, G, R, L, meta);
    const products = allocStorage("float32", nb * O * R, false);
    const prod: View = {
      storage: products,
      dtype: f32,
      shape: [nb, G, Og, R],
      strides: [O * R, Og * R, R, 1],
      offset: 0,
    };
    // a: gy[n, g] (Og x L); b: cols[n, g] read transposed (L x R)
    const a: View = {
      storage: gy.storage,
      dtype: f32,
      shape: [nb, G, Og, L],
      strides: [gy.strides[0]!, Og * gy.strides[1]!, gy.strides[1]!, 1],
      offset: gy.offset + n0 * gy.strides[0]!,
    };
    const b: View = {
      storage: gy.storage,
      dtype: f32,
      shape: [nb, G, L, R],
      strides: [G * R * L, R * L, 1, L],
      offset: 0,
    };
    tunedMatmul([products.buffer!, gyBuf, cols], a, b, prod);
    // (nb, O, R) as (O, R, nb): sum the trailing dim into dw, or into sums[c]
    const into: View = sums ? { storage: sums, dtype: f32, shape: [O, R], strides: [R, 1], offset: c * O * R } : dw2;
    sumOverBatch({ ...prod, shape: [O, R, nb], strides: [R, 1, O * R] }, into);
    freeStorage(products);
  }
  if (sums) {
    const all: View = { storage: sums, dtype: f32, shape: [O, R, chunks], strides: [R, 1, O * R], offset: 0 };
    sumOverBatch(all, dw2);
    freeStorage(sums);
  }
}
