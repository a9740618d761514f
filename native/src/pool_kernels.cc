// Native max-pooling argmax (src/nn/functional/pooling.ts): for every plane and output position, the flat
// index (over the plane's spatial dims) of the window's maximum, read through the input's strides. The
// first maximum in row-major tap order wins, a NaN beats any number (the last NaN wins, as in PyTorch
// 1.13's CPU kernel, which takes every NaN it meets), and taps in
// the padding are skipped; a window whose real elements are all -inf points at its first real element
// (where PyTorch points). Planes run on the thread pool. float32 and float64 inputs; int64 indices as
// float64.
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels.h"
#include "napi_util.h"

namespace tts {
namespace {

using napi::Arr;
using napi::fail;

// Fewest tap reads of a max-pooling call that runs its planes on the thread pool.
constexpr int64_t kParallelWork = 1 << 16;

struct PoolJob {
  const void* x;  // at the input's offset
  int64_t sm, st[3], sp[3];
  int64_t k[3], s[3], p[3], d[3], o[3];
  double* out;  // (M, o0 * o1 * o2), contiguous, at its offset
  int64_t M;
  std::vector<int64_t> lo[3], hi[3];  // per dim and output position: real taps [lo, hi)
};

template <class T>
void pool_plane(const PoolJob& j, int64_t m) {
  const T* x = static_cast<const T*>(j.x) + m * j.sm;
  double* out = j.out + m * j.o[0] * j.o[1] * j.o[2];
  for (int64_t a0 = 0; a0 < j.o[0]; a0++)
    for (int64_t a1 = 0; a1 < j.o[1]; a1++)
      for (int64_t a2 = 0; a2 < j.o[2]; a2++) {
        const int64_t b0 = a0 * j.s[0] - j.p[0], b1 = a1 * j.s[1] - j.p[1], b2 = a2 * j.s[2] - j.p[2];
        const int64_t l0 = j.lo[0][a0], h0 = j.hi[0][a0], l1 = j.lo[1][a1], h1 = j.hi[1][a1];
        const int64_t l2 = j.lo[2][a2], h2 = j.hi[2][a2];
        T best = -INFINITY;
        int64_t idx = ((b0 + l0 * j.d[0]) * j.sp[1] + b1 + l1 * j.d[1]) * j.sp[2] + b2 + l2 * j.d[2];
        int64_t nan_idx = 0, seen_nan = 0;
        // branch-free updates with integer masks (which tap wins is data-dependent: a branch would
        // mispredict often); the last NaN is tracked apart and wins at the end
        for (int64_t t0 = l0; t0 < h0; t0++) {
          const int64_t i0 = b0 + t0 * j.d[0];
          for (int64_t t1 = l1; t1 < h1; t1++) {
            const int64_t i1 = b1 + t1 * j.d[1];
            const T* row = x + i0 * j.st[0] + i1 * j.st[1];
            const int64_t base = (i0 * j.sp[1] + i1) * j.sp[2];
            for (int64_t t2 = l2; t2 < h2; t2++) {
              const int64_t i2 = b2 + t2 * j.d[2];
              const T v = row[i2 * j.st[2]];
              const int64_t gt = -static_cast<int64_t>(v > best);
              const int64_t is_nan = -static_cast<int64_t>(v != v);
              best = best < v ? v : best;
              idx += (base + i2 - idx) & gt;
              nan_idx += (base + i2 - nan_idx) & is_nan;
              seen_nan |= is_nan;
            }
          }
        }
        idx = seen_nan ? nan_idx : idx;
        *out++ = static_cast<double>(idx);
      }
}

// The common 2-D case with compile-time KH x KW windows that lie inside the plane (no padding or
// dilation): the tap loops unroll, which keeps the update chain in registers.
template <class T, int KH, int KW>
void pool_plane_fixed(const PoolJob& j, int64_t m) {
  const T* x = static_cast<const T*>(j.x) + m * j.sm;
  double* out = j.out + m * j.o[1] * j.o[2];
  const int64_t sh = j.st[1], sw = j.st[2], W = j.sp[2];
  for (int64_t a1 = 0; a1 < j.o[1]; a1++) {
    const int64_t i1 = a1 * j.s[1];
    for (int64_t a2 = 0; a2 < j.o[2]; a2++) {
      const int64_t i2 = a2 * j.s[2];
      const T* w = x + i1 * sh + i2 * sw;
      T best = -INFINITY;
      int64_t idx = i1 * W + i2, nan_idx = 0, seen_nan = 0;
      for (int t1 = 0; t1 < KH; t1++)
        for (int t2 = 0; t2 < KW; t2++) {
          const T v = w[t1 * sh + t2 * sw];
          const int64_t flat = (i1 + t1) * W + i2 + t2;
          const int64_t gt = -static_cast<int64_t>(v > best);
          const int64_t is_nan = -static_cast<int64_t>(v != v);
          best = best < v ? v : best;
          idx += (flat - idx) & gt;
          nan_idx += (flat - nan_idx) & is_nan;
          seen_nan |= is_nan;
        }
      *out++ = static_cast<double>(seen_nan ? nan_idx : idx);
    }
  }
}

// The CNN case, float32 2x2 windows with stride 2 over unit-stride rows: four outputs at a time in
// 16-byte vectors (GCC vector extensions, so any target), the even and odd columns of two rows
// split apart by shuffles. Same rule as above: a tap replaces the best one when greater, or when NaN.
typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));

