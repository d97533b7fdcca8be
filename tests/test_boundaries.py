"""Imports point one way: ui/cli -> views/runs -> export -> engine -> config; no Qt outside studio/ui."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

STUDIO = Path(__file__).resolve().parents[1] / "studio"
QT = ("PySide6", "pyqtgraph", "superqt", "shiboken6")
FORBIDDEN = {
    "config": QT + ("torch", "studio.engine", "studio.export", "studio.runs", "studio.ui", "studio.cli"),
    "engine": QT + ("studio.export", "studio.runs", "studio.ui", "studio.cli"),
    "export": QT + ("studio.runs", "studio.ui", "studio.cli", "studio.sweeps", "optuna"),
    "runs": QT + ("studio.ui", "studio.cli"),
    "sweeps": QT + ("studio.ui", "studio.cli"),
    "views": QT + ("studio.ui", "studio.cli", "studio.sweeps"),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layer_imports_nothing_above_it(package):
    offences = []
    for path in sorted((STUDIO / package).rglob("*.py")):
        for name in imported_modules(path):
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[package]):
                offences.append(f"{path.relative_to(STUDIO.parent)} imports {name}")
    assert offences == []


def test_engine_runs_with_qt_unimportable():
    """A headless process that cannot import Qt still trains (what a CI without Qt would see)."""
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'pyqtgraph', 'superqt', 'shiboken6'):\n"
        "            raise ImportError('Qt blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import studio, studio.export, studio.cli\n"
        "from tests.engine.helpers import tiny_preset\n"
        "events = list(studio.engine.run(tiny_preset(training={'iterations': 3, 'eval_every': 3})))\n"
        "assert type(events[-1]).__name__ == 'RunFinished'\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=STUDIO.parent, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
