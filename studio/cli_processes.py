"""``studio run`` across several processes: launching ``torchrun``, and what each rank does under it.

``studio run PRESET --nproc N`` (or ``training.processes = N`` in the preset) starts torchrun's own
entry point through :class:`studio.runs.ranks.RankedRun`, the driver the window uses too, and
prints rank 0's progress.  ``torchrun ... -m studio run PRESET`` (several machines) runs
:func:`run_rank` in every process (``WORLD_SIZE`` set): each trains its shard of each
meta-batch; rank 0 alone writes the run folder and prints progress.  When a rank fails,
torchrun ends the others; rank 0 meets the lost peer at its next collective, checkpoints
the last complete iteration, and the launcher names the rank that failed.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from studio.config import ConfigError, load_preset
from studio.presets import resolve_preset_path

FOLLOW_S = 0.1  # how often the launcher shows rank 0's newest records


def run_with_processes(args: argparse.Namespace, overrides: list[str]) -> int | None:
    """Train as one rank of a torchrun launch, or launch torchrun; None when this process trains alone."""
    from studio.engine.device import resolve_device
    from studio.engine.distributed import check_processes, launched_ranks

    if launched_ranks() > 1:
        return run_rank(args, overrides)
    training = _training_settings(args, overrides)
    if training is None or training.processes == 1:
        return None
    check_processes(training, resolve_device(training.device))  # one message here rather than one from each rank
    return launch(args, overrides, training.processes)


def _training_settings(args: argparse.Namespace, overrides: list[str]):
    """The ``[training]`` settings of the preset (or of the run being resumed) with the overrides applied."""
    if (args.preset is None) == (args.resume is None):
        return None  # the single-process path says what is missing
    path = args.resume / "preset.toml" if args.resume is not None else resolve_preset_path(args.preset)
    if not path.is_file():
        return None  # the single-process path reports the missing file
    return load_preset(path, overrides).training


def launch(args: argparse.Namespace, overrides: list[str], processes: int) -> int:
    """Train with ``processes`` ranks on this machine (:class:`studio.runs.ranks.RankedRun`), printing rank 0's
    progress; name a rank that fails."""
    from studio.cli import _request
    from studio.console import Progress
    from studio.runs.ranks import RankedRun

    run = RankedRun(_request(args), processes)
    run_dir = Path(run.request.run_dir)
    progress = Progress(quiet=args.quiet)
    run.start()
    try:
        ended = _follow(run, progress)
    except KeyboardInterrupt:  # Ctrl-C reached torchrun, which passes it on: rank 0 is saving a checkpoint
        run.wait()
        print(f"studio: interrupted; continue with: studio run --resume {run_dir}", file=sys.stderr)
        return 130
    if ended.code == 0:
        if not args.quiet:
            print(f"run folder: {run_dir}")
        return 1 if ended.finished is not None and ended.finished.reason == "diverged" else 0
    if ended.failure is not None and ended.failure.field_errors:
        raise ConfigError(list(ended.failure.field_errors))
    how = ended.failure.message if ended.failure is not None else ended.describe()
    print(f"studio: error: {how}; {_resume_advice(run_dir)}", file=sys.stderr)
    return 1


def _follow(run, progress: Callable) -> object:
    """Show rank 0's records as they come, until the launch has ended; how it ended."""
    while run.wait(FOLLOW_S) is None:
        for record in run.drain():
            progress(record)
    for record in run.drain():
        progress(record)
    return run.exit


def _resume_advice(run_dir: Path) -> str:
    from studio.export.resume import is_resumable

    if is_resumable(run_dir):
        return f"the run folder keeps its last checkpoint; continue with: studio run --resume {run_dir}"
    return f"no checkpoint was written in {run_dir} before it failed"


def _new_out(preset_path: Path) -> Path:
    """A fresh run folder named as every run's (:mod:`studio.runs.folders`)."""
    from studio.export.library import default_runs_dir
    from studio.runs.folders import new_run_dir, run_stem

    return new_run_dir(default_runs_dir(), run_stem(preset_path, ""))


def run_rank(args: argparse.Namespace, overrides: list[str]) -> int:
    """One rank of a torchrun launch: rank 0 records the run and prints progress, the others only train."""
    from studio.console import Progress
    from studio.engine.distributed import PeerLost, leave
    from studio.export import RunRecorder

    training, run_dir = _rank_training(args, overrides)
    main = training.world.is_main
    recorder = RunRecorder.for_training(run_dir, training, resume=args.resume is not None) if main else None
    progress = Progress(quiet=args.quiet or not main)
    try:
        for event in training.events(stop_on_sigterm()):
            if recorder is not None:
                recorder.record(event)
            progress(event)
    except PeerLost as error:
        return _keep_checkpoint(training, recorder, f"error: {error}; stopped at iteration {training.iteration}")
    except KeyboardInterrupt:
        _keep_checkpoint(
            training, recorder, f"rank {training.world.rank} interrupted at iteration {training.iteration}"
        )
        return 130
    finally:
        leave()
    if main and not args.quiet:
        print(f"run folder: {run_dir}")
    return 1 if event.reason == "diverged" else 0


def _rank_training(args: argparse.Namespace, overrides: list[str]):
    """This rank's training (new, or resumed from the run folder) and the run folder rank 0 writes."""
    from studio.engine import Training
    from studio.engine.distributed import launched_ranks
    from studio.export import prepare_run_dir
    from studio.export.resume import resume_training

    if args.seeds is not None or (args.preset is None) == (args.resume is None):
        raise ConfigError("under torchrun, give either a preset or --resume RUN_DIR (and no --seeds)")
    if args.resume is not None:
        return resume_training(args.resume, overrides)[0], args.resume
    path = resolve_preset_path(args.preset)
    training = Training(load_preset(path, [*overrides, f"training.processes={launched_ranks()}"]))
    run_dir = args.out or _new_out(path)
    if training.world.is_main:
        prepare_run_dir(run_dir, overwrite=args.overwrite)
    return training, run_dir


def _keep_checkpoint(training, recorder, message: str) -> int:
    """Rank 0 keeps the run as it stands as a checkpoint and a summary; every rank says what happened."""
    from studio.engine import RunFinished
    from studio.runs.child import EXIT_PEER_LOST

    if recorder is not None:
        recorder.checkpoint_now()
        recorder.finish(RunFinished(training.iteration, "interrupted", training.train_seconds, 0.0, None))
    print(f"studio: {message}", file=sys.stderr)
    return EXIT_PEER_LOST


_TERMINATION = {"requested": False}


def stop_on_sigterm() -> Callable[[], bool]:
    """A ``should_stop`` for :meth:`Training.events` that says yes once this process has had SIGTERM.

    torchrun ends the other ranks with SIGTERM when one fails: instead of dying at once, rank 0 meets
    the lost peer at its next collective (``PeerLost``) with a state it can checkpoint; and a
    SIGTERM sent to the whole run (rank 0's, broadcast) stops every rank at the same iteration.
    """

    def handler(_signum, _frame) -> None:
        _TERMINATION["requested"] = True

    signal.signal(signal.SIGTERM, handler)
    return lambda: _TERMINATION["requested"]
