// The tuned float32 matmul of the webgpu backend: a WGSL template tiled in workgroup memory, each
// invocation computing a tm x tn block of outputs (held in registers, fully unrolled), operands loaded
// as vec4 where their layout allows it (contiguous along K or along M/N, aligned to 4 elements) and
// element by element through the views' strides otherwise, batched over the z workgroup index.
// Pipelines are cached by (tile config, operand layouts, output layout).
//
// Accumulation is plain float32 fused multiply-add in k order, as GPU BLAS libraries do (the generic
// kernel in kernels.ts keeps a compensated sum for integer and exotic cases).

import type { View } from "../../backend.js";
import { numel } from "../../shape.js";
import { adapterKind, dispatch, env, pipeline, type AdapterKind, type BindKind } from "./gpu.js";
import { offsetsFn, offsetsMeta } from "./wgsl.js";

/** A tile configuration: per-invocation block tm x tn, workgroup wx x wy invocations, k step bk. */
export interface MatmulConfig {
  readonly name: string;
  readonly tm: number;
  readonly tn: number;
  readonly wx: number;
  readonly wy: number;
  readonly bk: number;
}

/** The tile configurations, largest first (each loads a whole number of vec4 per invocation). */
export const MATMUL_CONFIGS: readonly MatmulConfig[] = [
  { name: "128x128", tm: 8, tn: 8, wx: 16, wy: 16, bk: 8 },
  { name: "64x64", tm: 4, tn: 4, wx: 16, wy: 16, bk: 16 },
  { name: "32x32", tm: 4, tn: 4, wx: 8, wy: 8, bk: 16 },
];

/** How an operand is read: vec4 along its contiguous inner (K) dim, vec4 along its outer (M or N) dim, or by strides. */
type Layout = "k4" | "mn4" | "strided";

/** Most batch matrices per dispatch (the z workgroup count limit). */
const MAX_Z = 65535;
/** Most workgroups per x/y dimension. */
const MAX_XY = 65535;

/** Workgroups the config needs for an M x N output times `batch`. */
function tiles(c: MatmulConfig, M: number, N: number, batch: number): number {
  return Math.ceil(M / (c.tm * c.wy)) * Math.ceil(N / (c.tn * c.wx)) * batch;
}

/**
 * The config for an (M x N) output batch. On a GPU: the largest tile that still gives enough
 * workgroups to fill it (256 for the largest tile, 128 for the middle one), else the smallest. On a
 * CPU adapter (lavapipe, SwiftShader), which runs a few workgroups at a time, one per core, larger
 * per-invocation blocks are worth more than parallel slack: the config with the least padded work
 * per unit of its speed there (`CPU_RATE`), so a 32-row output does not pay for a 128-row tile.
 */
export function chooseConfig(M: number, N: number, batch: number, on: AdapterKind = adapterKind()): MatmulConfig {
  if (forcedConfig) return forcedConfig;
  const [big, mid, small] = MATMUL_CONFIGS as [MatmulConfig, MatmulConfig, MatmulConfig];
  if (on === "cpu") {
    const cost = (c: MatmulConfig) => (tiles(c, M, N, batch) * c.tm * c.wy * c.tn * c.wx) / CPU_RATE[c.name]!;
    return [big, mid, small].reduce((best, c) => (cost(c) < cost(best) ? c : best));
  }
  if (tiles(big, M, N, batch) >= 256) return big;
  if (tiles(mid, M, N, batch) >= 128) return mid;
  return small;
}

/** Relative GFLOP/s of the configs on lavapipe (matmul 128..512, bench/webgpu.ts, 2 cores). */
const CPU_RATE: Record<string, number> = { "128x128": 2.4, "64x64": 1.1, "32x32": 1 };

/**
 * Force one config for every matmul (`null`: choose by shape again); for tests and tuning, as the
 * environment variable `TORCHTS_WEBGPU_MATMUL_TILE=64x64` does at startup.
 */
export function forceMatmulConfig(name: string | null): void {
  if (name === null) {
    forcedConfig = null;
    return;
  }
  const c = MATMUL_CONFIGS.find((k) => k.name === name);
  if (!c) throw new Error(`matmul tile ${name}: not one of ${MATMUL_CONFIGS.map((k) => k.name).join(", ")}`);
  forcedConfig = c;
}
let forcedConfig: MatmulConfig | null = null;
const envTile = env("TORCHTS_WEBGPU_MATMUL_TILE");
if (envTile) forceMatmulConfig(envTile);

/** Whether every offset the view can start a matrix at is a multiple of 4 (for vec4 access). */
function aligned4(v: View, nd: number): boolean {
  if (v.offset % 4 !== 0) return false;
  for (let d = 0; d < nd - 2; d++) if (v.shape[d]! > 1 && v.strides[d]! % 4 !== 0) return false;
  return true;
}

