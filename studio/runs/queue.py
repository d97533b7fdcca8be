"""Several runs at once: a queue that starts runs in child processes as slots free up, up to a limit.

A seed series (``studio run --seeds N --parallel P``, the window's seeds box)
and a run started while another trains go through here.  The limit defaults
to one run per two cores on a CPU (a run's meta-step gains little past two
torch threads at these model sizes, and two runs side by side make better use
of the cores than one with all of them) and one run per GPU on CUDA, each run
on its own GPU.  Each run gets ``cores // limit`` torch threads, so runs side
by side do not fight over the cores (``benchmarks/parallel_seeds.py`` measures
what oversubscribing costs).

Qt-free: the queue only starts runs when :meth:`RunQueue.poll` is called; the
command line polls in a loop (:meth:`RunQueue.join`), the window from a timer.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from typing import Any, Generic, Protocol, TypeVar

from studio.runs.messages import RunRequest
from studio.runs.process import ChildExit, ChildRun

POLL_S = 0.05


class QueuedRun(Protocol):
    """What the queue needs of a run: a :class:`ChildRun`, or the window's session around one."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def kill(self) -> None: ...

    def drain(self) -> list: ...

    @property
    def exit(self) -> ChildExit | None: ...


R = TypeVar("R", bound=QueuedRun)


def exited_completed(run: QueuedRun) -> bool:
    """A series' test of a run it watches (``RunQueue(completed=...)``): its process said it completed."""
    return run.exit is not None and run.exit.completed


def cores() -> int:
    """The cores this process may use (its CPU affinity where the platform says, else all of them)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def cuda_devices(device: str) -> list[str]:
    """The GPUs runs on ``device`` may spread over: every one for ``auto``/``cuda``, the one named, or none."""
    if device in ("cpu", "mps"):
        return []
    import torch  # only asked when a run could go to a GPU: the CPU case stays free of the import

    if not torch.cuda.is_available():
        return []
    if device in ("auto", "cuda"):
        return [f"cuda:{index}" for index in range(torch.cuda.device_count())]
    return [device]


def default_limit(gpus: Sequence[str] = ()) -> int:
    """One run per GPU; without GPUs, one run per two cores (at least one)."""
    return len(gpus) if gpus else max(1, cores() // 2)


def threads_per_run(limit: int) -> int:
    """Torch threads for each of ``limit`` runs side by side, so that together they use every core once."""
    return max(1, cores() // max(1, limit))


class RunQueue(Generic[R]):
    """``add()`` requests; ``poll()`` starts them while fewer than ``limit`` run; ``join()`` until all ended.

    ``threads``: torch threads per run (default :func:`threads_per_run`; 0 leaves torch its own choice, every
    core each).  ``gpus``: the devices runs are spread over, the least busy first (a preset's ``auto``
    becomes one of them).  ``make_run`` builds a run from its request (default a :class:`ChildRun`); ``others``
    counts runs started outside the queue that take slots too.  ``completed`` makes the queue a series (seeds):
    once a run has ended without completing, as it says, the waiting runs are dropped and none starts again."""

    def __init__(
        self,
        limit: int | None = None,
        threads: int | None = None,
        gpus: Sequence[str] = (),
        make_run: Callable[[RunRequest], R] = ChildRun,
        others: Callable[[], int] = lambda: 0,
        completed: Callable[[R], bool] | None = None,
    ):
        self.limit = max(1, limit if limit is not None else default_limit(gpus))
        self.threads = threads_per_run(self.limit) if threads is None else threads
        self.gpus = list(gpus)
        self.make_run = make_run
        self.others = others  # runs outside the queue that share its slots (the window's single runs)
        self.waiting: deque[RunRequest] = deque()
        self.runs: list[R] = []  # every run started, in the order started
        self.completed = completed
        self.failed = False  # a run of the series ended without completing: the queue starts no more
        self._ended_ids: set[int] = set()
        self._unreported: list[R] = []  # ended, not yet returned by ended()
        self._devices: dict[int, str] = {}  # id(run) -> the GPU it was given

    def add(self, request: RunRequest) -> None:
        """Queue a run; it starts at the next :meth:`poll` with a slot free."""
        self.waiting.append(request)

    @property
    def running(self) -> list[R]:
        """Started and not yet ended, in the order started."""
        return [run for run in self.runs if run.exit is None]

    @property
    def idle(self) -> bool:
        """Nothing waits and nothing runs."""
        return not self.waiting and not self.running

    @property
    def room(self) -> int:
        """How many more runs may start now.  A run's end counts once noted (a run's ``exit`` is set by its reader
        thread at any moment: a slot read as free before its failure was noted let the next seed of a series in)."""
        self._note_endings()
        noted_running = sum(1 for run in self.runs if id(run) not in self._ended_ids)
        return max(0, self.limit - noted_running - self.others())

    def poll(self) -> list[R]:
        """Start waiting runs while a slot is free (none after a failed run of a series); those started now."""
        started = []
        while self.room and self.waiting and not self.failed:  # room first: it notes endings (and failures)
            started.append(self._start(self.waiting.popleft()))
        return started

    def _start(self, request: RunRequest) -> R:
        device = self._free_gpu()
        request = dataclasses.replace(request, torch_threads=self.threads, preset=_on(request.preset, device))
        run = self.make_run(request)
        run.start()
        self.runs.append(run)
        if device is not None:
            self._devices[id(run)] = device
        return run

    def _free_gpu(self) -> str | None:
        if not self.gpus:
            return None
        busy = Counter(self._devices.get(id(run)) for run in self.running)
        return min(self.gpus, key=lambda gpu: busy[gpu])

    def ended(self) -> list[R]:
        """The runs that ended since the last call, in the order started."""
        self._note_endings()
        ended, self._unreported = self._unreported, []
        return ended

    def _note_endings(self) -> None:
        for run in self.runs:
            if run.exit is not None and id(run) not in self._ended_ids:
                self._ended_ids.add(id(run))
                self._unreported.append(run)
                if self.completed is not None and not self.completed(run):
                    self.failed = True
                    self.cancel_waiting()

    def drain(self) -> list[tuple[R, Any]]:
        """Every started run's records since the last call, as ``(run, record)`` pairs, run by run."""
        return [(run, record) for run in self.runs for record in run.drain()]

    def join(self, timeout: float | None = None, each: Callable[[], None] | None = None) -> bool:
        """Poll until every run has ended (``each`` is called between polls); whether that happened in time."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            self.poll()
            if each is not None:
                each()
            if self.idle:
                return True
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(POLL_S)

    def cancel_waiting(self) -> list[RunRequest]:
        """Drop the runs not started yet; those dropped."""
        dropped = list(self.waiting)
        self.waiting.clear()
        return dropped

    def stop_all(self) -> None:
        """Drop the waiting runs; the running ones finish with a last evaluation and save."""
        self.cancel_waiting()
        for run in self.running:
            run.stop()

    def kill_all(self) -> None:
        """Drop the waiting runs and end the running ones at once (their folders keep the last checkpoint)."""
        self.cancel_waiting()
        for run in self.running:
            run.kill()


def _on(preset, device: str | None):
    """``preset`` trained on ``device`` (a GPU the queue chose), or as it is."""
    if preset is None or device is None or preset.training.device not in ("auto", "cuda"):
        return preset
    return preset.replace(training=dataclasses.replace(preset.training, device=device))
