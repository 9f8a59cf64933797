#!/usr/bin/env bash
# Link the HQ training photos into one flat folder (tadsr reads one folder): DATA/<source>/<file> becomes
# OUT/<source>_<file>, a symbolic link to the original (nothing is copied). Used by models/*/train.sh data.
#   tools/link-train-data.sh DATA OUT
set -euo pipefail
data="${1:?usage: tools/link-train-data.sh DATA OUT}"
out="${2:?usage: tools/link-train-data.sh DATA OUT}"
mkdir -p "$out"
for d in "$data"/*/; do
  for f in "$d"*; do
    case "${f,,}" in
      *.png | *.jpg | *.jpeg | *.bmp | *.tif | *.webp) ln -sfn "$(realpath "$f")" "$out/$(basename "$d")_$(basename "$f")" ;;
    esac
  done
done
echo "$(ls "$out" | wc -l) HQ images linked in $out"
