# Sourced by bench/run.sh and bench/gemm.sh: puts OpenBLAS in front of the system BLAS (sets BLAS_DIR
# and LD_LIBRARY_PATH when it finds one) and picks its core type (see bench/run.sh).
arch=$(uname -m)
BLAS_DIR=
for d in "/usr/lib/$arch-linux-gnu/openblas-pthread" "$PWD/bench/.openblas"; do
  if [ -e "$d/libblas.so.3" ]; then
    BLAS_DIR=$d
    export LD_LIBRARY_PATH="$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    break
  fi
done
if [ -z "$OPENBLAS_CORETYPE" ]; then
  if grep -q avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX
  elif grep -q avx2 /proc/cpuinfo; then export OPENBLAS_CORETYPE=Haswell
  fi
fi
