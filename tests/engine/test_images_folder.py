"""The ``image_folder`` task family: discovery, splits, warnings, errors, caching, episodes."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import studio.engine.tasks.image_folder as image_folder
from studio.config import ConfigError, preset_from_dict
from studio.engine.tasks import build_family
from studio.engine.tasks.image_files import find_classes
from tests.engine.image_fixtures import image_root_fixture, one_thread_fixture  # noqa: F401

EPISODE = {"ways": 2, "shots": 1, "queries": 3}


def folder_family(root: Path, **task):
    table = {"family": "image_folder", "root": str(root), **EPISODE, "validation_fraction": 0.3, "test_fraction": 0.3}
    return build_family(preset_from_dict({"task": {**table, **task}}).task)


def test_discovery_finds_both_layouts_and_ignores_debris(image_root):
    classes = find_classes(image_root, "task.root")
    names = [c.name for c in classes]
    assert names == [
        "flat/c0", "flat/c1", "flat/c2", "flat/c3", "flat/tiny",
        "omniglot/alpha0/char0", "omniglot/alpha0/char1", "omniglot/alpha0/char2",
        "omniglot/alpha1/char0", "omniglot/alpha1/char1", "omniglot/alpha1/char2",
    ]  # fmt: skip
    c0 = next(c for c in classes if c.name == "flat/c0")
    assert sorted(p.suffix for p in c0.files) == [".bmp", ".gif", ".jpg", ".png", ".png", ".png", ".tif"]


def test_splits_are_disjoint_and_seeded(image_root):
    family = folder_family(image_root)
    splits = {name: set(family.class_names(ids)) for name, ids in family.classes.items()}
    assert not (splits["train"] & splits["validation"] or splits["train"] & splits["test"])
    assert not splits["validation"] & splits["test"]
    assert all(len(s) >= 2 for s in splits.values())
    again = folder_family(image_root)
    assert {k: v.tolist() for k, v in again.classes.items()} == {k: v.tolist() for k, v in family.classes.items()}
    other = folder_family(image_root, split_seed=5)
    assert {k: v.tolist() for k, v in other.classes.items()} != {k: v.tolist() for k, v in family.classes.items()}


def test_split_by_subfolders(image_root):
    family = folder_family(image_root, train_folders=["omniglot"], test_folders=["flat"], validation_fraction=0.2)
    test = set(family.class_names(family.classes["test"]))
    train = set(family.class_names(family.classes["train"]))
    validation = set(family.class_names(family.classes["validation"]))
    assert test == {"flat/c0", "flat/c1", "flat/c2", "flat/c3"}  # flat/tiny is too small
    assert train | validation <= {f"omniglot/alpha{a}/char{c}" for a in range(2) for c in range(3)}
    assert len(validation) == 2 and not train & validation


def test_separate_test_root(image_root):
    family = folder_family(image_root / "omniglot", test_root=str(image_root / "flat"), validation_fraction=0.35)
    test = family.class_names(family.classes["test"])
    assert sorted(test) == [f"test_root:c{c}" for c in range(4)]
    assert all(n.startswith("alpha") for n in family.class_names(family.classes["train"]))


def test_overlapping_roots_are_refused(image_root):
    with pytest.raises(ConfigError, match="in both the"):
        folder_family(image_root / "omniglot", test_root=str(image_root / "omniglot"), validation_fraction=0.35)


def test_warnings_name_the_corrupt_file_and_the_small_class(image_root):
    family = folder_family(image_root)
    text = "\n".join(family.notices)
    assert "1 unreadable or corrupt image(s) skipped: flat/c0/broken.png" in text
    assert "flat/tiny (2)" in text and "fewer than shots + queries = 4" in text
    assert "11 classes, 62 images at 28x28 grayscale, 0.0 MB in memory" in text


@pytest.mark.parametrize(
    ("root", "message"),
    [
        ("missing", "no such folder"),
        ("file.png", "is a file"),
        ("empty", "no images found"),
    ],
)
def test_bad_roots_are_config_errors(tmp_path, root, message):
    (tmp_path / "file.png").write_bytes(b"x")
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    (tmp_path / "empty" / "sub" / "readme.txt").write_text("no images here")
    with pytest.raises(ConfigError, match=message) as caught:
        folder_family(tmp_path / root)
    assert caught.value.errors[0].path == "task.root"


def test_too_few_classes_says_what_was_found_and_needed(image_root):
    with pytest.raises(ConfigError) as caught:
        folder_family(image_root / "flat", ways=3, validation_fraction=0.2, test_fraction=0.2)
    message = str(caught.value)
    assert "task.root" in message and "usable class(es)" in message and "need at least 3" in message


def test_loaded_once_per_process(image_root, monkeypatch):
    folder_family(image_root)
    calls = []
    real = image_folder.load_image
    monkeypatch.setattr(image_folder, "load_image", lambda *a: calls.append(a) or real(*a))
    family = folder_family(image_root, split_seed=3)  # other splits, same files: no decoding
    assert calls == [] and family.store.pixels.dtype == torch.uint8
    folder_family(image_root, image_size=16)
    assert len(calls) == 63  # all 62 readable images and the corrupt one, decoded again at the new size


def test_large_sets_are_read_from_disk(image_root):
    family = folder_family(image_root, max_cache_mb=0, color="rgb")
    assert family.store.pixels is None
    assert any("read from disk per task" in n for n in family.notices)
    batch = family.sample(3, torch.Generator().manual_seed(0))
    assert batch.x_support.shape == (3, 2, 3, 28, 28)


def test_episode_shapes_and_shuffled_labels(image_root):
    family = folder_family(image_root)
    batch = family.sample(40, torch.Generator().manual_seed(0), split="test")
    assert batch.x_support.shape == (40, 2, 1, 28, 28) and batch.x_query.shape == (40, 6, 1, 28, 28)
    assert batch.y_support.dtype == torch.int64
    assert all(sorted(y.tolist()) == [0, 0, 0, 1, 1, 1] for y in batch.y_query)
    assert len({tuple(y.tolist()) for y in batch.y_query}) > 5  # label order differs between tasks
    assert family.output_dim == 2 and family.input_dim == 28 * 28


def test_support_and_query_images_come_from_the_labelled_class(image_root):
    family = folder_family(image_root)
    batch = family.sample(5, torch.Generator().manual_seed(1), split="train")
    pixels = family.store.take(torch.arange(len(family.store.pixels)))
    for task in range(5):
        for x, y in zip(batch.x_query[task], batch.y_query[task]):
            rows = torch.nonzero((pixels == x).flatten(1).all(1)).flatten()
            owner = int(torch.searchsorted(family.store.starts, rows[0], right=True)) - 1
            assert owner == int(batch.params["classes"][task, y])


def test_rotation_classes_only_in_meta_train(image_root, tmp_path):
    family = folder_family(image_root, rotations=True)
    train = family.sample(60, torch.Generator().manual_seed(0), split="train")
    test = family.sample(60, torch.Generator().manual_seed(0), split="test")
    assert set(train.params["rotation"].flatten().tolist()) == {0, 1, 2, 3}
    assert set(test.params["rotation"].flatten().tolist()) == {0}


def test_images_above_the_pixel_limit_are_refused_before_decoding(tmp_path, monkeypatch):
    from PIL import Image

    from studio.engine.tasks import image_files

    path = tmp_path / "big.png"
    Image.new("L", (64, 64), 255).save(path)
    assert image_files.load_image(path, 28, "grayscale") is not None
    monkeypatch.setattr(image_files, "MAX_PIXELS", 64 * 64 - 1)
    assert image_files.load_image(path, 28, "grayscale") is None
