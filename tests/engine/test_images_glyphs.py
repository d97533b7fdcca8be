"""The built-in ``glyphs`` family: deterministic, varied, Omniglot-shaped episodes."""

from __future__ import annotations

import torch

from studio.config import ConfigError, preset_from_dict
from studio.engine.tasks import build_family
from studio.engine.tasks.glyphs import glyph_store
from tests.engine.image_fixtures import one_thread_fixture  # noqa: F401

SMALL = {"classes": 60, "drawings": 10}


def glyph_family(**task):
    return build_family(preset_from_dict({"task": {"family": "glyphs", **SMALL, **task}}).task)


def drawn(seed: int, **settings) -> torch.Tensor:
    args = {"classes": 12, "drawings": 6, "size": 28, "strokes": (2, 4), "jitter": 1.5, "noise": 0.05, **settings}
    return glyph_store(seed=seed, **args).pixels


def test_same_seed_same_pixels_other_seed_other_pixels():
    glyph_store.cache_clear()
    first = drawn(0).clone()
    glyph_store.cache_clear()
    assert torch.equal(first, drawn(0))
    assert not torch.equal(first, drawn(1))


def test_drawings_of_a_glyph_are_closer_than_drawings_of_different_glyphs():
    pixels = drawn(0, jitter=1.0).float().view(12, 6, -1) / 255
    within = torch.cdist(pixels, pixels).mean()
    across = torch.cdist(pixels[:, 0], pixels[:, 0]).sum() / (12 * 11)
    assert within < 0.8 * across
    assert torch.unique(pixels.view(72, -1), dim=0).shape[0] == 72  # every drawing differs


def test_jitter_zero_draws_near_copies_and_more_jitter_varies_more():
    def spread(jitter: float) -> float:
        pixels = drawn(0, jitter=jitter, noise=0.0).float().view(12, 6, -1) / 255
        return float((pixels - pixels.mean(1, keepdim=True)).abs().mean())

    assert spread(0.0) < 1e-6 < spread(1.0) < spread(2.5)


def test_glyphs_look_like_ink_on_paper():
    pixels = drawn(0).float() / 255
    ink = (pixels < 0.5).float().mean()
    assert 0.03 < ink < 0.4  # dark strokes on a mostly white page, as in Omniglot's scans


def test_episodes_from_disjoint_class_splits():
    family = glyph_family(ways=5, shots=1, queries=3)
    ids = {name: set(v.tolist()) for name, v in family.classes.items()}
    assert (
        not ids["train"] & ids["validation"] and not ids["train"] & ids["test"] and not ids["validation"] & ids["test"]
    )
    assert [len(v) for v in ids.values()] == [42, 6, 12]
    batch = family.sample(7, torch.Generator().manual_seed(0), split="validation")
    assert batch.x_support.shape == (7, 5, 1, 28, 28) and batch.x_query.shape == (7, 15, 1, 28, 28)
    assert set(batch.params["classes"].flatten().tolist()) <= ids["validation"]
    assert any("glyphs: 60 classes x 10 drawings" in n for n in family.notices)


def test_too_few_drawings_is_an_error_on_drawings():
    try:
        glyph_family(drawings=3, shots=2, queries=2)
    except ConfigError as error:
        assert error.errors[0].path == "task.drawings" and "shots + queries = 4" in str(error)
    else:
        raise AssertionError("expected a ConfigError")
