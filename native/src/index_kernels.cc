// Native versions of the strided index kernels of the backend contract (src/backend.ts): gather,
// scatter (plain and sum), argmax/argmin along the last dim, and stridedAccumulate (the gradient of a
// view scattered back into its base). They serve the autograd plumbing of views, max pooling and
// cross-entropy, where the TS kernels' per-element closures dominated a training step. Float32Array and
// Float64Array storages (float32, float64 and int64 tensors); indices are int64 (Float64Array).
// Elements are visited in the TS kernels' row-major order, so accumulations round identically.
#include <cstdint>
#include <vector>

#include "napi_util.h"
#include "strided.h"

namespace tts {
namespace {

using napi::Arr;
using napi::fail;

bool same_float_type(const Arr& a, const Arr& b) {
  return a.type == b.type && (a.type == napi_float32_array || a.type == napi_float64_array);
}

napi_value boolean(napi_env env, bool b) {
  napi_value r;
  napi_get_boolean(env, b, &r);
  return r;
}

// ---- stridedAccumulate ----------------------------------------------------------------------------

template <class T>
void strided_acc(int nd, const int64_t* shape, const int64_t* ss, const int64_t* os, const T* S, T* O, int64_t offS,
                 int64_t offO) {
  const int64_t* st[2] = {ss, os};
  const int64_t start[2] = {offS, offO};
  const int64_t n = nd ? shape[nd - 1] : 1, a = nd ? ss[nd - 1] : 0, b = nd ? os[nd - 1] : 0;
  for_each_row<2>(nd, shape, st, start, [&](const int64_t* off) {
    const T* s = S + off[0];
    T* o = O + off[1];
    if (a == 1 && b == 1)
      for (int64_t i = 0; i < n; i++) o[i] += s[i];
    else
      for (int64_t i = 0; i < n; i++) o[i * b] += s[i * a];
  });
}

// stridedAccumulate(src, out, meta): out[view positions] += src; meta = [nd, offSrc, offOut, shape (nd),
// src strides (nd), out strides (nd)]. src and out: distinct arrays of one float type.
napi_value StridedAccumulate(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!napi::get_args(env, info, 3, argv)) return nullptr;
  Arr S, O;
  std::vector<int64_t> m;
  if (!napi::get_array(env, argv[0], &S) || !napi::get_array(env, argv[1], &O) || !napi::get_meta(env, argv[2], &m))
    return nullptr;
  if (!same_float_type(S, O) || napi::aliases(S, O)) {
    fail(env, "torchts native stridedAccumulate: expected two distinct float arrays of one type");
    return nullptr;
  }
  const int nd = m.empty() ? -1 : static_cast<int>(m[0]);
  if (nd < 0 || nd > 16 || static_cast<int64_t>(m.size()) != 3 + 3 * nd) {
    fail(env, "torchts native stridedAccumulate: bad sizes");
    return nullptr;
  }
  const int64_t *shape = m.data() + 3, *ss = shape + nd, *os = ss + nd;
  if (!napi::in_bounds(S.length, m[1], nd, shape, ss) || !napi::in_bounds(O.length, m[2], nd, shape, os)) {
    fail(env, "torchts native stridedAccumulate: a view reaches outside its storage");
    return nullptr;
  }
  for (int d = 0; d < nd; d++)
    if (shape[d] == 0) return nullptr;
  if (S.type == napi_float32_array)
    strided_acc(nd, shape, ss, os, static_cast<const float*>(S.data), static_cast<float*>(O.data), m[1], m[2]);
  else
    strided_acc(nd, shape, ss, os, static_cast<const double*>(S.data), static_cast<double*>(O.data), m[1], m[2]);
  return nullptr;
}

// ---- gather and scatter ---------------------------------------------------------------------------

// Shared layout: meta = [nd, dim, offA, offIndex, offB, size of A's dim, index shape (nd), strides of A
// (nd), of the index (nd), of B (nd)]. gather: A = x (read), B = out; scatter: A = out, B = src.
struct IndexGeom {
  int nd, dim;
  int64_t offA, offI, offB, n;
  const int64_t *shape, *sa, *si, *sb;
};

bool read_geom(napi_env env, const std::vector<int64_t>& m, const Arr& A, const Arr& I, const Arr& B, IndexGeom* g,
               const char* op) {
  if (m.size() < 6 || m[0] < 1 || m[0] > 16 || static_cast<int64_t>(m.size()) != 6 + 4 * m[0] || m[1] < 0 ||
      m[1] >= m[0])
    return fail(env, op);
  g->nd = static_cast<int>(m[0]);
  g->dim = static_cast<int>(m[1]);
  g->offA = m[2];
  g->offI = m[3];
  g->offB = m[4];
  g->n = m[5];
  g->shape = m.data() + 6;
  g->sa = g->shape + g->nd;
  g->si = g->sa + g->nd;
  g->sb = g->si + g->nd;
  // A is reached along `dim` at indices [0, n): check it with that size there
  std::vector<int64_t> ashape(g->shape, g->shape + g->nd);
  ashape[g->dim] = g->n;
  for (int d = 0; d < g->nd; d++)
    if (g->shape[d] == 0) return true;
  if (!napi::in_bounds(A.length, g->offA, g->nd, ashape.data(), g->sa) ||
      !napi::in_bounds(I.length, g->offI, g->nd, g->shape, g->si) ||
      !napi::in_bounds(B.length, g->offB, g->nd, g->shape, g->sb))
    return fail(env, "torchts native gather/scatter: a view reaches outside its storage");
  return true;
}

bool empty(const IndexGeom& g) {
  for (int d = 0; d < g.nd; d++)
    if (g.shape[d] == 0) return true;
  return false;
}

// Whether every index lies in [0, n).
bool indices_ok(const IndexGeom& g, const double* I) {
  const int64_t* st[1] = {g.si};
  const int64_t start[1] = {g.offI};
  const int l = g.nd - 1;
  const int64_t len = g.shape[l], s = g.si[l];
  const double n = static_cast<double>(g.n);
  bool ok = true;
  for_each_row<1>(g.nd, g.shape, st, start, [&](const int64_t* off) {
    const double* p = I + off[0];
    for (int64_t i = 0; i < len; i++) ok = ok && p[i * s] >= 0 && p[i * s] < n;
  });
  return ok;
}

// Positions of A, the index and B for each index element; A's stride along dim is applied by the caller.
template <class F>
void index_rows(const IndexGeom& g, F&& fn) {
  std::vector<int64_t> sa(g.sa, g.sa + g.nd);
  sa[g.dim] = 0;
  const int64_t* st[3] = {sa.data(), g.si, g.sb};
  const int64_t start[3] = {g.offA, g.offI, g.offB};
  for_each_row<3>(g.nd, g.shape, st, start, fn);
}

template <class T>
void gather_impl(const IndexGeom& g, const T* X, const double* I, T* O) {
  const int l = g.nd - 1;
  const int64_t len = g.shape[l], sd = g.sa[g.dim], xs = l == g.dim ? 0 : g.sa[l], is = g.si[l], os = g.sb[l];
  index_rows(g, [&](const int64_t* off) {
    const T* x = X + off[0];
    const double* ix = I + off[1];
    T* o = O + off[2];
    for (int64_t i = 0; i < len; i++) o[i * os] = x[i * xs + static_cast<int64_t>(ix[i * is]) * sd];
  });
}

// gather(x, index, out, meta) -> true, or false (nothing reliable written) when an index is out of range.
napi_value Gather(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!napi::get_args(env, info, 4, argv)) return nullptr;
  Arr X, I, O;
  std::vector<int64_t> m;
  if (!napi::get_array(env, argv[0], &X) || !napi::get_array(env, argv[1], &I) || !napi::get_array(env, argv[2], &O) ||
      !napi::get_meta(env, argv[3], &m))
    return nullptr;
  if (!same_float_type(X, O) || I.type != napi_float64_array || napi::aliases(X, O) || napi::aliases(I, O)) {
    fail(env, "torchts native gather: expected x and out of one float type and a Float64Array index");
    return nullptr;
  }
  IndexGeom g;
  if (!read_geom(env, m, X, I, O, &g, "torchts native gather: bad sizes")) return nullptr;
  if (empty(g)) return boolean(env, true);
  const double* ip = static_cast<const double*>(I.data);
  if (!indices_ok(g, ip)) return boolean(env, false);
  if (X.type == napi_float32_array)
    gather_impl(g, static_cast<const float*>(X.data), ip, static_cast<float*>(O.data));
  else
    gather_impl(g, static_cast<const double*>(X.data), ip, static_cast<double*>(O.data));
  return boolean(env, true);
}

