"""The ``studio`` commands that work on run folders: ``runs``, ``compare`` and ``export``.

studio runs [--dir DIR] [--filter TEXT]              the runs folder as a table
studio runs --note RUN TEXT | --tag RUN TAG           annotate a run (notes.json in its folder)
studio compare RUN_A RUN_B ... --out report.html     a one-page HTML report of the runs
studio export RUN_DIR ... --format F --out PATH      data, plots or the adapted model
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from studio.config import ConfigError

EXPORT_FORMATS = ("onnx", "export", "torchscript", "csv", "json", "png", "svg", "pdf", "tensorboard")
FIGURE_FORMATS = ("png", "svg", "pdf")
MODEL_FORMATS = ("onnx", "export", "torchscript")  # export: torch.export (.pt2); torchscript: legacy
RUNS_COLUMNS = (
    "name",
    "status",
    "algorithm",
    "family",
    "iterations",
    "final loss ± CI",
    "duration",
    "date",
    "settings",
    "notes",
)


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """Add ``runs``, ``compare`` and ``export`` to the ``studio`` parser's subcommands."""
    from studio.export.library import default_runs_dir

    runs = commands.add_parser("runs", help="list the run folders in the runs folder")
    runs.add_argument("--dir", type=Path, default=None, help=f"the runs folder (default: {default_runs_dir()})")
    runs.add_argument("--json", action="store_true", help="print the records as JSON")
    runs.add_argument("--filter", default="", metavar="TEXT", help="only runs matching every word (#tag for a tag)")
    runs.add_argument("--note", nargs=2, metavar=("RUN", "TEXT"), help="set a run's note (empty text clears it)")
    runs.add_argument("--tag", nargs=2, metavar=("RUN", "TAG"), help="add a tag to a run")
    runs.add_argument("--untag", nargs=2, metavar=("RUN", "TAG"), help="remove a tag from a run")
    compare = commands.add_parser("compare", help="write a one-page HTML report comparing runs")
    compare.add_argument("run_dirs", nargs="+", type=Path, metavar="RUN_DIR")
    compare.add_argument("--out", type=Path, required=True, help="the report file to write, e.g. report.html")
    _add_plot_options(compare)
    _add_export_parser(commands)


def _add_plot_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--smoothing", type=float, default=0.6, help="EMA weight in [0, 1) for curves (default 0.6)")
    parser.add_argument("--band", choices=("ci95", "std"), default="ci95", help="seed groups' band (default ci95)")


