"""The pretrain baseline as Chen et al. 2019's Baseline/Baseline++: global class ids, pretraining, new heads."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from studio.cli import main
from studio.config import EvaluationConfig, Preset, preset_from_dict
from studio.engine.algorithms import build_learner
from studio.engine.algorithms.gradient import GradientLearner
from studio.engine.algorithms.pretrain import CLASSIFIER, SCALE, pooled, pooled_global_labels
from studio.engine.baselines import train_baseline
from studio.engine.models import build_model
from studio.engine.streams import generator
from studio.engine.tasks import build_family
from studio.engine.training import Training
from studio.export.deploy import adapt_run, adapted_outputs
from tests.engine.helpers import tiny_preset
from tests.engine.image_fixtures import one_thread_fixture  # noqa: F401  (autouse)

GLYPHS = {"family": "glyphs", "ways": 5, "shots": 1, "queries": 3, "image_size": 16, "classes": 40, "drawings": 8}
GLYPHS.update(validation_fraction=0.2, test_fraction=0.2)
SMALL_CONV = {"kind": "conv4", "filters": 8}


def image_preset(task: dict, algorithm: dict, **sections: dict) -> Preset:
    """Image tasks on a small Conv-4."""
    training = {"meta_batch_size": 8, "meta_lr": 0.003, "iterations": 60, "eval_tasks": 20, "device": "cpu"}
    return preset_from_dict(
        {
            "task": task,
            "model": SMALL_CONV,
            "algorithm": algorithm,
            "training": {**training, **sections.pop("training", {})},
            **sections,
        }
    )


def glyph_preset(algorithm: dict | None = None, **task: object) -> Preset:
    return image_preset(
        {**GLYPHS, **task}, {"name": "pretrain", "inner_lr": 0.1, "inner_steps": 5, **(algorithm or {})}
    )


def test_global_labels_name_the_same_class_in_every_episode():
    family = build_family(glyph_preset(rotations=True).task)
    ids: dict[bytes, set[int]] = {}
    owners: dict[int, set[tuple[int, int]]] = {}
    for seed in range(4):
        batch = family.sample(30, generator(seed, "train"))
        assert batch.y_support.max() == 4 and batch.y_query.max() == 4  # learners still see labels 0..ways-1
        x, y = pooled(batch)
        for image, global_id in zip(x, pooled_global_labels(batch).tolist()):
            ids.setdefault(image.numpy().tobytes(), set()).add(global_id)
        store = zip(batch.params["classes"].flatten().tolist(), batch.params["rotation"].flatten().tolist())
        for global_id, owner in zip(batch.params["global_classes"].flatten().tolist(), store):
            owners.setdefault(global_id, set()).add(owner)
    assert max(len(found) for found in ids.values()) == 1  # the same image always has the same global id
    assert max(len(found) for found in owners.values()) == 1  # one id: one class of the store, one rotation
    assert len(owners) > 50 and max(owners) < family.shared_classes == 4 * len(family.classes["train"])


def test_csv_categories_are_global_classes_as_they_are(tmp_path):
    rows = [[f"g{g}", str(i), ("no", "yes", "maybe")[(i + g) % 3]] for g in range(8) for i in range(20)]
    path = tmp_path / "c.csv"
    path.write_text("g,x,label\n" + "\n".join(",".join(row) for row in rows) + "\n")
    task = {"family": "tabular_csv", "path": str(path), "group_column": "g", "target_column": "label"}
    family = build_family(preset_from_dict({"task": task}).task)
    batch = family.sample(4, generator(0, "train"))
    assert family.shared_classes == 3  # a label names the same category in every group
    assert torch.equal(batch.global_labels(batch.y_query), batch.y_query)
    assert build_family(preset_from_dict({"task": {"family": "blobs2d"}}).task).shared_classes == 0


def test_pretraining_learns_the_global_classes_and_leaves_the_new_head_alone():
    training = Training(glyph_preset(rotations=False))
    classes = training.family.shared_classes
    head = {k: v.detach().clone() for k, v in training.params.items() if k.startswith("5.")}
    losses = [training.step().meta_loss for _ in range(60)]
    assert classes == len(training.family.classes["train"]) > 20
    assert losses[0] > 0.9 * math.log(classes)  # chance at the start ...
    assert sum(losses[-10:]) / 10 < 0.6 * math.log(classes)  # ... and well below it on its training objective
    fresh = training.sampler.sample(8, 0)
    with torch.no_grad():
        predicted = training.learner.classifier_logits(training.params, fresh).argmax(dim=1)
    assert (predicted == pooled_global_labels(fresh)).float().mean() > 0.5  # chance: 1 / classes
    assert all(torch.equal(head[k], training.params[k].detach()) for k in head)  # the N-way head is still new
    assert not any(k.startswith(CLASSIFIER) for k in training.learner_state())  # discarded after pretraining


def test_baseline_plus_plus_head_is_a_scaled_cosine():
    preset = glyph_preset({"head": "cosine", "cosine_scale": 4.0, "learn_scale": True})
    training = Training(preset)
    params, learner = training.params, training.learner
    x = training.eval_tasks.x_query[0]
    features = learner.split.features(params, x)
    expected = 4.0 * F.cosine_similarity(features[:, None], params["5.weight"][None], dim=-1)
    torch.testing.assert_close(learner.forward(params, x), expected)
    rescaled = {**params, "5.weight": params["5.weight"] * torch.arange(1.0, 6.0)[:, None]}
    torch.testing.assert_close(learner.forward(rescaled, x), expected)  # a class's weight norm does not matter
    assert "pretrain.classifier.bias" not in params and sorted(training.learner_state()) == [SCALE]


def test_frozen_body_scores_equal_the_whole_network_inner_loop():
    for head in ("linear", "cosine"):
        preset = tiny_preset(
            task={"family": "blobs2d", "ways": 3, "shots": 4, "queries": 6},
            algorithm={"name": "pretrain", "head": head, "adapt_layers": ["head"], "inner_lr": 0.5},
        )
        family = build_family(preset.task)
        torch.manual_seed(0)
        learner = build_learner(preset.algorithm, build_model(preset.model, 2, 3).double(), "classification")
        batch = family.sample(5, generator(0, "test"))
        batch = type(batch)(batch.x_support.double(), batch.y_support, batch.x_query.double(), batch.y_query)
        params = learner.init_parameters()
        fast, slow = learner.query_scores(params, batch, 4), GradientLearner.query_scores(learner, params, batch, 4)
        assert learner.body_frozen and not torch.equal(fast["loss"][:, 0], fast["loss"][:, -1])
        torch.testing.assert_close(fast, slow)


def test_without_shared_classes_pretrain_trains_nothing_and_says_so():
    training = Training(tiny_preset(task={"family": "blobs2d", "ways": 3}, algorithm={"name": "pretrain"}))
    before = {k: v.detach().clone() for k, v in training.params.items()}
    loss = training.step().meta_loss
    assert training.family.shared_classes == 0 and math.isfinite(loss)
    assert all(torch.equal(before[k], v.detach()) for k, v in training.params.items())
    assert "share no classes" in training.learner.pretraining


def test_pretrain_baseline_on_an_image_folder_learns_its_classes_and_fine_tunes_a_new_head(tmp_path):
    root = write_glyph_folder(tmp_path / "glyphs", classes=40)
    task = {"family": "image_folder", "root": str(root), "ways": 5, "shots": 1, "queries": 3, "image_size": 16}
    preset = image_preset(
        {**task, "validation_fraction": 0.2, "test_fraction": 0.2},
        {"name": "protonet"},
        training={"iterations": 1, "eval_every": 1, "eval_tasks": 20},
        evaluation={
            "baselines": ["pretrain"],
            "pretrain_iterations": 40,
            "baseline_lrs": [0.5, 100.0],  # far too large: never the lowest validation loss
            "baseline_steps": [20],
            "tuning_tasks": 5,
        },
    )
    training = Training(preset)
    (baseline,) = training.baseline_events()
    assert training.family.shared_classes == len(training.family.classes["train"]) == 24
    assert baseline.pretraining.startswith("24-way classifier over the training classes (Baseline, linear")
    assert baseline.finetuning.lr == 0.5 and baseline.evaluation.steps == (0, 20)
    before, after = baseline.evaluation.accuracy_mean
    assert before < 0.3 and after > max(0.35, before + 0.1)  # the new head starts near chance (0.2), then learns


def write_glyph_folder(root, classes: int):
    """``classes`` glyph classes as PNG files, one folder each (as a user's image folder would be)."""
    from PIL import Image

    family = build_family(glyph_preset(classes=classes, image_size=28).task)
    store = family.store
    for c in range(len(store.names)):
        (root / f"c{c:03d}").mkdir(parents=True)
        for i in range(int(store.counts[c])):
            pixels = store.pixels[int(store.starts[c]) + i, 0].numpy()
            Image.fromarray(pixels).save(root / f"c{c:03d}" / f"{i}.png")
    return root


def test_an_adapted_baseline_plus_plus_network_keeps_its_cosine_head(tmp_path):
    out = tmp_path / "run"
    sets = [
        "algorithm.name=pretrain",
        'algorithm.head="cosine"',
        "algorithm.learn_scale=true",
        "algorithm.inner_steps=3",
    ]
    sets += ["algorithm.inner_lr=0.5", "model.hidden=[8]", "training.eval_tasks=3"]
    args = [arg for setting in sets for arg in ("--set", setting)]
    assert (
        main(["run", "maml-blobs2d", "--out", str(out), "--iterations", "2", *args, "--device", "cpu", "--quiet"]) == 0
    )
    adapted = adapt_run(out, task=1)
    learner, params = adapted_learner(out)
    weights = learner.adapt(params, adapted.support.x, adapted.support.y, 3)
    x = torch.randn(7, 2)
    torch.testing.assert_close(adapted_outputs(adapted, x), learner.forward({**params, **weights}, x))


def adapted_learner(run_dir):
    from studio.config import load_preset
    from studio.export import load_model

    preset = load_preset(run_dir / "preset.toml")
    learner = build_learner(preset.algorithm, load_model(run_dir), "classification")
    return learner, learner.init_parameters()


def test_the_pretraining_batch_is_its_own_setting_and_scratch_trains_nothing():
    evaluation = {"pretrain_iterations": 3, "pretrain_batch": 2}
    preset = image_preset(GLYPHS, {"name": "protonet"}, evaluation=evaluation)  # meta-batch 8 for the ProtoNet
    pretrained = train_baseline(preset, "pretrain", torch.device("cpu"), "classification")
    assert pretrained.iteration == 3 and pretrained.tasks_seen == 3 * 2  # Chen et al.'s small batches
    default = train_baseline(
        preset.replace(evaluation=EvaluationConfig(pretrain_iterations=3)),
        "pretrain",
        torch.device("cpu"),
        "classification",
    )
    assert default.tasks_seen == 3 * 8  # 0: the meta-learner's meta-batch
    assert train_baseline(preset, "scratch", torch.device("cpu"), "classification").tasks_seen == 0
