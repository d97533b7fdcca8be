"""A multilayer perceptron: Linear, activation, ..., Linear."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from studio.config.fields import param
from studio.config.registry import MODELS
from studio.config.sections import ModelConfig

ACTIVATIONS = ("relu", "tanh", "sigmoid", "gelu", "silu")


@MODELS.register("mlp")
@dataclass(frozen=True)
class MlpModel(ModelConfig):
    kind: str = "mlp"
    label: ClassVar[str] = "MLP (fully connected)"
    input_kinds: ClassVar[tuple[str, ...]] = ("vector",)
    hidden: tuple[int, ...] = param((40, 40), "Hidden layers", "Width of each hidden layer.", minimum=1, maximum=65_536)
    activation: str = param("relu", "Activation", "Nonlinearity between layers.", choices=ACTIVATIONS)
