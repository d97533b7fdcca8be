"""The ``studio`` command: open the window, or train and evaluate headless.

studio [PRESET]                      open the window (with PRESET loaded)
studio presets                       list the bundled presets
studio run PRESET [--out DIR] ...    meta-train, writing a run folder
studio eval RUN_DIR [--tasks N] ...  adapt on fresh held-out tasks and report the loss
studio runs | compare | export ...   the run library (studio/cli_library.py)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from studio.config import ConfigError, load_preset
from studio.presets import bundled_presets, describe, resolve_preset_path

COMMANDS = ("run", "eval", "presets", "runs", "compare", "export")
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
    run.add_argument("preset", nargs="?", help="a preset file, or the name of a bundled preset")
    run.add_argument("--resume", type=Path, metavar="RUN_DIR", help="continue a run from its latest checkpoint")
    run.add_argument(
        "--out", type=Path, help="run folder to write (default: runs/NAME-DATE-TIME, or under $STUDIO_RUNS_DIR)"
    )
    run.add_argument("--overwrite", action="store_true", help="replace a run already in --out")
    _add_preset_options(run)
    run.add_argument("--iterations", type=int, help="shorthand for --set training.iterations=N")
    run.add_argument("--quiet", action="store_true", help="print nothing but errors")
    run.add_argument("--seeds", type=int, metavar="N", help="run seeds SEED..SEED+N-1 in turn, into OUT/seed-K")
    ev = commands.add_parser("eval", help="evaluate a run's model on fresh held-out tasks")
    ev.add_argument("run_dir", type=Path, help="a run folder written by 'studio run' or the window")
    ev.add_argument("--tasks", type=int, default=600, help="held-out tasks (default 600)")
    ev.add_argument("--steps", type=int, help="inner steps to report, 0..N (default: the preset's)")
    ev.add_argument("--json", action="store_true", help="print the result as JSON")
    _add_preset_options(ev)
    from studio.cli_library import add_parsers

    add_parsers(commands)
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
    from studio.cli_library import dispatch

    return {"presets": _list_presets, "run": _run, "eval": _eval}.get(args.command, dispatch)(args)


def _list_presets(args: argparse.Namespace) -> int:
    presets = bundled_presets()
    width = max((len(name) for name in presets), default=0)
    for name, path in presets.items():
        print(f"{name:<{width}}  {describe(path)}")
    return 0


def _run(args: argparse.Namespace) -> int:
    """Train in this process, through the same record loop the window's runs use (:mod:`studio.runs.local`)."""
    from studio.console import Progress
    from studio.engine import FinishReason
    from studio.runs.local import LocalRun

    if args.seeds is not None:
        return _run_seeds(args)
    run = LocalRun(_request(args))
    progress = Progress(quiet=args.quiet)
    try:
        for event in run.records():
            progress(event)
    except KeyboardInterrupt:
        print(
            f"\nstudio: interrupted at iteration {run.training.iteration}; checkpoint saved. "
            f"Resume with: studio run --resume {run.run_dir}",
            file=sys.stderr,
        )
        return 130
    if run.recording_error:
        print(f"studio: error: {run.recording_error} ({run.run_dir})", file=sys.stderr)
        return 1
    if run.finished.reason == FinishReason.DIVERGED:
        print(f"studio: error: {run.finished.message}; the last finite state is kept in {run.run_dir}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"run folder: {run.run_dir}")
    return 0


def _run_seeds(args: argparse.Namespace) -> int:
    """``--seeds N``: the preset once per seed, each in its own folder, then the group's mean ± CI."""
    from studio.cli_library import seed_group_line
    from studio.runs.folders import seed_folders

    if args.resume is not None or args.preset is None or args.seeds < 1:
        raise ConfigError("--seeds N needs a preset and N >= 1 (it starts new runs; it cannot --resume)")
    path = resolve_preset_path(args.preset)
    first = args.seed if args.seed is not None else load_preset(path, _overrides(args)).seed
    group = args.out or _new_out(path)
    folders = []
    for seed, folder in seed_folders(group, first, args.seeds):
        folders.append(folder)
        code = _run(argparse.Namespace(**{**vars(args), "seed": seed, "seeds": None, "out": folder}))
        if code != 0:
            return code
    if not args.quiet:
        print(seed_group_line(folders))
    return 0


def _new_out(preset_path: Path) -> Path:
    from studio.export.library import default_runs_dir
    from studio.runs.folders import new_run_dir, run_stem

    return new_run_dir(default_runs_dir(), run_stem(preset_path, ""))


def _request(args: argparse.Namespace):
    """A new run of the preset into its fresh folder, or (``--resume``) the run recorded in a folder."""
    from studio.export import prepare_run_dir
    from studio.runs.messages import RunRequest

    if (args.preset is None) == (args.resume is None):
        raise ConfigError("give either a preset or --resume RUN_DIR")
    if args.resume is not None:
        return RunRequest(None, str(args.resume), resume=True, overrides=tuple(_overrides(args)))
    path = resolve_preset_path(args.preset)
    preset = load_preset(path, _overrides(args))
    out = prepare_run_dir(args.out, overwrite=args.overwrite) if args.out else _new_out(path)
    return RunRequest(preset, str(out))


def _eval(args: argparse.Namespace) -> int:
    from studio.engine.heldout import evaluate_heldout_baselines, evaluate_model
    from studio.export import load_model, read_learner_file

    if args.tasks < 1 or (args.steps is not None and args.steps < 0):
        raise ConfigError("--tasks must be >= 1 and --steps >= 0")
    preset = load_preset(args.run_dir / "preset.toml", _overrides(args))
    steps = args.steps if args.steps is not None else getattr(preset.algorithm, "inner_steps", 0)
    learner_state = read_learner_file(args.run_dir)
    result = evaluate_model(
        preset, load_model(args.run_dir), args.tasks, steps, learner_state=learner_state, notify=_print_notice
    )
    baselines = {b.baseline: b.evaluation for b in evaluate_heldout_baselines(preset, args.tasks, steps)}
    if args.json:
        document = _curve(result)
        if baselines:
            document["baselines"] = {name: _curve(evaluation) for name, evaluation in baselines.items()}
        print(json.dumps(document))
        return 0
    _print_curves(args.run_dir, result, baselines)
    return 0


def _print_notice(message: str) -> None:
    print(f"studio: note: {message}", file=sys.stderr)


def _curve(evaluation) -> dict:
    keys = ("steps", "loss_mean", "loss_ci95", "tasks")
    if evaluation.accuracy_mean is not None:
        keys += ("accuracy_mean", "accuracy_ci95")
    return {key: getattr(evaluation, key) for key in keys}


def _print_curves(run_dir: Path, result, baselines: dict) -> None:
    """The run's query loss per step, then one column per baseline the preset asked for."""
    print(f"{run_dir}: {result.tasks} held-out tasks, query loss after adapting (mean ± 95% CI)")
    print("steps  " + "  ".join(f"{name:<15}" for name in ("loss", *baselines)).rstrip())
    for i, step in enumerate(result.steps):
        row = f"{step:>5}  {result.loss_mean[i]:.4f} ± {result.loss_ci95[i]:.4f}"
        print(row + "".join(f"  {e.loss_mean[i]:.4f} ± {e.loss_ci95[i]:.4f}" for e in baselines.values()))
    if result.accuracy_mean is not None:
        _print_accuracy(result, baselines)


def _print_accuracy(result, baselines: dict) -> None:
    """Query accuracy per step in percent (classification), with the baselines' where they report it."""
    scored = {name: e for name, e in baselines.items() if e.accuracy_mean is not None}
    print("steps  " + "  ".join(f"{name:<15}" for name in ("accuracy", *scored)).rstrip())
    for i, step in enumerate(result.steps):
        cells = [(result.accuracy_mean[i], result.accuracy_ci95[i])]
        cells += [(e.accuracy_mean[i], e.accuracy_ci95[i]) for e in scored.values()]
        print(f"{step:>5}  " + "  ".join(f"{100 * m:6.2f}% ± {100 * c:.2f}%" for m, c in cells))


def _open_window(args: list[str]) -> int:
    if len(args) > 1 or (args and args[0].startswith("-")):
        raise ConfigError(f"unexpected arguments {' '.join(args)}; try 'studio --help'")
    path = resolve_preset_path(args[0]) if args else None
    if path is not None:
        load_preset(path)  # a bad preset is reported here, before any window opens
    from studio.ui.launch import launch

    return launch(path)
