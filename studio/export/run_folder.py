"""A run folder's file names and creating a new one, without torch: the window does both before the engine has loaded."""

from __future__ import annotations

from pathlib import Path

from studio.config import ConfigError

MODEL_FILE = "model.safetensors"
MODEL_SPEC_FILE = "model.json"
LEARNER_FILE = "learner.safetensors"  # meta-parameters that are not the network's (learned rates, head scales)
RUN_MARKERS = ("preset.toml", "metrics.csv", MODEL_FILE, "summary.json")


def prepare_run_dir(path: str | Path, overwrite: bool = False) -> Path:
    """Create ``path`` for a new run; refuse to write over an earlier run unless asked to."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{path}: exists and is not a folder; choose another --out")
    if not overwrite and any((path / name).exists() for name in RUN_MARKERS):
        raise ConfigError(f"{path}: already holds a run; choose another --out or pass --overwrite")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"{path}: cannot create the run folder ({error.strerror})") from None
    return path