def _add_export_parser(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser(
        "export",
        help="export runs' metrics (csv, json), figures (png, svg, pdf), TensorBoard files, or the adapted model",
        description=(
            "csv/json: every iteration of every run named; png/svg/pdf: a figure drawn by matplotlib, one colour "
            "per run (--figure paper: meta-training loss, adaptation curve, seed groups; or one of its panels; or "
            "metric: any metrics.csv column); tensorboard: event files (default RUN_DIR/tensorboard); "
            "onnx/export/torchscript: the model adapted to one task's support set (a held-out task, --csv-group or "
            "--image-folder) as ONNX, a torch.export program (.pt2, torch.export.load) or TorchScript (legacy)."
        ),
    )
    export.add_argument("run_dirs", nargs="+", type=Path, metavar="RUN_DIR")
    export.add_argument("--format", required=True, choices=EXPORT_FORMATS, help="what to write")
    export.add_argument("--out", type=Path, help="file (or folder, for one csv per run) to write")
    export.add_argument(
        "--layout", choices=("per-run", "long"), default="per-run", help="csv: one file per run or one long file"
    )
    _add_figure_options(export)
    export.add_argument("--task", type=int, default=0, help="model formats: adapt to this held-out task (default 0)")
    export.add_argument("--csv-group", help="model formats: adapt to this group of the preset's CSV instead")
    export.add_argument("--image-folder", type=Path, help="model formats: adapt to these new classes instead")
    export.add_argument("--steps", type=int, help="model formats: inner steps (default: the preset's)")


def _add_figure_options(export: argparse.ArgumentParser) -> None:
    from studio.export.figure_style import DEFAULT_DPI
    from studio.export.run_figures import FIGURES

    figure = export.add_argument_group("figures (png, svg, pdf)")
    figure.add_argument("--figure", choices=FIGURES, help="which figure (default: paper; metric with --metric)")
    figure.add_argument("--metric", help="--figure metric: the metrics.csv column to plot (default meta_loss)")
    figure.add_argument("--x", choices=("iteration", "wall_time"), default="iteration", help="the x axis")
    figure.add_argument("--log-y", action="store_true", help="--figure metric: logarithmic y axis")
    figure.add_argument("--smoothing", type=float, default=0.6, help="EMA weight in [0, 1) (default 0.6; raw faint)")
    figure.add_argument("--band", choices=("ci95", "std"), default="ci95", help="seed groups' band (default ci95)")
    figure.add_argument("--size", help="width x height in inches, e.g. 7x4.3 (default: by the number of panels)")
    figure.add_argument("--dpi", type=float, default=DEFAULT_DPI, help=f"png pixels per inch (default {DEFAULT_DPI})")


def dispatch(args: argparse.Namespace) -> int:
    return {"runs": list_runs, "compare": compare, "export": export}[args.command](args)


def list_runs(args: argparse.Namespace) -> int:
    from studio.export.library import default_runs_dir, filter_runs, scan_runs

    if args.note or args.tag or args.untag:
        return annotate(args)
    root = args.dir or default_runs_dir()
    records = filter_runs(scan_runs(root), args.filter)
    if args.json:
        print(json.dumps([_record_dict(r) for r in records], indent=1))
        return 0
    if not records:
        print(f"no runs in {root}")
        return 0
    print_table(RUNS_COLUMNS, [_record_row(r) for r in records])
    return 0


def annotate(args: argparse.Namespace) -> int:
    """``--note RUN TEXT``, ``--tag RUN TAG``, ``--untag RUN TAG``: change notes.json, print what it holds."""
    from studio.export.annotations import add_tag, annotation_text, remove_tag, set_note
    from studio.export.library import is_run_folder

    run, value = args.note or args.tag or args.untag
    if not is_run_folder(run):
        raise ConfigError(f"{run}: not a run folder (expected preset.toml with metrics.csv or summary.json)")
    action = set_note if args.note else add_tag if args.tag else remove_tag
    annotations = action(run, value)
    print(f"{run}: {annotation_text(annotations.note, annotations.tags) or '(no note, no tags)'}")
    return 0


def _record_row(record) -> list[str]:
    from studio.console import format_duration
    from studio.export.annotations import annotation_text
    from studio.export.hyperparameters import format_value

    settings = " ".join(f"{k.rsplit('.', 1)[-1]}={format_value(v)}" for k, v in record.hyperparameters.items())
    duration = "" if record.duration_seconds is None else format_duration(record.duration_seconds)
    iterations = f"{record.iterations}/{record.total_iterations}"
    row = [record.name, record.status, record.algorithm, record.family, iterations, record.final_text]
    return row + [duration, record.date, settings, annotation_text(record.note, record.tags)]


def _record_dict(record) -> dict:
    keys = ("name", "status", "algorithm", "family", "seed", "iterations", "total_iterations", "final_loss")
    keys += ("final_ci95", "final_accuracy", "final_accuracy_ci95", "duration_seconds", "date", "resumable", "message")
    keys += ("note", "tags")
    document = {key: getattr(record, key) for key in keys}
    hyperparameters = {k: list(v) if isinstance(v, tuple) else v for k, v in record.hyperparameters.items()}
    return {"path": str(record.path), **document, "hyperparameters": hyperparameters}


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Left-aligned columns two spaces apart; the last column is not padded."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())


def compare(args: argparse.Namespace) -> int:
    from studio.export.report import write_report

    path = write_report(args.run_dirs, args.out, smoothing=args.smoothing, band=args.band)
    print(f"report: {path}")
    return 0


def export(args: argparse.Namespace) -> int:
    if args.format in MODEL_FORMATS:
        return _export_model(args)
    if args.format == "tensorboard":
        return _export_tensorboard(args)
    if args.out is None:
        raise ConfigError(f"--format {args.format} needs --out PATH")
    runs = _metrics(args.run_dirs)
    if args.format in FIGURE_FORMATS:
        paths = [_export_figure(args)]
    elif args.format == "json":
        from studio.export.tables import write_json

        paths = [write_json(runs, args.out)]
    else:
        from studio.export.tables import write_csv

        paths = write_csv(runs, args.out, args.layout)
    for path in paths:
        print(f"wrote {path}")
    return 0


def _metrics(run_dirs: Sequence[Path]) -> list:
    from studio.export.library import is_run_folder, run_name
    from studio.export.run_metrics import read_metrics

    for path in run_dirs:
        if not is_run_folder(path):
            raise ConfigError(f"{path}: not a run folder (expected preset.toml with metrics.csv or summary.json)")
    return [read_metrics(path, run_name(path)) for path in run_dirs]


def _export_figure(args: argparse.Namespace) -> Path:
    from studio.export.figures import parse_size, write_figure
    from studio.export.run_figures import figure_panels

    if args.out.suffix.lower() != f".{args.format}":
        raise ConfigError(f"--out {args.out}: a --format {args.format} file must end in .{args.format}")
    figure = args.figure or ("metric" if args.metric else "paper")
    view = {"smoothing": args.smoothing, "band": args.band, "x": args.x, "log_y": args.log_y}
    panels = figure_panels(args.run_dirs, figure, metric=args.metric or "meta_loss", **view)
    return write_figure(panels, args.out, parse_size(args.size), args.dpi)


def _export_model(args: argparse.Namespace) -> int:
    from studio.export.deploy import adapt_and_export
    from studio.export.library import is_run_folder

    if len(args.run_dirs) != 1 or args.out is None:
        raise ConfigError(f"--format {args.format} exports one run's model: give one RUN_DIR and --out FILE")
    if not is_run_folder(args.run_dirs[0]):
        raise ConfigError(
            f"{args.run_dirs[0]}: not a run folder (expected preset.toml with metrics.csv or summary.json)"
        )
    task = {"task": args.task, "csv_group": args.csv_group, "image_folder": args.image_folder, "steps": args.steps}
    path = adapt_and_export(args.run_dirs[0], args.out, args.format, **task)
    print(f"wrote {path} and {path}.json")
    return 0


def _export_tensorboard(args: argparse.Namespace) -> int:
    from studio.export.tensorboard import write_tensorboard

    if args.out is not None and len(args.run_dirs) != 1:
        raise ConfigError(
            "--out names one run's TensorBoard folder; leave it out to write RUN_DIR/tensorboard for each"
        )
    _metrics(args.run_dirs)  # every folder checked before any is written
    for run_dir in args.run_dirs:
        print(f"wrote {write_tensorboard(run_dir, args.out)}")
    return 0


def seed_group_line(run_dirs: Sequence[Path]) -> str:
    """``studio run --seeds``' last line: the group's final held-out loss, mean ± 95% CI (t) and std."""
    from studio.export.aggregate import mean_std_ci
    from studio.export.library import read_run

    records = [read_run(path) for path in run_dirs]
    finals = [r.final_loss for r in records if r.final_loss is not None]
    mean, std, ci = mean_std_ci(finals)
    seeds = ", ".join(str(r.seed) for r in records)
    if len(finals) < 2:
        return f"seeds {seeds}: final query loss {mean:.4f} (one run: no interval)"
    return (
        f"seeds {seeds}: final query loss {mean:.4f} ± {ci:.4f} (mean ± 95% CI over {len(finals)} runs, std {std:.4f})"
    )
