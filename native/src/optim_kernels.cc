// Fused optimizer updates (src/optim/sgd.ts, adam.ts): one native call updates every parameter of a
// group, element by element, with the arithmetic of PyTorch 1.13's single-tensor loops (each tensor op
// of `_single_tensor_sgd` / `_single_tensor_adam(w)` becomes one rounding to the parameter's type, in
// the same order; Python scalars are converted to that type as PyTorch's kernels do). The parameters
// are cut into chunks that run on the thread pool. float32 and float64, contiguous tensors.
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels.h"
#include "napi_util.h"

namespace tts {
namespace {

using napi::Arr;
using napi::fail;

constexpr int64_t kChunk = 1 << 15;  // elements per task

/** One chunk of one parameter: its element range and the arrays it touches (at their offsets). */
struct Piece {
  int64_t begin, end;
  void* a[5];  // SGD: p, g, buf; Adam: p, g, exp_avg, exp_avg_sq, max_exp_avg_sq
  double step_size, bc2_sqrt;  // Adam's per-parameter bias corrections
  bool init;                   // SGD: the momentum buffer is created from this step's gradient
};

struct SgdJob {
  double lr, momentum, dampening, wd;
  bool nesterov, maximize;
  std::vector<Piece> pieces;
};

struct AdamJob {
  double lr, beta1, beta2, eps, wd;
  bool amsgrad, maximize, decoupled;
  std::vector<Piece> pieces;
};

// d = maximize ? -g : g; d += wd p; buf = μ buf + (1 − dampening) d (buf = d on the first step);
// d = nesterov ? d + μ buf : buf; p += −lr d. The options are template arguments, so each loop is
// branch-free and vectorizes (`sign` is ±1: g * sign is exactly ±g).
template <class T, bool WD, bool MOM, bool INIT, bool NEST>
void sgd_loop(int64_t n, T* P, const T* G, T* B, T sign, T wd, T mu, T damp, T neg_lr) {
  for (int64_t i = 0; i < n; i++) {
    T d = G[i] * sign;
    if (WD) d = d + wd * P[i];
    if (MOM) {
      T b = d;
      if (!INIT) {
        b = B[i] * mu;
        b = b + damp * d;
      }
      B[i] = b;
      d = NEST ? d + mu * b : b;
    }
    P[i] = P[i] + neg_lr * d;
  }
}

template <class T, bool WD>
void sgd_loop_for(const SgdJob& j, const Piece& q, int64_t n, T* P, const T* G, T* B) {
  const T sign = j.maximize ? T(-1) : T(1), wd = T(j.wd), mu = T(j.momentum), damp = T(1 - j.dampening);
  const T neg_lr = T(-j.lr);
  if (j.momentum == 0) return sgd_loop<T, WD, false, false, false>(n, P, G, B, sign, wd, mu, damp, neg_lr);
  if (q.init)
    return j.nesterov ? sgd_loop<T, WD, true, true, true>(n, P, G, B, sign, wd, mu, damp, neg_lr)
                      : sgd_loop<T, WD, true, true, false>(n, P, G, B, sign, wd, mu, damp, neg_lr);
  return j.nesterov ? sgd_loop<T, WD, true, false, true>(n, P, G, B, sign, wd, mu, damp, neg_lr)
                    : sgd_loop<T, WD, true, false, false>(n, P, G, B, sign, wd, mu, damp, neg_lr);
}

template <class T>
void sgd_piece(const SgdJob& j, const Piece& q) {
  T* P = static_cast<T*>(q.a[0]) + q.begin;
  const T* G = static_cast<const T*>(q.a[1]) + q.begin;
  T* B = q.a[2] ? static_cast<T*>(q.a[2]) + q.begin : nullptr;
  const int64_t n = q.end - q.begin;
  if (j.wd != 0)
    sgd_loop_for<T, true>(j, q, n, P, G, B);
  else
    sgd_loop_for<T, false>(j, q, n, P, G, B);
}

// g = maximize ? -g : g; AdamW: p *= 1 − lr λ, Adam: g += λ p; m = β₁ m + (1 − β₁) g;
// v = β₂ v + (1 − β₂) g g; AMSGrad: v̂ = max(v̂, v); p += −step_size m / (√v / √bc₂ + eps).
// The options are template arguments, so each loop is branch-free and vectorizes.
template <class T, bool DECOUPLED, bool WD, bool AMS>
void adam_loop(const AdamJob& j, const Piece& q) {
  const int64_t n = q.end - q.begin;
  T* P = static_cast<T*>(q.a[0]) + q.begin;
  const T* G = static_cast<const T*>(q.a[1]) + q.begin;
  T* M = static_cast<T*>(q.a[2]) + q.begin;
  T* V = static_cast<T*>(q.a[3]) + q.begin;
  T* MX = AMS ? static_cast<T*>(q.a[4]) + q.begin : nullptr;
  const T sign = j.maximize ? T(-1) : T(1);  // g * sign is exactly ±g
  const T b1 = T(j.beta1), c1 = T(1 - j.beta1), b2 = T(j.beta2), c2 = T(1 - j.beta2), eps = T(j.eps);
  const T wd = T(j.wd), shrink = T(1 - j.lr * j.wd), neg_step = T(-q.step_size), bc2s = T(q.bc2_sqrt);
  for (int64_t i = 0; i < n; i++) {
    T g = G[i] * sign;
    T p = P[i];
    if (DECOUPLED)
      p = p * shrink;
    else if (WD)
      g = g + wd * p;
    T m = M[i] * b1;
    m = m + c1 * g;
    T v = V[i] * b2;
    const T gg = c2 * g;
    v = v + gg * g;
    M[i] = m;
    V[i] = v;
    if (AMS) {
      const T mx = MX[i];
      v = (mx != mx || mx > v) ? mx : v;  // torch.maximum propagates NaN
      MX[i] = v;
    }
    T denom = std::sqrt(v) / bc2s;
    denom = denom + eps;
    const T s = neg_step * m;
    P[i] = p + s / denom;
  }
}

template <class T, bool AMS>
void adam_piece_ams(const AdamJob& j, const Piece& q) {
  if (j.decoupled) return adam_loop<T, true, false, AMS>(j, q);
  if (j.wd != 0) return adam_loop<T, false, true, AMS>(j, q);
  adam_loop<T, false, false, AMS>(j, q);
}

template <class T>
void adam_piece(const AdamJob& j, const Piece& q) {
  if (j.amsgrad)
    adam_piece_ams<T, true>(j, q);
  else
    adam_piece_ams<T, false>(j, q);
}

template <class Job, void (*F)(const Job&, const Piece&)>
void run_task(void* ctx, int64_t t) {
  const Job& j = *static_cast<const Job*>(ctx);
  F(j, j.pieces[t]);
}

template <class Job, void (*F)(const Job&, const Piece&)>
void run_pieces(Job& j) {
  const int64_t n = static_cast<int64_t>(j.pieces.size());
  if (num_threads() > 1 && n > 1)
    parallel_for(n, run_task<Job, F>, &j);
  else
    for (int64_t t = 0; t < n; t++) F(j, j.pieces[t]);
}

/** Read the JS array of typed arrays `v`: all of one float type; `count` of them expected. */
bool get_arrays(napi_env env, napi_value v, uint32_t count, std::vector<Arr>* out, bool* f64) {
  uint32_t len = 0;
  if (napi_get_array_length(env, v, &len) != napi_ok || len != count)
    return fail(env, "torchts native optimizer step: wrong number of arrays");
  out->resize(len);
  for (uint32_t i = 0; i < len; i++) {
    napi_value e;
    if (napi_get_element(env, v, i, &e) != napi_ok || !napi::get_array(env, e, &(*out)[i])) return false;
    const napi_typedarray_type t = (*out)[i].type;
    if ((t != napi_float32_array && t != napi_float64_array) || t != (*out)[0].type)
      return fail(env, "torchts native optimizer step: expected Float32Arrays or Float64Arrays, all alike");
  }
  *f64 = len > 0 && (*out)[0].type == napi_float64_array;
  return true;
}

/**
 * Cut parameter `k`'s `per` arrays (element offsets offs, n elements each) into pieces; false when one
 * does not hold its range or an updated array shares memory with another of the same parameter.
 */
bool add_pieces(std::vector<Piece>* pieces, const std::vector<Arr>& arrs, int per, int64_t k, int64_t n,
                const int64_t* offs, bool f64, const Piece& proto) {
  Piece base = proto;
  const size_t es = f64 ? 8 : 4;
  for (int a = 0; a < per; a++) {
    const Arr& r = arrs[k * per + a];
    if (offs[a] < 0 || n < 0 || offs[a] + n > r.length) return false;
    base.a[a] = static_cast<char*>(r.data) + offs[a] * es;
  }
  for (int a = 0; a < per; a++)
    for (int b = 0; b < per; b++)
      if (a != b && a != 1 && b != 1 && base.a[a] == base.a[b] && n > 0) return false;
  for (int64_t s = 0; s < n; s += kChunk) {
    Piece q = base;
    q.begin = s;
    q.end = s + kChunk < n ? s + kChunk : n;
    pieces->push_back(q);
  }
  return true;
}

// sgdStep(arrays, meta): arrays = [p, grad, buf] per parameter (buf unused, any array, without
// momentum); meta = [count, lr, momentum, dampening, weightDecay, nesterov, maximize, then per
// parameter: n, offP, offG, offBuf, init (1: buf = this step's d)].
napi_value SgdStep(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!napi::get_args(env, info, 2, argv)) return nullptr;
  Arr M;
  if (!napi::get_array(env, argv[1], &M) || M.type != napi_float64_array || M.length < 7)
    return fail(env, "torchts native sgdStep: bad meta"), nullptr;
  const double* m = static_cast<const double*>(M.data);
  const int64_t count = static_cast<int64_t>(m[0]);
  if (count < 0 || M.length != 7 + 5 * count) return fail(env, "torchts native sgdStep: bad meta"), nullptr;
  std::vector<Arr> arrs;
  bool f64 = false;
  if (!get_arrays(env, argv[0], static_cast<uint32_t>(3 * count), &arrs, &f64)) return nullptr;
  SgdJob j{m[1], m[2], m[3], m[4], m[5] != 0, m[6] != 0, {}};
  for (int64_t k = 0; k < count; k++) {
    const double* e = m + 7 + 5 * k;
    const int64_t offs[3] = {static_cast<int64_t>(e[1]), static_cast<int64_t>(e[2]), static_cast<int64_t>(e[3])};
    Piece proto{};
    proto.init = e[4] != 0;
    const int per = j.momentum != 0 ? 3 : 2;
    std::vector<Arr> own(arrs.begin() + 3 * k, arrs.begin() + 3 * k + per);
    if (!add_pieces(&j.pieces, own, per, 0, static_cast<int64_t>(e[0]), offs, f64, proto))
      return fail(env, "torchts native sgdStep: a tensor is out of range or aliases another"), nullptr;
  }
  if (f64)
    run_pieces<SgdJob, sgd_piece<double>>(j);
  else
    run_pieces<SgdJob, sgd_piece<float>>(j);
  return nullptr;
}

// adamStep(arrays, meta): arrays = [p, grad, exp_avg, exp_avg_sq, max_exp_avg_sq] per parameter
// (max_exp_avg_sq unused, any array, without AMSGrad); meta = [count, lr, beta1, beta2, eps,
// weightDecay, amsgrad, maximize, decoupled (AdamW), then per parameter: n, offP, offG, offM, offV,
// offMax, step (already counted)].
napi_value AdamStep(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!napi::get_args(env, info, 2, argv)) return nullptr;
  Arr M;
  if (!napi::get_array(env, argv[1], &M) || M.type != napi_float64_array || M.length < 9)
    return fail(env, "torchts native adamStep: bad meta"), nullptr;
  const double* m = static_cast<const double*>(M.data);
  const int64_t count = static_cast<int64_t>(m[0]);
  if (count < 0 || M.length != 9 + 7 * count) return fail(env, "torchts native adamStep: bad meta"), nullptr;
  std::vector<Arr> arrs;
  bool f64 = false;
  if (!get_arrays(env, argv[0], static_cast<uint32_t>(5 * count), &arrs, &f64)) return nullptr;
  AdamJob j{m[1], m[2], m[3], m[4], m[5], m[6] != 0, m[7] != 0, m[8] != 0, {}};
  for (int64_t k = 0; k < count; k++) {
    const double* e = m + 9 + 7 * k;
    int64_t offs[5];
    for (int a = 0; a < 5; a++) offs[a] = static_cast<int64_t>(e[1 + a]);
    const double step = e[6];
    Piece proto{};
    // PyTorch's Python scalars: bias corrections and step size in double
    proto.step_size = j.lr / (1 - std::pow(j.beta1, step));
    proto.bc2_sqrt = std::sqrt(1 - std::pow(j.beta2, step));
    const int per = j.amsgrad ? 5 : 4;
    std::vector<Arr> own(arrs.begin() + 5 * k, arrs.begin() + 5 * k + per);
    if (!add_pieces(&j.pieces, own, per, 0, static_cast<int64_t>(e[0]), offs, f64, proto))
      return fail(env, "torchts native adamStep: a tensor is out of range or aliases another"), nullptr;
  }
  if (f64)
    run_pieces<AdamJob, adam_piece<double>>(j);
  else
    run_pieces<AdamJob, adam_piece<float>>(j);
  return nullptr;
}

}  // namespace

/** Add sgdStep and adamStep to the addon's exports. */
void register_optim_kernels(napi_env env, napi_value exports) {
  napi::define(env, exports, "sgdStep", SgdStep);
  napi::define(env, exports, "adamStep", AdamStep);
}

}  // namespace tts
