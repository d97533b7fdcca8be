"""A built-in alphabet of procedurally drawn, character-like glyphs (no files)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from studio.config.fields import param
from studio.config.registry import TASKS
from studio.config.tasks.image_common import ImageTaskConfig


@TASKS.register("glyphs")
@dataclass(frozen=True)
class GlyphsTask(ImageTaskConfig):
    """Shaped like Omniglot by default: many classes, 20 drawings each, 28x28 grayscale."""

    family: str = "glyphs"
    label: ClassVar[str] = "Glyphs (built-in images)"
    classes: int = param(1000, "Glyph classes", "Distinct glyphs in the alphabet.", minimum=3, maximum=20_000)
    drawings: int = param(20, "Drawings per glyph", "Instances drawn of each glyph.", minimum=2, maximum=1000)
    strokes: tuple[int, int] = param(
        (2, 4),
        "Strokes per glyph",
        "Range of strokes (lines, arcs, dots) a glyph is made of; more strokes, harder to tell apart.",
        is_range=True,
        minimum=1,
        maximum=8,
    )
    jitter: float = param(
        1.5,
        "Drawing variation",
        "Scales the per-drawing variation (rotation, scale, shear, shift, stroke wobble and width); 0 draws copies.",
        minimum=0.0,
        maximum=5.0,
        step=0.1,
    )
    noise: float = param(
        0.05,
        "Pixel noise",
        "Standard deviation of Gaussian noise on pixels in [0, 1].",
        minimum=0.0,
        maximum=1.0,
        step=0.01,
    )
    alphabet_seed: int = param(
        0, "Alphabet seed", "Seeds the glyphs and their drawings (the data set itself).", minimum=0, maximum=2**31 - 1
    )
