"""The adaptation panel's legend says how the held-out tasks were scored (ways, shots, batch-norm statistics)."""

from __future__ import annotations

import pytest

from studio.engine.events import Evaluation, RunStarted
from studio.ui.panels.adaptation import AdaptationPanel
from studio.views.run_data import RunData
from tests.engine.test_eval_protocol import glyphs


@pytest.mark.parametrize(
    ("algorithm", "evaluation", "words"),
    [
        ("protonet", {"ways": 20}, "20-way 1-shot, batch norm from the support set"),
        ("maml", {}, "3-way 1-shot, transductive batch norm"),
        ("maml", {"batch_norm": "support", "shots": 2}, "3-way 2-shot, batch norm from the support set"),
    ],
)
def test_the_latest_evaluation_is_labelled_with_its_protocol(qtbot, algorithm, evaluation, words):
    data = RunData()
    data.add(RunStarted(glyphs(algorithm, evaluation=evaluation), "cpu", 100, 1000))
    data.add(Evaluation(50, (0, 1), (1.2, 1.0), (0.05, 0.05), 200, (0.6, 0.7), (0.02, 0.02)))
    panel = AdaptationPanel("cross-entropy")
    qtbot.addWidget(panel)
    panel.refresh(data)
    assert panel.legend.getLabel(panel.latest).text == f"iteration 50 ± 95% CI (200 tasks; {words})"
