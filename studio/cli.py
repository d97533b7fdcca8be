"""The ``studio`` command: open the window, or train and evaluate headless.

studio [PRESET]                      open the window (with PRESET loaded)
studio presets                       list the bundled presets
studio run PRESET [--out DIR] ...    meta-train, writing a run folder
studio eval RUN_DIR [--tasks N] ...  adapt on fresh held-out tasks and report the loss
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from studio.config import ConfigError, load_preset
from studio.presets import bundled_presets, describe, resolve_preset_path

COMMANDS = ("run", "eval", "presets")
EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] in COMMANDS + ("-h", "--help", "--version"):
            return _dispatch(build_parser().parse_args(args))
        return _open_window(args)
    except ConfigError as error:
        print(f"studio: error: {error}".replace("\n", "\nstudio: error: "), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("studio: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # never a traceback to a user unless they ask
        if os.environ.get("STUDIO_DEBUG"):
            raise
        print(
            f"studio: internal error: {type(error).__name__}: {error} (STUDIO_DEBUG=1 shows details)", file=sys.stderr
        )
        return 1


def build_parser() -> argparse.ArgumentParser:
    from studio import __version__

    parser = argparse.ArgumentParser(
        prog="studio", description="Meta-Learning Studio. Without a command, opens the window."
    )
    parser.add_argument("--version", action="version", version=f"studio {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("presets", help="list the bundled presets")
    run = commands.add_parser("run", help="meta-train a preset headless and write a run folder")
    run.add_argument("preset", help="a preset file, or the name of a bundled preset")
    run.add_argument("--out", type=Path, help="run folder to write (default: runs/NAME-DATE-TIME)")
    run.add_argument("--overwrite", action="store_true", help="replace a run already in --out")
    _add_preset_options(run)
    run.add_argument("--iterations", type=int, help="shorthand for --set training.iterations=N")
    run.add_argument("--quiet", action="store_true", help="print nothing but errors")
    ev = commands.add_parser("eval", help="evaluate a run's model on fresh held-out tasks")
    ev.add_argument("run_dir", type=Path, help="a run folder written by 'studio run' or the window")
    ev.add_argument("--tasks", type=int, default=600, help="held-out tasks (default 600)")
    ev.add_argument("--steps", type=int, help="inner steps to report, 0..N (default: the preset's)")
    ev.add_argument("--json", action="store_true", help="print the result as JSON")
    _add_preset_options(ev)
    return parser


def _add_preset_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="override a preset value, e.g. task.shots=5"
    )
    parser.add_argument("--seed", type=int, help="shorthand for --set seed=N")
    parser.add_argument("--device", help="shorthand for --set training.device=D (auto, cpu, cuda, cuda:N, mps)")


def _overrides(args: argparse.Namespace) -> list[str]:
    extra = list(args.set)
    if args.seed is not None:
        extra.append(f"seed={args.seed}")
    if args.device is not None:
        extra.append(f'training.device="{args.device}"')
    if getattr(args, "iterations", None) is not None:
        extra.append(f"training.iterations={args.iterations}")
    return extra


def _dispatch(args: argparse.Namespace) -> int:
    return {"presets": _list_presets, "run": _run, "eval": _eval}[args.command](args)


def _list_presets(args: argparse.Namespace) -> int:
    presets = bundled_presets()
    width = max((len(name) for name in presets), default=0)
    for name, path in presets.items():
        print(f"{name:<{width}}  {describe(path)}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from studio.console import Progress
    from studio.engine import RunFinished, Training
    from studio.export import RunRecorder, prepare_run_dir

    path = resolve_preset_path(args.preset)
    preset = load_preset(path, _overrides(args))
    training = Training(preset)
    out = args.out or Path("runs") / f"{path.stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    run_dir = prepare_run_dir(out, overwrite=args.overwrite)
    recorder = RunRecorder(run_dir, training.model_state, training.model_spec())
    progress = Progress(quiet=args.quiet)
    try:
        for event in training.events():
            recorder.record(event)
            progress(event)
    except KeyboardInterrupt:
        recorder.finish(RunFinished(training.iteration, "interrupted", training.train_seconds, 0.0, None))
        print(
            f"\nstudio: interrupted at iteration {training.iteration}; partial run kept in {run_dir}", file=sys.stderr
        )
        return 130
    if not args.quiet:
        print(f"run folder: {run_dir}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from studio.engine.heldout import evaluate_model
    from studio.export import load_model

    if args.tasks < 1 or (args.steps is not None and args.steps < 0):
        raise ConfigError("--tasks must be >= 1 and --steps >= 0")
    preset = load_preset(args.run_dir / "preset.toml", _overrides(args))
    steps = args.steps if args.steps is not None else getattr(preset.algorithm, "inner_steps", 0)
    result = evaluate_model(preset, load_model(args.run_dir), args.tasks, steps)
    if args.json:
        print(
            json.dumps(
                {
                    "steps": result.steps,
                    "loss_mean": result.loss_mean,
                    "loss_ci95": result.loss_ci95,
                    "tasks": result.tasks,
                }
            )
        )
        return 0
    print(f"{args.run_dir}: {result.tasks} held-out tasks, query loss after adapting (mean ± 95% CI)")
    print("steps  loss")
    for step, mean, ci in zip(result.steps, result.loss_mean, result.loss_ci95):
        print(f"{step:>5}  {mean:.4f} ± {ci:.4f}")
    return 0


def _open_window(args: list[str]) -> int:
    if len(args) > 1 or (args and args[0].startswith("-")):
        raise ConfigError(f"unexpected arguments {' '.join(args)}; try 'studio --help'")
    path = resolve_preset_path(args[0]) if args else None
    if path is not None:
        load_preset(path)  # a bad preset is reported here, before any window opens
    from studio.ui.launch import launch

    return launch(path)
