"""Where batch normalisation takes its statistics from: the whole batch, or only its first rows.

Conv-4 normalises with the statistics of the batch it is given (no running averages).  Scoring a query
set that way is transductive: each query's prediction depends on the other queries.  To classify each
query on its own, a learner runs the support and query examples as one batch with the statistics taken
from the support rows only (:func:`statistics_from_first`); the normalisation layers read it here.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

# None: every row of the batch; n: the first n rows (the support set placed ahead of the queries)
_STATISTICS_ROWS: contextvars.ContextVar[int | None] = contextvars.ContextVar("statistics_rows", default=None)


def statistics_rows() -> int | None:
    """How many leading rows of a batch normalisation statistics come from (None: all of them)."""
    return _STATISTICS_ROWS.get()


@contextlib.contextmanager
def statistics_from_first(rows: int) -> Iterator[None]:
    """Within this block, batch normalisation uses the statistics of each batch's first ``rows`` rows."""
    token = _STATISTICS_ROWS.set(rows)
    try:
        yield
    finally:
        _STATISTICS_ROWS.reset(token)
