"""Meta-iterations per second with the window open (live plots) against headless, and UI stalls.

    .venv/bin/python benchmarks/ui_throughput.py [--iterations 2000] [--preset maml-sine]

Every run trains the same preset for the same number of iterations and writes
a run folder (the window records every run, as ``studio run`` does): headless
as ``studio run`` in a fresh process, in a child process through the run
driver with no window, and in the window (whose runs are child processes)
with its live plots.  Each rate counts from the run's first record to its
last as its consumer sees them, so the child's start-up (a torch import) is
left out of all three; evaluations and recording are in.  During the
windowed run a 10 ms timer measures how late the event loop serves it: the
99th percentile and the worst lateness are the longest the UI froze.
Offscreen Qt platform unless one is set.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from studio.config import Preset, load_preset, save_preset  # noqa: E402
from studio.presets import resolve_preset_path  # noqa: E402
from studio.runs.messages import RunRequest  # noqa: E402
from studio.runs.process import ChildRun, child_environment  # noqa: E402
from studio.ui.main_window import MainWindow  # noqa: E402

TICK_MS = 10
POLL_S = 0.01  # how often the driven run is looked at (it was every 2 ms: 500 wake-ups a second beside the child)


def headless(preset: Preset, folder: Path) -> float:
    """Seconds from the run's first record to its last (its summary's wall time), run as ``studio run`` in a
    fresh process as a user would: cold, like the window's child processes."""
    folder.mkdir(parents=True)
    save_preset(preset, folder / "preset-in.toml")
    environment = {**child_environment(), "OMP_NUM_THREADS": str(torch.get_num_threads())}
    command = [sys.executable, "-m", "studio", "run", str(folder / "preset-in.toml"), "--out", str(folder / "run")]
    subprocess.run([*command, "--quiet"], env=environment, check=True)
    return json.loads((folder / "run" / "summary.json").read_text())["wall_seconds"]


def driven(preset: Preset, folder: Path) -> float:
    """The same in a child process through the run driver, with no window: the cost of the process."""
    child = ChildRun(RunRequest(preset, str(folder), torch_threads=torch.get_num_threads()))
    child.start()
    while child.started is None and child.exit is None:
        time.sleep(POLL_S)
    started = time.perf_counter()
    while child.finished is None and child.exit is None:
        time.sleep(POLL_S)
    seconds = time.perf_counter() - started
    child.wait()
    return seconds


class StallProbe:
    """A 10 ms timer that records how late each tick is served."""

    def __init__(self) -> None:
        self.late_ms: list[float] = []
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.on_tick = lambda: None

    def start(self) -> None:
        self.clock.start()
        self.timer.start()

    def _tick(self) -> None:
        self.late_ms.append(max(self.clock.restart() - TICK_MS, 0))
        self.on_tick()


def windowed(preset: Preset, folder: Path) -> tuple[float, list[float]]:
    """Seconds from the run's first record to its last as the window shows them, and the tick lateness."""
    window = MainWindow(preset)
    window.runs_dir = folder
    window.resize(1400, 900)
    window.show()
    loop = QEventLoop()
    window.runFinished.connect(lambda _reason: loop.quit())
    probe = StallProbe()
    clock: dict[str, float] = {}
    probe.on_tick = lambda: _note_progress(window, clock)
    QApplication.processEvents()
    probe.start()
    window.start()
    loop.exec()
    probe.timer.stop()
    window.close()
    return clock["finished"] - clock["started"], probe.late_ms


def _note_progress(window: MainWindow, clock: dict[str, float]) -> None:
    if "started" not in clock and window.data.started is not None:
        clock["started"] = time.perf_counter()
    if "finished" not in clock and window.data.finished is not None:
        clock["finished"] = time.perf_counter()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--preset", default="maml-sine")
    parser.add_argument("--repeats", type=int, default=2, help="alternate the runs; report the best of each")
    parser.add_argument(
        "--torch-threads", type=int, help="torch threads headless and driven (default: torch's; the window: cores-1)"
    )
    args = parser.parse_args()
    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841 (keeps Qt alive)
    path = resolve_preset_path(args.preset)
    preset = load_preset(path, [f"training.iterations={args.iterations}"])
    best = {"headless": float("inf"), "driven": float("inf"), "window": float("inf")}
    late: list[float] = []
    with tempfile.TemporaryDirectory() as scratch:
        for repeat in range(args.repeats):
            best["headless"] = min(best["headless"], headless(preset, Path(scratch) / f"headless-{repeat}"))
            best["driven"] = min(best["driven"], driven(preset, Path(scratch) / f"driven-{repeat}"))
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
        "driven": "child process, no window",
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
