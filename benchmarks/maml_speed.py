"""Meta-iterations per second for the maml-sine preset: the engine against a plain loop.

The plain loop is what one would write by hand without vmap: adapt one
task at a time with ``torch.autograd.grad(..., create_graph=True)``, sum the
query losses, backpropagate.  Both run second-order MAML on the same tasks, in
this process, on the same device.

    python benchmarks/maml_speed.py [--iterations 300] [--device cpu] [--first-order] [--engine-only]

``--engine-only`` times the engine alone (the plain loop is the slow half), to compare checkouts.
"""

from __future__ import annotations

import argparse
import time

import torch
from torch.func import functional_call

from studio.config import load_preset
from studio.engine import Training
from studio.presets import bundled_presets


def plain_loop_step(training: Training, optimizer: torch.optim.Optimizer, batch, first_order: bool) -> float:
    """One meta-iteration of MAML, one task at a time, with ordinary autograd."""
    model, cfg = training.model, training.preset.algorithm
    params = dict(model.named_parameters())
    total = 0.0
    for i in range(len(batch)):
        weights = params
        for _ in range(cfg.inner_steps):
            loss = torch.nn.functional.mse_loss(
                functional_call(model, weights, (batch.x_support[i],)), batch.y_support[i]
            )
            grads = torch.autograd.grad(loss, list(weights.values()), create_graph=not first_order)
            weights = {k: w - cfg.inner_lr * g for (k, w), g in zip(weights.items(), grads)}
        total = total + torch.nn.functional.mse_loss(
            functional_call(model, weights, (batch.x_query[i],)), batch.y_query[i]
        )
    meta_loss = total / len(batch)
    optimizer.zero_grad()
    meta_loss.backward()
    optimizer.step()
    return float(meta_loss.detach())


def time_it(step, iterations: int, warmup: int = 10) -> float:
    for _ in range(warmup):
        step()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    started = time.perf_counter()
    for _ in range(iterations):
        step()
    return iterations / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--first-order", action="store_true")
    parser.add_argument("--engine-only", action="store_true", help="skip the plain loop")
    args = parser.parse_args()
    overrides = [f'training.device="{args.device}"', f"algorithm.first_order={str(args.first_order).lower()}"]
    preset = load_preset(bundled_presets()["maml-sine"], overrides)
    engine = Training(preset)
    loop = Training(preset)
    optimizer = torch.optim.Adam(loop.model.parameters(), lr=preset.training.meta_lr)
    size = preset.training.meta_batch_size

    def loop_step() -> float:
        batch = loop.family.sample(size, loop.train_stream).to(loop.device)
        return plain_loop_step(loop, optimizer, batch, args.first_order)

    engine_rate = time_it(engine.step, args.iterations)
    order = "first" if args.first_order else "second"
    print(
        f"maml-sine, {order} order, meta-batch {size}, device {engine.device}, torch threads {torch.get_num_threads()}"
    )
    print(f"engine (vmap, batched):   {engine_rate:8.1f} meta-iterations/s")
    if args.engine_only:
        return
    loop_rate = time_it(loop_step, args.iterations)
    print(f"plain loop over tasks:    {loop_rate:8.1f} meta-iterations/s")
    print(f"ratio:                    {engine_rate / loop_rate:8.2f}x")


if __name__ == "__main__":
    main()
