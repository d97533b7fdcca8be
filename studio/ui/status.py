"""The status bar: state, iteration / total, tasks/s, elapsed and ETA, device, a progress bar."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar

from studio.console import format_duration
from studio.views.run_data import RunData

RATE_WINDOW = 50  # iterations the tasks/s figure is averaged over
MIN_INTERVAL_S = 0.25  # numbers nobody can read faster; relaying out the bar costs the plots frames


class RunStatus:
    def __init__(self, bar: QStatusBar):
        self.bar = bar
        self.state = QLabel("Ready")
        self.state.setObjectName("stateLabel")
        self.iteration = QLabel()
        self.rate = QLabel()
        self.time = QLabel()
        self.device = QLabel()
        self.progress = QProgressBar()
        self.progress.setObjectName("progressBar")
        self.progress.setFixedWidth(220)
        self.progress.setFormat("%p%")
        for widget in (self.state, self.iteration, self.rate, self.time, self.device):
            widget.setMinimumWidth(60)
            bar.addPermanentWidget(widget)
        bar.addPermanentWidget(self.progress)
        self._shown_at = 0.0
        self.show(RunData(), "Ready")

    def show(self, data: RunData, state: str, force: bool = True) -> bool:
        """Show ``data``; unless ``force``, at most four times a second.  Whether it was shown."""
        now = time.monotonic()
        if not force and now - self._shown_at < MIN_INTERVAL_S:
            return False
        self._shown_at = now
        self.state.setText(state)
        started = data.started
        total = started.total_iterations if started else 0
        done = data.iteration
        self.iteration.setText(f"iteration {done:,} / {total:,}" if started else "no run")
        self.rate.setText(f"{_tasks_per_second(data):,.0f} tasks/s" if len(data.steps) else "")
        self.time.setText(_times(data, total) if len(data.steps) else "")
        self.device.setText(_device_text(data))
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))
        return True


def _tasks_per_second(data: RunData) -> float:
    """Tasks per second of training over the last iterations (one iteration alone is noisy)."""
    rates = data.steps.column(2)[-RATE_WINDOW:]
    return float(len(rates) / (1.0 / rates).sum()) if len(rates) and rates.min() > 0 else 0.0


def _times(data: RunData, total: int) -> str:
    elapsed = float(data.steps.column(3)[-1])
    if data.finished is not None:  # nothing remains of a run that ended, however early
        return f"elapsed {format_duration(elapsed)}"
    done = data.iteration - (data.started.start_iteration if data.started else 0)
    remaining = total - data.iteration
    eta = elapsed / done * remaining if done else 0.0
    return f"elapsed {format_duration(elapsed)} · ETA {format_duration(eta)}"


def _device_text(data: RunData) -> str:
    """``device: cpu``; under torchrun also ``2 processes (rank 0 shown)`` and each rank's meta-iterations/s."""
    started = data.started
    if started is None:
        return ""
    if started.processes <= 1:
        return f"device: {started.device}"
    rates = ", ".join(f"{rate:.3g}" for rate in data.rank_rates)
    per_rank = f" · per rank {rates} it/s" if rates else ""
    return f"{started.device}, {started.processes} processes (rank 0 shown){per_rank}"
