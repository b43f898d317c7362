"""File → rows → validated rows → one transaction: the three public entry points of ingestion."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from matcher.ingest import decp, ocds
from matcher.ingest.errors import IngestError, IngestStoreError
from matcher.ingest.readers import SourceRow, open_source, too_many_rows
from matcher.ingest.report import IngestReport, RejectFile, position_label
from matcher.ingest.suppliers import apply_awards
from matcher.ingest.upsert import Outcome, upsert_buyers, upsert_startups, upsert_tenders
from matcher.ingest.validate import Draft, column_map, drafts_from_rows, map_rows, validate
from matcher.store import Store

log = logging.getLogger(__name__)
Kind = Literal["startups", "tenders", "buyers"]
KINDS: tuple[str, ...] = ("startups", "tenders", "buyers")


def ingest_file(
    store: Store,
    kind: Kind,
    path: Path,
    format: str | None = None,
    reject_path: Path | None = None,
    progress: bool = False,
    max_rows: int | None = None,
    keep_rejects: int | None = 1_000,
) -> IngestReport:
    """Import one file; IngestError (nothing stored) when the file as a whole cannot be read.

    Every rejected row goes to `reject_path` (when given); the report keeps the first `keep_rejects`.
    """
    path = Path(path)
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path}: cannot be read ({exc.strerror})") from exc
    return _ingest_data(store, kind, data, path.name, str(path), format, progress, max_rows, keep_rejects, reject_path)


def ingest_bytes(
    store: Store,
    kind: Kind,
    data: bytes,
    filename: str,
    format: str | None = None,
    max_rows: int | None = None,
    keep_rejects: int | None = None,
    reject_path: Path | None = None,
) -> IngestReport:
    """Import an uploaded file held in memory (the API); same rules as ingest_file."""
    return _ingest_data(store, kind, data, filename, filename, format, False, max_rows, keep_rejects, reject_path)


def ingest_records(
    store: Store, kind: Kind, records: Iterable[dict[str, Any]], source: str = "records"
) -> IngestReport:
    """Import already-parsed objects (API bodies, generated samples); `source` also tags stored rows.

    Field names go through the same alias mapping as file columns; a record missing a required field
    is a rejected row (not a whole-batch error), its line being its 1-based position.
    """
    _check_kind(kind)
    rows = [
        SourceRow(index, record, None if isinstance(record, dict) else "not an object")
        for index, record in enumerate(records, start=1)
    ]
    drafts, warnings = drafts_from_rows(kind, rows, source, whole_file=False)
    report = IngestReport(kind=kind, source=source, format="records", warnings=list(warnings))
    return _store_chunks(store, report, [drafts], source[:32] or "records", len(drafts), progress=False)


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise IngestError(f"unknown kind {kind!r} (choose one of {', '.join(KINDS)})")


def _ingest_data(
    store: Store,
    kind: str,
    data: bytes,
    filename: str,
    label: str,
    format: str | None,
    progress: bool,
    max_rows: int | None,
    keep_rejects: int | None,
    reject_path: Path | None,
) -> IngestReport:
    _check_kind(kind)
    loaded = open_source(data, filename, format, max_rows)
    chunks: Iterable[list[Draft]]
    if loaded.format in ("decp", "ocds"):
        if kind != "tenders":
            raise IngestError(
                f"{filename} is {loaded.format.upper()} award data: import it with `tremplin ingest tenders`"
            )
        importer = decp if loaded.format == "decp" else ocds
        drafts = importer.drafts(loaded.document, filename)
        if max_rows is not None and len(drafts) > max_rows:
            raise too_many_rows(filename, len(drafts), max_rows)
        chunks, warnings, tag, hint = [drafts], loaded.warnings, loaded.format, len(drafts)
    else:
        mapping = column_map(kind, loaded.columns, filename)
        assert loaded.chunks is not None
        source_chunks = loaded.chunks
        chunks = (map_rows(mapping, rows) for rows in source_chunks)
        warnings, tag, hint = loaded.warnings + mapping.warnings(), "file", loaded.size_hint
    report = IngestReport(
        kind=kind, source=label, format=loaded.format, warnings=list(warnings), keep_rejects=keep_rejects
    )
    if reject_path is not None:
        report.reject_file = RejectFile(Path(reject_path))
    try:
        return _store_chunks(store, report, chunks, tag, hint, progress)
    finally:
        if report.reject_file is not None:
            report.reject_file.close()
            report.reject_file = None


def _store_chunks(
    store: Store, report: IngestReport, chunks: Iterable[list[Draft]], tag: str, hint: int, progress: bool
) -> IngestReport:
    """Validate and upsert chunk by chunk in ONE transaction: the whole file is stored or, if the file
    turns out unreadable or too long half-way or the database fails, nothing is. Only counts and the
    first rejects are kept, so memory follows the chunk size, not the file size."""
    unit = position_label(report.format)
    first_line: dict[str, int] = {}
    try:
        with (
            _progress(progress, 2 * hint, f"{report.kind} from {Path(report.source).name}") as advance,
            store.session() as session,
        ):
            for drafts in chunks:
                report.rows += len(drafts)
                valid, errors = validate(report.kind, drafts, unit, first_line)
                advance(len(drafts))
                outcome = _write(session, report.kind, valid, tag, advance) if valid else Outcome()
                for error in sorted(errors + outcome.rejected, key=lambda error: error.line):
                    report.reject(error)
                report.created += outcome.created
                report.updated += outcome.updated
                report.unchanged += outcome.unchanged
                for key, value in outcome.extra.items():
                    report.extra[key] = report.extra.get(key, 0) + value
                session.flush()
                session.expunge_all()  # the chunk is written (in the open transaction): let it go
    except SQLAlchemyError as exc:
        cause = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        log.warning("import of %s refused by the database: %s", report.source, cause)
        reason = (
            "a record in the file was changed at the same time, try again"
            if isinstance(exc, IntegrityError)
            else "the store cannot write now"
        )
        raise IngestStoreError(f"nothing was stored: {reason}") from exc
    return report


def _write(session: Session, kind: str, valid: list[Any], tag: str, advance: Callable[[int], None]) -> Outcome:
    if kind == "buyers":
        return upsert_buyers(session, valid, advance)
    if kind == "startups":
        return upsert_startups(session, valid, tag, advance)
    outcome = upsert_tenders(session, valid, tag, advance)
    if tag in ("decp", "ocds"):
        session.flush()
        outcome.extra.update(apply_awards(session, outcome.tenders, tag))
    return outcome


@contextmanager
def _progress(enabled: bool, total: int, description: str) -> Iterator[Callable[[int], None]]:
    """A Rich progress bar on stderr (so --json output stays clean), or a no-op."""
    if not enabled or total == 0:
        yield lambda _n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)
