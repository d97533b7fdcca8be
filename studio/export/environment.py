"""``environment.json``: exactly what produced a run, so a result can be traced and repeated.

The command line, the studio's version, the git commit (and whether the tree
was dirty, with the diff) of the work tree the preset lives in, the Python,
torch, CUDA and cuDNN versions, the device, the installed packages as
``pip freeze`` lists them, and a manifest of the data files the preset reads
(each file's size and SHA-256, and one hash over them all).
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from studio.config import Preset, atomic_write_text, public_fields, spec_of

ENVIRONMENT_FILE = "environment.json"
MAX_DIFF_BYTES = 1_000_000  # a larger diff is cut, and says so
GIT_SECONDS = 10
_command_line: list[str] | None = None


def set_command_line(argv: list[str]) -> None:
    """What the user typed (``studio run ...``): the CLI says so, as it may be called with its own ``argv``."""
    global _command_line
    _command_line = list(argv)


def record_environment(
    run_dir: Path, preset: Preset, device: str, preset_source: Path | None = None, resumed: bool = False
) -> None:
    """Write ``environment.json`` into ``run_dir`` (atomically).  A resumed run keeps the first
    environment and adds the one it continued in under ``resumes``."""
    document = environment(preset, device, preset_source)
    earlier = read_environment(run_dir) if resumed else None
    if earlier is not None:
        earlier.setdefault("resumes", []).append(document)
        document = earlier
    atomic_write_text(Path(run_dir) / ENVIRONMENT_FILE, json.dumps(document, indent=2) + "\n")


def environment(preset: Preset, device: str, preset_source: Path | None = None) -> dict[str, Any]:
    from studio import __version__

    return {
        "command": _command_line if _command_line is not None else list(sys.argv),
        "studio_version": __version__,
        "git": git_state(preset_source.parent if preset_source else None),
        "python": platform.python_version(),
        "platform": platform.platform(),
        **torch_versions(device),
        "packages": installed_packages(),
        "data": data_manifest(data_paths(preset)),
    }


def torch_versions(device: str) -> dict[str, Any]:
    import torch

    cuda = torch.cuda.is_available()
    return {
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version() if cuda else None,
        "device": device,
        "device_name": torch.cuda.get_device_name(torch.device(device)) if device.startswith("cuda") else _cpu_name(),
    }


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def installed_packages() -> list[str]:
    """``name==version`` for every installed distribution, sorted as ``pip freeze`` sorts them."""
    found = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found[name.lower()] = f"{name}=={dist.version}"
    return [found[key] for key in sorted(found)]


def git_state(folder: Path | None) -> dict[str, Any] | None:
    """The commit, dirtiness and diff of the git work tree holding ``folder``, or None outside one."""
    if folder is None:
        return None
    commit = _git(folder, "rev-parse", "HEAD")
    if commit is None:
        return None
    status = _git(folder, "status", "--porcelain") or ""
    diff = _git(folder, "diff", "HEAD") or ""
    state = {"commit": commit, "dirty": bool(status.strip()), "root": _git(folder, "rev-parse", "--show-toplevel")}
    if diff:
        state["diff"] = diff[:MAX_DIFF_BYTES]
        state["diff_truncated"] = len(diff) > MAX_DIFF_BYTES
    if status.strip():
        state["status"] = status.splitlines()
    return state


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=GIT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def data_paths(preset: Preset) -> list[Path]:
    """The files and folders the preset reads (its fields marked ``is_path``)."""
    paths = []
    for section in (preset.task, preset.training):
        for field in public_fields(type(section)):
            value = getattr(section, field.name)
            if spec_of(field).is_path and isinstance(value, str) and value:
                paths.append(Path(value))
    return paths


def data_manifest(paths: Iterable[Path]) -> dict[str, Any]:
    """Each data file (a folder's files, recursively) with its size and SHA-256, and one hash over all."""
    files = []
    for path in paths:
        candidates = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in candidates:
            if file.is_file():
                files.append({"path": str(file), "bytes": file.stat().st_size, "sha256": file_hash(file)})
    overall = hashlib.sha256("".join(f"{f['path']}:{f['sha256']}\n" for f in files).encode()).hexdigest()
    return {"files": files, "sha256": overall}


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def environment_differences(documents: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Which environment entries differ between runs: ``{entry: {run: value}}`` (packages compared by name)."""
    if len(documents) < 2:
        return {}
    flat = {run: _flatten(document) for run, document in documents.items()}
    keys = sorted({key for values in flat.values() for key in values})
    return {
        key: {run: values.get(key, "-") for run, values in flat.items()}
        for key in keys
        if len({values.get(key, "-") for values in flat.values()}) > 1
    }


def _flatten(document: dict[str, Any]) -> dict[str, str]:
    flat = {key: str(document.get(key)) for key in ("studio_version", "python", "torch", "cuda", "cudnn", "device")}
    flat["device_name"] = str(document.get("device_name"))
    git = document.get("git") or {}
    flat["git commit"] = f"{git.get('commit', '-')}{' (dirty)' if git.get('dirty') else ''}"
    flat["data"] = str((document.get("data") or {}).get("sha256", "-"))
    for package in document.get("packages", []):
        name, _, version = package.partition("==")
        flat[f"package {name}"] = version
    return flat


def read_environment(run_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads((Path(run_dir) / ENVIRONMENT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
