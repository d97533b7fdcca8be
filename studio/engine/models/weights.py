"""Loading weights into a network, with a clear message when they do not fit.

``initial_weights`` reads a network's starting point from elsewhere: a
safetensors file, or a PyTorch ``.pt``/``.pth`` state dict read with
``torch.load(..., weights_only=True)`` (no code runs from the file).
"""

from __future__ import annotations

import pickle
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file

from studio.config import ConfigError


def mismatches(model: torch.nn.Module, state: dict[str, torch.Tensor]) -> list[str]:
    """What keeps ``state`` from loading into ``model``: missing and unexpected keys, wrong shapes."""
    expected = model.state_dict()
    missing = sorted(expected.keys() - state.keys())
    unexpected = sorted(state.keys() - expected.keys())
    wrong = sorted(k for k in expected.keys() & state.keys() if expected[k].shape != tuple(state[k].shape))
    parts = [f"missing {missing}" if missing else "", f"unexpected {unexpected}" if unexpected else ""]
    parts += [f"{k} has shape {tuple(state[k].shape)}, expected {tuple(expected[k].shape)}" for k in wrong]
    return [p for p in parts if p]


def initial_weights(path_text: str) -> dict[str, torch.Tensor]:
    """A state dict from a safetensors or PyTorch file; problems name the file and the field."""
    path = Path(path_text)
    field = "training.init_weights"
    if not path.is_file():
        raise ConfigError.at(field, f"{path}: no such file")
    try:
        if path.suffix == ".safetensors":
            state = load_file(str(path))
        else:
            state = torch.load(path, map_location="cpu", weights_only=True)
    except (SafetensorError, pickle.UnpicklingError, RuntimeError, OSError, EOFError, ValueError) as error:
        raise ConfigError.at(field, f"{path}: not a readable weights file ({str(error).splitlines()[0]})") from None
    state = state.get("state_dict", state) if isinstance(state, dict) else state
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ConfigError.at(field, f"{path}: expected a state dict (names to tensors)")
    return state


def load_checked(model: torch.nn.Module, state: dict[str, torch.Tensor], where: str, field: str = "") -> None:
    """Load ``state`` into ``model``, or raise a :class:`ConfigError` listing every mismatch."""
    problems = mismatches(model, state)
    if problems:
        raise ConfigError.at(field, f"{where}: does not fit the model: {'; '.join(problems)}")
    model.load_state_dict(state)
