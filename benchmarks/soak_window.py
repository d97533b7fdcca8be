"""Soak: a long maml-sine run with the window open (offscreen): resident memory and UI stalls.

    .venv/bin/python benchmarks/soak_window.py [--iterations 100000]

Prints the process's resident memory at the start, the middle and the end of
training, and the 99th-percentile and worst lateness of a 10 ms timer on the
UI thread.  Targets (issue 7): memory growth under 50 MB, p99 stall under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from studio.config import load_preset  # noqa: E402
from studio.presets import resolve_preset_path  # noqa: E402
from studio.ui.close_choice import CloseChoice  # noqa: E402
from studio.ui.main_window import MainWindow  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ui_throughput import StallProbe  # noqa: E402


def resident_mb() -> float:
    """Current resident set size (Linux /proc; 0 where unavailable)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=100_000)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    overrides = [f"training.iterations={args.iterations}", "training.eval_every=1000", 'training.device="cpu"']
    window = MainWindow(load_preset(resolve_preset_path("maml-sine"), overrides))
    samples: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        window.runs_dir = Path(folder)
        window.resize(1400, 900)
        window.show()
        loop = QEventLoop()
        window.runFinished.connect(lambda _reason: loop.quit())
        probe = StallProbe()

        def sample() -> None:
            done = window.data.iteration
            if done >= 1 and "start" not in samples:
                samples["start"] = resident_mb()
            if done >= args.iterations // 2 and "middle" not in samples:
                samples["middle"] = resident_mb()

        poll = QTimer()
        poll.timeout.connect(sample)
        poll.start(200)
        app.processEvents()
        probe.start()
        window.start()
        loop.exec()
        samples["end"] = resident_mb()
        probe.timer.stop()
        window.ask_close = lambda count: CloseChoice.STOP
        window.close()
    late = np.asarray(probe.late_ms)
    print(f"maml-sine, {args.iterations} iterations with the window open (offscreen)")
    print("resident memory: " + ", ".join(f"{k} {v:.0f} MB" for k, v in samples.items()))
    print(f"growth start -> end: {samples['end'] - samples.get('start', samples['end']):.0f} MB (target < 50 MB)")
    print(f"UI stall: p99 {np.percentile(late, 99):.1f} ms, max {late.max():.0f} ms (target p99 < 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
