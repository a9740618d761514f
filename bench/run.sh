#!/bin/sh
# Runs the side-by-side CPU benchmark (bench/cpu/run.ts; `npm run bench` calls this). Arguments go to
# bench/cpu/run.ts (--quick, --cases, --threads, --rounds, --contenders, ...; see its header).
#
# PyTorch's BLAS: Debian's python3-torch calls whatever libblas.so.3 the system provides. With only the
# reference BLAS installed it runs ~4 GFLOP/s, which is no fair opponent, so this script puts OpenBLAS
# in front when it can find it: the system's (libopenblas0-pthread), or a private copy in
# bench/.openblas (made by `bench/run.sh --fetch-openblas`: `apt-get download` + `dpkg-deb -x`, no root,
# nothing installed). OpenBLAS 0.3.21 does not recognise some newer CPUs under KVM and falls back to
# its slow "Prescott" kernels; unless OPENBLAS_CORETYPE is set, this picks SkylakeX on AVX-512 CPUs and
# Haswell on AVX2 CPUs. The report's setup lines show the OpenBLAS core PyTorch used.
set -e
cd "$(dirname "$0")/.."
if [ "$1" = "--fetch-openblas" ]; then
  shift
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download libopenblas0-pthread >/dev/null && dpkg-deb -x libopenblas0-pthread_*.deb root)
  mkdir -p bench/.openblas
  cp -a "$tmp"/root/usr/lib/*/openblas-pthread/. bench/.openblas/
  rm -rf "$tmp"
fi
. bench/blas_env.sh
exec npx tsx bench/cpu/run.ts "$@"
