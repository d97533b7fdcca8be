"""Which task families, models and algorithms go together, checked in one place.

Each settings class declares what it is or takes: a family what its tasks are
(``tasks_are``, ``input_kind``), a model the inputs it takes (``input_kinds``),
an algorithm the kinds of task it applies to (``task_kinds``).  Validation of
a preset, the window's form and the engine (which learns a CSV target's kind
only from the data) all call :func:`combination_errors`, so each says the
same thing about the same combination.
"""

from __future__ import annotations

from studio.config.errors import ConfigError, FieldError
from studio.config.registry import MODELS, TASKS
from studio.config.sections import AlgorithmConfig, ModelConfig, TaskConfig

INPUT_WORDS = {"vector": "vectors of numbers", "image": "images"}


def combination_errors(
    task: TaskConfig, model: ModelConfig, algorithm: AlgorithmConfig, kind: str | None = None
) -> list[FieldError]:
    """What is wrong with training ``algorithm`` with ``model`` on ``task``'s tasks (``kind``: as the data says)."""
    kind = kind or task.task_kind()
    errors = []
    if kind is not None and kind not in algorithm.task_kinds:
        errors.append(FieldError("algorithm.name", algorithm_message(algorithm, kind)))
    if task.input_kind not in model.input_kinds:
        errors.append(FieldError("model.kind", model_message(model, task)))
    return errors


def check_combination(
    task: TaskConfig, model: ModelConfig, algorithm: AlgorithmConfig, kind: str | None = None
) -> None:
    """Raise :class:`ConfigError` with :func:`combination_errors`, if there are any."""
    errors = combination_errors(task, model, algorithm, kind)
    if errors:
        raise ConfigError(errors)


def algorithm_message(algorithm: AlgorithmConfig, kind: str) -> str:
    needs = " or ".join(algorithm.task_kinds)
    families = [name for name in TASKS.names() if TASKS.get(name).tasks_are in algorithm.task_kinds]
    where = f" (task families: {', '.join(families)})" if families else ""
    return f"'{algorithm.name}' does not apply to {kind} tasks; it needs {needs} tasks{where}"


def model_message(model: ModelConfig, task: TaskConfig) -> str:
    takes = " or ".join(INPUT_WORDS.get(k, k) for k in model.input_kinds)
    inputs = INPUT_WORDS.get(task.input_kind, task.input_kind)
    fitting = fitting_models(task.input_kind)
    use = f": use {' or '.join(fitting)}" if fitting else ""
    return f"'{model.kind}' takes {takes}, but '{task.family}' tasks are {inputs}{use}"


def fitting_models(input_kind: str) -> list[str]:
    """Model kinds that take ``input_kind`` inputs, the default model first."""
    names = [name for name in MODELS.names() if input_kind in MODELS.get(name).input_kinds]
    default = ModelConfig().kind
    return sorted(names, key=lambda name: name != default)
