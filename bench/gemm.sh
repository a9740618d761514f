#!/bin/sh
# The native float32 GEMM against OpenBLAS's sgemm in one process (bench/cpu/gemm_vs_blas.cc), built
# here with the system compiler from the addon's sources. Usage: sh bench/gemm.sh [threads] [size...]
# (default: 1 thread, n = 256 512 1024 2048); a size is n (square), MxKxN, or MxKxNt (B stored N x K,
# as a Linear's weight). Needs OpenBLAS as bench/run.sh finds it
# (`sh bench/run.sh --fetch-openblas` once, without root).
set -e
cd "$(dirname "$0")/.."
. bench/blas_env.sh
if [ -z "$BLAS_DIR" ]; then
  echo "bench/gemm.sh: no OpenBLAS (run: sh bench/run.sh --fetch-openblas --quick, or install libopenblas0-pthread)" >&2
  exit 1
fi
threads=${1:-1}
[ $# -gt 0 ] && shift
sizes=${*:-256 512 1024 2048}
out=bench/.build
mkdir -p "$out"
flags="-O3 -fno-math-errno -ffp-contract=fast -Wno-psabi -Inative/src"
src=native/src
g++ $flags -c "$src/threadpool.cc" -o "$out/threadpool.o"
g++ $flags -c "$src/kernels_generic.cc" -o "$out/kernels_generic.o"
objs="$out/threadpool.o $out/kernels_generic.o"
if [ "$(uname -m)" = x86_64 ]; then
  g++ $flags -mavx2 -mfma -c "$src/kernels_avx2.cc" -o "$out/kernels_avx2.o"
  g++ $flags -mavx512f -mavx2 -mfma -c "$src/kernels_avx512.cc" -o "$out/kernels_avx512.o"
  objs="$objs $out/kernels_avx2.o $out/kernels_avx512.o"
fi
g++ $flags bench/cpu/gemm_vs_blas.cc $objs -o "$out/gemm_vs_blas" -ldl -lpthread
blas="$BLAS_DIR/libblas.so.3"
[ -e "$BLAS_DIR/libopenblas.so.0" ] && blas="$BLAS_DIR/libopenblas.so.0"
OPENBLAS_NUM_THREADS=$threads exec "$out/gemm_vs_blas" "$blas" "$threads" $sizes
