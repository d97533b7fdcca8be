"""Small image folders written with Pillow, shared by the image-classification tests.

Import the fixtures by their function names (``image_root_fixture``, ``one_thread_fixture``);
tests ask for them as ``image_root`` and ``one_thread``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

FORMATS = ("png", "jpg", "bmp", "gif", "tif")


def write_class(folder: Path, count: int, seed: int, size: int = 20) -> None:
    """``count`` images of one class: a class-specific pattern plus noise, in rotating formats."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    pattern = rng.random((size, size))
    for i in range(count):
        pixels = np.clip(pattern + 0.1 * rng.standard_normal((size, size)), 0, 1)
        image = Image.fromarray((pixels * 255).astype(np.uint8))
        kind = FORMATS[i % len(FORMATS)]
        (image.convert("RGB") if kind == "jpg" else image).save(folder / f"{i:02d}.{kind}")


def write_image_folder(root: Path) -> Path:
    """Both layouts, with the usual debris.

    ``flat/c0..c3`` (root/class/*), ``omniglot/alpha{0,1}/char{0..2}`` (root/alphabet/character/*),
    6 images each, except ``flat/tiny`` (2 images); ``flat/c0`` also holds a corrupt PNG, a text
    file and a .DS_Store; ``omniglot/alpha1/loop`` links back to ``omniglot``; ``flat/c1/self.png``
    is a link to itself.
    """
    for c in range(4):
        write_class(root / "flat" / f"c{c}", 6, seed=c)
    for a in range(2):
        for c in range(3):
            write_class(root / "omniglot" / f"alpha{a}" / f"char{c}", 6, seed=10 + 3 * a + c)
    write_class(root / "flat" / "tiny", 2, seed=99)
    (root / "flat" / "c0" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    (root / "flat" / "c0" / "notes.txt").write_text("not an image")
    (root / "flat" / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    os.symlink(root / "omniglot", root / "omniglot" / "alpha1" / "loop")  # a folder loop
    os.symlink("self.png", root / "flat" / "c1" / "self.png")  # a link to itself: never resolves
    return root


@pytest.fixture(scope="session", name="image_root")
def image_root_fixture(tmp_path_factory) -> Path:
    return write_image_folder(tmp_path_factory.mktemp("images") / "data")


@pytest.fixture(autouse=True, name="one_thread")
def one_thread_fixture():
    """Two contended cores: one torch thread avoids oversubscription stalls and keeps these tests short."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
