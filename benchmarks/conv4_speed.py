"""Conv-4 MAML speed: the engine's meta-step against a plain PyTorch loop over tasks, in one process.

    python benchmarks/conv4_speed.py [--iterations 5] [--devices cpu,cuda] [--threads N]

5-way 1-shot, 5 queries per class, 28x28 glyphs, Conv-4 with 64 filters, one
second-order inner step at alpha = 0.4, meta-batch 32 (Finn et al. 2017's
Omniglot setting).  Every variant does the same work on the same pre-drawn
meta-batches: inner step, query loss, meta-gradient, Adam update.

- ``engine``: ``learner.meta_step`` as training runs it (vmap or a loop over
  tasks, as the model asks for on the device: ``loop_over_tasks_on``);
- ``engine-vmap`` / ``engine-loop``: the same, forced each way;
- ``plain-loop``: hand-written PyTorch, ``torch.autograd.grad(create_graph=True)``
  per task, no torch.func, on the same network;
- ``plain-loop-nn-bn``: the same loop on the network a PyTorch user would write,
  with ``nn.BatchNorm2d(track_running_stats=False)`` (same weights) instead of the
  engine's written-out batch norm (which vmap needs for correct meta-gradients).

Prints meta-iterations/s (median over the timed meta-batches, the variants
taking turns on each) and the engine's speed relative to the plain loop.  No
assertions: a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call

from studio.config import preset_from_dict
from studio.engine.algorithms import build_learner
from studio.engine.models import build_model
from studio.engine.tasks import build_family

VARIANTS = ("engine", "engine-vmap", "engine-loop", "plain-loop", "plain-loop-nn-bn")
PRESET = {
    "task": {"family": "glyphs", "ways": 5, "shots": 1, "queries": 5, "classes": 200},
    "model": {"kind": "conv4", "filters": 64},
    "algorithm": {"name": "maml", "inner_lr": 0.4, "inner_steps": 1, "first_order": False},
    "training": {"meta_batch_size": 32, "meta_lr": 0.001},
}


def setup(device: torch.device, batches: int, meta_batch: int):
    preset = preset_from_dict({**PRESET, "training": {**PRESET["training"], "meta_batch_size": meta_batch}})
    family = build_family(preset.task)
    torch.manual_seed(0)
    model = build_model(preset.model, family.input_dim, family.output_dim).to(device)
    generator = torch.Generator().manual_seed(1)
    tasks = [family.sample(meta_batch, generator).to(device) for _ in range(batches)]
    return preset, model, family, tasks


def engine_step(preset, model, family, loop_on: tuple[str, ...] | None):
    """The engine's meta-step on its own copy of the network (``loop_on`` forces vmap or the loop)."""
    model = copy.deepcopy(model)
    if loop_on is not None:
        model.loop_over_tasks_on = loop_on
    learner = build_learner(preset.algorithm, model, family.kind)
    params = learner.init_parameters()
    optimizer = learner.make_optimizer(params, preset.training)
    return lambda batch: learner.meta_step(params, batch, optimizer)


def plain_step(preset, model):
    """MAML as one writes it without torch.func: a Python loop, autograd.grad with create_graph."""
    params = {k: v.detach().clone().requires_grad_(True) for k, v in model.named_parameters()}
    optimizer = torch.optim.Adam(params.values(), lr=preset.training.meta_lr)
    alpha = preset.algorithm.inner_lr

    def step(batch):
        optimizer.zero_grad()
        total = 0.0
        for xs, ys, xq, yq in zip(batch.x_support, batch.y_support, batch.x_query, batch.y_query):
            support_loss = F.cross_entropy(functional_call(model, params, (xs,)), ys)
            grads = torch.autograd.grad(support_loss, list(params.values()), create_graph=True)
            adapted = {k: w - alpha * g for (k, w), g in zip(params.items(), grads)}
            total = total + F.cross_entropy(functional_call(model, adapted, (xq,)), yq)
        loss = total / len(batch)
        loss.backward()
        optimizer.step()
        return loss.detach()

    return step


def with_native_batch_norm(model: nn.Sequential) -> nn.Sequential:
    """A copy of Conv-4 whose batch norms are ``nn.BatchNorm2d`` with batch statistics and the same weights."""
    twin = copy.deepcopy(model)
    for block in twin[:-2]:
        norm = nn.BatchNorm2d(block[1].weight.shape[0], track_running_stats=False).to(block[1].weight.device)
        norm.load_state_dict(block[1].state_dict())
        block[1] = norm
    return twin


def seconds(step, batch, device: torch.device) -> float:
    started = time.perf_counter()
    float(step(batch))  # waits for the device
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - started


def time_variants(steps: dict, tasks: list, warmup: int, device: torch.device) -> dict[str, float]:
    """Median meta-iterations/s of each variant; timed round-robin (the order rotating every
    meta-batch) so that drifting clocks, caches and neighbours affect every variant alike."""
    for step in steps.values():
        for batch in tasks[:warmup]:
            seconds(step, batch, device)
    times: dict[str, list[float]] = {name: [] for name in steps}
    names = list(steps)
    for i, batch in enumerate(tasks[warmup:]):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            times[name].append(seconds(steps[name], batch, device))
    return {name: 1.0 / statistics.median(values) for name, values in times.items()}


def bench_device(device: torch.device, iterations: int, warmup: int, meta_batch: int, names: list[str]) -> None:
    preset, model, family, tasks = setup(device, iterations + warmup, meta_batch)
    auto = getattr(model, "loop_over_tasks_on", ())
    variants = {
        "engine": lambda: engine_step(preset, model, family, None),
        "engine-vmap": lambda: engine_step(preset, model, family, ()),
        "engine-loop": lambda: engine_step(preset, model, family, (device.type,)),
        "plain-loop": lambda: plain_step(preset, model),
        "plain-loop-nn-bn": lambda: plain_step(preset, with_native_batch_norm(model)),
    }
    mode = "loop" if device.type in auto else "vmap"
    print(f"\n{device} (engine uses {mode} here), meta-batch {meta_batch}, {iterations} timed iterations")
    rates = time_variants({name: make() for name, make in variants.items() if name in names}, tasks, warmup, device)
    for name, rate in rates.items():
        print(f"  {name:<12} {rate:8.3f} meta-iterations/s")
    for plain in ("plain-loop", "plain-loop-nn-bn"):
        if "engine" in rates and plain in rates:
            print(f"  engine / {plain}: {rates['engine'] / rates[plain]:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=5, help="timed meta-iterations per variant")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--meta-batch", type=int, default=32)
    parser.add_argument("--devices", default="cpu,cuda", help="comma-separated; cuda is skipped when absent")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice)")
    parser.add_argument(
        "--variants", default=",".join(VARIANTS), help="comma-separated subset of " + ", ".join(VARIANTS)
    )
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads")
    for name in args.devices.split(","):
        if name == "cuda" and not torch.cuda.is_available():
            print("\ncuda: not available, skipped")
            continue
        bench_device(torch.device(name), args.iterations, args.warmup, args.meta_batch, args.variants.split(","))


if __name__ == "__main__":
    main()
