"""Saving nested training state (tensors, numbers, strings, lists, dicts) without pickle.

Tensors go into a safetensors file; the structure around them goes, as JSON,
into that file's metadata, so a checkpoint is one file, written atomically,
and reading it never runs code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save as save_safetensors

from studio.config import ConfigError

STRUCTURE_KEY = "studio_structure"


def flatten(tree: Any, tensors: dict[str, torch.Tensor], prefix: str = "t") -> Any:
    """The JSON-able skeleton of ``tree``; its tensors are moved into ``tensors``."""
    if isinstance(tree, torch.Tensor):
        key = f"{prefix}.{len(tensors)}"
        tensors[key] = tree.detach().to("cpu").contiguous()
        return {"__tensor__": key}
    if isinstance(tree, dict):
        items = [[flatten(k, tensors, prefix), flatten(v, tensors, prefix)] for k, v in tree.items()]
        return {"__dict__": items}
    if isinstance(tree, (list, tuple)):
        return {"__list__": [flatten(v, tensors, prefix) for v in tree], "tuple": isinstance(tree, tuple)}
    if tree is None or isinstance(tree, (bool, int, float, str)):
        return tree
    raise TypeError(f"cannot save a {type(tree).__name__} in a checkpoint")


def unflatten(skeleton: Any, tensors: dict[str, torch.Tensor]) -> Any:
    if isinstance(skeleton, dict):
        if "__tensor__" in skeleton:
            return tensors[skeleton["__tensor__"]]
        if "__dict__" in skeleton:
            return {unflatten(k, tensors): unflatten(v, tensors) for k, v in skeleton["__dict__"]}
        if "__list__" in skeleton:
            items = [unflatten(v, tensors) for v in skeleton["__list__"]]
            return tuple(items) if skeleton.get("tuple") else items
    return skeleton


def encode_state(tree: Any) -> bytes:
    """``tree`` as the bytes of a safetensors file: a snapshot, unaffected by later in-place updates."""
    tensors: dict[str, torch.Tensor] = {}
    skeleton = flatten(tree, tensors)
    return save_safetensors(tensors, metadata={STRUCTURE_KEY: json.dumps(skeleton)})


def load_state(path: str | Path) -> Any:
    """Read a file holding :func:`encode_state` bytes; a damaged file raises :class:`ConfigError`."""
    path = Path(path)
    try:
        with safe_open(str(path), framework="pt") as handle:
            structure = (handle.metadata() or {}).get(STRUCTURE_KEY)
            tensors = {key: handle.get_tensor(key) for key in handle.keys()}  # noqa: SIM118 (not a dict)
    except (SafetensorError, OSError, ValueError, RuntimeError) as error:
        raise ConfigError(f"{path}: unreadable checkpoint ({error})") from None
    if structure is None:
        raise ConfigError(f"{path}: not a studio checkpoint (no structure)")
    try:
        return unflatten(json.loads(structure), tensors)
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise ConfigError(f"{path}: damaged checkpoint structure ({error})") from None
