"""Pause, step and stop for a run in this process, answered by the engine between meta-iterations.

The engine asks ``should_stop()`` before every meta-iteration; :class:`RunGate`
is that callable, and it is also where a paused run waits.  So Pause takes
effect between iterations (after any evaluation due), Step lets exactly one
iteration through, and Stop wakes a paused run and lets the engine finish
with its last evaluation.  Any thread may call the requests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class RunGate:
    """Pause, step and stop requests, answered by the engine between meta-iterations."""

    def __init__(self, paused: bool = False, steps: int = 0, on_park: Callable[[], None] | None = None):
        """``on_park`` is called (by the waiting thread) each time the run starts to wait."""
        self._condition = threading.Condition()
        self._on_park = on_park
        self._paused = paused
        self._steps = steps  # iterations allowed through while paused
        self._stop = False
        self._parked = False  # the worker is waiting here: the model is not changing
        self._ended = False

    def __call__(self) -> bool:
        """The engine's ``should_stop``: waits while paused, then says whether to stop."""
        with self._condition:
            while self._paused and not self._steps and not self._stop:
                if not self._parked:
                    self._parked = True
                    self._condition.notify_all()
                    if self._on_park is not None:
                        self._on_park()
                self._condition.wait()
            self._parked = False
            if self._stop:
                return True
            if self._paused:
                self._steps -= 1
            return False

    def pause(self) -> None:
        self._set(paused=True, steps=0)

    def resume(self) -> None:
        self._set(paused=False, steps=0)

    def step(self) -> None:
        self._set(paused=True, steps=1)

    def stop(self) -> None:
        with self._condition:
            self._stop = True
            self._condition.notify_all()

    @property
    def paused(self) -> bool:
        return self._paused

    def wait_parked(self, timeout: float) -> bool:
        """After :meth:`pause`, wait until the worker has finished its iteration and is waiting."""
        with self._condition:
            return self._condition.wait_for(lambda: self._parked or self._ended or not self._paused, timeout)

    def end(self) -> None:
        """Called by the worker when the run is over: nothing will wait here any more."""
        with self._condition:
            self._ended = True
            self._condition.notify_all()

    def _set(self, paused: bool, steps: int) -> None:
        with self._condition:
            self._paused, self._steps = paused, steps
            self._parked = self._parked and paused and not steps  # let through: no longer waiting
            self._condition.notify_all()
