"""Which devices this machine has, and turning a preset's ``device`` into one."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

from studio.config import ConfigError


@dataclass(frozen=True)
class DeviceInfo:
    name: str  # what a preset says: "cpu", "cuda:0", "mps"
    description: str  # what a person reads


def available_devices() -> list[DeviceInfo]:
    """CPU first, then each CUDA device by name and memory, then MPS."""
    threads = torch.get_num_threads()
    found = [DeviceInfo("cpu", f"CPU ({threads} threads, {os.cpu_count()} cores)")]
    if torch.cuda.is_available():
        for index in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(index)
            memory = props.total_memory / 2**30
            found.append(DeviceInfo(f"cuda:{index}", f"{props.name} ({memory:.0f} GiB)"))
    if _mps_available():
        found.append(DeviceInfo("mps", "Apple GPU (MPS)"))
    return found


@dataclass(frozen=True)
class ProcessChoice:
    """A launch of several processes (torchrun) that this machine can run."""

    device: str
    processes: int
    label: str


def process_choices() -> list[ProcessChoice]:
    """The CPU shared by 2..cores processes (gloo), and every GPU, one process each, when there are several (NCCL)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    found = [ProcessChoice("cpu", n, f"CPU, {n} processes (torchrun, gloo)") for n in range(2, cores + 1)]
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if gpus > 1:
        found.append(ProcessChoice("cuda", gpus, f"all {gpus} GPUs, a process each (torchrun, NCCL)"))
    return found


def resolve_device(name: str) -> torch.device:
    """``auto`` picks CUDA, then MPS, then the CPU; anything else must exist here."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda:0")
        return torch.device("mps") if _mps_available() else torch.device("cpu")
    try:
        device = torch.device(name)
    except (RuntimeError, ValueError):
        raise ConfigError.at("training.device", f"is '{name}'; expected auto, cpu, cuda, cuda:N or mps") from None
    _check_present(device)
    return device


def _check_present(device: torch.device) -> None:
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError.at("training.device", "cuda requested but no CUDA device is available")
        count = torch.cuda.device_count()
        if device.index is not None and device.index >= count:
            raise ConfigError.at("training.device", f"{device} requested but this machine has {count} CUDA device(s)")
    elif device.type == "mps" and not _mps_available():
        raise ConfigError.at("training.device", "mps requested but no Apple GPU (MPS) is available")
    elif device.type not in ("cpu", "cuda", "mps"):
        raise ConfigError.at("training.device", f"is '{device}'; expected auto, cpu, cuda, cuda:N or mps")


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())
