#!/usr/bin/env bash
# Table 1 on equal terms (README "Table 1"): every system in one run per protocol, blind rows given the estimator
# chosen on BSDS200 (data/results/estimator-selection-*.md), KB-SR Small 2.5 h as the paired reference.
# Journaled: running it again continues where it stopped.   usage: data/results/table1-fair.sh
set -euo pipefail
kbsr=${KBSR:-kbsr}
W="KB-SR Small 2.5 h=data/runs/small-base-s2/kbsr-small-base-seed2.ckpt|IKC Small=data/weights/ikc-small-fixed.ckpt"
W="$W|DAN Small=data/weights/dan-small.ckpt|SRCNN-CAB Small=data/weights/srcnn-cab-small.ckpt"
W="$W|SRMD-NF Small=data/weights/srmd-nf-small.ckpt|SRResNet-concat Small=data/weights/srresnet-concat-small.ckpt"
W="$W|SFTMD Small=data/weights/sftmd-small.ckpt"
IFS='|' read -ra WEIGHTS <<< "$W"
args=(--weights "${WEIGHTS[@]}" --kernel-estimator "KB-SR K_T=data/runs/small-base-s2/kbsr-small-base-seed2.ckpt"
      --reference "KB-SR Small 2.5 h" --sets Set5,Set14,BSDS100)
resume() { [[ -f $1-journal.csv ]] && echo --resume || true; }
"$kbsr" eval "${args[@]}" --sigmas 0.2,1.3,2.6 --out data/results/table1-fair $(resume data/results/table1-fair)
"$kbsr" eval "${args[@]}" --protocol gaussian8 --out data/results/table1-fair-gaussian8 $(resume data/results/table1-fair-gaussian8)
