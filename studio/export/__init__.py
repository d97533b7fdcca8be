"""Run folders, model files and metrics files. No Qt: the CLI and the window share it.

The names below import torch, so they are resolved on first use: ``studio runs`` reads
``studio.export.library`` without paying for torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from studio.export.model_files import (
        load_model,
        read_learner_file,
        read_model_files,
        write_learner_file,
        write_model_files,
    )
    from studio.export.recorder import RunRecorder
    from studio.export.run_folder import LEARNER_FILE, MODEL_FILE, MODEL_SPEC_FILE, prepare_run_dir
    from studio.export.summary import summary_dict

_HOMES = {
    "studio.export.model_files": (
        "load_model",
        "read_learner_file",
        "read_model_files",
        "write_learner_file",
        "write_model_files",
    ),
    "studio.export.recorder": ("RunRecorder",),
    "studio.export.run_folder": ("LEARNER_FILE", "MODEL_FILE", "MODEL_SPEC_FILE", "prepare_run_dir"),
    "studio.export.summary": ("summary_dict",),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "LEARNER_FILE",
    "MODEL_FILE",
    "MODEL_SPEC_FILE",
    "RunRecorder",
    "load_model",
    "prepare_run_dir",
    "read_learner_file",
    "read_model_files",
    "summary_dict",
    "write_learner_file",
    "write_model_files",
]


def __getattr__(name: str):
    if name not in _HOME_OF:
        raise AttributeError(f"module 'studio.export' has no attribute '{name}'")
    value = getattr(importlib.import_module(_HOME_OF[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME_OF))
