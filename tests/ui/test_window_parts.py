"""The window's helpers work from the narrow parts they are given: the Export and File menus without a MainWindow."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow, QMenuBar, QWidget

from studio.config import load_preset
from studio.engine.events import RunStarted
from studio.ui.export_actions import ExportActions
from studio.ui.figure_export import FigureSources, panel_figures
from studio.ui.menus import RecentFiles, build_file_menu
from studio.ui.panels import AdaptationPanel, LossPanel
from studio.ui.run_exports import RunSelection
from studio.ui.run_overlay import RunOverlay
from studio.ui.toolbar import FINISHED
from studio.ui.window_parts import Messages, OnScreen
from studio.views.run_data import RunData
from studio.views.run_series import earlier_records
from tests.ui.runs_fixtures import pristine  # noqa: F401 (a fixture)


def replayed(run_dir: Path) -> RunData:
    """A finished run's records as the window would have taken them in."""
    data = RunData()
    preset = load_preset(run_dir / "preset.toml")
    data.add(RunStarted(preset, "cpu", preset.training.iterations, 0, task_kind="regression", input_dim=1))
    for event in earlier_records(run_dir):
        data.add(event)
    return data


class Parts:
    """Narrow parts over a settable run on screen and a settable selection, recording what the user is told."""

    def __init__(self, qtbot):
        self.parent, self.menu_bar = QWidget(), QMenuBar()
        qtbot.addWidget(self.parent)
        self.data, self.selected = RunData(), []
        self.errors, self.statuses = [], []
        self.screen = OnScreen(lambda: self.data, lambda: None, lambda: FINISHED, lambda: None)
        self.messages = Messages(self.parent, lambda title, text: self.errors.append((title, text)),
                                 lambda text, ms: self.statuses.append(text))  # fmt: skip
        self.loss, self.adaptation = LossPanel(), AdaptationPanel()
        overlay = RunOverlay(self.loss, self.adaptation, self.screen.data, lambda: False)
        self.figures = FigureSources(self.screen.data, overlay, self.adaptation, {"loss": self.loss})
        self.selection = RunSelection(lambda: self.selected, lambda: 0.0, lambda: "ci95")

    def exports(self, model_stem: Path) -> ExportActions:
        return ExportActions(
            self.menu_bar, self.screen, self.figures, self.selection, self.messages, lambda: model_stem
        )


def test_export_menu_works_from_its_narrow_parts_without_a_window(qtbot, tmp_path, pristine):  # noqa: F811
    shutil.copytree(pristine, tmp_path / "runs")
    alpha, beta = tmp_path / "runs" / "alpha", tmp_path / "runs" / "beta"
    parts = Parts(qtbot)
    exports = parts.exports(tmp_path / "stem")
    (menu,) = [action.menu() for action in parts.menu_bar.actions()]
    assert menu.title() == "&Export" and "Loss plot" in [action.text() for action in menu.actions()]

    exports.attempt(str(tmp_path / "model"), exports.model)  # no session on screen
    assert parts.errors == [("Export failed", "nothing to export yet: start a run first")]
    exports.attempt(str(tmp_path / "runs.csv"), exports.runs.long_csv)  # nothing selected, nothing on screen
    assert parts.errors[-1][1].startswith("select runs in the Runs panel first")

    parts.data = replayed(alpha)  # the getter is read at the moment of use
    exports.attempt(str(tmp_path / "metrics.csv"), exports.metrics)
    with (tmp_path / "metrics.csv").open(encoding="utf-8") as handle, (alpha / "metrics.csv").open() as recorded:
        assert [row["meta_loss"] for row in csv.DictReader(handle)] == [
            row["meta_loss"] for row in csv.DictReader(recorded)
        ]
    assert parts.statuses == [f"Exported {tmp_path / 'metrics.csv'}"]
    (loss,) = panel_figures(exports.figures, "loss")
    assert len(loss.curves[0].y) == len(parts.data.steps) == 12

    parts.selected = [alpha, beta]
    exports.attempt(str(tmp_path / "runs.csv"), exports.runs.long_csv)
    with (tmp_path / "runs.csv").open(encoding="utf-8") as handle:
        assert {row["run"] for row in csv.DictReader(handle)} == {"alpha", "beta"}
    assert len(parts.errors) == 2  # no new error


def test_file_menu_lists_the_recent_files_it_is_given_when_it_opens(qtbot, tmp_path):
    host = QMainWindow()
    qtbot.addWidget(host)
    stores = [RecentFiles(QSettings(str(tmp_path / "first.ini"), QSettings.Format.IniFormat))]
    opened = []
    menu = build_file_menu(host, opened.append, lambda path: None, lambda: stores[-1])
    (recent,) = [a.menu() for a in menu.actions() if a.menu() is not None and a.menu().objectName() == "recentMenu"]
    preset = tmp_path / "mine.toml"
    preset.write_text("")
    stores.append(RecentFiles(QSettings(str(tmp_path / "second.ini"), QSettings.Format.IniFormat)))
    stores[-1].add(preset)  # a store given after the menu was built is the one read
    recent.aboutToShow.emit()
    (entry,) = recent.actions()
    assert entry.text() == str(preset.resolve())
    entry.trigger()
    assert opened == [preset.resolve()]
