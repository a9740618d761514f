#!/bin/sh
# Run HERE (the development machine): fills the ignored folder .gpu/ with what bench/gpu/run.sh needs
# on a lent NVIDIA machine that has Python + PyTorch + CUDA but no Node and maybe no Vulkan loader:
#   .gpu/webgpu.mjs          bench/webgpu.ts bundled with torchts and TensorFlow.js (esbuild)
#   .gpu/fashion_mnist.mjs   the demo, bundled (trained there on webgpu to compare accuracy with the CPU)
#   .gpu/webgpu/             the npm `webgpu` package's index.js + package.json; dawn.node as .gpu/dawn.node.xz
#   .gpu/node.xz             this machine's node binary (self-contained official build), xz-compressed
#   .gpu/debs/*.deb          the Vulkan loader and glvnd (NVIDIA's ICD needs them), amd64, for `dpkg -x` there
# Everything together stays well under the 64 MiB a device call may carry (about 35 MB).
#   sh bench/gpu/prepare.sh            (the node binary is compressed once; delete .gpu/node.xz to redo it)
set -e
cd "$(dirname "$0")/../.."
mkdir -p .gpu/webgpu .gpu/debs
node bench/gpu/bundle.mjs .gpu
cp node_modules/webgpu/index.js node_modules/webgpu/package.json .gpu/webgpu/
xz -T2 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node >.gpu/dawn.node.xz
if [ ! -s .gpu/node.xz ]; then
  node=$(readlink -f "$(command -v node)")
  echo "compressing $node ($(node --version)); takes a few minutes"
  xz -T2 -6 -c "$node" >.gpu/node.xz.tmp && mv .gpu/node.xz.tmp .gpu/node.xz
fi
if ! ls .gpu/debs/libglx0_*.deb >/dev/null 2>&1; then
  mkdir -p /tmp/amd64/partial
  o="-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64"
  # shellcheck disable=SC2086
  apt-get $o update -qq
  # shellcheck disable=SC2086
  (cd .gpu/debs && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi
du -sh .gpu .gpu/* .gpu/debs/*
