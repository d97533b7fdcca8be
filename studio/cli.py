"""The ``studio`` command: open the window, or train and evaluate headless.

studio [PRESET]                      open the window (with PRESET loaded)
studio presets                       list the bundled presets
studio run PRESET [--out DIR] ...    meta-train, writing a run folder
studio eval RUN_DIR [--tasks N] ...  adapt on fresh held-out tasks and report the loss
studio runs | compare | export ...   the run library (studio/cli_library.py)
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from studio.config import ConfigError, load_preset
from studio.presets import bundled_presets, describe, resolve_preset_path

COMMANDS = ("run", "eval", "presets", "runs", "compare", "export", "sweep")
EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] in COMMANDS + ("-h", "--help", "--version"):
            parsed = build_parser().parse_args(args)
            parsed.command_line = ["studio", *args]  # for environment.json
            return _dispatch(parsed)
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
    run.add_argument("--seeds", type=int, metavar="N", help="run seeds SEED..SEED+N-1, into OUT/seed-K")
    run.add_argument(
        "--parallel",
        type=int,
        metavar="P",
        help="with --seeds: train up to P seeds at once, each in its own process (default: one per two cores, "
        "one per GPU on CUDA; 1 trains them in turn in this process)",
    )
    run.add_argument(
        "--nproc", type=int, metavar="N", help="train with N processes on this machine (torchrun; one per GPU on CUDA)"
    )
    ev = commands.add_parser("eval", help="evaluate a run's model on fresh held-out tasks")
    ev.add_argument("run_dir", type=Path, help="a run folder written by 'studio run' or the window")
    ev.add_argument("--tasks", type=int, default=600, help="held-out tasks (default 600)")
    ev.add_argument("--steps", type=int, help="inner steps to report, 0..N (default: the preset's)")
    ev.add_argument("--json", action="store_true", help="print the result as JSON")
    _add_preset_options(ev)
    from studio.cli_library import add_parsers
    from studio.cli_sweep import add_parser as add_sweep_parser

    add_parsers(commands)
    add_sweep_parser(commands, _add_preset_options)
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
    if getattr(args, "nproc", None) is not None:
        extra.append(f"training.processes={args.nproc}")
    return extra


def _dispatch(args: argparse.Namespace) -> int:
    if args.command in ("run", "sweep"):
        from studio.export.environment import set_command_line

        set_command_line(args.command_line)
    from studio.cli_library import dispatch

    if args.command == "sweep":
        from studio.cli_sweep import run as sweep

        return sweep(args, _overrides(args))
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

    if args.parallel is not None and (args.seeds is None or args.parallel < 1):
        raise ConfigError("--parallel P needs --seeds N and P >= 1")
    if args.seeds is not None:
        return _run_seeds(args)
    from studio.cli_processes import run_with_processes

    code = run_with_processes(args, _overrides(args))  # under torchrun, or launching it (studio/cli_processes.py)
    if code is not None:
        return code
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
    from studio.cli_seeds import run_seeds_in_parallel, seeds_at_once
    from studio.runs.folders import seed_folders

    if args.resume is not None or args.preset is None or args.seeds < 1:
        raise ConfigError("--seeds N needs a preset and N >= 1 (it starts new runs; it cannot --resume)")
    path = resolve_preset_path(args.preset)
    preset = load_preset(path, _overrides(args))
    limit, gpus = seeds_at_once(args, preset)
    group = args.out or _new_out(path)
    if limit > 1:
        return run_seeds_in_parallel(args, preset, path, seed_folders(group, preset.seed, args.seeds), limit, gpus)
    folders = []
    for seed, folder in seed_folders(group, preset.seed, args.seeds):
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
    return RunRequest(preset, str(out), preset_source=str(path))


def _eval(args: argparse.Namespace) -> int:
    from studio.engine.finetuning import finetuning_words
    from studio.engine.heldout import evaluate_heldout_baselines
    from studio.engine.protocol import evaluation_protocol, protocol_label
    from studio.export.seed_series import seed_folders

    if args.tasks < 1 or (args.steps is not None and args.steps < 0):
        raise ConfigError("--tasks must be >= 1 and --steps >= 0")
    if seed_folders(args.run_dir):
        return _eval_seed_series(args, seed_folders(args.run_dir))
    preset, steps, result = _evaluate_run(args, args.run_dir)
    records = evaluate_heldout_baselines(preset, args.tasks, steps)
    baselines = {b.baseline: b.evaluation for b in records}
    if args.json:
        document = _curve(result) | {"protocol": evaluation_protocol(preset)}
        if baselines:
            document["baselines"] = {b.baseline: {**_curve(b.evaluation), **_finetuning(b)} for b in records}
        print(json.dumps(document))
        return 0
    for record in records:
        _print_notice(
            f"{record.baseline} baseline {finetuning_words(record.finetuning)}; pretraining: {record.pretraining}"
        )
    _print_curves(args.run_dir, result, baselines, protocol_label(preset))
    return 0


def _evaluate_run(args: argparse.Namespace, run_dir: Path):
    """The run's preset (with the command's overrides), the steps reported, and its held-out evaluation."""
    from studio.engine.heldout import evaluate_model
    from studio.export import load_model, read_learner_file

    preset = load_preset(run_dir / "preset.toml", _overrides(args))
    steps = args.steps if args.steps is not None else getattr(preset.algorithm, "inner_steps", 0)
    model, state = load_model(run_dir), read_learner_file(run_dir)
    result = evaluate_model(preset, model, args.tasks, steps, learner_state=state, notify=_print_notice)
    return preset, steps, result


def _eval_seed_series(args: argparse.Namespace, folders: list[Path]) -> int:
    """``studio eval OUT`` of ``studio run --seeds``: each seed's model, then mean ± CI over seeds and tasks."""
    from studio.cli_seeds import print_series
    from studio.engine.protocol import evaluation_protocol, protocol_label
    from studio.export.seed_series import series_document

    runs = [_evaluate_run(args, folder) for folder in folders]
    seeds, evaluations = [preset.seed for preset, _, _ in runs], [result for _, _, result in runs]
    document = series_document(seeds, evaluations) | {"protocol": evaluation_protocol(runs[0][0])}
    if args.json:
        print(json.dumps(document | {"per_seed": [_curve(e) for e in evaluations]}))
        return 0
    print_series(args.run_dir, document, evaluations, protocol_label(runs[0][0]))
    return 0


