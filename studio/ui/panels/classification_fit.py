"""One held-out image episode: its images, query accuracy before and after adapting, and which queries were wrong."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from studio.engine.events import ClassificationFit
from studio.ui.panels.base import GREY
from studio.ui.panels.image_grid import ImageGridView
from studio.views.episode import Episode

TITLE = "Held-out episode"
MARK_AFTER, MARK_BEFORE = "after adapting", "before adapting"


def accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Share of queries whose most probable class is their label."""
    return float((probabilities.argmax(axis=1) == labels).mean()) if len(labels) else 0.0


def fit_title(fit: ClassificationFit) -> str:
    before, after = accuracy(fit.before, fit.query_labels), accuracy(fit.after, fit.query_labels)
    if fit.steps == 0:  # ProtoNets and other learners without an inner loop: one accuracy
        return f"Iteration {fit.iteration}: query accuracy {after:.0%} (no inner steps)"
    return f"Iteration {fit.iteration}: query accuracy {before:.0%} → {after:.0%} after {fit.steps} step(s)"


class ClassificationFitView(QWidget):
    """The episode's images in class rows; query frames say right (green) or wrong (red, with the label predicted)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.grid = ImageGridView("classificationFitPlot", TITLE)
        self.marking = QComboBox()
        self.marking.setObjectName("fitMarkingCombo")
        self.marking.addItems([MARK_AFTER, MARK_BEFORE])
        self.marking.setToolTip("Frame the query images by the predictions after or before adapting")
        self.marking.currentTextChanged.connect(lambda _: self._draw())
        caption = QLabel("query frames: green right, red wrong (→ label predicted), judged", wordWrap=True)
        caption.setStyleSheet(f"color: {GREY};")
        row = QHBoxLayout()
        row.addWidget(caption, 1)
        row.addWidget(self.marking)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.grid, 1)
        column.addLayout(row)
        self.fit: ClassificationFit | None = None
        self.wrong: list[int] = []  # query indices framed red

    def show_fit(self, fit: ClassificationFit) -> None:
        self.fit = fit
        if fit.support_images.ndim != 4:  # a classification task whose inputs are not images (a table)
            self.grid.show_note("The task fit is drawn for image and 2-D tasks; these tasks have other inputs.")
            return
        self.grid.show_note(None)
        self._draw()

    def _draw(self) -> None:
        fit = self.fit
        if fit is None or fit.support_images.ndim != 4:
            return
        predicted = fit.predicted_before if self.marking.currentText() == MARK_BEFORE else fit.predicted_after
        marks = {i: bool(p == label) for i, (p, label) in enumerate(zip(predicted, fit.query_labels))}
        self.wrong = [i for i, right in marks.items() if not right]
        episode = Episode(fit.support_images, fit.support_labels, fit.query_images, fit.query_labels, fit.class_names)
        self.grid.show_episode(episode, marks, [int(p) for p in predicted])
        self.grid.set_title(fit_title(fit))

    def clear(self) -> None:
        self.fit, self.wrong = None, []
        self.grid.clear()
        self.grid.set_title(TITLE)

    def export_image(self, path: str | Path) -> Path:
        return self.grid.export_image(path)