template <class T>
void scatter_impl(const IndexGeom& g, T* O, const double* I, const T* S, bool sum) {
  const int l = g.nd - 1;
  const int64_t len = g.shape[l], sd = g.sa[g.dim], os = l == g.dim ? 0 : g.sa[l], is = g.si[l], ss = g.sb[l];
  index_rows(g, [&](const int64_t* off) {
    T* o = O + off[0];
    const double* ix = I + off[1];
    const T* s = S + off[2];
    for (int64_t i = 0; i < len; i++) {
      T& d = o[i * os + static_cast<int64_t>(ix[i * is]) * sd];
      d = sum ? d + s[i * ss] : s[i * ss];
    }
  });
}

// scatter(out, index, src, meta, sum) -> true, or false (out untouched) when an index is out of range.
// sum: out[..index..] += src (reduce "sum" including self), else out[..index..] = src.
napi_value Scatter(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!napi::get_args(env, info, 5, argv)) return nullptr;
  Arr O, I, S;
  std::vector<int64_t> m;
  if (!napi::get_array(env, argv[0], &O) || !napi::get_array(env, argv[1], &I) || !napi::get_array(env, argv[2], &S) ||
      !napi::get_meta(env, argv[3], &m))
    return nullptr;
  bool sum = false;
  napi_get_value_bool(env, argv[4], &sum);
  if (!same_float_type(O, S) || I.type != napi_float64_array || napi::aliases(S, O) || napi::aliases(I, O)) {
    fail(env, "torchts native scatter: expected out and src of one float type and a Float64Array index");
    return nullptr;
  }
  IndexGeom g;
  if (!read_geom(env, m, O, I, S, &g, "torchts native scatter: bad sizes")) return nullptr;
  if (empty(g)) return boolean(env, true);
  const double* ip = static_cast<const double*>(I.data);
  if (!indices_ok(g, ip)) return boolean(env, false);
  if (O.type == napi_float32_array)
    scatter_impl(g, static_cast<float*>(O.data), ip, static_cast<const float*>(S.data), sum);
  else
    scatter_impl(g, static_cast<double*>(O.data), ip, static_cast<const double*>(S.data), sum);
  return boolean(env, true);
}

