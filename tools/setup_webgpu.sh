#!/usr/bin/env bash
# Makes WebGPU run on a machine without a GPU: Mesa's lavapipe (a CPU Vulkan driver) from Debian's
# bookworm-backports gives Dawn (npm `webgpu`) a real adapter; Debian 12's own Mesa 22 is too old for
# Dawn. Adds `bookworm-backports` to the Suites: line of the existing Debian apt source (no new
# source address) and installs the driver. Idempotent; needs root. Used by .ci/run.
set -euo pipefail

src=/etc/apt/sources.list.d/debian.sources
if ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 && dpkg -s mesa-vulkan-drivers 2>/dev/null | grep -q "^Version: .*bpo"; then
  exit 0 # lavapipe from backports is already there
fi
if [ ! -f "$src" ]; then
  echo "setup_webgpu: $src not found; cannot enable bookworm-backports" >&2
  exit 1
fi
# only the stanza whose Suites: line names plain `bookworm` (the main archive) gets the backports suite
if ! grep -Eq '^Suites:.*\bbookworm-backports\b' "$src"; then
  sed -i -E '/^Suites:.*(^|[[:space:]])bookworm([[:space:]]|$)/ s/$/ bookworm-backports/' "$src"
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
