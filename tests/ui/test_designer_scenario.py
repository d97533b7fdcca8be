"""The designer walked as a user walks it: every task family, every algorithm and every model kind, picked in
the window in several orders.  Each combination either has Start disabled with the reason at a field (the
engine refusing it with the same words), or trains: three iterations through the window for one combination
of a generated, an image-folder and a CSV family, in-process through the engine for the rest (the window adds
nothing per combination beyond what the first part checks, and each window run is a child process that
imports torch: one per combination would take minutes on two cores).  Never an
error dialog, never an exception."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import pytest

from studio.config import ALGORITHMS, MODELS, TASKS, ConfigError, FieldError, Preset, preset_from_dict
from studio.engine import RunFinished, Training
from studio.presets import bundled_presets
from studio.ui.forms import field_path
from tests.engine.image_fixtures import write_class
from tests.ui.conftest import button, open_window, preset_with

TINY = {  # set by hand once, on glyphs; the form keeps each where the chosen family, model or algorithm has it
    "task.family": "glyphs",
    "model.filters": 4,
    "task.shots": 2,
    "task.queries": 2,
    "task.ways": 2,
    "task.classes": 30,
    "task.drawings": 4,
    "task.image_size": 16,
    "training.iterations": 3,
    "training.eval_every": 3,
    "training.eval_tasks": 4,
    "training.meta_batch_size": 2,
    "training.device": "cpu",
}
WINDOW_FAMILIES = {"sinusoid", "image_folder", "tabular_csv"}  # generated curves, the user's images, a CSV file
STORES = str(Path(bundled_presets()["maml-tabular-stores"]).parent / "data" / "stores.csv")


@pytest.fixture(scope="module")
def image_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("scenario") / "images"
    for c in range(30):
        write_class(root / f"class{c}", 4, seed=c, size=16)
    return root


def data_settings(family: str, image_root: Path) -> dict[str, object]:
    """What a user must give before some families can draw a task at all: their data."""
    if family == "image_folder":
        return {"task.root": str(image_root)}
    if family == "tabular_csv":
        return {"task.path": STORES, "task.group_column": "store", "task.target_column": "sales"}
    return {}


def outcome(qtbot, window) -> tuple[bool, list[str]]:
    """(Start enabled, the problems shown), once the preview has tried the settings on screen."""
    experiment = window.experiment
    qtbot.waitUntil(lambda: experiment.preview.up_to_date, timeout=30_000)
    qtbot.wait(5)
    assert not hasattr(window, "last_error"), window.last_error.text()  # no error dialog, ever
    return button(window, "startButton").isEnabled(), [str(e) for e in experiment.errors]


def shown_at_its_field(window, problem: FieldError) -> bool:
    rows = {path: row for form in window.experiment.forms.values() for path, row in form.rows.items()}
    row = rows.get(field_path(problem.path))
    return row is not None and row.error.isVisibleTo(window) and problem.message in row.error.text()


def pick(window, family: str, algorithm: str, model: str, order: str, image_root: Path) -> None:
    """Choose the three in ``order`` (a string of 'f', 'a', 'm'), the family's data with it."""
    experiment = window.experiment
    for step in order:
        if step == "f":
            experiment.choose("task.family", family)
            for path, value in data_settings(family, image_root).items():
                experiment.set_value(path, value)
        elif step == "a":
            experiment.choose("algorithm.name", algorithm)
        else:
            experiment.choose("model.kind", model)


def engine_refusal(window) -> list[str]:
    """What the engine says when handed the form's settings with the form's own checks bypassed."""
    data = window.experiment.data
    parts = {s: getattr(preset_from_dict({s: data[s]}), s) for s in ("task", "model", "algorithm")}
    base = preset_from_dict({k: v for k, v in data.items() if k not in ("task", "model", "algorithm")})
    with pytest.raises(ConfigError) as refused:
        Training(dataclasses.replace(base, **parts))
    return [str(e) for e in refused.value.errors]


def fits(family: str, algorithm: str, model: str) -> bool:
    """What the settings classes declare (the stores CSV's target, sales, is a number: regression)."""
    task = TASKS.get(family)
    kind = task.tasks_are or "regression"
    return task.input_kind in MODELS.get(model).input_kinds and kind in ALGORITHMS.get(algorithm).task_kinds


def test_every_family_algorithm_and_model_picked_in_the_window(qtbot, tmp_path, image_root):
    window = open_window(qtbot, tmp_path, preset_with([]))
    for path, value in TINY.items():
        set_by_hand = window.experiment.choose if path == "task.family" else window.experiment.set_value
        set_by_hand(path, value)
    families, algorithms, models = TASKS.names(), ALGORITHMS.names(), MODELS.names()
    orders = itertools.cycle(["fam", "maf", "afm", "mfa"])
    trainable: dict[tuple[str, str, str], Preset] = {}
    refused = 0
    for family, algorithm, model in itertools.product(families, algorithms, models):
        pick(window, family, algorithm, model, next(orders), image_root)
        if window.experiment.data["model"]["kind"] != model:  # the form chose the model that fits the family
            window.experiment.choose("model.kind", model)  # ... and the user insists on theirs
        enabled, problems = outcome(qtbot, window)
        if enabled:
            trainable[(family, algorithm, model)] = window.experiment.valid_preset
            continue
        refused += 1
        unmarked = [str(e) for e in window.experiment.errors if not shown_at_its_field(window, e)]
        assert problems and not unmarked, (family, algorithm, model, unmarked)
        assert set(engine_refusal(window)) <= set(problems), (family, algorithm, model)
    expected = {combo for combo in itertools.product(families, algorithms, models) if fits(*combo)}
    assert set(trainable) == expected, (sorted(expected - set(trainable)), sorted(set(trainable) - expected))
    assert refused == len(families) * len(algorithms) * len(models) - len(expected)
    through_window = {}  # one family of each data path; every window run is a child process (~5 s each)
    for (family, algorithm, model), preset in trainable.items():
        if family in WINDOW_FAMILIES:
            through_window.setdefault(family, (algorithm, model, preset))
    assert set(through_window) == WINDOW_FAMILIES
    for family, (algorithm, model, preset) in through_window.items():
        window.experiment.load(preset)
        with qtbot.waitSignal(window.runFinished, timeout=60_000) as finished:
            button(window, "startButton").click()
        assert finished.args == ["completed"], (family, algorithm, model)
        assert window.data.iteration == 3 and not hasattr(window, "last_error")
    for key, preset in trainable.items():
        if through_window.get(key[0], (None, None))[:2] != key[1:]:
            events = list(Training(preset).events())
            assert isinstance(events[-1], RunFinished) and events[-1].reason == "completed", key
