"""Layer-wise adaptation: one row per layer group of the network, with an "adapts" check box.

The groups come from :func:`studio.engine.algorithms.layers.layer_groups` on the
network the current settings build, built on PyTorch's ``meta`` device (shapes
only, no memory, no time), so the rows follow every model edit.  The check
boxes write ``adapt_layers``: the checked groups by name, or an empty list
when every group adapts (which is what an empty list means).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QVBoxLayout, QWidget

from studio.config import ConfigError, ModelConfig

GREY = "#7f7f7f"


def model_groups(model: ModelConfig, input_dim: int, output_dim: int) -> dict[str, int]:
    """Each layer group of the network these settings build, in order, with its parameter count."""
    from studio.engine.algorithms.layers import layer_groups

    network = _meta_network(model, (input_dim, output_dim))
    sizes = dict(network.named_parameters())
    return {group: sum(sizes[name].numel() for name in names) for group, names in layer_groups(network).items()}


def adapted_groups(model: ModelConfig, dims: tuple[int, int], adapt_layers: Sequence[str]) -> set[str] | None:
    """The groups ``adapt_layers`` selects ("head", "-2", names), or None if it names something unknown."""
    from studio.engine.algorithms.layers import adapted_parameters, layer_group

    network = _meta_network(model, dims)
    try:
        return {layer_group(name) for name in adapted_parameters(network, tuple(adapt_layers))}
    except ConfigError:
        return None


def _meta_network(model: ModelConfig, dims: tuple[int, int]) -> Any:
    """The network on torch's meta device; imported here, as the dims come from the preview once torch has loaded."""
    import torch

    from studio.engine.models import build_model

    with torch.device("meta"):
        return build_model(model, *dims)


class LayerChecks(QWidget):
    """``rows[group]`` is the group's check box; until the network is known, a line says why there are none."""

    def __init__(self, value: Any, emit: Callable[[Any], None], parent: QWidget | None = None):
        super().__init__(parent)
        self.emit = emit
        self.value = list(value) if isinstance(value, (list, tuple)) else []
        self.rows: dict[str, QCheckBox] = {}
        self.rates: dict[str, QLabel] = {}
        self.groups: dict[str, int] | None = None
        self.learned = False
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setVerticalSpacing(0)
        self.status = QLabel("Layer groups appear once the task and model settings are valid.", wordWrap=True)
        self.status.setStyleSheet(f"color: {GREY}; font-size: 8pt;")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self.grid)
        column.addWidget(self.status)

    def set_groups(self, groups: dict[str, int] | None, adapted: set[str] | None, learned_rates: bool) -> None:
        """Show a row per group of ``groups`` (None: unknown), checking ``adapted`` (None: the value is invalid)."""
        if groups != self.groups:
            self._remove_rows()
            self.groups = groups
            last = list(groups or {"": 0})[-1]
            for row, (group, size) in enumerate((groups or {}).items()):
                self._add_row(row, group, size, group == last)
        if not groups:
            self.status.setText("Layer groups appear once the task and model settings are valid.")
            return
        for group, box in self.rows.items():
            box.blockSignals(True)
            box.setChecked(adapted is not None and group in adapted)
            box.blockSignals(False)
        self.set_learned_rates(learned_rates)
        self.status.setText(self._status_text(adapted))

    def _add_row(self, row: int, group: str, size: int, head: bool) -> None:
        box = QCheckBox(f"{group}{' (head)' if head else ''}")
        box.setObjectName(f"adapts:{group}")
        box.setToolTip(f"Adapt layer group {group} ({size:,} parameters) in the inner loop")
        box.toggled.connect(lambda on, g=group: self._toggled(g, on))
        rate = QLabel()
        rate.setStyleSheet(f"color: {GREY}; font-size: 8pt;")
        self.grid.addWidget(box, row, 0)
        self.grid.addWidget(rate, row, 1)
        self.grid.setColumnStretch(1, 1)
        self.rows[group], self.rates[group] = box, rate

    def _status_text(self, adapted: set[str] | None) -> str:
        if adapted is None:
            return f"adapt_layers = {self.value} names no layer group of this network; check the ones to adapt."
        return "adapts: every layer" if not self.value else f"adapts: {', '.join(self.value)}"

    def set_learned_rates(self, learned: bool) -> None:
        """Say which rows get learned inner rates (MAML++ ``learn_inner_lr``)."""
        self.learned = learned
        for group, label in self.rates.items():
            rate = " · learned rate" if learned and self.rows[group].isChecked() else ""
            label.setText(f"{(self.groups or {}).get(group, 0):,} params{rate}")

    def _toggled(self, group: str, on: bool) -> None:
        checked = [g for g, box in self.rows.items() if box.isChecked()]
        if not checked:  # an empty list would mean "every layer": keep at least one
            self.rows[group].setChecked(True)
            self.status.setText("At least one layer group must adapt.")
            return
        self.value = [] if len(checked) == len(self.rows) else checked
        self.status.setText(self._status_text(set(checked)))
        self.set_learned_rates(self.learned)
        self.emit(list(self.value))

    def _remove_rows(self) -> None:
        while self.grid.count():
            widget = self.grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.rows, self.rates = {}, {}
