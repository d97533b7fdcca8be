"""Presets: frozen dataclasses, their field metadata, TOML load/save and validation.

No Qt and no torch here: the window, the command line and the engine all read
the same declarations.
"""

from studio.config.errors import ConfigError, FieldError
from studio.config.fields import Spec, param, public_fields, spec_of
from studio.config.files import atomic_write_bytes, atomic_write_text
from studio.config.parse import check_value, preset_from_dict, preset_to_dict, section_class
from studio.config.preset import SECTION_NAMES, Preset
from studio.config.registry import ALGORITHMS, MODELS, SECTIONS, TASKS
from studio.config.sampling import SamplingConfig
from studio.config.sections import AlgorithmConfig, EvaluationConfig, ModelConfig, TaskConfig, TrainingConfig
from studio.config.toml_io import (
    apply_overrides,
    load_preset,
    parse_value,
    preset_to_toml,
    read_toml,
    save_preset,
    set_value,
    setting_paths,
)

__all__ = [
    "ALGORITHMS",
    "MODELS",
    "SECTIONS",
    "SECTION_NAMES",
    "TASKS",
    "AlgorithmConfig",
    "ConfigError",
    "EvaluationConfig",
    "FieldError",
    "ModelConfig",
    "Preset",
    "SamplingConfig",
    "Spec",
    "TaskConfig",
    "TrainingConfig",
    "apply_overrides",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_value",
    "load_preset",
    "param",
    "parse_value",
    "preset_from_dict",
    "preset_to_dict",
    "preset_to_toml",
    "public_fields",
    "read_toml",
    "save_preset",
    "section_class",
    "set_value",
    "setting_paths",
    "spec_of",
]
