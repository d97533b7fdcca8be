"""Adapt and export: adapt a run's meta-learned model to one task's support set, then save the adapted
network as a ``torch.export`` program (``.pt2``, read by ``torch.export.load``) or as ONNX (onnxruntime), to
run without the studio.  TorchScript (``torch.jit``, deprecated by PyTorch) is kept as a legacy format.

Gradient-based learners (MAML and its relatives) adapt by inner SGD steps: the export is the network
with its adapted weights.  Learners that adapt in closed form from the support set (Prototypical
Networks, ridge and attention heads) export their prediction with that support set built in: a module
mapping inputs to predictions.  Either way the exported file maps a batch of inputs (the family's
input shape, e.g. (n, 1) for a sinusoid or (n, C, H, W) for images) to regression values or class
scores.  A ``.json`` file beside it says what goes in and what comes out.  Learners that build their
classifier from the support set adapt to a folder of any number of new classes; the others need as many
classes as their head has outputs (:meth:`MetaLearner.check_ways`).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from studio.config import ConfigError, atomic_write_bytes, atomic_write_text, load_preset
from studio.engine.algorithms import build_learner
from studio.engine.algorithms.base import MetaLearner, Params
from studio.engine.algorithms.gradient import GradientLearner
from studio.engine.protocol import batch_norm_mode, evaluation_family
from studio.engine.tasks import TaskFamily, build_family
from studio.export.adapted_modules import SupportBound, SupportNormalised, with_weights
from studio.export.model_files import load_model, read_learner_file
from studio.export.support_sets import SupportSet, csv_group_support, heldout_support, image_folder_support

FORMATS = ("export", "onnx", "torchscript")  # torchscript: legacy
ONNX_EXTRA = "pip install 'meta-learning-studio[onnx]'  (or: pip install onnx onnxscript onnxruntime)"


@dataclass(frozen=True)
class AdaptedModel:
    """A network adapted to one task: ``module`` maps (n, *input shape) inputs to outputs, on the CPU."""

    module: nn.Module
    support: SupportSet
    steps: int
    algorithm: str
    task_kind: str
    run_dir: Path

    def example(self) -> torch.Tensor:
        """A batch of real inputs (at least two, so export keeps the batch size free)."""
        x = self.support.x
        return x if len(x) >= 2 else torch.cat([x, x])


def adapt_run(
    run_dir: str | Path,
    task: int = 0,
    csv_group: str | None = None,
    image_folder: str | Path | None = None,
    steps: int | None = None,
) -> AdaptedModel:
    """Adapt the run's model to held-out task ``task``, or to a CSV group, or to a folder of new classes."""
    run_dir = Path(run_dir)
    preset = load_preset(run_dir / "preset.toml")
    if csv_group is not None and image_folder is not None:
        raise ConfigError("choose one task: a held-out task, a CSV group or an image folder")
    heldout = csv_group is None and image_folder is None
    family = evaluation_family(preset, "test") if heldout else build_family(preset.task, splits=())
    if csv_group is not None:
        support = csv_group_support(family, csv_group)
    elif image_folder is not None:
        support = image_folder_support(family, image_folder)
    else:
        support = heldout_support(preset, family, task)
    steps = getattr(preset.algorithm, "inner_steps", 0) if steps is None else steps
    if steps < 0:
        raise ConfigError.at("steps", f"must be >= 0, got {steps}")
    learner, params = _learner(run_dir, preset, family.kind)
    learner = learner.for_evaluation(_ways(support, family), batch_norm_mode(preset), _ways_field(image_folder))
    params = learner.evaluation_params(params)
    module = _adapted_module(learner, params, support, steps)
    return AdaptedModel(module.eval(), support, steps, preset.algorithm.name, family.kind, run_dir)


def _ways(support: SupportSet, family: TaskFamily) -> int | None:
    """How many classes the adapted model tells apart: a folder's, else the family's (None for regression)."""
    if support.class_names:
        return len(support.class_names)
    return family.output_dim if family.kind == "classification" else None


def _ways_field(image_folder: str | Path | None) -> str:
    return "task.ways" if image_folder is None else f"the image folder {image_folder}"


def task_sources(run_dir: str | Path) -> dict[str, object]:
    """What :func:`adapt_run` can adapt this run to (for a task picker): held-out tasks always, the CSV's
    groups for a tabular preset, a folder of new classes for an image preset (how many classes it trained on,
    and whether its learner takes a folder of any number of classes)."""
    preset = load_preset(Path(run_dir) / "preset.toml")
    family = build_family(preset.task)
    images = getattr(family, "store", None) is not None
    return {
        "heldout": True,
        "csv_groups": sorted(getattr(family, "tensors", None) or ()),
        "image_folder_classes": family.output_dim if images else None,
        "any_classes": images and preset.algorithm.any_ways,
    }


def _learner(run_dir: Path, preset, kind: str) -> tuple[MetaLearner, Params]:
    """The run's learner on the CPU with all its meta-parameters (the network's and ``learner.safetensors``)."""
    learner = build_learner(preset.algorithm, load_model(run_dir), kind)
    params = learner.init_parameters()
    saved = read_learner_file(run_dir)
    if saved is not None:
        params = learner.restore_extra_state(params, saved)
    elif learner.extra_state(params):
        raise ConfigError(
            f"{run_dir}: '{preset.algorithm.name}' needs its learned meta-parameters (learner.safetensors)"
        )
    return learner, params


