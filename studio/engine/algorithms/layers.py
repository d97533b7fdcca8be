"""Layer groups: which of a network's weights an inner loop adapts, and the network without its head.

A *layer group* is the module that owns a parameter, i.e. the parameter's name
without its last part: ``0.weight`` and ``0.bias`` are group ``0`` of the MLP,
whose groups are ``0``, ``2`` and ``4``.  Groups come in the network's
registration order, so the last one is the *head* (the output layer).

Layer-wise adaptation (``adapt_layers``) names groups by prefix, by ``head`` (the
last group), ``body`` (every group but the head) or by a negative position
(``-1`` is the head, ``-2`` the layer before it); an empty list adapts all of
them.  ANIL (Raghu et al. 2019) is ``adapt_layers = ["head"]``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.func import functional_call

from studio.config import ConfigError

ADAPT_LAYERS_PATH = "algorithm.adapt_layers"


def layer_group(name: str) -> str:
    """``"0.weight"`` -> ``"0"``; ``"blocks.1.conv.bias"`` -> ``"blocks.1.conv"``."""
    return name.rpartition(".")[0] or name


def layer_groups(model: nn.Module) -> dict[str, list[str]]:
    """Each layer group, in registration order, with the names of the parameters it holds."""
    groups: dict[str, list[str]] = {}
    for name, _ in model.named_parameters():
        groups.setdefault(layer_group(name), []).append(name)
    return groups


def adapted_parameters(model: nn.Module, adapt_layers: Sequence[str]) -> tuple[str, ...]:
    """Names of the parameters in the groups that ``adapt_layers`` names (every parameter when empty)."""
    groups = layer_groups(model)
    order = list(groups)
    chosen = set(order) if not adapt_layers else {g for item in adapt_layers for g in _resolve(item, order)}
    names = tuple(n for group in order if group in chosen for n in groups[group])
    if not names:
        raise ConfigError.at(ADAPT_LAYERS_PATH, f"selects no parameters of this network (groups: {', '.join(order)})")
    return names


def _resolve(item: str, order: list[str]) -> list[str]:
    if item in order:
        return [item]
    if item == "head":
        return order[-1:]
    if item == "body":
        return order[:-1]
    if item.startswith("-") and item[1:].isdigit() and 1 <= int(item[1:]) <= len(order):
        return [order[int(item)]]
    known = ", ".join([*order, "head", "body"])
    raise ConfigError.at(ADAPT_LAYERS_PATH, f"names '{item}', which is not a layer group of this network ({known})")


class HeadSplit:
    """A network seen as a body (every layer but the last) followed by its head (the last layer).

    Methods with a closed-form or non-parametric head (ridge regression,
    attention) replace the head and use the body's output as the embedding.
    The network must be an ``nn.Sequential`` (as the MLP is), so that the body is
    a slice of it that keeps the parameter names.
    """

    def __init__(self, model: nn.Module, algorithm: str):
        if not isinstance(model, nn.Sequential) or len(model) < 2:
            raise ConfigError.at(
                "model.kind", f"'{algorithm}' needs a network built as a sequence of layers ending in its head"
            )
        self.body = model[:-1]
        self.body_names = frozenset(name for name, _ in self.body.named_parameters())
        self.feature_dim = _feature_dim(model[-1])

    def features(self, params: dict[str, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
        """The body's output for the inputs ``x``, flattened to (examples, features)."""
        body_params = {k: v for k, v in params.items() if k in self.body_names}
        return functional_call(self.body, body_params, (x,)).flatten(1)


def _feature_dim(head: nn.Module) -> int:
    if isinstance(head, nn.Linear):
        return head.in_features
    raise ConfigError.at("model.kind", "the network's last layer must be a Linear head")
