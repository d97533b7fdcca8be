"""The window's run data (no Qt): exports of the run on screen, the records a resumed run starts from."""

from __future__ import annotations

import csv

from studio.engine import Training
from studio.export import RunRecorder
from studio.ui.run_data import RunData
from studio.ui.run_export import write_metrics_csv
from tests.engine.helpers import tiny_preset

BLOBS = {"family": "blobs2d", "ways": 3, "shots": 2, "queries": 3}


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
