"""torch, imported on a thread once the window is on screen, so the window opens and answers at once.

Importing torch takes seconds, and nothing the window first shows needs it: the forms need settings
classes, the plots numpy, and a run trains in a child process that imports torch itself.  What does
need it (the task preview, the CUDA devices in the device picker, layer groups of the network) waits
for :data:`ENGINE`'s ``loaded`` signal.

A thread that imports holds the interpreter lock for long stretches, and the UI thread then stalls.
Two of those stretches are avoidable: loading torch's shared libraries (about 0.5 s, all under the lock
when the import machinery loads them), so they are loaded first through ``dlopen`` called as a C function
(ctypes lets go of the lock around foreign calls); and collecting the garbage of a half-imported torch,
so the collector is off until the import is done and what it made is frozen out of later collections.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib.util
import os
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from studio.ui.first_paint import after_first_paint


def import_engine() -> None:
    """What the window uses of the engine: torch, every registered family, model and algorithm, the preview's
    sampler, device detection (the device picker asks again once this is done)."""
    preload_torch_libraries()
    import torch  # noqa: F401

    from studio.engine.registry import FAMILIES, LEARNERS, MODEL_BUILDERS

    for registry in (FAMILIES, MODEL_BUILDERS, LEARNERS):
        registry.names()
    importlib.import_module("studio.views.preview_sampling")
    from studio.engine.device import available_devices

    available_devices()  # the first query of CUDA initialises it (seconds on a GPU machine): here, not on the UI thread


def preload_torch_libraries() -> None:
    """``dlopen`` torch's extension (and the libraries it links) without holding the interpreter lock; the
    import that follows finds them loaded.  Best effort: anything unexpected leaves it to the import."""
    spec = importlib.util.find_spec("torch")
    if spec is None or spec.origin is None or not sys.platform.startswith("linux"):
        return
    root = Path(spec.origin).parent
    with contextlib.suppress(OSError, AttributeError):
        dlopen = ctypes.CDLL(None).dlopen
        dlopen.restype, dlopen.argtypes = ctypes.c_void_p, [ctypes.c_char_p, ctypes.c_int]
        global_deps = root / "lib" / "libtorch_global_deps.so"  # torch loads this one RTLD_GLOBAL too
        if global_deps.is_file():
            dlopen(bytes(global_deps), os.RTLD_NOW | os.RTLD_GLOBAL)
        for extension in root.glob("_C.*.so"):
            dlopen(bytes(extension), os.RTLD_NOW | os.RTLD_LOCAL)


def torch_imported() -> bool:
    """torch has been imported completely (not half-way, by a thread still importing it)."""
    module = sys.modules.get("torch")
    return module is not None and not getattr(getattr(module, "__spec__", None), "_initializing", False)


class EngineLoader(QObject):
    """``ready`` once the engine is imported; ``loaded`` fires then (on the UI thread), ``failed(message)`` if the
    import raised.  ``load`` does the importing (on a thread): tests give a slower one."""

    loaded = Signal()
    failed = Signal(str)
    _finished = Signal(str)  # from the loading thread: '' or what went wrong

    def __init__(self, load: Callable[[], None] = import_engine, parent: QObject | None = None):
        super().__init__(parent)
        self.load = load
        self.error = ""
        self.thread: threading.Thread | None = None
        self._done = False
        self._finished.connect(self._finish)

    @property
    def ready(self) -> bool:
        """Loaded here, or (before any loading started) torch was imported already: a test, an embedding app."""
        if self._done or self.thread is not None or self.load is not import_engine:
            return self._done
        return torch_imported()

    def start_after_paint(self, widget: QWidget) -> None:
        """Start loading once ``widget`` has been painted (its first frame is not slowed down by the import).  A window
        shown minimised loads when it is first drawn: nothing needs the engine before (a run imports its own)."""
        if not self.ready and self.thread is None:
            after_first_paint(widget, self.start)

    def start(self) -> None:
        """Import on a thread (once); nothing if it is loaded already."""
        if self.thread is not None or self._done:
            return
        if self.ready:  # imported meanwhile by whoever embeds the window: those waiting still need to hear it
            self._done = True
            self.loaded.emit()
            return
        # not a daemon: the interpreter waits for it at exit (quitting mid-import, torch's static initialisers
        # raced the exit's destructors and the process aborted with a corrupted heap)
        self.thread = threading.Thread(target=self._run, name="studio-engine-import")
        self.thread.start()

    def _run(self) -> None:
        """On the loading thread."""
        collecting = gc.isenabled()
        gc.disable()  # a collection amid a half-imported torch holds the lock for ~0.1 s at a time
        try:
            self.load()
            message = ""
        except Exception as error:  # a broken torch: the window stays usable, and says so where torch is needed
            message = "".join(traceback.format_exception_only(error)).strip()
        finally:
            gc.freeze()  # what the import made lives as long as the process: later collections skip it
            if collecting:
                gc.enable()
        with contextlib.suppress(RuntimeError):  # the application is gone (the window closed meanwhile)
            self._finished.emit(message)

    def _finish(self, message: str) -> None:
        self.error = message
        if message:
            self.failed.emit(message)
            return
        self._done = True
        self.loaded.emit()


ENGINE = EngineLoader()
