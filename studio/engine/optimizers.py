"""The outer loop's optimizers, written out: Adam (Kingma and Ba, ICLR 2015) and a base for others.

``torch.optim``'s optimizers import all of ``torch._dynamo`` on first use (their methods are marked as not to
be compiled, and ``Adam.step`` asks dynamo for graph breaks): about 2 s of CPU at the start of every run
(issue #11).  The meta-parameters are a handful of tensors, so a plain loop over them costs nothing.

Their state dicts have ``torch.optim``'s layout (``state`` by parameter index, ``param_groups`` with the
hyper-parameters and the indices), so checkpoints written with ``torch.optim.Adam`` resume here, and the
reverse.  On the CPU :class:`Adam` performs ``torch.optim.Adam``'s arithmetic in its order (its single-tensor
path), so a run's numbers are what they were (``tests/engine/test_optimizers.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch


class Optimizer:
    """What the training loop uses of ``torch.optim.Optimizer``: one group of parameters, updated by :meth:`step`
    from their ``.grad``; :meth:`zero_grad`, :meth:`state_dict`, :meth:`load_state_dict`."""

    def __init__(self, params: Iterable[torch.Tensor], defaults: dict[str, Any]):
        self.defaults = defaults
        self.param_groups = [{**defaults, "params": list(params)}]
        self.state: dict[torch.Tensor, dict[str, Any]] = {}

    def step(self) -> None:
        raise NotImplementedError

    def parameters(self) -> list[torch.Tensor]:
        return [p for group in self.param_groups for p in group["params"]]

    def zero_grad(self) -> None:
        for tensor in self.parameters():
            tensor.grad = None

    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: {name: value}}, "param_groups": [{hyper-parameters, "params": [indices]}]}``."""
        index = {id(p): i for i, p in enumerate(self.parameters())}
        state = {index[id(p)]: dict(values) for p, values in self.state.items()}
        groups = [{**group, "params": [index[id(p)] for p in group["params"]]} for group in self.param_groups]
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, saved: dict[str, Any]) -> None:
        """Take the hyper-parameters and per-parameter state of :meth:`state_dict` (or of ``torch.optim``)."""
        groups = saved["param_groups"]
        if [len(g["params"]) for g in groups] != [len(g["params"]) for g in self.param_groups]:
            raise ValueError("the saved optimizer state has other parameters than this optimizer")
        by_index: dict[int, torch.Tensor] = {}
        for group, saved_group in zip(self.param_groups, groups):
            group.update({k: v for k, v in saved_group.items() if k != "params"})
            by_index.update(zip(saved_group["params"], group["params"]))
        self.state = {by_index[int(i)]: _placed(values, by_index[int(i)]) for i, values in saved["state"].items()}


def _placed(values: dict[str, Any], param: torch.Tensor) -> dict[str, Any]:
    """Saved per-parameter state on ``param``'s device and dtype; the step count stays a CPU float (torch.optim's)."""
    placed = {}
    for name, value in values.items():
        if isinstance(value, torch.Tensor) and name != "step":
            value = value.to(device=param.device, dtype=param.dtype)
        placed[name] = value.clone() if isinstance(value, torch.Tensor) else value
    return placed


class Adam(Optimizer):
    """theta <- theta - lr * m_hat / (sqrt(v_hat) + eps), with bias-corrected moving averages m and v of the
    gradient and of its square (Kingma and Ba 2015, Algorithm 1)."""

    def __init__(self, params: Iterable[torch.Tensor], lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": 0, "amsgrad": False})

    @torch.no_grad()
    def step(self) -> None:
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is not None:
                    self._update(param, param.grad, group)

    def _update(self, param: torch.Tensor, grad: torch.Tensor, group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        state = self.state.setdefault(param, {})
        if not state:
            state.update(step=torch.tensor(0.0), exp_avg=torch.zeros_like(param), exp_avg_sq=torch.zeros_like(param))
        state["step"] += 1
        state["exp_avg"].lerp_(grad, 1 - beta1)
        state["exp_avg_sq"].mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        step = float(state["step"])
        step_size = group["lr"] / (1 - beta1**step)
        denominator = (state["exp_avg_sq"].sqrt() / (1 - beta2**step) ** 0.5).add_(group["eps"])
        param.addcdiv_(state["exp_avg"], denominator, value=-step_size)
