"""The weekly digest review queue for staff: build, curate (remove, add, pin, reorder, notes), preview,
approve and send.

Every change goes through `matcher.digests` (curate, build, render, send) so the web, the API and the
CLI share one state machine and one audit trail; a refused change comes back as a message on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, cast

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse

from matcher.digests import curate
from matcher.digests.build import build_batch
from matcher.digests.export import export_batch
from matcher.digests.outbox import send_plan, smtp_configured, write_outbox
from matcher.digests.render import preview
from matcher.digests.send import send_batch
from matcher.digests.views import BatchContent, audit_view
from matcher.errors import TremplinError
from matcher.ranking.results import TenderFilters
from service.security import EMAIL_PREVIEW_CSP
from service.web.render import WebRoute, redirect, render, settings_of, store_of, translator, web_session
from service.web.staff import actor_of, require_staff

if TYPE_CHECKING:
    from matcher.ranking.engine import Engine

router = APIRouter(include_in_schema=False, route_class=WebRoute)

DIGESTS_PER_PAGE = 20
RECIPIENT_KEYS = ("name", "id", "email")


def _engine(request: Request) -> Engine:
    """The app's loaded engine (the digest builder needs the full Engine, not the API's protocol)."""
    return cast("Engine", request.app.state.engine_slot.get())


# -- digests: queue and build ------------------------------------------------------------------------
@router.get("/staff/digests")
def digests(request: Request) -> Response:
    require_staff(request)
    with store_of(request).session() as session:
        batches = [BatchContent.load(session, batch.id).summary() for batch in curate.list_batches(session)]
    return render(request, "staff/digests.html", {"batches": batches, "audiences": curate.AUDIENCES})


@router.post("/staff/digests/build")
def build(
    request: Request, week: Annotated[str, Form()] = "", audience: Annotated[str, Form()] = "startup"
) -> Response:
    identity = require_staff(request)
    t = translator(request)
    session = web_session(request)
    engine = _engine(request)
    try:
        report = build_batch(store_of(request), engine, week.strip() or None, audience, actor=actor_of(identity))
    except (TremplinError, ValueError) as exc:
        session.flash(translator(request).error(exc), "error")
        return redirect("/staff/digests")
    if report.skipped:
        reason = t("edition_not_editable", status=t(f"status_{report.status}")) if report.status else report.skipped
        session.flash(t("edition_build_skipped", reason=reason), "warning")
    else:
        with store_of(request).session() as db:  # the same count as the batch page shows
            digest_count = BatchContent.load(db, report.batch_id).summary()["digests"]
        session.flash(
            t(
                "edition_built",
                week=report.week,
                audience=t(f"audience_{report.audience}"),
                digests=digest_count,
                items=report.items,
                without_match=max(report.recipients - digest_count, 0),
            )
        )
    for error in report.errors[:5]:
        session.flash(error, "warning")
    return redirect(f"/staff/digests/{report.batch_id}")


# -- digests: one batch --------------------------------------------------------------------------------
@router.get("/staff/digests/{batch_id}")
def batch_page(request: Request, batch_id: int, q: str = "", page: int = 1, digest: int | None = None) -> Response:
    """One batch, DIGESTS_PER_PAGE digests at a time; `q` filters recipients, `digest` opens the page holding it."""
    require_staff(request)
    with store_of(request).session() as session:
        content = BatchContent.load(session, batch_id)
        views = [_with_deadlines(content.digest(d)) for d in content.digests()]
        audit = [audit_view(entry) for entry in curate.audit_trail(session, batch_id)][-30:]
        summary = content.summary()
    needle = q.strip().casefold()
    if needle:
        views = [v for v in views if any(needle in str(v["recipient"].get(k) or "").casefold() for k in RECIPIENT_KEYS)]
    pages = max(1, -(-len(views) // DIGESTS_PER_PAGE))
    if digest is not None:
        page = next((i // DIGESTS_PER_PAGE + 1 for i, v in enumerate(views) if v["id"] == digest), page)
    page = min(max(page, 1), pages)
    return render(
        request,
        "staff/batch.html",
        {
            "batch": summary,
            "digests": views[(page - 1) * DIGESTS_PER_PAGE : page * DIGESTS_PER_PAGE],
            "matching": len(views),
            "q": q.strip(),
            "page": page,
            "pages": pages,
            "audit": list(reversed(audit)),
            "editable": summary["status"] in curate.EDITABLE,
            "transitions": _transitions(summary["status"]),
        },
    )


@router.get("/staff/digests/{batch_id}/export.csv")
def batch_export(request: Request, batch_id: int) -> Response:
    """The batch as a spreadsheet, headers and words in the page's language (BOM: spreadsheets read UTF-8)."""
    require_staff(request)
    lang = translator(request).lang
    with store_of(request).session() as session:
        batch = curate.get_batch(session, batch_id)
        week, audience = batch.week, batch.audience
        text = export_batch(session, batch_id, "csv", lang)
    return Response(
        "\ufeff" + text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="digests-{week}-{audience}.csv"'},
    )


