"""A spin box that keeps what is typed, for validation to judge (shared by the form's number controls)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QFocusEvent, QValidator

Emit = Callable[[Any], None]


class NumberEntry:
    """Lets a spin box hold whatever is typed (``0`` where the minimum is 1, ``abc``, ``-1``) instead of
    snapping back: validation then marks the field with what was expected and what was typed."""

    limits: tuple[float | None, float | None] = (None, None)  # the field's range, which the arrows keep to

    def validate(self, text: str, pos: int) -> object:
        return QValidator.State.Acceptable, text, pos

    def stepBy(self, steps: int) -> None:  # noqa: N802 (Qt override)
        low, high = self.limits
        value = self.value() + steps * self.singleStep()
        value = value if low is None else max(value, low)
        self.setValue(value if high is None else min(value, high))

    def fixup(self, text: str) -> str:
        return text

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt override)
        typed = self.lineEdit().text()
        super().focusOutEvent(event)  # which rewrites text it cannot read as the last value
        if self.parse(typed) is None:
            self.lineEdit().setText(typed)

    def valueFromText(self, text: str) -> float:  # noqa: N802 (Qt override)
        number = self.parse(text)
        return self.value() if number is None else number

    def report_edits(self, emit: Emit) -> None:
        """Typed text goes to ``emit`` as a number, or as typed when it is none; arrow steps as their value."""
        last: list[Any] = [self.value()]

        def send(value: Any) -> None:
            if value != last[0] or type(value) is not type(last[0]):
                last[0] = value
                emit(value)

        self.lineEdit().textEdited.connect(lambda text: send(_or_text(self.parse(text), text)))
        self.valueChanged.connect(send)


def _or_text(number: float | None, text: str) -> Any:
    return text.strip() if number is None else number
