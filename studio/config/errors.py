"""Errors that carry the field they are about, so every front end can show them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: ``path`` is dotted, e.g. ``task.shots``."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path} {self.message}" if self.path else self.message


class ConfigError(ValueError):
    """Bad user input: a preset, an override, a device, a file.

    The command line prints it and exits with status 2; the window marks the
    fields named in :attr:`errors`.
    """

    def __init__(self, errors: Iterable[FieldError] | str):
        if isinstance(errors, str):
            errors = [FieldError("", errors)]
        self.errors: tuple[FieldError, ...] = tuple(errors)
        super().__init__("\n".join(str(e) for e in self.errors))

    @classmethod
    def at(cls, path: str, message: str) -> ConfigError:
        return cls([FieldError(path, message)])


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest option, or an empty string."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
