"""A sweep: which settings of a preset to vary, how to search them, and what to optimise.

A sweep is data, declared in the preset file's ``[sweep]`` table (and
overridden with ``studio sweep --vary KEY=SPEC``)::

    [sweep]
    sampler = "tpe"
    objective = "loss"          # or "loss@K", "accuracy", "accuracy@K"
    trials = 20

    [sweep.vary]
    "algorithm.inner_lr" = "log(1e-3, 1)"
    "algorithm.inner_steps" = "int(1, 5)"
    "algorithm.name" = ["maml", "anil", "metasgd"]

A SPEC is ``log(a, b)`` (a float on a log scale), ``float(a, b)``, ``int(a, b)``,
``int(a, b, log)`` or a list of choices.  Every bound and choice is checked
against the swept field's own metadata, so a sweep cannot ask for a value the
preset would refuse.  No Optuna here: this module only describes the search.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from studio.config.errors import ConfigError, FieldError
from studio.config.fields import param, public_fields, spec_of
from studio.config.parse import check_value, preset_from_dict
from studio.config.preset import Preset
from studio.config.registry import SECTIONS
from studio.config.toml_io import parse_value, set_value, setting_paths

OBJECTIVE = re.compile(r"^(loss|accuracy)(?:@(\d+))?$")
_RANGE = re.compile(r"^\s*(log|float|int)\s*\(\s*([^,()]+?)\s*,\s*([^,()]+?)\s*(?:,\s*(log)\s*)?\)\s*$")


def picks_a_kind(key: str) -> bool:
    """Whether ``key`` picks a family, model kind or algorithm (``task.family``, ``algorithm.name``, ...)."""
    section, _, name = key.partition(".")
    return section in SECTIONS and SECTIONS[section].key == name


@dataclass(frozen=True)
class Dimension:
    """One swept setting: a float or int range (``log`` scale or linear), or a list of choices."""

    key: str
    kind: str  # "float", "int" or "choice"
    low: float = 0.0
    high: float = 0.0
    log: bool = False
    choices: tuple = ()

    @property
    def is_choice_of_kind(self) -> bool:
        """Whether it picks a family, model kind or algorithm (applied before the settings that depend on it)."""
        return picks_a_kind(self.key)

    def describe(self) -> str:
        if self.kind == "choice":
            return "[" + ", ".join(str(c) for c in self.choices) + "]"
        if self.kind == "int":
            return f"int({self.low:g}, {self.high:g}{', log' if self.log else ''})"
        return f"{'log' if self.log else 'float'}({self.low:g}, {self.high:g})"


@dataclass(frozen=True)
class SweepConfig:
    """How to search: the dimensions, the sampler, the objective and the budget."""

    vary: tuple[Dimension, ...] = field(default=())
    sampler: str = param(
        "tpe",
        "Sampler",
        "grid: every combination (float ranges at grid_points values); random; tpe: Bayesian (Optuna's TPE).",
        choices=("grid", "random", "tpe"),
    )
    objective: str = param(
        "loss",
        "Objective",
        "The final evaluation figure to optimise: loss or accuracy, after the preset's inner steps "
        "or after K steps (loss@K, accuracy@K).",
    )
    direction: str = param(
        "auto",
        "Direction",
        "minimize or maximize the objective; auto: minimize a loss, maximize an accuracy.",
        choices=("auto", "minimize", "maximize"),
    )
    trials: int = param(20, "Trials", "How many trials the sweep runs in all.", minimum=1, maximum=100_000)
    parallel: int = param(1, "Parallel trials", "Trials that train at once, each in its own process.", minimum=1)
    seeds: int = param(
        1, "Seeds per trial", "Each trial runs this many seeds; its objective is their mean.", minimum=1, maximum=100
    )
    pruner: str = param(
        "median",
        "Pruner",
        "Stop unpromising trials early from their held-out evaluations: median (Optuna's MedianPruner), "
        "halving (successive halving) or none.",
        choices=("none", "median", "halving"),
    )
    evaluations: int = param(
        5,
        "Evaluations per trial",
        "Held-out evaluations spread over each trial for the pruner to judge by "
        "(training.eval_every becomes iterations / N unless it is swept or already smaller).",
        minimum=1,
        maximum=1000,
    )
    grid_points: int = param(
        5, "Grid points", "Values a float range takes under the grid sampler.", minimum=2, maximum=1000
    )

    @property
    def maximize(self) -> bool:
        if self.direction != "auto":
            return self.direction == "maximize"
        return self.objective.startswith("accuracy")

    def ordered_dimensions(self) -> tuple[Dimension, ...]:
        """Family, model kind and algorithm first: the settings after them depend on which was picked."""
        return tuple(sorted(self.vary, key=lambda d: not d.is_choice_of_kind))


SCALAR_FIELDS = tuple(f for f in public_fields(SweepConfig) if f.name != "vary")


def parse_dimension(key: str, spec: Any) -> Dimension:
    """``log(1e-3, 1)``, ``float(a, b)``, ``int(1, 5)``, ``int(1, 64, log)``, ``[a, b, c]`` or a list."""
    path = f"sweep.vary.{key}"
    if isinstance(spec, (list, tuple)):
        return _choices(key, tuple(spec))
    if not isinstance(spec, str):
        raise ConfigError.at(path, f"must be a range such as log(1e-3, 1) or int(1, 5), or a list; got {spec!r}")
    text = spec.strip()
    if text.startswith("[") and text.endswith("]"):
        items = [parse_value(item.strip()) for item in text[1:-1].split(",") if item.strip()]
        return _choices(key, tuple(items))
    match = _RANGE.match(text)
    if match is None:
        raise ConfigError.at(
            path, f"must be log(a, b), float(a, b), int(a, b), int(a, b, log) or [x, y, ...]; got {text!r}"
        )
    return _range(key, *match.groups())


def _choices(key: str, items: tuple) -> Dimension:
    if not items:
        raise ConfigError.at(f"sweep.vary.{key}", "must list at least one choice")
    return Dimension(key, "choice", choices=items)


def _range(key: str, kind: str, low_text: str, high_text: str, log_flag: str | None) -> Dimension:
    path = f"sweep.vary.{key}"
    low, high = (_number(path, text) for text in (low_text, high_text))
    log = kind == "log" or log_flag == "log"
    if low >= high:
        raise ConfigError.at(path, f"needs low < high, got {low:g} and {high:g}")
    if log and low <= 0:
        raise ConfigError.at(path, f"a log scale needs low > 0, got {low:g}")
    if kind == "int" and not (float(low).is_integer() and float(high).is_integer()):
        raise ConfigError.at(path, f"int(a, b) needs whole numbers, got {low:g} and {high:g}")
    return Dimension(key, "int" if kind == "int" else "float", low, high, log)


def _number(path: str, text: str) -> float:
    value = parse_value(text)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError.at(path, f"bounds must be numbers, got {text!r}")
    return float(value)


def sweep_from_dict(table: Mapping[str, Any], vary_overrides: Iterable[str] = ()) -> SweepConfig:
    """The ``[sweep]`` table (plus ``KEY=SPEC`` overrides from the command line) as a :class:`SweepConfig`."""
    if not isinstance(table, Mapping):
        raise ConfigError.at("sweep", "must be a table ([sweep])")
    errors: list[FieldError] = []
    values = _scalar_values(table, errors)
    vary = _vary(table.get("vary", {}), vary_overrides, errors)
    if errors:
        raise ConfigError(errors)
    sweep = SweepConfig(vary=vary, **values)
    _check_objective(sweep)
    return sweep


def _scalar_values(table: Mapping[str, Any], errors: list[FieldError]) -> dict[str, Any]:
    known = {f.name: f for f in SCALAR_FIELDS}
    values = {}
    for key, value in table.items():
        if key == "vary":
            continue
        if key not in known:
            errors.append(FieldError(f"sweep.{key}", "is not a known sweep setting"))
            continue
        hint = int if isinstance(known[key].default, int) and not isinstance(known[key].default, bool) else str
        try:
            values[key] = check_value(f"sweep.{key}", value, hint, spec_of(known[key]))
        except ConfigError as error:
            errors.extend(error.errors)
    return values


def _vary(table: Any, overrides: Iterable[str], errors: list[FieldError]) -> tuple[Dimension, ...]:
    if not isinstance(table, Mapping):
        errors.append(FieldError("sweep.vary", "must be a table of KEY = SPEC"))
        return ()
    specs: dict[str, Any] = dict(table)
    for text in overrides:
        key, sep, spec = text.partition("=")
        if not sep or not key.strip():
            errors.append(
                FieldError("--vary", f"expected KEY=SPEC such as algorithm.inner_lr=log(1e-3,1), got {text!r}")
            )
            continue
        specs[key.strip()] = spec.strip()
    dimensions = []
    for key, spec in specs.items():
        try:
            dimensions.append(parse_dimension(key, spec))
        except ConfigError as error:
            errors.extend(error.errors)
    return tuple(dimensions)


def _check_objective(sweep: SweepConfig) -> None:
    if OBJECTIVE.match(sweep.objective) is None:
        raise ConfigError.at(
            "sweep.objective", f"must be loss, accuracy, loss@K or accuracy@K, got {sweep.objective!r}"
        )
    if not sweep.vary:
        raise ConfigError.at("sweep.vary", "names no setting to vary; add [sweep.vary] or --vary KEY=SPEC")


def check_against_preset(sweep: SweepConfig, data: Mapping[str, Any]) -> None:
    """Every bound and choice must make a valid preset: the swept fields' own metadata decides."""
    errors: list[FieldError] = []
    for dimension in sweep.ordered_dimensions():
        for value in _probe_values(dimension):
            try:
                apply_values(data, {dimension.key: value})
            except ConfigError as error:
                errors += [FieldError(f"sweep.vary.{dimension.key}", f"{value!r}: {e}") for e in error.errors]
    if errors:
        raise ConfigError(errors)


