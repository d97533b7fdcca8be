"""The window's run data: exports of the run on screen, the records a resumed run starts from."""

from __future__ import annotations

import csv

from studio.engine import Training
from studio.engine.events import Evaluation, StepMetrics
from studio.export import RunRecorder
from studio.ui.panels.adaptation import AdaptationPanel
from studio.ui.worker import RunSession
from studio.views.run_data import RunData
from studio.views.run_export import write_metrics_csv
from studio.views.run_series import earlier_records
from tests.engine.helpers import tiny_preset
from tests.library_helpers import make_killed_run, quick_preset

BLOBS = {"family": "blobs2d", "ways": 3, "shots": 2, "queries": 3}


def data_of(events) -> RunData:
    data = RunData()
    for event in events:
        data.add(event)
    return data


def rows(path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_metrics_export_of_a_classification_run_keeps_the_accuracy_columns(tmp_path):
    preset = tiny_preset(task=BLOBS, algorithm={"inner_steps": 1}, training={"iterations": 4, "eval_every": 2})
    training, data = Training(preset), RunData()
    recorder = RunRecorder.for_training(tmp_path / "run", training)
    for event in training.events():
        recorder.record(event)
        data.add(event)
    write_metrics_csv(data, tmp_path / "exported.csv")
    exported = rows(tmp_path / "exported.csv")
    recorded = rows(tmp_path / "run" / "metrics.csv")
    assert "eval_acc_step1" in recorded[0] and len(recorded[0]) == 12
    assert exported == recorded


def test_a_resumed_runs_earlier_evaluations_count_their_tasks(qtbot, tmp_path):
    run_dir = make_killed_run(tmp_path / "killed", 7)  # an evaluation at 4, on the preset's 8 held-out tasks
    evaluations = [e for e in earlier_records(run_dir) if isinstance(e, Evaluation)]
    assert [(e.iteration, e.tasks) for e in evaluations] == [(4, 8)]
    panel = AdaptationPanel()
    qtbot.addWidget(panel)
    panel.refresh(data_of(evaluations))
    assert "(8 tasks)" in panel.legend.getLabel(panel.latest).text


def test_a_resumed_run_drained_late_shows_each_iteration_once(qtbot, tmp_path):
    run_dir = make_killed_run(tmp_path / "killed", 7)  # checkpoint at 5, rows up to 7
    session = RunSession(quick_preset(checkpoint_every=5), run_dir, resume=True)
    session.start()
    assert session.child.wait(60) is not None  # the child has written metrics.csv to the end before the drain
    steps = [e.iteration for e in session.drain() if isinstance(e, StepMetrics)]
    assert steps == list(range(1, 13))
