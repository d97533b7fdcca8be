"""A run's child process with a fault put in on purpose: ``python -m tests.runs.faulty_child FAULT [ITERATION]``.

``step N``: the engine raises at iteration N; ``refuse``: the engine refuses the settings at start;
``crash N``: the process kills itself (SIGSEGV, as a fault in native code would) at iteration N.
"""

from __future__ import annotations

import os
import signal
import sys

from studio.config import ConfigError
from studio.engine.training import Training
from studio.runs.child import main


def command(fault: str, iteration: int = 0) -> list[str]:
    return [sys.executable, "-m", "tests.runs.faulty_child", fault, str(iteration)]


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
    break_engine(sys.argv[1], int(sys.argv[2]))
    sys.exit(main())
