"""`tremplin sample load`: put the bundled sample data in the store, dated relative to today."""

from __future__ import annotations

from datetime import date

import typer

from matcher.cli.common import console, fail, open_store, print_json


def _parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--today: expected a date as YYYY-MM-DD, got {value!r}")


def load(
    today: str | None = typer.Option(
        None, "--today", metavar="YYYY-MM-DD", help="Day the sample dates are moved to (default: today)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Load the sample buyers, tenders and startups; open tenders get deadlines 3-60 days ahead.

    Safe to re-run: the same day changes nothing, another day only moves the dates.
    """
    from rich.table import Table

    from matcher.datasets.sample import load_sample
    from matcher.errors import TremplinError

    day = _parse_day(today) or date.today()
    store = open_store(create=True)
    try:
        reports = load_sample(store, today=day)
    except TremplinError as exc:  # a missing sample file, a refused import: one line, non-zero exit
        fail(str(exc))
    counts = {
        kind: {
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": len(report.rejected),
        }
        for kind, report in reports.items()
    }
    if as_json:
        print_json({"today": day.isoformat(), "counts": counts})
    else:
        table = Table(title=f"Sample data, dated for {day.isoformat()}")
        table.add_column("kind")
        for column in ("created", "updated", "unchanged", "rejected"):
            table.add_column(column, justify="right")
        for kind, row in counts.items():
            table.add_row(kind, *(str(row[column]) for column in ("created", "updated", "unchanged", "rejected")))
        console.print(table)
        for report in reports.values():
            for error in report.rejected[:5]:
                where = f"line {error.line}" + (f", {error.field}" if error.field else "")
                console.print(f"[yellow]rejected[/] {report.kind} {where}: {error.reason}", highlight=False)
    if any(row["rejected"] for row in counts.values()):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    sample_app = typer.Typer(
        help="The bundled sample data (fictional Moroccan startups, buyers and tenders).", no_args_is_help=True
    )
    sample_app.command("load")(load)
    app.add_typer(sample_app, name="sample")
