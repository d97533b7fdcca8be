"""An inner step recomputed in the backward pass instead of stored (``algorithm.checkpoint_inner_loop``).

Second-order MAML keeps, for the meta-gradient, the graph of every inner step: the
forward pass of the support set and the backward pass that gave its gradient.
:func:`recomputed_step` keeps only the step's inputs (the weights before it, the
learned rates, the support set); when the meta-gradient reaches the step, the step is
run again with its graph and differentiated there, one step at a time.  The result is
the same meta-gradient (``tests/engine/test_inner_loop_memory.py``).

``torch.utils.checkpoint`` does not fit this step: the non-reentrant variant unpacks,
during the forward pass, the tensors the inner ``autograd.grad`` saved, so it recomputes
there and keeps the graph anyway (measured on Conv-4 MAML, 5 steps: peak memory no lower
and slower), and torch.func transforms refuse its saved-tensor hooks.  Tasks therefore run one at a time
with this option (``MetaLearner.vectorize_tasks``).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

Params = dict[str, torch.Tensor]
Step = Callable[[Params, Params, torch.Tensor, torch.Tensor, int], Params]


class _Recomputed(torch.autograd.Function):
    """``run(*inputs)`` whose backward pass runs it again instead of keeping its graph."""

    @staticmethod
    def forward(ctx, run: Callable[..., tuple[torch.Tensor, ...]], *inputs: torch.Tensor):
        ctx.run = run
        ctx.save_for_backward(*inputs)
        with torch.enable_grad():  # the step differentiates the support loss, even when computing values only
            outputs = run(*_leaves(inputs))
        return tuple(output.detach() for output in outputs)

    @staticmethod
    def backward(ctx, *output_grads: torch.Tensor):
        with torch.enable_grad():
            inputs = _leaves(ctx.saved_tensors)
            outputs = ctx.run(*inputs)
            wanted = [tensor for tensor in inputs if tensor.requires_grad]
            grads = iter(torch.autograd.grad(outputs, wanted, output_grads, allow_unused=True))
        return (None, *(next(grads) if tensor.requires_grad else None for tensor in inputs))


def _leaves(tensors) -> list[torch.Tensor]:
    """Detached copies that autograd tracks where the originals needed gradients."""
    return [t.detach().requires_grad_(t.requires_grad) for t in tensors]


def recomputed_step(
    step: Step, params: Params, weights: Params, x: torch.Tensor, y: torch.Tensor, index: int
) -> Params:
    """The weights ``step(params, weights, x, y, index)`` changes, storing only the step's inputs."""
    names = [*weights, *(k for k in params if k not in weights)]  # the network, then learned rates
    changed: list[str] = []

    def run(*tensors: torch.Tensor) -> tuple[torch.Tensor, ...]:
        *values, support_x, support_y = tensors
        named = dict(zip(names, values))
        updated = step(named, {k: named[k] for k in weights}, support_x, support_y, index)
        changed[:] = [k for k in updated if updated[k] is not named[k]]
        return tuple(updated[k] for k in changed)

    inputs = [weights[k] if k in weights else params[k] for k in names]
    outputs = _Recomputed.apply(run, *inputs, x, y)
    return dict(zip(changed, outputs))
