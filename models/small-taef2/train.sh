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
#   models/small-taef2/train.sh ablation no-lpips|no-tavsd   # distill's step-500 checkpoint continued like
#                                                    # distill-decay without one loss term (distill-decay-NAME.json)
#   models/small-taef2/train.sh ablation-grid [SEED...]  # the equal-budget ablation (100 steps each): full, no-tae,
#                                                    # no-tavsd, baseline (ablation-VARIANT.json) for seeds 0 1 2
#                                                    # (default) into $TADSR_RUNS/ablation/VARIANT-seedS; resumes
#                                                    # unfinished runs, skips finished ones; seed-major order
#   models/small-taef2/train.sh run NAME [--resume]  # any other distillation config of this folder (NAME.json),
#                                                    # from the teacher, e.g. distill-lr1e-4 (lr 1e-4 from step 0)
#   models/small-taef2/train.sh s1                   # the start of the fine-tunes (ft-*.json, "init"): the
#                                                    # shipped model's base as $TADSR_RUNS/s1/model (models/default
#                                                    # without its t_s adapter, F16; the third series used the F32
#                                                    # original); keeps one there
#   models/small-taef2/train.sh dial                 # the shipped model: S1 + ft-high-anchor100's step 100 as a
#                                                    # t_s adapter on from t_s 300 to 500 (tools/add-ts-adapter.ts),
#                                                    # F16 as $TADSR_RUNS/dial/model-f16
#   models/small-taef2/train.sh snapshot             # copy the teacher (F16) and the latest distillation checkpoint
#                                                    # into models/small-taef2/snapshot/ (committed, so the run
#                                                    # survives a change of machine)
#   models/small-taef2/train.sh restore              # put that snapshot back under $TADSR_RUNS (then distill-decay)
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
  # never repoint a link that a running stage may be writing through: say so instead
  if [[ -L runs/small-taef2 && "$(readlink runs/small-taef2)" != "$RUNS" ]]; then
    echo "train.sh: runs/small-taef2 points to $(readlink runs/small-taef2), not \$TADSR_RUNS=$RUNS; remove the link first if no run uses it" >&2
    exit 2
  fi
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
  ablation)
    link_runs
    name="${1:?usage: train.sh ablation no-lpips|no-tavsd [--resume]}"
    shift
    [[ -f $HERE/distill-decay-$name.json ]] || { echo "train.sh ablation: no $HERE/distill-decay-$name.json" >&2; exit 2; }
    if [[ ! -e $RUNS/distill-$name/checkpoints ]]; then
      from="$RUNS/distill/checkpoints/step-000500"
      [[ -d $from ]] || { echo "train.sh ablation: $from is missing (run the distill stage first)" >&2; exit 2; }
      mkdir -p "$RUNS/distill-$name/checkpoints"
      cp -r "$from" "$RUNS/distill-$name/checkpoints/"
      basename "$from" > "$RUNS/distill-$name/checkpoints/latest"
    fi
    "${TADSR[@]}" train --config "$HERE/distill-decay-$name.json" --quiet --resume "$@"
    ;;
  ablation-grid)
    link_runs
    seeds=("$@")
    [[ ${#seeds[@]} -gt 0 ]] || seeds=(0 1 2)
    for seed in "${seeds[@]}"; do
      for variant in full no-tae no-tavsd baseline; do
        cfg=$HERE/ablation-$variant.json
        out=runs/small-taef2/ablation/$variant-seed$seed
        steps=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).steps)' "$cfg")
        latest=$(cat "$out/checkpoints/latest" 2>/dev/null || true)
        if [[ $latest == "$(printf 'step-%06d' "$steps")" ]]; then echo "ablation-grid: $out finished"; continue; fi
        resume=(); [[ -n $latest ]] && resume=(--resume)
        echo "ablation-grid: $variant seed $seed -> $out ${resume[*]}"
        "${TADSR[@]}" train --config "$cfg" --seed "$seed" --out "$out" --quiet "${resume[@]}"
      done
    done
    ;;
  s1)
    link_runs
    if [[ -e runs/small-taef2/s1/model ]]; then echo "train.sh s1: runs/small-taef2/s1/model exists; kept"; exit 0; fi
    mkdir -p runs/small-taef2/s1
    cp -r models/default runs/small-taef2/s1/model
    # models/default is S1 plus its t_s adapter (fourth series): the fine-tunes start from S1 alone
    rm -f runs/small-taef2/s1/model/ts-adapter.safetensors
    node -e 'const fs = require("fs"); const p = process.argv[1]; const m = JSON.parse(fs.readFileSync(p, "utf8"));
      delete m.tsAdapter; delete m.files.tsAdapter; fs.writeFileSync(p, JSON.stringify(m, null, 2) + "\n");' runs/small-taef2/s1/model/model.json
    ;;
  dial)
    # the shipped model (fourth series): S1 with ft-high-anchor100's step 100 as its t_s adapter, on from 300 to 500
    link_runs
    [[ -e runs/small-taef2/s1/model ]] || "$0" s1
    [[ -d $RUNS/ft-high-anchor100/checkpoints/step-000100 ]] || "${TADSR[@]}" train --config "$HERE/ft-high-anchor100.json" --quiet
    npx tsx tools/add-ts-adapter.ts --config "$HERE/ft-high-anchor100.json" --step 100 --from 300 --to 500 --out runs/small-taef2/dial/model
    npx tsx bench/shipped-model-export.ts runs/small-taef2/dial/model runs/small-taef2/dial/model-f16 "$HERE/MODEL_CARD.md"
    echo "train.sh dial: runs/small-taef2/dial/model-f16 is what models/default holds"
    ;;
  run)
    link_runs
    name="${1:?usage: train.sh run NAME [--resume]}"
    shift
    [[ -f $HERE/$name.json ]] || { echo "train.sh run: no $HERE/$name.json" >&2; exit 2; }
    "${TADSR[@]}" train --config "$HERE/$name.json" --quiet "$@"
    ;;
  snapshot)
    link_runs
    snap=$HERE/snapshot
    mkdir -p "$snap/distill/checkpoints"
    npx tsx bench/shipped-model-export.ts runs/small-taef2/teacher/model "$snap/teacher" "$HERE/MODEL_CARD.md"
    sed -i "s|\"$PWD/|\"|g" "$snap/teacher/model.json"   # provenance paths relative to the repository
    latest=$(cat "$RUNS/distill/checkpoints/latest")
    for old in "$snap"/distill/checkpoints/step-*; do [[ -e $old && $(basename "$old") != "$latest" ]] && rm -r -- "$old"; done
    cp -r "$RUNS/distill/checkpoints/$latest" "$snap/distill/checkpoints/"
    echo "$latest" > "$snap/distill/checkpoints/latest"
    cp "$RUNS/distill/log.jsonl" "$snap/distill/log.jsonl"
    echo "snapshot: teacher + distill $latest in $snap"
    ;;
  restore)
    link_runs
    snap=$HERE/snapshot
    [[ -d $snap/teacher && -f $snap/distill/checkpoints/latest ]] || { echo "train.sh restore: no snapshot in $snap" >&2; exit 2; }
    [[ ! -e $RUNS/teacher/model && ! -e $RUNS/distill/checkpoints ]] || { echo "train.sh restore: $RUNS already holds a run; resume it instead" >&2; exit 2; }
    mkdir -p "$RUNS/teacher" "$RUNS/distill"
    cp -r "$snap/teacher" "$RUNS/teacher/model"
    cp -r "$snap/distill/checkpoints" "$RUNS/distill/checkpoints"
    cp "$snap/distill/log.jsonl" "$RUNS/distill/log.jsonl"
    echo "restored the teacher and distill checkpoint $(cat "$snap/distill/checkpoints/latest") into $RUNS"
    ;;
  *)
    sed -n '2,36p' "$0"
    exit 2
    ;;
esac
