"""How long the window takes to redraw 100 overlaid runs of 10,000 iterations each.

    python benchmarks/overlay_redraw.py [--runs 100] [--iterations 10000] [--repeats 20]

Writes synthetic run folders (a preset and a metrics.csv each) to a temporary
folder, opens the window offscreen, selects them all in the runs panel (once the
panel has read the folder, after the window's first paint), checks that their
curves are on the loss plot, then
times (a) overlaying them and (b) a full render of the loss plot (``grab()``), the median
of ``--repeats``, with pyqtgraph's min/max ("peak") downsampling as the window
uses it and with it switched off, so the figure says what the bucketing buys.
Exports are unaffected: they read metrics.csv at full resolution.  Target: a
redraw within 30 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def write_runs(root: Path, runs: int, iterations: int) -> list[Path]:
    from studio.config import load_preset, save_preset
    from studio.export.metrics_csv import header
    from studio.presets import bundled_presets

    preset = load_preset(bundled_presets()["maml-sine"], [f"training.iterations={iterations}"])
    columns = header(1)
    rng = np.random.default_rng(0)
    folders = []
    for i in range(runs):
        folder = root / f"run-{i:03d}"
        folder.mkdir(parents=True)
        save_preset(preset.replace(seed=i, name=f"run {i}"), folder / "preset.toml")
        steps = np.arange(1, iterations + 1)
        loss = 3.0 * np.exp(-steps / (2000 + 30 * i)) + 0.2 + 0.1 * rng.standard_normal(iterations) ** 2
        rows = [",".join(columns)]
        for step, value in zip(steps, loss):
            evaluation = f",{value:.5f},0.01,{value * 0.9:.5f},0.01" if step % 500 == 0 else ",,,,"
            rows.append(f"{step},{step * 0.01:.3f},{value:.5f},250.0{evaluation}")
        (folder / "metrics.csv").write_text("\n".join(rows) + "\n")
        folders.append(folder)
    return folders


def median_ms(action, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _points(item) -> int:
    data = getattr(item, "xData", None)
    return 0 if data is None else len(data)


def set_downsampling(window, on: bool) -> None:
    import pyqtgraph as pg

    for item in window.loss_panel.plot.items:
        if isinstance(item, pg.PlotDataItem):
            item.setDownsampling(auto=on, method="peak")
            item.setClipToView(on)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--iterations", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from studio.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        folders = write_runs(Path(tmp), args.runs, args.iterations)
        print(f"wrote {args.runs} runs of {args.iterations} iterations in {time.perf_counter() - start:.1f} s")
        window = MainWindow()
        window.runs_dir = Path(tmp)
        window.resize(1400, 900)
        window.show()
        panel = window.library.panel
        deadline = time.monotonic() + 60
        while len(panel.records) < len(folders) and time.monotonic() < deadline:  # read after the first paint
            app.processEvents()
        start = time.perf_counter()
        panel.select(folders)  # as a user selecting them all: the overlay follows the selection
        app.processEvents()
        print(f"overlaying {len(folders)} runs (read + build curves): {(time.perf_counter() - start) * 1000:.0f} ms")
        drawn = sum(1 for item in window.loss_panel.plot.items if _points(item) >= args.iterations)
        print(f"curves of {args.iterations} points on the loss plot: {drawn}")
        widget = window.loss_panel.plot_widget if hasattr(window.loss_panel, "plot_widget") else window.loss_panel
        for on in (True, False):
            set_downsampling(window, on)
            widget.grab()  # a full render of the plot (offscreen, repaint() may skip painting)
            ms = median_ms(widget.grab, args.repeats)
            label = "min/max downsampling (as the window draws)" if on else "no downsampling"
            print(f"full render of the loss plot, {label}: {ms:.1f} ms (median of {args.repeats}); target 30 ms")
        window.close()


if __name__ == "__main__":
    main()
