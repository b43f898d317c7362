"""Whole-file ingestion failures: the file is refused and nothing in the store is touched."""

from __future__ import annotations

from matcher.errors import TremplinError


class IngestError(TremplinError):
    """The file as a whole cannot be read: wrong format, empty, truncated, encoding, missing column.

    The message is one line naming the file and the cause; the CLI exits with code 2.
    """


class IngestStoreError(TremplinError):
    """The database refused the batch; the transaction was rolled back, so nothing was stored."""
