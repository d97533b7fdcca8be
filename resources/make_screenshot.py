"""Draw resources/screenshot.png: the window (1400x900, offscreen) in the middle of a real run.

    .venv/bin/python resources/make_screenshot.py [--iterations 3000]

Trains the bundled maml-sine preset until ``--iterations`` meta-iterations
have run, pauses, and saves a grab of the window.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from studio.config import load_preset  # noqa: E402
from studio.presets import bundled_presets  # noqa: E402
from studio.ui.close_choice import CloseChoice  # noqa: E402
from studio.ui.main_window import MainWindow  # noqa: E402

HERE = Path(__file__).resolve().parent


def wait_until(app: QApplication, condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.005)


def earlier_runs() -> None:
    """Two short runs in ./runs, so that the Runs panel has something to list."""
    from studio.cli import main as studio

    for name, lr in (("sine-inner-lr-0.01", 0.01), ("sine-inner-lr-0.05", 0.05)):
        args = ["run", "maml-sine", "--out", f"runs/{name}", "--quiet", "--iterations", "400", "--device", "cpu"]
        studio([*args, "--set", f"algorithm.inner_lr={lr}", "--set", "training.eval_every=100"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=3000, help="meta-iterations to train before the grab")
    parser.add_argument("--out", type=Path, default=HERE / "screenshot.png")
    args = parser.parse_args()
    args.out = args.out.resolve()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    path = bundled_presets()["maml-sine"]
    home = os.getcwd()
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)  # the run is recorded in ./runs, as in real use, but thrown away afterwards
        # before the window: these runs import torch in this process, and a window built before that would
        # keep waiting for its own background import of the engine (it starts none when torch is already here)
        earlier_runs()
        window = MainWindow(load_preset(path, ["training.eval_every=250"]))
        window.presets.path = path
        window.presets.update_title()
        window.library.refresh()
        window.resize(1400, 900)
        window.show()
        window.start()
        wait_until(app, lambda: window.data.iteration >= args.iterations, timeout=600)
        window.toggle_pause()
        wait_until(app, lambda: False, timeout=0.5)  # let the last records and a redraw through
        window.grab().save(str(args.out))
        window.ask_close = lambda count: CloseChoice.STOP  # save and stop the run, without asking
        window.close()
        os.chdir(home)
    print(f"{args.out}: iteration {window.data.iteration}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
