"""Run folders, model files and metrics files. No Qt: the CLI and the window share it."""

from studio.export.model_files import (
    LEARNER_FILE,
    MODEL_FILE,
    MODEL_SPEC_FILE,
    load_model,
    read_learner_file,
    read_model_files,
    write_learner_file,
    write_model_files,
)
from studio.export.recorder import RunRecorder, prepare_run_dir
from studio.export.summary import summary_dict

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
