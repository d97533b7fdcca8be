"""Wall time of ``studio run presets/maml-sine.toml`` at its default iterations, then
``studio eval`` on 600 held-out tasks: the figures the README reports.

Target (issue 2): at most 60 s on a 2-core CPU, and mean query MSE after one
inner step of at most 0.85 (MAML, 10-shot, Li et al. 2017, Table 1).

    python benchmarks/maml_sine_quality.py [--device cpu] [--out runs/bench-maml-sine]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", type=Path, default=Path("runs/bench-maml-sine"))
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    started = time.perf_counter()
    command = [sys.executable, "-m", "studio", "run", "presets/maml-sine.toml", "--out", str(args.out), "--quiet"]
    subprocess.run([*command, "--device", args.device], check=True)
    wall = time.perf_counter() - started
    evaluation = subprocess.run(
        [
            sys.executable,
            "-m",
            "studio",
            "eval",
            str(args.out),
            "--tasks",
            "600",
            "--steps",
            "10",
            "--json",
            "--device",
            args.device,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(evaluation.stdout)
    summary = json.loads((args.out / "summary.json").read_text())
    print(
        f"studio run presets/maml-sine.toml ({summary['iterations']} iterations, {summary['device']}): {wall:.1f} s wall"
    )
    print(f"studio eval --tasks 600: MSE after 1 step {result['loss_mean'][1]:.3f} ± {result['loss_ci95'][1]:.3f}")
    print("steps: " + ", ".join(f"{s}: {m:.3f}" for s, m in zip(result["steps"], result["loss_mean"])))


if __name__ == "__main__":
    main()
