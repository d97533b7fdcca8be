"""What the task preview draws, taken from the engine's own sampler (any thread; no Qt here).

What the preview shows is what trains: the same family class, the same
ranges, the same data files.  Each kind of family gets its own picture:
1-D regression a few functions with their support points, 2-D classification
one task's points by class, images one episode, tables one task's rows and
the groups behind them.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from studio.config import ConfigError, TaskConfig
from studio.engine.tasks import TaskBatch, TaskFamily, build_family
from studio.views.episode import Episode
from studio.views.preview_tasks import PREVIEW_TASKS, Points, PreviewTasks
from studio.views.tabular_rows import describe_table, task_table

# points along each drawn function: straight segments between them must pass through the support points even
# for fast oscillations (a harmonic task at w = 7 has a 2w period of 0.45 on an input span of 14)
GRID_POINTS = 2000
SPLIT_WORDS = {"train": "meta-train", "validation": "validation", "test": "test"}


def sample_preview(config: TaskConfig, draw: int) -> PreviewTasks:
    """Build the family and draw tasks for the preview (any thread)."""
    try:
        family = build_family(config)
    except ConfigError as error:
        return PreviewTasks(note=f"No preview: {error}", errors=error.errors)
    except Exception as error:  # a family without an engine yet must not break the form
        return PreviewTasks(note=f"No preview for '{config.family}': {error}")
    try:
        tasks = draw_tasks(family, config, torch.Generator().manual_seed(draw))
        summary = "\n".join(filter(None, [data_summary(family), *getattr(family, "notices", ())]))
        dims = (family.input_dim, family.output_dim)
        return dataclasses.replace(tasks, summary=summary, dims=dims, kind=family.kind)
    except Exception as error:  # a half-finished family: the form must stay usable
        return PreviewTasks(note=f"No preview for '{config.family}': {type(error).__name__}: {error}")


def draw_tasks(family: TaskFamily, config: TaskConfig, generator: torch.Generator) -> PreviewTasks:
    """The picture that suits the family."""
    if hasattr(family, "display_images"):
        return PreviewTasks(episode=image_episode(family, generator))
    if hasattr(family, "rows_per_group"):
        return PreviewTasks(table=task_table(family, family.sample(1, generator)))
    if family.kind == "classification" and family.input_dim == 2:
        return PreviewTasks(points=task_points(family.sample(1, generator)))
    if family.kind == "regression" and family.input_dim == 1 and _draws_functions(family):
        return regression_curves(family, generator)
    return PreviewTasks(note=f"No preview yet for {family.kind} tasks ('{config.family}')")


def regression_curves(family: TaskFamily, generator: torch.Generator) -> PreviewTasks:
    batch = family.sample(PREVIEW_TASKS, generator)
    domain = family.input_grid(2)[:, 0]
    low = min(float(domain[0]), float(batch.x_support.min()))  # inputs drawn beyond the grid are drawn too
    high = max(float(domain[-1]), float(batch.x_support.max()))
    grid = torch.linspace(low, high, GRID_POINTS).unsqueeze(-1)
    curves = family.target(batch.params, grid.unsqueeze(0).expand(PREVIEW_TASKS, -1, -1))
    support = tuple(
        (batch.x_support[i, :, 0].double().numpy(), batch.y_support[i, :, 0].double().numpy())
        for i in range(PREVIEW_TASKS)
    )
    return PreviewTasks(grid[:, 0].double().numpy(), tuple(c[:, 0].double().numpy() for c in curves), support)


def task_points(batch: TaskBatch) -> Points:
    def numpy(tensor: torch.Tensor) -> np.ndarray:
        return tensor[0].double().numpy() if tensor.is_floating_point() else tensor[0].numpy()

    return Points(numpy(batch.x_support), numpy(batch.y_support), numpy(batch.x_query), numpy(batch.y_query))


def image_episode(family: TaskFamily, generator: torch.Generator) -> Episode:
    """One meta-training episode, pixels back in [0, 1], its classes named."""
    batch = family.sample(1, generator)
    pixels = [family.display_images(x[0]).float().numpy() for x in (batch.x_support, batch.x_query)]
    labels = [y[0].numpy() for y in (batch.y_support, batch.y_query)]
    return Episode(pixels[0], labels[0], pixels[1], labels[1], episode_class_names(family, batch))


def episode_class_names(family: TaskFamily, batch: TaskBatch) -> tuple[str, ...]:
    """The names of label 0..ways-1 of the first task, a rotated class with its turn (as the engine names them)."""
    if "classes" not in batch.params:
        return ()
    names = family.class_names(batch.params["classes"][0])
    turns = batch.params.get("rotation", torch.zeros_like(batch.params["classes"]))[0].tolist()
    return tuple(n + (f" ({90 * t}°)" if t else "") for n, t in zip(names, turns))


def data_summary(family: TaskFamily) -> str:
    """Classes and images per split (image folders), or groups per split (tables); '' for generated tasks."""
    if hasattr(family, "rows_per_group"):
        return describe_table(family)
    store, classes = getattr(family, "store", None), getattr(family, "classes", None)
    if store is None or not isinstance(classes, dict):
        return ""
    parts = []
    for split, indices in classes.items():
        images = int(store.counts[indices].sum()) if len(indices) else 0
        turned = family.rotation_factor(split) if hasattr(family, "rotation_factor") else 1
        times = f" (x{turned} turned)" if turned > 1 else ""
        parts.append(f"{SPLIT_WORDS.get(split, split)}: {len(indices)} classes{times}, {images} images")
    return " · ".join(parts)


def _draws_functions(family: TaskFamily) -> bool:
    return all(getattr(type(family), m) is not getattr(TaskFamily, m) for m in ("target", "input_grid"))
