"""`tremplin alerts run` and `tremplin reminders run`: e-mail runs for cron (safe to repeat)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import typer

from matcher.cli.common import console, fail, print_json

alerts = typer.Typer(help="Saved-search alerts (e-mail) and bid deadline reminders.", no_args_is_help=True)
reminders = typer.Typer(
    help="Deadline reminders (J-7, J-2) for bids still interested or preparing.", no_args_is_help=True
)

NowOpt = typer.Option(None, "--now", help="Pretend it is this ISO moment (tests, catching up).")
JsonOpt = typer.Option(False, "--json", help="Print JSON for scripts.")


def _now(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        fail(f"--now: not an ISO date or moment: {value!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _show(name: str, report: dict[str, Any]) -> None:
    console.print(
        f"{name}: {report['due']} due, {report['emails']} e-mail(s) sent"
        + (f", {report['tenders']} tender(s)" if "tenders" in report and name == "alerts" else "")
        + (f", {report['skipped']} skipped" if report["skipped"] else "")
    )
    for failure in report["failures"]:
        console.print(f"  [yellow]failed[/] {failure}", highlight=False)
    if report["stopped"]:
        console.print(f"  [red]stopped:[/] {report['stopped']}", highlight=False)


@alerts.command("run")
def run_alerts_command(
    now: str | None = NowOpt,
    with_reminders: bool = typer.Option(True, "--reminders/--no-reminders", help="Also send the bid reminders."),
    as_json: bool = JsonOpt,
) -> None:
    """E-mail each due saved search its new matching tenders (never the same tender twice per search)."""
    from matcher.alerts.run import run_alerts, run_reminders
    from matcher.cli.engine_cmd import _engine

    moment = _now(now)
    engine = _engine()
    engine.sync()
    out = {"alerts": run_alerts(engine, engine.settings, now=moment).as_dict()}
    if with_reminders:
        out["reminders"] = run_reminders(engine.store, engine.settings, now=moment).as_dict()
    if as_json:
        print_json(out)
    else:
        for name, report in out.items():
            _show(name, report)
    if any(report["stopped"] for report in out.values()):
        raise typer.Exit(2)


@reminders.command("run")
def run_reminders_command(now: str | None = NowOpt, as_json: bool = JsonOpt) -> None:
    """One e-mail per bid at J-7 and one at J-2 before the deadline."""
    from matcher.alerts.run import run_reminders
    from matcher.cli.common import open_store
    from matcher.settings import get_settings

    report = run_reminders(open_store(), get_settings(), now=_now(now)).as_dict()
    if as_json:
        print_json({"reminders": report})
    else:
        _show("reminders", report)
    if report["stopped"]:
        raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    app.add_typer(alerts, name="alerts")
    app.add_typer(reminders, name="reminders")
