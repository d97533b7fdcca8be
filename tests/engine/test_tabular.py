"""The user's CSV as tasks: grouping, splits, encoding without leakage, and clear errors."""

import csv
import random

import pytest
import torch

from studio.config import ConfigError, preset_from_dict
from studio.engine.tasks import build_family


def write_csv(path, header, rows):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def planted_table(path, groups=30, rows=20, seed=0):
    """y = w_g * x1 + 0.5 * x2 + b_g per store, with a categorical 'kind' column."""
    rng = random.Random(seed)
    body = []
    for g in range(groups):
        w, b = rng.uniform(-2, 2), rng.uniform(-1, 1)
        for _ in range(rows):
            x1, x2 = rng.gauss(0, 1), rng.gauss(5, 2)
            body.append([f"store{g}", f"{x1:.4f}", f"{x2:.4f}", rng.choice(["a", "b"]), f"{w * x1 + 0.5 * x2 + b:.4f}"])
    return write_csv(path, ["store", "x1", "x2", "kind", "sales"], body)


def family(path, **settings):
    task = {"family": "tabular_csv", "path": str(path), "group_column": "store", "target_column": "sales", **settings}
    return build_family(preset_from_dict({"task": task}).task)


def test_groups_become_tasks_with_disjoint_seeded_splits(tmp_path):
    fam = family(planted_table(tmp_path / "t.csv"))
    splits = {name: set(groups) for name, groups in fam.splits.items()}
    assert sum(len(s) for s in splits.values()) == 30
    assert not (splits["train"] & splits["validation"]) and not (splits["train"] & splits["test"])
    assert fam.splits == family(planted_table(tmp_path / "t.csv")).splits
    assert fam.kind == "regression" and fam.input_dim == 4  # x1, x2, one-hot kind (2)
    batch = fam.sample(7, torch.Generator().manual_seed(0), split="test")
    assert batch.x_support.shape == (7, 5, 4) and batch.y_query.shape == (7, 10, 1)
    tested = {fam.splits["test"][int(i)] for i in batch.params["group"]}
    assert tested <= splits["test"]


def test_standardisation_uses_meta_train_groups_only(tmp_path):
    path = planted_table(tmp_path / "t.csv")
    fam = family(path)
    train = set(fam.splits["train"])
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    train_x2 = torch.tensor([float(r["x2"]) for r in rows if r["store"] in train], dtype=torch.float64)
    all_x2 = torch.tensor([float(r["x2"]) for r in rows], dtype=torch.float64)
    mean, std = fam.encoder.stats[1]
    assert mean == pytest.approx(float(train_x2.mean())) and std == pytest.approx(float(train_x2.std()))
    assert mean != pytest.approx(float(all_x2.mean()), abs=1e-9)
    train_x = torch.cat([fam.tensors[name][0] for name in fam.splits["train"]])
    assert float(train_x[:, 1].mean()) == pytest.approx(0.0, abs=1e-5)


def test_categorical_target_makes_a_classification_family(tmp_path):
    rows = [[f"g{g}", str(i), "yes" if i % 2 else "no"] for g in range(6) for i in range(20)]
    fam = build_family(
        preset_from_dict(
            {
                "task": {
                    "family": "tabular_csv",
                    "path": str(write_csv(tmp_path / "c.csv", ["g", "x", "label"], rows)),
                    "group_column": "g",
                    "target_column": "label",
                }
            }
        ).task
    )
    assert fam.kind == "classification" and fam.output_dim == 2 and fam.classes == ["no", "yes"]
    assert fam.sample(2, torch.Generator().manual_seed(0)).y_support.dtype == torch.int64


def test_small_groups_are_left_out_and_counted(tmp_path):
    rows = [[f"g{g}", "1", "2"] for g in range(5) for _ in range(20)] + [["tiny", "1", "2"]] * 3
    fam = build_family(
        preset_from_dict(
            {
                "task": {
                    "family": "tabular_csv",
                    "path": str(write_csv(tmp_path / "s.csv", ["g", "x", "y"], rows)),
                    "group_column": "g",
                    "target_column": "y",
                }
            }
        ).task
    )
    assert "tiny" not in fam.tensors
    assert fam.notices == ["1 of 6 groups have fewer than shots + queries = 15 rows and are left out"]


@pytest.mark.parametrize(
    ("content", "settings", "message"),
    [
        (None, {}, "no such file"),
        ("", {}, "is empty"),
        ("store,x1,sales\ns1,1\n", {}, "line 2 has 2 fields, the header has 3"),
        ("store,x1,sales\n" + "s1,1,2\n" * 20, {"group_column": "shop"}, "'shop' is not a column of the file"),
        (
            "store,x1,sales\n" + "s1,1,high\n" * 20,
            {"task_type": "regression"},
            "'sales' is not numeric (line 2: 'high')",
        ),
        ("store,x1,sales\n" + "s1,1,2\n" * 20 + "s2,1,2\n" * 20, {}, "gives 2 usable groups; at least 3 are needed"),
        ("store,x1,sales\n" + "s1,1,2\n" * 20, {"target_column": "store"}, "must differ from task.group_column"),
    ],
)
def test_bad_files_name_the_problem(tmp_path, content, settings, message):
    path = tmp_path / "bad.csv"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError) as caught:
        family(path, **settings)
    assert message in str(caught.value)


def test_meta_learning_recovers_the_planted_relation_better_than_the_scratch_baseline(tmp_path):
    from studio.engine import BaselineEvaluation, RunFinished, Training

    task = {"family": "tabular_csv", "path": str(planted_table(tmp_path / "t.csv", groups=40)), "group_column": "store"}
    task |= {"target_column": "sales", "feature_columns": ["x1", "x2"]}
    preset = preset_from_dict(
        {
            "task": task,
            "model": {"hidden": [32, 32]},
            "algorithm": {"name": "maml", "inner_lr": 0.05, "inner_steps": 3},
            "training": {
                "iterations": 300,
                "eval_every": 300,
                "eval_tasks": 40,
                "meta_batch_size": 8,
                "meta_lr": 0.003,
                "device": "cpu",
            },
            "evaluation": {"baselines": ["scratch"], "finetune_lr": 0.05},
        }
    )
    events = list(Training(preset).events())
    meta = next(e for e in events if isinstance(e, RunFinished)).final.loss_mean[-1]
    scratch = next(e for e in events if isinstance(e, BaselineEvaluation)).evaluation.loss_mean[-1]
    assert meta < 0.5 * scratch
