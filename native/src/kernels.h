// Interface between the Node-API glue (addon.cc, threadpool.cc: compiled for the baseline ISA) and the
// kernel variants (kernels_impl.h compiled once per ISA: AVX-512, AVX2+FMA, portable). The variants
// see only this header, so nothing they define can be mixed up with baseline code at link time.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tts {

/** Elementwise float32 operations the map fast path knows (same numbers as OPS in native.ts). */
enum MapOp : int {
  OP_COPY = 0,
  OP_FILL = 1,  // out = p0 (no input)
  OP_NEG = 2,
  OP_ABS = 3,
  OP_RELU = 4,
  OP_SQUARE = 5,
  OP_SQRT = 6,
  OP_RECIP = 7,
  OP_EXP = 8,
  OP_LOG = 9,
  OP_SIGMOID = 10,
  OP_TANH = 11,
  OP_ADD = 12,   // a + b
  OP_SUB = 13,   // a - b
  OP_MUL = 14,   // a * b
  OP_DIV = 15,   // a / b
  OP_AXPY = 16,  // a + p0 * b
  OP_RELU_GRAD = 17,  // b <= 0 ? 0 : a (ReLU's gradient: a = incoming gradient, b = ReLU's output)
  OP_COUNT = 18,
};

/**
 * One matrix product C (M x N) (or C += with `accumulate`) = A (M x K) @ B (K x N), element strides in
 * units of T. With `arow`, row i of A starts at A + arow[i] and has unit k stride (the shifted input rows
 * of a stride-1 convolution's weight gradient); with `kseg` as well, A's k index runs in segments of
 * `krun`: element (i, k) is A[arow[i] + kseg[k / krun] + k % krun], and every segment must be followed
 * by kReadSlack readable elements (the packing reads whole vectors past its end and drops the excess).
 * Likewise `brow` and `nseg` for B (a stride-1 convolution's forward): element (k, n) is
 * B[brow[k] + nseg[n / nrun] + n % nrun], each segment followed by kReadSlack readable elements.
 */
constexpr int64_t kReadSlack = 16;
struct GemmArgs {
  int64_t M, N, K;
  const void* A;
  int64_t sam, sak;
  const void* B;
  int64_t sbk, sbn;
  void* C;
  int64_t scm, scn;
  const int64_t* arow = nullptr;
  const int64_t* kseg = nullptr;
  int64_t krun = 0;
  const int64_t* brow = nullptr;
  const int64_t* nseg = nullptr;
  int64_t nrun = 0;
  bool accumulate = false;  // C += A @ B
};

/**
 * One (sample, group) of a float32 3x3 stride-1 convolution (dilation 1) for the Winograd kernel
 * (winograd_impl.h): out[o][y][x] = sum over c, ky, kx of w[o][c][ky][kx] * x[c][y + ky - pt][x + kx - pl],
 * zero outside the input.
 */
struct WinoArgs {
  const float* x;      // the group's first input channel of the sample
  int64_t sc, sh, sw;  // its channel, row and column strides
  int64_t C, H, W;     // input channels of the group, input size
  int64_t pt, pl;      // zero rows above and columns left of the input (>= 0)
  const float* U;      // the group's transformed weights (wino_weights_f32)
  int64_t Og;          // output channels of the group
  float* out;          // the group's first output channel of the sample: rows contiguous (row stride OW)
  int64_t oc, OH, OW;  // output channel stride, output size
};

