"""``summary.json``: what a run achieved, on what, in how long."""

from __future__ import annotations

import dataclasses
import platform

import torch

from studio.engine.events import BaselineEvaluation, Evaluation, RunFinished, RunStarted
from studio.engine.protocol import evaluation_protocol


def evaluation_dict(evaluation: Evaluation | None) -> dict | None:
    if evaluation is None:
        return None
    return {k: v for k, v in dataclasses.asdict(evaluation).items() if v is not None}


def final_dict(finished: RunFinished) -> dict | None:
    """The run's final scores; for a ``pretrain``/``scratch`` run, with the fine-tuning chosen for them."""
    document = evaluation_dict(finished.final)
    if document is not None and finished.finetuning is not None:
        document["finetuning"] = dataclasses.asdict(finished.finetuning)
    return document


def baseline_dict(baseline: BaselineEvaluation) -> dict:
    """A baseline's scores, the fine-tuning chosen for it (``finetuning``) and what it was pretrained on."""
    document = evaluation_dict(baseline.evaluation)
    if baseline.finetuning is not None:
        document["finetuning"] = dataclasses.asdict(baseline.finetuning)
    if baseline.pretraining:
        document["pretraining"] = baseline.pretraining
    return document


def summary_dict(
    started: RunStarted,
    finished: RunFinished,
    wall_seconds: float,
    baselines: dict[str, BaselineEvaluation] | None = None,
) -> dict:
    """Final evaluation with its CI (and the baselines', when the preset asked), timings, device and versions."""
    from studio import __version__

    summary = {
        "name": started.preset.name,
        "algorithm": started.preset.algorithm.name,
        "task_family": started.preset.task.family,
        "seed": started.preset.seed,
        "status": finished.reason,
        "iterations": finished.iteration,
        "total_iterations": started.total_iterations,
        "final_evaluation": final_dict(finished),
        "evaluation_protocol": evaluation_protocol(started.preset),
        "train_seconds": round(finished.elapsed_seconds, 3),
        "wall_seconds": round(wall_seconds, 3),
        "tasks_per_second": round(finished.tasks_per_second, 1),
        "device": started.device,
        "parameter_count": started.parameter_count,
        "torch_version": torch.__version__,
        "python_version": platform.python_version(),
        "studio_version": __version__,
    }
    if baselines:
        summary["baselines"] = {name: baseline_dict(baseline) for name, baseline in baselines.items()}
    return summary
