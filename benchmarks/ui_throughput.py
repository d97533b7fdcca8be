"""Meta-iterations per second with the window open (live plots) against headless, and UI stalls.

    .venv/bin/python benchmarks/ui_throughput.py [--iterations 2000] [--preset maml-sine]

Every run trains the same preset for the same number of iterations and writes
a run folder (the window records every run, as ``studio run`` does): headless
on the main thread as ``studio run`` does, headless on a plain thread (the
window trains on one), and in the window with its live plots.  During
the windowed run a 10 ms timer measures how late the event loop serves it:
the 99th percentile and the worst lateness are the longest the UI froze.
Offscreen Qt platform unless one is set.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from studio.config import Preset, load_preset  # noqa: E402
from studio.engine import Training  # noqa: E402
from studio.export import RunRecorder  # noqa: E402
from studio.presets import resolve_preset_path  # noqa: E402
from studio.ui.main_window import MainWindow  # noqa: E402

TICK_MS = 10


def headless(preset: Preset, folder: Path) -> float:
    """Seconds to train ``preset`` the way ``studio run`` does."""
    started = time.perf_counter()
    training = Training(preset)
    recorder = RunRecorder.for_training(folder, training)
    for event in training.events():
        recorder.record(event)
    return time.perf_counter() - started


def on_a_thread(preset: Preset, folder: Path) -> float:
    """The same, on a plain thread and with no window: separates the cost of the thread from that of the UI."""
    seconds: list[float] = []
    worker = threading.Thread(target=lambda: seconds.append(headless(preset, folder)))
    worker.start()
    worker.join()
    return seconds[0]


class StallProbe:
    """A 10 ms timer that records how late each tick is served."""

    def __init__(self) -> None:
        self.late_ms: list[float] = []
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.clock.start()
        self.timer.start()

    def _tick(self) -> None:
        self.late_ms.append(max(self.clock.restart() - TICK_MS, 0))


def windowed(preset: Preset, folder: Path) -> tuple[float, list[float]]:
    """Seconds to train ``preset`` from the window's Start to its finished signal, and the tick lateness."""
    window = MainWindow(preset)
    window.runs_dir = folder
    window.resize(1400, 900)
    window.show()
    loop = QEventLoop()
    window.runFinished.connect(lambda _reason: loop.quit())
    probe = StallProbe()
    QApplication.processEvents()
    probe.start()
    started = time.perf_counter()
    window.start()
    loop.exec()
    seconds = time.perf_counter() - started
    probe.timer.stop()
    window.close()
    return seconds, probe.late_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--preset", default="maml-sine")
    parser.add_argument("--repeats", type=int, default=2, help="alternate the runs; report the best of each")
    parser.add_argument("--torch-threads", type=int, help="torch.set_num_threads (default: torch's choice)")
    args = parser.parse_args()
    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841 (keeps Qt alive)
    path = resolve_preset_path(args.preset)
    preset = load_preset(path, [f"training.iterations={args.iterations}"])
    best = {"headless": float("inf"), "thread": float("inf"), "window": float("inf")}
    late: list[float] = []
    with tempfile.TemporaryDirectory() as scratch:
        headless(load_preset(path, ["training.iterations=30"]), Path(scratch) / "warmup")
        for repeat in range(args.repeats):
            best["headless"] = min(best["headless"], headless(preset, Path(scratch) / f"headless-{repeat}"))
            best["thread"] = min(best["thread"], on_a_thread(preset, Path(scratch) / f"thread-{repeat}"))
            seconds, lateness = windowed(preset, Path(scratch) / f"window-{repeat}")
            best["window"], late = min(best["window"], seconds), late + lateness
    report(args, best, np.asarray(late or [0.0]))
    return 0


def report(args: argparse.Namespace, best: dict[str, float], late: np.ndarray) -> None:
    n = args.iterations
    print(
        f"preset {args.preset}, {n} meta-iterations, best of {args.repeats}, torch threads {torch.get_num_threads()}, "
        f"Qt platform {QApplication.platformName()}"
    )
    labels = {
        "headless": "headless (as studio run)",
        "thread": "headless on a thread",
        "window": "window open, live plots",
    }
    for key, label in labels.items():
        rate = n / best[key]
        print(
            f"{label:<26} {rate:8.1f} it/s  ({best[key]:.1f} s, {100 * rate / (n / best['headless']):.0f}% of headless)"
        )
    print(
        f"event-loop stall (lateness of a {TICK_MS} ms timer): p99 {np.percentile(late, 99):.1f} ms, max {late.max():.1f} ms"
    )


if __name__ == "__main__":
    sys.exit(main())
