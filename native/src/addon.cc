// Node-API entry points of torchts' native CPU kernels: picks the kernel variant for this CPU at load
// time (AVX-512, AVX2+FMA or portable; TORCHTS_ISA=avx512|avx2|portable forces a lower one), checks
// that every strided view stays inside its typed array, and splits large work over the thread pool.
#include <node_api.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "kernels.h"
#include "napi_util.h"
#include "nn_register.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tts {
void set_num_threads(int threads);
}

namespace {

using tts::KernelSet;

const KernelSet* K = nullptr;

// The best variant this CPU runs, or a lower one when `want` names it ("avx512", "avx2", "portable").
const KernelSet* select_kernels(const char* want) {
  const bool any = !want || !*want;
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  if ((any || std::strcmp(want, "avx512") == 0) && __builtin_cpu_supports("avx512f")) return tts::kernels_avx512();
  if ((any || std::strcmp(want, "avx512") == 0 || std::strcmp(want, "avx2") == 0) &&
      __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return tts::kernels_avx2();
#else
  (void)any;
#endif
  return tts::kernels_generic();
}

// ---- argument helpers -----------------------------------------------------------------------------

using tts::napi::Arr;
using tts::napi::fail;
using tts::napi::get_args;
using tts::napi::get_array;
using tts::napi::get_meta;
using tts::napi::in_bounds;
using tts::napi::is_null;

double get_number(napi_env env, napi_value v) {
  double d = 0;
  napi_get_value_double(env, v, &d);
  return d;
}

napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// ---- matmul ---------------------------------------------------------------------------------------

struct BatchJob {
  tts::GemmArgs base;
  size_t elem;
  int nb;
  const int64_t *shape, *sa, *sb, *sc;
  bool f64;
};

void run_batch_item(const BatchJob& j, int64_t t, bool parallel) {
  int64_t oa = 0, ob = 0, oc = 0;
  for (int d = j.nb - 1; d >= 0; d--) {
    const int64_t i = t % j.shape[d];
    t /= j.shape[d];
    oa += i * j.sa[d];
    ob += i * j.sb[d];
    oc += i * j.sc[d];
  }
  tts::GemmArgs g = j.base;
  g.A = static_cast<const char*>(g.A) + oa * static_cast<int64_t>(j.elem);
  g.B = static_cast<const char*>(g.B) + ob * static_cast<int64_t>(j.elem);
  g.C = static_cast<char*>(g.C) + oc * static_cast<int64_t>(j.elem);
  (j.f64 ? K->gemm_f64 : K->gemm_f32)(g, parallel);
}

void batch_task(void* ctx, int64_t t) { run_batch_item(*static_cast<BatchJob*>(ctx), t, false); }

// matmul(A, B, C, meta): meta = [nb, M, N, K, offA, offB, offC, sam, sak, sbk, sbn, scm, scn,
// batch shape (nb), batch strides of A, B, C (nb each)]; A, B, C all Float32Array or all Float64Array.
napi_value Matmul(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!get_args(env, info, 4, argv)) return nullptr;
  Arr A, B, C;
  std::vector<int64_t> m;
  if (!get_array(env, argv[0], &A) || !get_array(env, argv[1], &B) || !get_array(env, argv[2], &C) ||
      !get_meta(env, argv[3], &m))
    return nullptr;
  if (A.type != B.type || A.type != C.type || (A.type != napi_float32_array && A.type != napi_float64_array)) {
    fail(env, "torchts native matmul: expected float32 or float64 arrays of one type");
    return nullptr;
  }
  if (m.size() < 13 || m[0] < 0 || static_cast<int64_t>(m.size()) != 13 + 4 * m[0]) {
    fail(env, "torchts native matmul: bad sizes");
    return nullptr;
  }
  const int nb = static_cast<int>(m[0]);
  const int64_t M = m[1], N = m[2], Kd = m[3];
  const int64_t* bshape = m.data() + 13;
  // full shapes and strides of each operand, batch dims first
  std::vector<int64_t> shp(bshape, bshape + nb), sa(m.data() + 13 + nb, m.data() + 13 + 2 * nb),
      sb(m.data() + 13 + 2 * nb, m.data() + 13 + 3 * nb), sc(m.data() + 13 + 3 * nb, m.data() + 13 + 4 * nb);
  auto check = [&](const Arr& a, int64_t off, std::vector<int64_t> s, int64_t r, int64_t c, int64_t sr, int64_t scol) {
    std::vector<int64_t> shape = shp;
    shape.push_back(r);
    shape.push_back(c);
    s.push_back(sr);
    s.push_back(scol);
    return in_bounds(a.length, off, nb + 2, shape.data(), s.data());
  };
  if (!check(A, m[4], sa, M, Kd, m[7], m[8]) || !check(B, m[5], sb, Kd, N, m[9], m[10]) ||
      !check(C, m[6], sc, M, N, m[11], m[12])) {
    fail(env, "torchts native matmul: a view reaches outside its storage");
    return nullptr;
  }
  int64_t batch = 1;
  for (int d = 0; d < nb; d++) batch *= shp[d];
  if (batch == 0 || M == 0 || N == 0) return undefined(env);
  const bool f64 = A.type == napi_float64_array;
  const size_t elem = f64 ? 8 : 4;
  BatchJob j;
  j.base = {M,
            N,
            Kd,
            static_cast<const char*>(A.data) + m[4] * static_cast<int64_t>(elem),
            m[7],
            m[8],
            static_cast<const char*>(B.data) + m[5] * static_cast<int64_t>(elem),
            m[9],
            m[10],
            static_cast<char*>(C.data) + m[6] * static_cast<int64_t>(elem),
            m[11],
            m[12]};
  j.elem = elem;
  j.nb = nb;
  j.shape = shp.data();
  j.sa = sa.data();
  j.sb = sb.data();
  j.sc = sc.data();
  j.f64 = f64;
  // many small products: one per task; otherwise each product uses the whole pool
  const int64_t flops = M * N * Kd;
  if (batch > 1 && tts::num_threads() > 1 && flops < (int64_t(1) << 22) && batch * flops >= (int64_t(1) << 20)) {
    tts::parallel_for(batch, batch_task, &j);
  } else {
    for (int64_t t = 0; t < batch; t++) run_batch_item(j, t, true);
  }
  return undefined(env);
}

// ---- map (float32) --------------------------------------------------------------------------------

struct MapJob {
  int op;
  float p0;
  int nd;
  const int64_t* shape;
  const int64_t* st[3];  // strides of out, a, b
  float* out;
  const float* in[2];
  int nin;
  int64_t inner, outer;
  int64_t rows_per_task, pieces;  // a task is rows_per_task whole rows, or one of `pieces` parts of a row
  bool stream;                    // write the output around the caches
};

void map_rows(const MapJob& j, int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
  const int no = j.nd - 1;  // outer dims
  int64_t idx[16];
  int64_t off[3] = {0, 0, 0};
  int64_t r = r0;
  for (int d = no - 1; d >= 0; d--) {
    idx[d] = r % j.shape[d];
    r /= j.shape[d];
    for (int k = 0; k <= j.nin; k++) off[k] += idx[d] * j.st[k][d];
  }
  const int64_t si[2] = {j.nd ? j.st[1][j.nd - 1] : 0, j.nd && j.nin > 1 ? j.st[2][j.nd - 1] : 0};
  for (int64_t row = r0; row < r1; row++) {
    float* o = j.out + off[0] + c0;
    const int64_t n = c1 - c0;
    if (j.nin == 0) {
      K->map_unary_f32(j.op, n, o, o, 0, j.p0, false);
    } else if (j.nin == 1) {
      K->map_unary_f32(j.op, n, o, j.in[0] + off[1] + c0 * si[0], si[0], j.p0, j.stream);
    } else {
      K->map_binary_f32(j.op, n, o, j.in[0] + off[1] + c0 * si[0], si[0], j.in[1] + off[2] + c0 * si[1], si[1], j.p0,
                        j.stream);
    }
    for (int d = no - 1; d >= 0; d--) {
      for (int k = 0; k <= j.nin; k++) off[k] += j.st[k][d];
      if (++idx[d] < j.shape[d]) break;
      for (int k = 0; k <= j.nin; k++) off[k] -= j.st[k][d] * j.shape[d];
      idx[d] = 0;
    }
  }
}

void map_task(void* ctx, int64_t t) {
  const MapJob& j = *static_cast<MapJob*>(ctx);
  if (j.pieces > 1) {
    const int64_t row = t / j.pieces, p = t % j.pieces;
    map_rows(j, row, row + 1, j.inner * p / j.pieces, j.inner * (p + 1) / j.pieces);
  } else {
    const int64_t r0 = t * j.rows_per_task;
    const int64_t r1 = r0 + j.rows_per_task < j.outer ? r0 + j.rows_per_task : j.outer;
    map_rows(j, r0, r1, 0, j.inner);
  }
}

constexpr int64_t kChunk = 1 << 15;  // elements per task of a parallel elementwise job
// Outputs from this many bytes (about a core's L2), in rows of at least kStreamRow elements, are written
// with streaming stores: a plain store first reads each line from memory, a quarter of a binary op's
// traffic, and such an output would not stay in the cache for its consumer anyway. relu(x * w + b)
// on 1e6 floats in fresh buffers, 1 thread: 2.08 -> 1.44 ms; on buffers still in the cache, the same.
constexpr int64_t kStreamBytes = 2 << 20, kStreamRow = 1024;

// map(op, p0, out, a | null, b | null, meta): meta = [nd, offOut, offA, offB, shape (nd), strides of out,
// a, b (nd each)]; the last dim has out stride 1 and input strides 0 or 1. All arrays are Float32Array.
napi_value Map(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!get_args(env, info, 6, argv)) return nullptr;
  MapJob j;
  j.op = static_cast<int>(get_number(env, argv[0]));
  j.p0 = static_cast<float>(get_number(env, argv[1]));
  Arr arrs[3];
  j.nin = 0;
  if (!get_array(env, argv[2], &arrs[0])) return nullptr;
  for (int k = 0; k < 2; k++) {
    if (is_null(env, argv[3 + k])) break;
    if (!get_array(env, argv[3 + k], &arrs[1 + k])) return nullptr;
    j.nin++;
  }
  std::vector<int64_t> m;
  if (!get_meta(env, argv[5], &m)) return nullptr;
  for (int k = 0; k <= j.nin; k++)
    if (arrs[k].type != napi_float32_array) {
      fail(env, "torchts native map: expected Float32Arrays");
      return nullptr;
    }
  const bool unary = j.op < tts::OP_ADD;
  const int want_in = j.op == tts::OP_FILL ? 0 : unary ? 1 : 2;
  if (j.op < 0 || j.op >= tts::OP_COUNT || j.nin != want_in) {
    fail(env, "torchts native map: bad op");
    return nullptr;
  }
  if (m.size() < 4 || m[0] < 0 || m[0] > 16 || static_cast<int64_t>(m.size()) != 4 + 4 * m[0]) {
    fail(env, "torchts native map: bad sizes");
    return nullptr;
  }
  j.nd = static_cast<int>(m[0]);
  j.shape = m.data() + 4;
  int64_t numel = 1;
  for (int d = 0; d < j.nd; d++) numel *= j.shape[d];
  for (int k = 0; k < 3; k++) j.st[k] = m.data() + 4 + (k + 1) * j.nd;
  for (int k = 0; k <= j.nin; k++)
    if (!in_bounds(arrs[k].length, m[1 + k], j.nd, j.shape, j.st[k])) {
      fail(env, "torchts native map: a view reaches outside its storage");
      return nullptr;
    }
  if (j.nd > 0) {
    const int l = j.nd - 1;
    bool ok = j.st[0][l] == 1 || j.shape[l] == 1;
    for (int k = 1; k <= j.nin; k++) ok = ok && (j.st[k][l] == 0 || j.st[k][l] == 1);
    if (!ok) {
      fail(env, "torchts native map: the last dim must be contiguous or broadcast");
      return nullptr;
    }
  }
  if (numel == 0) return undefined(env);
  j.out = static_cast<float*>(arrs[0].data) + m[1];
  for (int k = 0; k < j.nin; k++) j.in[k] = static_cast<const float*>(arrs[1 + k].data) + m[2 + k];
  j.inner = j.nd ? j.shape[j.nd - 1] : 1;
  j.outer = numel / j.inner;
  j.stream = numel * 4 >= kStreamBytes && j.inner >= kStreamRow && j.nd > 0 && j.st[0][j.nd - 1] == 1;
  int64_t tasks;
  if (numel < 4 * kChunk || tts::num_threads() == 1) {
    j.pieces = 1;
    j.rows_per_task = j.outer;
    tasks = 1;
  } else if (j.inner >= kChunk) {
    j.pieces = (j.inner + kChunk - 1) / kChunk;
    j.rows_per_task = 1;
    tasks = j.outer * j.pieces;
  } else {
    j.pieces = 1;
    j.rows_per_task = (kChunk + j.inner - 1) / j.inner;
    tasks = (j.outer + j.rows_per_task - 1) / j.rows_per_task;
  }
  tts::parallel_for(tasks, map_task, &j);
  return undefined(env);
}

