"""The [sweep] table and --vary specs: parsed, and checked against the swept fields' own metadata."""

import pytest

from studio.config import ConfigError, load_preset
from studio.config.sweep import (
    Dimension,
    SweepConfig,
    apply_values,
    check_against_preset,
    grid_values,
    parse_dimension,
    sweep_from_dict,
)
from studio.config.toml_io import read_toml
from studio.presets import resolve_preset_path

SINE = resolve_preset_path("maml-sine")


def test_specs_parse_to_their_dimension():
    assert parse_dimension("algorithm.inner_lr", "log(1e-3, 1)") == Dimension(
        "algorithm.inner_lr", "float", 1e-3, 1.0, True
    )
    assert parse_dimension("training.meta_lr", "float(0.1,0.5)") == Dimension("training.meta_lr", "float", 0.1, 0.5)
    assert parse_dimension("algorithm.inner_steps", "int(1, 5)") == Dimension("algorithm.inner_steps", "int", 1, 5)
    assert parse_dimension("task.shots", "int(1, 64, log)").log
    assert parse_dimension("algorithm.name", "[maml, anil,metasgd]").choices == ("maml", "anil", "metasgd")
    assert parse_dimension("task.shots", [5, 10]).choices == (5, 10)


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("log(0, 1)", "log scale needs low > 0"),
        ("int(5, 1)", "low < high"),
        ("int(1.5, 3)", "whole numbers"),
        ("normal(0, 1)", "must be log(a, b)"),
        ("[]", "at least one choice"),
        ("log(a, 1)", "bounds must be numbers"),
    ],
)
def test_bad_specs_name_the_setting_and_what_was_expected(spec, words):
    with pytest.raises(ConfigError) as caught:
        parse_dimension("algorithm.inner_lr", spec)
    assert caught.value.errors[0].path == "sweep.vary.algorithm.inner_lr"
    assert words in str(caught.value)


def test_bounds_outside_the_fields_range_are_refused_with_the_fields_own_message():
    base = read_toml(SINE)
    sweep = sweep_from_dict({}, ["task.shots=int(0, 5)", "algorithm.inner_lr=log(1e-3, 1)"])
    with pytest.raises(ConfigError) as caught:
        check_against_preset(sweep, base)
    assert [e.path for e in caught.value.errors] == ["sweep.vary.task.shots"]
    assert "task.shots must be >= 1, got 0" in str(caught.value)


def test_an_unknown_setting_is_refused_with_a_suggestion():
    sweep = sweep_from_dict({}, ["algorithm.inner_rate=log(1e-3, 1)"])
    with pytest.raises(ConfigError, match="did you mean 'algorithm.inner_lr'"):
        check_against_preset(sweep, read_toml(SINE))


def test_sweep_settings_are_checked_like_any_field():
    with pytest.raises(ConfigError) as caught:
        sweep_from_dict({"trials": 0, "sampler": "bayes", "objective": "mse"}, ["algorithm.inner_lr=log(1e-3,1)"])
    paths = {e.path for e in caught.value.errors}
    assert {"sweep.trials", "sweep.sampler"} <= paths
    with pytest.raises(ConfigError, match="sweep.objective must be loss, accuracy"):
        sweep_from_dict({"objective": "mse"}, ["algorithm.inner_lr=log(1e-3,1)"])
    with pytest.raises(ConfigError, match="names no setting to vary"):
        sweep_from_dict({}, [])


def test_direction_follows_the_objective_unless_given():
    assert not SweepConfig(objective="loss@1").maximize
    assert SweepConfig(objective="accuracy").maximize
    assert not SweepConfig(objective="accuracy", direction="minimize").maximize


def test_choosing_the_algorithm_is_applied_before_its_settings():
    preset = apply_values(read_toml(SINE), {"algorithm.inner_steps": 3, "algorithm.name": "reptile"})
    assert preset.algorithm.name == "reptile" and preset.algorithm.inner_steps == 3


def test_grid_values_cover_each_range():
    assert grid_values(Dimension("k", "int", 1, 3), 5) == (1, 2, 3)
    assert grid_values(Dimension("k", "float", 1e-3, 1e-1, True), 3) == (0.001, 0.01, 0.1)
    assert grid_values(Dimension("k", "float", 0.0, 1.0), 3) == (0.0, 0.5, 1.0)


def test_a_preset_file_with_a_sweep_table_still_loads_as_a_preset(tmp_path):
    text = SINE.read_text() + '\n[sweep]\ntrials = 3\n[sweep.vary]\n"algorithm.inner_lr" = "log(1e-3, 1)"\n'
    path = tmp_path / "with-sweep.toml"
    path.write_text(text)
    assert load_preset(path) == load_preset(SINE)
