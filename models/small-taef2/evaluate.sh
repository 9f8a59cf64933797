#!/usr/bin/env bash
# The measurements of MODEL_CARD.md, one command per table (DRealSR is read by path, never copied or trained on).
#
#   models/small-taef2/evaluate.sh checkpoint RUN N [TS]   # export checkpoint N of $RUNS/RUN (config RUN.json) and
#                                                         # score it at t_s TS (default 500) on the first 12 pairs
#   models/small-taef2/evaluate.sh average OUT DIR DIR …  # checkpoint averaging (tools/average-models.ts)
#   models/small-taef2/evaluate.sh sweep [MODEL]          # t_s 100…900 of MODEL (default models/default) on all 93
#                                                         # pairs + bicubic + realesr-general-x4v3 (+ realesrgan-x4plus
#                                                         # when converted) in the same run; HTML report
#   models/small-taef2/evaluate.sh artefacts [MODEL]      # bench/artefacts.ts: borders, overshoot, chroma (24 images)
#   models/small-taef2/evaluate.sh speed [MODEL]          # bench/shipped-model.ts beside esrgan-slim and the GAN peer
#
# Results go to $OUT (default /tmp/tadsr-eval-small-taef2: they hold DRealSR images, so not in the repo).
# Runs: $TADSR_RUNS (default ~/tadsr-runs/small-taef2). The CLI: $TADSR (default "node bin/tadsr.js").
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=models/small-taef2
RUNS=${TADSR_RUNS:-$HOME/tadsr-runs/small-taef2}
OUT=${OUT:-/tmp/tadsr-eval-small-taef2}
D=../shared/data/drealsr
read -r -a TADSR <<< "${TADSR:-node bin/tadsr.js}"
mkdir -p "$OUT"

peer_models() {
  local p=realesr-general-x4v3
  [[ -d models/peers/realesrgan-x4plus ]] && p="$p,realesrgan-x4plus"
  echo "$p"
}

stage="${1:-}"
shift || true
case "$stage" in
  checkpoint)
    run="${1:?usage: evaluate.sh checkpoint RUN N [TS]}"; n="${2:?step}"; ts="${3:-500}"
    step=$(printf 'step-%06d' "$n")
    dir="$OUT/$run-$n"
    if [[ ! -d $dir/model ]]; then
      mkdir -p "$dir/checkpoints"
      cp -r "$RUNS/$run/checkpoints/$step" "$dir/checkpoints/"
      echo "$step" > "$dir/checkpoints/latest"
      # --resume on a finished step only writes $dir/model (no training step runs)
      "${TADSR[@]}" train --config "$HERE/$run.json" --out "$dir" --steps "$n" --resume --quiet
    fi
    "${TADSR[@]}" eval-model --model "$dir/model" --lq $D/lr --hr $D/hr --t-s "$ts" --limit 12 --quiet | tee "$dir/eval-12-$ts.txt"
    ;;
  average)
    out="${1:?usage: evaluate.sh average OUT MODEL MODEL …}"; shift
    npx tsx tools/average-models.ts --out "$out" "$@"
    ;;
  sweep)
    model="${1:-models/default}"
    "${TADSR[@]}" eval-model --model "$model" --lq $D/lr --hr $D/hr --t-s 100,300,500,700,900 \
      --peer-models "$(peer_models)" --report "$OUT/report-$(basename "$model")" --quiet | tee "$OUT/sweep-$(basename "$model").txt"
    ;;
  artefacts)
    model="${1:-models/default}"
    npx tsx bench/artefacts.ts --model "$model" --lq $D/lr --t-s 500 --limit 24
    ;;
  speed)
    model="${1:-models/default}"
    npx tsx bench/shipped-model.ts --model "$model" --images 10 --no-thick-tiled --thick-images 3 --also "$(peer_models)"
    ;;
  *)
    sed -n '2,15p' "$0"
    exit 2
    ;;
esac
