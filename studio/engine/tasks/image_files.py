"""Finding image classes in folders and loading them with Pillow.

A class is a folder that directly holds image files, at any depth below the
root, so ``root/class/*.png`` and Omniglot's ``root/alphabet/character/*.png``
both work.  Hidden entries (``.DS_Store``, ``._x.png``) and files of other
types are ignored; folders reached twice (symbolic-link loops) are walked once.
An image that cannot be decoded is skipped and counted.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from studio.config import ConfigError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff")
SHOWN_FILES = 3  # how many skipped files a notice names
UNREADABLE = "unreadable or corrupt image(s) skipped"


@dataclass(frozen=True)
class ImageClass:
    """One class: its name (the folder's path below the root) and its image files, sorted."""

    name: str
    folder: Path
    files: tuple[Path, ...]


def find_classes(root: Path, field: str) -> list[ImageClass]:
    """Every folder below ``root`` (``root`` too) that directly holds image files, sorted by name."""
    _check_root(root, field)
    found = []
    for folder, files in _walk(root):
        if files:
            name = folder.relative_to(root).as_posix() if folder != root else root.name
            found.append(ImageClass(name, folder, tuple(sorted(files))))
    if not found:
        kinds = ", ".join(IMAGE_SUFFIXES)
        raise ConfigError.at(
            field,
            f"{root}: no images found in it or any subfolder (looked for {kinds}); "
            "expected one folder of images per class, e.g. root/cat/001.png",
        )
    return sorted(found, key=lambda c: c.name)


def _check_root(root: Path, field: str) -> None:
    if not str(root).strip() or str(root) == ".":
        raise ConfigError.at(field, "is empty; expected a folder holding one folder of images per class")
    if not root.exists():
        raise ConfigError.at(field, f"{root}: no such folder")
    if not root.is_dir():
        raise ConfigError.at(field, f"{root}: is a file; expected a folder holding one folder of images per class")


def _walk(root: Path) -> Iterator[tuple[Path, list[Path]]]:
    """(folder, image files directly in it) for every folder below ``root``, each real folder once."""
    seen: set[tuple[int, int]] = set()
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            info = folder.stat()
            if (info.st_dev, info.st_ino) in seen:
                continue
            seen.add((info.st_dev, info.st_ino))
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue  # unreadable folder, or a link loop that never resolves
        files = [Path(e.path) for e in entries if not e.name.startswith(".") and _is_image_file(e)]
        pending += [Path(e.path) for e in reversed(entries) if not e.name.startswith(".") and _is_dir(e)]
        yield folder, files


def _is_image_file(entry: os.DirEntry) -> bool:
    try:
        return entry.name.lower().endswith(IMAGE_SUFFIXES) and entry.is_file()
    except OSError:
        return False


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def fingerprint(classes: list[ImageClass]) -> tuple:
    """What the loaded pixels depend on: each file's path, size and modification time."""
    marks = []
    for image_class in classes:
        for path in image_class.files:
            try:
                info = path.stat()
                marks.append((str(path), info.st_size, info.st_mtime_ns))
            except OSError:
                marks.append((str(path), -1, -1))
    return tuple(marks)


MAX_PIXELS = 40_000_000  # far above any photo a few-shot task needs; a skipped file is counted in a notice


def load_image(path: Path, size: int, color: str) -> np.ndarray | None:
    """The image at ``path`` as uint8 (channels, size, size), or ``None`` if it cannot be decoded.

    GIF and TIFF give their first frame; transparent pixels become white.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's warnings about odd but readable files
            with Image.open(path) as image:
                if image.width * image.height > MAX_PIXELS:  # refuse before decoding: a decompression bomb
                    return None
                image.seek(0)
                image = _on_white(image).convert("L" if color == "grayscale" else "RGB")
                image = image.resize((size, size), Image.Resampling.LANCZOS)
                pixels = np.asarray(image, dtype=np.uint8)
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError, MemoryError):
        return None
    return pixels[None] if pixels.ndim == 2 else pixels.transpose(2, 0, 1)


def _on_white(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba)
    return image


def skipped_notice(skipped: list[Path], root: Path) -> str:
    """The warning for files that could not be read, naming the first few."""
    shown = ", ".join(_relative(p, root) for p in skipped[:SHOWN_FILES])
    more = ", ..." if len(skipped) > SHOWN_FILES else ""
    return f"{len(skipped)} {UNREADABLE}: {shown}{more}"


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
