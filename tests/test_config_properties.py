"""Property-based: whatever data or ``--set`` text arrives, the loader returns a valid preset
or raises the project's own ConfigError, never anything else."""

import tomllib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.config import ConfigError, apply_overrides, preset_from_dict, preset_to_toml

KEYS = [
    "task",
    "model",
    "algorithm",
    "training",
    "evaluation",
    "name",
    "seed",
    "family",
    "shots",
    "queries",
    "amplitude",
    "hidden",
    "kind",
    "inner_lr",
    "iterations",
    "device",
    "first_order",
    "meta_lr",
    "x",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["sinusoid", "maml", "mlp", "cpu", "relu", "tabular_csv", "blobs2d"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4),
    max_leaves=12,
)
presets = st.dictionaries(st.sampled_from(KEYS), values, max_size=6)


def valid_or_config_error(data) -> None:
    try:
        preset = preset_from_dict(data)
    except ConfigError as error:
        assert error.errors and all(e.message for e in error.errors)
        return
    assert preset_from_dict(tomllib.loads(preset_to_toml(preset))) == preset  # and a valid one round-trips


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(presets)
def test_any_data_gives_a_preset_or_a_config_error(data):
    valid_or_config_error(data)


paths = st.sampled_from(
    [
        "seed",
        "name",
        "task.shots",
        "task.family",
        "task.amplitude",
        "model.hidden",
        "algorithm.name",
        "algorithm.inner_lr",
        "training.device",
        "training.iterations",
        "task.nope",
        "nope",
        "a.b.c",
        "",
    ]
)
texts = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["5", "0", "-1", "[1, 2]", "[2, 1]", "true", '"maml"', "nan", "inf", "{a=1}", "[[[]]]"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(paths, texts), max_size=4))
def test_any_overrides_give_a_preset_or_a_config_error(pairs):
    try:
        data = apply_overrides({}, [f"{path}={text}" for path, text in pairs])
    except ConfigError:
        return
    valid_or_config_error(data)
