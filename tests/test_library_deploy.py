"""Adapt and export: the exported TorchScript and ONNX files reproduce the adapted model, which is the
engine's own adaptation; clear messages where an optional package is missing."""

import csv
import json
import sys

import numpy as np
import onnxruntime
import pytest
import torch
from PIL import Image
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from studio.config import ConfigError, load_preset
from studio.engine.algorithms import build_learner
from studio.engine.heldout import heldout_tasks
from studio.engine.tasks import build_family
from studio.export import deploy, load_model
from studio.export.deploy import adapt_and_export, adapt_run, adapted_outputs, export_torchscript, task_sources
from studio.export.tensorboard import write_tensorboard
from tests.engine.helpers import tiny_preset
from tests.library_helpers import glyph_preset, make_run, with_algorithm

# torch 2.13 marks TorchScript deprecated; the issue asks for it as a deploy format all the same
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.load` is deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def maml_run(tmp_path_factory):
    return make_run(tmp_path_factory.mktemp("maml") / "run")


@pytest.fixture(scope="module")
def attention_run(tmp_path_factory):
    preset = with_algorithm("attention", iterations=5, eval_every=5)
    return make_run(tmp_path_factory.mktemp("attention") / "run", preset)


def inputs() -> torch.Tensor:
    return torch.linspace(-5, 5, 23).view(-1, 1)


def test_the_adapted_model_is_the_engines_adaptation_of_that_task(maml_run):
    adapted = adapt_run(maml_run, task=2)
    preset = load_preset(maml_run / "preset.toml")
    family = build_family(preset.task)
    learner = build_learner(preset.algorithm, load_model(maml_run), family.kind)
    task = heldout_tasks(preset, family, 3).select(slice(2, 3))
    expected = learner.adapted_prediction(learner.init_parameters(), task, inputs(), steps=1)[0]
    torch.testing.assert_close(adapted_outputs(adapted, inputs()), expected)
    torch.testing.assert_close(adapted.support.x, task.x_support[0])
    unadapted = load_model(maml_run)(inputs())
    assert not torch.allclose(adapted_outputs(adapted, inputs()), unadapted)


@pytest.mark.parametrize("run", ["maml_run", "attention_run"])
def test_torchscript_output_equals_the_adapted_model(run, request, tmp_path):
    adapted = adapt_run(request.getfixturevalue(run), task=1)
    path = export_torchscript(adapted, tmp_path / "adapted.pt")
    loaded = torch.jit.load(str(path))
    torch.testing.assert_close(loaded(inputs()), adapted_outputs(adapted, inputs()))


def test_adapt_and_export_writes_a_description_beside_the_file(maml_run, tmp_path):
    path = adapt_and_export(maml_run, tmp_path / "m.pt", "torchscript", task=0, steps=3)
    description = json.loads((tmp_path / "m.pt.json").read_text())
    assert path.is_file() and description["inner_steps"] == 3 and description["adapted_to"] == "held-out task 0"
    assert description["input"]["shape"] == ["batch", 1] and description["output"]["meaning"] == "regression values"
    assert description["query_loss_after_adapting"] > 0


@pytest.mark.parametrize("run", ["maml_run", "attention_run"])
def test_onnx_output_equals_the_adapted_model(run, request, tmp_path):
    run_dir = request.getfixturevalue(run)
    path = adapt_and_export(run_dir, tmp_path / "m.onnx", "onnx", task=1)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (output,) = session.run(None, {"x": inputs().numpy()})
    expected = adapted_outputs(adapt_run(run_dir, task=1), inputs()).numpy()
    np.testing.assert_allclose(output, expected, rtol=1e-4, atol=1e-5)


def test_onnx_without_its_packages_names_the_pip_command(maml_run, tmp_path, monkeypatch):
    monkeypatch.setattr(deploy, "_importable", lambda name: False)
    with pytest.raises(ConfigError, match=r"pip install 'meta-learning-studio\[onnx\]'"):
        adapt_and_export(maml_run, tmp_path / "m.onnx", "onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_bad_task_choices_are_config_errors(maml_run, tmp_path):
    with pytest.raises(ConfigError, match="format must be one of"):
        adapt_and_export(maml_run, tmp_path / "m", "pickle")
    with pytest.raises(ConfigError, match="held-out task index"):
        adapt_run(maml_run, task=-1)
    with pytest.raises(ConfigError, match="only be chosen for a tabular_csv"):
        adapt_run(maml_run, csv_group="store-00")
    with pytest.raises(ConfigError, match="image-classification"):
        adapt_run(maml_run, image_folder=tmp_path)
    with pytest.raises(ConfigError, match="steps must be >= 0"):
        adapt_run(maml_run, steps=-2)


def test_a_folder_of_new_classes_adapts_a_prototypical_network(tmp_path):
    run = make_run(tmp_path / "proto", glyph_preset())
    rng = np.random.default_rng(0)
    for name in ("circle", "cross", "wave"):
        (tmp_path / "new" / name).mkdir(parents=True)
        for i in range(2):
            pixels = rng.integers(0, 255, (20, 20), dtype=np.uint8)
            Image.fromarray(pixels).save(tmp_path / "new" / name / f"{i}.png")
    assert task_sources(run)["image_folder_classes"] == 3 and task_sources(run)["csv_groups"] == []
    adapted = adapt_run(run, image_folder=tmp_path / "new")
    assert adapted.support.x.shape == (6, 1, 16, 16) and adapted.support.class_names == ("circle", "cross", "wave")
    path = export_torchscript(adapted, tmp_path / "proto.pt")
    probe = adapted.support.x[:4]
    torch.testing.assert_close(torch.jit.load(str(path))(probe), adapted_outputs(adapted, probe))
    assert adapted_outputs(adapted, probe).shape == (4, 3)


def test_a_csv_group_is_encoded_as_in_training(tmp_path):
    from studio.presets import resolve_preset_path

    preset = load_preset(resolve_preset_path("maml-tabular-stores"))
    preset = preset.replace(model=tiny_preset().model, training=tiny_preset(training={"iterations": 2}).training)
    run = make_run(tmp_path / "stores", preset)
    family = build_family(preset.task)
    group = sorted(family.tensors)[0]
    adapted = adapt_run(run, csv_group=group)
    torch.testing.assert_close(adapted.support.x, family.tensors[group][0])
    assert task_sources(run) == {
        "heldout": True,
        "csv_groups": sorted(family.tensors),
        "image_folder_classes": None,
        "any_classes": False,
    }
    with pytest.raises(ConfigError, match="no usable group 'nobody'"):
        adapt_run(run, csv_group="nobody")


def test_tensorboard_files_hold_every_metric(maml_run, tmp_path):
    folder = write_tensorboard(maml_run, tmp_path / "tb")
    write_tensorboard(maml_run, tmp_path / "tb")  # again: replaces, never duplicates
    accumulator = EventAccumulator(str(folder))
    accumulator.Reload()
    with (maml_run / "metrics.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    meta_loss = accumulator.Scalars("train/meta_loss")
    assert [e.step for e in meta_loss] == [int(row["iteration"]) for row in rows] == list(range(1, 13))
    np.testing.assert_allclose([e.value for e in meta_loss], [float(row["meta_loss"]) for row in rows], rtol=1e-6)
    evaluations = [(int(row["iteration"]), float(row["eval_loss_step1"])) for row in rows if row["eval_loss_step1"]]
    scalars = accumulator.Scalars("eval/eval_loss_step1")
    assert [(e.step, pytest.approx(e.value, rel=1e-6)) for e in scalars] == evaluations
    assert [step for step, _ in evaluations] == [4, 8, 12]


def test_tensorboard_without_its_package_names_the_pip_command(maml_run, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)
    with pytest.raises(ConfigError, match=r"pip install 'meta-learning-studio\[tensorboard\]'"):
        write_tensorboard(maml_run)
    assert not (maml_run / "tensorboard").exists()
