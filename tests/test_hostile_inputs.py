"""A corpus of broken presets and CSV files: each gets its message, exit code 2, no traceback,
and nothing is written anywhere.

tests/corpus/presets/*.toml start with ``# expect: MESSAGE``; tests/corpus/csv/cases.toml
lists each CSV with the task settings to use and the message.
"""

import json
import tomllib
from pathlib import Path

import pytest

from studio.cli import main

CORPUS = Path(__file__).resolve().parent / "corpus"
PRESETS = sorted((CORPUS / "presets").glob("*.toml"))
CSV_CASES = tomllib.loads((CORPUS / "csv" / "cases.toml").read_text())["case"]


def expectation(path: Path) -> str:
    first = path.read_bytes().split(b"\n", 1)[0].decode()
    assert first.startswith("# expect: "), f"{path.name} lacks its '# expect:' line"
    return first.removeprefix("# expect: ")


def run_and_check(capsys, workdir: Path, args: list[str], message: str) -> None:
    before = sorted(workdir.rglob("*"))
    code = main([*args, "--out", str(workdir / "out"), "--quiet"])
    _, err = capsys.readouterr()
    assert code == 2, err
    assert message in err
    assert "Traceback" not in err and err.startswith("studio: error: ")
    assert sorted(workdir.rglob("*")) == before  # nothing written, not even the output folder


def test_the_corpus_is_large():
    assert len(PRESETS) + len(CSV_CASES) >= 50


@pytest.mark.parametrize("path", PRESETS, ids=[p.stem for p in PRESETS])
def test_broken_preset_is_refused_with_its_message(capsys, tmp_path, monkeypatch, path):
    monkeypatch.chdir(tmp_path)
    run_and_check(capsys, tmp_path, ["run", str(path)], expectation(path))


@pytest.mark.parametrize("case", CSV_CASES, ids=[f"{c['file']}-{i}" for i, c in enumerate(CSV_CASES)])
def test_broken_csv_is_refused_with_its_message(capsys, tmp_path, monkeypatch, case):
    monkeypatch.chdir(tmp_path)
    task = {
        "family": "tabular_csv",
        "path": str(CORPUS / "csv" / case["file"]),
        "group_column": "g",
        "target_column": "y",
    }
    task.update(case.get("settings", {}))
    overrides = []
    for key, value in task.items():
        overrides += ["--set", f"task.{key}={json.dumps(value)}"]
    run_and_check(capsys, tmp_path, ["run", "maml-sine", *overrides], case["expect"])
