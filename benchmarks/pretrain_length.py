"""How the pretrain baseline's (Chen et al. 2019) features for new classes grow with pretraining steps and batch.

Pretrains on reduced glyphs as ``benchmarks/fair_baselines.sh`` does (200 classes without rotations, Conv-4
with 32 filters) and every ``--every`` steps prints the supervised loss, the classifier's accuracy over all
training classes on a fixed batch of 16 training tasks (how far pretraining went), and the frozen body's
nearest-class-mean query accuracy on 200 held-out 5-way test tasks (how well its features carry over to new
classes, with nothing fitted).  It first prints nearest class mean on the raw pixels (no network).  Usage::

    PYTHONPATH=. python benchmarks/pretrain_length.py [--iterations 1000] [--every 250] [--shots 1] [--batch 8]
                                                      [--set task.jitter=2.5 --set task.noise=0.2]

``--batch`` is the number of tasks (5 classes x 6 images each) pooled into one supervised step
(``evaluation.pretrain_batch``).
"""

from __future__ import annotations

import argparse
import time

import torch
import torch.nn.functional as F

from studio.config import load_preset
from studio.engine.algorithms.pretrain import pooled_global_labels
from studio.engine.algorithms.protonet import prototype_logits
from studio.engine.baselines import baseline_preset
from studio.engine.heldout import heldout_tasks
from studio.engine.protocol import evaluation_family
from studio.engine.training import Training
from studio.presets import resolve_preset_path

SMALL = ["task.classes=200", "task.rotations=false", "model.filters=32", "training.eval_tasks=5"]


def class_mean_accuracy(embed, tasks) -> float:
    """Mean query accuracy (%) of nearest class mean on ``embed``'s features of each task."""
    hits = 0.0
    with torch.no_grad():
        for t in range(len(tasks)):
            fs, fq = embed(tasks.x_support[t]), embed(tasks.x_query[t])
            logits = prototype_logits(fs, tasks.y_support[t], fq, int(tasks.y_support.max()) + 1)
            hits += float((logits.argmax(-1) == tasks.y_query[t]).float().mean())
    return 100 * hits / len(tasks)


def classifier_scores(training: Training, batch) -> tuple[float, float]:
    """The pretraining classifier's loss and accuracy (%) over all training classes on ``batch``."""
    with torch.no_grad():
        logits = training.learner.classifier_logits(training.params, batch)
        labels = pooled_global_labels(batch)
        return float(F.cross_entropy(logits, labels)), 100 * float((logits.argmax(-1) == labels).float().mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=1000, help="pretraining steps")
    parser.add_argument("--every", type=int, default=250, help="steps between reports")
    parser.add_argument("--shots", type=int, default=1, help="support examples per class of the test tasks")
    parser.add_argument("--batch", type=int, default=8, help="tasks pooled into one step (evaluation.pretrain_batch)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="e.g. task.jitter=2.5")
    args = parser.parse_args()
    torch.set_num_threads(1)
    overrides = [f"training.meta_batch_size={args.batch}", *SMALL, f"evaluation.shots={args.shots}", *args.set]
    preset = load_preset(resolve_preset_path("protonet-glyphs"), overrides)
    training = Training(baseline_preset(preset, "pretrain", "classification"), device="cpu", alone=True)
    tasks = heldout_tasks(preset, evaluation_family(preset, "test"), 200)
    held = training.family.sample(16, torch.Generator().manual_seed(123), split="train")
    pixels = class_mean_accuracy(lambda x: x.flatten(1), tasks)
    print(f"{args.shots}-shot; nearest class mean on pixels {pixels:.1f}%; {training.learner.pretraining}")
    started, losses = time.perf_counter(), []
    for step in range(args.iterations + 1):
        if step % args.every == 0:
            loss, accuracy = classifier_scores(training, held)
            body = class_mean_accuracy(lambda x: training.learner.split.features(training.params, x), tasks)
            recent = sum(losses[-50:]) / max(1, len(losses[-50:]))
            print(
                f"step {step:5d} {time.perf_counter() - started:5.0f} s  batch loss {recent:.3f}  training classes: "
                f"loss {loss:.3f} accuracy {accuracy:5.1f}%  frozen body, nearest class mean on test tasks {body:5.1f}%",
                flush=True,
            )
        if step < args.iterations:
            losses.append(float(training.step().meta_loss))


if __name__ == "__main__":
    main()
