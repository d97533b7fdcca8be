"""Which devices this machine has, and turning a preset's ``device`` into one.

torch is imported where it is used: the window checks device names while torch is still loading.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from studio.config import ConfigError

if TYPE_CHECKING:
    import torch

DEVICE_NAME = re.compile(r"(cpu|cuda|mps)(:[0-9]+)?")
EXPECTED = "expected auto, cpu, cuda, cuda:N or mps"


@dataclass(frozen=True)
class DeviceInfo:
    name: str  # what a preset says: "cpu", "cuda:0", "mps"
    description: str  # what a person reads


def available_devices() -> list[DeviceInfo]:
    """CPU first, then each CUDA device by name and memory, then MPS."""
    import torch

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


def process_choices(with_gpus: bool = True) -> list[ProcessChoice]:
    """The CPU shared by 2..cores processes (gloo), and every GPU, one process each, when there are several (NCCL).
    ``with_gpus=False``: the CPU's alone, without importing torch (the window, while torch loads)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    found = [ProcessChoice("cpu", n, f"CPU, {n} processes (torchrun, gloo)") for n in range(2, cores + 1)]
    if not with_gpus:
        return found
    import torch

    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if gpus > 1:
        found.append(ProcessChoice("cuda", gpus, f"all {gpus} GPUs, a process each (torchrun, NCCL)"))
    return found


def resolve_device(name: str) -> torch.device:
    """``auto`` picks CUDA, then MPS, then the CPU; anything else must exist here."""
    check_device_name(name)
    import torch

    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda:0")
        return torch.device("mps") if _mps_available() else torch.device("cpu")
    try:
        device = torch.device(name)
    except (RuntimeError, ValueError):
        raise ConfigError.at("training.device", f"is '{name}'; {EXPECTED}") from None
    _check_present(device)
    return device


def check_device_name(name: str) -> None:
    """What :func:`resolve_device` checks without torch: the form of the name, not whether the device is here."""
    if name != "auto" and not DEVICE_NAME.fullmatch(name):
        raise ConfigError.at("training.device", f"is '{name}'; {EXPECTED}")


def _check_present(device: torch.device) -> None:
    import torch

    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError.at("training.device", "cuda requested but no CUDA device is available")
        count = torch.cuda.device_count()
        if device.index is not None and device.index >= count:
            raise ConfigError.at("training.device", f"{device} requested but this machine has {count} CUDA device(s)")
    elif device.type == "mps" and not _mps_available():
        raise ConfigError.at("training.device", "mps requested but no Apple GPU (MPS) is available")
    elif device.type not in ("cpu", "cuda", "mps"):
        raise ConfigError.at("training.device", f"is '{device}'; {EXPECTED}")


def _mps_available() -> bool:
    import torch

    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())
