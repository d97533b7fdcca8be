"""The window's runs across processes: the device picker offers "CPU, N processes", the form refuses what the
engine would, and one run of two ranks (torchrun, gloo) streams rank 0's records to the window.

One torchrun launch in all (30-60 s on a loaded 2-core machine): the launch test checks everything it can.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QStatusBar

from studio.engine.events import RunStarted, StepMetrics
from studio.export.run_metrics import read_metrics
from studio.ui.main_window import MainWindow
from studio.ui.status import RunStatus
from studio.views.run_data import RunData
from tests.ui.conftest import FAST, button, click, open_window, preset_with

LAUNCH_MS = 300_000  # torchrun's start-up (importing torch in three processes) dominates


def pick(window: MainWindow, label_start: str) -> None:
    """Choose the device picker's entry whose label starts with ``label_start``, as a user would."""
    combo = window.findChild(QComboBox, "deviceCombo")
    labels = [combo.itemText(i) for i in range(combo.count())]
    index = next(i for i, label in enumerate(labels) if label.startswith(label_start))
    combo.setCurrentIndex(index)


def test_the_picker_sets_two_processes_and_the_form_refuses_a_meta_batch_they_cannot_share(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(["training.iterations=10", *FAST]))
    pick(window, "CPU, 2 processes (torchrun, gloo)")
    assert window.experiment.data["training"]["processes"] == 2
    assert window.experiment.data["training"]["device"] == "cpu"
    assert window.experiment.valid_preset is not None and window.experiment.valid_preset.training.processes == 2
    assert button(window, "startButton").isEnabled()

    window.experiment.set_value("training.meta_batch_size", 1)
    message = "training.meta_batch_size is 1 but the run has 2 processes; each needs at least one task"
    assert message in window.experiment.problem_text  # the engine's own words (studio.engine.distributed)
    assert window.experiment.valid_preset is None
    assert not button(window, "startButton").isEnabled()

    pick(window, "cpu: ")  # one process shares nothing: the same meta-batch is fine
    assert window.experiment.data["training"]["processes"] == 1
    assert window.experiment.problem_text == ""
    assert button(window, "startButton").isEnabled()


def test_a_run_of_two_processes_steps_streams_rank_0_to_the_window_and_finishes_with_its_folder(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(["training.iterations=40", "training.eval_every=20", *FAST]))
    pick(window, "CPU, 2 processes")
    click(qtbot, window, "stepButton")  # one meta-iteration of both ranks, then rank 0 waits and rank 1 with it
    assert type(window.session.child).__name__ == "RankedRun"
    assert window.session.wait_parked(LAUNCH_MS / 1000), window.session.exit
    window.live.drain_now()
    assert window.data.iteration == 1 and window.data.started.processes == 2
    with qtbot.waitSignal(window.runFinished, timeout=LAUNCH_MS) as finished:
        click(qtbot, window, "pauseButton")  # go on: Pause is Resume while paused
    assert finished.args[0] == "completed", window.session.error
    data = window.data
    assert data.started.processes == 2 and data.iteration == 40 and len(data.steps) == 40
    assert len(data.rank_rates) == 2 and min(data.rank_rates) > 0
    assert data.last_evaluation.iteration == 40 and data.last_evaluation.tasks == 10  # gathered from both ranks
    text = window.status.device.text()
    assert "2 processes (rank 0 shown)" in text and "per rank" in text and text.endswith("it/s")
    folder = window.session.run_dir
    assert (folder / "summary.json").is_file() and (folder / "model.safetensors").is_file()
    assert len(read_metrics(folder).columns["meta_loss"]) == 40  # rank 0 alone wrote it, once per iteration
    window.grab().save(str(tmp_path / "two-processes.png"))


def test_the_status_bar_names_the_processes_and_each_ranks_rate(qtbot):
    bar = QStatusBar()
    qtbot.addWidget(bar)
    status, data = RunStatus(bar), RunData()
    preset = preset_with(FAST)
    data.add(RunStarted(preset, "cpu", 10, 100))
    status.show(data, "Running")
    assert status.device.text() == "device: cpu"
    data.add(RunStarted(preset, "cpu", 10, 100, processes=2))
    data.add(StepMetrics(1, 0.5, 10.0, 0.1, (12.5, 9.75)))
    data.add(StepMetrics(2, 0.5, 10.0, 0.2))  # an iteration with no exchange of rates keeps the last ones
    status.show(data, "Running")
    assert status.device.text() == "cpu, 2 processes (rank 0 shown) · per rank 12.5, 9.75 it/s"