// ---- sum (float32) --------------------------------------------------------------------------------

struct SumJob {
  const float* x;
  float* out;
  int64_t R, sr;
  int no;
  const int64_t *oshape, *ostride;
  int64_t nout;
  double* partial;
  int64_t cols, colchunk, colpieces;
};

int64_t outer_offset(const SumJob& j, int64_t o, int upto) {
  int64_t off = 0;
  for (int d = upto - 1; d >= 0; d--) {
    off += (o % j.oshape[d]) * j.ostride[d];
    o /= j.oshape[d];
  }
  return off;
}

constexpr int64_t kSumChunk = 1 << 16;

void sum_chunk_task(void* ctx, int64_t t) {  // one output, a chunk of its elements
  SumJob& j = *static_cast<SumJob*>(ctx);
  const int64_t r0 = t * kSumChunk, n = j.R - r0 < kSumChunk ? j.R - r0 : kSumChunk;
  j.partial[t] = K->sum_f32(n, j.x + r0);
}

void sum_rows_task(void* ctx, int64_t t) {  // outputs [t * 64, t * 64 + 64): contiguous reduced rows
  SumJob& j = *static_cast<SumJob*>(ctx);
  const int64_t o1 = (t + 1) * 64 < j.nout ? (t + 1) * 64 : j.nout;
  for (int64_t o = t * 64; o < o1; o++) {
    const float* p = j.x + outer_offset(j, o, j.no);
    j.out[o] = static_cast<float>(j.sr == 1 ? K->sum_f32(j.R, p) : (j.R ? p[0] : 0.0));
  }
}

