"""``studio sweep``: search a preset's settings with Optuna, each trial a run folder.

studio sweep PRESET --vary KEY=SPEC ... [--trials N] [--parallel P] [--seeds S]
studio sweep --join NAME --storage URL [--out DIR]     another worker on the same sweep
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from studio.config import ConfigError

SAMPLERS = ("grid", "random", "tpe")
PRUNERS = ("none", "median", "halving")
CLI_SETTINGS = ("trials", "parallel", "seeds", "sampler", "objective", "direction", "pruner")
BASE_PRESET_FILE = "base-preset.toml"


def add_parser(commands: argparse._SubParsersAction, add_preset_options) -> None:
    sweep = commands.add_parser("sweep", help="search settings with Optuna; every trial is a run folder")
    sweep.add_argument("preset", nargs="?", help="a preset file (its [sweep] table is the default search)")
    sweep.add_argument(
        "--vary", action="append", default=[], metavar="KEY=SPEC", help="e.g. algorithm.inner_lr=log(1e-3,1)"
    )
    sweep.add_argument("--trials", type=int, help="trials in all (default: the preset's, else 20)")
    sweep.add_argument("--parallel", type=int, help="trials that train at once, each a process")
    sweep.add_argument("--seeds", type=int, help="seeds per trial; the objective is their mean")
    sweep.add_argument("--sampler", choices=SAMPLERS, help="grid, random or tpe (default tpe)")
    sweep.add_argument("--objective", help="loss, accuracy, loss@K or accuracy@K (default loss)")
    sweep.add_argument("--direction", choices=("minimize", "maximize"), help="default: by the objective")
    sweep.add_argument("--pruner", choices=PRUNERS, help="stop unpromising trials early (default median)")
    sweep.add_argument("--iterations", type=int, help="shorthand for --set training.iterations=N")
    sweep.add_argument("--out", type=Path, help="the sweep's folder (default: runs/sweep-NAME-DATE-TIME)")
    sweep.add_argument("--storage", help="Optuna storage URL (default: a journal file in the sweep's folder)")
    sweep.add_argument("--name", help="the study's name (default: the folder's name)")
    sweep.add_argument("--join", metavar="NAME", help="work on the sweep NAME in --storage instead of starting one")
    sweep.add_argument("--quiet", action="store_true", help="print nothing but errors")
    sweep.add_argument("--threads", type=int, help=argparse.SUPPRESS)
    sweep.add_argument("--worker-seed", type=int, help=argparse.SUPPRESS)
    add_preset_options(sweep)


def run(args: argparse.Namespace, overrides: list[str]) -> int:
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    if args.join is not None:
        return _join(args)
    return _start(args, overrides)


def _start(args: argparse.Namespace, overrides: list[str]) -> int:
    from studio.export.library import default_runs_dir
    from studio.presets import resolve_preset_path
    from studio.sweeps import create_sweep

    if args.preset is None:
        raise ConfigError("give a preset to sweep, or --join NAME --storage URL")
    path = resolve_preset_path(args.preset)
    base, sweep = read_sweep(path, overrides, args)
    out = args.out or default_runs_dir() / f"sweep-{path.stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    storage = args.storage or str((out / "study.journal").resolve())
    _prepare_folder(out, args.storage is None)
    _write_base(out, base)
    sweep_study = create_sweep(args.name or out.name, sweep, base, storage, seed=base.get("seed", 0))
    if not args.quiet:
        print(f"sweep {sweep_study.name}: {sweep.trials} trials of {', '.join(d.key for d in sweep.vary)}")
    return _work(sweep_study, out, args.quiet, sweep.parallel)


def _join(args: argparse.Namespace) -> int:
    from studio.export.library import default_runs_dir
    from studio.sweeps import join_sweep

    if args.storage is None:
        raise ConfigError("--join NAME needs --storage URL (where the sweep's study is kept)")
    sweep_study = join_sweep(args.join, args.storage, seed=args.worker_seed)
    out = args.out or default_runs_dir() / f"sweep-{args.join}"
    out.mkdir(parents=True, exist_ok=True)
    return _work(sweep_study, out, args.quiet, args.parallel or 1)


def read_sweep(path: Path, overrides: list[str], args: argparse.Namespace):
    """The base preset's data (overrides applied, validated) and its sweep (CLI settings applied, checked)."""
    from studio.config.sweep import SweepConfig, sweep_request
    from studio.config.toml_io import apply_overrides, read_toml, resolve_relative_paths

    data = resolve_relative_paths(read_toml(path), path.resolve().parent)
    table = data.pop("sweep", {}) or {}
    if not isinstance(table, dict):
        raise ConfigError.at("sweep", "must be a table ([sweep])")
    table = {**table, **{key: getattr(args, key) for key in CLI_SETTINGS if getattr(args, key) is not None}}
    base, sweep = sweep_request(apply_overrides(data, overrides), table, args.vary)
    if sweep.trials < table.get("trials", SweepConfig().trials):
        print(f"studio: note: the grid has {sweep.trials} combinations; running that many trials", file=sys.stderr)
    return base, sweep


def _prepare_folder(out: Path, local_storage: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out}: exists and is not a folder; choose another --out")
    if local_storage and (out / "study.journal").exists():
        raise ConfigError(f"{out}: already holds a sweep; choose another --out (or --join it)")
    out.mkdir(parents=True, exist_ok=True)


def _write_base(out: Path, base: dict) -> None:
    from studio.config import save_preset
    from studio.config.parse import preset_from_dict

    save_preset(preset_from_dict(base), out / BASE_PRESET_FILE)


def _work(sweep_study, out: Path, quiet: bool, parallel: int) -> int:
    from studio.sweeps import run_worker
    from studio.sweeps.results import trial_line, write_summary
    from studio.sweeps.worker import start_workers, watch_workers

    objective = sweep_study.sweep.objective
    say = (lambda line: None) if quiet else print
    if parallel > 1:
        code = watch_workers(
            sweep_study, start_workers(sweep_study, out, parallel), lambda t: say(trial_line(t, objective))
        )
        if code != 0:
            print(f"studio: error: a sweep worker exited with status {code}", file=sys.stderr)
    else:
        run_worker(sweep_study, out, lambda trial: say(trial_line(trial, objective)))
    document = write_summary(sweep_study, out)
    if not quiet:
        _print_outcome(document, out)
    return 0 if document["best"] is not None else 1


def _print_outcome(document: dict, out: Path) -> None:
    from studio.sweeps.worker import trial_folder

    counts = document["counts"]
    print(f"{sum(counts.values())} trials: " + ", ".join(f"{n} {word}" for word, n in counts.items() if n))
    best = document["best"]
    if best is None:
        print("no trial completed; see the messages above")
    else:
        settings = ", ".join(f"{k} = {v!r}" for k, v in best["params"].items())
        print(f"best: trial {best['trial']}, {document['objective']} {best['value']:.4f}; settings: {settings}")
        print(f"its run folder: {trial_folder(out, best['trial'])}")
    print(f"sweep folder: {out}; study {document['name']!r} in {document['storage']}")
