"""Running a sweep's trials: one worker loop, in this process or in several.

Every worker, local or on another machine, runs the same loop: Optuna's
``optimize`` asks for a trial, the worker trains it into ``OUT/trial-NNNN`` and
returns the objective, until the trial budget is spent.  Optuna numbers trials
atomically in its storage, so a trial numbered past the budget (two workers
asking for the last one at once) fails at once without training, and no trial
is run twice.  ``--parallel P``
starts P such workers as processes and watches the storage.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import optuna
from optuna.study import MaxTrialsCallback

from studio.sweeps.study import SweepStudy
from studio.sweeps.trial import run_trial

OVER_BUDGET = "over budget: another worker took the last trial"


def trial_folder(out: Path, number: int) -> Path:
    return out / f"trial-{number:04d}"


class TrialFailed(Exception):
    """A trial that could not be trained (bad settings for this task, divergence): Optuna marks it failed."""


class OverBudget(Exception):
    """Asked for past the budget (another worker took the last trial): failed at once, never trained."""


def run_worker(
    sweep_study: SweepStudy, out: Path, on_trial: Callable[[optuna.trial.FrozenTrial], None] | None = None
) -> None:
    """Train trials until the budget is spent (Optuna's ``optimize``: its samplers and pruners expect it)."""
    study, sweep = sweep_study.study, sweep_study.sweep

    def objective(trial: optuna.Trial) -> float:
        if trial.number >= sweep.trials:
            trial.set_user_attr("skipped", OVER_BUDGET)
            raise OverBudget
        result = run_trial(trial, sweep, sweep_study.base, trial_folder(out, trial.number))
        trial.set_user_attr("seconds", round(result.seconds, 3))
        if result.state == "pruned":
            raise optuna.TrialPruned()
        if result.state == "failed":
            trial.set_user_attr("error", result.message)
            raise TrialFailed(result.message)
        return result.value

    callbacks = [MaxTrialsCallback(sweep.trials, states=None)]
    if on_trial is not None:
        callbacks.append(lambda _study, frozen: frozen.number < sweep.trials and on_trial(frozen))
    if len(study.get_trials(deepcopy=False)) < sweep.trials:
        study.optimize(objective, callbacks=callbacks, catch=(TrialFailed, OverBudget))


def threads_per_worker(workers: int) -> int:
    """Torch threads for each of ``workers`` processes, so together they do not oversubscribe the cores."""
    return max(1, (os.cpu_count() or 1) // workers)


def start_workers(sweep_study: SweepStudy, out: Path, count: int) -> list[subprocess.Popen]:
    """``count`` worker processes joining the sweep (``studio sweep --join``), each with its share of cores."""
    threads = threads_per_worker(count)
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    command = [sys.executable, "-m", "studio", "sweep", "--join", sweep_study.name, "--threads", str(threads)]
    command += ["--storage", sweep_study.storage_text, "--out", str(out), "--quiet"]
    return [
        subprocess.Popen(command + ["--worker-seed", str(index)], env=env, stdout=subprocess.DEVNULL)
        for index in range(count)
    ]


def watch_workers(
    sweep_study: SweepStudy, workers: list[subprocess.Popen], on_result: Callable[[optuna.trial.FrozenTrial], None]
) -> int:
    """Report each trial as it finishes until every worker has exited; the workers' worst exit code."""
    reported: set[int] = set()
    while True:
        alive = any(worker.poll() is None for worker in workers)
        for frozen in sweep_study.study.get_trials(deepcopy=False):
            if frozen.state.is_finished() and frozen.number not in reported:
                reported.add(frozen.number)
                if frozen.number < sweep_study.sweep.trials:
                    on_result(frozen)
        if not alive:
            return max((worker.returncode for worker in workers), key=abs, default=0)
        time.sleep(0.5)
