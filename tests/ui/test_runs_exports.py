"""Export menu additions: all panels as one figure (PNG at a size, SVG), the selected runs as CSV/JSON, an HTML
report, TensorBoard files (or what to install), and adapting a run's model for export (checked by loading the files)."""

from __future__ import annotations

import csv
import json
import sys
import xml.etree.ElementTree as ElementTree

import numpy as np
import onnxruntime
import pytest
import torch
from PySide6.QtGui import QImage

from studio.config import ConfigError
from studio.export import deploy
from studio.export.deploy import adapt_run, adapted_outputs
from tests.ui import runs_fixtures
from tests.ui.runs_fixtures import column

pristine, library_window = runs_fixtures.pristine, runs_fixtures.library_window  # fixtures


def test_all_panels_as_one_figure(qtbot, library_window, tmp_path):
    exports = library_window.exports
    with pytest.raises(ConfigError, match="nothing to draw yet"):  # no run on screen, none selected
        exports.figure(tmp_path / "empty.png")
    library_window.library.panel.select([tmp_path / "runs" / "alpha", tmp_path / "runs" / "beta"])
    png = exports.figure(tmp_path / "panels.png", size=(6.0, 4.0), dpi=150)
    assert QImage(str(png)).size().toTuple() == (900, 600) and png.stat().st_size > 5000
    svg = exports.figure(tmp_path / "panels.svg", size=(6.0, 4.0))
    root = ElementTree.parse(svg).getroot()
    assert root.tag.endswith("svg") and len(list(root.iter())) > 50 and root.get("width") == "432pt"
    assert exports.figure(tmp_path / "panels.pdf").read_bytes().startswith(b"%PDF-")


def test_selected_runs_exports(qtbot, library_window, tmp_path):
    window = library_window
    alpha, beta = tmp_path / "runs" / "alpha", tmp_path / "runs" / "beta"
    window.library.panel.select([alpha, beta])
    runs = window.exports.runs
    files = runs.csv_files(tmp_path / "csv")
    assert sorted(f.name for f in files) == ["alpha.csv", "beta.csv"]
    with files[0].open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    np.testing.assert_allclose(
        [float(r["meta_loss"]) for r in rows], column(tmp_path / "runs" / rows[0]["run"], "meta_loss")
    )
    document = json.loads(runs.json(tmp_path / "runs.json").read_text())
    assert sorted(r["run"] for r in document["runs"]) == ["alpha", "beta"] and document["runs"][0]["rows"] == 12
    assert runs.long_csv(tmp_path / "long.csv").read_text().startswith("run,iteration,elapsed_s,metric,value")
    html = runs.report(tmp_path / "report.html").read_text()
    assert "Comparison of 2 runs" in html and "beta" in html


def test_tensorboard_export_of_the_selected_runs(qtbot, library_window, tmp_path, monkeypatch):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    window = library_window
    alpha, beta = tmp_path / "runs" / "alpha", tmp_path / "runs" / "beta"
    window.library.panel.select([alpha, beta])
    window.exports.attempt("tensorboard/", window.exports.runs.tensorboard)
    assert window.statusBar().currentMessage().startswith("Exported 2 file(s)")
    for run in (alpha, beta):
        accumulator = EventAccumulator(str(run / "tensorboard"))
        accumulator.Reload()
        scalars = accumulator.Scalars("train/meta_loss")
        assert [e.step for e in scalars] == list(range(1, 13))
        np.testing.assert_allclose([e.value for e in scalars], column(run, "meta_loss"), rtol=1e-6)
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)  # without the package: what to install
    window.exports.attempt("tensorboard/", window.exports.runs.tensorboard)
    assert "pip install 'meta-learning-studio[tensorboard]'" in window.last_error.text()


@pytest.mark.filterwarnings("ignore:`torch.jit.load` is deprecated:DeprecationWarning")
def test_adapt_and_export_dialog(qtbot, library_window, tmp_path):
    window = library_window
    window.library.panel.select([tmp_path / "runs" / "alpha"])
    dialog = window.exports.runs.open_adapt_dialog()
    qtbot.addWidget(dialog)
    dialog.task.setValue(2)
    dialog.output.setText(str(tmp_path / "adapted.pt"))
    path = dialog.export()
    assert path == tmp_path / "adapted.pt" and "Wrote" in dialog.message.text()
    assert torch.jit.load(str(path))(torch.zeros(4, 1)).shape == (4, 1)
    dialog.format.setCurrentText("ONNX (.onnx)")
    assert dialog.output.text().endswith("adapted.onnx")
    assert dialog.export() == tmp_path / "adapted.onnx" and "Wrote" in dialog.message.text()
    probe = torch.linspace(-5, 5, 9).view(-1, 1)
    session = onnxruntime.InferenceSession(str(tmp_path / "adapted.onnx"), providers=["CPUExecutionProvider"])
    (onnx_output,) = session.run(None, {"x": probe.numpy()})
    expected = adapted_outputs(adapt_run(tmp_path / "runs" / "alpha", task=2), probe)
    np.testing.assert_allclose(onnx_output, expected.numpy(), rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(torch.jit.load(str(path))(probe), expected)
    assert json.loads((tmp_path / "adapted.onnx.json").read_text())["adapted_to"] == "held-out task 2"


def test_adapt_and_export_dialog_says_what_to_install(qtbot, library_window, tmp_path, monkeypatch):
    monkeypatch.setattr(deploy, "_importable", lambda name: False)
    library_window.library.panel.select([tmp_path / "runs" / "alpha"])
    dialog = library_window.exports.runs.open_adapt_dialog()
    qtbot.addWidget(dialog)
    dialog.format.setCurrentText("ONNX (.onnx)")
    dialog.output.setText(str(tmp_path / "adapted.onnx"))
    assert dialog.export() is None and not (tmp_path / "adapted.onnx").exists()
    assert "pip install 'meta-learning-studio[onnx]'" in dialog.message.text()
