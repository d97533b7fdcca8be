"""Export menu: a run folder like `studio run` writes, PNG, SVG and PDF of every panel, CSV at full resolution."""

from __future__ import annotations

import csv
import json

import numpy as np
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
    plotted = ("loss", "adaptation", "task_fit", "tasks_drawn")  # by matplotlib; the preview is a picture (Qt)
    assert sorted(p.name for p in written) == sorted(
        [f"{key}.{suffix}" for key in plotted for suffix in ("png", "svg", "pdf")] + ["preview.png", "preview.svg"]
    )
    for path in written:
        data = path.read_bytes()
        start = {".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF-"}[path.suffix]
        assert data.startswith(start) and len(data) > 1000, path
        if path.stem in plotted and path.suffix == ".svg":
            assert b'<g id="figure_1">' in data and b"vector-effect" not in data, path  # matplotlib's


def test_the_exported_figure_draws_the_panels_data(qtbot, window, tmp_path):
    from studio.ui.figure_export import panel_figures

    run_to_end(qtbot, window)
    data = window.data
    (loss,) = panel_figures(window.exports.figures, "loss")
    curves = {curve.label: curve for curve in loss.curves}
    np.testing.assert_array_equal(curves["meta-batch, after adapting"].y, data.steps.column(1))
    held_out = curves[f"held-out, after {data.eval_steps[-1]} step" + "s" * (data.eval_steps[-1] != 1)]
    np.testing.assert_array_equal(held_out.y, data.eval_loss.column(len(data.eval_steps) - 1))
    (adaptation,) = panel_figures(window.exports.figures, "adaptation")
    latest = next(c for c in adaptation.curves if c.label.startswith(f"iteration {data.last_evaluation.iteration}"))
    np.testing.assert_array_equal(latest.y, data.last_evaluation.loss_mean)
    np.testing.assert_allclose(latest.band[1] - latest.y, data.last_evaluation.loss_ci95)
    (fit,) = panel_figures(window.exports.figures, "task_fit")
    assert [c.label for c in fit.curves][0] == "true function" and len(fit.curves[-1].x) == len(data.fit.x_support)
    pdf = window.exports.figure(tmp_path / "figure.pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")


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
