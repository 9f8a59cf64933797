#!/usr/bin/env bash
# The measurements of MODEL_CARD.md, one command per table (DRealSR is read by path, never copied or trained on).
#
#   models/small-taef2/evaluate.sh checkpoint RUN N [TS]   # export checkpoint N of $RUNS/RUN (config RUN.json) and
#                                                         # score it at t_s TS (default 500) on the first 12 pairs
#   models/small-taef2/evaluate.sh plot                   # quality-vs-steps.svg from the second series' `checkpoint`
#                                                         # reports in $OUT (tools/plot-quality-vs-steps.ts)
#   models/small-taef2/evaluate.sh average OUT DIR DIR …  # checkpoint averaging (tools/average-models.ts)
#   models/small-taef2/evaluate.sh sweep [MODEL]          # t_s 100…900 of MODEL (default models/default) on all 93
#                                                         # pairs + bicubic + realesr-general-x4v3 (+ realesrgan-x4plus
#                                                         # when converted) in the same run; HTML report
#   models/small-taef2/evaluate.sh artefacts [MODEL]      # bench/artefacts.ts: borders, overshoot, chroma (24 images)
#   models/small-taef2/evaluate.sh speed [MODEL]          # bench/shipped-model.ts beside esrgan-slim and the GAN peer
#   models/small-taef2/evaluate.sh ablation [SEED…]       # train.sh ablation-grid's runs: each run's checkpoints 50 and
#                                                         # 100 averaged (the shipped recipe), scored at t_s 300 and 700
#                                                         # on 41 held-out pairs (13th, 15th, … 93rd: none of the 12
#                                                         # that chose the recipe), then mean ± sd over seeds
#   models/small-taef2/evaluate.sh realism [MODEL]        # t_s 100…900 beside realesrgan-x4plus and x4v3 on every 8th
#                                                         # pair (12; the subset of ../shared/weights/README.md)
#   models/small-taef2/evaluate.sh subsets [MODEL]        # the `sweep` report of MODEL averaged over the first 12, the
#                                                         # 41 held-out and the every-8th pairs (tools/report-subsets.ts)
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

# a subset of DRealSR as folders of links under $OUT (nothing copied): pairs whose 0-based sorted index i passes FILTER
subset() {
  local name=$1 filter=$2
  local dir="$OUT/pairs-$name"
  if [[ ! -d $dir ]]; then
    mkdir -p "$dir/lr" "$dir/hr"
    mapfile -t lr < <(ls $D/lr | sort)
    mapfile -t hr < <(ls $D/hr | sort)
    [[ ${#lr[@]} -eq ${#hr[@]} ]] || { echo "evaluate.sh: $D/lr and $D/hr differ in length" >&2; exit 2; }
    for i in "${!lr[@]}"; do
      if (( $filter )); then
        ln -s "$(realpath "$D/lr/${lr[$i]}")" "$dir/lr/${lr[$i]}"
        ln -s "$(realpath "$D/hr/${hr[$i]}")" "$dir/hr/${hr[$i]}"
      fi
    done
  fi
  echo "$dir"
}

# export checkpoint N of run folder RUN (trained with CONFIG) as a model folder DIR/model
export_checkpoint() {
  local config=$1 run=$2 n=$3 dir=$4
  local step
  step=$(printf 'step-%06d' "$n")
  if [[ ! -d $dir/model ]]; then
    mkdir -p "$dir/checkpoints"
    cp -r "$run/checkpoints/$step" "$dir/checkpoints/"
    echo "$step" > "$dir/checkpoints/latest"
    # --resume on a finished step only writes $dir/model (no training step runs)
    "${TADSR[@]}" train --config "$config" --out "$dir" --steps "$n" --resume --quiet
  fi
}

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
    dir="$OUT/$run-$n"
    export_checkpoint "$HERE/$run.json" "$RUNS/$run" "$n" "$dir"
    "${TADSR[@]}" eval-model --model "$dir/model" --lq $D/lr --hr $D/hr --t-s "$ts" --limit 12 --json --quiet > "$dir/eval-12-$ts.json"
    node -e 'for (const r of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).rows) console.log(`${process.argv[2]} t_s ${r.tS}: PSNR-Y ${r.psnr.toFixed(2)} SSIM-Y ${r.ssim.toFixed(3)} NIQE ${r.niqe.toFixed(2)}`)' "$dir/eval-12-$ts.json" "$run@$n"
    ;;
  plot)
    npx tsx tools/plot-quality-vs-steps.ts --out "$HERE/quality-vs-steps.svg" --ts 500 --limit 12 \
      "TAVSD 0.25, lr 1e-4, seed 0 (shipped: mean of 50 + 100)=$OUT/distill-lr1e-4-tavsd0.25" \
      "TAVSD 0.25, lr 1e-4, seed 1=$OUT/distill-lr1e-4-tavsd0.25-seed1" \
      "TAVSD 1, lr 1e-4, seed 0=$OUT/distill-lr1e-4" "TAVSD 0.25, lr 5e-5, seed 0=$OUT/distill-lr5e-5-tavsd0.25"
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
  ablation)
    seeds=("$@")
    [[ ${#seeds[@]} -gt 0 ]] || seeds=(0 1 2)
    pairs=$(subset held 'i >= 12 && i % 2 == 0')
    mkdir -p "$OUT/ablation/reports"
    for seed in "${seeds[@]}"; do
      for variant in full no-tae no-tavsd baseline; do
        run="$RUNS/ablation/$variant-seed$seed"
        report="$OUT/ablation/reports/$variant-seed$seed.json"
        [[ -f $report ]] && continue
        [[ "$(cat "$run/checkpoints/latest" 2>/dev/null)" == step-000100 ]] || { echo "evaluate.sh ablation: $run has not finished (train.sh ablation-grid)"; continue; }
        dir="$OUT/ablation/$variant-seed$seed"
        for n in 50 100; do export_checkpoint "$HERE/ablation-$variant.json" "$run" "$n" "$dir/step-$n"; done
        [[ -d $dir/avg ]] || npx tsx tools/average-models.ts --out "$dir/avg" "$dir/step-50/model" "$dir/step-100/model"
        "${TADSR[@]}" eval-model --model "$dir/avg" --lq "$pairs/lr" --hr "$pairs/hr" --t-s 300,700 --json --quiet > "$report.part"
        mv "$report.part" "$report"
        echo "evaluate.sh ablation: $variant seed $seed scored"
      done
    done
    npx tsx tools/ablation-table.ts "$OUT/ablation/reports" | tee "$OUT/ablation/table.md"
    ;;
  realism)
    model="${1:-models/default}"
    [[ -d models/peers/realesrgan-x4plus ]] || { echo "evaluate.sh realism: convert realesrgan-x4plus first (README, GAN peers)" >&2; exit 2; }
    pairs=$(subset every8 'i % 8 == 0')
    "${TADSR[@]}" eval-model --model "$model" --lq "$pairs/lr" --hr "$pairs/hr" --t-s 100,300,500,700,900 \
      --peer-models "$(peer_models)" --report "$OUT/report-realism-$(basename "$model")" --quiet | tee "$OUT/realism-$(basename "$model").txt"
    ;;
  subsets)
    model="${1:-models/default}"
    npx tsx tools/report-subsets.ts "$OUT/report-$(basename "$model")/report.json"
    ;;
  *)
    sed -n '2,24p' "$0"
    exit 2
    ;;
esac