def _probe_values(dimension: Dimension) -> tuple:
    if dimension.kind == "choice":
        return dimension.choices
    if dimension.kind == "int":
        return (int(dimension.low), int(dimension.high))
    return (dimension.low, dimension.high)


def apply_values(data: Mapping[str, Any], values: Mapping[str, Any]) -> Preset:
    """The preset ``data`` with the trial's ``values`` set (family/kind/algorithm first), validated."""
    result = copy.deepcopy(dict(data))
    keys = sorted(values, key=lambda k: not picks_a_kind(k))
    for key in keys:
        set_value(result, key, values[key])
    return preset_from_dict(result)


def applies_to(key: str, data: Mapping[str, Any]) -> bool:
    """Whether ``key`` is a setting of ``data`` as it stands (an algorithm picked by the trial may lack it)."""
    return key in setting_paths(data)


def grid_values(dimension: Dimension, points: int) -> tuple:
    """The values a dimension takes under the grid sampler."""
    if dimension.kind == "choice":
        return dimension.choices
    if dimension.kind == "int" and dimension.high - dimension.low + 1 <= points:
        return tuple(range(int(dimension.low), int(dimension.high) + 1))
    if dimension.log:
        ratio = (dimension.high / dimension.low) ** (1 / (points - 1))
        values = [dimension.low * ratio**i for i in range(points)]
    else:
        values = [dimension.low + (dimension.high - dimension.low) * i / (points - 1) for i in range(points)]
    if dimension.kind == "int":
        return tuple(sorted({round(v) for v in values}))
    return tuple(float(f"{v:.6g}") for v in values)


