#!/usr/bin/env bash
# Train the small-taef2 TADSR model on a CPU: TAEF2 (pretrained, frozen decoder; time-aware encoder trained with
# LoRA + time layers), a latent-diffusion teacher UNet in TAEF2's latent space, then TADSR distillation with
# ST-LPIPS. One command per stage, each resumable with --resume.
#
#   models/small-taef2/train.sh data                 # flat folder of links to the HQ photos (tadsr reads one folder)
#   models/small-taef2/train.sh teacher  [--resume]  # latent-diffusion UNet on TAEF2 latents of 128² HQ crops
#   models/small-taef2/train.sh distill  [--resume]  # TADSR distillation (TAE + TAVSD + blurred MSE + ST-LPIPS),
#                                                    # steps 1–500 at lr 5e-4 (distill.json)
#   models/small-taef2/train.sh distill-decay        # the same run continued from step 500 at lr 1e-4
#                                                    # (distill-decay.json, always --resume)
#
# Needs models/taef2/vae.safetensors (committed; remade by tools/convert_taesd.py convert) and the ST-LPIPS weights
# named by distill.json's "lpipsWeights" (tools/convert_stlpips.py; see the README's perceptual-loss section).
# Runs (log.jsonl, checkpoints/, model/) go to $TADSR_RUNS (default ~/tadsr-runs/small-taef2), linked as
# runs/small-taef2 in the repo root (git-ignored): the configs name their paths relative to this folder.
# HQ photos: $TADSR_TRAIN_DATA (default ../shared/data/train). Never DRealSR. The CLI: $TADSR (default node bin/tadsr.js).
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=models/small-taef2
RUNS=${TADSR_RUNS:-$HOME/tadsr-runs/small-taef2}
DATA=${TADSR_TRAIN_DATA:-../shared/data/train}
read -r -a TADSR <<< "${TADSR:-node bin/tadsr.js}"

link_runs() {
  mkdir -p "$RUNS" runs
  ln -sfn "$RUNS" runs/small-taef2
}

make_data() {
  link_runs
  tools/link-train-data.sh "$DATA" "$RUNS/hq"
}

stage="${1:-}"
shift || true
case "$stage" in
  data) make_data ;;
  teacher) link_runs; "${TADSR[@]}" pretrain --config "$HERE/pretrain-unet.json" --quiet "$@" ;;
  distill) link_runs; "${TADSR[@]}" train --config "$HERE/distill.json" --quiet "$@" ;;
  distill-decay) link_runs; "${TADSR[@]}" train --config "$HERE/distill-decay.json" --quiet --resume "$@" ;;
  *)
    sed -n '2,17p' "$0"
    exit 2
    ;;
esac
