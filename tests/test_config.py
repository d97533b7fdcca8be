"""Presets: loading, validation messages, overrides and round trips."""

import math
import tomllib

import pytest

from studio.config import (
    SECTIONS,
    ConfigError,
    Preset,
    TrainingConfig,
    apply_overrides,
    load_preset,
    preset_from_dict,
    preset_to_toml,
    public_fields,
    save_preset,
    setting_paths,
    spec_of,
)
from studio.presets import bundled_presets


def error_text(data: dict) -> str:
    with pytest.raises(ConfigError) as caught:
        preset_from_dict(data)
    return str(caught.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"task": {"shots": 0}}, "task.shots must be >= 1, got 0"),
        ({"task": {"shot": 5}}, "task.shot is not a known setting (did you mean 'task.shots'?)"),
        ({"trainig": {}}, "trainig is not a known setting (did you mean 'training'?)"),
        ({"task": {"amplitude": [5.0, 0.1]}}, "task.amplitude must be [low, high] with low <= high, got [5.0, 0.1]"),
        ({"task": {"amplitude": [1.0]}}, "task.amplitude must be a range [low, high], got [1.0]"),
        ({"training": {"meta_lr": "fast"}}, 'training.meta_lr must be a number, got "fast"'),
        ({"training": {"meta_lr": 0.0}}, "training.meta_lr must be > 0, got 0.0"),
        ({"training": {"meta_lr": math.nan}}, "training.meta_lr must be a finite number, got nan"),
        ({"training": {"iterations": 2.5}}, "training.iterations must be an integer, got 2.5"),
        ({"training": {"iterations": True}}, "training.iterations must be an integer, got True"),
        ({"algorithm": {"name": "mamal"}}, "algorithm.name is 'mamal', which is not one of:"),
        ({"algorithm": {"first_order": "yes"}}, 'algorithm.first_order must be true or false, got "yes"'),
        ({"model": {"activation": "relu6"}}, "model.activation must be one of relu, tanh"),
        ({"model": {"hidden": [40, 0]}}, "model.hidden[1] must be >= 1, got 0"),
        ({"task": 5}, "task must be a table ([task]), got 5"),
        ({"schema_version": 2}, "schema_version must be 1, got 2"),
    ],
)
def test_bad_values_name_the_field_and_what_was_expected(data, message):
    assert message in error_text(data)


def test_every_problem_is_reported_at_once():
    error = pytest.raises(ConfigError, preset_from_dict, {"task": {"shots": 0, "queries": -1}, "seed": "x"}).value
    assert {e.path for e in error.errors} == {"task.shots", "task.queries", "seed"}


def test_toml_round_trip_is_exact(tmp_path):
    preset = Preset(name='quote " and \\ backslash', description="line one\nline two", seed=7)
    path = tmp_path / "p.toml"
    save_preset(preset, path)
    assert load_preset(path) == preset
    assert tomllib.loads(preset_to_toml(preset))["task"]["phase"][1] == math.pi


def test_bundled_presets_load_and_maml_sine_matches_the_paper():
    presets = bundled_presets()
    assert {"maml-sine", "fomaml-sine"} <= presets.keys()
    for path in presets.values():
        load_preset(path)
    maml = load_preset(presets["maml-sine"])
    assert (maml.task.shots, maml.task.amplitude, maml.task.phase) == (10, (0.1, 5.0), (0.0, math.pi))
    assert (maml.model.hidden, maml.model.activation) == ((40, 40), "relu")
    assert (maml.algorithm.inner_lr, maml.algorithm.inner_steps, maml.algorithm.first_order) == (0.01, 1, False)
    assert (maml.training.meta_batch_size, maml.training.meta_lr) == (25, 0.001)
    assert "70,000" in maml.description
    assert load_preset(presets["fomaml-sine"]).algorithm.first_order is True


def test_overrides_parse_toml_values_and_check_keys():
    data = apply_overrides(
        {}, ["task.shots=5", "task.amplitude=[1, 2]", "algorithm.first_order=true", "name=plain text"]
    )
    assert data == {"task": {"shots": 5, "amplitude": [1, 2]}, "algorithm": {"first_order": True}, "name": "plain text"}
    with pytest.raises(ConfigError, match=r"task.shotz is not a known setting \(did you mean 'task.shots'\?\)"):
        apply_overrides({}, ["task.shotz=5"])
    with pytest.raises(ConfigError, match="expected KEY=VALUE"):
        apply_overrides({}, ["shots"])


def test_malformed_toml_names_file_line_and_column(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[task]\nshots = = 3\n")
    with pytest.raises(ConfigError, match=r"bad.toml: malformed TOML: .*line 2, column"):
        load_preset(path)


def test_every_setting_of_every_registered_choice_has_a_label_and_help():
    classes = [TrainingConfig] + [registry.get(name) for registry in SECTIONS.values() for name in registry.names()]
    for cls in classes:
        for field in public_fields(cls):
            if field.name in ("family", "kind", "name"):
                continue  # the choice itself: the form shows it as the section's picker
            spec = spec_of(field)
            assert spec.label and spec.help, f"{cls.__name__}.{field.name} lacks a label or help text"


def test_control_characters_in_text_round_trip_through_toml():
    preset = Preset(name="del \x7f nul \x00 tab \t", description="bell \x07")
    assert preset_from_dict(tomllib.loads(preset_to_toml(preset))) == preset


def test_setting_paths_follow_the_chosen_family_and_algorithm():
    sine = setting_paths({"task": {"family": "sinusoid"}, "algorithm": {"name": "maml"}})
    assert "task.phase" in sine and "algorithm.first_order" in sine and "seed" in sine
    assert "task.degree" not in sine
    polynomial = setting_paths({"task": {"family": "polynomial"}, "algorithm": {"name": "reptile"}})
    assert "task.phase" not in polynomial and "algorithm.first_order" not in polynomial
