"""The fully connected network of the MAML sinusoid experiments (1-40-40-1, ReLU)."""

from __future__ import annotations

from torch import nn

from studio.config.models.mlp import MlpModel
from studio.engine.registry import MODEL_BUILDERS

_ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": nn.GELU, "silu": nn.SiLU}


@MODEL_BUILDERS.register("mlp")
def build_mlp(config: MlpModel, input_dim: int, output_dim: int) -> nn.Sequential:
    """``Sequential(Linear, act, Linear, act, ..., Linear)``: state-dict keys ``0.weight``, ``2.weight``..."""
    layers: list[nn.Module] = []
    width = input_dim
    for hidden in config.hidden:
        layers += [nn.Linear(width, hidden), _ACTIVATIONS[config.activation]()]
        width = hidden
    layers.append(nn.Linear(width, output_dim))
    return nn.Sequential(*layers)
