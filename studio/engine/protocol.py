"""The evaluation protocol: what tasks a trained model is scored on, and how.

Test tasks may have other numbers of ways and shots than training (``evaluation.ways``,
``evaluation.shots``, or ``task.ways`` changed at ``studio eval``): Snell et al. trained 60-way and
tested 5- and 20-way.  Learners that build their classifier from the support set take any N; those
whose network's head is the classifier refuse another N (:meth:`MetaLearner.check_ways`).  Batch
normalisation at evaluation uses the query batch's statistics (transductive) or the support set's
(``evaluation.batch_norm``), by default as the algorithm's paper evaluated.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from studio.config import ConfigError, Preset, TaskConfig

if TYPE_CHECKING:  # the window labels its plots with the protocol before torch has loaded
    from studio.engine.algorithms.base import MetaLearner
    from studio.engine.tasks import TaskFamily


def evaluation_task(preset: Preset) -> TaskConfig:
    """The preset's task section with ``evaluation.ways`` and ``evaluation.shots`` applied where set."""
    changes = {}
    if preset.evaluation.shots:
        changes["shots"] = preset.evaluation.shots
    if preset.evaluation.ways:
        if not hasattr(preset.task, "ways"):
            raise ConfigError.at(
                "evaluation.ways", f"applies to classification tasks; task.family '{preset.task.family}' has no classes"
            )
        changes["ways"] = preset.evaluation.ways
    return dataclasses.replace(preset.task, **changes)


def evaluation_family(preset: Preset, split: str) -> TaskFamily:
    """The task family evaluation draws ``split`` tasks from (only that split is checked)."""
    from studio.engine.tasks import build_family

    return build_family(evaluation_task(preset), splits=(split,))


def batch_norm_mode(preset: Preset) -> str:
    """``evaluation.batch_norm``, with ``auto`` resolved to the algorithm's paper protocol."""
    mode = preset.evaluation.batch_norm
    return preset.algorithm.paper_batch_norm if mode == "auto" else mode


def evaluation_learner(learner: MetaLearner, preset: Preset, family: TaskFamily) -> MetaLearner:
    """``learner`` set to score ``family``'s tasks under the preset's protocol (refuses a number of ways its
    head cannot give)."""
    ways = family.output_dim if family.kind == "classification" else None
    field = "evaluation.ways" if preset.evaluation.ways else "task.ways"
    return learner.for_evaluation(ways, batch_norm_mode(preset), field)


BATCH_NORM_WORDS = {"transductive": "transductive batch norm", "support": "batch norm from the support set"}


def evaluation_protocol(preset: Preset) -> dict[str, object]:
    """What evaluation scores (``summary.json``'s ``evaluation_protocol``): batch norm, and ways and shots."""
    task = evaluation_task(preset)
    protocol: dict[str, object] = {"batch_norm": batch_norm_mode(preset)}
    if hasattr(task, "ways"):
        protocol["ways"] = task.ways
    protocol["shots"] = task.shots
    return protocol


def protocol_label(preset: Preset) -> str:
    """The protocol in a few words for a plot's legend, e.g. '20-way 1-shot, batch norm from the support set'."""
    protocol = evaluation_protocol(preset)
    shape = [f"{protocol['ways']}-way {protocol['shots']}-shot"] if "ways" in protocol else []
    return ", ".join(shape + [BATCH_NORM_WORDS[protocol["batch_norm"]]])
