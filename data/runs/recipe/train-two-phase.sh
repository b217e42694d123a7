#!/usr/bin/env bash
# KB-SR Small's 2.5 h recipe as a step budget (data/runs/recipe/README.md): Adam 3e-4 for 2256 steps, then 1.5e-4 to
# step 7858 from that checkpoint with its Adam state — the step counts the 2.5 h KB-SR Small (seed 2) reached in its
# 3900 s + 5100 s. T91 + BSDS200:train, validated on BSDS200:val. Steps, not seconds, so that every variant sees the
# same batches whatever else the CPU is doing. Running the script again after an interruption continues the run.
#   usage: train-two-phase.sh RUN_FOLDER [train options that make the variant, e.g. --set loss.srEveryStage=1]
set -euo pipefail
out=$1; shift
kbsr=${KBSR:-kbsr}
common=(--preset Small --data T91,BSDS200:train --batch 8 --patch 96 --seed 2
        --set lrSchedule=constant --set gradClip=10 --set validateEvery=1000 --set validationImages=10
        --set 'validationSigmas=[0.5,1.5,3.0]' --set checkpointEvery=250 --set logEvery=25)
phase() {   # phase FOLDER STEPS [train options...]
  local folder=$1 steps=$2; shift 2
  if [[ -f $folder/checkpoints/last.ckpt ]]; then
    "$kbsr" train --resume --out "$folder" --steps "$steps"
  else
    "$kbsr" train "${common[@]}" "$@" --steps "$steps" --out "$folder"
  fi
}
phase "$out/phase1" 2256 --learning-rate 3e-4 "$@"
phase "$out/phase2" 7858 --learning-rate 1.5e-4 --init "$out/phase1/checkpoints/last.ckpt" "$@"
