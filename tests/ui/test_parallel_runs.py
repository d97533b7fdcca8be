"""Runs side by side in the window: a seed series trained two at once, and Start beside a run that trains on.

The slots are set to two (the default is one per two cores: one on a 2-core machine).
"""

from __future__ import annotations

import json

from PySide6.QtCore import QTimer

from studio.config import load_preset
from studio.export.library import read_run
from studio.ui.run_slots import LOOK_MS
from tests.ui.conftest import FAST, LONG, button, click, open_window, preset_with

SERIES = ["training.iterations=60", "training.eval_every=30", *FAST]


def alive(session) -> bool:
    return session.child.process is not None and session.child.process.poll() is None


def test_two_seeds_train_at_once_the_plots_follow_the_lowest_and_both_end_as_one_series(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with([*SERIES, "seed=7"]))
    window.slots.limit = 2
    window.seeds.spin.setValue(2)
    seen = {"both_alive": False, "shown": []}  # (seeds training, seed on the plots) at each look

    def look() -> None:
        runs = window.seeds.queue.runs if window.seeds.queue is not None else []
        # Both children alive at one moment: with one slot the second seed would start only after the
        # first ended. (Asking both to have trained an iteration by then made the test depend on which
        # child finished importing torch first: a 60-iteration seed can end before the other starts.)
        if len(runs) == 2 and all(alive(s) for s in runs):
            seen["both_alive"] = True
        training = tuple(s.preset.seed for s in runs if s.active)
        if training and window.session is not None:
            seen["shown"].append((training, window.session.preset.seed))

    sampler = QTimer(window)
    sampler.timeout.connect(look)
    sampler.start(20)
    with qtbot.waitSignal(window.seeds.finished, timeout=180_000) as done:
        click(qtbot, window, "startButton")
        qtbot.waitUntil(lambda: window.seeds.queue is not None and len(window.seeds.queue.runs) == 2, timeout=5_000)
        assert button(window, "stopButton").isEnabled()
    sampler.stop()
    assert seen["both_alive"]  # two children alive at the same moment
    assert all(shown == 7 for training, shown in seen["shown"] if 7 in training)  # the lower seed on the plots
    only_8 = [shown for training, shown in seen["shown"] if training == (8,)]
    assert len(only_8) < 15 or only_8[-1] == 8  # 8 outlived 7 (by over 0.3 s): the plots moved to it
    folders = done.args[0]
    assert [load_preset(f / "preset.toml").seed for f in folders] == [7, 8]
    assert all(read_run(f).status == "finished" and read_run(f).iterations == 60 for f in folders)
    group = window.library.overlay.curve_of(folders[0])
    assert group is window.library.overlay.curve_of(folders[1]) and "2 seeds: geometric mean" in group.main.name()
    assert not button(window, "stopButton").isEnabled()


def test_start_beside_a_training_run_leaves_it_training_behind_the_plots_up_to_the_limit(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(LONG))
    window.slots.limit = 2
    click(qtbot, window, "startButton")
    first = window.session
    qtbot.waitUntil(lambda: first.child.last_iteration >= 2, timeout=120_000)
    click(qtbot, window, "startButton")  # a slot is free: the first run goes on behind the plots
    second = window.session
    assert second is not first and alive(first)
    assert not button(window, "startButton").isEnabled()  # both slots taken
    reached = first.child.last_iteration
    both_on = lambda: second.child.last_iteration >= 2 and first.child.last_iteration > reached + 5  # noqa: E731
    qtbot.waitUntil(both_on, timeout=120_000)
    qtbot.wait(3 * LOOK_MS)
    assert window.slots.in_background() == [first]
    assert len(first.child.outbox) < first.child.last_iteration - reached  # its records are dropped, not piled up
    window.library.refresh()
    statuses = {r.path.resolve(): r.status for r in window.library.panel.records}
    assert statuses[first.run_dir.resolve()] == "running"
    window.shutdown()  # closing the window stops both and waits for them
    for session in (first, second):
        assert not alive(session)
        assert json.loads((session.run_dir / "summary.json").read_text())["status"] == "stopped"


def test_stop_stops_every_seed_and_starts_no_more(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path, preset_with(LONG))
    window.slots.limit = 2
    window.seeds.spin.setValue(3)
    click(qtbot, window, "startButton")
    runs = window.seeds.queue.runs
    qtbot.waitUntil(lambda: len(runs) == 2 and all(s.child.last_iteration >= 2 for s in runs), timeout=120_000)
    with qtbot.waitSignal(window.seeds.finished, timeout=120_000) as done:
        click(qtbot, window, "stopButton")
    folders = done.args[0]
    assert [load_preset(f / "preset.toml").seed for f in folders] == [0, 1]  # the third seed never started
    assert sorted(p.name for p in folders[0].parent.iterdir()) == ["seed-0", "seed-1"]
    assert all(json.loads((f / "summary.json").read_text())["status"] == "stopped" for f in folders)
    assert not button(window, "stopButton").isEnabled()
