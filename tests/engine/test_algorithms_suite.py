"""Every registered algorithm: trains on each family it applies to, refuses the others, ships a preset,
saves its extra meta-parameters, and can be compared against the conventional baselines."""

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from studio.cli import main
from studio.config import ALGORITHMS as ALGORITHM_SETTINGS
from studio.config import ConfigError, load_preset, preset_from_dict, preset_to_dict, public_fields
from studio.engine import BaselineEvaluation, Evaluation, RunFinished, Training
from studio.engine.algorithms import algorithm_names, build_learner
from studio.engine.models import build_model
from studio.engine.registry import FAMILIES, LEARNERS
from studio.engine.tasks import build_family
from studio.presets import bundled_presets
from tests.engine.algorithm_helpers import GaussianBlobs, algorithm_config, small_preset
from tests.engine.image_fixtures import one_thread_fixture  # noqa: F401  (autouse: one torch thread)
from tests.engine.small_images import write_classes

ALGORITHMS = algorithm_names()
SUITE = {"anil", "attention", "maml", "metasgd", "pretrain", "reptile", "ridge_head", "scratch"}


STORES = str(Path(__file__).resolve().parents[2] / "presets" / "data" / "stores.csv")
SMALL_IMAGES = {"ways": 2, "shots": 1, "queries": 2, "image_size": 16}
SMALL_TASKS = {
    "glyphs": {"classes": 24, "drawings": 4, **SMALL_IMAGES},
    "tabular_csv": {"path": STORES, "group_column": "store", "target_column": "sales"},
}
SMALL_CONV4 = {"kind": "conv4", "filters": 4}


@pytest.fixture(scope="module")
def small_image_folder(tmp_path_factory) -> dict:
    """``image_folder`` settings over 20 classes of 4 images each, written once for the module."""
    root = write_classes(tmp_path_factory.mktemp("image-folder"), classes=20, per_class=4)
    return {"root": str(root), **SMALL_IMAGES}


def family_preset(algorithm: str, family: str, settings: dict | None = None):
    """A tiny preset for ``algorithm`` on ``family`` (conv4 for image families) and its sampler."""
    task = {"family": family, "shots": 5, "queries": 5, **(settings or SMALL_TASKS.get(family, {}))}
    one_step = (
        {"inner_steps": 1}
        if "inner_steps" in {f.name for f in public_fields(ALGORITHM_SETTINGS.get(algorithm))}
        else {}
    )
    preset = small_preset(algorithm, family=family, **one_step)
    preset = preset_from_dict({**preset_to_dict(preset), "task": task})
    sampler = build_family(preset.task)
    if sampler.sample(1, torch.Generator().manual_seed(0)).x_support.dim() > 3:  # images: (tasks, n, C, H, W)
        preset = preset_from_dict({**preset_to_dict(preset), "model": SMALL_CONV4})
    return preset, sampler


def test_the_suite_is_registered_with_a_description_for_the_picker():
    assert set(ALGORITHMS) >= SUITE
    for name in ALGORITHMS:
        learner = LEARNERS.get(name)
        assert learner.description and "\n" not in learner.description, name
        assert set(ALGORITHM_SETTINGS.get(name).task_kinds) <= {"regression", "classification"}


@pytest.mark.parametrize("family", FAMILIES.names())
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_trains_on_every_family_it_applies_to(algorithm, family, small_image_folder):
    preset, sampler = family_preset(algorithm, family, small_image_folder if family == "image_folder" else None)
    if sampler.kind not in ALGORITHM_SETTINGS.get(algorithm).task_kinds:
        with pytest.raises(ConfigError, match=f"'{algorithm}' does not apply to {sampler.kind} tasks"):
            Training(preset)
        return
    training = Training(preset)
    before = {k: v.detach().clone() for k, v in training.params.items()}
    losses = [training.step().meta_loss for _ in range(2)]
    assert all(math.isfinite(loss) for loss in losses)
    assert all(math.isfinite(v) for v in training.evaluate().loss_mean)
    changed = [k for k in before if not torch.equal(before[k], training.params[k].detach())]
    assert changed if getattr(training.learner, "meta_trained", True) else not changed


GRADIENT_STEP = {"anil", "maml", "metasgd", "pretrain", "reptile", "scratch"}  # they take an inner_lr


def blobs_learner(algorithm: str, meta_lr: float = 0.01):
    """A learner on 3-way Gaussian blobs, with an inner step large enough to move in one or a few steps."""
    family = GaussianBlobs()
    torch.manual_seed(0)
    preset = small_preset(algorithm)
    model = build_model(preset.model, family.input_dim, family.output_dim)
    config = algorithm_config(algorithm, **({"inner_lr": 0.5} if algorithm in GRADIENT_STEP else {}))
    learner = build_learner(config, model, family.kind)
    params = learner.init_parameters()
    optimizer = learner.make_optimizer(params, replace(preset.training, meta_lr=meta_lr))
    return family, learner, params, optimizer, getattr(config, "inner_steps", 1)