def _with_deadlines(view: dict[str, Any]) -> dict[str, Any]:
    """Items carry their tender's deadline as a date the page can format (stored as ISO text)."""
    for item in view["items"]:
        tender = item.get("tender") or {}
        raw = tender.get("deadline_at")
        tender["deadline"] = datetime.fromisoformat(raw) if raw else None
    return view


def _transitions(status: str) -> list[str]:
    allowed = [
        action for action, (sources, _) in curate.TRANSITIONS.items() if status in sources and action != "mark_sent"
    ]
    if status == "approved":
        allowed.append("send")
    return allowed


def _back(batch_id: int, digest_id: int | None = None) -> Response:
    return redirect(f"/staff/digests/{batch_id}" + (f"?digest={digest_id}#digest-{digest_id}" if digest_id else ""))


def _apply(request: Request, change: Callable[[Any], Any]) -> bool:
    """Run one curation change in its own transaction; a refusal becomes a message, nothing is half-done."""
    session = web_session(request)
    try:
        with store_of(request).session() as db:
            change(db)
    except (TremplinError, ValueError) as exc:
        session.flash(translator(request).error(exc), "error")
        return False
    session.flash(translator(request)("done"))
    return True


@router.post("/staff/digests/{batch_id}/items/{item_id}/{action}")
def item_action(
    request: Request,
    batch_id: int,
    item_id: int,
    action: str,
    note: Annotated[str, Form()] = "",
    digest_id: Annotated[int | None, Form()] = None,
) -> Response:
    actor = actor_of(require_staff(request))
    changes: dict[str, Callable[[Any], Any]] = {
        "remove": lambda db: curate.remove_item(db, batch_id, item_id, actor),
        "restore": lambda db: curate.restore_item(db, batch_id, item_id, actor),
        "pin": lambda db: curate.pin_item(db, batch_id, item_id, actor, True),
        "unpin": lambda db: curate.pin_item(db, batch_id, item_id, actor, False),
        "up": lambda db: _move(db, batch_id, item_id, -1, actor),
        "down": lambda db: _move(db, batch_id, item_id, +1, actor),
        "note": lambda db: curate.set_note(db, batch_id, note, actor, item_id=item_id),
    }
    if action not in changes:
        web_session(request).flash(translator(request)("unavailable", what=action), "error")
    else:
        _apply(request, changes[action])
    return _back(batch_id, digest_id)


def _move(db: Any, batch_id: int, item_id: int, step: int, actor: str) -> None:
    item = curate.get_item(db, batch_id, item_id)
    visible = curate.visible_items(item.digest)
    place = visible.index(item) + 1 if item in visible else 1
    curate.move_item(db, batch_id, item_id, place + step, actor)


