"""While a main window lives, Python's cyclic garbage collector runs only on the UI thread.

A reference cycle holding Qt objects (a plot item taken off a plot, a closed
window) may be collected by whichever thread happens to allocate when the
collector's threshold is reached.  Collected on the preview's sampling thread
or on a run's record-reading thread (:mod:`studio.runs.process`), those Qt
objects are destroyed on the wrong thread, and Qt crashes (segmentation
fault) some time later.  So automatic collection is off while a main window
lives, and a timer collects on the UI thread instead, generation by
generation as the automatic collector would (pyqtgraph's
``GarbageCollector`` does the same).  Training itself no longer runs in the
window's process, so it no longer needs this; those two threads still do.

What exists when the first window is built (the modules of Qt, pyqtgraph,
numpy, and torch if it was imported first) lives as long as the process, so
it is frozen out of the collector's reach (as :mod:`studio.ui.engine_loader`
freezes torch once it has imported it): a full collection walks only what came
after, a few milliseconds instead of ~0.1 s with torch's 230,000 objects, which
froze the plots mid-run.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 250


class _Collector:
    def __init__(self) -> None:
        self.holders: list[Callable[[], bool]] = []  # each says whether it still needs the hold
        self.timer: QTimer | None = None

    def hold_while_alive(self, owner: QObject) -> None:
        """Hold for as long as ``owner`` (a main window, whose preview samples on a Python thread) exists."""
        self._hold(lambda: shiboken6.isValid(owner))

    def _hold(self, alive: Callable[[], bool]) -> None:
        if self.timer is None:
            self.timer = QTimer()
            self.timer.setInterval(INTERVAL_MS)
            self.timer.timeout.connect(self.tick)
        self.holders.append(alive)
        if not gc.get_freeze_count():  # once: a later window's predecessors are garbage to collect, not to keep
            gc.freeze()
        gc.disable()
        self.timer.start()

    def tick(self) -> None:
        self.holders = [alive for alive in self.holders if alive()]
        collect_due()
        if not self.holders and self.timer is not None:
            gc.enable()
            self.timer.stop()


def collect_due() -> None:
    """Collect the oldest generation whose count passed its threshold (as automatic collection would)."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    due = [generation for generation in range(3) if counts[generation] > thresholds[generation]]
    if due:
        gc.collect(due[-1])


COLLECTOR = _Collector()
