"""``studio`` and ``studio PRESET.toml``: open the window, or say in one line why it cannot open."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from pathlib import Path

from studio.config import load_preset
from studio.presets import DEFAULT_PRESET, bundled_presets

NO_DISPLAY = (
    "studio: no display found (DISPLAY and WAYLAND_DISPLAY are unset), so the window cannot open; "
    "to train without it use 'studio run PRESET' (e.g. 'studio run maml-sine')"
)
# Libraries Qt's X11 platform plugin loads that minimal Linux installs often lack (Qt aborts without them),
# with the Debian/Ubuntu package that provides each
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
}


def has_display() -> bool:
    """False on Linux/BSD with no X11 or Wayland display and no Qt platform chosen (Qt would abort)."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def uses_xcb() -> bool:
    """Whether Qt will open the window through X11 (its xcb plugin) here."""
    if not sys.platform.startswith("linux"):
        return False
    chosen = os.environ.get("QT_QPA_PLATFORM", "")
    return chosen.startswith("xcb") or (not chosen and not os.environ.get("WAYLAND_DISPLAY"))


def missing_platform_library() -> str:
    """One line naming the library and package to install, if Qt's X11 plugin would abort for want of it; else ''."""
    if not uses_xcb():
        return ""
    for library, package in XCB_LIBRARIES.items():
        if not loadable(library):
            return (
                f"studio: the window needs the system library {library}, which is not installed; install it "
                f"(Debian/Ubuntu: sudo apt install {package}), or train without the window: 'studio run PRESET'"
            )
    return ""


def loadable(library: str) -> bool:
    try:
        ctypes.CDLL(library)
    except OSError:
        return False
    return True


def launch(path: str | os.PathLike | None = None) -> int:
    """Open the window with the preset at ``path`` (default: the bundled maml-sine); the exit status.

    A bad preset raises :class:`studio.config.ConfigError`, which the CLI prints.
    """
    preset_path = Path(path) if path is not None else bundled_presets()[DEFAULT_PRESET]
    preset = load_preset(preset_path)
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 1
    missing = missing_platform_library()
    if missing:
        print(missing, file=sys.stderr)
        return 1
    # numpy first: PySide6, once imported, reads the source of every module imported after it (whether it asks for
    # PySide6's __feature__ options), ~0.04 s CPU over numpy's ~90 modules, which the window imports anyway
    import numpy  # noqa: F401
    from PySide6.QtWidgets import QApplication

    from studio.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "studio"])
    app.setApplicationName("Meta-Learning Studio")
    window = MainWindow(preset)
    window.presets.path = preset_path if path is not None else None
    window.presets.update_title()
    app.aboutToQuit.connect(window.shutdown)
    _quit_on_ctrl_c(app)
    window.show()
    return run_event_loop(app)


def _quit_on_ctrl_c(app: object) -> None:
    """Ctrl+C in the terminal quits (stopping the run first, via ``aboutToQuit``)."""
    from PySide6.QtCore import QTimer

    signal.signal(signal.SIGINT, lambda *_: app.quit())
    wake = QTimer(app)  # Python handles signals only when it runs: let it run now and then
    wake.timeout.connect(lambda: None)
    wake.start(250)


def run_event_loop(app: object) -> int:
    """``app.exec()``: until the last window closes (tests replace it, to keep their event loop usable)."""
    return app.exec()
