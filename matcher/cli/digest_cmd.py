"""`tremplin digest …`: build, curate, preview, export and send the weekly match digests.

A batch is named by its id or by its week ("2026-W48", with --audience); item positions are 1-based.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from matcher.cli.common import console, fail, open_store, print_json
from matcher.cli.engine_cmd import RAY_OPTION, RAY_WORKERS_OPTION
from matcher.cli.words import check_lang
from matcher.errors import TremplinError
from matcher.store import Store

digest = typer.Typer(help="Weekly match digests: build, curate, preview, export and send.", no_args_is_help=True)
T = TypeVar("T")

AudienceOpt = typer.Option("startup", "--audience", "-a", help="'startup' (tenders per startup) or 'buyer'.")
ActorOpt = typer.Option(None, "--actor", help="Who is acting, for the audit trail (default: cli:<user>).")
JsonOpt = typer.Option(False, "--json", help="Print JSON for scripts.")
BatchArg = typer.Argument(..., help="Batch id, or its week like 2026-W48 (with --audience).")


def _actor(actor: str | None) -> str:
    if actor:
        return actor
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@contextmanager
def _session() -> Iterator[tuple[Store, Session]]:
    store = open_store()
    try:
        with store.session() as session:
            yield store, session
    except (TremplinError, ValueError) as exc:
        fail(str(exc))
    finally:
        store.dispose()


def _batch_id(session: Session, ref: str, audience: str) -> int:
    from matcher.digests.curate import find_batch
    from matcher.digests.weeks import normalize_week

    if ref.isdigit():
        return int(ref)
    return find_batch(session, normalize_week(ref), audience).id


def _edit(ref: str, audience: str, action: Callable[[Session, int], T]) -> T:
    with _session() as (_store, session):
        return action(session, _batch_id(session, ref, audience))


@digest.command()
def build(
    week: str | None = typer.Option(None, "--week", "-w", help="ISO week (default: this week in Casablanca)."),
    audience: str = AudienceOpt,
    first_window_days: int = typer.Option(7, min=1, help="Look-back of a recipient's first digest, in days."),
    actor: str | None = ActorOpt,
    as_json: bool = JsonOpt,
    ray: str | None = RAY_OPTION,
    ray_workers: int | None = RAY_WORKERS_OPTION,
) -> None:
    """Build (or refresh) the week's batch; idempotent, keeps staff edits, never touches an approved batch.
    With --ray the recipients are ranked by Ray workers (same digests)."""
    from rich.progress import Progress

    from matcher.batch import ray_runner  # imports Ray only when connecting
    from matcher.digests.build import build_batch
    from matcher.ranking.engine import Engine
    from matcher.settings import get_settings

    try:
        settings = get_settings()
        engine = Engine.open(settings)
        ranker = None
        if ray is not None:
            workers = min(ray_workers or 10**6, ray_runner.connect(ray, ray_workers))
            engine.indexes.flush()  # the workers load the snapshot: publish what this process replayed
            ranker = ray_runner.ray_ranker(settings, workers)
        with Progress(console=console, transient=True, disable=as_json) as bar:
            task = bar.add_task(f"ranking for {audience} digests", total=None)
            report = build_batch(
                engine.store, engine, week, audience, actor=_actor(actor), settings=settings,
                first_window_days=first_window_days,
                progress=lambda done, total: bar.update(task, completed=done, total=total), ranker=ranker,
            )  # fmt: skip
    except (TremplinError, ValueError) as exc:
        fail(str(exc))
    finally:
        if ray is not None:
            ray_runner.shutdown()
    if as_json:
        print_json(report.as_dict())
        return
    if report.skipped:
        console.print(f"[yellow]skipped:[/] {report.skipped}")
        return
    console.print(
        f"batch {report.batch_id} ({report.week}/{report.audience}, {report.status}): "
        f"{report.created} new, {report.updated} updated, {report.unchanged} unchanged, {report.deleted} deleted "
        f"digests; {report.items} items; {report.without_match} recipients without a good match"
    )
    for error in report.errors:
        console.print(f"[yellow]warning:[/] {error}", highlight=False)
    for entry in report.left_out:
        why = (
            f"best open tender {entry['best_tender']} ({entry['best_title']}) has probability "
            f"{entry['best_probability']:.3f}, under the floor '{entry['floor']}'"
            if entry["reason"] == "nothing_above_floor"
            else "no open tender in its window"
        )
        console.print(f"left out: startup {entry['startup']}: {why}", highlight=False)


@digest.command("list")
def list_(
    week: str | None = typer.Option(None, "--week", "-w"),
    audience: str | None = typer.Option(None, "--audience", "-a"),
    status: str | None = typer.Option(None, "--status", help="draft, in_review, approved or sent."),
    as_json: bool = JsonOpt,
) -> None:
    """Batches, newest week first."""
    from matcher.digests.curate import list_batches
    from matcher.digests.views import batch_summary

    with _session() as (_store, session):
        rows = [batch_summary(b) for b in list_batches(session, week, audience, status)]
    if as_json:
        print_json(rows)
        return
    table = Table(title="Digest batches")
    for column in ("id", "week", "audience", "status", "digests", "items", "note"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[c] or "") for c in ("id", "week", "audience", "status", "digests", "items", "note")))
    console.print(table)


@digest.command()
def show(
    batch: str = BatchArg,
    audience: str = AudienceOpt,
    digest_id: int | None = typer.Option(None, "--digest", "-d", help="Show one digest's items."),
    audit: bool = typer.Option(False, "--audit", help="Show the audit trail instead."),
    as_json: bool = JsonOpt,
) -> None:
    """A batch (its digests), one digest (its items) or the batch's audit trail."""
    from matcher.digests.curate import audit_trail, get_digest
    from matcher.digests.views import BatchContent, audit_view

    with _session() as (_store, session):
        batch_id = _batch_id(session, batch, audience)
        if audit:
            data: Any = [audit_view(entry) for entry in audit_trail(session, batch_id)]
        elif digest_id is not None:
            get_digest(session, batch_id, digest_id)
            content = BatchContent.load(session, batch_id, digest_ids=[digest_id])
            data = content.digest(content.digests()[0])
        else:
            content = BatchContent.load(session, batch_id)
            data = content.summary() | {
                "recipients": [
                    {
                        "digest_id": d.id,
                        "recipient": content.recipient(d),
                        "items": sum(1 for i in d.items if not i.removed),
                        "delivery": (content.deliveries[d.id].status if d.id in content.deliveries else None),
                    }
                    for d in content.digests()
                ]
            }
    if as_json:
        print_json(data)
    elif audit:
        _print_audit(data)
    elif digest_id is not None:
        _print_digest(data)
    else:
        _print_batch(data)


