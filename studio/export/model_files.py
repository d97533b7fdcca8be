"""Model files: weights as safetensors, what rebuilds the network as JSON. Never pickle."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

from studio.config import ConfigError, atomic_write_bytes, atomic_write_text
from studio.export.run_folder import LEARNER_FILE, MODEL_FILE, MODEL_SPEC_FILE

FORMAT = "meta-learning-studio/model"
FORMAT_VERSION = 1


def write_model_files(run_dir: str | Path, state: dict[str, torch.Tensor], spec: dict) -> None:
    """Write ``model.safetensors`` (keys as the network's ``state_dict``) and ``model.json``."""
    run_dir = Path(run_dir)
    tensors = {k: v.detach().to("cpu").contiguous() for k, v in state.items()}
    atomic_write_bytes(run_dir / MODEL_FILE, save_safetensors(tensors))
    document = {"format": FORMAT, "format_version": FORMAT_VERSION, **spec}
    atomic_write_text(run_dir / MODEL_SPEC_FILE, json.dumps(document, indent=2) + "\n")


def write_learner_file(run_dir: str | Path, state: dict[str, torch.Tensor]) -> None:
    """Write ``learner.safetensors`` when the learner has extra meta-parameters, else remove a stale one."""
    path = Path(run_dir) / LEARNER_FILE
    if state:
        atomic_write_bytes(path, save_safetensors({k: v.detach().to("cpu").contiguous() for k, v in state.items()}))
    else:
        path.unlink(missing_ok=True)


def read_learner_file(run_dir: str | Path) -> dict[str, torch.Tensor] | None:
    """The extra meta-parameters of a run folder, or ``None`` when it has none."""
    path = Path(run_dir) / LEARNER_FILE
    if not path.is_file():
        return None
    try:
        return load_safetensors(path.read_bytes())
    except (SafetensorError, ValueError, OSError) as error:
        raise ConfigError(f"{path}: not a readable safetensors file ({error})") from None


def read_model_files(run_dir: str | Path) -> tuple[dict[str, torch.Tensor], dict]:
    """The weights and the spec of a run folder; problems raise :class:`ConfigError` naming the file."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ConfigError(f"{run_dir}: no such run folder")
    spec = _read_spec(run_dir / MODEL_SPEC_FILE)
    weights = run_dir / MODEL_FILE
    if not weights.is_file():
        raise ConfigError(f"{weights}: missing; the run folder has no trained model yet")
    try:
        state = load_safetensors(weights.read_bytes())
    except (SafetensorError, ValueError, OSError) as error:
        raise ConfigError(f"{weights}: not a readable safetensors file ({error})") from None
    return state, spec


def _read_spec(path: Path) -> dict:
    if not path.is_file():
        raise ConfigError(f"{path}: missing; expected the model description written with the weights")
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, OSError) as error:
        raise ConfigError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(spec, dict) or spec.get("format") != FORMAT:
        raise ConfigError(f"{path}: not a Meta-Learning Studio model description")
    for key, kind in (("model", dict), ("input_dim", int), ("output_dim", int)):
        if not isinstance(spec.get(key), kind):
            raise ConfigError(f"{path}: '{key}' is missing or not a {kind.__name__}")
    return spec


def load_model(run_dir: str | Path) -> torch.nn.Module:
    """The network of a run folder with its meta-learned weights, in eval mode, on the CPU."""
    from studio.config.parse import preset_from_dict
    from studio.engine.models import build_model
    from studio.engine.models.weights import load_checked

    state, spec = read_model_files(run_dir)
    try:
        model_config = preset_from_dict({"model": spec["model"]}).model
    except ConfigError as error:
        raise ConfigError(f"{Path(run_dir) / MODEL_SPEC_FILE}: {error}") from None
    model = build_model(model_config, spec["input_dim"], spec["output_dim"])
    load_checked(model, state, f"{Path(run_dir) / MODEL_FILE} (described in {MODEL_SPEC_FILE})")
    return model.eval()
