#!/usr/bin/env bash
# The measurements of MODEL_CARD.md, one command per table (DRealSR is read by path, never copied or trained on).
#
#   models/small-vae16/evaluate.sh sweep [MODEL]   # t_s 100…900 of MODEL (default models/default) + bicubic, with
#                                                  # the UpscalerJS peers of $OUT/peers.json when it exists; HTML report
#   models/small-vae16/evaluate.sh ablation SUFFIX # t_s = 500 of the four variants distill-{full,baseline,no-tae,
#                                                  # no-tavsd}SUFFIX/model (SUFFIX "" for seed 0, "-seed1" for seed 1)
#   models/small-vae16/evaluate.sh recon           # VAE reconstruction (encode → decode, no SR) of the first 16 HR:
#                                                  # the stage-1 VAE (teacher/model) and its fine-tuned decoder
#   models/small-vae16/evaluate.sh peers           # UpscalerJS slim / medium on all 93, thick on 15 → $OUT/peers.json
#   models/small-vae16/evaluate.sh speed           # bench/shipped-model.ts: ms/image and the tiled 1024×768 input
#
# Results go to $OUT (default /tmp/tadsr-eval-small-vae16: they hold DRealSR images, so not in the repo).
# Runs: $TADSR_RUNS (default ~/tadsr-runs/small-vae16). The CLI: $TADSR (default "node bin/tadsr.js").
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${TADSR_RUNS:-$HOME/tadsr-runs/small-vae16}
OUT=${OUT:-/tmp/tadsr-eval-small-vae16}
D=../shared/data/drealsr
read -r -a TADSR <<< "${TADSR:-node bin/tadsr.js}"
mkdir -p "$OUT"

stage="${1:-}"
shift || true
case "$stage" in
  sweep)
    model="${1:-models/default}"
    peers=()
    [[ -f $OUT/peers.json ]] && peers=(--peers "$OUT/peers.json")
    "${TADSR[@]}" eval-model --model "$model" --lq $D/lr --hr $D/hr --t-s 100,300,500,700,900 \
      --report "$OUT/report-$(basename "$model")" "${peers[@]}" --quiet | tee "$OUT/sweep-$(basename "$model").txt"
    ;;
  ablation)
    suffix="${1-}"
    pids=()
    for a in full baseline no-tae no-tavsd; do
      model="$RUNS/distill-$a$suffix/model"
      [[ $a == full && -z $suffix ]] && model="$RUNS/distill-full/model-step200"
      "${TADSR[@]}" eval-model --model "$model" --lq $D/lr --hr $D/hr --t-s 500 --json --quiet > "$OUT/abl-$a$suffix.json" &
      pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p"; done
    for a in full baseline no-tae no-tavsd; do
      node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); const m=r.rows.find((x)=>x.tS===500); console.log(process.argv[2].padEnd(18), m.psnr.toFixed(2), m.ssim.toFixed(3), m.niqe.toFixed(2))' "$OUT/abl-$a$suffix.json" "$a$suffix"
    done
    ;;
  recon)
    for m in "$RUNS/teacher/model" "$RUNS/decoder-ft/model"; do npx tsx bench/vae-reconstruction.ts --model "$m" --limit 16; done
    ;;
  peers) npx tsx bench/peers-upscalerjs.ts --thick-limit 15 --no-tiled --json "$OUT/peers.json" ;;
  speed) npx tsx bench/shipped-model.ts --images 10 --thick-images 3 --no-thick-tiled ;;
  *)
    sed -n '2,14p' "$0"
    exit 2
    ;;
esac
