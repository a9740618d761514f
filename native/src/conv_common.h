// Shared pieces of the native convolution kernels (conv_kernels.cc: the forward; conv_grad_kernels.cc:
// the weight and input gradients): the job geometry, im2col / col2im over it, tap tables, the weight's
// row layout, and the GEMM of the addon's selected ISA variant.
#pragma once
#include <node_api.h>

#include <cstdint>
#include <vector>

#include "kernels.h"

namespace tts {
namespace conv {

struct Shifted;  // conv_shifted.h

template <class T>
struct ConvJob {
  const T* x;  // at the input's offset
  int64_t sn, sc, inS[3], inSt[3];
  int64_t k[3], o[3], stride[3], pad[3], dil[3], inDil[3];
  const T* W;  // (O, K) rows, row stride K
  T* out;      // at the output's offset
  int64_t on, oc;
  int64_t N, G, Cg, Og, K, L;
  std::vector<int64_t> T0, T1, T2, LO, HI, FIRST;
  int64_t step;
  bool dense, direct, transposed, layout_t;
  const Shifted* shifted = nullptr;  // the stride-1 shifted-row geometry, where it is used
  const float* wino = nullptr;       // Winograd-transformed weights, group after group, where that path is taken
  int64_t wino_size = 0;             // floats of one group's
};

/** One GEMM with the addon's selected kernel variant (conv_kernels.cc). */
void gemm(const GemmArgs& g, bool f64, bool parallel);

// One row of an im2col matrix over a dense input: p[i] = r[(i - lo) * step] for i in [lo, hi), zeros
// elsewhere in [0, n) (the positions that fall in the padding).
template <class T>
inline void padded_run(T* p, int64_t n, int64_t lo, int64_t hi, const T* r, int64_t step) {
  for (int64_t i = 0; i < lo; i++) p[i] = 0;
  if (step == 1)
    for (int64_t i = lo; i < hi; i++) p[i] = r[i - lo];
  else
    for (int64_t i = lo; i < hi; i++) p[i] = r[(i - lo) * step];
  for (int64_t i = hi; i < n; i++) p[i] = 0;
}

// cols (K x L, row-major) of sample n, group gi: row (c, t0, t1, t2), column (a0, a1, a2).
template <class T>
void im2col(const ConvJob<T>& j, int64_t n, int64_t gi, T* cols) {
  const int64_t k0 = j.k[0], k1 = j.k[1], k2 = j.k[2], o0 = j.o[0], o1 = j.o[1], o2 = j.o[2];
  T* p = cols;
  for (int64_t c = 0; c < j.Cg; c++) {
    const T* cb = j.x + n * j.sn + (gi * j.Cg + c) * j.sc;
    for (int64_t t0 = 0; t0 < k0; t0++)
      for (int64_t t1 = 0; t1 < k1; t1++)
        for (int64_t t2 = 0; t2 < k2; t2++) {
          const int64_t lo = j.LO[t2], hi = j.HI[t2], first = j.FIRST[t2];
          for (int64_t a0 = 0; a0 < o0; a0++) {
            const int64_t e0 = j.T0[a0 * k0 + t0];
            for (int64_t a1 = 0; a1 < o1; a1++, p += o2) {
              const int64_t e1 = j.T1[a1 * k1 + t1];
              if (e0 < 0 || e1 < 0) {
                for (int64_t a2 = 0; a2 < o2; a2++) p[a2] = 0;
                continue;
              }
              const T* b = cb + e0 + e1;
              if (!j.dense) {
                for (int64_t a2 = 0; a2 < o2; a2++) {
                  const int64_t e = j.T2[a2 * k2 + t2];
                  p[a2] = e < 0 ? T(0) : b[e];
                }
                continue;
              }
              padded_run(p, o2, lo, hi, b + first, j.step);
            }
          }
        }
  }
}

// The transposed im2col matrix (L x K, row-major) of sample n, group gi: for kernels wider than the
// output (the weight gradient), the runs over the innermost tap are the long contiguous ones.
template <class T>
void im2col_t(const ConvJob<T>& j, int64_t n, int64_t gi, T* cols) {
  const int64_t k0 = j.k[0], k1 = j.k[1], k2 = j.k[2], o0 = j.o[0], o1 = j.o[1], o2 = j.o[2];
  const int64_t s2 = j.stride[2], d2 = j.dil[2], p2 = j.pad[2], in2 = j.inS[2], st2 = j.inSt[2];
  T* p = cols;
  for (int64_t a0 = 0; a0 < o0; a0++)
    for (int64_t a1 = 0; a1 < o1; a1++)
      for (int64_t a2 = 0; a2 < o2; a2++) {
        // taps t2 in [lo, hi) read inside the input (dense inputs only)
        const int64_t base = a2 * s2 - p2;
        int64_t lo = base >= 0 ? 0 : (-base + d2 - 1) / d2;
        int64_t hi = in2 - 1 - base < 0 ? 0 : (in2 - 1 - base) / d2 + 1;
        if (hi > k2) hi = k2;
        if (lo > hi) lo = hi;
        for (int64_t c = 0; c < j.Cg; c++) {
          const T* cb = j.x + n * j.sn + (gi * j.Cg + c) * j.sc;
          for (int64_t t0 = 0; t0 < k0; t0++) {
            const int64_t e0 = j.T0[a0 * k0 + t0];
            for (int64_t t1 = 0; t1 < k1; t1++, p += k2) {
              const int64_t e1 = j.T1[a1 * k1 + t1];
              if (e0 < 0 || e1 < 0) {
                for (int64_t t2 = 0; t2 < k2; t2++) p[t2] = 0;
                continue;
              }
              const T* b = cb + e0 + e1;
              if (!j.dense) {
                for (int64_t t2 = 0; t2 < k2; t2++) {
                  const int64_t e = j.T2[a2 * k2 + t2];
                  p[t2] = e < 0 ? T(0) : b[e];
                }
                continue;
              }
              padded_run(p, k2, lo, hi, b + (base + lo * d2) * st2, d2 * st2);  // from tap lo's input element
            }
          }
        }
      }
}

// Tap table of one outer spatial dim: input offset read by output position a at tap t ([a * k + t]),
// or -1 in the padding or between dilated inputs.
template <class T>
std::vector<int64_t> tap_table(const ConvJob<T>& j, int d) {
  std::vector<int64_t> t(j.o[d] * j.k[d]);
  for (int64_t a = 0; a < j.o[d]; a++)
    for (int64_t q = 0; q < j.k[d]; q++) {
      const int64_t p = a * j.stride[d] - j.pad[d] + q * j.dil[d];
      const bool ok = p >= 0 && p % j.inDil[d] == 0 && p / j.inDil[d] < j.inS[d];
      t[a * j.k[d] + q] = ok ? (p / j.inDil[d]) * j.inSt[d] : -1;
    }
  return t;
}

inline int64_t floordiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// The tap tables and innermost-dim run bounds im2col reads the input through.
template <class T>
void setup_taps(ConvJob<T>& j) {
  j.T0 = tap_table(j, 0);
  j.T1 = tap_table(j, 1);
  j.T2 = tap_table(j, 2);
  j.dense = j.inDil[2] == 1;
  j.LO.resize(j.k[2]);
  j.HI.resize(j.k[2]);
  j.FIRST.resize(j.k[2]);
  for (int64_t t2 = 0; t2 < j.k[2]; t2++) {
    const int64_t tap = t2 * j.dil[2];
    int64_t lo = -floordiv(-(j.pad[2] - tap), j.stride[2]);  // ceil
    if (lo < 0) lo = 0;
    int64_t hi = floordiv(j.inS[2] - 1 + j.pad[2] - tap, j.stride[2]) + 1;
    if (hi > j.o[2]) hi = j.o[2];
    j.LO[t2] = lo < j.o[2] ? lo : j.o[2];
    j.HI[t2] = hi > lo ? hi : lo;
    if (j.HI[t2] > j.o[2]) j.HI[t2] = j.o[2];
    if (j.LO[t2] > j.HI[t2]) j.LO[t2] = j.HI[t2];
    j.FIRST[t2] = (lo * j.stride[2] - j.pad[2] + tap) * j.inSt[2];
  }
  j.step = j.stride[2] * j.inSt[2];
}

// The weight as (O, K) rows: in place when its (c, taps) dims are one unit-stride run, else packed.
template <class T>
const T* weight_rows(const ConvJob<T>& j, const T* w, const int64_t* ws, int64_t wo, std::vector<T>* packed) {
  const int64_t O = j.Og * j.G;
  bool unit = true;
  int64_t expect = 1;
  for (int d = 2; d >= 0; d--) {
    if (j.k[d] > 1 && ws[2 + d] != expect) unit = false;
    expect *= j.k[d];
  }
  if (j.Cg > 1 && ws[1] != expect) unit = false;
  if (unit && (O == 1 || ws[0] == j.K)) return w + wo;
  packed->resize(O * j.K);
  T* q = packed->data();
  for (int64_t o = 0; o < O; o++)
    for (int64_t c = 0; c < j.Cg; c++)
      for (int64_t t0 = 0; t0 < j.k[0]; t0++)
        for (int64_t t1 = 0; t1 < j.k[1]; t1++)
          for (int64_t t2 = 0; t2 < j.k[2]; t2++)
            *q++ = w[wo + o * ws[0] + c * ws[1] + t0 * ws[2] + t1 * ws[3] + t2 * ws[4]];
  return packed->data();
}

// col2im: the adjoint of im2col (input dilation 1): dx (laid out as the job's x) += the columns of the
// output rows [r0, r1) (row r = (a0, a1), o2 positions each) of sample n, group gi, held in cols
// (K x (r1 - r0) * o2, row-major), each entry added where im2col read it.
template <class T>
void col2im(const ConvJob<T>& j, int64_t n, int64_t gi, const T* cols, int64_t r0, int64_t r1, T* dx) {
  const int64_t k0 = j.k[0], k1 = j.k[1], k2 = j.k[2], o1 = j.o[1], o2 = j.o[2];
  const int64_t ld = (r1 - r0) * o2;
  const T* row = cols;
  for (int64_t c = 0; c < j.Cg; c++) {
    T* cb = dx + n * j.sn + (gi * j.Cg + c) * j.sc;
    for (int64_t t0 = 0; t0 < k0; t0++)
      for (int64_t t1 = 0; t1 < k1; t1++)
        for (int64_t t2 = 0; t2 < k2; t2++, row += ld) {
          const int64_t lo = j.LO[t2], hi = j.HI[t2], first = j.FIRST[t2];
          const T* p = row;
          int64_t a0 = r0 / o1, a1 = r0 % o1;  // row r0, then stepped along (no division per row)
          for (int64_t r = r0; r < r1; r++, p += o2) {
            const int64_t e0 = j.T0[a0 * k0 + t0], e1 = j.T1[a1 * k1 + t1];
            if (++a1 == o1) a1 = 0, a0++;
            if (e0 < 0 || e1 < 0) continue;
            T* q = cb + e0 + e1 + first;
            if (j.step == 1)
              for (int64_t a2 = lo; a2 < hi; a2++) q[a2 - lo] += p[a2];
            else
              for (int64_t a2 = lo; a2 < hi; a2++) q[(a2 - lo) * j.step] += p[a2];
          }
        }
  }
}

// d[i] += src[0][i] + ... + src[nsrc - 1][i], i < n (float32 on the selected ISA's vectors).
template <class T>
inline void add_rows(int64_t n, T* d, int64_t nsrc, const T* const* src) {
  if constexpr (sizeof(T) == 4) {
    active_kernels()->add_rows_f32(n, d, nsrc, src);
  } else {
    for (int64_t i = 0; i < n; i++) {
      T s = d[i];
      for (int64_t t = 0; t < nsrc; t++) s += src[t][i];
      d[i] = s;
    }
  }
}

// The input positions [lo, hi) of the innermost dim where every tap reads a column (stride 1 there).
struct InnerSpan {
  int64_t lo, hi;
};
template <class T>
InnerSpan inner_span(const ConvJob<T>& j) {
  InnerSpan s{0, j.inS[2]};
  for (int64_t t2 = 0; t2 < j.k[2]; t2++) {
    const int64_t shift = j.pad[2] - t2 * j.dil[2];  // column a2 = i2 + shift
    if (-shift > s.lo) s.lo = -shift;
    if (j.o[2] - shift < s.hi) s.hi = j.o[2] - shift;
  }
  if (s.hi < s.lo) s.hi = s.lo;
  return s;
}

/** Whether col2im_rows applies: stride 1 along a unit-stride innermost dim, most of each row in the span. */
template <class T>
bool col2im_rows_applies(const ConvJob<T>& j) {
  const InnerSpan s = inner_span(j);
  return j.dense && j.stride[2] == 1 && j.inSt[2] == 1 && 2 * (s.hi - s.lo) >= j.inS[2];
}

// col2im (as below) in gather form: each input row of dx takes the sum of the column runs that read it
// in one pass (add_rows), where col2im adds each tap's run in a pass of its own. The runs are added in
// col2im's order (taps t0, t1, t2), so both give the same sums. `src` holds K pointers.
template <class T>
void col2im_rows(const ConvJob<T>& j, int64_t n, int64_t gi, const T* cols, int64_t r0, int64_t r1, T* dx,
                 const T** src) {
  const int64_t k0 = j.k[0], k1 = j.k[1], k2 = j.k[2], o1 = j.o[1], o2 = j.o[2], in2 = j.inS[2];
  const int64_t ld = (r1 - r0) * o2;
  const InnerSpan span = inner_span(j);
  // the output index input position i reads at tap t in the outer dims ([i * k + t], -1 for none),
  // and the column offset of each innermost tap (column a2 = i2 + shift[t2])
  std::vector<int64_t> A0(j.inS[0] * k0), A1(j.inS[1] * k1), shift(k2);
  for (int d = 0; d < 2; d++) {
    std::vector<int64_t>& A = d == 0 ? A0 : A1;
    for (int64_t i = 0; i < j.inS[d]; i++)
      for (int64_t t = 0; t < j.k[d]; t++) {
        const int64_t p = i + j.pad[d] - t * j.dil[d];
        A[i * j.k[d] + t] = p >= 0 && p % j.stride[d] == 0 && p / j.stride[d] < j.o[d] ? p / j.stride[d] : -1;
      }
  }
  for (int64_t t2 = 0; t2 < k2; t2++) shift[t2] = j.pad[2] - t2 * j.dil[2];
  for (int64_t c = 0; c < j.Cg; c++) {
    T* cb = dx + n * j.sn + (gi * j.Cg + c) * j.sc;
    const T* crow = cols + c * k0 * k1 * k2 * ld;  // row (c, 0, 0, 0)
    for (int64_t i0 = 0; i0 < j.inS[0]; i0++)
      for (int64_t i1 = 0; i1 < j.inS[1]; i1++) {
        // the runs that read input row (i0, i1): output rows (a0, a1) in [r0, r1), k2 taps each
        int64_t nsrc = 0;
        for (int64_t t0 = 0; t0 < k0; t0++) {
          const int64_t a0 = A0[i0 * k0 + t0];
          if (a0 < 0) continue;
          for (int64_t t1 = 0; t1 < k1; t1++) {
            const int64_t a1 = A1[i1 * k1 + t1], r = a0 * o1 + a1;
            if (a1 < 0 || r < r0 || r >= r1) continue;
            for (int64_t t2 = 0; t2 < k2; t2++) src[nsrc++] = crow + ((t0 * k1 + t1) * k2 + t2) * ld + (r - r0) * o2;
          }
        }
        if (nsrc == 0) continue;
        T* d = cb + i0 * j.inSt[0] + i1 * j.inSt[1];
        auto ends = [&](int64_t b, int64_t e) {  // positions where some taps fall in the padding
          for (int64_t i2 = b; i2 < e; i2++) {
            // the taps that read a column here: a2 = i2 + shift[t2] falls as t2 rises
            int64_t ta = 0, tb = k2;
            while (ta < tb && i2 + shift[ta] >= o2) ta++;
            while (tb > ta && i2 + shift[tb - 1] < 0) tb--;
            T sum = d[i2];
            for (int64_t s = 0; s < nsrc; s += k2)
              for (int64_t t2 = ta; t2 < tb; t2++) sum += src[s + t2][i2 + shift[t2]];
            d[i2] = sum;
          }
        };
        ends(0, span.lo);
        ends(span.hi, in2);
        for (int64_t s = 0; s < nsrc; s += k2)
          for (int64_t t2 = 0; t2 < k2; t2++) src[s + t2] += span.lo + shift[t2];
        add_rows(span.hi - span.lo, d + span.lo, nsrc, src);
      }
  }
}

// Fill a job's geometry from input shape/strides xs/xst, kernel shape ksh (O, Cg, *k), output shape osh
// and strides ost (N, O, *out), and geo = stride, padding, dilation, inputDilation (nsp each).
template <class T>
bool setup_job(ConvJob<T>& j, int nsp, const int64_t* xs, const int64_t* xst, const int64_t* ksh, const int64_t* osh,
               const int64_t* ost, const int64_t* geo, int64_t G) {
  j.sn = xst[0];
  j.sc = xst[1];
  const int lead = 3 - nsp;
  for (int d = 0; d < 3; d++) {
    const int s = d - lead;  // spatial dim, or < 0 for a leading size-1 dim
    j.inS[d] = s < 0 ? 1 : xs[2 + s];
    j.inSt[d] = s < 0 ? 0 : xst[2 + s];
    j.k[d] = s < 0 ? 1 : ksh[2 + s];
    j.o[d] = s < 0 ? 1 : osh[2 + s];
    j.stride[d] = s < 0 ? 1 : geo[s];
    j.pad[d] = s < 0 ? 0 : geo[nsp + s];
    j.dil[d] = s < 0 ? 1 : geo[2 * nsp + s];
    j.inDil[d] = s < 0 ? 1 : geo[3 * nsp + s];
    if (j.stride[d] < 1 || j.dil[d] < 1 || j.inDil[d] < 1) return false;
  }
  j.on = ost[0];
  j.oc = ost[1];
  j.N = xs[0];
  j.G = G;
  j.Cg = ksh[1];
  j.Og = ksh[0] / G;
  j.K = j.Cg * j.k[0] * j.k[1] * j.k[2];
  j.L = j.o[0] * j.o[1] * j.o[2];
  return true;
}

inline std::vector<int64_t> contiguous_strides(int nd, const int64_t* shape, int64_t* numel) {
  std::vector<int64_t> st(nd);
  int64_t acc = 1;
  for (int d = nd - 1; d >= 0; d--) {
    st[d] = acc;
    acc *= shape[d];
  }
  *numel = acc;
  return st;
}

/** Add convWeightGrad and convInputGrad to the addon's exports (conv_grad_kernels.cc). */
void register_grad_kernels(napi_env env, napi_value exports);

}  // namespace conv
}  // namespace tts
