"""Draw resources/paper_figure.png: the figure ``studio export --format png`` makes of a short real run.

    .venv/bin/python resources/make_paper_figure.py [--iterations 500]

Trains the bundled maml-sine preset (meta-batches of 10 tasks, with the
pretrain and scratch baselines scored on the same held-out tasks) into a
temporary run folder, then exports its paper figure at 7 x 2.8 inches, 200 dpi.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from studio.cli import main as studio

HERE = Path(__file__).resolve().parent


def train(run_dir: Path, iterations: int) -> None:
    settings = {
        "training.iterations": iterations,
        "training.meta_batch_size": 10,
        "training.eval_every": max(iterations // 10, 1),
        "evaluation.baselines": '["pretrain", "scratch"]',
    }
    overrides = [arg for key, value in settings.items() for arg in ("--set", f"{key}={value}")]
    code = studio(["run", "maml-sine", *overrides, "--seed", "1", "--out", str(run_dir), "--quiet"])
    if code != 0:
        raise SystemExit(code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--out", type=Path, default=HERE / "paper_figure.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run_dir = Path(folder) / "maml-sine"
        train(run_dir, args.iterations)
        figure = ["export", str(run_dir), "--format", args.out.suffix.lstrip("."), "--out", str(args.out)]
        code = studio([*figure, "--size", "7x2.8", "--dpi", "200"])
        for suffix in ("svg", "pdf"):  # the same figure as vectors, beside the run, to compare by eye
            studio(["export", str(run_dir), "--format", suffix, "--out", str(Path(folder) / f"figure.{suffix}")])
    raise SystemExit(code)


if __name__ == "__main__":
    main()
