"""Why is the pretrain baseline (Chen et al. 2019) no better than scratch on glyphs?  Prints both on a few settings.

Trains the pretrain baseline and builds the scratch one as ``benchmarks/fair_baselines.sh`` does (reduced glyphs:
200 classes, no rotations, Conv-4 with 32 filters), then scores their frozen bodies on the same held-out 5-way
1-shot test tasks with a new head fitted to each support set, for each of:

- where batch normalisation takes its statistics: ``separate`` (the support set's own for the support, the
  query batch's own for the queries: what the baselines did), ``support`` (the support set's for both),
  ``pretraining`` (a fixed batch of training images, as running averages would give);
- the head: a linear head after 100 SGD steps at each rate, or nearest class mean (no fitting at all);

and the fine-tuned body (every layer, 20 steps) at the better of two rates (picked on the test tasks: a
diagnosis, not a score; ``benchmarks/fair_baselines.sh`` chooses on validation tasks).  Two reference lines
say how hard the tasks are and how far pretraining went: nearest class mean on the raw pixels (no network),
and the pretraining classifier's accuracy over the training classes on a fixed batch of training images.
Usage::

    PYTHONPATH=. python benchmarks/pretrain_diagnosis.py [--iterations 400] [--tasks 100] [--shots 1]
"""

from __future__ import annotations

import argparse
import time

import torch
import torch.nn.functional as F

from studio.config import load_preset
from studio.engine.algorithms.layers import HeadSplit
from studio.engine.algorithms.pretrain import pooled_global_labels
from studio.engine.algorithms.protonet import prototype_logits
from studio.engine.baselines import train_baseline
from studio.engine.evaluation import evaluate
from studio.engine.finetuning import with_finetuning
from studio.engine.heldout import heldout_tasks
from studio.engine.models.statistics import statistics_from_first
from studio.engine.protocol import evaluation_family
from studio.presets import resolve_preset_path

SMALL = ["task.classes=200", "task.rotations=false", "model.filters=32", "training.eval_tasks=20"]
RATES = (0.01, 0.1, 0.5, 2.0)
HEAD_STEPS = 100
REFERENCE_IMAGES = 240  # one pretraining batch: 8 tasks of 5 classes x 6 images


def embed(learner, params, xs, xq, statistics: str, reference: torch.Tensor):
    """Body features of one task's support and queries, batch-normalised as ``statistics`` says."""
    body = HeadSplit(learner.model, "diagnosis").features
    if statistics == "separate":
        return body(params, xs), body(params, xq)
    lead = reference if statistics == "pretraining" else xs
    with statistics_from_first(len(lead)):
        both = body(params, torch.cat([lead, xs, xq]) if statistics == "pretraining" else torch.cat([xs, xq]))
    both = both[len(reference) :] if statistics == "pretraining" else both
    return both[: len(xs)], both[len(xs) :]


def pixel_class_mean(tasks) -> float:
    """Query accuracy (%) of nearest class mean on the raw pixels: how far the tasks are from trivial."""
    xs, xq = tasks.x_support.flatten(2), tasks.x_query.flatten(2)
    ways = int(tasks.y_support.max()) + 1
    hits = [
        (prototype_logits(xs[t], tasks.y_support[t], xq[t], ways).argmax(-1) == tasks.y_query[t]).float().mean()
        for t in range(len(tasks))
    ]
    return 100 * float(torch.stack(hits).mean())


def pretraining_accuracy(training, batch) -> float:
    """Accuracy (%) of the pretraining classifier over all training classes on ``batch`` (training images)."""
    with torch.no_grad():
        logits = training.learner.classifier_logits(training.params, batch)
    return 100 * float((logits.argmax(-1) == pooled_global_labels(batch)).float().mean())


