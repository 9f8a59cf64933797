#!/usr/bin/env bash
# Check the GPU kit end to end on this machine: build it (tools/gpu-kit.sh), unpack it in a temp folder, and run
# its benchmark at a tiny size (the `tiny` preset, 8² → 32²) on whatever Vulkan adapter is here (on a CPU-only
# machine: Mesa's software driver, `apt-get install mesa-vulkan-drivers libvulkan1`). Fails when the kit is over
# 60 MB, when a run fails, or when WebGPU and the CPU provider disagree. About 2–3 minutes on 2 cores (packing).
# Usage: bash tools/gpu-kit-check.sh [PRESETS] [SIZE]     (defaults: tiny 8)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/tadsr-gpu-kit-check.XXXXXX")
trap 'rm -rf "$T"' EXIT
bash "$ROOT/tools/gpu-kit.sh" "$T/kit.tar.xz" >/dev/null
tar -C "$T" -xf "$T/kit.tar.xz"
KIT_PRESETS="${1:-tiny}" KIT_SIZE="${2:-8}" KIT_REPEATS=1 KIT_WORK="$T/work" "$T/tadsr-gpu-kit/bench.sh" 2>"$T/bench.err" | tee "$T/bench.out"
grep -q '^parity: OK$' "$T/bench.out" || { cat "$T/bench.err" >&2; echo "gpu-kit-check: FAILED" >&2; exit 1; }
grep -q '| webgpu | [0-9]' "$T/bench.out" || { echo "gpu-kit-check: no WebGPU timing" >&2; exit 1; }
echo "gpu-kit-check: OK ($(du -h "$T/kit.tar.xz" | cut -f1) kit)"
