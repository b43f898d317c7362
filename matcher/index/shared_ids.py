"""One object per external id and per row number across every id map, for forked workers.

The vector and lexical indexes, the catalogue and the case base each map external ids to row numbers.
A request looks up hundreds of ids in each, and every id or row number it reads has its reference count
written, so a worker forked from the loaded engine copies the memory page holding it. Built separately,
each map had its own id strings and its own int objects (Python shares only -5..256): four copies of
the same values, four sets of pages copied. Maps built at load through here hold the same interned id
strings and the same int objects, so a worker copies one set of pages, a quarter as many.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable, Sequence

_ROWS: list[int] = []
_LOCK = threading.Lock()


def shared_rows(count: int) -> list[int]:
    """The shared int objects 0..count-1 (the table grows under a lock: its items must stay `i`)."""
    if len(_ROWS) < count:
        with _LOCK:
            if len(_ROWS) < count:
                _ROWS.extend(range(len(_ROWS), count))
    return _ROWS


def shared_id(external_id: object) -> str:
    """The interned form of this id: one string object for every map that holds it."""
    return sys.intern(str(external_id))


def row_map(ids: Sequence[str | None], rows: Iterable[int] | None = None) -> dict[str, int]:
    """{id: row} for these rows of `ids` (all rows, skipping None, when `rows` is None)."""
    numbers = shared_rows(len(ids))
    chosen = range(len(ids)) if rows is None else rows
    return {shared_id(ids[row]): numbers[row] for row in chosen if ids[row] is not None}


def shared_list(ids: Iterable[str | None]) -> list[str | None]:
    """These ids interned (None kept)."""
    return [None if external_id is None else shared_id(external_id) for external_id in ids]
