// Max pooling's argmax on webgpu (`Kernels.maxPoolIndices`): one invocation per output window walks
// its taps and keeps the flat spatial index of the first maximum, so pooling needs one pass over the
// input (the op layer then gathers the values at these indices) instead of a window copy, an argmax
// and a gather through a tap table. Semantics as PyTorch's: NaN beats every number (the last NaN
// wins), padding taps are skipped, and a window whose real elements are all -inf points at its first
// real element.

import type { PoolGeometry, View } from "../../backend.js";
import { numel } from "../../shape.js";
import { dispatch, grid, pipeline, type BindKind } from "./gpu.js";
import { bufferOf } from "./storage.js";
import { LINEAR_INDEX, MAIN_ARGS, prelude, storeType, to3 } from "./wgsl.js";

/** out (M, *outSpatial), int64 (stored as i32), contiguous = the argmax of every window of x (M, *spatial). */
export function maxPoolIndices(x: View, out: View, g: PoolGeometry): void {
  const op = "max_pool_indices";
  const bufs = [bufferOf(out.storage, op), bufferOf(x.storage, op)];
  const total = numel(out.shape);
  if (total === 0) return;
  const binds: BindKind[] = ["w", "r", "m"];
  const kernel = pipeline(
    `maxPoolIndices|${storeType(x.dtype)}`,
    binds,
    () => `${prelude()}
@group(0) @binding(0) var<storage, read_write> dst: array<i32>;
@group(0) @binding(1) var<storage, read> xi: array<${storeType(x.dtype)}>;
@group(0) @binding(2) var<storage, read> md: array<i32>;
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  // md: [total, windows per plane, out sizes 3, in sizes 3, kernel 3, stride 3, padding 3, dilation 3,
  //      x offset, x plane stride, x spatial strides 3]
  let idx = ${LINEAR_INDEX};
  if (idx >= md[0]) { return; }
  let m = idx / md[1];
  let q = idx % md[1];
  let q2 = q % md[4];
  let q1 = (q / md[4]) % md[3];
  let q0 = q / (md[4] * md[3]);
  let base = md[20] + m * md[21];
  var best = 0.0;
  var bi = -1;
  var first = -1;
  var nan_found = false;
  for (var t0 = 0; t0 < md[8]; t0++) {
    let p0 = q0 * md[11] - md[14] + t0 * md[17];
    if (p0 < 0 || p0 >= md[5]) { continue; }
    for (var t1 = 0; t1 < md[9]; t1++) {
      let p1 = q1 * md[12] - md[15] + t1 * md[18];
      if (p1 < 0 || p1 >= md[6]) { continue; }
      for (var t2 = 0; t2 < md[10]; t2++) {
        let p2 = q2 * md[13] - md[16] + t2 * md[19];
        if (p2 < 0 || p2 >= md[7]) { continue; }
        let flat = (p0 * md[6] + p1) * md[7] + p2;
        let v = f32(xi[base + p0 * md[22] + p1 * md[23] + p2 * md[24]]);
        if (first < 0) { first = flat; }
        let nan = isnan_f(v);
        let neg_inf = bitcast<u32>(v) == 0xff800000u;
        if (nan || (!nan_found && !neg_inf && (bi < 0 || v > best))) {
          best = v;
          bi = flat;
          nan_found = nan_found || nan;
        }
      }
    }
  }
  dst[idx] = select(bi, first, bi < 0);
}`,
  );
  const sd = x.shape.length - 1;
  const meta = Int32Array.from([
    total,
    numel(out.shape.slice(1)),
    ...to3(out.shape.slice(1), 1),
    ...to3(x.shape.slice(1), 1),
    ...to3(g.kernel, 1),
    ...to3(g.stride, 1),
    ...to3(g.padding, 0),
    ...to3(g.dilation, 1),
    x.offset,
    x.strides[0]!,
    ...to3(x.strides.slice(1, 1 + sd), 0),
  ]);
  dispatch(kernel, bufs, meta, grid(Math.ceil(total / 64)));
}
