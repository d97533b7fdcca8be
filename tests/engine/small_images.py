"""A small ``image_folder`` root for tests that need a real folder of classes (built once per module)."""

from __future__ import annotations

from pathlib import Path

from tests.engine.image_fixtures import write_class


def write_classes(root: Path, classes: int, per_class: int) -> Path:
    """``root/classNN/`` for NN < ``classes``, each holding ``per_class`` 16-pixel images of its own pattern."""
    for c in range(classes):
        write_class(root / f"class{c:02d}", per_class, seed=c, size=16)
    return root