def _adapted_module(learner: MetaLearner, params: Params, support: SupportSet, steps: int) -> nn.Module:
    if not isinstance(learner, GradientLearner):
        return SupportBound(learner, {k: v.detach() for k, v in params.items()}, support.x, support.y)
    network = learner.as_module(with_weights(learner.model, learner.adapt(params, support.x, support.y, steps)), params)
    return SupportNormalised(network, support.x) if learner.batch_norm == "support" else network


def adapted_outputs(adapted: AdaptedModel, x: torch.Tensor) -> torch.Tensor:
    """The adapted model's outputs for ``x`` in PyTorch: what an exported file must reproduce."""
    with torch.no_grad():
        return adapted.module(x)


def export_torchscript(adapted: AdaptedModel, path: str | Path) -> Path:
    """Trace the adapted model and save it as TorchScript (``torch.jit.load`` reads it back); legacy: PyTorch
    deprecates TorchScript in favour of ``torch.export`` (:func:`export_program`)."""
    buffer = io.BytesIO()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer and deprecation notes; the tests check the result
        torch.jit.save(torch.jit.trace(adapted.module, adapted.example()), buffer)
    atomic_write_bytes(path, buffer.getvalue())
    return Path(path)


def export_program(adapted: AdaptedModel, path: str | Path) -> Path:
    """Save the adapted model as a ``torch.export`` program (batch size free): ``torch.export.load(path)
    .module()`` runs it with PyTorch alone."""
    batch = torch.export.Dim("batch", min=1)
    try:
        with _quiet(), torch.no_grad():
            program = torch.export.export(adapted.module, (adapted.example(),), dynamic_shapes=({0: batch},))
    except Exception as error:  # torch.export raises many kinds
        raise ConfigError(
            f"'{adapted.algorithm}' could not be exported by torch.export ({_first_line(error)})"
        ) from None
    buffer = io.BytesIO()
    torch.export.save(program, buffer)
    atomic_write_bytes(path, buffer.getvalue())
    return Path(path)


def export_onnx(adapted: AdaptedModel, path: str | Path) -> Path:
    """Export the adapted model as ONNX (input ``x``, output ``y``, batch size free); needs the onnx extra."""
    _require_onnx()
    batch = torch.export.Dim("batch", min=1)
    try:
        with _quiet(), torch.no_grad():
            program = torch.onnx.export(
                adapted.module, (adapted.example(),), input_names=["x"], output_names=["y"],
                dynamic_shapes=({0: batch},), dynamo=True, verbose=False,
            )  # fmt: skip
    except Exception as error:  # torch.export and the ONNX translation raise many kinds
        raise ConfigError(
            f"'{adapted.algorithm}' could not be exported to ONNX ({_first_line(error)}); "
            "export it as torchscript instead"
        ) from None
    atomic_write_bytes(path, program.model_proto.SerializeToString())
    return Path(path)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence the exporter's progress lines, warnings and log records (failures come back as ConfigError)."""
    logger = logging.getLogger("torch.onnx")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _require_onnx() -> None:
    missing = [name for name in ("onnx", "onnxscript") if not _importable(name)]
    if missing:
        raise ConfigError(f"ONNX export needs {' and '.join(missing)}, which are not installed: {ONNX_EXTRA}")


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def _first_line(error: BaseException) -> str:
    """The first line of the innermost cause (the exporter wraps the useful message, e.g. an op with no ONNX form)."""
    while error.__cause__ is not None:
        error = error.__cause__
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(error)).strip()  # no terminal colours in a message
    return text.splitlines()[0] if text else type(error).__name__


def describe(adapted: AdaptedModel, fmt: str) -> dict:
    """What the exported file takes and gives, and where it came from (written beside it as JSON)."""
    shape = list(adapted.support.x.shape[1:])
    classes = adapted.task_kind == "classification"
    document = {
        "format": fmt,
        "run": str(adapted.run_dir),
        "algorithm": adapted.algorithm,
        "adapted_to": adapted.support.description,
        "support_examples": len(adapted.support.x),
        "inner_steps": adapted.steps,
        "input": {"name": "x", "shape": ["batch", *shape], "dtype": "float32"},
        "output": {"name": "y", "meaning": "class scores (argmax is the class)" if classes else "regression values"},
    }
    if adapted.support.class_names:
        document["class_names"] = list(adapted.support.class_names)
    if adapted.support.query is not None:
        document["query_loss_after_adapting"] = query_loss(adapted)
    return document


def query_loss(adapted: AdaptedModel) -> float:
    """The adapted model's loss on its held-out task's query set."""
    from studio.engine.losses import LOSSES

    x, y = adapted.support.query
    return float(LOSSES[adapted.task_kind](adapted_outputs(adapted, x), y))


def adapt_and_export(run_dir: str | Path, out: str | Path, fmt: str, **task) -> Path:
    """Adapt the run's model (``task``: as :func:`adapt_run` takes) and write it as ``fmt`` to ``out``,
    with ``out`` + ``.json`` describing it.  Returns ``out``."""
    if fmt not in FORMATS:
        raise ConfigError.at("format", f"must be one of {', '.join(FORMATS)}, got '{fmt}'")
    if fmt == "onnx":
        _require_onnx()  # before adapting: say what is missing first
    adapted = adapt_run(run_dir, **task)
    writer = {"export": export_program, "onnx": export_onnx, "torchscript": export_torchscript}[fmt]
    path = writer(adapted, out)
    atomic_write_text(f"{path}.json", json.dumps(describe(adapted, fmt), indent=2) + "\n")
    return path
