"""What ``studio run`` prints while it trains: a progress bar on a terminal, plain lines elsewhere."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from studio.engine.events import BaselineEvaluation, Evaluation, Event, Notice, RunFinished, RunStarted, StepMetrics

BAR_WIDTH = 24
LINE_SECONDS = 10.0  # how often plain-line mode reports


def format_duration(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def format_evaluation(evaluation: Evaluation) -> str:
    last = len(evaluation.steps) - 1
    if last == 0:  # learners without inner steps (ProtoNets) have one point
        text = (
            f"eval @ {evaluation.iteration}: query loss {evaluation.loss_mean[0]:.4f} ± {evaluation.loss_ci95[0]:.4f}"
        )
    else:
        text = (
            f"eval @ {evaluation.iteration}: query loss {evaluation.loss_mean[0]:.4f} before adapting, "
            f"{evaluation.loss_mean[last]:.4f} ± {evaluation.loss_ci95[last]:.4f} after {evaluation.steps[last]} step(s)"
        )
    if evaluation.accuracy_mean is not None:
        text += f", accuracy {100 * evaluation.accuracy_mean[last]:.2f}% ± {100 * evaluation.accuracy_ci95[last]:.2f}%"
    return text + f" ({evaluation.tasks} held-out tasks)"


class Progress:
    """Consumes events and reports them; ``quiet`` prints nothing at all."""

    def __init__(self, stream: TextIO | None = None, quiet: bool = False, interactive: bool | None = None):
        self.stream = stream or sys.stdout
        self.quiet = quiet
        self.interactive = self.stream.isatty() if interactive is None else interactive
        self.total = 0
        self._last_line = 0.0
        self._last_draw = 0.0
        self._started = time.monotonic()

    def __call__(self, event: Event) -> None:
        if self.quiet:
            return
        if isinstance(event, RunStarted):
            self.total = event.total_iterations
            self._write_line(f"training '{event.preset.name}' on {event.device}: {event.total_iterations} iterations")
        elif isinstance(event, StepMetrics):
            self._step(event)
        elif isinstance(event, Evaluation):
            self._write_line(format_evaluation(event))
        elif isinstance(event, Notice):
            self._write_line(f"note: {event.message}")
        elif isinstance(event, BaselineEvaluation):
            self._write_line(f"baseline {event.baseline}: " + format_evaluation(event.evaluation).split(": ", 1)[1])
        elif isinstance(event, RunFinished):
            self._write_line(
                f"{event.reason} at iteration {event.iteration} in {format_duration(event.elapsed_seconds)} "
                f"({event.tasks_per_second:.0f} tasks/s)"
            )

    def _step(self, event: StepMetrics) -> None:
        now = time.monotonic()
        text = self._status(event)
        if self.interactive and (now - self._last_draw > 0.1 or event.iteration == self.total):
            self._last_draw = now
            self.stream.write("\r" + text + "\033[K")
            self.stream.flush()
        elif not self.interactive and (now - self._last_line > LINE_SECONDS or event.iteration == self.total):
            self._last_line = now
            self._write_line(text)

    def _status(self, event: StepMetrics) -> str:
        done = event.iteration / max(self.total, 1)
        filled = int(BAR_WIDTH * done)
        eta = event.elapsed_seconds / done * (1 - done) if done else 0.0
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        return (
            f"[{bar}] {event.iteration}/{self.total}  meta-loss {event.meta_loss:.4f}  "
            f"{event.tasks_per_second:.0f} tasks/s  ETA {format_duration(eta)}"
        )

    def _write_line(self, text: str) -> None:
        prefix = "\r\033[K" if self.interactive else ""
        self.stream.write(prefix + text + "\n")
        self.stream.flush()