void sum_cols_task(void* ctx, int64_t t) {  // one block of contiguous columns of one outer index
  SumJob& j = *static_cast<SumJob*>(ctx);
  const int64_t q = t / j.colpieces, c0 = (t % j.colpieces) * j.colchunk;
  const int64_t nc = j.cols - c0 < j.colchunk ? j.cols - c0 : j.colchunk;
  double* acc = static_cast<double*>(tts::scratch(2, sizeof(double) * nc));
  for (int64_t c = 0; c < nc; c++) acc[c] = 0;
  const float* p = j.x + outer_offset(j, q, j.no - 1) + c0;
  K->sum_cols_f32(j.R, nc, p, j.sr, acc);
  float* o = j.out + q * j.cols + c0;
  for (int64_t c = 0; c < nc; c++) o[c] = static_cast<float>(acc[c]);
}

void sum_strided_task(void* ctx, int64_t t) {  // anything else: one output per task, scalar loop
  SumJob& j = *static_cast<SumJob*>(ctx);
  const float* p = j.x + outer_offset(j, t, j.no);
  double s = 0;
  for (int64_t r = 0; r < j.R; r++) s += p[r * j.sr];
  j.out[t] = static_cast<float>(s);
}

// sum(x, out, meta): out[o] = sum over r < R of x[offX + outer offset(o) + r * sr], out contiguous from
// offOut; meta = [offX, offOut, R, sr, no, outer shape (no), outer strides (no)]. Float32Arrays.
napi_value Sum(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!get_args(env, info, 3, argv)) return nullptr;
  Arr X, O;
  std::vector<int64_t> m;
  if (!get_array(env, argv[0], &X) || !get_array(env, argv[1], &O) || !get_meta(env, argv[2], &m)) return nullptr;
  if (X.type != napi_float32_array || O.type != napi_float32_array) {
    fail(env, "torchts native sum: expected Float32Arrays");
    return nullptr;
  }
  if (m.size() < 5 || m[4] < 0 || static_cast<int64_t>(m.size()) != 5 + 2 * m[4]) {
    fail(env, "torchts native sum: bad sizes");
    return nullptr;
  }
  SumJob j;
  j.R = m[2];
  j.sr = m[3];
  j.no = static_cast<int>(m[4]);
  j.oshape = m.data() + 5;
  j.ostride = m.data() + 5 + j.no;
  j.nout = 1;
  for (int d = 0; d < j.no; d++) j.nout *= j.oshape[d];
  std::vector<int64_t> xs(j.oshape, j.oshape + j.no), xst(j.ostride, j.ostride + j.no);
  xs.push_back(j.R);
  xst.push_back(j.sr);
  int64_t one = 1;
  if (!in_bounds(X.length, m[0], j.no + 1, xs.data(), xst.data()) || !in_bounds(O.length, m[1], 1, &j.nout, &one)) {
    fail(env, "torchts native sum: a view reaches outside its storage");
    return nullptr;
  }
  if (j.nout == 0) return undefined(env);
  j.x = static_cast<const float*>(X.data) + m[0];
  j.out = static_cast<float*>(O.data) + m[1];
  const int64_t total = j.nout * (j.R > 0 ? j.R : 1);
  const bool par = total >= 4 * kSumChunk && tts::num_threads() > 1;
  if (j.R <= 1 || j.sr == 1) {
    if (j.nout == 1 && j.R > kSumChunk) {
      // fixed chunks summed in order: the result does not depend on the thread count
      const int64_t chunks = (j.R + kSumChunk - 1) / kSumChunk;
      std::vector<double> partial(chunks);
      j.partial = partial.data();
      if (par)
        tts::parallel_for(chunks, sum_chunk_task, &j);
      else
        for (int64_t t = 0; t < chunks; t++) sum_chunk_task(&j, t);
      double s = 0;
      for (double v : partial) s += v;
      j.out[0] = static_cast<float>(s);
    } else {
      if (j.R <= 1) j.sr = 1;
      const int64_t tasks = (j.nout + 63) / 64;
      if (par)
        tts::parallel_for(tasks, sum_rows_task, &j);
      else
        for (int64_t t = 0; t < tasks; t++) sum_rows_task(&j, t);
    }
  } else if (j.no > 0 && j.ostride[j.no - 1] == 1) {
    j.cols = j.oshape[j.no - 1];
    j.colchunk = 1024;
    j.colpieces = (j.cols + j.colchunk - 1) / j.colchunk;
    const int64_t tasks = (j.nout / j.cols) * j.colpieces;
    if (par)
      tts::parallel_for(tasks, sum_cols_task, &j);
    else
      for (int64_t t = 0; t < tasks; t++) sum_cols_task(&j, t);
  } else {
    if (par)
      tts::parallel_for(j.nout, sum_strided_task, &j);
    else
      for (int64_t t = 0; t < j.nout; t++) sum_strided_task(&j, t);
  }
  return undefined(env);
}

