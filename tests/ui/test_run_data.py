"""The window's buffers and the pause/step/stop gate, without Qt widgets."""

from __future__ import annotations

import threading
import time

import numpy as np

from studio.engine.events import Evaluation, RunFinished, StepMetrics
from studio.runs.gate import RunGate
from studio.views.run_data import GrowableArray, RunData
from studio.views.run_export import replay
from tests.ui.conftest import SHORT, preset_with


def test_growable_array_doubles_and_keeps_old_views():
    array = GrowableArray(2, capacity=4)
    for i in range(4):
        array.append((i, 2 * i))
    early = array.column(1)
    for i in range(4, 1000):
        array.append((i, 2 * i))
    assert len(array) == 1000 and array.rows().shape == (1000, 2)
    np.testing.assert_array_equal(array.column(1), 2 * np.arange(1000))
    np.testing.assert_array_equal(early, [0, 2, 4, 6])


def test_replay_puts_each_evaluation_after_its_step():
    data = RunData()
    from studio.engine.events import RunStarted

    data.add(RunStarted(preset_with(SHORT), "cpu", 4, 10))
    for i in range(1, 5):
        data.add(StepMetrics(i, 1.0 / i, 100.0, 0.1 * i))
        if i % 2 == 0:
            data.add(Evaluation(i, (0, 1), (2.0, 1.0), (0.1, 0.1), 10))
    data.add(RunFinished(4, "completed", 0.4, 100.0, None))
    kinds = [(type(r).__name__, getattr(r, "iteration", None)) for r in replay(data)]
    assert kinds == [
        ("RunStarted", None),
        ("StepMetrics", 1),
        ("StepMetrics", 2),
        ("Evaluation", 2),
        ("StepMetrics", 3),
        ("StepMetrics", 4),
        ("Evaluation", 4),
        ("RunFinished", 4),
    ]


def test_gate_lets_exactly_one_iteration_through_per_step():
    gate, passed = RunGate(paused=True), []

    def engine():
        while not gate():
            passed.append(1)

    worker = threading.Thread(target=engine)
    worker.start()
    assert gate.wait_parked(5) and passed == []
    for expected in (1, 2):
        gate.step()
        time.sleep(0.05)
        assert gate.wait_parked(5) and len(passed) == expected
    gate.resume()
    time.sleep(0.02)
    gate.stop()
    worker.join(5)
    assert not worker.is_alive() and len(passed) > 2
