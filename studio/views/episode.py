"""An image episode as the window draws it (no Qt here): the preview's sampled one, or a held-out fit's."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Episode:
    """Images (n, channels, height, width) in [0, 1] with their labels, as an episode or a fit record has them."""

    support_images: np.ndarray
    support_labels: np.ndarray
    query_images: np.ndarray
    query_labels: np.ndarray
    class_names: tuple[str, ...] = ()
