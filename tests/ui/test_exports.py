"""Export menu: a run folder like `studio run` writes, PNG and SVG of every panel, CSV at full resolution."""

from __future__ import annotations

import csv
import json

import pytest

from studio.config import ConfigError, load_preset
from studio.export import load_model
from studio.export.metrics_csv import header
from tests.ui.conftest import click, pause_and_settle, run_to_end, wait_for_iteration

RUN_FILES = ("preset.toml", "metrics.csv", "model.safetensors", "model.json", "summary.json")


def csv_rows(path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_exports_of_a_finished_run(qtbot, window, tmp_path):
    with pytest.raises(ConfigError):
        window.exports.model(tmp_path / "too-early")
    run_to_end(qtbot, window)
    folder = window.exports.model(tmp_path / "exported")
    assert all((folder / name).is_file() for name in RUN_FILES)
    for name in RUN_FILES:  # the same bytes as the run folder recorded while training
        assert (folder / name).read_bytes() == (window.session.run_dir / name).read_bytes()
    assert load_preset(folder / "preset.toml") == window.data.started.preset
    assert load_model(folder)(__import__("torch").zeros(3, 1)).shape == (3, 1)
    rows = csv_rows(window.exports.metrics(tmp_path / "metrics.csv"))
    assert rows[0] == header(1) and len(rows) - 1 == 60
    assert rows[1:] == csv_rows(window.session.run_dir / "metrics.csv")[1:]
    written = window.exports.all_panels(tmp_path / "plots")
    assert len(written) == 2 * len(window.panels)
    for path in written:
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG") if path.suffix == ".png" else b"<svg" in data, path
        assert len(data) > 1000, path


def test_export_of_a_paused_run_rebuilds_the_folder(qtbot, long_window, tmp_path):
    window = long_window
    click(qtbot, window, "startButton")
    wait_for_iteration(qtbot, window, 55)  # past the first evaluation at 50
    with pytest.raises(ConfigError, match="pause or stop"):
        window.exports.model(tmp_path / "while-running")
    reached = pause_and_settle(qtbot, window)
    folder = window.exports.model(tmp_path / "paused")
    rows = csv_rows(folder / "metrics.csv")
    assert len(rows) - 1 == reached
    recorded = csv_rows(window.session.run_dir / "metrics.csv")  # all but the row still pending there
    assert rows[: len(recorded)] == recorded and rows[50][4] != ""
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["status"] == "paused" and summary["iterations"] == reached
    assert load_preset(folder / "preset.toml").training.iterations == 100_000
    load_model(folder)
    with pytest.raises(ConfigError, match="already holds a run"):
        window.exports.model(folder)
    with qtbot.waitSignal(window.runFinished, timeout=30_000):
        click(qtbot, window, "stopButton")


def test_right_click_export_offers_a_working_svg_exporter(window, tmp_path):
    from pyqtgraph.exporters import Exporter, SVGExporter

    from studio.ui.panels.svg_export import QtSvgExporter

    assert QtSvgExporter in Exporter.Exporters and SVGExporter not in Exporter.Exporters
    QtSvgExporter(window.loss_panel.plot).export(str(tmp_path / "loss.svg"))
    assert b"<svg" in (tmp_path / "loss.svg").read_bytes()
