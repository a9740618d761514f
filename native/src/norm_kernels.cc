// Native normalization (src/ops/norm.ts) for float32: x (N, C, S) contiguous, statistics per group of
// C / groups channels of one sample ("group" mode: layer, group, instance norm) or per channel across
// the samples ("batch" mode). Groups run on the thread pool, each contiguous run through the selected
// ISA variant's row kernels (kernels_impl.h); sums in double. The backward computes the statistics
// again from x, then per group the sums of each plane and dx, and the affine gradients from the sums.
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels.h"
#include "napi_util.h"

namespace tts {
namespace {

using napi::Arr;
using napi::fail;

struct NormJob {
  const float *x, *g, *w, *b;  // g: the output's gradient (backward); w, b: (C) or null
  float *out, *stats;          // stats: forward only, (2, K)
  int64_t N, C, S, G;          // G: groups ("group" mode)
  bool batch;
  double eps;
  // backward: per (sample, channel) plane, the sums of g * xhat and of g; or, for layer-norm rows, per
  // block of kRows rows, those sums per column
  std::vector<double> part;
};

constexpr int64_t kRows = 32;  // layer-norm rows per backward task

int64_t group_count(const NormJob& j) { return j.batch ? j.C : j.N * j.G; }

// Call f(offset, length, c, vec) for the contiguous runs of group k: vec runs (layer-norm rows, S == 1)
// span the channels c.. of the run with per-element weights; other runs are one channel's plane.
template <class F>
void each_run(const NormJob& j, int64_t k, F f) {
  if (j.batch) {
    for (int64_t n = 0; n < j.N; n++) f((n * j.C + k) * j.S, j.S, k, false);
    return;
  }
  const int64_t cg = j.C / j.G, n = k / j.G, c0 = (k % j.G) * cg;
  if (j.S == 1) return f(n * j.C + c0, cg, c0, true);
  for (int64_t c = c0; c < c0 + cg; c++) f((n * j.C + c) * j.S, j.S, c, false);
}

// Mean and biased variance of group k (two passes).
void moments(const NormJob& j, int64_t k, double* mean, double* var) {
  const KernelSet* ks = active_kernels();
  double s = 0;
  int64_t count = 0;
  each_run(j, k, [&](int64_t off, int64_t len, int64_t, bool) {
    s += ks->sum_f32(len, j.x + off);
    count += len;
  });
  const double m = s / static_cast<double>(count);
  double q = 0;
  each_run(j, k, [&](int64_t off, int64_t len, int64_t, bool) { q += ks->sumsq_dev_f32(len, j.x + off, m); });
  *mean = m;
  *var = q / static_cast<double>(count);
}

const float* at(const float* v, int64_t c) { return v ? v + c : nullptr; }

void forward_task(void* ctx, int64_t k) {
  NormJob& j = *static_cast<NormJob*>(ctx);
  const KernelSet* ks = active_kernels();
  double mean, var;
  moments(j, k, &mean, &var);
  const int64_t K = group_count(j);
  j.stats[k] = static_cast<float>(mean);
  j.stats[K + k] = static_cast<float>(var);
  const float m = static_cast<float>(mean), r = static_cast<float>(1.0 / std::sqrt(var + j.eps));
  each_run(j, k, [&](int64_t off, int64_t len, int64_t c, bool vec) {
    ks->norm_affine_f32(len, j.x + off, m, r, at(j.w, c), at(j.b, c), vec, j.out + off);
  });
}

// dx of group k: rstd * (dy - mean(dy) - xhat * mean(dy * xhat)), dy = g * w, with the sums of its
// planes (g * xhat and g) kept for the affine gradients. `rows`: layer-norm rows (S == 1, one group),
// whose per-column sums go into the block's partial `dw`, `db`.
void dx_group(NormJob& j, int64_t k, float* dw, float* db) {
  const KernelSet* ks = active_kernels();
  double mean, var;
  moments(j, k, &mean, &var);
  const float m = static_cast<float>(mean), r = static_cast<float>(1.0 / std::sqrt(var + j.eps));
  double sdy = 0, sdyx = 0;
  int64_t count = 0;
  each_run(j, k, [&](int64_t off, int64_t len, int64_t c, bool vec) {
    count += len;
    if (vec) {
      double sums[2] = {0, 0};
      ks->norm_grad_sums_f32(len, j.g + off, j.x + off, m, r, at(j.w, c), true, sums);
      sdy += sums[0];
      sdyx += sums[1];
      ks->norm_grad_affine_row_f32(len, j.g + off, j.x + off, m, r, dw + c, db + c);
      return;
    }
    double* plane = j.part.data() + 2 * (off / j.S);  // plane (n, c): off / S = n * C + c
    plane[0] = plane[1] = 0;
    ks->norm_grad_affine_f32(len, j.g + off, j.x + off, m, r, &plane[0], &plane[1]);
    const double w = j.w ? j.w[c] : 1.0;
    sdy += w * plane[1];
    sdyx += w * plane[0];
  });
  const float c1 = static_cast<float>(sdy / count), c2 = static_cast<float>(sdyx / count);
  each_run(j, k, [&](int64_t off, int64_t len, int64_t c, bool vec) {
    ks->norm_grad_dx_f32(len, j.g + off, j.x + off, m, r, at(j.w, c), vec, c1, c2, j.out + off);
  });
}

void dx_task(void* ctx, int64_t k) { dx_group(*static_cast<NormJob*>(ctx), k, nullptr, nullptr); }

// A block of kRows layer-norm rows, accumulating the column sums in float, kept in double per block.
void dx_rows_task(void* ctx, int64_t t) {
  NormJob& j = *static_cast<NormJob*>(ctx);
  float* acc = static_cast<float*>(scratch(0, sizeof(float) * 2 * j.C));
  for (int64_t i = 0; i < 2 * j.C; i++) acc[i] = 0.0f;
  for (int64_t n = t * kRows; n < j.N && n < (t + 1) * kRows; n++) dx_group(j, n, acc, acc + j.C);
  double* part = j.part.data() + 2 * j.C * t;
  for (int64_t i = 0; i < 2 * j.C; i++) part[i] = acc[i];
}

// The weight and bias gradients from the kept sums: over planes (n, c) for each channel, or over the
// row blocks for each column.
void finish_affine(NormJob& j, bool rows) {
  double* dw = j.part.data();  // reused in place: the sums of plane / block 0 are read first
  float* tail = j.out + j.N * j.C * j.S;
  const int64_t parts = rows ? (j.N + kRows - 1) / kRows : j.N;
  for (int64_t c = 0; c < j.C; c++) {
    double sw = 0, sb = 0;
    for (int64_t q = 0; q < parts; q++) {
      const double* p = rows ? dw + 2 * j.C * q : dw + 2 * (q * j.C + c);
      sw += rows ? p[c] : p[0];
      sb += rows ? p[j.C + c] : p[1];
    }
    tail[c] = static_cast<float>(sw);
    tail[j.C + c] = static_cast<float>(sb);
  }
}

void run(int64_t tasks, int64_t work, void (*fn)(void*, int64_t), NormJob* j) {
  if (num_threads() > 1 && tasks > 1 && work >= 16384)
    parallel_for(tasks, fn, j);
  else
    for (int64_t t = 0; t < tasks; t++) fn(j, t);
}

// An optional (C) Float32Array read from `off`, or null.
bool get_vector(napi_env env, napi_value v, int64_t off, int64_t C, const float** out) {
  *out = nullptr;
  if (napi::is_null(env, v)) return true;
  Arr a;
  if (!napi::get_array(env, v, &a) || a.type != napi_float32_array || off < 0 || off + C > a.length) return false;
  *out = static_cast<const float*>(a.data) + off;
  return true;
}

// Shared checks: sizes, the mode and x (N * C * S floats from offX).
bool read_shape(const std::vector<int64_t>& m, NormJob* j) {
  j->N = m[0];
  j->C = m[1];
  j->S = m[2];
  j->batch = m[3] != 0;
  j->G = m[4];
  return j->N > 0 && j->C > 0 && j->S > 0 && j->G > 0 && j->C % j->G == 0;
}

// norm(x, w, b, out, stats, meta, eps): meta = [N, C, S, batch, groups, offX, offW, offB, offOut,
// offStats]; Float32Arrays, w and b unit-stride (C) or null, out distinct from x.
napi_value Norm(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!napi::get_args(env, info, 7, argv)) return nullptr;
  Arr X, O, ST;
  std::vector<int64_t> m;
  NormJob j{};
  if (!napi::get_array(env, argv[0], &X) || !napi::get_array(env, argv[3], &O) || !napi::get_array(env, argv[4], &ST) ||
      !napi::get_meta(env, argv[5], &m) || napi_get_value_double(env, argv[6], &j.eps) != napi_ok || m.size() != 10)
    return fail(env, "torchts native norm: expected (x, w, b, out, stats, meta, eps)"), nullptr;
  if (X.type != napi_float32_array || O.type != napi_float32_array || ST.type != napi_float32_array ||
      napi::aliases(X, O) || !read_shape(m, &j))
    return fail(env, "torchts native norm: expected distinct Float32Arrays and positive sizes"), nullptr;
  const int64_t n = j.N * j.C * j.S, K = group_count(j);
  if (!get_vector(env, argv[1], m[6], j.C, &j.w) || !get_vector(env, argv[2], m[7], j.C, &j.b) || m[5] < 0 ||
      m[5] + n > X.length || m[8] < 0 || m[8] + n > O.length || m[9] < 0 || m[9] + 2 * K > ST.length)
    return fail(env, "torchts native norm: a view reaches outside its storage"), nullptr;
  j.x = static_cast<const float*>(X.data) + m[5];
  j.out = static_cast<float*>(O.data) + m[8];
  j.stats = static_cast<float*>(ST.data) + m[9];
  run(K, n, forward_task, &j);
  return nullptr;
}

// normGrad(g, x, w, out, meta, eps): meta = [N, C, S, batch, groups, offG, offX, offW, offOut]; out
// receives dx (N * C * S), then dw and db (C each).
napi_value NormGrad(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!napi::get_args(env, info, 6, argv)) return nullptr;
  Arr G, X, O;
  std::vector<int64_t> m;
  NormJob j{};
  if (!napi::get_array(env, argv[0], &G) || !napi::get_array(env, argv[1], &X) || !napi::get_array(env, argv[3], &O) ||
      !napi::get_meta(env, argv[4], &m) || napi_get_value_double(env, argv[5], &j.eps) != napi_ok || m.size() != 9)
    return fail(env, "torchts native normGrad: expected (g, x, w, out, meta, eps)"), nullptr;
  if (G.type != napi_float32_array || X.type != napi_float32_array || O.type != napi_float32_array ||
      napi::aliases(G, O) || napi::aliases(X, O) || !read_shape(m, &j))
    return fail(env, "torchts native normGrad: expected Float32Arrays, out distinct, and positive sizes"), nullptr;
  const int64_t n = j.N * j.C * j.S, K = group_count(j);
  if (!get_vector(env, argv[2], m[7], j.C, &j.w) || m[5] < 0 || m[5] + n > G.length || m[6] < 0 ||
      m[6] + n > X.length || m[8] < 0 || m[8] + n + 2 * j.C > O.length)
    return fail(env, "torchts native normGrad: a view reaches outside its storage"), nullptr;
  j.g = static_cast<const float*>(G.data) + m[5];
  j.x = static_cast<const float*>(X.data) + m[6];
  j.out = static_cast<float*>(O.data) + m[8];
  const bool rows = !j.batch && j.S == 1 && j.G == 1;
  if (rows) {
    const int64_t blocks = (j.N + kRows - 1) / kRows;
    j.part.resize(2 * j.C * blocks);
    run(blocks, n, dx_rows_task, &j);
  } else {
    j.part.resize(2 * j.N * j.C);
    run(K, n, dx_task, &j);
  }
  finish_affine(j, rows);
  return nullptr;
}

}  // namespace

/** Add norm and normGrad to the addon's exports. */
void register_norm_kernels(napi_env env, napi_value exports) {
  napi::define(env, exports, "norm", Norm);
  napi::define(env, exports, "normGrad", NormGrad);
}

}  // namespace tts
