#!/usr/bin/env bash
# Reproduce the small-vae16 TADSR model (models/default) on a CPU: one command per stage, each resumable.
#
#   models/small-vae16/train.sh data                 # flat folder of links to the HQ photos (tadsr reads one folder)
#   models/small-vae16/train.sh vae      [--resume]  # stage 1: VAE (L1 + KL) on 128² HQ crops
#   models/small-vae16/train.sh teacher  [--resume]  # stage 2: latent-diffusion UNet on the frozen VAE's latents
#   models/small-vae16/train.sh decoder  [--resume]  # stage 2b: fine-tune the VAE decoder only (latents unchanged)
#   models/small-vae16/train.sh distill  [--resume]  # stage 3: TADSR distillation (TAE + TAVSD) on the stage-2 teacher
#   models/small-vae16/train.sh distill-ft [--resume] # stage 3b: stage 3's student (step 370) continued with the
#                                                    # fine-tuned decoder of stage 2b: the shipped student
#   models/small-vae16/train.sh ablation [--resume]  # same budget: baseline, w/o TAE, w/o TAVSD (3 runs in parallel)
#   models/small-vae16/train.sh ablation-seed N [--resume]  # all four variants again at 200 steps with seed N
#                                                    # (4 runs in parallel, to distill-<variant>-seedN)
#   models/small-vae16/train.sh export               # distill-ft/model → models/default (F16 weights)
#   models/small-vae16/train.sh all                  # data vae teacher distill decoder distill-ft export
#
# Runs (logs log.jsonl, checkpoints/, model/) go to $TADSR_RUNS (default ~/tadsr-runs/small-vae16), linked as
# runs/small-vae16 in the repo root (git-ignored) because the configs name their paths relative to this folder.
# HQ photos: $TADSR_TRAIN_DATA (default ../shared/data/train, one subfolder per source). Never DRealSR.
# The CLI: $TADSR (default "node bin/tadsr.js", built by npm install).
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=models/small-vae16
RUNS=${TADSR_RUNS:-$HOME/tadsr-runs/small-vae16}
DATA=${TADSR_TRAIN_DATA:-../shared/data/train}
read -r -a TADSR <<< "${TADSR:-node bin/tadsr.js}"

link_runs() {
  mkdir -p "$RUNS" runs
  # never repoint a link that a running stage may be writing through: say so instead
  if [[ -L runs/small-vae16 && "$(readlink runs/small-vae16)" != "$RUNS" ]]; then
    echo "train.sh: runs/small-vae16 points to $(readlink runs/small-vae16), not \$TADSR_RUNS=$RUNS; remove the link first if no run uses it" >&2
    exit 2
  fi
  ln -sfn "$RUNS" runs/small-vae16
}

make_data() {
  link_runs
  tools/link-train-data.sh "$DATA" "$RUNS/hq"
}

stage="${1:-}"
shift || true
case "$stage" in
  data) make_data ;;
  vae) link_runs; "${TADSR[@]}" pretrain --config "$HERE/pretrain-vae.json" --quiet "$@" ;;
  teacher) link_runs; "${TADSR[@]}" pretrain --config "$HERE/pretrain-unet.json" --quiet "$@" ;;
  decoder) link_runs; "${TADSR[@]}" pretrain --config "$HERE/decoder-ft.json" --quiet "$@" ;;
  distill) link_runs; "${TADSR[@]}" train --config "$HERE/distill-full.json" --quiet "$@" ;;
  distill-ft)
    link_runs
    if [[ " $* " != *" --resume "* ]]; then
      # start from stage 3's last checkpoint: same student, optimiser state and data order, new frozen decoder
      from="$RUNS/distill-full/checkpoints/step-000370"
      [[ -d $from ]] || { echo "train.sh distill-ft: $from is missing (run the distill stage first)" >&2; exit 2; }
      [[ ! -e $RUNS/distill-ft/checkpoints ]] || { echo "train.sh distill-ft: $RUNS/distill-ft already started: add --resume" >&2; exit 2; }
      mkdir -p "$RUNS/distill-ft/checkpoints"
      cp -r "$from" "$RUNS/distill-ft/checkpoints/"
      basename "$from" > "$RUNS/distill-ft/checkpoints/latest"
    fi
    "${TADSR[@]}" train --config "$HERE/distill-ft.json" --quiet --resume
    ;;
  ablation)
    link_runs
    pids=()
    for a in baseline no-tae no-tavsd; do
      "${TADSR[@]}" train --config "$HERE/distill-$a.json" --quiet "$@" > "$RUNS/distill-$a.out" 2>&1 &
      pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p"; done
    ;;
  ablation-seed)
    link_runs
    seed="${1:?usage: train.sh ablation-seed N [--resume]}"
    shift
    pids=()
    for a in full baseline no-tae no-tavsd; do
      "${TADSR[@]}" train --config "$HERE/distill-$a.json" --seed "$seed" --steps 200 --out "runs/small-vae16/distill-$a-seed$seed" \
        --quiet "$@" > "$RUNS/distill-$a-seed$seed.out" 2>&1 &
      pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p"; done
    ;;
  export) npx tsx bench/shipped-model-export.ts runs/small-vae16/distill-ft/model models/default ;;
  all)
    "$0" data && "$0" vae && "$0" teacher && "$0" distill && "$0" decoder && "$0" distill-ft && "$0" export
    ;;
  *)
    sed -n '2,21p' "$0"
    exit 2
    ;;
esac
