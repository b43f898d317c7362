"""File → rows → validated rows → one transaction: the three public entry points of ingestion."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.exc import SQLAlchemyError

from matcher.ingest import decp, ocds
from matcher.ingest.errors import IngestError, IngestStoreError
from matcher.ingest.readers import SourceRow, load
from matcher.ingest.report import IngestReport, position_label, write_rejects
from matcher.ingest.suppliers import apply_awards
from matcher.ingest.upsert import Outcome, upsert_buyers, upsert_startups, upsert_tenders
from matcher.ingest.validate import Draft, drafts_from_rows, validate
from matcher.store import Store

Kind = Literal["startups", "tenders", "buyers"]
KINDS: tuple[str, ...] = ("startups", "tenders", "buyers")


def ingest_file(
    store: Store,
    kind: Kind,
    path: Path,
    format: str | None = None,
    reject_path: Path | None = None,
    progress: bool = False,
) -> IngestReport:
    """Import one file; IngestError (nothing stored) when the file as a whole cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path}: cannot be read ({exc.strerror})") from exc
    report = _ingest_data(store, kind, data, path.name, str(path), format, progress)
    if reject_path is not None:
        write_rejects(Path(reject_path), report.rejected)
    return report


def ingest_bytes(store: Store, kind: Kind, data: bytes, filename: str, format: str | None = None) -> IngestReport:
    """Import an uploaded file held in memory (the API); same rules as ingest_file."""
    return _ingest_data(store, kind, data, filename, filename, format, progress=False)


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
    return _store_drafts(store, kind, drafts, source, "records", source[:32] or "records", warnings, progress=False)


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise IngestError(f"unknown kind {kind!r} (choose one of {', '.join(KINDS)})")


def _ingest_data(
    store: Store, kind: str, data: bytes, filename: str, label: str, format: str | None, progress: bool
) -> IngestReport:
    _check_kind(kind)
    loaded = load(data, filename, format)
    if loaded.format in ("decp", "ocds"):
        if kind != "tenders":
            raise IngestError(
                f"{filename} is {loaded.format.upper()} award data: import it with `tremplin ingest tenders`"
            )
        importer = decp if loaded.format == "decp" else ocds
        drafts = importer.drafts(loaded.document, filename)
        warnings = loaded.warnings
        tag = loaded.format
    else:
        drafts, column_warnings = drafts_from_rows(kind, loaded.rows, filename)
        warnings = loaded.warnings + column_warnings
        tag = "file"
    return _store_drafts(store, kind, drafts, label, loaded.format, tag, warnings, progress)


def _store_drafts(
    store: Store,
    kind: str,
    drafts: list[Draft],
    label: str,
    fmt: str,
    tag: str,
    warnings: list[str],
    progress: bool,
) -> IngestReport:
    report = IngestReport(kind=kind, source=label, format=fmt, rows=len(drafts), warnings=list(warnings))
    with _progress(progress, 2 * len(drafts), f"{kind} from {Path(label).name}") as advance:
        valid, errors = validate(kind, drafts, position_label(fmt))
        advance(len(drafts))
        report.rejected = errors
        if valid:
            outcome = _write(store, kind, valid, tag, advance)
            report.created, report.updated, report.unchanged = outcome.created, outcome.updated, outcome.unchanged
            report.rejected = sorted(errors + outcome.rejected, key=lambda error: error.line)
            report.extra = outcome.extra
    return report


def _write(store: Store, kind: str, valid: list[Any], tag: str, advance: Callable[[int], None]) -> Outcome:
    """All good rows in one transaction: everything is stored or, if the database fails, nothing."""
    try:
        with store.session() as session:
            if kind == "buyers":
                return upsert_buyers(session, valid, advance)
            if kind == "startups":
                return upsert_startups(session, valid, tag, advance)
            outcome = upsert_tenders(session, valid, tag, advance)
            if tag in ("decp", "ocds"):
                session.flush()
                outcome.extra.update(apply_awards(session, outcome.tenders, tag))
            return outcome
    except SQLAlchemyError as exc:
        cause = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise IngestStoreError(f"the database refused the import, nothing was stored: {cause}") from exc


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
