"""One line about each choice of a section (family, model, algorithm), for the combo box and the line under it.

Algorithms describe themselves (each learner class has a one-line
``description``); families and models by the first line of their settings
module's docstring.  Nothing here lists names: a newly registered choice
describes itself the same way.
"""

from __future__ import annotations

import sys

from studio.config import SECTIONS
from studio.engine.registry import LEARNERS


def choice_descriptions(section: str, engine: bool = True) -> dict[str, str]:
    """Each registered name of ``section`` with its one-line description ('' where it has none).

    ``engine=False``: without the learners' own descriptions (they import torch; the window is still loading it).
    """
    if section not in SECTIONS:
        return {}
    return {name: describe(section, name, engine) for name in SECTIONS[section].names()}


def describe(section: str, name: str, engine: bool = True) -> str:
    if section == "algorithm" and engine:
        text = _learner_description(name)
        if text:
            return text
    try:
        cls = SECTIONS[section].get(name)
    except Exception:  # a name a preset gives but nothing registers: it is marked invalid elsewhere
        return ""
    return _first_line(sys.modules[cls.__module__].__doc__)


def _learner_description(name: str) -> str:
    try:
        return str(getattr(LEARNERS.get(name), "description", "") or "")
    except Exception:  # settings registered without an implementation (a plugin half-installed)
        return ""


def _first_line(text: str | None) -> str:
    lines = (text or "").strip().splitlines()
    return lines[0].strip().replace("``", "") if lines else ""