/**
 * The layout of an operand whose matrix is (outer x inner) with strides (so, si): vec4 along the inner
 * dim when it is contiguous, vec4 along the outer dim when that one is, else strided.
 */
function layoutOf(v: View, nd: number, outer: number, inner: number, so: number, si: number): Layout {
  if (!aligned4(v, nd)) return "strided";
  if (si === 1 && inner % 4 === 0 && (so % 4 === 0 || outer === 1)) return "k4";
  if (so === 1 && outer % 4 === 0 && (si % 4 === 0 || inner === 1)) return "mn4";
  return "strided";
}

/** Whether the tuned kernel handles these views: float32 throughout and a grid within the limits. */
export function tunedMatmulApplies(a: View, b: View, out: View): boolean {
  if (a.dtype !== "float32" || b.dtype !== "float32" || out.dtype !== "float32") return false;
  const nd = out.shape.length;
  const M = out.shape[nd - 2]!;
  const N = out.shape[nd - 1]!;
  const c = chooseConfig(M, N, numel(out.shape.slice(0, nd - 2)));
  return Math.ceil(N / (c.tn * c.wx)) <= MAX_XY && Math.ceil(M / (c.tm * c.wy)) <= MAX_XY;
}

const comp = ["x", "y", "z", "w"];
const range = (n: number) => [...Array(n).keys()];

/**
 * WGSL statements loading this invocation's share of one operand's tile into workgroup memory `sh`.
 * The tile covers `outerTile` rows of the outer dim (M for A, N for B) and `bk` of K, stored k-major:
 * sh[k * outerTile / 4 + o / 4] holds outer positions o..o+3 at k.
 */
function loadTile(
  src: string,
  layout: Layout,
  c: MatmulConfig,
  outerTile: number,
  names: { origin: string; size: string; so: string; sk: string; off: string },
): string {
  const threads = c.wx * c.wy;
  const slots = (outerTile * c.bk) / 4;
  const loads = slots / threads;
  const ov = outerTile / 4;
  const kv = c.bk / 4;
  const { origin, size, so, sk, off } = names;
  const out: string[] = [];
  for (const l of range(loads)) {
    const s = `(tid + ${l * threads})`;
    if (layout === "mn4") {
      // vec4 along the outer dim: slot -> (k, 4 outer positions)
      out.push(`{
      let kr = ${s} / ${ov};
      let oq = (${s} % ${ov}) * 4;
      let gk = k0 + kr;
      let go = ${origin} + oq;
      var v = vec4f(0.0);
      if (gk < K && go < ${size}) { v = ${src}[(${off} + gk * ${sk} + go) >> 2u]; }
      ${src}_sh[kr * ${ov} + oq / 4] = v;
    }`);
    } else {
      // slot -> (outer position, 4 k positions): one vec4 along K, or four strided reads
      const read =
        layout === "k4"
          ? `if (go < ${size} && gk < K) { v = ${src}[(${off} + go * ${so} + gk) >> 2u]; }`
          : range(4)
              .map(
                (i) =>
                  `if (go < ${size} && gk + ${i} < K) { v.${comp[i]} = ${src}[${off} + go * ${so} + (gk + ${i}) * ${sk}]; }`,
              )
              .join("\n      ");
      out.push(`{
      let orow = ${s} / ${kv};
      let kq = (${s} % ${kv}) * 4;
      let go = ${origin} + orow;
      let gk = k0 + kq;
      var v = vec4f(0.0);
      ${read}
      ${range(4)
        .map((i) => `${src}_sh[(kq + ${i}) * ${ov} + orow / 4][orow % 4] = v.${comp[i]};`)
        .join("\n      ")}
    }`);
    }
  }
  return out.join("\n    ");
}

