// The kernels, written once with GCC/Clang vector extensions and compiled once per ISA by
// kernels_{generic,avx2,avx512}.cc, which set TTS_NS (namespace), TTS_ENTRY (exported table getter),
// TTS_VBYTES (vector width in bytes) and the GEMM register blocking. Everything here lives in the
// variant's own namespace and uses no C++ library templates, so the linker can never substitute one
// variant's code for another's.
#include <cstdint>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "kernels.h"

// Tunables (measured on a Xeon with AVX-512 against OpenBLAS; -D overrides them for experiments):
// float32 GEMM blocking KC x MC x NC, and how the C tile is prefetched (rw flag, locality 2: to L2).
#ifndef TTS_KC_F32
#define TTS_KC_F32 256
#endif
#ifndef TTS_PF_RW
#define TTS_PF_RW 0
#define TTS_PF_LOC 2
#endif
// NC 1024 (a 1 MiB KC x NC block of B, half an L2): n = 2048 at 2 threads 0.96x OpenBLAS's time
// against 1.03x with 4096 (medians of 6 alternating runs of `npm run bench:gemm`), 1 thread unchanged.
#ifndef TTS_NC_F32
#define TTS_NC_F32 1024
#endif
#ifndef TTS_MC_F32
#define TTS_MC_F32 192
#endif

#ifndef TTS_NS
#error "define TTS_NS, TTS_ENTRY, TTS_NAME, TTS_VBYTES, TTS_MR_F32, TTS_NV_F32, TTS_MR_F64, TTS_NV_F64"
#endif

