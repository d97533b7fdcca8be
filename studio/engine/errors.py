"""Failures during training that the user can act on."""

from __future__ import annotations


class NonFiniteStep(ArithmeticError):
    """A meta-iteration produced a non-finite loss or gradient; the parameters were not updated."""

    def __init__(self, what: str):
        self.what = what  # "meta-loss" or "gradient of 0.weight"
        super().__init__(f"non-finite {what}")