def _print_batch(data: dict[str, Any]) -> None:
    console.print(
        f"batch {data['id']} · {data['week']} · {data['audience']} · [bold]{data['status']}[/] · "
        f"{data['digests']} digests, {data['items']} items" + (f" · note: {data['note']}" if data["note"] else "")
    )
    table = Table()
    for column in ("digest", "recipient", "e-mail", "lang", "items", "delivery"):
        table.add_column(column)
    for row in data["recipients"]:
        who = row["recipient"]
        table.add_row(
            str(row["digest_id"]), f"{who['name']} ({who['id']})", who["email"] or "", who["language"],
            str(row["items"]), row["delivery"] or "",
        )  # fmt: skip
    console.print(table)


def _print_digest(data: dict[str, Any]) -> None:
    who = data["recipient"]
    console.print(f"digest {data['id']} for {who['name']} <{who['email']}> ({data['week']}, {data['status']})")
    if data["note"]:
        console.print(f"note: {data['note']}")
    table = Table()
    for column in ("item", "pos", "score", "flags", "tender", "buyer", "startup", "note"):
        table.add_column(column)
    for item in data["items"]:
        flags = " ".join(
            flag for flag, on in (("removed", item["removed"]), ("pinned", item["pinned"]),
                                  ("by-hand", item["added_by_hand"])) if on
        )  # fmt: skip
        tender = item.get("tender") or {}
        startup = item.get("startup") or {}
        table.add_row(
            str(item["item_id"]), "" if item["removed"] else str(item["position"]), f"{item['score']:.3f}", flags,
            f"{tender.get('id')} {tender.get('title', '')[:60]}", tender.get("buyer_name") or "",
            startup.get("name") or "", item["note"] or "",
        )  # fmt: skip
    console.print(table)


def _print_audit(rows: list[dict[str, Any]]) -> None:
    table = Table(title="Audit trail")
    for column in ("at", "actor", "action", "detail"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["at"], row["actor"], row["action"], str(row["detail"]))
    console.print(table)


@digest.command("remove-item")
def remove_item(
    batch: str = BatchArg,
    item_id: int = typer.Argument(..., help="Item id (see `digest show --digest`)."),
    audience: str = AudienceOpt,
    actor: str | None = ActorOpt,
) -> None:
    """Remove an item; it stays removed after a rebuild."""
    from matcher.digests import curate

    _edit(batch, audience, lambda s, b: curate.remove_item(s, b, item_id, _actor(actor)))
    console.print(f"item {item_id} removed")