/** The WGSL source of the kernel for a config and the operand/output layouts. */
function source(c: MatmulConfig, la: Layout, lb: Layout, vecOut: boolean): string {
  const BM = c.tm * c.wy;
  const BN = c.tn * c.wx;
  const arr = (l: Layout | boolean) => (l === "strided" || l === false ? "f32" : "vec4f");
  const qm = c.tm / 4;
  const qn = c.tn / 4;
  const accs = range(c.tm).flatMap((i) => range(qn).map((j) => `acc${i}_${j}`));
  const inner = range(c.tm)
    .flatMap((i) => range(qn).map((j) => `acc${i}_${j} = fma(vec4f(a${i >> 2}.${comp[i & 3]}), b${j}, acc${i}_${j});`))
    .join("\n      ");
  const stores = range(c.tm)
    .map((i) => {
      const row = `m0 + ${i}`;
      const cols = range(qn)
        .map((j) => {
          const col = `n0 + ${j * 4}`;
          return vecOut
            ? `if (${col} < N) { dst[(off[2] + (${row}) * md[7] + ${col}) >> 2u] = acc${i}_${j}; }`
            : range(4)
                .map(
                  (e) =>
                    `if (${col} + ${e} < N) { dst[off[2] + (${row}) * md[7] + (${col} + ${e}) * md[8]] = acc${i}_${j}.${comp[e]}; }`,
                )
                .join("\n      ");
        })
        .join("\n      ");
      return `if (${row} < M) {
      ${cols}
    }`;
    })
    .join("\n    ");
  return `
@group(0) @binding(0) var<storage, read_write> dst: array<${arr(vecOut)}>;
@group(0) @binding(1) var<storage, read> xa: array<${arr(la)}>;
@group(0) @binding(2) var<storage, read> xb: array<${arr(lb)}>;
@group(0) @binding(3) var<storage, read> md: array<i32>;
${offsetsFn(3)}
var<workgroup> xa_sh: array<vec4f, ${(BM * c.bk) / 4}>;
var<workgroup> xb_sh: array<vec4f, ${(BN * c.bk) / 4}>;
@compute @workgroup_size(${c.wx}, ${c.wy})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  // md: [M, N, K, a stride m, a stride k, b stride k, b stride n, out stride m, out stride n, first batch, batch offsets]
  let M = md[0];
  let N = md[1];
  let K = md[2];
  let off = offsets_3(md[9] + i32(wg.z), 10);
  let tid = i32(li);
  let am = i32(wg.y) * ${BM};
  let bn = i32(wg.x) * ${BN};
  ${accs.map((n) => `var ${n} = vec4f(0.0);`).join("\n  ")}
  for (var k0 = 0; k0 < K; k0 += ${c.bk}) {
    ${loadTile("xa", la, c, BM, { origin: "am", size: "M", so: "md[3]", sk: "md[4]", off: "off[0]" })}
    ${loadTile("xb", lb, c, BN, { origin: "bn", size: "N", so: "md[6]", sk: "md[5]", off: "off[1]" })}
    workgroupBarrier();
    for (var kk = 0; kk < ${c.bk}; kk++) {
      ${range(qm)
        .map((q) => `let a${q} = xa_sh[kk * ${BM / 4} + i32(lid.y) * ${qm} + ${q}];`)
        .join("\n      ")}
      ${range(qn)
        .map((q) => `let b${q} = xb_sh[kk * ${BN / 4} + i32(lid.x) * ${qn} + ${q}];`)
        .join("\n      ")}
      ${inner}
    }
    workgroupBarrier();
  }
  let m0 = am + i32(lid.y) * ${c.tm};
  let n0 = bn + i32(lid.x) * ${c.tn};
  ${stores}
}`;
}

/**
 * out (..., M, N) = a (..., M, K) @ b (..., K, N) for float32 views (batch dims already broadcast);
 * `bufs` are the buffers of out, a and b (an input aliasing out already replaced by a snapshot).
 */
export function tunedMatmul(bufs: readonly GPUBuffer[], a: View, b: View, out: View): void {
  const nd = out.shape.length;
  const M = out.shape[nd - 2]!;
  const N = out.shape[nd - 1]!;
  const K = a.shape[nd - 1]!;
  const batch = out.shape.slice(0, nd - 2);
  const B = numel(batch);
  if (M === 0 || N === 0 || B === 0) return;
  const c = chooseConfig(M, N, B);
  const [saM, saK] = [a.strides[nd - 2]!, a.strides[nd - 1]!];
  const [sbK, sbN] = [b.strides[nd - 2]!, b.strides[nd - 1]!];
  const [soM, soN] = [out.strides[nd - 2]!, out.strides[nd - 1]!];
  const la = layoutOf(a, nd, M, K, saM, saK);
  // B is (K x N): its outer dim (in the tile's sense) is N and its inner K
  const lb = layoutOf(b, nd, N, K, sbN, sbK);
  const vecOut = aligned4(out, nd) && (soN === 1 || N === 1) && N % 4 === 0 && (soM % 4 === 0 || M === 1);
  const binds: BindKind[] = ["w", "r", "r", "m"];
  const kernel = pipeline(`matmul4|${c.name}|${la}|${lb}|${vecOut}`, binds, () => source(c, la, lb, vecOut));
  const geo = [M, N, K, saM, saK, sbK, sbN, soM, soN];
  const batchMeta = offsetsMeta(
    batch,
    [a, b, out].map((v) => ({ offset: v.offset, strides: v.strides.slice(0, nd - 2) })),
  );
  const gx = Math.ceil(N / (c.tn * c.wx));
  const gy = Math.ceil(M / (c.tm * c.wy));
  for (let start = 0; start < B; start += MAX_Z) {
    const meta = Int32Array.from([...geo, start, ...batchMeta]);
    dispatch(kernel, bufs, meta, [gx, gy, Math.min(MAX_Z, B - start)]);
  }
}
