"""On a machine with CUDA: the engine gives the same meta-gradients there as on the CPU.

Skipped where no CUDA device is present (CI); run on a GPU machine with
``pytest tests/engine/test_cuda.py``.
"""

import pytest
import torch

from studio.engine import RunFinished, Training
from tests.engine.helpers import float64_setup, tiny_preset

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")


@cuda
@pytest.mark.parametrize("first_order", [False, True])
def test_meta_gradients_agree_between_cpu_and_cuda(first_order):
    learner, params, batch = float64_setup(tiny_preset(algorithm={"first_order": first_order}))
    on_cpu, _ = learner.meta_gradients(params, batch)
    learner.model.to("cuda")
    gpu_params = {k: v.detach().to("cuda").requires_grad_(True) for k, v in params.items()}
    on_gpu, _ = learner.meta_gradients(gpu_params, batch.to(torch.device("cuda")))
    for name in on_cpu:
        torch.testing.assert_close(on_gpu[name].cpu(), on_cpu[name], rtol=1e-9, atol=1e-11)


@cuda
def test_a_short_run_trains_on_cuda_with_the_same_tasks_as_on_cpu():
    preset = tiny_preset(training={"device": "cuda", "iterations": 20, "eval_every": 10})
    training = Training(preset)
    events = list(training.events())
    assert isinstance(events[-1], RunFinished) and events[-1].iteration == 20
    assert str(training.device).startswith("cuda")
    cpu = Training(preset.replace(training=preset.training.__class__(**{**preset.training.__dict__, "device": "cpu"})))
    assert torch.equal(cpu.eval_tasks.x_query, training.eval_tasks.x_query)
