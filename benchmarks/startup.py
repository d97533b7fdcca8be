"""Start-up cost of the ``studio`` command and window against ``python -c "import torch"``, in one run on one machine.

    python benchmarks/startup.py [--repeats 5] [--skip commands|window] [--instructions]

Each command runs as a fresh process (the checkout's ``studio`` package first on the path), the commands
taking turns so that load from other processes falls on all of them alike; the median wall time of each is
printed beside its ratio to the torch import.  Targets (issue #11): ``studio --help`` and ``studio presets``
at most 25% of the torch import; ``studio run maml-sine --iterations 1`` at most the torch import + 1.5 s.

The window (``studio`` with no command, Qt's offscreen platform) is timed from the moment its process is
started: to its first paint, to a key press posted at that paint reaching the name field (it accepts
input), to torch loaded behind it and the task preview drawn.  From the first paint until the preview is
drawn a 10 ms timer runs on the UI thread; its lateness (all repeats pooled) is how much the import on the
loading thread stalls the window.  Targets: shown and accepting input at most 1.5 s after launch (issue #11,
#13 item 23); UI stall p99 at most 16 ms, max at most 100 ms (issue #11).  ``--instructions`` also counts, under
valgrind's callgrind, the instructions the window's process runs until its first paint: its CPU work, which a busy
machine does not change (wall and CPU times there grow with the load), so before and after a change compare there.
No assertions: a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STUDIO = [sys.executable, "-m", "studio"]
COMMANDS = {
    "python -c 'import torch'": [sys.executable, "-c", "import torch"],
    "studio --help": [*STUDIO, "--help"],
    "studio presets": [*STUDIO, "presets"],
    "studio run maml-sine --iterations 1": [*STUDIO, "run", "maml-sine", "--iterations", "1", "--quiet", "--out"],
}


# `studio` through the CLI up to its event loop; in the loop, the times (time.time(), comparable across processes)
# of the window's first paint, of a key press posted then reaching the name field, of torch loaded and of the
# preview drawn, and the lateness of a 10 ms timer from the paint until the preview is drawn.
WINDOW_PROBE = r"""
import json, sys, time
from studio import cli
from studio.ui import launch  # Qt-free: PySide6 is first imported where `studio` imports it, in launch()

marks, cpu, lateness, last = {}, {}, [], []

def tick():
    now = time.perf_counter()
    if last:
        lateness.append(now - last[0] - 0.010)
    last[:] = [now]

def when_drawn(app, window):
    from PySide6.QtCore import QTimer
    if not window.experiment.preview.up_to_date:
        return QTimer.singleShot(5, lambda: when_drawn(app, window))
    marks["preview"] = time.time()
    app.quit()

def first_paint_filter():
    from PySide6.QtCore import QEvent, QObject, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication, QLineEdit

    class FirstPaint(QObject):
        def eventFilter(self, window, event):
            if event.type() == QEvent.Type.Paint:
                window.removeEventFilter(self)
                marks["shown"] = time.time()
                cpu["shown"] = time.process_time()  # on a busy machine, what an idle one would come close to
                marks["torch_at_paint"] = "torch" in sys.modules
                name = window.findChild(QLineEdit, "field:name")
                name.textChanged.connect(lambda text: marks.setdefault("input", time.time()))
                key = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_X, Qt.KeyboardModifier.NoModifier, "x")
                QApplication.postEvent(name, key)
                ticker.start()
            return False

    return FirstPaint()

def run_event_loop(app):
    global ticker
    from PySide6.QtCore import Qt, QTimer
    from studio.ui import engine_loader

    window = next(w for w in app.topLevelWidgets() if w.objectName() == "studioMainWindow")
    ticker = QTimer(app, interval=10, timerType=Qt.TimerType.PreciseTimer)
    ticker.timeout.connect(tick)
    paint = first_paint_filter()
    window.installEventFilter(paint)
    engine_loader.ENGINE.loaded.connect(lambda: marks.update(engine=time.time()) or when_drawn(app, window))
    QTimer.singleShot(120_000, app.quit)
    app.exec()
    print(json.dumps({"marks": marks, "cpu": cpu, "lateness": lateness}))
    return 0

launch.run_event_loop = run_event_loop
sys.exit(cli.main([]))
"""
# `studio` up to the window's first paint, where the process ends at once (the engine never starts loading)
PAINT_PROBE = r"""
import os, sys
from studio import cli
from studio.ui import launch

def run_event_loop(app):
    from PySide6.QtCore import QEvent, QObject

    class FirstPaint(QObject):
        def eventFilter(self, window, event):
            if event.type() == QEvent.Type.Paint:
                os._exit(0)
            return False

    window = next(w for w in app.topLevelWidgets() if w.objectName() == "studioMainWindow")
    paint = FirstPaint()
    window.installEventFilter(paint)
    return app.exec()

