// Native kernel of the `convolution` primitive (src/ops/conv.ts): per (sample, group), im2col into a
// per-thread scratch block and one GEMM of the selected ISA variant written straight into the output;
// tasks over (sample, group) run on the thread pool. A 1x1 stride-1 unpadded convolution skips im2col
// and multiplies the input in place; other stride-1 ones have the GEMM pack the im2col matrix straight
// from a padded copy of the input (conv_shifted.h); float32 3x3 ones with several input channels take
// Winograd's F(2x2, 3x3) (winograd_impl.h) where every thread has a (sample, group). 1 to 3 spatial
// dims, strides, padding (negative crops), kernel dilation, input dilation (transposed convolution),
// groups; x and w are read through their strides. float32 and float64. The gradients have their own
// kernels (conv_grad_kernels.cc).
#include <cstdint>
#include <type_traits>
#include <vector>

#include "conv_common.h"
#include "conv_shifted.h"
#include "kernels.h"
#include "napi_util.h"

namespace tts {
namespace conv {
void gemm(const GemmArgs& g, bool f64, bool parallel) {
  const KernelSet* k = active_kernels();
  (f64 ? k->gemm_f64 : k->gemm_f32)(g, parallel);
}

}  // namespace conv

namespace {

using napi::Arr;
using napi::fail;
using namespace conv;

template <class T>
void conv_item(const ConvJob<T>& j, int64_t t, bool parallel) {
  const int64_t n = t / j.G, gi = t % j.G;
  const T* A = j.W + gi * j.Og * j.K;
  T* C = j.out + n * j.on + gi * j.Og * j.oc;
  const T* x = j.x + n * j.sn + gi * j.Cg * j.sc;
  GemmArgs g;
  if (j.shifted) {
    // B: the shifted rows of a padded copy of the input, run by run (conv_shifted.h)
    const Shifted& sx = *j.shifted;
    T* xp = static_cast<T*>(scratch(3, sizeof(T) * (sx.size + kReadSlack)));
    pad_copy(sx, j.Cg, x, j.sc, j.inSt, xp);
    g = {j.Og, j.L, j.K, A, j.K, 1, xp, 0, 1, C, j.oc, 1};
    g.brow = sx.rows.data();
    g.nseg = sx.runs.data();
    g.nrun = j.o[2];
    gemm(g, sizeof(T) == 8, parallel);
    return;
  }
  const T* B;
  int64_t sbk, sbn = 1;
  if (j.direct) {
    B = x;
    sbk = j.sc;
  } else if (j.layout_t) {
    T* cols = static_cast<T*>(scratch(3, sizeof(T) * j.K * j.L));
    im2col_t(j, n, gi, cols);
    B = cols;  // (L x K): column l of the usual matrix is row l here
    sbk = 1;
    sbn = j.K;
  } else {
    T* cols = static_cast<T*>(scratch(3, sizeof(T) * j.K * j.L));
    im2col(j, n, gi, cols);
    B = cols;
    sbk = j.L;
  }
  if (j.transposed)  // C^T (L x Og) = B^T (L x K) @ W^T (K x Og): few output positions, many channels
    g = {j.L, j.Og, j.K, B, sbn, sbk, A, 1, j.K, C, 1, j.oc};
  else
    g = {j.Og, j.L, j.K, A, j.K, 1, B, sbk, sbn, C, j.oc, 1};
  gemm(g, sizeof(T) == 8, parallel);
}

// Whether the Winograd kernel (winograd_impl.h) takes this float32 job: 2-D 3x3, stride 1, no dilation,
// padding >= 0, at least kWinoChannels input channels per group, maps of at least 8x8, finite weights.
constexpr int64_t kWinoChannels = 4;
template <class T>
bool winograd_applies(const ConvJob<T>& j) {
  if (!std::is_same<T, float>::value || j.k[0] != 1 || j.inS[0] != 1 || j.k[1] != 3 || j.k[2] != 3) return false;
  for (int d = 1; d < 3; d++)
    if (j.stride[d] != 1 || j.dil[d] != 1 || j.inDil[d] != 1 || j.pad[d] < 0 || j.o[d] < 8) return false;
  if (j.Cg < kWinoChannels) return false;
  float bad = 0;
  for (int64_t i = 0; i < j.G * j.Og * j.K; i++) bad += static_cast<float>(j.W[i] - j.W[i]);
  return bad == 0;
}

// One (sample, group) by Winograd; false where its input holds inf or NaN (then the direct path runs).
template <class T>
bool wino_item(const ConvJob<T>& j, int64_t t) {
  if constexpr (std::is_same<T, float>::value) {
    const int64_t n = t / j.G, gi = t % j.G;
    WinoArgs a;
    a.x = j.x + n * j.sn + gi * j.Cg * j.sc;
    a.sc = j.sc, a.sh = j.inSt[1], a.sw = j.inSt[2];
    a.C = j.Cg, a.H = j.inS[1], a.W = j.inS[2];
    a.pt = j.pad[1], a.pl = j.pad[2];
    a.U = j.wino + gi * j.wino_size;
    a.Og = j.Og;
    a.out = j.out + n * j.on + gi * j.Og * j.oc;
    a.oc = j.oc, a.OH = j.o[1], a.OW = j.o[2];
    return active_kernels()->wino_conv_f32(a);
  }
  return false;
}

// One (sample, group): by Winograd where the job takes it and the input is finite, else directly.
template <class T>
void conv_one(const ConvJob<T>& j, int64_t t, bool parallel) {
  if (j.wino && wino_item(j, t)) return;
  conv_item(j, t, parallel);
}

template <class T>
void conv_task(void* ctx, int64_t t) {
  conv_one(*static_cast<ConvJob<T>*>(ctx), t, false);
}

template <class T>
void run_conv(ConvJob<T>& j, const T* w, const int64_t* ws, int64_t wo) {
  std::vector<T> packed;
  j.W = weight_rows(j, w, ws, wo, &packed);
  setup_taps(j);
  // 1x1, stride 1, no padding, spatial dims one unit-stride run: the input is already the im2col matrix
  j.direct = true;
  int64_t run = 1;
  for (int d = 2; d >= 0; d--) {
    if (j.k[d] != 1 || j.stride[d] != 1 || j.pad[d] != 0 || j.inDil[d] != 1 || j.o[d] != j.inS[d]) j.direct = false;
    if (j.inS[d] > 1 && j.inSt[d] != run) j.direct = false;
    run *= j.inS[d];
  }
  // im2col runs along the innermost tap when the kernel is wider than the output (weight gradients)
  j.layout_t = !j.direct && j.k[2] > j.o[2];
  j.transposed = j.layout_t || (j.L < j.Og && j.L < 32);
  // stride 1 otherwise: the GEMM packs B straight from a padded copy of the input
  Shifted shifted;
  if (!j.direct && !j.transposed && shifted_applies(j)) {
    shifted = shifted_geometry(j.Cg, j.inS, j.pad, j.k, j.dil, j.o);
    j.shifted = &shifted;
  }
  const int64_t tasks = j.N * j.G;
  const int threads = num_threads();
  // Winograd where every thread has a (sample, group) of its own: its tasks do not split further
  std::vector<float> wino;
  if constexpr (std::is_same<T, float>::value) {
    if ((threads == 1 || tasks >= threads) && winograd_applies(j)) {
      const KernelSet* k = active_kernels();
      j.wino_size = k->wino_weights_size(j.Og, j.Cg);
      wino.resize(j.G * j.wino_size);
      for (int64_t gi = 0; gi < j.G; gi++)
        k->wino_weights_f32(j.W + gi * j.Og * j.K, j.Og, j.Cg, &wino[gi * j.wino_size]);
      j.wino = wino.data();
    }
  }
  if (threads > 1 && tasks >= threads) {
    parallel_for(tasks, conv_task<T>, &j);
  } else {
    for (int64_t t = 0; t < tasks; t++) conv_one(j, t, true);
  }
}

// conv(x, w, out, meta): meta = [nsp, offX, offW, offOut, groups, x shape (2 + nsp), x strides (2 + nsp),
// w shape (2 + nsp), w strides (2 + nsp), out shape (2 + nsp), stride, padding, dilation, inputDilation
// (nsp each)]; out is contiguous. Arrays: all Float32Array or all Float64Array.
napi_value Conv(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!napi::get_args(env, info, 4, argv)) return nullptr;
  Arr X, W, O;
  std::vector<int64_t> m;
  if (!napi::get_array(env, argv[0], &X) || !napi::get_array(env, argv[1], &W) || !napi::get_array(env, argv[2], &O) ||
      !napi::get_meta(env, argv[3], &m))
    return nullptr;
  if (X.type != W.type || X.type != O.type || (X.type != napi_float32_array && X.type != napi_float64_array) ||
      napi::aliases(O, X) || napi::aliases(O, W)) {
    fail(env, "torchts native conv: expected x, w, out of one float type, out distinct");
    return nullptr;
  }
  const int nsp = m.empty() ? 0 : static_cast<int>(m[0]);
  const int nd = nsp + 2;
  if (nsp < 1 || nsp > 3 || static_cast<int64_t>(m.size()) != 5 + 5 * nd + 4 * nsp || m[4] < 1) {
    fail(env, "torchts native conv: bad sizes");
    return nullptr;
  }
  const int64_t *xs = m.data() + 5, *xst = xs + nd, *wsh = xst + nd, *wst = wsh + nd, *osh = wst + nd;
  const int64_t* geo = osh + nd;
  int64_t numel = 0;
  const std::vector<int64_t> ost = contiguous_strides(nd, osh, &numel);
  if (numel == 0 || xs[0] == 0) return nullptr;
  if (!napi::in_bounds(X.length, m[1], nd, xs, xst) || !napi::in_bounds(W.length, m[2], nd, wsh, wst) ||
      !napi::in_bounds(O.length, m[3], nd, osh, ost.data())) {
    fail(env, "torchts native conv: a view reaches outside its storage");
    return nullptr;
  }
  const int64_t G = m[4];
  if (xs[1] != wsh[1] * G || wsh[0] % G != 0 || osh[0] != xs[0] || osh[1] != wsh[0]) {
    fail(env, "torchts native conv: inconsistent shapes");
    return nullptr;
  }
  int64_t w5[5] = {wst[0], wst[1], 0, 0, 0};
  for (int s = 0; s < nsp; s++) w5[2 + 3 - nsp + s] = wst[2 + s];
  if (X.type == napi_float32_array) {
    ConvJob<float> j;
    if (!setup_job(j, nsp, xs, xst, wsh, osh, ost.data(), geo, G))
      return fail(env, "torchts native conv: bad geometry"), nullptr;
    j.x = static_cast<const float*>(X.data) + m[1];
    j.out = static_cast<float*>(O.data) + m[3];
    run_conv(j, static_cast<const float*>(W.data), w5, m[2]);
  } else {
    ConvJob<double> j;
    if (!setup_job(j, nsp, xs, xst, wsh, osh, ost.data(), geo, G))
      return fail(env, "torchts native conv: bad geometry"), nullptr;
    j.x = static_cast<const double*>(X.data) + m[1];
    j.out = static_cast<double*>(O.data) + m[3];
    run_conv(j, static_cast<const double*>(W.data), w5, m[2]);
  }
  return nullptr;
}

}  // namespace

/** Add conv and its gradients to the addon's exports. */
void register_conv_kernels(napi_env env, napi_value exports) {
  napi::define(env, exports, "conv", Conv);
  conv::register_grad_kernels(env, exports);
}

}  // namespace tts
