"""A run's note and tags (``notes.json`` in its folder): what the researcher says about it.

Kept apart from the files the recorder writes, so annotating a run never
touches its results, and a run still training can be annotated.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from studio.config import ConfigError, atomic_write_text

NOTES_FILE = "notes.json"
MAX_NOTE_CHARS = 10_000
TAG = re.compile(r"^[\w.+-]{1,40}$")


@dataclass(frozen=True)
class Annotations:
    note: str = ""
    tags: tuple[str, ...] = ()


def read_annotations(run_dir: str | Path) -> Annotations:
    """The run's note and tags; a missing or unreadable file is an empty note and no tags."""
    try:
        document = json.loads((Path(run_dir) / NOTES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Annotations()
    if not isinstance(document, dict):
        return Annotations()
    note = document.get("note")
    tags = document.get("tags")
    return Annotations(
        note if isinstance(note, str) else "",
        tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else (),
    )


def set_note(run_dir: str | Path, note: str) -> Annotations:
    if len(note) > MAX_NOTE_CHARS:
        raise ConfigError(f"a note is at most {MAX_NOTE_CHARS} characters, got {len(note)}")
    return _write(run_dir, Annotations(note.strip(), read_annotations(run_dir).tags))


def add_tag(run_dir: str | Path, tag: str) -> Annotations:
    tag = check_tag(tag)
    current = read_annotations(run_dir)
    if tag in current.tags:
        return current
    return _write(run_dir, Annotations(current.note, (*current.tags, tag)))


def remove_tag(run_dir: str | Path, tag: str) -> Annotations:
    current = read_annotations(run_dir)
    return _write(run_dir, Annotations(current.note, tuple(t for t in current.tags if t != tag)))


def set_annotations(run_dir: str | Path, annotations: Annotations) -> Annotations:
    """Replace the run's note and tags (each tag checked) at once: the runs panel's Notes dialog."""
    if len(annotations.note) > MAX_NOTE_CHARS:
        raise ConfigError(f"a note is at most {MAX_NOTE_CHARS} characters, got {len(annotations.note)}")
    tags = tuple(dict.fromkeys(check_tag(tag) for tag in annotations.tags))
    return _write(run_dir, Annotations(annotations.note.strip(), tags))


def annotation_text(note: str, tags: tuple[str, ...] | list[str], width: int = 60) -> str:
    """``#tag #other  the note``, the note on one line cut to ``width`` characters."""
    text = " ".join(f"#{tag}" for tag in tags)
    short = note.replace("\n", " ")
    short = short if len(short) <= width else short[: width - 3] + "..."
    return f"{text}  {short}".strip()


def check_tag(tag: str) -> str:
    tag = tag.strip()
    if not TAG.match(tag):
        raise ConfigError(f"tag {tag!r}: use 1 to 40 letters, digits, '.', '_', '+' or '-' (no spaces)")
    return tag


def _write(run_dir: str | Path, annotations: Annotations) -> Annotations:
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ConfigError(f"{run_dir}: no such run folder")
    document = {"note": annotations.note, "tags": list(annotations.tags)}
    atomic_write_text(run_dir / NOTES_FILE, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return annotations
