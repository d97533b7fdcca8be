"""Refusing, before training, a run that cannot fit in the device's memory.

The estimate is deliberately rough (within a small factor): weights, Adam's two
moments and gradients once, then per task of the meta-batch a copy of the
weights and of every layer's activations for each inner step, forward and
backward, second-order methods keeping the graph of the inner loop.  It is
there to turn "the machine froze" into a message with a number.
"""

from __future__ import annotations

import os

import torch
from torch import nn

from studio.config import ConfigError, Preset

BYTES_PER_VALUE = 4
SAFETY = 0.9  # leave some memory to everything else


def activation_values(model: nn.Module, example: torch.Tensor) -> int:
    """How many values one forward pass of ``example`` produces, counted on the meta device."""
    counted = 0

    def count(_module, _inputs, output) -> None:
        nonlocal counted
        if isinstance(output, torch.Tensor):
            counted += output.numel()

    hooks = [m.register_forward_hook(count) for m in model.modules() if not list(m.children())]
    try:
        with torch.no_grad():
            model.to("meta")(example.to("meta"))
    finally:
        for hook in hooks:
            hook.remove()
    return counted


def estimate_bytes(preset: Preset, parameters: int, activations_per_task: int) -> int:
    """Rough peak memory of one meta-iteration."""
    steps = getattr(preset.algorithm, "inner_steps", 1)
    keep_graph = 1 if getattr(preset.algorithm, "first_order", False) else steps + 1
    per_task = parameters * (steps + 1) + 3 * activations_per_task * keep_graph
    total = 4 * parameters + preset.training.meta_batch_size * per_task
    return total * BYTES_PER_VALUE


def available_bytes(device: torch.device) -> int | None:
    """Free memory on ``device``, or None where it cannot be known."""
    if device.type == "cuda":
        return torch.cuda.mem_get_info(device)[0]
    if device.type == "cpu" and hasattr(os, "sysconf"):
        try:
            return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError):
            return None
    return None


def check_fits(preset: Preset, device: torch.device, model: nn.Module, example: torch.Tensor) -> None:
    """Raise :class:`ConfigError` with the estimate if the run would not fit on ``device``."""
    parameters = sum(p.numel() for p in model.parameters())
    needed = estimate_bytes(preset, parameters, activation_values(model, example))
    free = available_bytes(device)
    if free is not None and needed > SAFETY * free:
        raise ConfigError.at(
            "training.meta_batch_size",
            f"this run needs about {needed / 2**30:.1f} GiB on {device} but about {free / 2**30:.1f} GiB is free; "
            "lower training.meta_batch_size, the model's size or algorithm.inner_steps",
        )
