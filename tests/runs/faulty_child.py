"""A run's child process with a fault put in on purpose: ``python -m tests.runs.faulty_child FAULT [N [M]]``.

``step N``: the engine raises at iteration N; ``refuse``: the engine refuses the settings at start;
``crash N``: the process kills itself (SIGSEGV, as a fault in native code would) at iteration N;
``nan N M``: the meta-gradients are non-finite at meta-steps N..M-1 (counted from 1; M = 0: from N on).
"""

from __future__ import annotations

import math
import os
import signal
import sys

from studio.config import ConfigError
from studio.engine.algorithms.base import MetaLearner
from studio.engine.training import Training
from studio.runs.child import main


def command(fault: str, *numbers: int) -> list[str]:
    return [sys.executable, "-m", "tests.runs.faulty_child", fault, *map(str, numbers)]


def poison_gradients(first: int, end: int) -> None:
    real = MetaLearner.meta_gradients
    calls = {"n": 0}

    def poisoned(self, params, batch):
        calls["n"] += 1
        grads, loss = real(self, params, batch)
        if first <= calls["n"] and (end == 0 or calls["n"] < end):
            name = next(iter(grads))
            grads = {**grads, name: grads[name] * math.nan}
        return grads, loss

    MetaLearner.meta_gradients = poisoned


def break_engine(fault: str, iteration: int) -> None:
    real_step = Training.step

    def failing_step(self):
        if self.iteration == iteration:
            if fault == "crash":
                os.kill(os.getpid(), signal.SIGSEGV)
            raise RuntimeError("the engine broke")
        return real_step(self)

    def refuse(self, preset, device=None):
        raise ConfigError.at("algorithm.name", "'maml' does not apply to these tasks")

    if fault == "refuse":
        Training.__init__ = refuse
    else:
        Training.step = failing_step


if __name__ == "__main__":
    fault, numbers = sys.argv[1], [int(n) for n in sys.argv[2:]] + [0, 0]
    if fault == "nan":
        poison_gradients(numbers[0], numbers[1])
    else:
        break_engine(fault, numbers[0])
    sys.exit(main())