@digest.command("restore-item")
def restore_item(
    batch: str = BatchArg, item_id: int = typer.Argument(...), audience: str = AudienceOpt, actor: str | None = ActorOpt
) -> None:
    """Bring a removed item back (at the end of its digest)."""
    from matcher.digests import curate

    _edit(batch, audience, lambda s, b: curate.restore_item(s, b, item_id, _actor(actor)))
    console.print(f"item {item_id} restored")


@digest.command("add-item")
def add_item(
    batch: str = BatchArg,
    digest_id: int = typer.Argument(..., help="Digest id."),
    tender_id: str = typer.Argument(..., help="External id of the tender."),
    startup_id: str | None = typer.Option(None, "--startup", help="Buyer digests: the startup to propose."),
    note: str | None = typer.Option(None, "--note", help="Note shown with the item."),
    explain: bool = typer.Option(True, "--explain/--no-explain", help="Ask the engine why it fits (loads it)."),
    audience: str = AudienceOpt,
    actor: str | None = ActorOpt,
) -> None:
    """Add a tender by hand to a startup's digest (or a startup for a tender, to a buyer's digest)."""
    from matcher.digests import curate

    def action(session: Session, batch_id: int) -> int:
        score, explanation = 0.0, None
        digest_row = curate.get_digest(session, batch_id, digest_id)
        if explain and digest_row.startup_id is not None:
            score, explanation = _explain(session, digest_row.startup_id, tender_id)
        item = curate.add_item(
            session, batch_id, digest_id, tender_id, _actor(actor), startup_id=startup_id, note=note,
            score=score, explanation=explanation,
        )  # fmt: skip
        return item.id

    item_id = _edit(batch, audience, action)
    console.print(f"item {item_id} added to digest {digest_id}")


def _explain(session: Session, startup_pk: int, tender_id: str) -> tuple[float, dict[str, Any] | None]:
    from matcher.digests.build import explain_pair
    from matcher.ranking.engine import Engine
    from matcher.store import Startup

    startup = session.get(Startup, startup_pk)
    assert startup is not None
    found = explain_pair(Engine.open(), startup.external_id, tender_id)
    return found if found is not None else (0.0, None)


@digest.command()
def pin(
    batch: str = BatchArg,
    item_id: int = typer.Argument(...),
    unpin: bool = typer.Option(False, "--unpin", help="Release the item instead."),
    audience: str = AudienceOpt,
    actor: str | None = ActorOpt,
) -> None:
    """Pin an item at its position (a rebuild keeps it there)."""
    from matcher.digests import curate

    _edit(batch, audience, lambda s, b: curate.pin_item(s, b, item_id, _actor(actor), pinned=not unpin))
    console.print(f"item {item_id} {'unpinned' if unpin else 'pinned'}")


@digest.command()
def move(
    batch: str = BatchArg,
    item_id: int = typer.Argument(...),
    position: int = typer.Argument(..., help="New position, 1 = top."),
    audience: str = AudienceOpt,
    actor: str | None = ActorOpt,
) -> None:
    """Move an item to a position (it is pinned there)."""
    from matcher.digests import curate

    _edit(batch, audience, lambda s, b: curate.move_item(s, b, item_id, position, _actor(actor)))
    console.print(f"item {item_id} moved to position {position}")


@digest.command()
def note(
    batch: str = BatchArg,
    text: str = typer.Argument(..., help="The note; an empty string clears it."),
    digest_id: int | None = typer.Option(None, "--digest", "-d", help="Note for one digest (top of its e-mail)."),
    item_id: int | None = typer.Option(None, "--item", "-i", help="Note for one item."),
    audience: str = AudienceOpt,
    actor: str | None = ActorOpt,
) -> None:
    """Write a note: for the batch (top of every e-mail), one digest, or one item."""
    from matcher.digests import curate

    if digest_id is not None and item_id is not None:
        fail("give at most one of --digest or --item")
    _edit(
        batch, audience,
        lambda s, b: curate.set_note(s, b, text, _actor(actor), digest_id=digest_id, item_id=item_id),
    )  # fmt: skip
    console.print("note saved" if text.strip() else "note cleared")


def _transition(action: str, batch: str, audience: str, actor: str | None) -> None:
    from matcher.digests import curate

    status = _edit(batch, audience, lambda s, b: curate.transition(s, b, action, _actor(actor)).status)
    console.print(f"batch {batch} is now [bold]{status}[/]")


@digest.command()
def submit(batch: str = BatchArg, audience: str = AudienceOpt, actor: str | None = ActorOpt) -> None:
    """Send a draft batch to review."""
    _transition("submit", batch, audience, actor)


