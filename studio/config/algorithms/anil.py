"""ANIL, Almost No Inner Loop (Raghu et al. 2019): MAML whose inner loop adapts only the head."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from studio.config.algorithms.maml import MamlAlgorithm
from studio.config.fields import param
from studio.config.registry import ALGORITHMS


@ALGORITHMS.register("anil")
@dataclass(frozen=True)
class AnilAlgorithm(MamlAlgorithm):
    name: str = "anil"
    label: ClassVar[str] = "ANIL"
    adapt_layers: tuple[str, ...] = param(
        ("head",),
        "Adapted layers",
        "ANIL adapts the head alone; naming other layer groups makes this layer-wise MAML.",
        advanced=True,
    )
