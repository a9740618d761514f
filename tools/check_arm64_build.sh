#!/bin/sh
# Cross-compiles and links the native addon's sources for arm64 (the portable kernels: NEON vectors
# through the compiler's vector extensions), to check that the addon builds there. Needs Debian's
# g++-aarch64-linux-gnu and the running Node's headers; the result is not loaded (no arm64 Node here).
#   sh tools/check_arm64_build.sh
set -e
cxx=${CXX_ARM64:-aarch64-linux-gnu-g++}
command -v "$cxx" >/dev/null || { echo "check_arm64_build: $cxx not found (apt-get install g++-aarch64-linux-gnu)"; exit 1; }
root=$(cd "$(dirname "$0")/.." && pwd)
inc=$(dirname "$(dirname "$(command -v node)")")/include/node
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# the addon target's sources as native/binding.gyp lists them (the x86-64 ISA variants are its own
# targets, left out), with its flags
sources=$(python3 -c '
import ast, re, sys
gyp = ast.literal_eval(re.sub(r"(?m)^\s*#.*$", "", open(sys.argv[1]).read()))
print(" ".join([t["sources"] for t in gyp["targets"] if t["target_name"] == "torchts_native"][0]))
' "$root/native/binding.gyp")
for f in $sources; do
  "$cxx" -std=gnu++17 -O3 -fPIC -fno-math-errno -ffp-contract=fast -Wall -Wno-psabi -I"$inc" \
    -c "$root/native/$f" -o "$out/$(basename "$f" .cc).o"
done
"$cxx" -shared -o "$out/torchts_native.node" "$out"/*.o -lpthread
file "$out/torchts_native.node" 2>/dev/null || ls -l "$out/torchts_native.node"
echo "check_arm64_build: the addon compiles and links for arm64"
