#!/usr/bin/env bash
# The device check run on a lent GPU machine (which has python3 with torch, numpy,
# safetensors, pillow and pytest, but no PySide6): CUDA tests, the engine benchmarks
# on cuda and cpu, and the maml-sine preset end to end on cuda.
#   bash benchmarks/gpu_check.sh OUTDIR
set -uo pipefail
OUT=${1:-/tmp/gpu-check}
mkdir -p "$OUT"
export PYTHONPATH=$PWD PYTHONUNBUFFERED=1
python3 -c "import torch; print('torch', torch.__version__, torch.cuda.get_device_name(0))"
python3 -m pytest -q -p no:cacheprovider tests/engine/test_cuda.py tests/engine/test_maml.py 2>&1 | tail -3
python3 benchmarks/maml_speed.py --device cuda --iterations 300
python3 benchmarks/maml_speed.py --device cpu --iterations 100
[ -f benchmarks/conv4_speed.py ] && python3 benchmarks/conv4_speed.py --device cuda 2>&1 | tail -8
time python3 -m studio run presets/maml-sine.toml --device cuda --out "$OUT/maml-sine-cuda" --quiet
python3 -m studio eval "$OUT/maml-sine-cuda" --tasks 600 --steps 10 --device cuda
