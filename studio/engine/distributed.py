"""One run across several processes (``torchrun``): shards of the meta-batch, summed meta-gradients.

The model is not wrapped in ``DistributedDataParallel``: DDP does not synchronise
gradients of gradients (pytorch #47562) and torch.func transforms fail over a
DDP-wrapped module, so each rank computes the meta-gradient of its shard of the
meta-batch and :meth:`World.average` sums them with one ``all_reduce``,
weighted by the shard's task count, then divides by the global task count.
Every rank draws the whole meta-batch from the same seeded stream and keeps
its contiguous shard, so the tasks, their order and the result do not depend
on the number of processes, and a checkpoint resumes on any number of them.

A :class:`World` of one process (no ``torchrun``) does nothing at all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

import torch
import torch.distributed as dist

from studio.config import ConfigError, FieldError, TrainingConfig
from studio.engine.tasks.base import TaskBatch

Params = dict[str, torch.Tensor]


class PeerLost(RuntimeError):
    """A collective operation failed: another process of the run died or cannot be reached."""


def shard_sizes(total: int, ranks: int) -> list[int]:
    """How many of ``total`` items each rank takes: contiguous, the first ``total % ranks`` one more."""
    base, extra = divmod(total, ranks)
    return [base + (rank < extra) for rank in range(ranks)]


def shard_slice(total: int, rank: int, ranks: int) -> slice:
    sizes = shard_sizes(total, ranks)
    start = sum(sizes[:rank])
    return slice(start, start + sizes[rank])


@dataclass(frozen=True)
class World:
    """This process's place in the run: its rank among ``size`` processes (``here`` on this machine), its device."""

    rank: int = 0
    size: int = 1
    device: torch.device = torch.device("cpu")
    here: int = 1

    @property
    def wire(self) -> torch.device:
        """Where collectives run: the GPU under NCCL, the CPU under gloo."""
        return self.device if self.device.type == "cuda" else torch.device("cpu")

    @property
    def is_main(self) -> bool:
        """Rank 0 alone writes the run folder, metrics, checkpoints and the event stream."""
        return self.rank == 0

    def shard(self, batch: TaskBatch) -> TaskBatch:
        """This rank's contiguous part of ``batch``."""
        return batch if self.size == 1 else batch.select(shard_slice(len(batch), self.rank, self.size))

    def average(self, grads: Params, loss: torch.Tensor, count: int) -> tuple[Params, torch.Tensor]:
        """The meta-gradient and loss of the global meta-batch, from this shard's means over ``count`` tasks."""
        if self.size == 1:
            return grads, loss
        parts = [g.reshape(-1) for g in grads.values()] + [loss.reshape(1), torch.ones(1, dtype=loss.dtype)]
        flat = torch.cat([p.to(self.wire, loss.dtype) for p in parts]) * count
        self._collective(dist.all_reduce, flat)
        flat = flat[:-1] / flat[-1]  # divide by the global task count
        sizes = [g.numel() for g in grads.values()]
        pieces = flat[:-1].split(sizes)
        summed = {k: p.view_as(g).to(g) for (k, g), p in zip(grads.items(), pieces)}
        return summed, flat[-1].to(loss)

    def gather(self, rows: torch.Tensor, total: int) -> torch.Tensor:
        """Every rank's ``rows`` (its shard of ``total`` items, first axis), concatenated in rank order."""
        if self.size == 1:
            return rows
        sizes = shard_sizes(total, self.size)
        padded = torch.zeros((max(sizes), *rows.shape[1:]), dtype=rows.dtype, device=self.wire)
        padded[: len(rows)] = rows.to(self.wire)
        parts = [torch.empty_like(padded) for _ in sizes]
        self._collective(dist.all_gather, parts, padded)
        return torch.cat([part[:size] for part, size in zip(parts, sizes)]).to(rows.device)

    def broadcast(self, params: Params) -> None:
        """Make every rank's ``params`` rank 0's, in place."""
        if self.size == 1:
            return
        with torch.no_grad():
            for tensor in params.values():
                on_wire = tensor.detach().to(self.wire)
                self._collective(dist.broadcast, on_wire, 0)
                tensor.copy_(on_wire)

    def rates(self, busy_seconds: float) -> tuple[float, ...]:
        """Every rank's meta-iterations/s from its own work of this iteration (waiting for the others excluded)."""
        if self.size == 1:
            return ()
        mine = torch.tensor([busy_seconds], dtype=torch.float64, device=self.wire)
        parts = [torch.empty_like(mine) for _ in range(self.size)]
        self._collective(dist.all_gather, parts, mine)
        return tuple(1.0 / max(float(part), 1e-9) for part in parts)

    def agree(self, answer: bool) -> bool:
        """Rank 0's ``answer``, on every rank (so that all stop at the same iteration)."""
        if self.size == 1:
            return answer
        flag = torch.tensor([float(answer)], device=self.wire)
        self._collective(dist.broadcast, flag, 0)
        return bool(flag.item())

    def _collective(self, operation, *args) -> None:
        try:
            operation(*args)
        except RuntimeError as error:  # gloo and NCCL report a lost peer as RuntimeError (DistBackendError)
            reason = str(error).split("] ", 1)[-1].split(". ", 1)[0]  # gloo: "[file:line] Read error ...: reset. ..."
            raise PeerLost(f"rank {self.rank} lost contact with another process of the run ({reason})") from None