static inline v4i take(v4f v, v4f best) { return (v > best) | (v != v); }

static inline v4f load4(const float* p) {
  v4f v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

void pool_plane_2x2s2(const PoolJob& j, int64_t m) {
  const float* x = static_cast<const float*>(j.x) + m * j.sm;
  double* out = j.out + m * j.o[1] * j.o[2];
  const int64_t sh = j.st[1], W = j.sp[2], o2 = j.o[2];
  for (int64_t a1 = 0; a1 < j.o[1]; a1++, out += o2) {
    const float* r0 = x + 2 * a1 * sh;
    const float* r1 = r0 + sh;
    const int64_t base = 2 * a1 * W;
    int64_t a2 = 0;
    for (; a2 + 4 <= o2; a2 += 4) {
      const v4f p0 = load4(r0 + 2 * a2), p1 = load4(r0 + 2 * a2 + 4);
      const v4f q0 = load4(r1 + 2 * a2), q1 = load4(r1 + 2 * a2 + 4);
      const v4f v1 = __builtin_shufflevector(p0, p1, 1, 3, 5, 7);
      const v4f v2 = __builtin_shufflevector(q0, q1, 0, 2, 4, 6);
      const v4f v3 = __builtin_shufflevector(q0, q1, 1, 3, 5, 7);
      v4f best = __builtin_shufflevector(p0, p1, 0, 2, 4, 6);
      v4i tap = {0, 0, 0, 0};
      v4i t = take(v1, best);
      best = t ? v1 : best;
      tap = t ? 1 : tap;
      t = take(v2, best);
      best = t ? v2 : best;
      tap = t ? 2 : tap;
      t = take(v3, best);
      tap = t ? 3 : tap;
      for (int l = 0; l < 4; l++)
        out[a2 + l] = static_cast<double>(base + 2 * (a2 + l) + (tap[l] >> 1) * W + (tap[l] & 1));
    }
    for (; a2 < o2; a2++) {
      const float* w0 = r0 + 2 * a2;
      const float* w1 = r1 + 2 * a2;
      const float v[4] = {w0[0], w0[1], w1[0], w1[1]};
      float best = v[0];
      int tap = 0;
      for (int k = 1; k < 4; k++)
        if (v[k] > best || v[k] != v[k]) best = v[k], tap = k;
      out[a2] = static_cast<double>(base + 2 * a2 + (tap >> 1) * W + (tap & 1));
    }
  }
}

void pool_task_2x2s2(void* ctx, int64_t m) { pool_plane_2x2s2(*static_cast<const PoolJob*>(ctx), m); }

template <class T>
void pool_task(void* ctx, int64_t m) {
  pool_plane<T>(*static_cast<const PoolJob*>(ctx), m);
}

template <class T, int KH, int KW>
void pool_task_fixed(void* ctx, int64_t m) {
  pool_plane_fixed<T, KH, KW>(*static_cast<const PoolJob*>(ctx), m);
}

// The task for a job: a fixed-window variant for 2x2 and 3x3 windows inside the plane, else the general one.
template <class T>
void (*pick_task(const PoolJob& j))(void*, int64_t) {
  bool inside = j.k[0] == 1 && j.o[0] == 1;
  for (int d = 1; d < 3; d++)
    inside = inside && j.p[d] == 0 && j.d[d] == 1 && (j.o[d] - 1) * j.s[d] + j.k[d] <= j.sp[d];
  if (sizeof(T) == 4 && inside && j.k[1] == 2 && j.k[2] == 2 && j.s[1] == 2 && j.s[2] == 2 && j.st[2] == 1)
    return pool_task_2x2s2;
  if (inside && j.k[1] == 2 && j.k[2] == 2) return pool_task_fixed<T, 2, 2>;
  if (inside && j.k[1] == 3 && j.k[2] == 3) return pool_task_fixed<T, 3, 3>;
  return pool_task<T>;
}

// maxPoolIndices(x, out, meta): meta = [nsp, offX, offOut, M, x plane stride, spatial sizes (nsp),
// spatial strides (nsp), kernel, stride, padding, dilation, output sizes (nsp each)]; out (M, *out) is
// a contiguous Float64Array (int64 storage), x a Float32Array or Float64Array.
napi_value MaxPoolIndices(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!napi::get_args(env, info, 3, argv)) return nullptr;
  Arr X, O;
  std::vector<int64_t> m;
  if (!napi::get_array(env, argv[0], &X) || !napi::get_array(env, argv[1], &O) || !napi::get_meta(env, argv[2], &m))
    return nullptr;
  if ((X.type != napi_float32_array && X.type != napi_float64_array) || O.type != napi_float64_array ||
      napi::aliases(X, O))
    return fail(env, "torchts native maxPoolIndices: expected float x and a distinct Float64Array out"), nullptr;
  const int nsp = m.empty() ? 0 : static_cast<int>(m[0]);
  if (nsp < 1 || nsp > 3 || static_cast<int64_t>(m.size()) != 5 + 7 * nsp)
    return fail(env, "torchts native maxPoolIndices: bad sizes"), nullptr;
  PoolJob j;
  j.M = m[3];
  j.sm = m[4];
  const int64_t* g = m.data() + 5;
  const int lead = 3 - nsp;
  int64_t xshape[4] = {j.M, 1, 1, 1}, xstr[4] = {j.sm, 0, 0, 0}, oshape[4] = {j.M, 1, 1, 1}, ostr[4];
  for (int d = 0; d < 3; d++) {
    const int s = d - lead;
    j.sp[d] = s < 0 ? 1 : g[s];
    j.st[d] = s < 0 ? 0 : g[nsp + s];
    j.k[d] = s < 0 ? 1 : g[2 * nsp + s];
    j.s[d] = s < 0 ? 1 : g[3 * nsp + s];
    j.p[d] = s < 0 ? 0 : g[4 * nsp + s];
    j.d[d] = s < 0 ? 1 : g[5 * nsp + s];
    j.o[d] = s < 0 ? 1 : g[6 * nsp + s];
    if (j.sp[d] < 1 || j.k[d] < 1 || j.s[d] < 1 || j.p[d] < 0 || j.d[d] < 1 || j.o[d] < 1)
      return fail(env, "torchts native maxPoolIndices: bad geometry"), nullptr;
    xshape[1 + d] = j.sp[d];
    xstr[1 + d] = j.st[d];
    oshape[1 + d] = j.o[d];
  }
  ostr[3] = 1;
  for (int d = 2; d >= 0; d--) ostr[d] = ostr[d + 1] * oshape[d + 1];
  if (j.M <= 0) return nullptr;
  if (!napi::in_bounds(X.length, m[1], 4, xshape, xstr) || !napi::in_bounds(O.length, m[2], 4, oshape, ostr))
    return fail(env, "torchts native maxPoolIndices: a view reaches outside its storage"), nullptr;
  for (int d = 0; d < 3; d++) {
    j.lo[d].resize(j.o[d]);
    j.hi[d].resize(j.o[d]);
    for (int64_t a = 0; a < j.o[d]; a++) {
      const int64_t b = a * j.s[d] - j.p[d];
      int64_t lo = b >= 0 ? 0 : (-b + j.d[d] - 1) / j.d[d];
      int64_t hi = j.sp[d] - 1 - b < 0 ? 0 : (j.sp[d] - 1 - b) / j.d[d] + 1;
      if (hi > j.k[d]) hi = j.k[d];
      if (lo >= hi) return fail(env, "torchts native maxPoolIndices: a window holds no input element"), nullptr;
      j.lo[d][a] = lo;
      j.hi[d][a] = hi;
    }
  }
  const bool f64 = X.type == napi_float64_array;
  const size_t es = f64 ? 8 : 4;
  j.x = static_cast<const char*>(X.data) + m[1] * es;
  j.out = static_cast<double*>(O.data) + m[2];
  void (*task)(void*, int64_t) = f64 ? pick_task<double>(j) : pick_task<float>(j);
  // planes go to the pool only with enough work (tap reads) to pay for it: a batch-1 layer's handful of
  // microseconds would wait on a worker that the OS may have given the core to other work
  const int64_t work = j.M * j.o[0] * j.o[1] * j.o[2] * j.k[0] * j.k[1] * j.k[2];
  if (num_threads() > 1 && j.M > 1 && work >= kParallelWork)
    parallel_for(j.M, task, &j);
  else
    for (int64_t i = 0; i < j.M; i++) task(&j, i);
  return nullptr;
}

}  // namespace

/** Add maxPoolIndices to the addon's exports. */
void register_pool_kernels(napi_env env, napi_value exports) {
  napi::define(env, exports, "maxPoolIndices", MaxPoolIndices);
}

}  // namespace tts
