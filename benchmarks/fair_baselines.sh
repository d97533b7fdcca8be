#!/bin/bash
# Issue #14 items 1-2: the pretrain (Chen et al. 2019 Baseline) and scratch baselines, their fine-tuning rate
# and step count chosen on validation tasks, against a ProtoNet, on glyphs and on a folder of glyph PNGs.
# Reduced scale so that it runs on a CPU (200 classes without rotations, Conv-4 with 32 filters, 300 ProtoNet
# iterations); prints what `studio eval` prints.  The pretrain baseline pretrains as Chen et al. did, on small
# batches (one task's 30 images a step, evaluation.pretrain_batch = 1; they used 16 images) for 2000 steps: the
# meta-learner's meta-batch of 8 tasks (240 images) for 400 steps gave features 3 points worse on new classes
# (benchmarks/pretrain_diagnosis.py).  Its body (frozen or fine-tuned) is chosen on the tuning tasks with the
# rate and step count (evaluation.pretrain_body = "chosen").  A part whose ProtoNet run is already there
# (summary.json) is only evaluated again.
# Usage: benchmarks/fair_baselines.sh [OUT] [both|glyphs|folder] [SETTING ...]  (on 2 loaded cores each part took
# 6 min for the ProtoNet with OMP_NUM_THREADS=1, 24 min without, and 35 min for its `studio eval`).  SETTINGs are
# task settings for both parts, e.g. `task.jitter=2.5 task.noise=0.2` for glyphs drawn less alike (harder), or
# `task.classes=1000` (the preset's own count; later settings win).  PRETRAIN_STEPS (2000) and
# PROTONET_ITERATIONS (300) set the two training lengths: 6000 steps of 30 images and 750 meta-batches of 240
# images show both the same number of images.
set -euo pipefail
OUT=${1:-/tmp/fair-baselines}
PARTS=${2:-both}
DATA=("${@:3}")
DATA_SET=()
for setting in "${DATA[@]}"; do DATA_SET+=(--set "$setting"); done
PY=${PYTHON:-python}
SMALL=(--set task.classes=200 --set task.rotations=false --set model.filters=32 "${DATA_SET[@]}")
BASE=(--set 'evaluation.baselines=["pretrain","scratch"]' --set "evaluation.pretrain_iterations=${PRETRAIN_STEPS:-2000}" --set evaluation.pretrain_batch=1
      --set 'evaluation.baseline_steps=[20,100]' --set 'evaluation.baseline_lrs=[0.01,0.1,0.5]' --set evaluation.tuning_tasks=10)
RUN=(--iterations "${PROTONET_ITERATIONS:-300}" --set training.eval_every=300 --set training.eval_tasks=50 --quiet --overwrite)
mkdir -p "$OUT"
if [ "$PARTS" != folder ]; then
  [ -f "$OUT/glyphs/summary.json" ] || $PY -m studio run protonet-glyphs "${RUN[@]}" "${SMALL[@]}" --out "$OUT/glyphs"
  $PY -m studio eval "$OUT/glyphs" --tasks 100 "${BASE[@]}"
fi
[ "$PARTS" = glyphs ] && exit 0
$PY - "$OUT/folder" "${DATA[@]}" <<'PYTHON'
import sys
from pathlib import Path

from PIL import Image

from studio.config import load_preset
from studio.engine.tasks import build_family
from studio.presets import resolve_preset_path

root = Path(sys.argv[1])
settings = ["task.classes=200", *sys.argv[2:]]  # the images carry the task settings: the folder run needs none
store = build_family(load_preset(resolve_preset_path("protonet-glyphs"), settings).task).store
for c in range(len(store.names)):
    (root / f"class{c:03d}").mkdir(parents=True, exist_ok=True)
    for i in range(int(store.counts[c])):
        Image.fromarray(store.pixels[int(store.starts[c]) + i, 0].numpy()).save(root / f"class{c:03d}" / f"{i:02d}.png")
PYTHON
FOLDER=(--set task.family=image_folder --set "task.root=$OUT/folder" --set task.rotations=false --set model.filters=32)
[ -f "$OUT/folder-run/summary.json" ] || $PY -m studio run protonet-glyphs "${RUN[@]}" "${FOLDER[@]}" --out "$OUT/folder-run"
$PY -m studio eval "$OUT/folder-run" --tasks 100 "${BASE[@]}"
