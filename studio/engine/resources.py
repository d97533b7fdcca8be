"""Refusing, before training, a run that cannot fit in the device's memory.

The estimate is deliberately rough (within a small factor): weights, Adam's two
moments and gradients once, then per task of this process's share of the
meta-batch a copy of the weights for each inner step and the activations of
every layer, forward and backward, for as many passes as autograd keeps at
once: one for first-order methods, inner steps + 1 for second-order ones,
two when the inner loop is recomputed in the backward pass
(``algorithm.checkpoint_inner_loop``).  It is there to turn "the machine
froze" into a message with a number.

Activation sizes come from shape arithmetic over the network's layers (a few
microseconds); a network with a layer this module does not know is run once
on the meta device instead (which allocates nothing but takes seconds).
"""

from __future__ import annotations

import math
import os

import torch
from torch import nn

from studio.config import ConfigError, Preset

SAFETY = 0.9  # leave some memory to everything else
SAME_SHAPE = (nn.ReLU, nn.Tanh, nn.Sigmoid, nn.GELU, nn.SiLU, nn.Identity, nn.Dropout, nn.BatchNorm2d)


def activation_values(model: nn.Module, example: torch.Tensor) -> int:
    """How many values one forward pass of ``example`` produces, summed over the network's layers."""
    counted = _shape_arithmetic(model, tuple(example.shape))
    return counted if counted is not None else _run_on_meta(model, example)


def _shape_arithmetic(model: nn.Module, shape: tuple[int, ...]) -> int | None:
    """The sum over layers of their output sizes, for nested ``Sequential`` networks of known layers; else None."""
    if any(not isinstance(m, nn.Sequential) for m in model.modules() if list(m.children())):
        return None  # the order of the layers is only known for Sequential containers
    total = 0
    for layer in (m for m in model.modules() if not list(m.children())):
        shape = _output_shape(layer, shape)
        if shape is None:
            return None
        total += math.prod(shape)
    return total


def _output_shape(layer: nn.Module, shape: tuple[int, ...]) -> tuple[int, ...] | None:
    if isinstance(layer, SAME_SHAPE) or getattr(layer, "keeps_shape", False):
        return shape
    if isinstance(layer, nn.Linear):
        return (*shape[:-1], layer.out_features)
    if isinstance(layer, nn.Flatten):
        return (*shape[: layer.start_dim], math.prod(shape[layer.start_dim :]))
    if isinstance(layer, (nn.Conv2d, nn.MaxPool2d)):
        return (*shape[:-3], _channels(layer, shape[-3]), *_spatial(layer, shape[-2:]))
    return None


def _channels(layer: nn.Module, channels: int) -> int:
    return layer.out_channels if isinstance(layer, nn.Conv2d) else channels


def _spatial(layer: nn.Conv2d | nn.MaxPool2d, sides: tuple[int, ...]) -> tuple[int, ...]:
    """Output height and width, by the formula in the PyTorch documentation of Conv2d and MaxPool2d."""
    pair = nn.modules.utils._pair
    kernel, stride, padding, dilation = (
        pair(v) for v in (layer.kernel_size, layer.stride, layer.padding, layer.dilation)
    )
    sizes = [(s + 2 * p - d * (k - 1) - 1) / st + 1 for s, k, st, p, d in zip(sides, kernel, stride, padding, dilation)]
    round_up = getattr(layer, "ceil_mode", False)
    return tuple(math.ceil(v) if round_up else math.floor(v) for v in sizes)


def _run_on_meta(model: nn.Module, example: torch.Tensor) -> int:
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


def graphs_kept(algorithm) -> int:
    """Forward passes whose activations autograd holds at once for one task."""
    steps = getattr(algorithm, "inner_steps", 1)
    if getattr(algorithm, "first_order", False) or algorithm.name == "reptile":
        return 1
    return 2 if getattr(algorithm, "checkpoint_inner_loop", False) else steps + 1


def estimate_bytes(preset: Preset, parameters: int, activations_per_task: int, processes: int = 1) -> int:
    """Rough peak memory of one meta-iteration in one of ``processes`` that share the meta-batch."""
    steps = getattr(preset.algorithm, "inner_steps", 1)
    tasks = math.ceil(preset.training.meta_batch_size / processes)
    per_task = parameters * (steps + 1) + 3 * activations_per_task * graphs_kept(preset.algorithm)
    values = 4 * parameters + tasks * per_task
    return values * torch.get_default_dtype().itemsize


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


def check_fits(
    preset: Preset, device: torch.device, model: nn.Module, example: torch.Tensor, processes: int = 1, here: int = 1
) -> None:
    """Raise :class:`ConfigError` with the estimate if the run would not fit on ``device``.

    ``processes`` share the meta-batch; ``here`` of them run on this machine (they share its
    memory when ``device`` is the CPU; on CUDA each has its own GPU).
    """
    parameters = sum(p.numel() for p in model.parameters())
    needed = estimate_bytes(preset, parameters, activation_values(model, example), processes)
    needed *= here if device.type == "cpu" else 1
    free = available_bytes(device)
    if free is not None and needed > SAFETY * free:
        raise ConfigError.at(
            "training.meta_batch_size",
            f"this run needs about {needed / 2**30:.1f} GiB on {device} but about {free / 2**30:.1f} GiB is free; "
            + _advice(preset.algorithm),
        )


def _advice(algorithm) -> str:
    advice = "lower training.meta_batch_size, the model's size or algorithm.inner_steps"
    if hasattr(algorithm, "checkpoint_inner_loop") and graphs_kept(algorithm) > 2:
        advice += ", or set algorithm.checkpoint_inner_loop = true"
    return advice
