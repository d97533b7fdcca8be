"""Prototypical Networks (Snell, Swersky and Zemel, NeurIPS 2017)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from studio.config.registry import ALGORITHMS
from studio.config.sections import AlgorithmConfig


@ALGORITHMS.register("protonet")
@dataclass(frozen=True)
class ProtoNetAlgorithm(AlgorithmConfig):
    """No inner loop: a task is solved by the distances of query embeddings to class prototypes."""

    name: str = "protonet"
    label: ClassVar[str] = "Prototypical Networks"
    task_kinds: ClassVar[tuple[str, ...]] = ("classification",)
    any_ways = True
    paper_batch_norm = "support"  # Snell et al. evaluated with running statistics: no query sees another
