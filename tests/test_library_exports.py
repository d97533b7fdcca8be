"""Metrics exports at full resolution, the curves the figures draw, the HTML report."""

import csv
import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from studio.config import ConfigError
from studio.export.plots import group_curves, metric_curves
from studio.export.report import build_report, write_report
from studio.export.run_metrics import read_metrics
from studio.export.tables import LONG_HEADER, metrics_document, write_csv, write_json
from tests.library_helpers import make_run, quick_preset


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two seeds of the quick preset (12 iterations, evaluations every 4) and one stopped at 7."""
    root = tmp_path_factory.mktemp("runs")
    make_run(root / "seed-0")
    make_run(root / "seed-1", quick_preset().replace(seed=1))
    make_run(root / "short", stop_at=7)
    return root


def metrics(runs, *names):
    return [read_metrics(runs / name) for name in names]


def test_metrics_read_back_every_iteration(runs):
    run = read_metrics(runs / "short")
    assert len(run) == 7 and run.columns["iteration"].tolist() == list(range(1, 8))
    assert run.eval_steps == [0, 1]
    x, y = run.series("eval_loss_step1")
    assert x.tolist() == [4.0, 7.0] and np.isfinite(y).all()
    with pytest.raises(ConfigError, match="no metric 'loss'"):
        run.series("loss")


def test_a_half_written_last_line_is_ignored(tmp_path, runs):
    text = (runs / "short" / "metrics.csv").read_text()
    (tmp_path / "preset.toml").write_text("")
    (tmp_path / "metrics.csv").write_text(text + "8,0.5,1.2")
    assert len(read_metrics(tmp_path)) == 7


def test_csv_per_run_has_one_row_per_iteration_whatever_the_view(tmp_path, runs):
    paths = write_csv(metrics(runs, "seed-0", "short"), tmp_path / "out")
    assert [p.name for p in paths] == ["seed-0.csv", "short.csv"]
    for path, iterations in zip(paths, (12, 7)):
        rows = list(csv.reader(path.open()))
        assert rows[0][:4] == ["run", "iteration", "elapsed_s", "meta_loss"] and len(rows) == iterations + 1
        assert {row[0] for row in rows[1:]} == {path.stem}
    single = write_csv(metrics(runs, "short"), tmp_path / "one.csv")
    assert single == [tmp_path / "one.csv"] and len((tmp_path / "one.csv").read_text().splitlines()) == 8


def test_long_csv_names_run_and_metric_on_every_row(tmp_path, runs):
    (path,) = write_csv(metrics(runs, "seed-0", "short"), tmp_path / "long.csv", layout="long")
    rows = list(csv.DictReader(path.open()))
    assert tuple(rows[0]) == LONG_HEADER
    meta = [r for r in rows if r["metric"] == "meta_loss"]
    assert len(meta) == 12 + 7
    evals = [(r["run"], r["iteration"]) for r in rows if r["metric"] == "eval_loss_step1"]
    assert evals == [("seed-0", "4"), ("seed-0", "8"), ("seed-0", "12"), ("short", "4"), ("short", "7")]
    with pytest.raises(ConfigError, match="layout must be one of"):
        write_csv(metrics(runs, "short"), tmp_path / "x.csv", layout="wide")


def test_json_export_keeps_every_value_and_marks_missing_ones_null(tmp_path, runs):
    path = write_json(metrics(runs, "seed-0", "short"), tmp_path / "m.json")
    document = json.loads(path.read_text())
    assert [r["run"] for r in document["runs"]] == ["seed-0", "short"] and document["runs"][1]["rows"] == 7
    columns = document["runs"][0]["columns"]
    assert columns["iteration"] == list(range(1, 13)) and len(columns["meta_loss"]) == 12
    assert [i for i, v in zip(columns["iteration"], columns["eval_loss_step0"]) if v is not None] == [4, 8, 12]
    assert metrics_document([])["runs"] == []


def test_eval_curves_carry_their_ci_band_and_groups_their_spread(runs):
    (curve,) = metric_curves(metrics(runs, "seed-0"), "eval_loss_step1")
    assert len(curve.x) == 3 and curve.band is not None
    np.testing.assert_allclose(
        curve.band[1] - curve.band[0], 2 * read_metrics(runs / "seed-0").series("eval_ci95_step1")[1]
    )
    (group,) = group_curves([("maml", metrics(runs, "seed-0", "seed-1"))], band="std")
    a, b = (read_metrics(runs / n).series("meta_loss")[1] for n in ("seed-0", "seed-1"))
    np.testing.assert_allclose(group.y, (a + b) / 2)
    np.testing.assert_allclose(group.band[1] - group.y, np.std([a, b], axis=0, ddof=1))


def test_report_is_one_page_with_tables_inline_svg_and_presets(tmp_path, runs):
    path = write_report([runs / "seed-0", runs / "seed-1", runs / "short"], tmp_path / "report.html")
    html = path.read_text()
    assert (
        html.startswith("<!DOCTYPE html>")
        and "<script" not in html
        and "http://" not in re.sub(r'xmlns(:\w+)?="http://www.w3.org/[^"]*"', "", html)  # namespaces, not links
    )
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(svgs) == 4  # meta-loss, held-out evaluation, final adaptation, seeds' mean
    for svg in svgs:
        root = ET.fromstring(svg)
        assert '<g id="figure_1">' in svg and not list(root.iter("{http://www.w3.org/2000/svg}text"))  # outlines
    assert "<?xml" not in html and "<!DOCTYPE svg" not in html
    assert "Seed groups" in html and "<td>0, 1, 0</td>" in html  # the three share a preset but for the seed
    assert html.count("<details") == 3 and "[algorithm]" in html
    assert '<td class="differs">' in html  # seed differs among the runs


def test_report_of_a_missing_folder_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="not a run folder"):
        build_report([tmp_path])
    with pytest.raises(ConfigError, match="at least one run"):
        build_report([])