@router.post("/staff/digests/{batch_id}/digests/{digest_id}/add")
def add_item(
    request: Request,
    batch_id: int,
    digest_id: int,
    tender_id: Annotated[str, Form()] = "",
    startup_id: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    actor = actor_of(require_staff(request))
    tender_id, startup_id = tender_id.strip(), startup_id.strip()
    score, explanation = _hand_match(request, batch_id, digest_id, tender_id, startup_id)
    _apply(
        request,
        lambda db: curate.add_item(
            db, batch_id, digest_id, tender_id, actor,
            startup_id=startup_id or None, note=note or None, score=score, explanation=explanation,
        ),
    )  # fmt: skip
    return _back(batch_id, digest_id)


def _hand_match(
    request: Request, batch_id: int, digest_id: int, tender_id: str, startup_id: str
) -> tuple[float, dict[str, Any] | None]:
    """The engine's score and explanation for a hand-added tender, so the e-mail still says why it fits."""
    if not tender_id:
        return 0.0, None
    with store_of(request).session() as db:
        view = BatchContent.load(db, batch_id, digest_ids=[digest_id])
        digest = next((d for d in view.digests() if d.id == digest_id), None)
        recipient = view.recipient(digest) if digest is not None else None
    if recipient is None:
        return 0.0, None
    engine = _engine(request)
    found: list[Any]
    try:
        if recipient["kind"] == "startup":
            found = engine.recommend_tenders(
                recipient["id"],
                TenderFilters(include_ineligible=True),
                limit=1,
                only_tenders=[tender_id],
                min_grade="any",
            )  # staff add it by hand: explain it whatever its grade
        elif startup_id:
            ranked = engine.suppliers_for_tender(tender_id, limit=200, include_ineligible=True, min_grade="any")
            found = [m for m in ranked if m.startup_id == startup_id][:1]
        else:
            found = []
    except TremplinError:
        return 0.0, None
    if not found:
        return 0.0, None
    match = found[0]
    explanation: dict[str, Any] = match.explanation.model_dump(mode="json")
    explanation["eligibility"] = match.eligibility.model_dump(mode="json") if match.eligibility else None
    return float(match.score), explanation


@router.post("/staff/digests/{batch_id}/digests/{digest_id}/note")
def digest_note(request: Request, batch_id: int, digest_id: int, note: Annotated[str, Form()] = "") -> Response:
    actor = actor_of(require_staff(request))
    _apply(request, lambda db: curate.set_note(db, batch_id, note, actor, digest_id=digest_id))
    return _back(batch_id, digest_id)


@router.post("/staff/digests/{batch_id}/note")
def batch_note(request: Request, batch_id: int, note: Annotated[str, Form()] = "") -> Response:
    actor = actor_of(require_staff(request))
    _apply(request, lambda db: curate.set_note(db, batch_id, note, actor))
    return _back(batch_id)


@router.get("/staff/digests/{batch_id}/send")
def send_confirmation(request: Request, batch_id: int) -> Response:
    """The step before sending: how many e-mails leave, through which server, or the dry run."""
    require_staff(request)
    settings = settings_of(request)
    with store_of(request).session() as db:
        plan = send_plan(db, batch_id, settings)
    folder = settings.home.resolve() / "outbox" / f"{plan.week}-{plan.audience}"
    return render(request, "staff/send_confirm.html", {"plan": plan, "folder": str(folder)})


def _send(request: Request, batch_id: int, actor: str) -> Response:
    t = translator(request)
    session = web_session(request)
    settings = settings_of(request)
    try:
        if not smtp_configured(settings):
            with store_of(request).session() as db:
                plan = send_plan(db, batch_id, settings)
            if plan.status != "approved":
                raise ValueError(f"batch {plan.week}/{plan.audience} is {plan.status}: only an approved batch is sent")
            outbox = write_outbox(store_of(request), batch_id, settings)
            session.flash(t("dry_run_done", count=len(outbox.files), folder=str(outbox.folder.resolve())), "warning")
            return _back(batch_id)
        report = send_batch(store_of(request), batch_id, actor=actor, settings=settings)
    except (TremplinError, ValueError) as exc:
        session.flash(translator(request).error(exc), "error")
        return _back(batch_id)
    failed = len(report.failed) + len(report.retry_later) + len(report.uncertain)
    session.flash(t("sent_report", sent=report.sent, failed=failed), "warning" if failed else "success")
    if report.aborted:
        session.flash(report.aborted, "error")
    return _back(batch_id)


@router.post("/staff/digests/{batch_id}/{action}")
def batch_action(request: Request, batch_id: int, action: str, confirm: Annotated[str, Form()] = "") -> Response:
    identity = require_staff(request)
    actor = actor_of(identity)
    if action == "send":
        if confirm != "yes":  # sending goes through the confirmation page
            return redirect(f"/staff/digests/{batch_id}/send")
        return _send(request, batch_id, actor)
    if action not in curate.TRANSITIONS or action == "mark_sent":
        web_session(request).flash(translator(request)("unavailable", what=action), "error")
        return _back(batch_id)
    _apply(request, lambda db: curate.transition(db, batch_id, action, actor))
    return _back(batch_id)


@router.get("/staff/digests/{batch_id}/digests/{digest_id}/preview")
def preview_page(request: Request, batch_id: int, digest_id: int) -> Response:
    require_staff(request)
    with store_of(request).session() as db:
        email = preview(db, batch_id, digest_id, settings_of(request))
    return render(request, "staff/preview.html", {"email": email, "batch_id": batch_id, "digest_id": digest_id})


@router.get("/staff/digests/{batch_id}/digests/{digest_id}/preview.html")
def preview_email_html(request: Request, batch_id: int, digest_id: int) -> Response:
    """The e-mail's HTML alone, for the sandboxed frame of the preview page: its own policy allows the
    e-mail's inline CSS (never scripts), and only our pages may frame it."""
    require_staff(request)
    with store_of(request).session() as db:
        email = preview(db, batch_id, digest_id, settings_of(request))
    return HTMLResponse(email.html, headers={"Content-Security-Policy": EMAIL_PREVIEW_CSP})
