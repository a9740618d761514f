// Native gradients of the `convolution` primitive (src/ops/conv.ts). Weight gradient (convWeightGrad):
// per sample, im2col and one GEMM dY (Og x L) @ cols^T (dot products when C/groups x taps is small),
// summed over the batch in per-thread partial sums. Input gradient (convInputGrad, input dilation 1):
// per sample and block of output rows, columns W^T @ dY added back into dx by col2im (in gather form,
// one pass per input row, where the innermost dim has stride 1). The stride-1 weight gradient with more
// than kDirectK columns reads shifted rows of a padded copy of the input instead of im2col
// (conv_shifted.h). float32 and float64.
#include <cstdint>
#include <type_traits>
#include <vector>

#include "conv_common.h"
#include "conv_shifted.h"
#include "kernels.h"
#include "napi_util.h"

namespace tts {
namespace conv {
namespace {

using napi::Arr;
using napi::fail;

template <class T>
struct InputGradJob {
  ConvJob<T>* j;
  const T* gy;  // (N, O, L) at its offset: sample stride gn, channel stride gc, positions unit-stride
  int64_t gn, gc;
  T* dx;  // (N, C, *in) contiguous, zero-filled
  bool rows_form;  // col2im_rows applies
};

// Most elements of one block of input-gradient columns (1 MiB in float32): it bounds the scratch for
// large images and keeps the block in L2 between the GEMM that writes it and the col2im that reads it.
// Smaller blocks measured slower on a 2 MiB-L2 core (more packing of W, narrower GEMMs).
constexpr int64_t kColBlock = 1 << 18;

// dx of sample n, group gi, a block of output rows (a0, a1) at a time: cols (K x Lb) = W_g^T (K x Og) @
// gy[n, g][:, block] (Og x Lb), then col2im of the block.
template <class T>
void input_grad_task(void* ctx, int64_t t) {
  const InputGradJob<T>& q = *static_cast<InputGradJob<T>*>(ctx);
  const ConvJob<T>& j = *q.j;
  const int64_t n = t / j.G, gi = t % j.G;
  const int64_t R = j.o[0] * j.o[1], o2 = j.o[2];
  int64_t rows = kColBlock / (j.K * o2);
  if (rows < 1) rows = 1;
  if (rows > R) rows = R;
  T* cols = static_cast<T*>(scratch(3, sizeof(T) * j.K * rows * o2));
  const T* gy = q.gy + n * q.gn + gi * j.Og * q.gc;
  std::vector<const T*> src(q.rows_form ? j.K : 0);
  for (int64_t r0 = 0; r0 < R; r0 += rows) {
    const int64_t r1 = r0 + rows < R ? r0 + rows : R, lb = (r1 - r0) * o2;
    const GemmArgs g = {j.K, lb, j.Og, j.W + gi * j.Og * j.K, 1, j.K, gy + r0 * o2, q.gc, 1, cols, lb, 1};
    gemm(g, sizeof(T) == 8, false);
    if (q.rows_form)
      col2im_rows(j, n, gi, cols, r0, r1, q.dx, src.data());
    else
      col2im(j, n, gi, cols, r0, r1, q.dx);
  }
}

// Per-thread partial weight gradients of a share of the batch (a parallel_for task, or the whole batch).
template <class T>
struct WGradJob {
  ConvJob<T>* j;
  const T* gy;  // dY (N, O, L) at its offset: sample stride gn, channel stride gc, positions unit-stride
  int64_t gn, gc;
  T* acc;  // shares x (O x K), zero-filled
  int64_t shares;
};

// Weight gradients with at most this many columns (C/groups x taps) use dot products, not a GEMM.
constexpr int64_t kDirectK = 16;

// sum of a[i] b[i], i < n, in 8 interleaved partial sums (vectorizable).
template <class T>
T dot(const T* a, const T* b, int64_t n) {
  T s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int q = 0; q < 8; q++) s[q] += a[i + q] * b[i + q];
  T r = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
  for (; i < n; i++) r += a[i] * b[i];
  return r;
}

// dW (O x K) += sum over this share's samples n and groups of dY[n, group] (Og x L) @ cols^T (L x K).
template <class T>
void wgrad_share(void* ctx, int64_t s) {
  const WGradJob<T>& w = *static_cast<WGradJob<T>*>(ctx);
  const ConvJob<T>& j = *w.j;
  const int64_t n0 = s * j.N / w.shares, n1 = (s + 1) * j.N / w.shares;
  const int64_t OK = j.Og * j.G * j.K, OgK = j.Og * j.K;
  T* acc = w.acc + s * OK;
  T* cols = static_cast<T*>(scratch(3, sizeof(T) * j.K * j.L));
  T* tmp = static_cast<T*>(scratch(2, sizeof(T) * OgK));
  for (int64_t n = n0; n < n1; n++)
    for (int64_t gi = 0; gi < j.G; gi++) {
      im2col(j, n, gi, cols);
      const T* gy = w.gy + n * w.gn + gi * j.Og * w.gc;
      T* a = acc + gi * OgK;
      if (j.K <= kDirectK) {  // few taps: a GEMM this narrow wastes most of its tiles; dot products instead
        if constexpr (std::is_same<T, float>::value)
          active_kernels()->dots_f32(j.Og, j.K, j.L, gy, w.gc, cols, a);
        else
          for (int64_t o = 0; o < j.Og; o++)
            for (int64_t k = 0; k < j.K; k++) a[o * j.K + k] += dot(gy + o * w.gc, cols + k * j.L, j.L);
        continue;
      }
      // as dW^T (K x Og) = cols (K x L) @ gy^T (L x Og): the large operand (cols) is read in its own layout,
      // and tmp (K x Og, row-major) has unit column stride, so the GEMM stores whole tiles
      const GemmArgs g = {j.K, j.Og, j.L, cols, j.L, 1, gy, 1, w.gc, tmp, j.Og, 1};
      gemm(g, sizeof(T) == 8, false);
      for (int64_t k = 0; k < j.K; k++)
        for (int64_t o = 0; o < j.Og; o++) a[o * j.K + k] += tmp[k * j.Og + o];
    }
}

// The stride-1 weight gradient of a share's samples (wgrad_share's alternative), transposed: per sample
// and group, dW_g^T (K x Og) += the input copy's shifted rows (K x L) @ dY^T (L x Og).
template <class T>
void wgrad_shifted_share(void* ctx, int64_t s) {
  const WGradJob<T>& w = *static_cast<WGradJob<T>*>(ctx);
  const ConvJob<T>& j = *w.j;
  const Shifted& sx = *j.shifted;
  const int64_t n0 = s * j.N / w.shares, n1 = (s + 1) * j.N / w.shares;
  T* xp = static_cast<T*>(scratch(3, sizeof(T) * (sx.size + kReadSlack)));
  T* acc = w.acc + s * j.Og * j.G * j.K;
  for (int64_t n = n0; n < n1; n++)
    for (int64_t gi = 0; gi < j.G; gi++) {
      pad_copy(sx, j.Cg, j.x + n * j.sn + gi * j.Cg * j.sc, j.sc, j.inSt, xp);
      GemmArgs g = {j.K, j.Og, j.L, xp, 0, 1, w.gy + n * w.gn + gi * j.Og * w.gc, 1, w.gc, acc + gi * j.K * j.Og,
                    j.Og, 1};
      g.arow = sx.rows.data();
      g.kseg = sx.runs.data();
      g.krun = j.o[2];
      g.accumulate = true;
      gemm(g, sizeof(T) == 8, false);
    }
}

// The weight gradient into out (O x K, contiguous): batch shares on the pool, partial sums added in
// share order (the same result at any thread count for a given share count).
template <class T>
void run_wgrad(ConvJob<T>& j, const T* gy, int64_t gn, int64_t gc, T* out) {
  setup_taps(j);
  Shifted shifted;
  // few columns (a 1-channel input's taps): im2col and the dot-product kernel, 2-3x faster than the
  // shifted GEMM, whose K-row product would fill a fraction of its tiles
  if (j.K > kDirectK && shifted_applies(j)) {
    shifted = shifted_geometry(j.Cg, j.inS, j.pad, j.k, j.dil, j.o);
    j.shifted = &shifted;
  }
  const int64_t OK = j.Og * j.G * j.K;
  const int threads = num_threads();
  // four shares per thread where the batch allows: the pool hands them out as threads free up, so a
  // thread slowed by other work (V8's own threads share the cores) does not hold up the whole gradient
  const int64_t shares = threads > 1 && j.N >= threads ? (j.N >= 4 * threads ? 4 * threads : threads) : 1;
  std::vector<T> partial(shares * OK);
  WGradJob<T> w{&j, gy, gn, gc, partial.data(), shares};
  parallel_for(shares, j.shifted ? wgrad_shifted_share<T> : wgrad_share<T>, &w);
  // the partial sums in share order; the shifted path's are per group dW_g^T (K x Og)
  for (int64_t i = 0; i < OK; i++) out[i] = 0;
  for (int64_t s = 0; s < shares; s++) {
    const T* p = partial.data() + s * OK;
    if (!j.shifted) {
      for (int64_t i = 0; i < OK; i++) out[i] += p[i];
      continue;
    }
    for (int64_t g = 0; g < j.G; g++)
      for (int64_t k = 0; k < j.K; k++)
        for (int64_t c = 0; c < j.Og; c++) out[(g * j.Og + c) * j.K + k] += p[(g * j.K + k) * j.Og + c];
  }
}

// The input gradient into dx (N, C, *in), contiguous: per (sample, group) a GEMM into columns and
// col2im; tasks over (sample, group) write disjoint parts of dx.
template <class T>
void run_input_grad(ConvJob<T>& j, const T* w, const int64_t* ws, int64_t wo, const T* gy, int64_t gn, int64_t gc,
                    T* dx, int64_t numel) {
  std::vector<T> packed;
  j.W = weight_rows(j, w, ws, wo, &packed);
  setup_taps(j);
  for (int64_t i = 0; i < numel; i++) dx[i] = 0;
  InputGradJob<T> q{&j, gy, gn, gc, dx, col2im_rows_applies(j)};
  const int64_t tasks = j.N * j.G;
  if (num_threads() > 1 && tasks > 1)
    parallel_for(tasks, input_grad_task<T>, &q);
  else
    for (int64_t t = 0; t < tasks; t++) input_grad_task<T>(&q, t);
}

// convWeightGrad(gy, x, out, meta): the weight gradient of conv(x, w) given the output's gradient gy.
// meta = [nsp, offG, offX, offOut, groups, x shape (2 + nsp), x strides (2 + nsp), gy shape (2 + nsp),
// gy strides (2 + nsp), out shape (2 + nsp), stride, padding, dilation, inputDilation (nsp each)]; out
// (O, C / groups, *k) is contiguous, gy's spatial dims one unit-stride run. All Float32Array or all
// Float64Array.
napi_value ConvWeightGrad(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!napi::get_args(env, info, 4, argv)) return nullptr;
  Arr GY, X, O;
  std::vector<int64_t> m;
  if (!napi::get_array(env, argv[0], &GY) || !napi::get_array(env, argv[1], &X) ||
      !napi::get_array(env, argv[2], &O) || !napi::get_meta(env, argv[3], &m))
    return nullptr;
  if (X.type != GY.type || X.type != O.type || (X.type != napi_float32_array && X.type != napi_float64_array) ||
      napi::aliases(O, X) || napi::aliases(O, GY)) {
    fail(env, "torchts native convWeightGrad: expected gy, x, out of one float type, out distinct");
    return nullptr;
  }
  const int nsp = m.empty() ? 0 : static_cast<int>(m[0]);
  const int nd = nsp + 2;
  if (nsp < 1 || nsp > 3 || static_cast<int64_t>(m.size()) != 5 + 5 * nd + 4 * nsp || m[4] < 1) {
    fail(env, "torchts native convWeightGrad: bad sizes");
    return nullptr;
  }
  const int64_t *xs = m.data() + 5, *xst = xs + nd, *gsh = xst + nd, *gst = gsh + nd, *wsh = gst + nd;
  const int64_t* geo = wsh + nd;
  int64_t numel = 0;
  const std::vector<int64_t> wst = contiguous_strides(nd, wsh, &numel);
  if (!napi::in_bounds(GY.length, m[1], nd, gsh, gst) || !napi::in_bounds(X.length, m[2], nd, xs, xst) ||
      !napi::in_bounds(O.length, m[3], nd, wsh, wst.data())) {
    fail(env, "torchts native convWeightGrad: a view reaches outside its storage");
    return nullptr;
  }
  const int64_t G = m[4];
  if (xs[1] != wsh[1] * G || wsh[0] % G != 0 || gsh[0] != xs[0] || gsh[1] != wsh[0]) {
    fail(env, "torchts native convWeightGrad: inconsistent shapes");
    return nullptr;
  }
  int64_t run = 1;
  for (int d = nd - 1; d >= 2; d--) {
    if (gsh[d] > 1 && gst[d] != run) return fail(env, "torchts native convWeightGrad: gy positions not contiguous"), nullptr;
    run *= gsh[d];
  }
  if (numel == 0) return nullptr;
  auto go = [&](auto* type_tag) {
    using T = std::remove_pointer_t<decltype(type_tag)>;
    T* out = static_cast<T*>(O.data) + m[3];
    if (xs[0] == 0 || run == 0) {
      for (int64_t i = 0; i < numel; i++) out[i] = 0;
      return;
    }
    ConvJob<T> j;
    if (!setup_job(j, nsp, xs, xst, wsh, gsh, gst, geo, G)) {
      fail(env, "torchts native convWeightGrad: bad geometry");
      return;
    }
    j.x = static_cast<const T*>(X.data) + m[2];
    run_wgrad(j, static_cast<const T*>(GY.data) + m[1], gst[0], gst[1], out);
  };
  if (X.type == napi_float32_array)
    go(static_cast<float*>(nullptr));
  else
    go(static_cast<double*>(nullptr));
  return nullptr;
}

// convInputGrad(gy, w, out, meta): the input gradient of conv(x, w) (input dilation 1) given the output's
// gradient gy. meta = [nsp, offG, offW, offOut, groups, gy shape (2 + nsp), gy strides (2 + nsp), w shape
// (2 + nsp), w strides (2 + nsp), out shape (2 + nsp), stride, padding, dilation (nsp each)]; out (the
// input's shape) is contiguous, gy's spatial dims one unit-stride run. All Float32Array or Float64Array.
napi_value ConvInputGrad(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!napi::get_args(env, info, 4, argv)) return nullptr;
  Arr GY, W, O;
  std::vector<int64_t> m;
  if (!napi::get_array(env, argv[0], &GY) || !napi::get_array(env, argv[1], &W) ||
      !napi::get_array(env, argv[2], &O) || !napi::get_meta(env, argv[3], &m))
    return nullptr;
  if (W.type != GY.type || W.type != O.type || (W.type != napi_float32_array && W.type != napi_float64_array) ||
      napi::aliases(O, W) || napi::aliases(O, GY))
    return fail(env, "torchts native convInputGrad: expected gy, w, out of one float type, out distinct"), nullptr;
  const int nsp = m.empty() ? 0 : static_cast<int>(m[0]);
  const int nd = nsp + 2;
  if (nsp < 1 || nsp > 3 || static_cast<int64_t>(m.size()) != 5 + 5 * nd + 3 * nsp || m[4] < 1)
    return fail(env, "torchts native convInputGrad: bad sizes"), nullptr;
  const int64_t *gsh = m.data() + 5, *gst = gsh + nd, *wsh = gst + nd, *wst = wsh + nd, *xs = wst + nd;
  std::vector<int64_t> geo(xs + nd, xs + nd + 3 * nsp);
  geo.resize(4 * nsp, 1);  // input dilation 1
  int64_t numel = 0;
  const std::vector<int64_t> xst = contiguous_strides(nd, xs, &numel);
  if (!napi::in_bounds(GY.length, m[1], nd, gsh, gst) || !napi::in_bounds(W.length, m[2], nd, wsh, wst) ||
      !napi::in_bounds(O.length, m[3], nd, xs, xst.data()))
    return fail(env, "torchts native convInputGrad: a view reaches outside its storage"), nullptr;
  const int64_t G = m[4];
  if (xs[1] != wsh[1] * G || wsh[0] % G != 0 || gsh[0] != xs[0] || gsh[1] != wsh[0])
    return fail(env, "torchts native convInputGrad: inconsistent shapes"), nullptr;
  int64_t run = 1;
  for (int d = nd - 1; d >= 2; d--) {
    if (gsh[d] > 1 && gst[d] != run)
      return fail(env, "torchts native convInputGrad: gy positions not contiguous"), nullptr;
    run *= gsh[d];
  }
  if (numel == 0) return nullptr;
  int64_t w5[5] = {wst[0], wst[1], 0, 0, 0};
  for (int s = 0; s < nsp; s++) w5[2 + 3 - nsp + s] = wst[2 + s];
  auto go = [&](auto* type_tag) {
    using T = std::remove_pointer_t<decltype(type_tag)>;
    T* out = static_cast<T*>(O.data) + m[3];
    ConvJob<T> j;
    if (!setup_job(j, nsp, xs, xst.data(), wsh, gsh, gst, geo.data(), G)) {
      fail(env, "torchts native convInputGrad: bad geometry");
      return;
    }
    j.x = out;
    run_input_grad(j, static_cast<const T*>(W.data), w5, m[2], static_cast<const T*>(GY.data) + m[1], gst[0], gst[1],
                   out, numel);
  };
  if (W.type == napi_float32_array)
    go(static_cast<float*>(nullptr));
  else
    go(static_cast<double*>(nullptr));
  return nullptr;
}


}  // namespace

void register_grad_kernels(napi_env env, napi_value exports) {
  napi::define(env, exports, "convWeightGrad", ConvWeightGrad);
  napi::define(env, exports, "convInputGrad", ConvInputGrad);
}

}  // namespace conv
}  // namespace tts
