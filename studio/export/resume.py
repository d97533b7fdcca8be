"""Continuing a run from its folder's newest readable checkpoint."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from studio.config import ConfigError, load_preset
from studio.export.checkpoints import checkpoints, latest_checkpoint

if TYPE_CHECKING:  # is_resumable is asked without torch (the window, `studio runs`)
    from studio.engine.training import Training


def is_resumable(run_dir: str | Path) -> bool:
    """Whether ``run_dir`` is a run folder with a checkpoint (finished runs can be extended too)."""
    run_dir = Path(run_dir)
    return (run_dir / "preset.toml").is_file() and bool(checkpoints(run_dir))


def resume_training(run_dir: str | Path, overrides: Iterable[str] = ()) -> tuple[Training, list[str]]:
    """A :class:`Training` restored to the run's newest readable checkpoint, and notes on damaged ones.

    ``overrides`` may change the iteration budget (to extend a finished run) or
    the device; the rest of the preset is the run's own.
    """
    run_dir = Path(run_dir)
    if not (run_dir / "preset.toml").is_file():
        raise ConfigError(f"{run_dir}: not a run folder (no preset.toml)")
    from studio.engine.training import Training

    training = Training(load_preset(run_dir / "preset.toml", overrides))
    state, path, notes = latest_checkpoint(run_dir)
    try:
        training.load_state_dict(state)
    except (KeyError, ValueError, RuntimeError, TypeError) as error:
        raise ConfigError(f"{path}: does not match this run's preset ({error})") from None
    return training, notes
