"""The evaluation protocol: test-time ways and shots apart from training's, the refusal of learners whose
head fixes N, and batch-norm statistics from the query batch (transductive) or the support set only."""

from __future__ import annotations

import json

import pytest
import torch

from studio.cli import main
from studio.config import ConfigError, preset_from_dict, preset_to_dict
from studio.engine import Training
from studio.engine.algorithms import build_learner
from studio.engine.models import build_model
from studio.engine.protocol import batch_norm_mode
from studio.engine.tasks import build_family
from tests.engine.helpers import tiny_preset
from tests.engine.image_fixtures import one_thread_fixture  # noqa: F401
from tests.library_helpers import glyph_preset

# 40 glyph classes: 8 test classes, 4 validation classes, 28 meta-train classes
TINY = [
    "--set", 'task.family="glyphs"', "--set", "task.classes=40", "--set", "task.drawings=6",
    "--set", "task.ways=2", "--set", "task.queries=3", "--set", "task.image_size=16",
    "--set", "model.filters=4", "--set", "training.meta_batch_size=2", "--set", "training.eval_every=2",
    "--set", "training.eval_tasks=4", "--iterations", "2", "--device", "cpu", "--quiet",
]  # fmt: skip


def glyphs(algorithm: str, **sections: dict):
    """The smallest 3-way glyph preset (30 classes: 6 test, 3 validation) with ``sections`` merged in."""
    data = preset_to_dict(glyph_preset(algorithm))
    for name, table in sections.items():
        data[name] = {**data.get(name, {}), **table}
    return preset_from_dict(data)


def test_a_family_checks_only_the_splits_it_will_draw():
    config = glyphs("protonet", task={"ways": 5}).task  # 6 test classes, 3 validation classes
    with pytest.raises(ConfigError, match="the validation split has 3 usable class"):
        build_family(config)
    tasks = build_family(config, splits=("test",)).sample(2, torch.Generator().manual_seed(0), split="test")
    assert tasks.y_support.shape == (2, 5) and set(tasks.y_support[0].tolist()) == set(range(5))


def test_a_protonet_trained_two_way_is_evaluated_six_way(tmp_path, capsys, one_thread):
    run = tmp_path / "proto"
    assert main(["run", "protonet-glyphs", "--out", str(run), *TINY]) == 0
    assert json.loads((run / "summary.json").read_text())["evaluation_protocol"] == {
        "batch_norm": "support", "ways": 2, "shots": 1,
    }  # fmt: skip
    capsys.readouterr()
    assert main(["eval", str(run), "--tasks", "5", "--set", "task.ways=6", "--json"]) == 0  # only 4 validation classes
    result = json.loads(capsys.readouterr().out)
    assert result["protocol"] == {"batch_norm": "support", "ways": 6, "shots": 1} and result["tasks"] == 5
    assert 1 / 6 < result["accuracy_mean"][0] <= 1  # six-way tasks scored, better than guessing
    assert main(["eval", str(run), "--tasks", "5", "--set", "evaluation.ways=3", "--set", "evaluation.shots=2"]) == 0
    assert "3-way 2-shot, batch norm from the support set" in capsys.readouterr().out


def test_maml_asked_for_another_number_of_ways_exits_2_and_says_why(tmp_path, capsys, one_thread):
    run = tmp_path / "maml"
    assert main(["run", "maml-omniglot-style", "--out", str(run), *TINY]) == 0
    capsys.readouterr()
    assert main(["eval", str(run), "--tasks", "5", "--set", "task.ways=3"]) == 2
    err = capsys.readouterr().err
    assert "task.ways gives 3-way tasks, but 'maml' classifies with the network's head, which has 2 outputs" in err
    assert "protonet" in err and "Traceback" not in err
    assert main(["eval", str(run), "--tasks", "5", "--set", "evaluation.ways=3"]) == 2
    assert "evaluation.ways gives 3-way tasks" in capsys.readouterr().err
    assert main(["eval", str(run), "--tasks", "5", "--set", "evaluation.shots=2"]) == 0  # other shots are fine