// ---- argmax / argmin ------------------------------------------------------------------------------

template <class T>
void arg_impl(int no, const int64_t* shape, const int64_t* strides, const T* X, int64_t offX, int64_t n, int64_t s,
              bool max, double* O) {
  const int64_t* st[1] = {strides};
  const int64_t start[1] = {offX};
  // for_each_row walks all dims but the last: give it the outer dims plus a dummy last one
  std::vector<int64_t> sh(shape, shape + no), str(strides, strides + no);
  sh.push_back(1);
  str.push_back(0);
  st[0] = str.data();
  int64_t o = 0;
  for_each_row<1>(no + 1, sh.data(), st, start, [&](const int64_t* off) {
    const T* p = X + off[0];
    T best = p[0];
    int64_t bi = 0;
    for (int64_t i = 1; i < n && best == best; i++) {
      const T v = p[i * s];
      if (v != v || (max ? v > best : v < best)) {
        best = v;
        bi = i;
      }
    }
    O[o++] = static_cast<double>(bi);
  });
}

// argReduce(x, out, max, meta): meta = [no, offX, offOut, n, s, outer shape (no), outer strides (no)];
// out (Float64Array, contiguous from offOut) gets the index of the first extreme (NaN counts as one).
napi_value ArgReduce(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!napi::get_args(env, info, 4, argv)) return nullptr;
  Arr X, O;
  std::vector<int64_t> m;
  if (!napi::get_array(env, argv[0], &X) || !napi::get_array(env, argv[1], &O) || !napi::get_meta(env, argv[3], &m))
    return nullptr;
  bool max = false;
  napi_get_value_bool(env, argv[2], &max);
  if ((X.type != napi_float32_array && X.type != napi_float64_array) || O.type != napi_float64_array ||
      napi::aliases(X, O)) {
    fail(env, "torchts native argReduce: expected a float array and a distinct Float64Array");
    return nullptr;
  }
  const int no = m.empty() ? -1 : static_cast<int>(m[0]);
  if (no < 0 || no > 15 || static_cast<int64_t>(m.size()) != 5 + 2 * no || m[3] < 1) {
    fail(env, "torchts native argReduce: bad sizes");
    return nullptr;
  }
  std::vector<int64_t> sh(m.data() + 5, m.data() + 5 + no), st(m.data() + 5 + no, m.data() + 5 + 2 * no);
  int64_t rows = 1;
  for (int64_t v : sh) rows *= v;
  if (rows == 0) return nullptr;
  sh.push_back(m[3]);
  st.push_back(m[4]);
  const int64_t one = 1;
  if (!napi::in_bounds(X.length, m[1], no + 1, sh.data(), st.data()) || !napi::in_bounds(O.length, m[2], 1, &rows, &one)) {
    fail(env, "torchts native argReduce: a view reaches outside its storage");
    return nullptr;
  }
  double* out = static_cast<double*>(O.data) + m[2];
  if (X.type == napi_float32_array)
    arg_impl(no, sh.data(), st.data(), static_cast<const float*>(X.data), m[1], m[3], m[4], max, out);
  else
    arg_impl(no, sh.data(), st.data(), static_cast<const double*>(X.data), m[1], m[3], m[4], max, out);
  return nullptr;
}

}  // namespace

/** Add gather, scatter, argReduce and stridedAccumulate to the addon's exports. */
void register_index_kernels(napi_env env, napi_value exports) {
  napi::define(env, exports, "gather", Gather);
  napi::define(env, exports, "scatter", Scatter);
  napi::define(env, exports, "argReduce", ArgReduce);
  napi::define(env, exports, "stridedAccumulate", StridedAccumulate);
}

}  // namespace tts
