#!/bin/bash
# Run THERE (a lent NVIDIA machine, from the repo root, with .gpu/ made by bench/gpu/prepare.sh carried):
# unpacks the Vulkan loader if the system has none, points the loader at NVIDIA's ICD if none is
# registered, decompresses node and dawn.node into /tmp, runs the bundled bench/webgpu.ts (torchts
# beside TensorFlow.js on WebGPU: Dawn over Vulkan), then bench/gpu/torch_cuda.py (PyTorch on CUDA,
# fp32, TF32 off) and bench/gpu/summary.py; everything goes to $OUT (default /tmp/gpu_out).
#   bash bench/gpu/run.sh [full|small]     full (default): the issue's sizes; small: quick sizes (lavapipe)
# BENCH_ARGS / TORCH_ARGS add arguments to the two benchmarks; PYTHON picks the interpreter (python3).
set -u
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/gpu_out}
mkdir -p "$OUT"
exec > >(tee -a "$OUT/run.log") 2>&1
mode=${1:-full}
py=${PYTHON:-python3}
if [ "$mode" = small ]; then
  bench=(--sizes 128,256 --rounds 3 --conv-batch 2 --cnn-batch 4 --budget-ms 100)
  torch_args=(--sizes 128,256 --rounds 3 --conv-batch 2 --cnn-batch 4 --budget-ms 100)
else
  bench=(--full)
  torch_args=()
fi
echo "== $(date -u +%FT%TZ) $(uname -m) mode=$mode"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader

# Vulkan loader and ICD
if ! ldconfig -p | grep -q 'libvulkan.so.1 '; then
  echo "no Vulkan loader: unpacking .gpu/debs"
  for f in .gpu/debs/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ] &&
  ! ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json >/dev/null 2>&1 &&
  [ -e /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
echo "Vulkan ICD: ${VK_DRIVER_FILES:-system default}"

# node + the bundle + the webgpu package
work=/tmp/torchts_gpu
mkdir -p "$work/node_modules/webgpu/dist/linux-x64"
if [ -s .gpu/node.xz ]; then
  xz -dc .gpu/node.xz >"$work/node" && chmod +x "$work/node"
  node="$work/node"
else
  node=$(command -v node)
fi
xz -dc .gpu/dawn.node.xz >"$work/node_modules/webgpu/dist/linux-x64/dawn.node"
cp .gpu/webgpu/index.js .gpu/webgpu/package.json "$work/node_modules/webgpu/"
cp .gpu/webgpu.mjs "$work/"
echo "node: $("$node" --version)"

echo "== torchts vs TensorFlow.js on WebGPU"
timeout 360 "$node" "$work/webgpu.mjs" "${bench[@]}" ${BENCH_ARGS:-} --json "$OUT/webgpu.json" | tee "$OUT/webgpu.md"
echo "webgpu bench exit: ${PIPESTATUS[0]}"

echo "== PyTorch"
# shellcheck disable=SC2086
timeout 120 "$py" bench/gpu/torch_cuda.py "${torch_args[@]}" ${TORCH_ARGS:-} --json "$OUT/torch_cuda.json" | tee "$OUT/torch_cuda.md"
echo "torch bench exit: ${PIPESTATUS[0]}"

if [ -s "$OUT/webgpu.json" ] && [ -s "$OUT/torch_cuda.json" ]; then
  "$py" bench/gpu/summary.py "$OUT/webgpu.json" "$OUT/torch_cuda.json" | tee "$OUT/summary.md"
fi
