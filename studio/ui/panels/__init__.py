"""The window's plots, each a widget that can be shown on its own."""

from studio.ui.panels.adaptation import AdaptationPanel
from studio.ui.panels.base import PlotPanel
from studio.ui.panels.loss import LossPanel
from studio.ui.panels.preview import PreviewPanel
from studio.ui.panels.task_fit import TaskFitPanel

__all__ = ["AdaptationPanel", "LossPanel", "PlotPanel", "PreviewPanel", "TaskFitPanel"]
