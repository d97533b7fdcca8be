"""A collapsible section of the experiment panel that is, while open, as tall as its rows need."""

from __future__ import annotations

from PySide6.QtCore import QSize, QTimer
from PySide6.QtWidgets import QWidget
from superqt import QCollapsible

UNLIMITED = 16_777_215  # Qt's QWIDGETSIZE_MAX


class Section(QCollapsible):
    """superqt's QCollapsible caps its open content at the height it had when opened (and caps it again on
    resizes, from a size hint that ignores how wrapped lines grow), so a long error under a field overlapped
    the next row.  Here the cap is lifted once a section is open."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(title, parent)
        self.toggleButton().setStyleSheet("text-align: left; border: none; font-weight: bold;")
        self.toggled.connect(self._opened)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """Tall enough for the rows at the section's width (Qt's hint assumes a wider, shorter form)."""
        hint = super().sizeHint()
        if self.isExpanded() and self.width() > 0 and self.hasHeightForWidth():
            hint.setHeight(max(hint.height(), self.heightForWidth(self.width())))
        return hint

    def addWidget(self, widget: QWidget) -> None:  # noqa: N802 (Qt naming)
        super().addWidget(widget)
        widget.removeEventFilter(self)  # the filter that re-caps on resize

    def expand(self, animate: bool = True) -> None:
        super().expand(animate)
        if not animate:
            self._uncap()

    def _opened(self, open_: bool) -> None:
        if open_:  # after the opening animation, which animates the cap
            QTimer.singleShot(self._animation.duration() + 50, self._uncap)

    def _uncap(self) -> None:
        if self.isExpanded():
            self.content().setMaximumHeight(UNLIMITED)
