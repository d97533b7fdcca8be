"""Independent, reproducible random streams derived from one seed.

Training tasks, evaluation tasks, test tasks (``studio eval``), the validation
tasks baselines are tuned on and the model's initialisation each get their own
generator, so that changing how many tasks one of them draws never changes
what another sees.
"""

from __future__ import annotations

import numpy as np
import torch

STREAMS = ("model", "train", "eval", "test", "tuning")  # append only: a stream's index seeds it


def stream_seed(seed: int, stream: str) -> int:
    """A 63-bit seed for ``stream``, a pure function of the preset's seed."""
    sequence = np.random.SeedSequence([seed, STREAMS.index(stream)])
    return int(sequence.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def generator(seed: int, stream: str) -> torch.Generator:
    """A CPU generator for ``stream``: tasks are drawn on the CPU so every device sees the same ones."""
    return torch.Generator().manual_seed(stream_seed(seed, stream))