launch.run_event_loop = run_event_loop
sys.exit(cli.main([]))
"""
WINDOW_MARKS = {
    "shown": "window shown (first paint)",
    "input": "a key press reaches the name field",
    "engine": "torch loaded (in the background)",
    "preview": "task preview drawn",
}


def environment(scratch: Path) -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, "STUDIO_RUNS_DIR": str(scratch / "runs")}


def window_times(scratch: Path) -> tuple[dict[str, float], list[float]]:
    """Seconds from launch to each of :data:`WINDOW_MARKS` (and ``cpu``: the process's CPU seconds until shown),
    and the timer's lateness in seconds."""
    env = {**environment(scratch), "QT_QPA_PLATFORM": "offscreen", "HOME": str(scratch)}
    start = time.time()
    done = subprocess.run(
        [sys.executable, "-c", WINDOW_PROBE], env=env, cwd=scratch, check=True, capture_output=True, text=True
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    if report["marks"].pop("torch_at_paint"):
        print("note: torch was imported before the window was painted")
    at = {name: value - start for name, value in report["marks"].items()}
    return {**at, "cpu": report["cpu"]["shown"]}, report["lateness"]


def instructions_until_shown(scratch: Path) -> int:
    """Instructions the window's process runs from its start to its first paint, counted by valgrind's callgrind:
    the start-up's CPU work, the same on a busy machine as on an idle one (callgrind runs it ~50x slower)."""
    out = scratch / "callgrind.out"
    env = {**environment(scratch), "QT_QPA_PLATFORM": "offscreen", "HOME": str(scratch)}
    probe = [sys.executable, "-c", PAINT_PROBE]
    subprocess.run(probe, env=env, cwd=scratch, check=True, capture_output=True)  # once uncounted: .pyc files written
    command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *probe]
    subprocess.run(command, env=env, cwd=scratch, check=True, capture_output=True)
    totals = next(line for line in out.read_text().splitlines() if line.startswith(("totals:", "summary:")))
    return int(totals.split()[1])


def seconds(command: list[str], scratch: Path, turn: int) -> float:
    """Wall time of one fresh process; a run gets a new output folder each turn."""
    if command[-1] == "--out":
        command = [*command, str(scratch / f"run-{turn}")]
    env = environment(scratch)
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=scratch, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(repeats: int, skip: set[str]) -> tuple[dict[str, float], dict[str, float], list[float]]:
    """Median seconds of each command and of each window mark, and the pooled timer lateness."""
    commands = {} if "commands" in skip else COMMANDS
    times: dict[str, list[float]] = {name: [] for name in commands}
    marks: dict[str, list[float]] = {name: [] for name in (*WINDOW_MARKS, "cpu")}
    lateness: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        for command in commands.values():  # warm the file cache once, untimed
            seconds(command, scratch, -1)
        if "window" not in skip:
            window_times(scratch)
        for turn in range(repeats):
            for name, command in commands.items():
                times[name].append(seconds(command, scratch, turn))
            if "window" not in skip:
                at, late = window_times(scratch)
                for name, value in at.items():
                    marks[name].append(value)
                lateness += late
    median = {name: statistics.median(values) for name, values in times.items()}
    return median, {name: statistics.median(values) for name, values in marks.items() if values}, lateness


def report(figures: dict[str, float]) -> None:
    torch_s = figures["python -c 'import torch'"]
    print(f"{'command':<38} {'median s':>9} {'x torch':>8}  target        met")
    for name, value in figures.items():
        if name.startswith("studio run"):
            goal, met = "<= torch+1.5s", value <= torch_s + 1.5
        elif name.startswith("studio"):
            goal, met = "<= 25%", value <= 0.25 * torch_s
        else:
            goal, met = "", None
        verdict = "" if met is None else ("yes" if met else "NO")
        print(f"{name:<38} {value:>9.3f} {value / torch_s:>7.0%}  {goal:<13} {verdict}")


def report_window(marks: dict[str, float], lateness: list[float]) -> None:
    print(f"\n{'window (studio, offscreen), from launch':<42} {'median s':>9}  target     met")
    for name, label in WINDOW_MARKS.items():
        if name in marks:
            goal = name in ("shown", "input")
            verdict = ("yes" if marks[name] <= 1.5 else "NO") if goal else ""
            print(f"{label:<42} {marks[name]:>9.3f}  {'<= 1.5 s' if goal else '':<10} {verdict}")
    if "cpu" in marks:
        print(f"{'(CPU time of the process until shown)':<42} {marks['cpu']:>9.3f}")
    if lateness:
        ms = sorted(1000 * value for value in lateness)
        p99, worst = ms[min(len(ms) - 1, int(0.99 * len(ms)))], ms[-1]
        print(
            f"UI stall while torch loads (10 ms timer, {len(ms)} ticks): median {statistics.median(ms):.1f} ms, "
            f"p99 {p99:.1f} ms (<= 16: {'yes' if p99 <= 16 else 'NO'}), "
            f"max {worst:.1f} ms (<= 100: {'yes' if worst <= 100 else 'NO'})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of each command (median reported)")
    parser.add_argument("--skip", default="", help="comma-separated: commands, window")
    parser.add_argument(
        "--instructions", action="store_true", help="also count the window's instructions until shown (valgrind)"
    )
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {args.repeats} repeats, median wall time")
    figures, marks, lateness = measure(args.repeats, skip)
    if figures:
        report(figures)
    if "window" not in skip:
        report_window(marks, lateness)
    if args.instructions:
        with tempfile.TemporaryDirectory() as folder:
            count = instructions_until_shown(Path(folder))
        print(f"{'(instructions until shown, valgrind callgrind)':<46} {count / 1e9:.3f} G")


if __name__ == "__main__":
    main()