def fitted_head_accuracy(learner, params, fs, ys, fq, yq, lr: float) -> float:
    """Query accuracy of the network's new (initial) head after HEAD_STEPS SGD steps on the support features."""
    head = len(learner.model) - 1  # the network's own last layer, never trained by either baseline
    weight = params[f"{head}.weight"].detach().clone().requires_grad_(True)
    bias = params[f"{head}.bias"].detach().clone().requires_grad_(True)
    for _ in range(HEAD_STEPS):
        loss = F.cross_entropy(fs @ weight.T + bias, ys)
        gw, gb = torch.autograd.grad(loss, [weight, bias])
        with torch.no_grad():
            weight -= lr * gw
            bias -= lr * gb
    with torch.no_grad():
        return float(((fq @ weight.T + bias).argmax(-1) == yq).float().mean())


def frozen_body_scores(learner, params, tasks, statistics: str, reference: torch.Tensor) -> dict[str, float]:
    """Mean query accuracy over ``tasks`` for each head (rates and nearest class mean)."""
    sums = dict.fromkeys([*(f"lr {lr:g}" for lr in RATES), "class mean"], 0.0)
    ways = int(tasks.y_support.max()) + 1
    for t in range(len(tasks)):
        xs, ys, xq, yq = tasks.x_support[t], tasks.y_support[t], tasks.x_query[t], tasks.y_query[t]
        with torch.no_grad():
            fs, fq = embed(learner, params, xs, xq, statistics, reference)
        for lr in RATES:
            sums[f"lr {lr:g}"] += fitted_head_accuracy(learner, params, fs, ys, fq, yq, lr)
        sums["class mean"] += float((prototype_logits(fs, ys, fq, ways).argmax(-1) == yq).float().mean())
    return {name: 100 * total / len(tasks) for name, total in sums.items()}


def fine_tuned_body(learner, params, tasks, lr: float) -> float:
    """Query accuracy after 20 SGD steps on every layer (the library's own path, transductive statistics)."""
    every_layer = learner.with_body(frozen=False) if hasattr(learner, "with_body") else learner  # scratch: already
    evaluation = evaluate(with_finetuning(every_layer, lr), params, tasks, 20, torch.device("cpu"))
    return 100 * evaluation.accuracy_mean[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=400, help="pretraining iterations")
    parser.add_argument("--tasks", type=int, default=100, help="held-out test tasks")
    parser.add_argument("--shots", type=int, default=1, help="support examples per class of the test tasks")
    args = parser.parse_args()
    overrides = [f"evaluation.pretrain_iterations={args.iterations}", f"evaluation.shots={args.shots}"]
    preset = load_preset(resolve_preset_path("protonet-glyphs"), [*SMALL, *overrides])
    cpu = torch.device("cpu")
    started = time.perf_counter()
    baselines = {name: train_baseline(preset, name, cpu, "classification") for name in ("pretrain", "scratch")}
    print(f"trained in {time.perf_counter() - started:.0f} s; {baselines['pretrain'].learner.pretraining}")
    family = evaluation_family(preset, "test")
    tasks = heldout_tasks(preset, family, args.tasks)
    train_family = baselines["pretrain"].family
    reference = train_family.sample(8, torch.Generator().manual_seed(1), split="train")
    print(f"pretraining classifier on training images: {pretraining_accuracy(baselines['pretrain'], reference):.1f}%")
    reference = torch.cat([reference.x_support, reference.x_query], 1).flatten(0, 1)[:REFERENCE_IMAGES]
    print(
        f"{args.tasks} test tasks, 5-way {args.shots}-shot; nearest class mean on pixels {pixel_class_mean(tasks):.1f}%"
    )
    print(f"query accuracy (%), frozen body + new head ({HEAD_STEPS} steps)")
    for statistics in ("separate", "support", "pretraining"):
        for name, training in baselines.items():
            scores = frozen_body_scores(training.learner, training.params, tasks, statistics, reference)
            print(f"  {name:8s} {statistics:11s} " + "  ".join(f"{k} {v:5.1f}" for k, v in scores.items()))
    for name, training in baselines.items():
        best = max(fine_tuned_body(training.learner, training.params, tasks, lr) for lr in (0.01, 0.1))
        print(f"  {name:8s} body fine-tuned too (20 steps, best of lr 0.01/0.1, separate statistics): {best:5.1f}")


if __name__ == "__main__":
    main()
