"""Networks: each module builds a ``torch.nn.Module`` for one ``model.kind``."""

from __future__ import annotations

from torch import nn

from studio.config import ModelConfig
from studio.engine.registry import MODEL_BUILDERS


def build_model(config: ModelConfig, input_dim: int, output_dim: int) -> nn.Module:
    """A freshly initialised network (uses torch's global RNG: seed it first)."""
    return MODEL_BUILDERS.get(config.kind)(config, input_dim, output_dim)


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
