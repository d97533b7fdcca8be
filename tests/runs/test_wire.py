"""Every record type goes over the wire and comes back equal: found from the module, built from its type hints."""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from enum import Enum

import numpy as np
import pytest

from studio.config import Preset
from studio.engine.events import Event, FinishReason, RunFinished, StepMetrics, TaskFit, TasksDrawn
from studio.runs.wire import decode, encode, record_types
from tests.engine.helpers import tiny_preset


def sample(hint, depth: int = 0):
    """A value of type ``hint`` with something in it (an unknown type fails the test: teach it here and the wire)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return sample(next(arg for arg in args if arg is not type(None)), depth)
    if origin is tuple:
        return tuple(sample(args[0], depth) for _ in range(2))
    if origin is dict:
        return {"amplitude": sample(args[1], depth), "phase": sample(args[1], depth)}
    if hint is np.ndarray:
        return np.array([[0.5, np.nan, -1.0], [2.0, 3.25, np.inf]], dtype=np.float32)
    if hint is Preset:
        return tiny_preset(training={"iterations": 12})
    if isinstance(hint, type) and issubclass(hint, Enum):
        return list(hint)[-1]
    if dataclasses.is_dataclass(hint):
        return build(hint, depth + 1)
    return {int: 7, float: 0.125, str: "a note", bool: True}[hint]


def build(kind: type, depth: int = 0):
    hints = typing.get_type_hints(kind)
    return kind(**{field.name: sample(hints[field.name], depth) for field in dataclasses.fields(kind)})


def same(a, b) -> bool:
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        fields = dataclasses.fields(a)
        return type(a) is type(b) and all(same(getattr(a, f.name), getattr(b, f.name)) for f in fields)
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("name", sorted(record_types()))
def test_every_record_type_round_trips(name):
    record = build(record_types()[name])
    line = encode(record)
    assert "\n" not in line
    assert same(decode(line), record)


def test_the_wire_knows_every_record_the_engine_yields():
    yielded = {kind.__name__ for kind in typing.get_args(Event)}
    assert len(yielded) >= 10 and yielded <= set(record_types())


def test_a_finish_reason_comes_back_as_the_enum_and_a_diverged_loss_as_nan():
    finished = decode(encode(RunFinished(4, FinishReason.DIVERGED, 1.0, 2.0, None, "nan at 4")))
    assert finished.reason is FinishReason.DIVERGED
    assert math.isnan(decode(encode(StepMetrics(4, float("nan"), 1.0, 2.0))).meta_loss)


@pytest.mark.parametrize("line", ["", "[1, 2]", '{"type": "os.system"}', '{"type": "StepMetrics", "loss": 1}'])
def test_a_line_that_is_not_a_record_is_refused(line):
    with pytest.raises((ValueError, TypeError)):
        decode(line)


@pytest.mark.parametrize(
    "array",
    [
        np.array([0.1, -0.0, np.nan, np.inf, 1e-310], dtype=np.float64),  # every bit kept, subnormals too
        np.arange(12, dtype=">i4").reshape(3, 4),  # big-endian stays big-endian
        np.arange(12, dtype=np.float32).reshape(3, 4).T,  # not contiguous: a view's values, in its shape
        np.array([True, False, True]),
        np.array(2.5),
        np.empty((0, 3), dtype=np.int64),
    ],
)
def test_an_array_comes_back_with_its_dtype_shape_and_bits(array):
    back = decode(encode(TaskFit(3, array, array, array, array, array, array, 1))).x
    assert back.dtype == array.dtype and back.shape == array.shape
    assert back.tobytes() == array.tobytes()


def test_a_decoded_array_can_be_written_to():
    back = decode(encode(TasksDrawn(5, "uniform", {"phase": np.zeros(4)})))
    back.values["phase"][0] = 1.0
    assert back.values["phase"][0] == 1.0


def test_a_line_with_an_array_as_a_list_of_numbers_still_reads():
    """As the wire wrote arrays before: a run left running by an older studio wrote its events.jsonl so."""
    array = '{"type": "ndarray", "dtype": "<f8", "shape": [2, 2], "data": [1.0, 2.0, NaN, 4.5]}'
    back = decode('{"type": "TasksDrawn", "iteration": 5, "strategy": "uniform", "values": '
                  f'{{"type": "dict", "items": {{"phase": {array}}}}}}}')  # fmt: skip
    assert np.array_equal(back.values["phase"], [[1.0, 2.0], [np.nan, 4.5]], equal_nan=True)


def test_an_array_of_numbers_goes_as_bytes_not_as_a_list_of_its_numbers():
    """A list costs ~10 times as long to write and read, and the histogram of drawn tasks grows with the run."""
    line = encode(TasksDrawn(5, "uniform", {"phase": np.linspace(0.0, 3.0, 10_000)}))
    assert len(line) < 1.4 * 8 * 10_000