/** The kernels of one ISA variant. */
struct KernelSet {
  const char* name;
  /** Full GEMM of one matrix (overwrites C); `parallel` lets it use the thread pool. */
  void (*gemm_f32)(const GemmArgs& g, bool parallel);
  void (*gemm_f64)(const GemmArgs& g, bool parallel);
  /**
   * n elements: out[i] = op(a[i * sa]) with sa 0 or 1 (a may be null for OP_FILL); `stream` writes
   * around the caches (for outputs larger than them).
   */
  void (*map_unary_f32)(int op, int64_t n, float* out, const float* a, int64_t sa, float p0, bool stream);
  /** n elements: out[i] = op(a[i * sa], b[i * sb]) with sa, sb 0 or 1; `stream` as for map_unary_f32. */
  void (*map_binary_f32)(int op, int64_t n, float* out, const float* a, int64_t sa, const float* b, int64_t sb,
                         float p0, bool stream);
  /** Sum of n contiguous floats, accumulated in double. */
  double (*sum_f32)(int64_t n, const float* x);
  /** acc[j] += sum over i < rows of x[i * rs + j], j < cols (columns contiguous). */
  void (*sum_cols_f32)(int64_t rows, int64_t cols, const float* x, int64_t rs, double* acc);
  /** Softmax (log-softmax with `log`) of one contiguous row of n floats into out (which may be x). */
  void (*softmax_row_f32)(int64_t n, const float* x, float* out, bool log);
  /** The softmax (log-softmax) gradient of one contiguous row from its output y and gradient g into out. */
  void (*softmax_grad_row_f32)(int64_t n, const float* y, const float* g, float* out, bool log);
  /** Sum of (x[i] - m)^2 over n contiguous floats, in double. */
  double (*sumsq_dev_f32)(int64_t n, const float* x, double m);
  // Normalization rows (norm_kernels.cc): n contiguous elements of one statistics group; the weight
  // and bias are per element (`vec`) or one scalar, and may be null.
  /** out = (x - mean) * rstd * w + b. */
  void (*norm_affine_f32)(int64_t n, const float* x, float mean, float rstd, const float* w, const float* b, bool vec,
                          float* out);
  /** sums[0] += sum of g * w, sums[1] += sum of g * w * (x - mean) * rstd (in double). */
  void (*norm_grad_sums_f32)(int64_t n, const float* g, const float* x, float mean, float rstd, const float* w,
                             bool vec, double* sums);
  /** out = rstd * (g * w - c1 - (x - mean) * rstd * c2). */
  void (*norm_grad_dx_f32)(int64_t n, const float* g, const float* x, float mean, float rstd, const float* w, bool vec,
                           float c1, float c2, float* out);
  /** *dw += sum of g * xhat, *db += sum of g, over one plane (in double). */
  void (*norm_grad_affine_f32)(int64_t n, const float* g, const float* x, float mean, float rstd, double* dw,
                               double* db);
  /** dw[i] += g[i] * xhat[i], db[i] += g[i] over one layer-norm row. */
  void (*norm_grad_affine_row_f32)(int64_t n, const float* g, const float* x, float mean, float rstd, float* dw,
                                   float* db);
  /** acc[r * K + k] += sum over l < L of a[r * as + l] * b[k * L + l] (r < rows, k < K; b's rows contiguous). */
  void (*dots_f32)(int64_t rows, int64_t K, int64_t L, const float* a, int64_t as, const float* b, float* acc);
  /** d[i] += src[0][i] + ... + src[nsrc - 1][i], i < n, added in source order (col2im's gather form). */
  void (*add_rows_f32)(int64_t n, float* d, int64_t nsrc, const float* const* src);
  /** Floats of one group's transformed weights for wino_weights_f32 (Og output, C input channels). */
  int64_t (*wino_weights_size)(int64_t Og, int64_t C);
  /** One group's Winograd-transformed weights U from its weights w (Og x C x 3 x 3, contiguous). */
  void (*wino_weights_f32)(const float* w, int64_t Og, int64_t C, float* U);
  /** A WinoArgs convolution; false, the output possibly partly written, when the input holds inf or NaN. */
  bool (*wino_conv_f32)(const WinoArgs& a);
};

const KernelSet* kernels_generic();
#if defined(__x86_64__) || defined(_M_X64)
const KernelSet* kernels_avx2();
const KernelSet* kernels_avx512();
#endif

// Services of the baseline code, called by the variants.

/** The kernel variant the addon selected for this CPU (selectIsa may switch it; addon.cc). */
const KernelSet* active_kernels();

/** A per-thread, 64-byte aligned, grow-only scratch buffer; `slot` < 4 picks one of several. */
void* scratch(int slot, size_t bytes);
/** Threads the pool runs with (the calling thread included). */
int num_threads();
/** Run fn(ctx, i) for i in [0, n) on the pool (the calling thread takes part); returns when all are done. */
void parallel_for(int64_t n, void (*fn)(void* ctx, int64_t i), void* ctx);

}  // namespace tts
