"""`tremplin ingest KIND FILE` and `tremplin cpv load FILE`.

Exit codes: 0 when the file was read and at least one row is stored (rejected rows are printed and
do not fail the run), 1 when every row was rejected or the database refused the batch, 2 when the
file as a whole cannot be read (wrong format, empty, truncated, encoding, missing required column).
"""

from __future__ import annotations

from collections import Counter
from enum import StrEnum
from pathlib import Path

import typer
from rich.table import Table

from matcher.cli.common import console, fail, open_store, print_json
from matcher.ingest import IngestError, IngestReport, IngestStoreError, RowError, ingest_file
from matcher.ingest.report import position_label, reason_kind

SHOWN_REJECTS = 10


class KindChoice(StrEnum):
    startups = "startups"
    tenders = "tenders"
    buyers = "buyers"


class FormatChoice(StrEnum):
    csv = "csv"
    jsonl = "jsonl"
    json = "json"
    parquet = "parquet"
    ocds = "ocds"
    decp = "decp"


def ingest(
    kind: KindChoice = typer.Argument(..., help="What the file holds: startups, tenders or buyers."),
    file: Path = typer.Argument(..., help="CSV, JSON Lines, JSON, Parquet, OCDS package or DECP file."),
    fmt: FormatChoice | None = typer.Option(
        None, "--format", "-f", help="File format; guessed from the extension (and content for .json) if omitted."
    ),
    rejects: Path | None = typer.Option(
        None, "--rejects", help="Write rejected rows here as CSV (line, field, reason, external_id, raw)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON for scripts."),
) -> None:
    """Validate every row of FILE and upsert the good ones by external id (one transaction).

    Bad rows are reported with their line, field and reason. Exit 0 when rows were stored, 1 when
    every row was rejected, 2 when the file itself cannot be read (nothing is stored then).
    """
    store = open_store()
    try:
        report = ingest_file(
            store,
            kind.value,
            file,
            fmt.value if fmt else None,
            reject_path=rejects,
            progress=not as_json,
            max_rows=store.settings.max_import_rows,
        )
    except IngestError as exc:
        fail(str(exc), code=2)
    except IngestStoreError as exc:
        fail(str(exc), code=1)
    finally:
        store.dispose()
    if as_json:
        print_json(report.to_dict())
    else:
        _render(report, rejects)
    if report.rows and report.stored == 0:
        raise typer.Exit(1)


def _render(report: IngestReport, rejects: Path | None) -> None:
    console.print(
        f"[bold]{report.kind}[/] from [bold]{report.source}[/] ({report.format}): {report.rows} rows", highlight=False
    )
    summary = Table(show_header=False, box=None, padding=(0, 2))
    summary.add_row("created", str(report.created))
    summary.add_row("updated", str(report.updated))
    summary.add_row("unchanged", str(report.unchanged))
    total_rejected = max(report.rejected_count, len(report.rejected))
    summary.add_row("rejected", f"[red]{total_rejected}[/]" if total_rejected else "0")
    for key, value in report.extra.items():
        if value or "_" not in key:  # totals always, breakdowns only when something happened
            summary.add_row(key.replace("_", " "), str(value))
    console.print(summary)
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if report.rejected:
        unit = position_label(report.format)
        shown = _sample_rejects(report.rejected, SHOWN_REJECTS)
        title = (
            f"first {len(shown)} of {total_rejected} rejected rows" if total_rejected > len(shown) else "rejected rows"
        )
        table = Table(title=title, title_justify="left")
        for column in (unit, "field", "reason", "external id"):
            table.add_column(column, overflow="fold")
        for error in shown:
            table.add_row(str(error.line), error.field or "", error.reason, error.external_id or "")
        console.print(table)
        if total_rejected > len(shown):
            reasons = report.reject_causes or Counter(_reason_kind(error) for error in report.rejected)
            console.print(
                "all rejects by cause: " + "; ".join(f"{cause} × {count}" for cause, count in reasons.most_common()),
                highlight=False,
            )
    if rejects is not None:
        console.print(f"rejected rows written to {rejects}", highlight=False)


def _sample_rejects(errors: list[RowError], limit: int) -> list[RowError]:
    """The first reject of every cause, then the earliest others, in file order (one cause may swamp the rest)."""
    chosen: dict[int, RowError] = {}
    for error in errors:
        kind = _reason_kind(error)
        if len(chosen) < limit and all(_reason_kind(other) != kind for other in chosen.values()):
            chosen[id(error)] = error
    for error in errors:
        if len(chosen) >= limit:
            break
        chosen.setdefault(id(error), error)
    return sorted(chosen.values(), key=lambda error: error.line)


def _reason_kind(error: RowError) -> str:
    """'duplicate external id: already on record 3' → 'id: duplicate external id'."""
    return reason_kind(error)


cpv_app = typer.Typer(help="The CPV catalogue (labels of procurement codes).", no_args_is_help=True)


@cpv_app.command("load")
def cpv_load(
    file: Path = typer.Argument(..., help="Official CPV list as CSV: code,label_fr,label_en (code8 optional)."),
    as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
) -> None:
    """Upsert the official CPV list into the store (safe to re-run)."""
    from matcher.ingest.cpv_catalogue import load_cpv_catalogue

    store = open_store()
    try:
        counts = load_cpv_catalogue(store, file)
    except IngestError as exc:
        fail(str(exc), code=2)
    except IngestStoreError as exc:
        fail(str(exc), code=1)
    finally:
        store.dispose()
    if as_json:
        print_json(counts)
    else:
        console.print(
            f"CPV codes from {file}: {counts['rows']} rows, {counts['created']} created, "
            f"{counts['updated']} updated, {counts['unchanged']} unchanged",
            highlight=False,
        )


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.add_typer(cpv_app, name="cpv")
