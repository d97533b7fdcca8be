"""A followed run's records (``events.jsonl`` from the moment its window left it), joined to its metrics before.

A run left running writes its records to ``events.jsonl`` from then on; the
iterations before are in ``metrics.csv``.  The first step in the file, k + 1,
says where the two meet, and by the time it is written, row k is in
``metrics.csv`` (the recorder writes a row when the next step arrives).  So
the records are held until that step, then given as ``metrics.csv``'s rows up
to k followed by the file's records, an evaluation of row k only once.
"""

from __future__ import annotations

from pathlib import Path

from studio.engine.events import Evaluation, Event, RunFinished, StepMetrics
from studio.runs.messages import RunFailed
from studio.views.run_series import earlier_records


class FollowedRecords:
    """``add(records)`` gives the records to show, in order; ``end()`` those still held when the run has ended."""

    def __init__(self, run_dir: Path):
        self.run_dir = Path(run_dir)
        self.joined = False
        self._held: list = []

    def add(self, records: list) -> list[Event]:
        shown = []
        for record in records:
            if self.joined:
                shown.append(record)
                continue
            self._held.append(record)
            if isinstance(record, StepMetrics):
                shown.extend(self._join(record.iteration - 1))
            elif isinstance(record, (RunFinished, RunFailed)):  # metrics.csv is complete and closed
                shown.extend(self._join(None))
        return shown

    def end(self) -> list[Event]:
        """The run's process ended before a step came (it died): all of ``metrics.csv``, then what came."""
        return [] if self.joined else self._join(None)

    def _join(self, up_to: int | None) -> list[Event]:
        self.joined = True
        earlier = list(earlier_records(self.run_dir, up_to))
        evaluated = {e.iteration for e in earlier if isinstance(e, Evaluation)}
        held, self._held = self._held, []
        return [*earlier, *(r for r in held if not (isinstance(r, Evaluation) and r.iteration in evaluated))]
