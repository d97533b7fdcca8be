"""What training, validation and test see never overlaps, and no task's queries repeat its support set.

Image families keep their classes apart, a CSV its groups; parametric families (functions, blobs) draw
each stream from its own generator, so no point of one stream appears in another.  Checked on the tasks
the engine actually uses: the meta-batches a ``Training`` draws, its evaluation tasks, and the tasks
``studio eval`` scores (:func:`heldout_tasks`).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import torch

from studio.config import preset_from_dict
from studio.engine.heldout import heldout_tasks
from studio.engine.registry import FAMILIES
from studio.engine.tasks import TaskBatch
from studio.engine.training import Training
from tests.engine.image_fixtures import one_thread_fixture  # noqa: F401  (autouse: one torch thread)
from tests.engine.small_images import write_classes

STORES = str(Path(__file__).resolve().parents[2] / "presets" / "data" / "stores.csv")
IMAGES = {"ways": 3, "shots": 1, "queries": 2, "image_size": 16}
SETTINGS = {
    "glyphs": {"classes": 40, "drawings": 4, **IMAGES},
    "tabular_csv": {"path": STORES, "group_column": "store", "target_column": "sales", "shots": 3, "queries": 3},
}
STREAM_NAMES = ("train", "validation", "test")


@pytest.fixture(scope="module")
def image_folder_settings(tmp_path_factory) -> dict:
    root = write_classes(tmp_path_factory.mktemp("image-folder"), classes=30, per_class=3)
    return {"root": str(root), **IMAGES}


def preset_for(family: str, settings: dict):
    task = {"family": family, "shots": 5, "queries": 5, **settings}
    model = {"kind": "conv4", "filters": 4} if "ways" in settings else {"kind": "mlp", "hidden": [8]}
    training = {"meta_batch_size": 8, "eval_tasks": 24, "device": "cpu"}
    return preset_from_dict({"seed": 5, "task": task, "model": model, "training": training})


def streams(family: str, settings: dict) -> tuple[Training, dict[str, list[TaskBatch]]]:
    """The meta-batches of 3 training steps, the evaluation tasks, and 24 tasks of ``studio eval``."""
    training = Training(preset_for(family, settings))
    drawn, sample = [], training.sampler.sample
    training.sampler.sample = lambda n, iteration: drawn.append(sample(n, iteration)) or drawn[-1]
    for _ in range(3):
        training.step()
    test = heldout_tasks(training.preset, training.family, 24)
    return training, {"train": drawn, "validation": [training.eval_tasks], "test": [test]}


def rows(tensor: torch.Tensor) -> set[bytes]:
    """Each point (a row of inputs, an image) of a (n, ...) tensor, as bytes."""
    return {row.numpy().tobytes() for row in tensor.reshape(len(tensor), -1)}


def points(batches: list[TaskBatch]) -> set[bytes]:
    return set().union(*(rows(x[t]) for b in batches for x in (b.x_support, b.x_query) for t in range(len(x))))


def sources(training: Training, split: str, batches: list[TaskBatch]) -> set[str]:
    """The image classes or CSV groups the tasks were drawn from."""
    family = training.family
    if "classes" in batches[0].params:
        return {name for b in batches for name in family.class_names(b.params["classes"])}
    return {family.splits[split][int(i)] for b in batches for i in b.params["group"]}


def settings_of(family: str, request) -> dict:
    return request.getfixturevalue("image_folder_settings") if family == "image_folder" else SETTINGS.get(family, {})


@pytest.mark.parametrize("family", FAMILIES.names())
def test_train_validation_and_test_streams_are_disjoint(family, request):
    training, drawn = streams(family, settings_of(family, request))
    finite = {"classes", "group"} & set(drawn["test"][0].params or {})  # a data set: classes or groups
    for a, b in itertools.combinations(STREAM_NAMES, 2):
        assert not points(drawn[a]) & points(drawn[b]), (a, b)
        if finite:
            assert not sources(training, a, drawn[a]) & sources(training, b, drawn[b]), (a, b)
    assert bool(finite) == (family in ("glyphs", "image_folder", "tabular_csv"))


@pytest.mark.parametrize("family", FAMILIES.names())
def test_query_points_differ_from_support_points(family, request):
    _, drawn = streams(family, settings_of(family, request))
    for batch in itertools.chain.from_iterable(drawn.values()):
        for t in range(len(batch.x_support)):
            support, query = rows(batch.x_support[t]), rows(batch.x_query[t])
            assert len(support) == len(batch.x_support[t]) and len(query) == len(batch.x_query[t])  # no repeats
            assert not support & query
