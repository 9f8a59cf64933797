#!/usr/bin/env bash
# GPU kit benchmark: ms per image of the `small` and `sd21-base` students on WebGPU vs the CPU provider, parity,
# adapter. Settings by environment: KIT_PRESETS ("small sd21-base"), KIT_SIZE (LQ side, 128 → 512² images),
# KIT_REPEATS (3), KIT_WORK (keep results there), KIT_KEEP=1. See bench.mjs.
set -euo pipefail
KIT=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
exec "$KIT/bin/node" "$KIT/bench.mjs" "$@"
