// Native softmax / log-softmax along the last dim (src/ops/softmax.ts) for float32: rows run on the
// thread pool; each row goes through the selected ISA variant's softmax_row_f32 (kernels_impl.h), in
// place when the row is unit-stride, else through a per-thread contiguous copy.
#include <cstdint>
#include <vector>

#include "kernels.h"
#include "napi_util.h"

namespace tts {
namespace {

using napi::Arr;
using napi::fail;

const KernelSet* const* kernels_ref = nullptr;

struct SoftmaxJob {
  const float* x;
  float* out;
  int no;  // outer dims
  const int64_t *shape, *xst, *ost;  // outer shape and strides
  int64_t n, sx, so;                 // row length and element strides
  bool log;
};

void softmax_task(void* ctx, int64_t r) {
  const SoftmaxJob& j = *static_cast<const SoftmaxJob*>(ctx);
  int64_t xo = 0, oo = 0;
  for (int d = j.no - 1; d >= 0; d--) {
    const int64_t i = r % j.shape[d];
    r /= j.shape[d];
    xo += i * j.xst[d];
    oo += i * j.ost[d];
  }
  const float* x = j.x + xo;
  float* out = j.out + oo;
  const KernelSet* k = *kernels_ref;
  if (j.sx == 1 && j.so == 1) return k->softmax_row_f32(j.n, x, out, j.log);
  float* row = static_cast<float*>(scratch(0, static_cast<size_t>(j.n) * sizeof(float)));
  for (int64_t i = 0; i < j.n; i++) row[i] = x[i * j.sx];
  k->softmax_row_f32(j.n, row, row, j.log);
  for (int64_t i = 0; i < j.n; i++) out[i * j.so] = row[i];
}

// softmax(x, out, meta, log): meta = [nd, offX, offOut, shape (nd), x strides (nd), out strides (nd)],
// the softmax dim last; x and out Float32Arrays (distinct).
napi_value Softmax(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!napi::get_args(env, info, 4, argv)) return nullptr;
  Arr X, O;
  std::vector<int64_t> m;
  bool log = false;
  if (!napi::get_array(env, argv[0], &X) || !napi::get_array(env, argv[1], &O) || !napi::get_meta(env, argv[2], &m) ||
      napi_get_value_bool(env, argv[3], &log) != napi_ok)
    return fail(env, "torchts native softmax: expected (x, out, meta, log)"), nullptr;
  if (X.type != napi_float32_array || O.type != napi_float32_array || napi::aliases(X, O))
    return fail(env, "torchts native softmax: expected two distinct Float32Arrays"), nullptr;
  const int nd = m.empty() ? 0 : static_cast<int>(m[0]);
  if (nd < 1 || nd > 16 || static_cast<int64_t>(m.size()) != 3 + 3 * nd)
    return fail(env, "torchts native softmax: bad sizes"), nullptr;
  const int64_t* shape = m.data() + 3;
  const int64_t* xst = shape + nd;
  const int64_t* ost = xst + nd;
  if (!napi::in_bounds(X.length, m[1], nd, shape, xst) || !napi::in_bounds(O.length, m[2], nd, shape, ost))
    return fail(env, "torchts native softmax: a view reaches outside its storage"), nullptr;
  SoftmaxJob j{static_cast<const float*>(X.data) + m[1], static_cast<float*>(O.data) + m[2], nd - 1, shape, xst, ost,
               shape[nd - 1], xst[nd - 1], ost[nd - 1], log};
  int64_t rows = 1;
  for (int d = 0; d < nd - 1; d++) rows *= shape[d];
  if (rows == 0 || j.n == 0) return nullptr;
  if (num_threads() > 1 && rows > 1 && rows * j.n >= 16384)
    parallel_for(rows, softmax_task, &j);
  else
    for (int64_t r = 0; r < rows; r++) softmax_task(&j, r);
  return nullptr;
}

}  // namespace

/** Add softmax to the addon's exports; `k` points at the addon's selected kernel variant. */
void register_softmax_kernels(napi_env env, napi_value exports, const KernelSet* const* k) {
  kernels_ref = k;
  napi::define(env, exports, "softmax", Softmax);
}

}  // namespace tts
