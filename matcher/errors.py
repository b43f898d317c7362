"""Domain errors the API maps to its one JSON error shape and the CLI to a one-line cause."""

from __future__ import annotations


class TremplinError(Exception):
    """Base class: a problem the user can act on, with a readable (English) message.

    `code` and `params` name it for the message catalogue, so pages render it in the reader's language.
    """

    def __init__(self, message: str = "", code: str | None = None, **params: str | int | float) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


class CodedValueError(ValueError):
    """A bad value the message catalogue can name in any language: a code, its parameters, English text.

    Pydantic keeps the exception in a validation error's ``ctx["error"]``, so pages and import reports
    can render ``code`` with ``params`` in the reader's language; the API and logs read the English text.
    """

    def __init__(self, message: str, code: str = "v_invalid", **params: str | int | float) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


class NotFoundError(TremplinError):
    def __init__(self, kind: str, external_id: str) -> None:
        super().__init__(f"{kind} {external_id!r} not found")
        self.kind = kind
        self.external_id = external_id


class ConflictError(TremplinError):
    """The request contradicts the current state (e.g. editing an approved digest)."""


class ModelUnavailableError(TremplinError):
    """A configured embedding model is not available locally (we never download one)."""


class IndexCorruptError(TremplinError):
    """An index file on disk does not match its manifest; it must be rebuilt, not served."""
