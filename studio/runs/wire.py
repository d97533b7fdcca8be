"""One JSON line per record: how a run's child process and its driver talk.

Every record type of :mod:`studio.engine.events`, and the driver's messages
(:mod:`studio.runs.messages`), goes over the pipe as ``{"type": NAME, FIELD: VALUE, ...}``.
Arrays keep their dtype and shape and go as their bytes in base64, ~10 times
quicker to write and read than a list of their numbers: a run's histogram of
drawn tasks holds every task drawn so far (100,000 numbers by iteration 2,000),
and the window's reader thread decodes it holding the interpreter lock.  Lines
with an array's numbers as a list (as older versions wrote them) still read.
A preset travels as its plain dict, nested records carry their own type, enums
go as their values.  No pickle: a line is data, never code.  Python's ``json``
writes NaN and infinities as ``NaN`` and ``Infinity``, which it reads back, so
a diverged loss survives the trip.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import typing
from enum import Enum
from functools import cache
from typing import Any

import numpy as np

from studio.config import FieldError, Preset, preset_from_dict, preset_to_dict
from studio.engine import events
from studio.runs import messages


@cache
def record_types() -> dict[str, type]:
    """Every record type the wire carries, by name: the frozen dataclasses of ``events`` and ``messages``."""
    found = {FieldError.__name__: FieldError}
    for module in (events, messages):
        found.update(
            (name, kind)
            for name, kind in vars(module).items()
            if isinstance(kind, type) and dataclasses.is_dataclass(kind) and kind.__module__ == module.__name__
        )
    return found


def encode(record: Any) -> str:
    """One line of JSON (no newline) for ``record``."""
    return json.dumps(_plain(record), separators=(",", ":"))


def decode(line: str | bytes) -> Any:
    """The record :func:`encode` wrote; ``ValueError`` for a line that is not one."""
    return _record(json.loads(line))


SCALARS = (float, int, str, bool, type(None))  # exact types: an enum (a str) or a numpy scalar is not one


def _plain(value: Any) -> Any:
    if type(value) in SCALARS:  # most of what a run sends: asked first
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Preset):
        return {"type": "Preset", "data": preset_to_dict(value)}
    if dataclasses.is_dataclass(value):
        return {"type": type(value).__name__, **{name: _plain(getattr(value, name)) for name in _names(type(value))}}
    if isinstance(value, np.ndarray):
        return _array(value)
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {"type": "dict", "items": {key: _plain(item) for key, item in value.items()}}
    if isinstance(value, np.generic):
        return value.item()
    return value


@cache
def _names(kind: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(kind))


def _array(array: np.ndarray) -> dict[str, Any]:
    head = {"type": "ndarray", "dtype": array.dtype.str, "shape": array.shape}
    if array.dtype.hasobject:  # pointers, not numbers: only their values can go
        return {**head, "data": array.ravel().tolist()}
    return {**head, "base64": base64.b64encode(array.tobytes()).decode("ascii")}


def _from_array(data: dict[str, Any]) -> np.ndarray:
    dtype = np.dtype(data["dtype"])
    if "base64" in data:  # copied: frombuffer's array would be read-only
        raw = base64.b64decode(data["base64"], validate=True)
        return np.frombuffer(raw, dtype=dtype).reshape(data["shape"]).copy()
    return np.asarray(data["data"], dtype=dtype).reshape(data["shape"])


def _value(data: Any) -> Any:
    if isinstance(data, list):
        return tuple(_value(item) for item in data)  # the records hold tuples, never lists
    if not isinstance(data, dict):
        return data
    kind = data.get("type")
    if kind == "ndarray":
        return _from_array(data)
    if kind == "Preset":
        return preset_from_dict(data["data"])
    if kind == "dict":
        return {key: _value(item) for key, item in data["items"].items()}
    return _record(data)


def _record(data: Any) -> Any:
    if not isinstance(data, dict) or data.get("type") not in record_types():
        raise ValueError(f"not a run record: {str(data)[:80]}")
    kind = record_types()[data["type"]]
    hints = _enum_fields(kind)
    values = {name: _value(item) for name, item in data.items() if name != "type"}
    values.update({name: hints[name](values[name]) for name in hints.keys() & values.keys()})
    return kind(**values)


@cache
def _enum_fields(kind: type) -> dict[str, type[Enum]]:
    """The fields of ``kind`` typed as an enum, which go over the wire as their values."""
    hints = typing.get_type_hints(kind)
    return {name: hint for name, hint in hints.items() if isinstance(hint, type) and issubclass(hint, Enum)}