def test_evaluation_ways_and_shots_shape_the_validation_tasks_of_a_training():
    training = Training(glyphs("protonet", evaluation={"ways": 2, "shots": 2}))
    assert training.eval_tasks.x_support.shape[1] == 4 and int(training.eval_tasks.y_support.max()) == 1
    assert training.sampler.sample(2, 0).x_support.shape[1] == 3  # training keeps 3-way 1-shot
    assert training.evaluate().accuracy_mean is not None
    with pytest.raises(ConfigError, match="evaluation.ways gives 2-way tasks, but 'anil'"):
        Training(glyphs("anil", evaluation={"ways": 2}))
    with pytest.raises(ConfigError, match="evaluation.ways applies to classification tasks"):
        Training(tiny_preset(evaluation={"ways": 2}))


@pytest.mark.parametrize("name", ["attention", "ridge_head"])
def test_closed_form_heads_take_any_number_of_ways(name):
    preset = glyphs(name)
    family = build_family(preset.task)
    learner = build_learner(preset.algorithm, build_model(preset.model, family.input_dim, 3), family.kind)
    five_way = build_family(glyphs(name, task={"ways": 5}).task, splits=("train",))
    batch = five_way.sample(2, torch.Generator().manual_seed(0))
    evaluator = learner.for_evaluation(5, "transductive")
    assert evaluator.query_predictions(learner.init_parameters(), batch, 0).shape == (2, 5, 5)
    assert learner.classes == 3  # the training learner is untouched


def test_the_default_protocol_is_each_papers():
    modes = {name: batch_norm_mode(glyphs(name)) for name in ("maml", "anil", "metasgd", "protonet", "reptile")}
    assert modes == {
        "maml": "transductive", "anil": "transductive", "metasgd": "transductive",
        "protonet": "support", "reptile": "support",
    }  # fmt: skip
    assert batch_norm_mode(glyphs("maml", evaluation={"batch_norm": "support"})) == "support"
    assert batch_norm_mode(glyphs("protonet", evaluation={"batch_norm": "transductive"})) == "transductive"


def learner_and_batch(name: str):
    preset = glyphs(name, task={"queries": 2})  # 3 drawings per glyph: 1 support, 2 queries
    family = build_family(preset.task)
    torch.manual_seed(0)
    learner = build_learner(preset.algorithm, build_model(preset.model, family.input_dim, 3), family.kind)
    return learner, learner.init_parameters(), family.sample(2, torch.Generator().manual_seed(3))


@pytest.mark.parametrize("name", ["protonet", "maml", "ridge_head"])
def test_with_support_statistics_no_query_depends_on_another(name):
    learner, params, batch = learner_and_batch(name)
    changed = batch.x_query.clone()
    changed[:, 1:] = changed[:, 1:].flip(-1) * 3  # every query but the first
    other = type(batch)(batch.x_support, batch.y_support, changed, batch.y_query)
    first = {}
    for mode in ("support", "transductive"):
        evaluator = learner.for_evaluation(3, mode)
        outputs = [evaluator.query_predictions(params, b, 1)[:, 0] for b in (batch, other)]
        first[mode] = torch.allclose(outputs[0], outputs[1], atol=1e-6)
    assert first == {"support": True, "transductive": False}


def test_support_statistics_normalise_the_support_rows_as_a_batch_of_their_own():
    learner, params, batch = learner_and_batch("protonet")
    body = learner.split.features
    evaluator = learner.for_evaluation(3, "support")
    xs, xq = batch.x_support[0], batch.x_query[0]
    support, query = evaluator.support_and_query(lambda x: body(params, x), xs, xq)
    torch.testing.assert_close(support, body(params, xs))
    assert not torch.allclose(query, body(params, xq), atol=1e-4)  # queries were not normalised by themselves
