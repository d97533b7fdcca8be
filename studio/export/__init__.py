"""Run folders, model files and metrics files. No Qt: the CLI and the window share it."""

from studio.export.model_files import MODEL_FILE, MODEL_SPEC_FILE, load_model, read_model_files, write_model_files
from studio.export.recorder import RunRecorder, prepare_run_dir
from studio.export.summary import summary_dict

__all__ = [
    "MODEL_FILE",
    "MODEL_SPEC_FILE",
    "RunRecorder",
    "load_model",
    "prepare_run_dir",
    "read_model_files",
    "summary_dict",
    "write_model_files",
]
