"""Seed series on the command line: ``studio run --seeds N --parallel P`` (seeds side by side, each in its own
process, through :class:`studio.runs.queue.RunQueue`), and ``studio eval`` of a series (each seed's final score,
then the mean ± 95% CI over seeds and over tasks)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from studio.cli_library import print_table, seed_group_line
from studio.config import ConfigError, Preset
from studio.console import format_evaluation
from studio.engine.events import RunStarted
from studio.export import prepare_run_dir
from studio.runs.messages import RunRequest

EXIT_REFUSED = 2
INTERRUPT_WAIT_S = 120.0  # each seed finishes its last evaluation and saves


def print_series(folder: Path, document: dict, evaluations: Sequence, protocol: str) -> None:
    """One row per seed, then the two summaries, all at the last step reported (MAML++'s final score)."""
    step = document["steps"][-1]
    metrics = [m for m in ("loss", "accuracy") if f"{m}_mean" in document["over_seeds"]]
    print(
        f"{folder}: {len(evaluations)} seeds, {document['tasks_per_seed']} held-out tasks each ({protocol}), "
        f"query scores after {step} step(s)"
    )
    rows = [[str(seed)] + [_cell(m, getattr(e, f"{m}_mean")[-1], getattr(e, f"{m}_ci95")[-1]) for m in metrics]
            for seed, e in zip(document["seeds"], evaluations)]  # fmt: skip
    for name, label in (("over_seeds", "over seeds (t)"), ("over_tasks", "over all tasks")):
        summary = document[name]
        rows.append([label] + [_cell(m, summary[f"{m}_mean"][-1], summary[f"{m}_ci95"][-1]) for m in metrics])
    print_table(["seed", *(f"{m} (mean ± 95% CI)" for m in metrics)], rows)


def _cell(metric: str, mean: float, half: float) -> str:
    if metric == "accuracy":
        return f"{100 * mean:.2f}% ± {100 * half:.2f}%"
    return f"{mean:.4f} ± {half:.4f}"


def seeds_at_once(args: argparse.Namespace, preset: Preset) -> tuple[int, list[str]]:
    """How many seeds train at once (``--parallel``, else the queue's default) and the GPUs they spread over."""
    if args.nproc is not None or preset.training.processes > 1:
        if args.parallel not in (None, 1):
            raise ConfigError("--parallel P > 1 cannot go with several processes per run (--nproc)")
        return 1, []  # each seed is a torchrun launch of its own, in turn
    from studio.runs.queue import cuda_devices, default_limit

    gpus = cuda_devices(preset.training.device)
    return (args.parallel or default_limit(gpus)), gpus


def run_seeds_in_parallel(
    args: argparse.Namespace, preset: Preset, path: Path, seeds: Sequence[tuple[int, Path]], limit: int, gpus: list
) -> int:
    """Each seed in a child process, up to ``limit`` at once; a line as each ends, then the group's mean ± CI."""
    from studio.runs.queue import RunQueue, exited_completed

    for _, folder in seeds:
        prepare_run_dir(folder, overwrite=args.overwrite)  # a bad --out is refused before anything trains
    queue = RunQueue(limit, gpus=gpus, completed=exited_completed)  # a failed seed starts no more
    for seed, folder in seeds:
        queue.add(RunRequest(preset.replace(seed=seed), str(folder), preset_source=str(path)))
    say = (lambda line: None) if args.quiet else print
    say(f"{len(seeds)} seeds, up to {queue.limit} at once ({queue.threads} torch thread(s) each)")
    watch = SeedWatch(queue, say)
    try:
        queue.join(each=watch.look)
    except KeyboardInterrupt:
        return watch.interrupted()
    finally:
        _remove_empty([folder for _, folder in seeds])
    watch.look()
    if watch.code == 0:
        say(seed_group_line([folder for _, folder in seeds]))
    return watch.code


class SeedWatch:
    """Reports each seed as it starts and ends (the queue starts no more after a seed that does not complete)."""

    def __init__(self, queue, say: Callable[[str], None]):
        self.queue, self.say = queue, say
        self.code = 0

    def look(self) -> None:
        for run, record in self.queue.drain():
            if isinstance(record, RunStarted):
                self.say(f"seed {run.request.preset.seed}: training in {run.request.run_dir} on {record.device}")
        for run in self.queue.ended():
            self._ended(run)

    def _ended(self, run) -> None:
        seed, ended = run.request.preset.seed, run.exit
        finished = ended.finished
        if ended.completed:
            final = f": {format_evaluation(finished.final)}" if finished.final is not None else ""
            self.say(f"seed {seed}: completed {finished.iteration} iterations{final}")
            return
        self.code = self.code or (EXIT_REFUSED if ended.failure is not None and ended.failure.field_errors else 1)
        print(f"studio: error: seed {seed} ({run.request.run_dir}): {_failure(ended)}", file=sys.stderr)

    def interrupted(self) -> int:
        self.queue.stop_all()
        self.queue.join(INTERRUPT_WAIT_S)
        folders = " ".join(str(run.request.run_dir) for run in self.queue.runs)
        print(f"\nstudio: interrupted; checkpoints saved. Resume with: studio run --resume FOLDER ({folders})",
              file=sys.stderr)  # fmt: skip
        return 130


def _failure(ended) -> str:
    if ended.failure is not None:
        return ended.failure.message
    if ended.finished is not None:
        return ended.finished.message or str(ended.finished.reason)
    return f"died at iteration {ended.last_iteration} ({ended.describe()})"


def _remove_empty(folders: Sequence[Path]) -> None:
    """Folders of seeds that never started (cancelled) are not left behind empty."""
    for folder in folders:
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
