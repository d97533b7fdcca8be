"""The four-block convolutional network of few-shot image classification (Vinyals et al. 2016)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from studio.config.fields import param
from studio.config.registry import MODELS
from studio.config.sections import ModelConfig


@MODELS.register("conv4")
@dataclass(frozen=True)
class Conv4Model(ModelConfig):
    kind: str = "conv4"
    label: ClassVar[str] = "Conv-4 (images)"
    input_kinds: ClassVar[tuple[str, ...]] = ("image",)
    filters: int = param(64, "Filters", "Channels of each 3x3 convolution.", minimum=1, maximum=1024)
