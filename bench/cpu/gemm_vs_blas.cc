// The native float32 GEMM against the system's BLAS (OpenBLAS's cblas_sgemm) in one process, blocks
// of calls alternating, for square n x n products: it separates the GEMM kernel from everything around it in
// the matmul benchmark (allocation, dispatch) and from the other tenant's load, which moves both sides
// alike here. Built and run by bench/gemm.sh; prints per size the median and best times of both and
// their ratios (ours / BLAS), and the largest difference between the two results.
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "kernels.h"

namespace tts {
void set_num_threads(int threads);  // native/src/threadpool.cc
}  // namespace tts

typedef void (*Sgemm)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);

static double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

static const tts::KernelSet* best_kernels() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return tts::kernels_avx512();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return tts::kernels_avx2();
#endif
  return tts::kernels_generic();
}

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: gemm_vs_blas <blas library> <threads> <n>...\n");
    return 2;
  }
  void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  Sgemm sgemm = lib ? reinterpret_cast<Sgemm>(dlsym(lib, "cblas_sgemm")) : nullptr;
  if (!sgemm) {
    std::fprintf(stderr, "gemm_vs_blas: no cblas_sgemm in %s\n", argv[1]);
    return 1;
  }
  const int threads = std::atoi(argv[2]);
  tts::set_num_threads(threads);
  const tts::KernelSet* K = best_kernels();
  std::printf("threads %d, torchts kernels %s, BLAS %s\n", threads, K->name, argv[1]);
  std::printf("%14s %22s %22s %18s %9s\n", "n", "torchts med / best ms", "BLAS med / best ms", "ratio med / best", "max diff");
  for (int a = 3; a < argc; a++) {
    // "n" (square), "MxKxN" (A M x K times B K x N), or "MxKxNt" (B stored N x K, as a Linear's weight)
    int M = 0, Kd = 0, N = 0;
    const bool bt = argv[a][std::strlen(argv[a]) - 1] == 't';
    if (std::sscanf(argv[a], "%dx%dx%d", &M, &Kd, &N) != 3) M = Kd = N = std::atoi(argv[a]);
    if (M <= 0 || Kd <= 0 || N <= 0) {
      std::fprintf(stderr, "gemm_vs_blas: bad size %s\n", argv[a]);
      return 2;
    }
    std::vector<float> A(size_t(M) * Kd), B(size_t(Kd) * N), C(size_t(M) * N), D(size_t(M) * N);
    srand(1);
    for (float& x : A) x = rand() / float(RAND_MAX) - 0.5f;
    for (float& x : B) x = rand() / float(RAND_MAX) - 0.5f;
    // B's strides along K and N: row-major K x N, or N x K read transposed
    const int64_t sbk = bt ? 1 : N, sbn = bt ? Kd : 1;
    tts::GemmArgs g{M, N, Kd, A.data(), Kd, 1, B.data(), sbk, sbn, C.data(), N, 1};
    // about a second of work per side in 5 rounds of blocks of calls, one side's block after the
    // other's (each block's first call is dropped: at 2 threads the other side's workers may still
    // be polling for work then, OpenBLAS's for a long while)
    const double flops = 2.0 * M * N * Kd;
    const int per = std::max(2, std::min(400, int(4e10 / flops)));
    std::vector<double> ours, blas;
    for (int r = 0; r < 5; r++) {
      for (int c = 0; c < per; c++) {
        const double t0 = now();
        K->gemm_f32(g, threads > 1);
        if (c > 0) ours.push_back(now() - t0);
      }
      for (int c = 0; c < per; c++) {
        const double t0 = now();
        sgemm(101, 111, bt ? 112 : 111, M, N, Kd, 1.f, A.data(), Kd, B.data(), bt ? Kd : N, 0.f, D.data(), N);
        if (c > 0) blas.push_back(now() - t0);
      }
    }
    double diff = 0;
    for (size_t i = 0; i < C.size(); i++) diff = std::max(diff, double(std::fabs(C[i] - D[i])));
    std::sort(ours.begin(), ours.end());
    std::sort(blas.begin(), blas.end());
    const double om = ours[ours.size() / 2] * 1e3, ob = ours[0] * 1e3;
    const double bm = blas[blas.size() / 2] * 1e3, bb = blas[0] * 1e3;
    std::printf("%14s %10.3f / %9.3f %10.3f / %9.3f %8.3f / %7.3f %9.1e\n", argv[a], om, ob, bm, bb, om / bm, ob / bb, diff);
  }
  return 0;
}