ALONE = World()  # a run of one process


def launched_ranks() -> int:
    """The number of processes ``torchrun`` started this run with (1 when it did not)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def join(device: torch.device) -> World:
    """This process's :class:`World`, joining ``torchrun``'s process group (NCCL on CUDA, gloo otherwise)."""
    if launched_ranks() == 1:
        return World(device=device)
    if device.type == "cuda":
        device = _gpu_of_this_rank()
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo", timeout=peer_wait())
    here = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
    return World(dist.get_rank(), dist.get_world_size(), device, here)


PEER_WAIT_ENV = "STUDIO_PEER_WAIT_S"


def peer_wait() -> timedelta | None:
    """How long a rank waits for the others at a collective: ``STUDIO_PEER_WAIT_S`` (the window sets days, so
    that a run paused there holds its other ranks), else torch's default."""
    seconds = os.environ.get(PEER_WAIT_ENV)
    return timedelta(seconds=float(seconds)) if seconds else None


def _gpu_of_this_rank() -> torch.device:
    """One GPU per process on each machine: ``cuda:LOCAL_RANK``."""
    local, gpus = int(os.environ.get("LOCAL_RANK", "0")), torch.cuda.device_count()
    if local >= gpus:
        raise ConfigError.at("training.processes", f"asks for more processes on this machine than its {gpus} GPU(s)")
    torch.cuda.set_device(local)
    return torch.device("cuda", local)


def leave() -> None:
    """Leave the process group, if this process joined one."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def process_errors(training: TrainingConfig, ranks: int | None = None) -> list[FieldError]:
    """What a run of ``ranks`` processes (default ``training.processes``) cannot share: every process needs at
    least one task of each meta-batch and of the held-out tasks."""
    ranks = training.processes if ranks is None else ranks
    return [
        FieldError(f"training.{name}", f"is {value} but the run has {ranks} processes; each needs at least one task")
        for name, value in (("meta_batch_size", training.meta_batch_size), ("eval_tasks", training.eval_tasks))
        if ranks > value
    ]


def check_shardable(training: TrainingConfig, ranks: int) -> None:
    """Raise :func:`process_errors` for a run of ``ranks`` processes, if there are any."""
    errors = process_errors(training, ranks)
    if errors:
        raise ConfigError(errors)


def check_processes(training: TrainingConfig, device: torch.device) -> None:
    """What the launch of ``training.processes`` on ``device`` would refuse, before anything starts (the window's
    form, ``studio run --nproc``): its shards, and one GPU per process on CUDA."""
    check_shardable(training, training.processes)
    gpus = torch.cuda.device_count() if device.type == "cuda" else 0
    if training.processes > 1 and device.type == "cuda" and training.processes > gpus:
        raise ConfigError.at("training.processes", f"asks for more processes on this machine than its {gpus} GPU(s)")
