"""What a run driver and its child process say to each other besides the engine's records."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from studio.config import FieldError, Preset


@dataclass(frozen=True)
class RunRequest:
    """A run to start: ``preset`` into ``run_dir`` (``None``: not recorded), or with ``resume`` the run recorded
    in ``run_dir`` from its newest checkpoint (``overrides`` may extend its budget).  ``paused`` with
    ``steps`` starts it waiting after that many meta-iterations."""

    preset: Preset | None
    run_dir: str | None
    resume: bool = False
    overrides: tuple[str, ...] = ()
    paused: bool = False
    steps: int = 0
    torch_threads: int = 0  # 0: torch's own choice; the window leaves a core for itself
    preset_source: str | None = None  # the preset file (environment.json records its git work tree)


class ControlAction(StrEnum):
    PAUSE = "pause"  # hold between meta-iterations (after any evaluation due)
    RESUME = "resume"
    STEP = "step"  # exactly one more meta-iteration, then hold
    STOP = "stop"  # finish with one last evaluation and save
    CHECKPOINT = "checkpoint"  # a paused run: write a checkpoint as it stands (to export its model)
    DETACH = "detach"  # the window leaves it running: records go to its folder's events.jsonl, controls come from
    # its control.jsonl (studio.runs.journal), and its stdin closing no longer stops it


@dataclass(frozen=True)
class Control:
    """A request to a running child (its stdin); a hard kill is a signal, not a message."""

    action: ControlAction


@dataclass(frozen=True)
class RunFailed:
    """The run ended by an exception: ``message`` for the user, ``details`` (a traceback) for a bug report;
    ``field_errors`` when the engine refused the settings (then there is no traceback)."""

    message: str
    details: str = ""
    field_errors: tuple[FieldError, ...] = ()


@dataclass(frozen=True)
class Parked:
    """The child is paused and waiting after ``iteration``: its model is not changing."""

    iteration: int


@dataclass(frozen=True)
class Checkpointed:
    """A checkpoint of the paused run at ``iteration`` is in its folder (the answer to ``CHECKPOINT``)."""

    iteration: int