namespace tts {
namespace TTS_NS {

typedef float vf __attribute__((vector_size(TTS_VBYTES)));
typedef double vd __attribute__((vector_size(TTS_VBYTES)));
typedef int32_t vi __attribute__((vector_size(TTS_VBYTES)));
typedef uint32_t vu __attribute__((vector_size(TTS_VBYTES)));
typedef double vdw __attribute__((vector_size(2 * TTS_VBYTES)));  // a vf widened to double
constexpr int WF = TTS_VBYTES / 4;                                 // floats per vector

template <class V, class T>
static inline V loadu(const T* p) {
  V v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
template <class V, class T>
static inline void storeu(T* p, V v) {
  __builtin_memcpy(p, &v, sizeof v);
}
template <class To, class From>
static inline To bits(From v) {
  static_assert(sizeof(To) == sizeof(From), "same size");
  To r;
  __builtin_memcpy(&r, &v, sizeof r);
  return r;
}
template <class T>
static inline T imin(T a, T b) {
  return a < b ? a : b;
}

// ---- GEMM: packed panels, register-blocked micro-kernel ------------------------------------------

template <class T>
struct Blocking;
template <>
struct Blocking<float> {
  typedef vf V;
  static constexpr int W = TTS_VBYTES / 4, MR = TTS_MR_F32, NV = TTS_NV_F32, NR = NV * W;
  static constexpr int64_t KC = TTS_KC_F32, MC = MR * (TTS_MC_F32 / MR), NC = TTS_NC_F32 - TTS_NC_F32 % NR;
};
template <>
struct Blocking<double> {
  typedef vd V;
  static constexpr int W = TTS_VBYTES / 8, MR = TTS_MR_F64, NV = TTS_NV_F64, NR = NV * W;
  static constexpr int64_t KC = 256, MC = MR * (96 / MR), NC = 2048 - 2048 % NR;
};

// C[MR x NR] (row stride ldc, unit column stride) = or += packed A panel (kc x MR) @ packed B panel (kc x NR).
template <class T>
__attribute__((noinline)) static void micro(int64_t kc, const T* __restrict a, const T* __restrict b,
                                            T* __restrict c, int64_t ldc, bool accumulate) {
  typedef Blocking<T> BL;
  typedef typename BL::V V;
  constexpr int MR = BL::MR, NV = BL::NV, W = BL::W;
  V acc[MR][NV];
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 8
    for (int j = 0; j < NV; j++) acc[i][j] = V{};
  // fetch the C tile while the products run (it is read and written only at the end)
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++) {
    // every cache line of the row's NV * W elements, also when the row does not start on a line
#pragma GCC unroll 8
    for (int e = 0; e < NV * W; e += 64 / int(sizeof(T))) __builtin_prefetch(c + i * ldc + e, TTS_PF_RW, TTS_PF_LOC);
    __builtin_prefetch(c + i * ldc + NV * W - 1, TTS_PF_RW, TTS_PF_LOC);
  }
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; k++) {
    V bv[NV];
#pragma GCC unroll 8
    for (int j = 0; j < NV; j++) bv[j] = *reinterpret_cast<const V*>(b + j * W);
#pragma GCC unroll 32
    for (int i = 0; i < MR; i++) {
      const T ai = a[i];
#pragma GCC unroll 8
      for (int j = 0; j < NV; j++) acc[i][j] += ai * bv[j];
    }
    a += MR;
    b += NV * W;
  }
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 8
    for (int j = 0; j < NV; j++) {
      T* p = c + i * ldc + j * W;
      storeu<V>(p, accumulate ? loadu<V>(p) + acc[i][j] : acc[i][j]);
    }
}

// ---- In-register transposes (for packing GEMM operands that run along K) ---------------------------

typedef int64_t vl __attribute__((vector_size(TTS_VBYTES)));
template <class T>
struct Lanes;  // the integer vector that indexes a vector of T
template <>
struct Lanes<float> {
  typedef vi I;
};
template <>
struct Lanes<double> {
  typedef vl I;
};

// Lane indices of one transpose round (see transpose_round) into the pair (r[i], r[i + B]).
template <class T, int B, bool HI>
static inline typename Lanes<T>::I transpose_mask() {
  constexpr int W = TTS_VBYTES / int(sizeof(T));
  typename Lanes<T>::I m;
#pragma GCC unroll 16
  for (int p = 0; p < W; p++) {
    const int c = p / (2 * B) * (2 * B), q = p % (2 * B);
    m[p] = HI ? (q < B ? c + B + q : W + c + q) : (q < B ? c + q : W + c + q - B);
  }
  return m;
}

// One round of a W x W transpose held in W vectors: in every 2B x 2B block of lanes, the two B x B
// blocks off the diagonal swap. Rounds B = W / 2, W / 4, ..., 1 transpose the whole.
template <class T, int B>
static inline void transpose_round(typename Blocking<T>::V* r) {
  constexpr int W = TTS_VBYTES / int(sizeof(T));
#pragma GCC unroll 16
  for (int i = 0; i < W; i++)
    if ((i & B) == 0) {
      const auto lo = __builtin_shuffle(r[i], r[i + B], transpose_mask<T, B, false>());
      const auto hi = __builtin_shuffle(r[i], r[i + B], transpose_mask<T, B, true>());
      r[i] = lo;
      r[i + B] = hi;
    }
}
template <class T, int B>
struct TransposeRounds {
  static inline void run(typename Blocking<T>::V* r) {
    transpose_round<T, B>(r);
    TransposeRounds<T, B / 2>::run(r);
  }
};
template <class T>
struct TransposeRounds<T, 0> {
  static inline void run(typename Blocking<T>::V*) {}
};
/** r (W vectors of W lanes) = its transpose. */
template <class T>
static inline void transpose(typename Blocking<T>::V* r) {
  TransposeRounds<T, TTS_VBYTES / int(sizeof(T)) / 2>::run(r);
}

// k in [0, len) of the mr rows a[i] (unit k stride) into one MR-row panel, k-major (row stride MR).
// With `over`, a full panel's last k's also go through the register transpose, which reads up to W - 1
// elements past len (readable memory, see GemmArgs::kseg) and stores only the k's below len.
template <class T>
static inline void pack_a_rows(int64_t mr, const T* const* a, int64_t len, T* out, bool over) {
  typedef Blocking<T> BL;
  constexpr int MR = BL::MR;
  int64_t k = 0;
  if (mr == MR && MR <= BL::W) {
    // W values of each row per load, transposed in registers; each store of W lanes writes one k's
    // MR values (the rest is overwritten by the next k, or lies in the slack past the end)
    typedef typename BL::V V;
    for (; k < len && (k + BL::W <= len || over); k += BL::W) {
      V r[BL::W];
#pragma GCC unroll 16
      for (int i = 0; i < BL::W; i++) r[i] = i < MR ? loadu<V>(a[i] + k) : V{};
      transpose<T>(r);
      const int64_t e1 = imin<int64_t>(BL::W, len - k);  // a run's last k's (with `over`)
#pragma GCC unroll 16
      for (int e = 0; e < BL::W; e++)
        if (e < e1) storeu(out + (k + e) * MR, r[e]);
    }
  }
  if (mr == MR) {
    // per k one contiguous run of MR stores, the MR rows read as parallel streams
    for (; k < len; k++)
#pragma GCC unroll 32
      for (int i = 0; i < MR; i++) out[k * MR + i] = a[i][k];
  } else {
    for (int64_t i = 0; i < mr; i++)
      for (int64_t q = k; q < len; q++) out[q * MR + i] = a[i][q];
  }
}

// Pack rows [0, mc) x cols [k0, k0 + kc) of A into MR-row panels, k-major, zero-padded to whole panels.
// A points at column k0, except with kseg (unit k stride and arow only, see GemmArgs), where it points
// at column 0 and the k's are found segment by segment. With arow, row i starts at A + arow[i].
template <class T>
static void pack_a(int64_t mc, int64_t kc, const T* A, int64_t sam, int64_t sak, const int64_t* arow,
                   const int64_t* kseg, int64_t krun, int64_t k0, T* out) {
  typedef Blocking<T> BL;
  constexpr int MR = BL::MR;
  for (int64_t ip = 0; ip < mc; ip += MR) {
    const int64_t mr = imin<int64_t>(MR, mc - ip);
    if (sak == 1) {
      const T* a[MR];
      for (int64_t i = 0; i < mr; i++) a[i] = arow ? A + arow[ip + i] : A + (ip + i) * sam;
      if (!kseg) {
        pack_a_rows<T>(mr, a, kc, out, false);
      } else {
        for (int64_t k = 0; k < kc;) {
          const int64_t q = k0 + k, off = q % krun, len = imin<int64_t>(krun - off, kc - k);
          const T* s[MR];
          for (int64_t i = 0; i < mr; i++) s[i] = a[i] + kseg[q / krun] + off;
          pack_a_rows<T>(mr, s, len, out + k * MR, true);
          k += len;
        }
      }
    } else {
      const T* a = A + ip * sam;
      for (int64_t k = 0; k < kc; k++)
        for (int64_t i = 0; i < mr; i++) out[k * MR + i] = a[i * sam + k * sak];
    }
    for (int64_t i = mr; i < MR; i++)
      for (int64_t k = 0; k < kc; k++) out[k * MR + i] = 0;
    out += kc * MR;
  }
}

// Panels [p0, p1) of the kc x nc block at (k0, n0) of a B given by row offsets and column segments
// (GemmArgs::brow, nseg), k-major, zero-padded. Each panel row is copied piece by piece (a piece: the
// columns within one segment) in whole vectors, which read past a piece's end (the slack) and write
// past it into columns or rows that are stored later; the panel's last row is copied exactly, so no
// store reaches another task's panel.
template <class T>
static void pack_b_segments(int64_t p0, int64_t p1, int64_t kc, int64_t nc, const T* B, const int64_t* brow,
                            const int64_t* nseg, int64_t nrun, int64_t k0, int64_t n0, T* out) {
  typedef Blocking<T> BL;
  typedef typename BL::V V;
  constexpr int NR = BL::NR, W = BL::W;
  for (int64_t p = p0; p < p1; p++) {
    const int64_t jp = p * NR;
    const int64_t nr = imin<int64_t>(NR, nc - jp);
    T* o = out + p * kc * NR;
    int64_t src[NR], dst[NR], len[NR], pieces = 0;  // offsets of the pieces in B's row, in the panel row
    for (int64_t c = 0; c < nr; pieces++) {
      const int64_t n = n0 + jp + c, off = n % nrun;
      src[pieces] = nseg[n / nrun] + off;
      dst[pieces] = c;
      len[pieces] = imin<int64_t>(nrun - off, nr - c);
      c += len[pieces];
    }
    for (int64_t k = 0; k < kc; k++) {
      const T* b = B + brow[k0 + k];
      T* r = o + k * NR;
      if (k + 1 < kc) {
        for (int64_t q = 0; q < pieces; q++)
          for (int64_t i = 0; i < len[q]; i += W) storeu(r + dst[q] + i, loadu<V>(b + src[q] + i));
      } else {
        for (int64_t q = 0; q < pieces; q++)
          for (int64_t i = 0; i < len[q]; i++) r[dst[q] + i] = b[src[q] + i];
      }
      for (int64_t j = nr; j < NR; j++) r[j] = 0;
    }
  }
}

// Pack panels [p0, p1) (NR columns each) of the kc x nc block of B, k-major, zero-padded.
template <class T>
static void pack_b(int64_t p0, int64_t p1, int64_t kc, int64_t nc, const T* B, int64_t sbk, int64_t sbn, T* out) {
  typedef Blocking<T> BL;
  constexpr int NR = BL::NR;
  for (int64_t p = p0; p < p1; p++) {
    const int64_t jp = p * NR;
    const int64_t nr = imin<int64_t>(NR, nc - jp);
    const T* b = B + jp * sbn;
    T* o = out + p * kc * NR;
    if (sbn == 1 && nr == NR) {
      for (int64_t k = 0; k < kc; k++)
#pragma GCC unroll 8
        for (int j = 0; j < BL::NV; j++)
          *reinterpret_cast<typename BL::V*>(o + k * NR + j * BL::W) = loadu<typename BL::V>(b + k * sbk + j * BL::W);
    } else if (sbn == 1) {
      for (int64_t k = 0; k < kc; k++)
        for (int64_t j = 0; j < NR; j++) o[k * NR + j] = j < nr ? b[k * sbk + j] : 0;
    } else if (sbk == 1 && nr == NR) {
      // a whole transposed panel: W x W blocks (W columns, W values of k) transposed in registers
      typedef typename BL::V V;
      int64_t k = 0;
      for (; k + BL::W <= kc; k += BL::W)
        for (int h = 0; h < BL::NV; h++) {
          V r[BL::W];
#pragma GCC unroll 16
          for (int e = 0; e < BL::W; e++) r[e] = loadu<V>(b + (h * BL::W + e) * sbn + k);
          transpose<T>(r);
#pragma GCC unroll 16
          for (int e = 0; e < BL::W; e++) *reinterpret_cast<V*>(o + (k + e) * NR + h * BL::W) = r[e];
        }
      for (; k < kc; k++)
#pragma GCC unroll 32
        for (int j = 0; j < NR; j++) o[k * NR + j] = b[j * sbn + k];
    } else {
      for (int64_t j = 0; j < nr; j++)
        for (int64_t k = 0; k < kc; k++) o[k * NR + j] = b[j * sbn + k * sbk];
      for (int64_t j = nr; j < NR; j++)
        for (int64_t k = 0; k < kc; k++) o[k * NR + j] = 0;
    }
  }
}

template <class T>
struct GemmJob {
  const GemmArgs* g;
  int64_t jc, nc, pc, kc, mc, mb, nsplit, npanels;
  int64_t per;  // B panels per packing task
  const T* Bp;
  T* Bpw;
};

// Pack a group of B panels (a parallel_for task).
template <class T>
static void pack_b_task(void* ctx, int64_t t) {
  GemmJob<T>& j = *static_cast<GemmJob<T>*>(ctx);
  const GemmArgs& g = *j.g;
  const int64_t p0 = t * j.per, p1 = imin(j.npanels, p0 + j.per);
  if (g.brow)
    pack_b_segments<T>(p0, p1, j.kc, j.nc, static_cast<const T*>(g.B), g.brow, g.nseg, g.nrun, j.pc, j.jc, j.Bpw);
  else
    pack_b<T>(p0, p1, j.kc, j.nc, static_cast<const T*>(g.B) + j.pc * g.sbk + j.jc * g.sbn, g.sbk, g.sbn, j.Bpw);
}

// One block of MC rows times one share of the B panels (a parallel_for task).
template <class T>
static void gemm_task(void* ctx, int64_t t) {
  typedef Blocking<T> BL;
  constexpr int MR = BL::MR, NR = BL::NR;
  GemmJob<T>& j = *static_cast<GemmJob<T>*>(ctx);
  const GemmArgs& g = *j.g;
  const int64_t ib = t / j.nsplit, s = t % j.nsplit;
  const int64_t ic = ib * j.mc, mc = imin<int64_t>(j.mc, g.M - ic);
  const int64_t q0 = j.npanels * s / j.nsplit, q1 = j.npanels * (s + 1) / j.nsplit;
  if (q0 >= q1 || mc <= 0) return;
  T* Ap = static_cast<T*>(scratch(1, sizeof(T) * (j.mc * BL::KC + BL::W)));  // + slack for pack_a's stores
  if (g.arow)
    pack_a<T>(mc, j.kc, static_cast<const T*>(g.A) + (g.kseg ? 0 : j.pc), 0, 1, g.arow + ic, g.kseg, g.krun, j.pc, Ap);
  else
    pack_a<T>(mc, j.kc, static_cast<const T*>(g.A) + ic * g.sam + j.pc * g.sak, g.sam, g.sak, nullptr, nullptr, 0, 0,
              Ap);
  T* C = static_cast<T*>(g.C);
  const bool accumulate = j.pc > 0 || g.accumulate;
  alignas(64) T tile[MR * NR];
  for (int64_t q = q0; q < q1; q++) {
    const int64_t jr = q * NR, nr = imin<int64_t>(NR, j.nc - jr);
    const T* bp = j.Bp + q * j.kc * NR;
    for (int64_t ir = 0; ir < mc; ir += MR) {
      const int64_t mr = imin<int64_t>(MR, mc - ir);
      T* c = C + (ic + ir) * g.scm + (j.jc + jr) * g.scn;
      const T* ap = Ap + ir * j.kc;
      if (mr == MR && nr == NR && g.scn == 1) {
        micro<T>(j.kc, ap, bp, c, g.scm, accumulate);
      } else {
        micro<T>(j.kc, ap, bp, tile, NR, false);
        const int64_t scn = g.scn;
        for (int64_t i = 0; i < mr; i++) {
          T* ci = c + i * g.scm;
          const T* ti = tile + i * NR;
          if (scn == 1 && accumulate)  // unit-stride rows: loops the compiler vectorizes
            for (int64_t jj = 0; jj < nr; jj++) ci[jj] += ti[jj];
          else if (scn == 1)
            for (int64_t jj = 0; jj < nr; jj++) ci[jj] = ti[jj];
          else
            for (int64_t jj = 0; jj < nr; jj++) ci[jj * scn] = accumulate ? ci[jj * scn] + ti[jj] : ti[jj];
        }
      }
    }
  }
}

// ---- GEMM of a few rows (batch-1 inference): no packing ----------------------------------------------

// Columns [j0, j1) of C for every row, straight from A and B: a dot product per output when B's
// columns are contiguous (x @ W^T, nn.Linear), else a broadcast multiply-add over B's contiguous rows.
template <class T>
static void small_m_cols(const GemmArgs& g, int64_t j0, int64_t j1) {
  typedef typename Blocking<T>::V V;
  constexpr int W = Blocking<T>::W;
  const T* A = static_cast<const T*>(g.A);
  const T* B = static_cast<const T*>(g.B);
  T* C = static_cast<T*>(g.C);
  const int64_t K = g.K;
  for (int64_t i = 0; i < g.M; i++) {
    const T* a = A + i * g.sam;
    T* c = C + i * g.scm;
    if (g.sbk == 1 && g.sak == 1) {
      int64_t j = j0;
      // four columns at a time: each vector of a, loaded once, feeds four products
      for (; j + 4 <= j1; j += 4) {
        const T* b0 = B + j * g.sbn;
        const T* b1 = b0 + g.sbn;
        const T* b2 = b1 + g.sbn;
        const T* b3 = b2 + g.sbn;
        V s0 = {}, s1 = {}, s2 = {}, s3 = {}, t0 = {}, t1 = {}, t2 = {}, t3 = {};
        int64_t k = 0;
        for (; k + 2 * W <= K; k += 2 * W) {
          const V x0 = loadu<V>(a + k), x1 = loadu<V>(a + k + W);
          s0 += x0 * loadu<V>(b0 + k);
          t0 += x1 * loadu<V>(b0 + k + W);
          s1 += x0 * loadu<V>(b1 + k);
          t1 += x1 * loadu<V>(b1 + k + W);
          s2 += x0 * loadu<V>(b2 + k);
          t2 += x1 * loadu<V>(b2 + k + W);
          s3 += x0 * loadu<V>(b3 + k);
          t3 += x1 * loadu<V>(b3 + k + W);
        }
        for (; k + W <= K; k += W) {
          const V x0 = loadu<V>(a + k);
          s0 += x0 * loadu<V>(b0 + k);
          s1 += x0 * loadu<V>(b1 + k);
          s2 += x0 * loadu<V>(b2 + k);
          s3 += x0 * loadu<V>(b3 + k);
        }
        s0 += t0;
        s1 += t1;
        s2 += t2;
        s3 += t3;
        T r[4] = {0, 0, 0, 0};
        for (int l = 0; l < W; l++) {
          r[0] += s0[l];
          r[1] += s1[l];
          r[2] += s2[l];
          r[3] += s3[l];
        }
        for (; k < K; k++) {
          r[0] += a[k] * b0[k];
          r[1] += a[k] * b1[k];
          r[2] += a[k] * b2[k];
          r[3] += a[k] * b3[k];
        }
        for (int q = 0; q < 4; q++) c[(j + q) * g.scn] = r[q];
      }
      for (; j < j1; j++) {
        const T* b = B + j * g.sbn;
        V s0 = {}, s1 = {}, s2 = {}, s3 = {};
        int64_t k = 0;
        for (; k + 4 * W <= K; k += 4 * W) {
          s0 += loadu<V>(a + k) * loadu<V>(b + k);
          s1 += loadu<V>(a + k + W) * loadu<V>(b + k + W);
          s2 += loadu<V>(a + k + 2 * W) * loadu<V>(b + k + 2 * W);
          s3 += loadu<V>(a + k + 3 * W) * loadu<V>(b + k + 3 * W);
        }
        for (; k + W <= K; k += W) s0 += loadu<V>(a + k) * loadu<V>(b + k);
        s0 += s1 + s2 + s3;
        T s = 0;
        for (int l = 0; l < W; l++) s += s0[l];
        for (; k < K; k++) s += a[k] * b[k];
        c[j * g.scn] = s;
      }
    } else {
      int64_t j = j0;
      for (; j + 4 * W <= j1; j += 4 * W) {
        V c0 = {}, c1 = {}, c2 = {}, c3 = {};
        for (int64_t k = 0; k < K; k++) {
          const T* b = B + k * g.sbk + j;
          const V av = V{} + a[k * g.sak];
          c0 += av * loadu<V>(b);
          c1 += av * loadu<V>(b + W);
          c2 += av * loadu<V>(b + 2 * W);
          c3 += av * loadu<V>(b + 3 * W);
        }
        storeu(c + j, c0);
        storeu(c + j + W, c1);
        storeu(c + j + 2 * W, c2);
        storeu(c + j + 3 * W, c3);
      }
      for (; j < j1; j++) {
        T s = 0;
        for (int64_t k = 0; k < K; k++) s += a[k * g.sak] * B[k * g.sbk + j];
        c[j] = s;
      }
    }
  }
}

template <class T>
static void small_m_task(void* ctx, int64_t t) {
  const GemmArgs& g = *static_cast<const GemmArgs*>(ctx);
  const int64_t chunk = 64;
  small_m_cols<T>(g, t * chunk, imin<int64_t>(g.N, (t + 1) * chunk));
}

// Whether the few-rows path took the product (at most 4 rows, and a layout it reads with unit stride).
template <class T>
static bool gemm_small_m(const GemmArgs& g, bool parallel) {
  if (g.M > 4 || g.arow || g.brow || g.accumulate || !((g.sbk == 1 && g.sak == 1) || (g.sbn == 1 && g.scn == 1)))
    return false;
  const int64_t tasks = (g.N + 63) / 64;
  if (parallel && num_threads() > 1 && tasks > 1 && g.M * g.N * g.K >= (int64_t(1) << 20))
    parallel_for(tasks, small_m_task<T>, const_cast<GemmArgs*>(&g));
  else
    small_m_cols<T>(g, 0, g.N);
  return true;
}

// A product of at most MC rows at several threads: each task takes an equal share of C's column panels
// for every row and walks K itself, packing its own B panels and all of A (a few rows, so little to
// repeat), so the threads meet once, not twice per K block as when they share packed B panels.
// At 2 threads, 3 alternating builds (bench/gemm.sh 2 64x784x256t 128x784x256t): a Linear(784, 256) at
// batch 64 0.21-0.28 -> 0.15-0.165 ms (OpenBLAS 0.15-0.16), at batch 128 0.34-0.49 -> 0.28-0.29 (0.30-0.32).
struct ColsJob {
  const GemmArgs* g;
  int64_t kstep, shares;
};

template <class T>
static void gemm_cols_task(void* ctx, int64_t t) {
  typedef Blocking<T> BL;
  const ColsJob& cj = *static_cast<const ColsJob*>(ctx);
  const GemmArgs& g = *cj.g;
  const int64_t all = (g.N + BL::NR - 1) / BL::NR;
  const int64_t q0 = all * t / cj.shares, q1 = all * (t + 1) / cj.shares;
  if (q0 >= q1) return;
  GemmJob<T> j;
  j.g = &g;
  j.jc = q0 * BL::NR;
  j.nc = imin<int64_t>(g.N, q1 * BL::NR) - j.jc;
  j.npanels = q1 - q0;
  j.per = j.npanels;
  j.mb = j.nsplit = 1;
  j.mc = (g.M + BL::MR - 1) / BL::MR * BL::MR;
  for (j.pc = 0; j.pc < g.K; j.pc += cj.kstep) {
    j.kc = imin<int64_t>(cj.kstep, g.K - j.pc);
    j.Bpw = static_cast<T*>(scratch(0, sizeof(T) * BL::KC * j.npanels * BL::NR));
    j.Bp = j.Bpw;
    pack_b_task<T>(&j, 0);
    gemm_task<T>(&j, 0);
  }
}

template <class T>
static void gemm(const GemmArgs& g, bool parallel) {
  typedef Blocking<T> BL;
  constexpr int NR = BL::NR;
  if (g.M <= 0 || g.N <= 0) return;
  T* C = static_cast<T*>(g.C);
  if (g.K <= 0) {
    if (g.accumulate) return;
    for (int64_t i = 0; i < g.M; i++)
      for (int64_t j = 0; j < g.N; j++) C[i * g.scm + j * g.scn] = 0;
    return;
  }
  if (gemm_small_m<T>(g, parallel)) return;
  const int threads = parallel ? num_threads() : 1;
  // Below ~2 MFLOP a job costs more than it saves.
  const bool par = threads > 1 && g.M * g.N * g.K >= (int64_t(1) << 20);
  GemmJob<T> j;
  j.g = &g;
  // Row blocks of about MC rows, in whole MR panels, of equal size, and a multiple of the thread
  // count when threaded; with fewer row panels than threads, the N panels are split as well.
  const int64_t panels = (g.M + BL::MR - 1) / BL::MR;
  j.mb = (g.M + BL::MC - 1) / BL::MC;
  if (par) j.mb = imin<int64_t>(panels, (j.mb + threads - 1) / threads * threads);
  const int64_t ppb = (panels + j.mb - 1) / j.mb;
  j.mb = (panels + ppb - 1) / ppb;
  j.mc = ppb * BL::MR;
  // K in blocks of at most KC of about equal size (whole vectors where possible): a short last block
  // would load and store C for little work
  const int64_t kblocks = (g.K + BL::KC - 1) / BL::KC;
  int64_t kstep = (g.K + kblocks - 1) / kblocks;
  kstep = imin<int64_t>(BL::KC, (kstep + BL::W - 1) / BL::W * BL::W);
  const int64_t npanels_all = (g.N + NR - 1) / NR;
  if (par && g.M <= BL::MC && npanels_all >= threads && npanels_all <= threads * (BL::NC / NR)) {
    ColsJob cj{&g, kstep, threads};
    parallel_for(threads, gemm_cols_task<T>, &cj);
    return;
  }
  for (j.jc = 0; j.jc < g.N; j.jc += BL::NC) {
    j.nc = imin<int64_t>(BL::NC, g.N - j.jc);
    j.npanels = (j.nc + NR - 1) / NR;
    j.nsplit = 1;
    if (par && j.mb < threads) j.nsplit = imin<int64_t>(j.npanels, (threads + j.mb - 1) / j.mb);
    // packing tasks of up to 8 panels, at least two per thread when threaded (a small B is packed in
    // parallel too)
    j.per = par ? imin<int64_t>(8, (j.npanels + 2 * threads - 1) / (2 * threads)) : 8;
    for (j.pc = 0; j.pc < g.K; j.pc += kstep) {
      j.kc = imin<int64_t>(kstep, g.K - j.pc);
      j.Bpw = static_cast<T*>(scratch(0, sizeof(T) * BL::KC * j.npanels * NR));
      j.Bp = j.Bpw;
      const int64_t packs = (j.npanels + j.per - 1) / j.per;
      if (par)
        parallel_for(packs, pack_b_task<T>, &j);
      else
        for (int64_t t = 0; t < packs; t++) pack_b_task<T>(&j, t);
      const int64_t tasks = j.mb * j.nsplit;
      if (par)
        parallel_for(tasks, gemm_task<T>, &j);
      else
        for (int64_t t = 0; t < tasks; t++) gemm_task<T>(&j, t);
    }
  }
}

static void gemm_f32(const GemmArgs& g, bool parallel) { gemm<float>(g, parallel); }
static void gemm_f64(const GemmArgs& g, bool parallel) { gemm<double>(g, parallel); }

// ---- float32 math on whole vectors ----------------------------------------------------------------

static inline vf vsplat(float x) { return vf{} + x; }

// exp: Cody-Waite reduction by ln 2 and a degree-6 polynomial (Cephes' expf coefficients); the
// scale 2^n is applied in two halves so results down to the subnormals stay right.
static inline vf vexp(vf x) {
  x = x > 88.8f ? vsplat(88.8f) : x;
  x = x < -104.0f ? vsplat(-104.0f) : x;
  vf t = x * 1.44269504088896341f;
  vf n = (t + 12582912.0f) - 12582912.0f;  // round to nearest
  vf r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  vf p = 1.9875691500e-4f * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  vi ni = __builtin_convertvector(n, vi);
  vi n1 = ni >> 1, n2 = ni - n1;
  vf s1 = bits<vf>((n1 + 127) << 23), s2 = bits<vf>((n2 + 127) << 23);
  vf y = p * s1 * s2;
  return x == x ? y : x;
}

// log: split x = m * 2^e with m in [sqrt(1/2), sqrt(2)), then Cephes' logf polynomial in m - 1.
static inline vf vlog(vf x) {
  vi sub = x < 1.17549435e-38f;  // subnormal (or <= 0): scale up by 2^25
  vf xs = sub ? x * 33554432.0f : x;
  vi xb = bits<vi>(xs);
  vf e = __builtin_convertvector(((xb >> 23) & 0xff) - 126, vf);
  e = sub ? e - 25.0f : e;
  vf m = bits<vf>((xb & 0x007fffff) | 0x3f000000);  // [0.5, 1)
  vi small = m < 0.707106781186547524f;
  e = small ? e - 1.0f : e;
  m = small ? m + m - 1.0f : m - 1.0f;
  vf z = m * m;
  vf p = 7.0376836292e-2f * m - 1.1514610310e-1f;
  p = p * m + 1.1676998740e-1f;
  p = p * m - 1.2420140846e-1f;
  p = p * m + 1.4249322787e-1f;
  p = p * m - 1.6668057665e-1f;
  p = p * m + 2.0000714765e-1f;
  p = p * m - 2.4999993993e-1f;
  p = p * m + 3.3333331174e-1f;
  vf y = p * m * z;
  y = y + e * -2.12194440e-4f;
  y = y - 0.5f * z;
  y = m + y + e * 0.693359375f;
  const float inf = __builtin_inff(), nan = __builtin_nanf("");
  y = x == inf ? vsplat(inf) : y;
  y = x == 0.0f ? vsplat(-inf) : y;
  y = x < 0.0f ? vsplat(nan) : y;
  return x == x ? y : x;
}

// tanh: Cephes' odd polynomial below 0.625, 1 - 2 / (exp(2|x|) + 1) above, with x's sign.
static inline vf vtanh(vf x) {
  vf ax = bits<vf>(bits<vu>(x) & 0x7fffffffu);
  vf z = x * x;
  vf p = -5.70498872745e-3f * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  vf small = x + x * z * p;
  vf big = 1.0f - 2.0f / (vexp(ax + ax) + 1.0f);
  big = bits<vf>(bits<vu>(big) | (bits<vu>(x) & 0x80000000u));
  return ax < 0.625f ? small : big;
}

struct Neg { static vf f(vf a, vf, vf) { return -a; } };
struct Abs { static vf f(vf a, vf, vf) { return bits<vf>(bits<vu>(a) & 0x7fffffffu); } };
struct Relu { static vf f(vf a, vf, vf) { return a < 0.0f ? vf{} : a; } };  // NaN and -0 pass, as PyTorch's
struct Square { static vf f(vf a, vf, vf) { return a * a; } };
struct Recip { static vf f(vf a, vf, vf) { return 1.0f / a; } };
struct Exp { static vf f(vf a, vf, vf) { return vexp(a); } };
struct Log { static vf f(vf a, vf, vf) { return vlog(a); } };
// sigmoid via e = exp(-|a|) <= 1: 1 / (1 + e) for a >= 0, e / (1 + e) below (no overflow, exact tails)
struct Sigmoid {
  static vf f(vf a, vf, vf) {
    vf e = vexp(-bits<vf>(bits<vu>(a) & 0x7fffffffu));
    vf s = 1.0f / (1.0f + e);
    return a >= 0.0f ? s : (a == a ? e * s : a);
  }
};
struct Tanh { static vf f(vf a, vf, vf) { return vtanh(a); } };
struct Copy { static vf f(vf a, vf, vf) { return a; } };
struct Add { static vf f(vf a, vf b, vf) { return a + b; } };
struct Sub { static vf f(vf a, vf b, vf) { return a - b; } };
struct Mul { static vf f(vf a, vf b, vf) { return a * b; } };
struct Div { static vf f(vf a, vf b, vf) { return a / b; } };
struct Axpy { static vf f(vf a, vf b, vf p) { return a + p * b; } };
struct ReluGrad { static vf f(vf a, vf b, vf) { return b <= 0.0f ? vf{} : a; } };

// A vector store that bypasses the caches, for outputs too large to stay in them: the line is not read
// from memory first, as a plain store must. p is vector-aligned. Ends with stream_fence().
static inline void store_stream(float* p, vf v) {
#if defined(__AVX512F__) && TTS_VBYTES == 64
  _mm512_stream_ps(p, (__m512)v);
#elif defined(__AVX__) && TTS_VBYTES == 32
  _mm256_stream_ps(p, (__m256)v);
#elif defined(__SSE__) && TTS_VBYTES == 16
  _mm_stream_ps(p, (__m128)v);
#else
  storeu(p, v);
#endif
}

// Orders streaming stores before what follows (the thread pool's completion signal).
static inline void stream_fence() {
#if defined(__SSE__)
  _mm_sfence();
#endif
}

// out[i] = F(a[i * sa], b[i * sb]) for i in [i0, i0 + r), r < WF, through the vector code.
template <class F>
static void map_part(int64_t i0, int64_t r, float* out, const float* a, int64_t sa, const float* b, int64_t sb, vf p) {
  float ta[WF], tb[WF], to[WF];
  for (int k = 0; k < WF; k++) {
    ta[k] = k < r ? a[sa * (i0 + k)] : 0.0f;
    tb[k] = k < r ? b[sb * (i0 + k)] : 1.0f;
  }
  storeu(to, F::f(loadu<vf>(ta), loadu<vf>(tb), p));
  for (int64_t k = 0; k < r; k++) out[i0 + k] = to[k];
}

// out[i] = F(a[i * sa], b[i * sb]) for sa, sb in {0, 1}. With Stream, the output goes around the
// caches (store_stream), from its first vector-aligned element on.
template <class F, bool Stream>
static void map_loop(int64_t n, float* __restrict out, const float* a, int64_t sa, const float* b, int64_t sb,
                     float p0) {
  const vf p = vsplat(p0);
  int64_t i = 0;
  if (Stream) {  // the elements before the first aligned one
    const int64_t head = static_cast<int64_t>(-(reinterpret_cast<uintptr_t>(out) / 4) & (WF - 1));
    i = head < n ? head : n;
    if (i) map_part<F>(0, i, out, a, sa, b, sb, p);
  }
  const auto store = [](float* q, vf v) {
    if (Stream)
      store_stream(q, v);
    else
      storeu(q, v);
  };
  const vf as = vsplat(a[0]), bs = vsplat(b[0]);
  if (sa == 0 && sb == 0) {
    const vf v = F::f(as, bs, p);
    for (; i + WF <= n; i += WF) store(out + i, v);
  } else if (sb == 0) {
#pragma GCC unroll 2
    for (; i + WF <= n; i += WF) store(out + i, F::f(loadu<vf>(a + i), bs, p));
  } else if (sa == 0) {
#pragma GCC unroll 2
    for (; i + WF <= n; i += WF) store(out + i, F::f(as, loadu<vf>(b + i), p));
  } else {
#pragma GCC unroll 2
    for (; i + WF <= n; i += WF) store(out + i, F::f(loadu<vf>(a + i), loadu<vf>(b + i), p));
  }
  if (i < n) map_part<F>(i, n - i, out, a, sa, b, sb, p);
  if (Stream) stream_fence();
}

template <class F>
static void map_any(int64_t n, float* out, const float* a, int64_t sa, const float* b, int64_t sb, float p0,
                    bool stream) {
  if (stream)
    map_loop<F, true>(n, out, a, sa, b, sb, p0);
  else
    map_loop<F, false>(n, out, a, sa, b, sb, p0);
}

static void sqrt_loop(int64_t n, float* __restrict out, const float* __restrict a, int64_t sa) {
  if (sa == 0) {
    const float v = __builtin_sqrtf(a[0]);
    for (int64_t i = 0; i < n; i++) out[i] = v;
  } else {
    for (int64_t i = 0; i < n; i++) out[i] = __builtin_sqrtf(a[i]);
  }
}

static void map_unary_f32(int op, int64_t n, float* out, const float* a, int64_t sa, float p0, bool stream) {
  switch (op) {
    case OP_FILL: {
      const float v = p0;
      for (int64_t i = 0; i < n; i++) out[i] = v;
      return;
    }
    case OP_COPY: return map_any<Copy>(n, out, a, sa, a, sa, p0, stream);
    case OP_NEG: return map_any<Neg>(n, out, a, sa, a, sa, p0, stream);
    case OP_ABS: return map_any<Abs>(n, out, a, sa, a, sa, p0, stream);
    case OP_RELU: return map_any<Relu>(n, out, a, sa, a, sa, p0, stream);
    case OP_SQUARE: return map_any<Square>(n, out, a, sa, a, sa, p0, stream);
    case OP_SQRT: return sqrt_loop(n, out, a, sa);
    case OP_RECIP: return map_any<Recip>(n, out, a, sa, a, sa, p0, stream);
    case OP_EXP: return map_any<Exp>(n, out, a, sa, a, sa, p0, stream);
    case OP_LOG: return map_any<Log>(n, out, a, sa, a, sa, p0, stream);
    case OP_SIGMOID: return map_any<Sigmoid>(n, out, a, sa, a, sa, p0, stream);
    case OP_TANH: return map_any<Tanh>(n, out, a, sa, a, sa, p0, stream);
    default: return;
  }
}

static void map_binary_f32(int op, int64_t n, float* out, const float* a, int64_t sa, const float* b, int64_t sb,
                           float p0, bool stream) {
  switch (op) {
    case OP_ADD: return map_any<Add>(n, out, a, sa, b, sb, p0, stream);
    case OP_SUB: return map_any<Sub>(n, out, a, sa, b, sb, p0, stream);
    case OP_MUL: return map_any<Mul>(n, out, a, sa, b, sb, p0, stream);
    case OP_DIV: return map_any<Div>(n, out, a, sa, b, sb, p0, stream);
    case OP_AXPY: return map_any<Axpy>(n, out, a, sa, b, sb, p0, stream);
    case OP_RELU_GRAD: return map_any<ReluGrad>(n, out, a, sa, b, sb, p0, stream);
    default: return;
  }
}

// ---- float32 sums, accumulated in double ----------------------------------------------------------

static double hsum(vdw v) {
  double s = 0;
  for (int k = 0; k < WF; k++) s += v[k];
  return s;
}

static double sum_f32(int64_t n, const float* x) {
  vdw a0{}, a1{}, a2{}, a3{};
  int64_t i = 0;
  for (; i + 4 * WF <= n; i += 4 * WF) {
    a0 += __builtin_convertvector(loadu<vf>(x + i), vdw);
    a1 += __builtin_convertvector(loadu<vf>(x + i + WF), vdw);
    a2 += __builtin_convertvector(loadu<vf>(x + i + 2 * WF), vdw);
    a3 += __builtin_convertvector(loadu<vf>(x + i + 3 * WF), vdw);
  }
  for (; i + WF <= n; i += WF) a0 += __builtin_convertvector(loadu<vf>(x + i), vdw);
  double s = hsum((a0 + a1) + (a2 + a3));
  for (; i < n; i++) s += x[i];
  return s;
}

static void sum_cols_f32(int64_t rows, int64_t cols, const float* x, int64_t rs, double* acc) {
  int64_t j = 0;
  for (; j + 4 * WF <= cols; j += 4 * WF) {
    vdw a0{}, a1{}, a2{}, a3{};
    const float* p = x + j;
    for (int64_t i = 0; i < rows; i++, p += rs) {
      a0 += __builtin_convertvector(loadu<vf>(p), vdw);
      a1 += __builtin_convertvector(loadu<vf>(p + WF), vdw);
      a2 += __builtin_convertvector(loadu<vf>(p + 2 * WF), vdw);
      a3 += __builtin_convertvector(loadu<vf>(p + 3 * WF), vdw);
    }
    storeu(acc + j, loadu<vdw>(acc + j) + a0);
    storeu(acc + j + WF, loadu<vdw>(acc + j + WF) + a1);
    storeu(acc + j + 2 * WF, loadu<vdw>(acc + j + 2 * WF) + a2);
    storeu(acc + j + 3 * WF, loadu<vdw>(acc + j + 3 * WF) + a3);
  }
  for (; j + WF <= cols; j += WF) {
    vdw a0{};
    const float* p = x + j;
    for (int64_t i = 0; i < rows; i++, p += rs) a0 += __builtin_convertvector(loadu<vf>(p), vdw);
    storeu(acc + j, loadu<vdw>(acc + j) + a0);
  }
  for (; j < cols; j++) {
    double s = 0;
    for (int64_t i = 0; i < rows; i++) s += x[i * rs + j];
    acc[j] += s;
  }
}

// ---- dot products of a small-K convolution weight gradient --------------------------------------

static float hsum_f(vf v) {
  float s = 0;
  for (int k = 0; k < WF; k++) s += v[k];
  return s;
}

// acc[r * K + k] += sum over l < L of a[r * as + l] * b[k * L + l], for r < rows, k < K: per sample, the
// weight gradient of a convolution with few columns (C/groups x taps), dY rows against im2col rows. Blocks
// of 2 rows x 4 columns share each loaded vector (6 loads per 8 multiply-adds, not 2 per 1); a last odd
// row or short column block repeats its last one, and those sums are not stored.
static void dots_f32(int64_t rows, int64_t K, int64_t L, const float* a, int64_t as, const float* b, float* acc) {
  for (int64_t r = 0; r < rows; r += 2) {
    const bool two = r + 1 < rows;
    const float* a0 = a + r * as;
    const float* a1 = two ? a0 + as : a0;
    for (int64_t k0 = 0; k0 < K; k0 += 4) {
      const int nk = K - k0 < 4 ? static_cast<int>(K - k0) : 4;
      const float* b0 = b + k0 * L;
      const float* b1 = b + (k0 + imin(1, nk - 1)) * L;
      const float* b2 = b + (k0 + imin(2, nk - 1)) * L;
      const float* b3 = b + (k0 + imin(3, nk - 1)) * L;
      vf s00{}, s01{}, s02{}, s03{}, s10{}, s11{}, s12{}, s13{};
      int64_t l = 0;
      for (; l + WF <= L; l += WF) {
        const vf x0 = loadu<vf>(a0 + l), x1 = loadu<vf>(a1 + l);
        const vf y0 = loadu<vf>(b0 + l), y1 = loadu<vf>(b1 + l), y2 = loadu<vf>(b2 + l), y3 = loadu<vf>(b3 + l);
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3;
      }
      float t0[4] = {hsum_f(s00), hsum_f(s01), hsum_f(s02), hsum_f(s03)};
      float t1[4] = {hsum_f(s10), hsum_f(s11), hsum_f(s12), hsum_f(s13)};
      const float* bq[4] = {b0, b1, b2, b3};
      for (; l < L; l++)
        for (int q = 0; q < 4; q++) {
          t0[q] += a0[l] * bq[q][l];
          t1[q] += a1[l] * bq[q][l];
        }
      for (int q = 0; q < nk; q++) {
        acc[r * K + k0 + q] += t0[q];
        if (two) acc[(r + 1) * K + k0 + q] += t1[q];
      }
    }
  }
}

// d[i] += the sources' [i] in order, in vectors V of L floats (n >= L). The row ends with one vector
// over [n - L, n), summed before anything is stored: where it overlaps the last whole vector it stores
// the same values.
template <class V>
static inline void add_rows_vec(int64_t n, float* d, int64_t nsrc, const float* const* src) {
  constexpr int L = sizeof(V) / sizeof(float);
  const int64_t e = n - L;
  V tail = loadu<V>(d + e);
  for (int64_t t = 0; t < nsrc; t++) tail += loadu<V>(src[t] + e);
  for (int64_t i = 0; i + L <= n; i += L) {
    V s = loadu<V>(d + i);
    for (int64_t t = 0; t < nsrc; t++) s += loadu<V>(src[t] + i);
    storeu(d + i, s);
  }
  storeu(d + e, tail);
}

typedef float vf_half __attribute__((vector_size(TTS_VBYTES / 2)));

// d[i] += the sources' [i] in order: whole vectors, half vectors for rows shorter than a vector (a 14
// x 14 feature map's rows), scalars below that.
static void add_rows_f32(int64_t n, float* d, int64_t nsrc, const float* const* src) {
  if (n >= WF) return add_rows_vec<vf>(n, d, nsrc, src);
  if (n >= WF / 2) return add_rows_vec<vf_half>(n, d, nsrc, src);
  for (int64_t i = 0; i < n; i++) {
    float s = d[i];
    for (int64_t t = 0; t < nsrc; t++) s += src[t][i];
    d[i] = s;
  }
}

// ---- softmax of one contiguous row -----------------------------------------------------------------

// The max (NaN if any element is), the sum of exp(x - max) in double, then exp(x - max) / sum or
// x - max - log(sum). A row whose max is not finite (a NaN, an Inf, or only -Inf) is NaN throughout,
// as inf - inf makes it in PyTorch. The tail shorter than a vector goes through a padded vector, so
// every element sees the same exp.
static void softmax_row_f32(int64_t n, const float* x, float* out, bool log_out) {
  const float inf = __builtin_inff();
  vf vm = vsplat(-inf);
  vi vnan{};
  int64_t i = 0;
  for (; i + WF <= n; i += WF) {
    const vf v = loadu<vf>(x + i);
    vnan |= v != v;
    vm = v > vm ? v : vm;
  }
  float m = -inf;
  bool nan = false;
  for (int k = 0; k < WF; k++) {
    m = vm[k] > m ? vm[k] : m;
    nan = nan || vnan[k] != 0;
  }
  for (; i < n; i++) {
    m = x[i] > m ? x[i] : m;
    nan = nan || x[i] != x[i];
  }
  if (nan || m == inf || m == -inf) {
    for (i = 0; i < n; i++) out[i] = __builtin_nanf("");
    return;
  }
  const int64_t body = n - n % WF;
  // the tail's missing lanes hold m, whose exponential is 1 (an underflow to zero there would cost a
  // microcode assist per vector on Intel), and are zeroed after the exp
  float tail[WF];
  for (int k = 0; k < WF; k++) tail[k] = body + k < n ? x[body + k] : m;
  static constexpr int32_t kLane[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  const vi in_row = loadu<vi>(kLane) < static_cast<int32_t>(n - body);
  // sum of exp(x - m); softmax keeps the exponentials in out
  vdw acc{};
  for (i = 0; i < body; i += WF) {
    const vf e = vexp(loadu<vf>(x + i) - m);
    if (!log_out) storeu(out + i, e);
    acc += __builtin_convertvector(e, vdw);
  }
  const vf et = in_row ? vexp(loadu<vf>(tail) - m) : vf{};
  acc += __builtin_convertvector(et, vdw);
  const double s = hsum(acc);
  if (log_out) {
    const float ls = static_cast<float>(__builtin_log(s));
    for (i = 0; i < body; i += WF) storeu(out + i, loadu<vf>(x + i) - m - ls);
    for (i = body; i < n; i++) out[i] = x[i] - m - ls;
  } else {
    const float sf = static_cast<float>(s);
    for (i = 0; i < body; i += WF) storeu(out + i, loadu<vf>(out + i) / sf);
    for (i = body; i < n; i++) out[i] = et[i - body] / sf;
  }
}

// The gradient of softmax / log-softmax along one contiguous row from the output y and its gradient g:
// y * (g - sum(g * y)), or g - exp(y) * sum(g). The tail runs as one vector padded with zeros.
static void softmax_grad_row_f32(int64_t n, const float* y, const float* g, float* out, bool log_out) {
  const int64_t body = n - n % WF;
  float ty[WF], tg[WF];
  for (int k = 0; k < WF; k++) {
    ty[k] = body + k < n ? y[body + k] : 0.0f;
    tg[k] = body + k < n ? g[body + k] : 0.0f;
  }
  const vf yt = loadu<vf>(ty), gt = loadu<vf>(tg);
  vdw acc{};
  for (int64_t i = 0; i < body; i += WF) {
    const vf gv = loadu<vf>(g + i);
    acc += __builtin_convertvector(log_out ? gv : gv * loadu<vf>(y + i), vdw);
  }
  acc += __builtin_convertvector(log_out ? gt : gt * yt, vdw);
  const float s = static_cast<float>(hsum(acc));
  for (int64_t i = 0; i < body; i += WF) {
    const vf yv = loadu<vf>(y + i), gv = loadu<vf>(g + i);
    storeu(out + i, log_out ? gv - vexp(yv) * s : yv * (gv - s));
  }
  const vf ot = log_out ? gt - vexp(yt) * s : yt * (gt - s);
  for (int64_t i = body; i < n; i++) out[i] = ot[i - body];
}

// ---- normalization rows (norm_kernels.cc) ----------------------------------------------------------

// Sum of (x - m)^2 over n contiguous floats, in double.
static double sumsq_dev_f32(int64_t n, const float* x, double m) {
  const float mf = static_cast<float>(m);
  vdw a0{}, a1{};
  int64_t i = 0;
  for (; i + 2 * WF <= n; i += 2 * WF) {
    const vdw d0 = __builtin_convertvector(loadu<vf>(x + i) - mf, vdw);
    const vdw d1 = __builtin_convertvector(loadu<vf>(x + i + WF) - mf, vdw);
    a0 += d0 * d0;
    a1 += d1 * d1;
  }
  double s = hsum(a0 + a1);
  for (; i < n; i++) s += (static_cast<double>(x[i]) - m) * (x[i] - m);
  return s;
}

// The weight (and bias) of n elements: per element from w[i] when `vec`, else the scalar *w; 1 (0)
// without one.
static inline vf affine_load(const float* w, bool vec, int64_t i, float absent) {
  return w ? (vec ? loadu<vf>(w + i) : vsplat(*w)) : vsplat(absent);
}
static inline float affine_at(const float* w, bool vec, int64_t i, float absent) {
  return w ? (vec ? w[i] : *w) : absent;
}

// out = (x - mean) * rstd * w + b over n contiguous floats (w, b as affine_load reads them).
static void norm_affine_f32(int64_t n, const float* x, float mean, float rstd, const float* w, const float* b, bool vec,
                            float* out) {
  int64_t i = 0;
  for (; i + WF <= n; i += WF)
    storeu(out + i, (loadu<vf>(x + i) - mean) * rstd * affine_load(w, vec, i, 1.0f) + affine_load(b, vec, i, 0.0f));
  for (; i < n; i++) out[i] = (x[i] - mean) * rstd * affine_at(w, vec, i, 1.0f) + affine_at(b, vec, i, 0.0f);
}

// sums[0] += sum of dy, sums[1] += sum of dy * xhat, with dy = g * w and xhat = (x - mean) * rstd.
static void norm_grad_sums_f32(int64_t n, const float* g, const float* x, float mean, float rstd, const float* w,
                               bool vec, double* sums) {
  vdw a0{}, a1{};
  int64_t i = 0;
  for (; i + WF <= n; i += WF) {
    const vf dy = loadu<vf>(g + i) * affine_load(w, vec, i, 1.0f);
    a0 += __builtin_convertvector(dy, vdw);
    a1 += __builtin_convertvector(dy * ((loadu<vf>(x + i) - mean) * rstd), vdw);
  }
  double s0 = hsum(a0), s1 = hsum(a1);
  for (; i < n; i++) {
    const float dy = g[i] * affine_at(w, vec, i, 1.0f);
    s0 += dy;
    s1 += dy * ((x[i] - mean) * rstd);
  }
  sums[0] += s0;
  sums[1] += s1;
}

// out = rstd * (dy - c1 - xhat * c2), with dy = g * w and xhat = (x - mean) * rstd.
static void norm_grad_dx_f32(int64_t n, const float* g, const float* x, float mean, float rstd, const float* w,
                             bool vec, float c1, float c2, float* out) {
  int64_t i = 0;
  for (; i + WF <= n; i += WF) {
    const vf xhat = (loadu<vf>(x + i) - mean) * rstd;
    storeu(out + i, rstd * (loadu<vf>(g + i) * affine_load(w, vec, i, 1.0f) - c1 - xhat * c2));
  }
  for (; i < n; i++) out[i] = rstd * (g[i] * affine_at(w, vec, i, 1.0f) - c1 - (x[i] - mean) * rstd * c2);
}

// The affine gradients of n contiguous elements of one plane: dw += sum of g * xhat, db += sum of g,
// in double.
static void norm_grad_affine_f32(int64_t n, const float* g, const float* x, float mean, float rstd, double* dw,
                                 double* db) {
  vdw a0{}, a1{};
  int64_t i = 0;
  for (; i + WF <= n; i += WF) {
    const vf gv = loadu<vf>(g + i);
    a0 += __builtin_convertvector(gv * ((loadu<vf>(x + i) - mean) * rstd), vdw);
    a1 += __builtin_convertvector(gv, vdw);
  }
  double s0 = hsum(a0), s1 = hsum(a1);
  for (; i < n; i++) {
    s0 += g[i] * ((x[i] - mean) * rstd);
    s1 += g[i];
  }
  *dw += s0;
  *db += s1;
}

// The affine gradients of one layer-norm row, per element: dw[i] += g * xhat, db[i] += g.
static void norm_grad_affine_row_f32(int64_t n, const float* g, const float* x, float mean, float rstd, float* dw,
                                     float* db) {
  int64_t i = 0;
  for (; i + WF <= n; i += WF) {
    const vf gv = loadu<vf>(g + i);
    storeu(dw + i, loadu<vf>(dw + i) + gv * ((loadu<vf>(x + i) - mean) * rstd));
    storeu(db + i, loadu<vf>(db + i) + gv);
  }
  for (; i < n; i++) {
    dw[i] += g[i] * ((x[i] - mean) * rstd);
    db[i] += g[i];
  }
}

#include "winograd_impl.h"

const KernelSet table = {TTS_NAME,       gemm_f32,     gemm_f64,     map_unary_f32,       map_binary_f32,
                         sum_f32,        sum_cols_f32, softmax_row_f32, softmax_grad_row_f32,
                         sumsq_dev_f32,  norm_affine_f32, norm_grad_sums_f32, norm_grad_dx_f32,
                         norm_grad_affine_f32, norm_grad_affine_row_f32, dots_f32,
                         add_rows_f32,   wino_weights_size, wino_weights_f32, wino_conv_f32};

}  // namespace TTS_NS

const KernelSet* TTS_ENTRY() { return &TTS_NS::table; }

}  // namespace tts
