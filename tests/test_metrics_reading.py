"""Reading metrics.csv back: numpy's parser for plain files, row by row for anything else, the same values either
way (an empty field and a non-finite value as NaN, rows that are no iteration's dropped, a torn last line ignored).
"""

from __future__ import annotations

import csv
import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.export import run_metrics
from studio.export.run_metrics import read_metrics

HEADER = ["iteration", "elapsed_s", "meta_loss", "eval_loss_step0"]
CELLS = st.one_of(
    st.just(""),
    st.sampled_from(["inf", "-inf", "nan", "1e400", "0", "-0.0"]),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
)
PLAIN_ROW = st.tuples(st.integers(0, 10**6).map(str), CELLS, CELLS, CELLS).map(list)
ODD_ROW = st.sampled_from(
    [HEADER, [], ["1", "2"], *([first, "1", "2", "3"] for first in ("x", "1.5", "-1", "2.0", "1e1", "+2", " 2", "inf"))]
)


def expected_columns(rows: list[list[str]]) -> dict[str, list[float]]:
    """What the file says, read the slow obvious way."""
    kept = [row for row in rows if len(row) == len(HEADER) and row[0].isdigit()]

    def number(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            return math.nan
        return value if math.isfinite(value) else math.nan

    return {name: [number(row[i]) for row in kept] for i, name in enumerate(HEADER)}


def write(folder, rows: list[list[str]], torn: str) -> None:
    with open(folder / "metrics.csv", "w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows([HEADER, *rows])  # \r\n line ends, as the studio writes them
        file.write(torn)  # a killed run's half-written last line


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.one_of(PLAIN_ROW, PLAIN_ROW, PLAIN_ROW, ODD_ROW), max_size=30),
    torn=st.sampled_from(["", "31,0.5", "32,"]),
)
def test_every_file_reads_as_the_obvious_reading_says(tmp_path, rows, torn):
    write(tmp_path, rows, torn)
    read = read_metrics(tmp_path)
    assert list(read.columns) == HEADER
    for name, values in expected_columns(rows).items():
        np.testing.assert_array_equal(read.columns[name], np.array(values, dtype=np.float64).reshape(-1))


def test_a_plain_file_is_parsed_by_numpy_and_one_odd_row_sends_it_row_by_row(tmp_path, monkeypatch):
    slow = []
    row_by_row = run_metrics._table_row_by_row
    monkeypatch.setattr(run_metrics, "_table_row_by_row", lambda *args: slow.append(True) or row_by_row(*args))
    write(tmp_path, [["1", "0.1", "2.5", ""], ["2", "0.2", "inf", "1.5"], ["3", "", "", ""]], "")
    assert len(read_metrics(tmp_path)) == 3 and slow == []
    write(tmp_path, [["1", "0.1", "2.5", ""], HEADER, ["2", "0.2", "inf", "1.5"]], "")  # a header appended again
    assert read_metrics(tmp_path).columns["iteration"].tolist() == [1.0, 2.0] and slow == [True]
