"""The window's garbage collection: on the UI thread, with what existed before the first window frozen out of it."""

from __future__ import annotations

import gc
import weakref

from PySide6.QtCore import QObject

from studio.ui.collector import COLLECTOR


class Cycle:
    def __init__(self) -> None:
        self.me = self


def test_what_exists_when_the_first_window_is_built_is_frozen_out_of_collections(qtbot):
    gc.unfreeze()  # as in a process that has built no window yet
    alive = Cycle()
    owner = QObject()
    COLLECTOR.hold_while_alive(owner)
    assert not gc.isenabled()
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # the modules of Qt, numpy, the studio: a full collection walks none of them
    watch = weakref.ref(alive)
    del alive
    gc.collect()
    assert watch() is not None  # kept out of reach (a one-off garbage from before the first window stays)


def test_a_later_window_freezes_nothing_more_so_its_predecessors_garbage_is_collected(qtbot):
    first = QObject()
    COLLECTOR.hold_while_alive(first)
    garbage = Cycle()
    watch = weakref.ref(garbage)
    second = QObject()
    COLLECTOR.hold_while_alive(second)
    del garbage
    gc.collect()
    assert watch() is None
