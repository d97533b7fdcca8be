"""On a machine with CUDA: every algorithm of the suite gives the CPU's meta-gradients and trains there.

Skipped where no CUDA device is present (CI); run on a GPU machine with
``pytest tests/engine/test_algorithms_cuda.py``.
"""

import math

import pytest
import torch

from studio.engine import BaselineEvaluation, RunFinished, Training
from tests.engine.algorithm_helpers import float64_setup, small_preset

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
SUITE = ["anil", "attention", "metasgd", "pretrain", "reptile", "ridge_head", "scratch"]
SETTINGS = {"maml": {"learn_inner_lr": True, "inner_steps": 2}, "reptile": {"inner_optimizer": "adam"}}


@cuda
@pytest.mark.parametrize("algorithm", [*SUITE, "maml"])
def test_meta_gradients_agree_between_cpu_and_cuda(algorithm):
    learner, params, batch = float64_setup(algorithm, **SETTINGS.get(algorithm, {}))
    on_cpu, cpu_loss = learner.meta_gradients(params, batch)
    learner.model.to("cuda")
    gpu_params = {k: v.detach().to("cuda").requires_grad_(True) for k, v in params.items()}
    on_gpu, gpu_loss = learner.meta_gradients(gpu_params, batch.to(torch.device("cuda")))
    assert float(gpu_loss) == pytest.approx(float(cpu_loss), rel=1e-9)
    for name in on_cpu:
        torch.testing.assert_close(on_gpu[name].cpu(), on_cpu[name], rtol=1e-8, atol=1e-10)


@cuda
@pytest.mark.parametrize("algorithm", SUITE)
def test_a_short_run_trains_and_evaluates_on_cuda(algorithm):
    preset = small_preset(algorithm)
    training = Training(preset.replace(training=_on_cuda(preset.training)))
    events = list(training.events())
    assert isinstance(events[-1], RunFinished) and math.isfinite(events[-1].final.final_loss)
    assert all(v.device.type == "cuda" for v in training.params.values())
    assert all(v.device.type == "cpu" for v in training.learner_state().values())


@cuda
def test_baselines_run_on_cuda():
    preset = small_preset("metasgd")
    preset = preset.replace(training=_on_cuda(preset.training))
    preset = preset.replace(evaluation=preset.evaluation.__class__(baselines=("pretrain", "scratch")))
    baselines = [e for e in Training(preset).events() if isinstance(e, BaselineEvaluation)]
    assert [b.baseline for b in baselines] == ["pretrain", "scratch"]
    assert all(math.isfinite(b.evaluation.final_loss) for b in baselines)


def _on_cuda(training):
    return training.__class__(**{**training.__dict__, "device": "cuda"})
