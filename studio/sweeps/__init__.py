"""Hyperparameter sweeps on Optuna: every trial a normal run folder, the study in a file beside them.

Qt-free.  :mod:`studio.config.sweep` says what to search; this package asks
Optuna for settings, trains each trial through the engine, reports held-out
evaluations to Optuna's pruner and tells it the objective.  Optuna is imported
only here, so nothing else pays for it.
"""

from studio.sweeps.study import SweepStudy, create_sweep, join_sweep
from studio.sweeps.worker import run_worker

__all__ = ["SweepStudy", "create_sweep", "join_sweep", "run_worker"]
