#!/bin/bash
# Run THERE (a lent NVIDIA machine, from the repo root, with .gpu/ made by bench/gpu/prepare.sh carried):
# unpacks the Vulkan loader if the system has none, points the loader at NVIDIA's ICD if none is
# registered, decompresses node and dawn.node into /tmp, runs the bundled bench/webgpu.ts (torchts
# beside TensorFlow.js on WebGPU: Dawn over Vulkan), then bench/gpu/torch_cuda.py (PyTorch on CUDA,
# fp32, TF32 off) and bench/gpu/summary.py, then trains the demo CNN (examples/fashion_mnist.ts,
# bundled) on webgpu: on .gpu/fashion-mnist (Debian's full dataset, when prepare.sh put it there) or
# else on the subset embedded in the repo. Everything goes to $OUT (default /tmp/gpu_out).
#   bash bench/gpu/run.sh [full|small]     full (default): the issue's sizes; small: quick sizes (lavapipe)
# FMNIST_ARGS add arguments to the demo (default: 2 epochs). PARTS picks what runs (default all of:
# bench tiles torch fmnist; tiles = the matmul sweep over every tile config).
# BENCH_ARGS / TORCH_ARGS add arguments to the two benchmarks; PYTHON picks the interpreter (python3).
set -u
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/gpu_out}
mkdir -p "$OUT"
exec > >(tee -a "$OUT/run.log") 2>&1
mode=${1:-full}
parts=" ${PARTS:-bench tiles torch fmnist} "
want() { [[ "$parts" == *" $1 "* ]]; }
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
# (NVIDIA's Vulkan ICD is libGLX_nvidia, which needs glvnd's libGLX/libEGL: prepare.sh fetches those too)
if ! ldconfig -p | grep -q 'libvulkan.so.1 ' || ! ldconfig -p | grep -q 'libGLX.so.0 '; then
  echo "no Vulkan loader or glvnd: unpacking .gpu/debs"
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
cp .gpu/webgpu.mjs .gpu/fashion_mnist.mjs "$work/"
echo "node: $("$node" --version)"

if want bench; then
  echo "== torchts vs TensorFlow.js on WebGPU"
  timeout 200 "$node" "$work/webgpu.mjs" "${bench[@]}" ${BENCH_ARGS:-} --json "$OUT/webgpu.json" | tee "$OUT/webgpu.md"
  echo "webgpu bench exit: ${PIPESTATUS[0]}"
fi

if [ "$mode" = full ] && want tiles; then
  for tile in 128x128 64x64 32x32; do
    echo "== matmul with every size on the $tile tile (TORCHTS_WEBGPU_MATMUL_TILE)"
    TORCHTS_WEBGPU_MATMUL_TILE=$tile timeout 40 "$node" "$work/webgpu.mjs" --full --only matmul --no-tfjs --rounds 3 \
      --json "$OUT/webgpu_tile_$tile.json" >"$OUT/webgpu_tile_$tile.md"
    grep '^| matmul' "$OUT/webgpu_tile_$tile.md"
  done
fi

if want torch; then
  echo "== PyTorch"
  # shellcheck disable=SC2086
  timeout 90 "$py" bench/gpu/torch_cuda.py "${torch_args[@]}" ${TORCH_ARGS:-} --json "$OUT/torch_cuda.json" | tee "$OUT/torch_cuda.md"
  echo "torch bench exit: ${PIPESTATUS[0]}"
fi

if [ -s "$OUT/webgpu.json" ] && [ -s "$OUT/torch_cuda.json" ]; then
  "$py" bench/gpu/summary.py "$OUT/webgpu.json" "$OUT/torch_cuda.json" | tee "$OUT/summary.md"
fi

want fmnist || exit 0
echo "== Fashion-MNIST CNN on webgpu"
data=data/fashion-mnist-subset
[ -s .gpu/fashion-mnist/train-images-idx3-ubyte.gz ] && data=.gpu/fashion-mnist
# shellcheck disable=SC2086
timeout 120 "$node" "$work/fashion_mnist.mjs" --device webgpu --data "$data" --out "$OUT/fashion_mnist_webgpu.pt" \
  ${FMNIST_ARGS:-} 2>&1 | tr '\r' '\n' | grep -v '^epoch [0-9]*/' | tee "$OUT/fashion_mnist.txt"
echo "fashion-mnist exit: ${PIPESTATUS[0]}"