@digest.command()
def approve(batch: str = BatchArg, audience: str = AudienceOpt, actor: str | None = ActorOpt) -> None:
    """Approve a batch in review: it can be sent, and no longer edited."""
    _transition("approve", batch, audience, actor)


@digest.command()
def reopen(batch: str = BatchArg, audience: str = AudienceOpt, actor: str | None = ActorOpt) -> None:
    """Take an approved batch back to review so it can be edited again."""
    _transition("reopen", batch, audience, actor)


@digest.command()
def preview(
    batch: str = BatchArg,
    digest_id: int = typer.Argument(..., help="Digest id."),
    fmt: str = typer.Option("text", "--format", "-f", help="'text' or 'html'."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
    audience: str = AudienceOpt,
) -> None:
    """The e-mail of one digest exactly as it would be sent."""
    from matcher.digests.render import preview as render_preview
    from matcher.settings import get_settings

    if fmt not in ("text", "html"):
        fail(f"--format: must be 'text' or 'html', not {fmt!r}")
    rendered = _edit(batch, audience, lambda s, b: render_preview(s, b, digest_id, get_settings()))
    body = (
        rendered.html if fmt == "html" else f"To: {rendered.recipient}\nSubject: {rendered.subject}\n\n{rendered.text}"
    )
    if output:
        output.write_text(body, encoding="utf-8")
        console.print(f"written to {output}")
    else:
        typer.echo(body)


@digest.command()
def export(
    batch: str = BatchArg,
    fmt: str = typer.Option("csv", "--format", "-f", help="'csv' or 'json'."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file (default: stdout)."),
    audience: str = AudienceOpt,
    lang: str = typer.Option("en", "--lang", help="Language of the CSV's headers and words: fr, en, ar."),
) -> None:
    """Every item of a batch (removed ones flagged) as CSV (headers and words in --lang) or JSON."""
    from matcher.digests.export import export_batch

    code = check_lang(lang)
    text = _edit(batch, audience, lambda s, b: export_batch(s, b, fmt, code))
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"written to {output}")
    else:
        typer.echo(text, nl=False)


@digest.command()
def send(
    week: str = typer.Option(..., "--week", "-w", help="ISO week of the approved batch."),
    audience: str = AudienceOpt,
    max_attempts: int = typer.Option(3, min=1, help="SMTP attempts per message in this run."),
    backoff: float = typer.Option(2.0, min=0.0, help="Seconds before the 2nd attempt; doubles each time."),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="Try refused addresses again (after a fix)."),
    resend_uncertain: bool = typer.Option(
        False, "--resend-uncertain", help="Resend messages whose outcome is unknown (same Message-ID)."
    ),
    confirm_uncertain: bool = typer.Option(
        False, "--confirm-uncertain", help="Mark messages whose outcome is unknown as delivered (log checked)."
    ),
    actor: str | None = ActorOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Send an approved batch over SMTP; a re-run sends nothing that was delivered."""
    from rich.progress import Progress

    from matcher.digests.curate import find_batch
    from matcher.digests.send import RetryPolicy, send_batch
    from matcher.digests.weeks import normalize_week
    from matcher.settings import get_settings

    store = open_store()
    try:
        with store.session() as session:
            batch_id = find_batch(session, normalize_week(week), audience).id
        with Progress(console=console, transient=True, disable=as_json) as bar:
            task = bar.add_task("sending", total=None)
            report = send_batch(
                store, batch_id, actor=_actor(actor), settings=get_settings(),
                policy=RetryPolicy(max_attempts=max_attempts, backoff_seconds=backoff),
                retry_failed=retry_failed, resend_uncertain=resend_uncertain, confirm_uncertain=confirm_uncertain,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )  # fmt: skip
    except (TremplinError, ValueError) as exc:
        fail(str(exc))
    finally:
        store.dispose()
    if as_json:
        print_json(report.as_dict())
    else:
        console.print(
            f"batch {report.week}/{report.audience} is [bold]{report.status}[/]: {report.sent} sent now, "
            f"{report.already_sent} already delivered, {len(report.failed)} failed, "
            f"{len(report.retry_later)} to retry, {len(report.uncertain)} uncertain"
        )
        for label, entries in (("failed", report.failed), ("retry later", report.retry_later),
                               ("uncertain", report.uncertain)):  # fmt: skip
            for entry in entries:
                console.print(
                    f"[yellow]{label}:[/] digest {entry['digest_id']} <{entry['recipient']}> "
                    f"{entry['message_id']}: {entry.get('error')}",
                    highlight=False,
                )
        if report.aborted:
            console.print(f"[red]stopped:[/] {report.aborted}")
    if report.failed or report.retry_later or report.uncertain or report.aborted:
        raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    app.add_typer(digest, name="digest")
