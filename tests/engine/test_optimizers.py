"""The outer loop's Adam, written out (torch.optim imports torch._dynamo): torch.optim.Adam's numbers and state."""

import pytest
import torch

from studio.engine.optimizers import Adam


def two_tensors(dtype=torch.float32) -> list[torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    return [torch.randn(shape, generator=generator, dtype=dtype).requires_grad_() for shape in ((3, 4), (4,))]


def run_steps(optimizer, params: list[torch.Tensor], steps: range) -> None:
    """Steps of a fixed quadratic-plus-sine loss, whose gradients change with the parameters."""
    for step in steps:
        optimizer.zero_grad()
        loss = sum(((p - 0.1 * step) ** 2).sum() + torch.sin(3 * p).sum() for p in params)
        loss.backward()
        optimizer.step()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_adam_gives_torch_optim_adams_parameters_bit_for_bit(dtype):
    ours, theirs = two_tensors(dtype), two_tensors(dtype)
    run_steps(Adam(ours, lr=0.05, betas=(0.8, 0.99), eps=1e-6), ours, range(25))
    run_steps(torch.optim.Adam(theirs, lr=0.05, betas=(0.8, 0.99), eps=1e-6), theirs, range(25))
    for a, b in zip(ours, theirs):
        assert torch.equal(a, b)


def test_adam_resumes_from_a_torch_optim_state_dict_and_writes_one_torch_reads():
    reference = two_tensors()
    run_steps(torch.optim.Adam(reference, lr=0.05), reference, range(10))
    started = two_tensors()
    first = torch.optim.Adam(started, lr=0.05)
    run_steps(first, started, range(5))
    ours = Adam(started, lr=0.9)  # the saved learning rate wins, as in torch.optim
    ours.load_state_dict(first.state_dict())
    run_steps(ours, started, range(5, 8))
    theirs = torch.optim.Adam(started, lr=0.9)
    theirs.load_state_dict(ours.state_dict())
    run_steps(theirs, started, range(8, 10))
    for a, b in zip(started, reference):
        assert torch.equal(a, b)


def test_adam_refuses_a_state_dict_of_other_parameters():
    with pytest.raises(ValueError, match="other parameters"):
        Adam(two_tensors()).load_state_dict(Adam(two_tensors()[:1]).state_dict())