// ---- threads and info -----------------------------------------------------------------------------

napi_value SetNumThreads(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return nullptr;
  const double n = get_number(env, argv[0]);
  if (!(n >= 1 && n <= 1024)) {
    fail(env, "torchts native: the thread count must be in [1, 1024]");
    return nullptr;
  }
  tts::set_num_threads(static_cast<int>(n));
  return undefined(env);
}

napi_value GetNumThreads(napi_env env, napi_callback_info) {
  napi_value r;
  napi_create_int32(env, tts::num_threads(), &r);
  return r;
}

napi_value Isa(napi_env env, napi_callback_info) {
  napi_value r;
  napi_create_string_utf8(env, K->name, NAPI_AUTO_LENGTH, &r);
  return r;
}

// selectIsa(name): switch the variant (tests run every variant the CPU has); returns the one chosen.
napi_value SelectIsa(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return nullptr;
  char name[32] = {0};
  size_t len = 0;
  if (napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != napi_ok) {
    fail(env, "torchts native: expected an ISA name");
    return nullptr;
  }
  K = select_kernels(name);
  return Isa(env, info);
}

// ---- memory ---------------------------------------------------------------------------------------

// Tensor storage is V8 ArrayBuffer memory from malloc. By default glibc serves large blocks with fresh
// mmap()s and unmaps them on free, so every large tensor pays first-touch page faults (more than the
// arithmetic of an elementwise op costs). Raising the mmap and trim thresholds to `cap` bytes keeps
// freed blocks in the heap, where the next allocation of that size reuses them: a caching allocator
// fed by the garbage collector, holding at most about `cap` free bytes at the heap top.
// TORCHTS_CPU_CACHE_BYTES sets the cap (0 keeps glibc's defaults); the default is 256 MiB.
void tune_malloc() {
#if defined(__GLIBC__)
  const char* env = std::getenv("TORCHTS_CPU_CACHE_BYTES");
  const long long cap = env ? std::atoll(env) : 256LL << 20;
  if (cap <= 0 || cap > (1LL << 30)) return;
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(cap));
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(cap));
#endif
}

napi_value Init(napi_env env, napi_value exports) {
  if (!K) {
    K = select_kernels(std::getenv("TORCHTS_ISA"));
    tune_malloc();
  }
  const napi_property_descriptor props[] = {
      {"matmul", nullptr, Matmul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"map", nullptr, Map, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sum", nullptr, Sum, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setNumThreads", nullptr, SetNumThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getNumThreads", nullptr, GetNumThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"isa", nullptr, Isa, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"selectIsa", nullptr, SelectIsa, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  tts::register_index_kernels(env, exports);
  tts::register_select_kernels(env, exports);
  tts::register_conv_kernels(env, exports);
  tts::register_optim_kernels(env, exports);
  tts::register_pool_kernels(env, exports);
  tts::register_softmax_kernels(env, exports);
  tts::register_norm_kernels(env, exports);
  return exports;
}

}  // namespace

const tts::KernelSet* tts::active_kernels() { return K; }

NAPI_MODULE_INIT() { return Init(env, exports); }
