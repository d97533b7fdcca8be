"""Going on with a run that did not finish: the offer at start, and continuing any run folder.

A run killed mid-way (its process ended without a summary) leaves a checkpoint;
at start the window offers, without blocking, to resume the newest such run.
Continuing restores the run from its checkpoint (:func:`studio.export.resume.resume_training`,
in the run's process) and records into the same folder, as ``studio run --resume`` does.  A run
whose process dies under the window is offered the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from studio.config import ConfigError, Preset, load_preset
from studio.export.library import RunRecord
from studio.export.resume import is_resumable


@dataclass(frozen=True)
class ContinueHooks:
    """What continuing a run needs of the window, and nothing more."""

    idle: Callable[[], bool]  # no run on screen
    show_error: Callable[[str, str], object]  # title, message
    resume: Callable[[Preset, Path], bool]  # settings into the form, the run continued on screen; whether it started


def continue_run(hooks: ContinueHooks, run_dir: str | Path) -> bool:
    """Resume the run in ``run_dir`` in the window (its settings go into the form); False with a message if not."""
    run_dir = Path(run_dir)
    if not hooks.idle():
        hooks.show_error("Cannot continue the run", "Stop the run on screen first.")
        return False
    if not is_resumable(run_dir):
        hooks.show_error("Cannot continue the run", f"{run_dir}: no checkpoint to resume from.")
        return False
    try:
        preset = load_preset(run_dir / "preset.toml")
    except ConfigError as error:
        hooks.show_error("Cannot continue the run", str(error))
        return False
    return hooks.resume(preset, run_dir)


class ResumeOffer:
    """``check(records)`` offers the newest resumable run; ``ask`` (replaceable in tests) shows the offer."""

    def __init__(self, parent: QWidget, hooks: ContinueHooks):
        self.parent = parent  # of the dialog
        self.hooks = hooks
        self.ask: Callable[[RunRecord], None] = self._ask
        self.dialog: QMessageBox | None = None
        self.offered: RunRecord | None = None

    def check(self, records: list[RunRecord]) -> RunRecord | None:
        """Offer the newest run whose status is ``resumable``, if any; the run offered."""
        waiting = sorted((r for r in records if r.status == "resumable"), key=lambda r: -r.started)
        self.offered = waiting[0] if waiting else None
        if self.offered is not None:
            self.ask(self.offered)
        return self.offered

    def _ask(self, record: RunRecord) -> None:
        progress = f"iteration {record.iterations} of {record.total_iterations}" if record.total_iterations else ""
        text = (
            f"The run '{record.name}' stopped at {progress or 'some point'} without finishing:\n{record.path}\n\n"
            "Resume it from its latest checkpoint?"
        )
        self._offer("Resume an unfinished run?", text, record.path)

    def offer_after_death(self, run_dir: Path, what: str) -> None:
        """The run's process died under the window: offer to go on from its last checkpoint."""
        if is_resumable(run_dir):
            text = f"{what}:\n{run_dir}\n\nContinue it from its latest checkpoint?"
            self._offer("The run's process died", text, run_dir)

    def _offer(self, title: str, text: str, run_dir: Path) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self.parent,
        )
        box.setObjectName("resumeOffer")
        box.button(QMessageBox.StandardButton.Yes).setText("Resume")
        box.button(QMessageBox.StandardButton.No).setText("Not now")
        box.setWindowModality(Qt.WindowModality.NonModal)  # the window stays usable behind it
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: self._answered(box, button, run_dir))
        box.show()
        self.dialog = box

    def _answered(self, box: QMessageBox, button, run_dir: Path) -> None:
        self.dialog = None
        if box.standardButton(button) == QMessageBox.StandardButton.Yes:
            continue_run(self.hooks, run_dir)

    def accept(self) -> bool:
        """Press "Resume" on the offer on screen (tests, and keyboard users via the dialog)."""
        if self.dialog is None:
            return False
        self.dialog.button(QMessageBox.StandardButton.Yes).click()
        return True