def _finetuning(baseline) -> dict:
    return {"finetuning": dataclasses.asdict(baseline.finetuning), "pretraining": baseline.pretraining}


def _print_notice(message: str) -> None:
    print(f"studio: note: {message}", file=sys.stderr)


def _curve(evaluation) -> dict:
    keys = ("steps", "loss_mean", "loss_ci95", "tasks")
    if evaluation.accuracy_mean is not None:
        keys += ("accuracy_mean", "accuracy_ci95")
    return {key: getattr(evaluation, key) for key in keys}


def _print_curves(run_dir: Path, result, baselines: dict, protocol: str) -> None:
    """The run's query loss per step, then one column per baseline the preset asked for.

    A row per step any of them was scored at (a baseline's chosen fine-tuning count may lie beyond the run's
    steps); a blank cell where one was not scored at that step."""
    print(f"{run_dir}: {result.tasks} held-out tasks ({protocol}), query loss after adapting (mean ± 95% CI)")
    _print_table({"loss": result, **baselines}, "loss_mean", "loss_ci95", "{:.4f} ± {:.4f}")
    if result.accuracy_mean is not None:
        scored = {name: e for name, e in baselines.items() if e.accuracy_mean is not None}
        _print_table({"accuracy": result, **scored}, "accuracy_mean", "accuracy_ci95", "{:7.2%} ± {:.2%}")


def _print_table(columns: dict, mean: str, ci: str, cell: str) -> None:
    """A header, then one row per step of any column: ``cell`` filled with that column's mean and CI there."""
    print("steps  " + "  ".join(f"{name:<15}" for name in columns).rstrip())
    blank = " " * len(cell.format(0.0, 0.0))
    for step in sorted({s for e in columns.values() for s in e.steps}):
        at = [dict(zip(e.steps, zip(getattr(e, mean), getattr(e, ci)))).get(step) for e in columns.values()]
        print(f"{step:>5}  " + "  ".join(blank if v is None else cell.format(*v) for v in at).rstrip())


def _open_window(args: list[str]) -> int:
    if len(args) > 1 or (args and args[0].startswith("-")):
        raise ConfigError(f"unexpected arguments {' '.join(args)}; try 'studio --help'")
    path = resolve_preset_path(args[0]) if args else None
    if path is not None:
        load_preset(path)  # a bad preset is reported here, before any window opens
    from studio.ui.launch import launch

    return launch(path)
