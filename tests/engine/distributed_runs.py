"""Runs every algorithm of the distributed acceptance test in one torchrun launch (see test_distributed.py).

``python -m torch.distributed.run --nproc-per-node 2 tests/engine/distributed_runs.py OUT`` trains each
preset of :data:`CASES` under the launch's process group in float64, and rank 0 writes
``OUT/NAME.safetensors`` (the final meta-parameters and the meta-loss per iteration) for
each, plus ``OUT/resumable``, a run folder of maml (checkpointed) for the resume test.
The test runs the same presets in one process and compares.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch
from safetensors.torch import save_file

from studio.config import preset_from_dict
from studio.engine import Training
from studio.engine.distributed import leave
from studio.engine.events import Evaluation, StepMetrics
from studio.export import RunRecorder, prepare_run_dir

ITERATIONS = 6
SINE = {"family": "sinusoid", "shots": 5, "queries": 5}
BLOBS = {"family": "blobs2d", "ways": 3, "shots": 2, "queries": 3}
MLP = {"kind": "mlp", "hidden": [16, 16], "activation": "tanh"}
CASES = {
    "maml": (SINE, MLP, {"name": "maml", "inner_lr": 0.05, "inner_steps": 2}),
    "fomaml": (SINE, MLP, {"name": "maml", "inner_lr": 0.05, "inner_steps": 2, "first_order": True}),
    "metasgd": (SINE, MLP, {"name": "metasgd", "inner_lr": 0.05, "inner_steps": 1}),
    "reptile": (SINE, MLP, {"name": "reptile", "inner_lr": 0.05, "inner_steps": 3}),
    "protonet": (BLOBS, MLP, {"name": "protonet"}),
}


def preset(name: str, evaluation: dict | None = None, **training):
    """Case ``name``: five tasks per meta-batch (uneven shards over two processes), seven held-out tasks."""
    task, model, algorithm = CASES[name]
    settings = {"meta_batch_size": 5, "iterations": ITERATIONS, "eval_every": 3, "eval_tasks": 7, "device": "cpu"}
    data = {"seed": 3, "task": task, "model": model, "algorithm": algorithm, "training": {**settings, **training}}
    return preset_from_dict({**data, "evaluation": evaluation or {}})


def curve_and_weights(training: Training) -> dict[str, torch.Tensor]:
    """The meta-loss of each iteration (``meta_loss``), the held-out loss and its CI at each evaluation
    (``loss_mean``, ``loss_ci95``: tasks shared among the processes) and the final meta-parameters (``param.NAME``)."""
    events = list(training.events())
    losses = [e.meta_loss for e in events if isinstance(e, StepMetrics)]
    evaluations = [e for e in events if isinstance(e, Evaluation)]
    final = {f"param.{k}": v.detach().clone() for k, v in training.params.items()}
    held_out = {key: torch.tensor([getattr(e, key) for e in evaluations]) for key in ("loss_mean", "loss_ci95")}
    return {"meta_loss": torch.tensor(losses, dtype=torch.float64), **held_out, **final}


def record_resumable(folder: Path) -> None:
    """A maml run of ITERATIONS iterations with a checkpoint every 3, recorded by rank 0 (with a baseline)."""
    baseline = {"baselines": ["pretrain"], "pretrain_iterations": 2}
    training = Training(preset("maml", evaluation=baseline, checkpoint_every=3))
    recorder = RunRecorder.for_training(prepare_run_dir(folder), training) if training.world.is_main else None
    for event in training.events():
        if recorder is not None:
            recorder.record(event)


def main(out: Path) -> None:
    torch.set_default_dtype(torch.float64)
    for name in CASES:
        training = Training(preset(name))
        result = curve_and_weights(training)
        if training.world.is_main:
            save_file({k: v.contiguous() for k, v in result.items()}, str(out / f"{name}.safetensors"))
    record_resumable(out / "resumable")
    leave()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