@pytest.mark.parametrize("algorithm", sorted(SUITE))
def test_learns_a_classification_task_family(algorithm):
    family, learner, params, optimizer, steps = blobs_learner(algorithm)
    heldout = family.sample(50, torch.Generator().manual_seed(99))  # tasks never trained on
    before = learner.query_scores(params, heldout, steps)
    generator = torch.Generator().manual_seed(0)
    losses = [float(learner.meta_step(params, family.sample(4, generator), optimizer)) for _ in range(40)]
    after = {name: values.mean(0) for name, values in learner.query_scores(params, heldout, steps).items()}
    assert after["accuracy"][-1] > 0.6  # chance is 1/3: after adapting, held-out queries are classified
    if algorithm in ("pretrain", "scratch"):
        # baselines learn from each task's support set only (pooled pretraining cannot help 3-way blobs whose
        # labels are arbitrary per task: issue #14 item 1), so what they learn is the fine-tuning itself
        assert after["loss"][-1] < after["loss"][0] - 0.1
    else:
        assert sum(losses[-5:]) / 5 < math.log(3) - 0.3  # well below the loss of guessing
        assert after["loss"][-1] < before["loss"].mean(0)[-1] - 0.03  # meta-training lowered held-out loss


def test_every_algorithm_has_a_sinusoid_preset_that_names_it():
    presets = bundled_presets()
    for name in SUITE:
        assert f"{name}-sine" in presets, name
        assert load_preset(presets[f"{name}-sine"]).algorithm.name == name


def test_a_network_without_a_separable_head_gets_a_clear_message():
    model = torch.nn.Linear(1, 1)  # not a sequence of layers
    for name in ("ridge_head", "attention"):
        with pytest.raises(ConfigError, match=f"'{name}' needs a network built as a sequence of layers"):
            build_learner(algorithm_config(name), model, "regression")


def test_meta_sgd_run_saves_its_rates_and_eval_uses_them(tmp_path, capsys):
    out = tmp_path / "run"
    fast = ["--iterations", "4", "--set", "training.eval_every=4", "--set", "training.eval_tasks=4", "--device", "cpu"]
    args = ["--set", "task.shots=5", "--set", "model.hidden=[8, 8]", "--quiet"]
    assert main(["run", "metasgd-sine", "--out", str(out), *fast, *args]) == 0
    network, learner = load_file(out / "model.safetensors"), load_file(out / "learner.safetensors")
    assert sorted(network) == ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"]
    assert sorted(learner) == sorted(f"alpha.{k}" for k in network)
    assert not all(bool((v == 0.01).all()) for v in learner.values())  # meta-learned, not the initial value
    summary = json.loads((out / "summary.json").read_text())  # the preset asks for both baselines
    assert sorted(summary["baselines"]) == ["pretrain", "scratch"]
    assert summary["baselines"]["scratch"]["steps"] == summary["final_evaluation"]["steps"] == [0, 1]
    capsys.readouterr()
    assert main(["eval", str(out), "--tasks", "10", "--steps", "2", "--device", "cpu"]) == 0
    header, *rows = capsys.readouterr().out.splitlines()[1:]
    assert header.split() == ["steps", "loss", "pretrain", "scratch"] and len(rows) == 3
    assert all(len(row.split()) == 10 for row in rows)  # step, then mean ± CI for the run and each baseline
    save_file({k: torch.zeros_like(v) for k, v in learner.items()}, out / "learner.safetensors")
    assert main(["eval", str(out), "--tasks", "10", "--json", "--device", "cpu"]) == 0
    losses = json.loads(capsys.readouterr().out)["loss_mean"]
    assert losses[1] == pytest.approx(losses[0], rel=1e-12)  # zero rates: the inner step does nothing
    (out / "learner.safetensors").unlink()
    assert main(["eval", str(out), "--tasks", "10", "--device", "cpu"]) == 2
    assert "learner.safetensors" in capsys.readouterr().err


def test_maml_run_folder_has_no_learner_file(tmp_path):
    out = tmp_path / "run"
    fast = ["--iterations", "2", "--set", "training.eval_every=2", "--set", "training.eval_tasks=2", "--quiet"]
    assert main(["run", "maml-sine", "--out", str(out), *fast, "--device", "cpu"]) == 0
    assert not (out / "learner.safetensors").exists()


def test_baselines_are_scored_on_the_same_tasks_and_steps_and_reported():
    data = {
        "seed": 3,
        "task": {"family": "sinusoid", "shots": 5, "queries": 5},
        "model": {"kind": "mlp", "hidden": [8, 8]},
        "algorithm": {"name": "maml", "inner_steps": 2},
        "training": {"meta_batch_size": 4, "iterations": 4, "eval_every": 4, "eval_tasks": 6, "device": "cpu"},
        "evaluation": {"baselines": ["pretrain", "scratch"], "pretrain_iterations": 5},
    }
    preset = preset_from_dict(data)
    untrained = Training(preset).evaluate()
    events = list(Training(preset).events())
    final = [e for e in events if isinstance(e, Evaluation)][-1]
    baselines = {e.baseline: e.evaluation for e in events if isinstance(e, BaselineEvaluation)}
    assert isinstance(events[-1], RunFinished) and list(baselines) == ["pretrain", "scratch"]
    for evaluation in baselines.values():
        assert (evaluation.steps, evaluation.tasks, evaluation.iteration) == (final.steps, final.tasks, 4)
    assert baselines["scratch"].loss_mean[0] == pytest.approx(untrained.loss_mean[0])  # same network, same tasks
    assert baselines["pretrain"].loss_mean[0] != pytest.approx(untrained.loss_mean[0])


def test_evaluation_section_is_optional_and_checked():
    assert small_preset("maml").evaluation.baselines == ()
    with pytest.raises(ConfigError, match=r"evaluation.baselines\[0\] must be one of pretrain, scratch"):
        preset_from_dict({"evaluation": {"baselines": ["pretrained"]}})
