"""Conv-4, the backbone of few-shot image classification (Vinyals et al. 2016; Finn et al. 2017; Snell et al. 2017).

Four blocks of 3x3 convolution (``filters`` channels, padding 1), batch
normalisation, ReLU and 2x2 max-pooling, then a linear head on the flattened
features (64 of them for 28x28 inputs).  Gradient-based learners adapt the
whole network; Prototypical Networks use everything but the head as the
embedding.

Batch normalisation uses the statistics of the batch it is given (one
task's support or query set): the transductive setting of MAML, with no
running averages (or, for non-transductive evaluation, those of the support
rows placed ahead of the queries: :mod:`studio.engine.models.statistics`),
so a task's prediction never depends on other tasks and the network is a
pure function of its parameters, as ``torch.func`` needs.  It is
written out (:class:`BatchStatNorm2d`) rather than ``nn.BatchNorm2d`` because
PyTorch's batch-norm kernel under ``vmap`` gives wrong second derivatives when
the meta-gradient is taken by ``torch.autograd.grad`` outside the ``vmap`` (on
torch 2.13, in float64: off by up to 0.04 on meta-gradients of size 0.6 against
a loop over tasks; compare functorch issue #534, the batch-norm backward
batching rule); plain tensor operations give the loop's gradients exactly.
Outside torch.func transforms (the loop over tasks on the CPU) PyTorch's fused
kernel is exact and faster, so it is used there.

The network is an ``nn.Sequential`` ending in its ``Linear`` head, so methods
that split body and head (ANIL, closed-form heads) work on it unchanged.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from studio.config import ConfigError
from studio.config.models.conv4 import Conv4Model
from studio.engine.models.statistics import statistics_rows
from studio.engine.registry import MODEL_BUILDERS

BLOCKS = 4
EPSILON = 1e-5
# Device types where learners loop over a meta-batch's tasks instead of vmapping them: on the CPU,
# vmapped convolutions of many small per-task batches are slower than one task at a time
# (benchmarks/conv4_speed.py); on CUDA, vmap batches the tasks into larger kernels.
LOOP_OVER_TASKS_ON = ("cpu",)


class BatchStatNorm2d(nn.Module):
    """Batch normalisation over (examples, height, width) with the batch's own statistics, and a learned affine."""

    keeps_shape = True  # what the memory estimate's shape arithmetic reads (studio/engine/resources.py)

    def __init__(self, channels: int):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows = statistics_rows()
        if rows is not None:  # statistics from the support rows only, applied to every row (non-transductive)
            return self._normalise(x, x[:rows])
        if not _inside_torch_func(x):  # one task at a time: PyTorch's fused kernel is exact here, and faster
            return F.batch_norm(x, None, None, self.weight, self.bias, training=True, eps=EPSILON)
        return self._normalise(x, x)

    def _normalise(self, x: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
        """``x`` normalised by the mean and (biased) variance of ``reference``, then the affine map."""
        mean = reference.mean(dim=(0, 2, 3), keepdim=True)
        centred = reference - mean
        # two-pass variance: on the CPU, Tensor.var over (N, H, W) is ~20x slower than these means
        var = (centred * centred).mean(dim=(0, 2, 3), keepdim=True)
        return (x - mean) * torch.rsqrt(var + EPSILON) * self.weight.view(-1, 1, 1) + self.bias.view(-1, 1, 1)


def _inside_torch_func(x: torch.Tensor) -> bool:
    """Whether ``x`` is wrapped by a torch.func transform (vmap, grad); assume so if torch cannot tell."""
    check = getattr(getattr(torch._C, "_functorch", None), "is_functorch_wrapped_tensor", None)
    return check is None or bool(check(x))


def conv_block(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1),
        BatchStatNorm2d(out_channels),
        nn.ReLU(),
        nn.MaxPool2d(2),
    )


def image_layout(input_dim: int) -> tuple[int, int]:
    """(channels, side) of square images with ``input_dim = channels * side * side`` values, 1 or 3 channels.

    Image families report ``input_dim`` as C * H * W; the split is unique
    because 3 * s * s is never a perfect square.
    """
    for channels in (1, 3):
        side = math.isqrt(input_dim // channels)
        if input_dim % channels == 0 and side * side * channels == input_dim:
            return channels, side
    raise ConfigError.at(
        "model.kind", f"conv4 needs square grayscale or RGB images; these tasks have {input_dim} input values"
    )


@MODEL_BUILDERS.register("conv4")
def build_conv4(config: Conv4Model, input_dim: int, output_dim: int) -> nn.Sequential:
    """``Sequential(block, block, block, block, Flatten, Linear)``: keys ``0.0.weight`` ... ``5.weight``."""
    channels, side = image_layout(input_dim)
    if side < 2**BLOCKS:
        raise ConfigError.at("task.image_size", f"is {side}; conv4 halves the image {BLOCKS} times, so needs >= 16")
    layers: list[nn.Module] = [conv_block(channels, config.filters)]
    layers += [conv_block(config.filters, config.filters) for _ in range(BLOCKS - 1)]
    for _ in range(BLOCKS):
        side //= 2
    model = nn.Sequential(*layers, nn.Flatten(), nn.Linear(config.filters * side * side, output_dim))
    model.loop_over_tasks_on = LOOP_OVER_TASKS_ON
    model.input_dim = input_dim  # what `studio eval` checks tasks from another source against
    return model