def sweep_toml(sweep: SweepConfig) -> str:
    """The sweep as a ``[sweep]`` table (and ``[sweep.vary]``), to append to a preset file."""
    lines = ["[sweep]"] + [f"{f.name} = {json.dumps(getattr(sweep, f.name))}" for f in SCALAR_FIELDS]
    lines += ["", "[sweep.vary]"]
    for d in sweep.vary:  # a JSON list of strings, numbers or booleans is a TOML array
        spec = json.dumps(list(d.choices)) if d.kind == "choice" else json.dumps(d.describe())
        lines.append(f"{json.dumps(d.key)} = {spec}")
    return "\n".join(lines) + "\n"


def grid_size(sweep: SweepConfig) -> int:
    """How many combinations the grid sampler has."""
    size = 1
    for dimension in sweep.vary:
        size *= len(grid_values(dimension, sweep.grid_points))
    return size


def sweep_request(
    data: Mapping[str, Any], table: Mapping[str, Any], vary: Iterable[str] = ()
) -> tuple[dict[str, Any], SweepConfig]:
    """The base preset's data (validated on its own) and the sweep, checked against it; a grid sweep's
    budget is at most the grid's size (each combination runs once).  The CLI and the window both ask this."""
    base = {k: copy.deepcopy(v) for k, v in data.items() if k != "sweep"}
    preset_from_dict(copy.deepcopy(base))
    sweep = sweep_from_dict(table, vary)
    check_against_preset(sweep, base)
    if sweep.sampler == "grid" and grid_size(sweep) < sweep.trials:
        sweep = dataclasses.replace(sweep, trials=grid_size(sweep))
    return base, sweep
