"""The window's figures: a panel, or every panel in one paper figure, drawn by matplotlib from the data the
panels plot (:mod:`studio.ui.figure_panels`) as PNG at a size and DPI, SVG or PDF.

A panel whose picture is not a plot of numbers (an image episode, the design preview) is
written as Qt draws it, PNG or SVG; the paper figure leaves it out, as it leaves out panels with no data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QSpinBox, QWidget

from studio.config import ConfigError
from studio.engine.events import DecisionMap, TaskFit
from studio.export.figure_data import Panel, drawable
from studio.export.figure_style import DEFAULT_DPI, DPI_LIMITS, PAPER_SIZE, SIZE_LIMITS
from studio.export.figures import figure_format, write_figure
from studio.ui.figure_panels import adaptation_figure, loss_figure, task_fit_figure, tasks_drawn_figure
from studio.ui.panels import AdaptationPanel
from studio.ui.run_overlay import RunOverlay
from studio.views.run_data import RunData

FIGURE_ORDER = ("loss", "adaptation", "task_fit", "tasks_drawn")  # a paper's order: training, adapting, a task


class Picture(Protocol):
    """A panel that writes itself as Qt draws it (PNG or SVG)."""

    def export_image(self, path: str | Path) -> Path: ...


@dataclass(frozen=True)
class FigureSources:
    """What the figures are drawn from: the run on screen, the overlaid runs, the adaptation panel's axis, and
    the panels by key (in the Export menu's order) for the pictures that are not plots."""

    data: Callable[[], RunData]
    overlay: RunOverlay
    adaptation: AdaptationPanel
    panels: Mapping[str, Picture]


def _builders(sources: FigureSources) -> dict[str, Callable[[], list[Panel]]]:
    data, overlay, adapt = sources.data(), sources.overlay, sources.adaptation
    return {
        "loss": lambda: [loss_figure(data, overlay, adapt.unit)],
        "adaptation": lambda: [adaptation_figure(data, overlay, adapt.accuracy, adapt.unit)],
        "task_fit": lambda: task_fit_figure(data),
        "tasks_drawn": lambda: tasks_drawn_figure(data),
    }


def panel_figures(sources: FigureSources, key: str) -> list[Panel] | None:
    """What the panel ``key`` plots, as figure panels; ``None`` for a panel matplotlib does not draw."""
    builder = _builders(sources).get(key)
    fit = sources.data().fit
    if builder is None or (key == "task_fit" and fit is not None and not isinstance(fit, TaskFit | DecisionMap)):
        return None  # a picture rather than a plot: Qt draws it
    return builder()


def write_panel(sources: FigureSources, key: str, path: str | Path, dpi: float = DEFAULT_DPI) -> Path:
    """One panel as PNG, SVG or PDF (by the suffix of ``path``), one column wide."""
    fmt, panels = figure_format(path), panel_figures(sources, key)
    if panels is None:
        if fmt == "pdf":
            raise ConfigError(f"{path}: this panel is a picture, not a plot: export it as PNG or SVG")
        return sources.panels[key].export_image(path)
    return write_figure(panels, path, dpi=dpi)


def has_figure(sources: FigureSources, key: str) -> bool:
    """Whether the panel has something matplotlib would draw now."""
    panels = panel_figures(sources, key)
    return panels is not None and bool(drawable(panels))


def write_paper_figure(
    sources: FigureSources, path: str | Path, size: tuple[float, float] | None = None, dpi: float = DEFAULT_DPI
) -> Path:
    """Every plot with data in one figure, lettered (a), (b), ...; ``size`` in inches (default by panel count)."""
    panels = [panel for key in FIGURE_ORDER for panel in (panel_figures(sources, key) or [])]
    return write_figure(panels, path, size, dpi)


class FigureSizeDialog(QDialog):
    """Width and height in inches and the resolution of a PNG; ``chosen`` is ((width, height), dpi)."""

    def __init__(self, parent: QWidget | None = None, size: tuple[float, float] = PAPER_SIZE, dpi: int = DEFAULT_DPI):
        super().__init__(parent)
        self.setWindowTitle("Figure size")
        self.width_box, self.height_box = QDoubleSpinBox(), QDoubleSpinBox()
        for box, value in ((self.width_box, size[0]), (self.height_box, size[1])):
            box.setRange(*SIZE_LIMITS)
            box.setDecimals(2)
            box.setSingleStep(0.1)
            box.setSuffix(" in")
            box.setValue(value)
        self.dpi_box = QSpinBox()
        self.dpi_box.setRange(*DPI_LIMITS)
        self.dpi_box.setSuffix(" dpi")
        self.dpi_box.setValue(int(dpi))
        self.dpi_box.setToolTip("Pixels per inch of a PNG (SVG and PDF are vectors)")
        form = QFormLayout(self)
        for label, box in (("Width", self.width_box), ("Height", self.height_box), ("PNG resolution", self.dpi_box)):
            form.addRow(label, box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @property
    def chosen(self) -> tuple[tuple[float, float], int]:
        return (self.width_box.value(), self.height_box.value()), self.dpi_box.value()
