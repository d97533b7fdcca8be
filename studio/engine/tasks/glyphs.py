"""The built-in glyph alphabet as N-way K-shot tasks: Omniglot-shaped, drawn in seconds, no files.

See :mod:`studio.engine.tasks.glyph_drawing` for how glyphs are made and drawn.
The drawn set depends only on the drawing settings (classes, drawings, size,
strokes, jitter, noise, alphabet seed) and is kept per process, so a run's
training, its evaluations and ``studio eval`` draw it once.
"""

from __future__ import annotations

import functools

import torch

from studio.config.tasks.glyphs import GlyphsTask
from studio.engine.registry import FAMILIES
from studio.engine.tasks.glyph_drawing import draw_glyphs, glyph_strokes
from studio.engine.tasks.image_episodes import ImageEpisodes, ImageStore, fraction_splits

CACHED_SETS = 4


@FAMILIES.register("glyphs")
class Glyphs(ImageEpisodes):
    config: GlyphsTask
    source_path = "task.classes"
    count_path = "task.drawings"

    def __init__(self, config: GlyphsTask):
        super().__init__(config)
        store = glyph_store(
            config.classes, config.drawings, config.image_size, config.strokes, config.jitter, config.noise,
            config.alphabet_seed,
        )  # fmt: skip
        self.setup(store, fraction_splits(store.names, config))
        megabytes = store.pixels.numel() / 2**20
        self.notices.append(
            f"glyphs: {config.classes} classes x {config.drawings} drawings at {config.image_size}x{config.image_size}, "
            f"{megabytes:.1f} MB in memory"
        )


@functools.lru_cache(maxsize=CACHED_SETS)
def glyph_store(
    classes: int, drawings: int, size: int, strokes: tuple[int, int], jitter: float, noise: float, seed: int
) -> ImageStore:
    """The drawn alphabet, ``drawings`` grayscale images per glyph, normalised by its own mean and std."""
    generator = torch.Generator().manual_seed(seed)
    points, used = glyph_strokes(classes, strokes, generator)
    pixels = draw_glyphs(points, used, drawings, size, jitter, noise, generator).unsqueeze(1)
    scaled = pixels.float() / 255
    width = len(str(classes - 1))
    return ImageStore(
        names=[f"glyph-{i:0{width}d}" for i in range(classes)],
        starts=torch.arange(classes) * drawings,
        counts=torch.full((classes,), drawings),
        channels=1,
        size=size,
        mean=scaled.mean().view(1),
        std=scaled.std().clamp_min(1e-3).view(1),
        pixels=pixels,
    )
