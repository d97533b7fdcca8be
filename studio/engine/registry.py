"""The implementations behind the names a preset uses, one module each."""

from __future__ import annotations

from studio.config.registry import Registry

FAMILIES = Registry("task", "family", "studio.engine.tasks")
MODEL_BUILDERS = Registry("model", "kind", "studio.engine.models")
LEARNERS = Registry("algorithm", "name", "studio.engine.algorithms")
