"""The ``[sampling]`` section: how tasks are drawn while meta-training."""

from __future__ import annotations

from dataclasses import dataclass

from studio.config.fields import param

STRATEGIES = ("uniform", "curriculum", "prioritized")


@dataclass(frozen=True)
class SamplingConfig:
    """uniform draws from the whole distribution; curriculum widens chosen ranges over time;
    prioritized favours tasks the model currently does badly on (adaptive task sampling)."""

    strategy: str = param(
        "uniform", "Strategy", "uniform, curriculum (easy to hard) or prioritized (by recent loss).", choices=STRATEGIES
    )
    curriculum_parameters: tuple[str, ...] = param(
        (), "Curriculum ranges", "Task settings whose ranges start narrow, e.g. amplitude."
    )
    curriculum_start: float = param(
        0.1,
        "Starting width",
        "Fraction of each range used at iteration 0 (from its low end).",
        minimum=0.0,
        exclusive_minimum=True,
        maximum=1.0,
        step=0.05,
    )
    curriculum_until: int = param(
        5000, "Full range at", "Iteration by which the ranges reach their full width.", minimum=1, maximum=100_000_000
    )
    curriculum_schedule: str = param(
        "linear", "Schedule", "linear widening, or in equal steps.", choices=("linear", "step")
    )
    curriculum_stages: int = param(4, "Stages", "Number of steps for the step schedule.", minimum=1, maximum=1000)
    pool_size: int = param(500, "Pool size", "Tasks in the prioritized pool.", minimum=1, maximum=1_000_000)
    pool_refresh: int = param(
        1000, "Refresh every", "Iterations between redrawing the pool.", minimum=1, maximum=100_000_000
    )
    temperature: float = param(
        1.0,
        "Temperature",
        "Draw probability grows as loss^temperature; 0 is uniform.",
        minimum=0.0,
        maximum=100.0,
        step=0.1,
    )
    uniform_floor: float = param(
        0.2,
        "Uniform floor",
        "Share of probability spread evenly so that no task is starved.",
        minimum=0.0,
        maximum=1.0,
        step=0.05,
    )
