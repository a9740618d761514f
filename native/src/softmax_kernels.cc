// Native softmax / log-softmax along the last dim (src/ops/softmax.ts), and their gradient, for float32:
// rows run on the thread pool; each row goes through the selected ISA variant's softmax_row_f32 or
// softmax_grad_row_f32 (kernels_impl.h), in place when the rows are unit-stride, else through
// per-thread contiguous copies.
#include <cstdint>
#include <vector>

#include "kernels.h"
#include "napi_util.h"

namespace tts {
namespace {

using napi::Arr;
using napi::fail;

// Rows of up to two inputs (x, or the output y and its gradient g) and the output, all strided.
struct SoftmaxJob {
  const float *x, *g;  // g: null for the forward
  float* out;
  int no;  // outer dims
  const int64_t *shape, *xst, *gst, *ost;  // outer shape and strides
  int64_t n, sx, sg, so;                   // row length and element strides
  bool log;
};

// Copy a strided row into per-thread scratch slot `slot` (or hand back the row itself when unit-stride).
const float* unit_row(int slot, const float* p, int64_t n, int64_t s) {
  if (s == 1) return p;
  float* row = static_cast<float*>(scratch(slot, static_cast<size_t>(n) * sizeof(float)));
  for (int64_t i = 0; i < n; i++) row[i] = p[i * s];
  return row;
}

void softmax_task(void* ctx, int64_t r) {
  const SoftmaxJob& j = *static_cast<const SoftmaxJob*>(ctx);
  int64_t xo = 0, go = 0, oo = 0;
  for (int d = j.no - 1; d >= 0; d--) {
    const int64_t i = r % j.shape[d];
    r /= j.shape[d];
    xo += i * j.xst[d];
    if (j.g) go += i * j.gst[d];
    oo += i * j.ost[d];
  }
  const KernelSet* k = active_kernels();
  const float* x = unit_row(0, j.x + xo, j.n, j.sx);
  float* out = j.so == 1 ? j.out + oo : static_cast<float*>(scratch(2, static_cast<size_t>(j.n) * sizeof(float)));
  if (j.g)
    k->softmax_grad_row_f32(j.n, x, unit_row(1, j.g + go, j.n, j.sg), out, j.log);
  else
    k->softmax_row_f32(j.n, x, out, j.log);
  if (j.so != 1)
    for (int64_t i = 0; i < j.n; i++) j.out[oo + i * j.so] = out[i];
}

void run_rows(SoftmaxJob& j) {
  int64_t rows = 1;
  for (int d = 0; d < j.no; d++) rows *= j.shape[d];
  if (rows == 0 || j.n == 0) return;
  if (num_threads() > 1 && rows > 1 && rows * j.n >= 16384)
    parallel_for(rows, softmax_task, &j);
  else
    for (int64_t r = 0; r < rows; r++) softmax_task(&j, r);
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
  SoftmaxJob j{static_cast<const float*>(X.data) + m[1],
               nullptr,
               static_cast<float*>(O.data) + m[2],
               nd - 1,
               shape,
               xst,
               nullptr,
               ost,
               shape[nd - 1],
               xst[nd - 1],
               0,
               ost[nd - 1],
               log};
  run_rows(j);
  return nullptr;
}

// softmaxGrad(y, g, out, meta, log): meta = [nd, offY, offG, offOut, shape (nd), y strides (nd),
// g strides (nd), out strides (nd)], the softmax dim last; Float32Arrays, out distinct from y and g.
napi_value SoftmaxGrad(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!napi::get_args(env, info, 5, argv)) return nullptr;
  Arr Y, G, O;
  std::vector<int64_t> m;
  bool log = false;
  if (!napi::get_array(env, argv[0], &Y) || !napi::get_array(env, argv[1], &G) || !napi::get_array(env, argv[2], &O) ||
      !napi::get_meta(env, argv[3], &m) || napi_get_value_bool(env, argv[4], &log) != napi_ok)
    return fail(env, "torchts native softmaxGrad: expected (y, g, out, meta, log)"), nullptr;
  if (Y.type != napi_float32_array || G.type != napi_float32_array || O.type != napi_float32_array ||
      napi::aliases(Y, O) || napi::aliases(G, O))
    return fail(env, "torchts native softmaxGrad: expected Float32Arrays, out distinct from y and g"), nullptr;
  const int nd = m.empty() ? 0 : static_cast<int>(m[0]);
  if (nd < 1 || nd > 16 || static_cast<int64_t>(m.size()) != 4 + 4 * nd)
    return fail(env, "torchts native softmaxGrad: bad sizes"), nullptr;
  const int64_t* shape = m.data() + 4;
  const int64_t* yst = shape + nd;
  const int64_t* gst = yst + nd;
  const int64_t* ost = gst + nd;
  if (!napi::in_bounds(Y.length, m[1], nd, shape, yst) || !napi::in_bounds(G.length, m[2], nd, shape, gst) ||
      !napi::in_bounds(O.length, m[3], nd, shape, ost))
    return fail(env, "torchts native softmaxGrad: a view reaches outside its storage"), nullptr;
  SoftmaxJob j{static_cast<const float*>(Y.data) + m[1],
               static_cast<const float*>(G.data) + m[2],
               static_cast<float*>(O.data) + m[3],
               nd - 1,
               shape,
               yst,
               gst,
               ost,
               shape[nd - 1],
               yst[nd - 1],
               gst[nd - 1],
               ost[nd - 1],
               log};
  run_rows(j);
  return nullptr;
}

}  // namespace

/** Add softmax and softmaxGrad to the addon's exports. */
void register_softmax_kernels(napi_env env, napi_value exports) {
  napi::define(env, exports, "softmax", Softmax);
  napi::define(env, exports, "softmaxGrad", SoftmaxGrad);
}

}  // namespace tts
