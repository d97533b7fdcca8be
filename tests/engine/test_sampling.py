"""Dynamic task sampling: curriculum ranges over time, prioritized draws, and their records."""

import numpy as np
import pytest
import torch

from studio.config import ConfigError, SamplingConfig, preset_from_dict
from studio.engine import Training
from studio.engine.events import TasksDrawn
from studio.engine.sampling import CurriculumSampler, PrioritizedSampler, build_sampler
from studio.engine.tasks import build_family
from tests.engine.helpers import tiny_preset


def sinusoid():
    return build_family(preset_from_dict({"task": {"family": "sinusoid", "amplitude": [0.0, 10.0]}}).task)


def curriculum(**settings) -> CurriculumSampler:
    config = SamplingConfig(
        strategy="curriculum",
        curriculum_parameters=("amplitude",),
        curriculum_start=0.1,
        curriculum_until=100,
        **settings,
    )
    return build_sampler(sinusoid(), config, torch.Generator().manual_seed(0))


@pytest.mark.parametrize(("iteration", "high"), [(0, 1.0), (50, 5.5), (100, 10.0), (1000, 10.0)])
def test_linear_curriculum_widens_the_range_to_full_by_its_iteration(iteration, high):
    sampler = curriculum()
    assert sampler.task_config(iteration).amplitude == pytest.approx((0.0, high))
    drawn = sampler.sample(400, iteration).params["amplitude"]
    assert drawn.max() <= high + 1e-6 and drawn.max() > 0.8 * high


@pytest.mark.parametrize(("iteration", "high"), [(0, 1.0), (24, 1.0), (25, 3.25), (74, 5.5), (99, 7.75), (100, 10.0)])
def test_step_curriculum_widens_in_stages(iteration, high):
    sampler = curriculum(curriculum_schedule="step", curriculum_stages=4)
    assert sampler.task_config(iteration).amplitude == pytest.approx((0.0, high))


def test_curriculum_names_only_ranges_of_the_family():
    config = SamplingConfig(strategy="curriculum", curriculum_parameters=("amplitud",))
    with pytest.raises(
        ConfigError,
        match="sampling.curriculum_parameters names amplitud; the ranges of this family are: amplitude, phase, x_range",
    ):
        build_sampler(sinusoid(), config, torch.Generator())


def test_prioritized_favours_high_loss_tasks_yet_draws_every_task():
    config = SamplingConfig(
        strategy="prioritized", pool_size=20, pool_refresh=10_000, temperature=1.0, uniform_floor=0.2
    )
    sampler: PrioritizedSampler = build_sampler(sinusoid(), config, torch.Generator().manual_seed(1))
    sampler.sample(20, 0)
    sampler.losses = torch.tensor([10.0] * 2 + [0.1] * 18)  # two hard tasks, the rest easy
    counts = torch.zeros(20)
    for iteration in range(1, 500):
        sampler.sample(10, iteration)
        counts += torch.bincount(sampler.last_indices, minlength=20)
    share_hard = counts[:2].sum() / counts.sum()
    assert share_hard > 0.5  # 2 of 20 tasks, drawn more than half the time
    assert (counts > 0).all()  # the uniform floor starves no task
    expected = sampler.probabilities()
    assert float(expected[:2].sum()) == pytest.approx(0.8 * 20 / 21.8 + 0.2 * 2 / 20)


def test_prioritized_training_observes_each_drawn_task_loss():
    preset = tiny_preset(sampling={"strategy": "prioritized", "pool_size": 12})
    training = Training(preset)
    training.step()
    seen = ~torch.isnan(training.sampler.losses)
    assert int(seen.sum()) == len(set(training.sampler.last_indices.tolist()))


def test_runs_record_what_was_drawn_and_resume_the_schedule():
    preset = tiny_preset(
        sampling={"strategy": "curriculum", "curriculum_parameters": ["amplitude"], "curriculum_until": 20}
    )
    training = Training(preset)
    drawn = [e for e in training.events() if isinstance(e, TasksDrawn)]
    assert [d.iteration for d in drawn] == [10, 20, 30]
    assert drawn[0].width == pytest.approx(0.1 + 0.9 * 10 / 20) and drawn[-1].width == 1.0
    assert len(drawn[-1].values["amplitude"]) == 30 * 4
    assert drawn[-1].values["amplitude"].dtype == np.float32  # half the bytes of float64 on the pipe to the window
    state = training.state_dict()
    again = Training(preset)
    again.load_state_dict(state)
    assert again.sampler.drawn.keys() == training.sampler.drawn.keys()
    for name, values in training.sampler.drawn.items():
        assert (again.sampler.drawn[name] == values).all()
