"""Weekly digests for hub staff: build, curate (with an audit trail), preview, export and send.

Staff keys only. Positions are 1-based. Editing an approved batch answers 409 until it is reopened.
"""

from __future__ import annotations

from email.header import Header
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import Field
from sqlalchemy import select

from matcher.digests import curate
from matcher.digests.build import build_batch, explain_pair
from matcher.digests.export import export_batch
from matcher.digests.outbox import write_outbox
from matcher.digests.render import preview as render_preview
from matcher.digests.send import RetryPolicy, send_batch
from matcher.digests.views import BatchContent, audit_view, batch_summary, delivery_view
from matcher.digests.weeks import normalize_week
from matcher.schemas import Checked
from matcher.store import Delivery, Digest, Startup
from matcher.store.keys import Identity
from service.deps import EngineDep, EngineSlotDep, SessionDep, SettingsDep, StaffDep, StoreDep
from service.errors import ApiError, declare, invalid, request_language
from service.params import Limit, Offset
from service.security import EMAIL_PREVIEW_CSP

router = APIRouter(prefix="/digests", tags=["digests"])

BatchId = Annotated[int, Path(ge=1, le=2**62, description="Digest batch id.")]
DigestId = Annotated[int, Path(ge=1, le=2**62, description="Digest id (one recipient's e-mail).")]
ItemId = Annotated[int, Path(ge=1, le=2**62, description="Digest item id.")]
Audience = Literal["startup", "buyer"]
Week = Annotated[str, Field(pattern=r"^\d{4}-W\d{2}$", examples=["2026-W48"])]


class BuildRequest(Checked):
    week: Week | None = Field(default=None, description="ISO week; this week in Casablanca when omitted.")
    audience: Audience = "startup"
    first_window_days: int = Field(default=7, ge=1, le=90, description="Look-back of a first digest, in days.")


class NoteBody(Checked):
    note: str | None = Field(default=None, max_length=4000, description="Empty or null clears the note.")


class AddItemBody(Checked):
    tender_id: str = Field(max_length=128, description="External id of the tender.")
    startup_id: str | None = Field(default=None, max_length=128, description="Buyer digests: startup to propose.")
    note: str | None = Field(default=None, max_length=4000)


class PinBody(Checked):
    pinned: bool = True


class MoveBody(Checked):
    position: int = Field(ge=1, le=10_000, description="New position, 1 = top. The item is pinned there.")


class SendRequest(Checked):
    retry_failed: bool = Field(default=False, description="Try refused addresses again (after a fix).")
    resend_uncertain: bool = Field(default=False, description="Resend messages whose outcome is unknown.")
    confirm_uncertain: bool = Field(default=False, description="Mark messages of unknown outcome delivered.")
    max_attempts: int = Field(default=3, ge=1, le=10)
    backoff_seconds: float = Field(default=2.0, ge=0, le=300)
    dry_run: bool = Field(
        default=False,
        description="Send nothing: write each e-mail as an .eml file under $TREMPLIN_HOME/outbox/<week>-<audience>/ "
        "and answer 200 with the files. Delivery states do not change.",
    )


def _page(data: list[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    """The list envelope shared by every list route."""
    return {"data": data, "total": total, "limit": limit, "offset": offset}


def _header_value(text: str) -> str:
    """Text made safe for one HTTP header line: control characters dropped, then RFC 2047 encoded
    on a single line (a folded value, with its line break, is refused by the HTTP server)."""
    clean = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return Header(clean, "utf-8").encode(maxlinelen=0)


def _actor(identity: Identity) -> str:
    return f"key:{identity.prefix}" + (f" ({identity.name})" if identity.name else "")


def _invalid(exc: ValueError, where: str = "body") -> ApiError:
    """Our ValueErrors read 'field: reason'; answer 422 naming the field."""
    field, _, reason = str(exc).partition(": ")
    return invalid(f"{where}.{field}", reason) if reason else invalid(where, str(exc))


def _batch_detail(session: SessionDep, batch_id: int) -> dict[str, Any]:
    content = BatchContent.load(session, batch_id)
    return content.summary() | {
        "digests": [
            {
                "id": d.id,
                "recipient": content.recipient(d),
                "note": d.note,
                "items": sum(1 for i in d.items if not i.removed),
                "delivery": delivery_view(content.deliveries[d.id]) if d.id in content.deliveries else None,
            }
            for d in content.digests()
        ]
    }


def _digest_detail(session: SessionDep, batch_id: int, digest_id: int) -> dict[str, Any]:
    curate.get_digest(session, batch_id, digest_id)
    content = BatchContent.load(session, batch_id, digest_ids=[digest_id])
    return content.digest(content.digests()[0])


@router.get("", summary="List digest batches", responses=declare(401, 403, 422))
def list_batches(
    session: SessionDep,
    _staff: StaffDep,
    week: Annotated[str | None, Query(pattern=r"^\d{4}-W\d{2}$")] = None,
    audience: Audience | None = None,
    status: Literal["draft", "in_review", "approved", "sent"] | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Digest batches, newest week first, with their status (draft, in review, approved, sent). Staff only."""
    rows = curate.list_batches(session, week, audience, status)
    return _page([batch_summary(b) for b in rows[offset : offset + limit]], len(rows), limit, offset)


@router.post(
    "/build",
    summary="Build or refresh a week's batch",
    description="Idempotent; keeps staff edits (removed items stay removed, pinned, hand-added and annotated "
    "items stay). An approved or sent batch is left alone (`skipped` says why).",
    responses=declare(401, 403, 422, 503),
)
def build(
    body: BuildRequest, store: StoreDep, settings: SettingsDep, engine: EngineDep, staff: StaffDep
) -> dict[str, Any]:
    """Build or refresh a week's batch from the engine; staff edits are kept. Staff only."""
    try:
        week = normalize_week(body.week) if body.week else None
        report = build_batch(
            store, engine, week, body.audience, actor=_actor(staff), settings=settings,
            first_window_days=body.first_window_days,
        )  # fmt: skip
    except ValueError as exc:
        raise _invalid(exc) from exc
    return report.as_dict()


@router.get("/{batch_id}", summary="A batch and its digests", responses=declare(401, 403, 404))
def get_batch(batch_id: BatchId, session: SessionDep, _staff: StaffDep) -> dict[str, Any]:
    """One batch with its digests (one per recipient) and item counts. Staff only."""
    return _batch_detail(session, batch_id)


@router.get("/{batch_id}/audit", summary="Audit trail of a batch", responses=declare(401, 403, 404))
def audit(
    batch_id: BatchId, session: SessionDep, _staff: StaffDep, limit: Limit = 200, offset: Offset = 0
) -> dict[str, Any]:
    """Every change made to the batch: who, when, what. Staff only."""
    rows = curate.audit_trail(session, batch_id)
    return _page([audit_view(entry) for entry in rows[offset : offset + limit]], len(rows), limit, offset)


@router.get(
    "/{batch_id}/export",
    summary="Export a batch as CSV or JSON",
    responses=declare(401, 403, 404, 422) | {200: {"content": {"text/csv": {}, "application/json": {}}}},
)
def export(
    batch_id: BatchId,
    request: Request,
    session: SessionDep,
    _staff: StaffDep,
    format: Literal["csv", "json"] = "csv",
) -> Response:
    """The whole batch as CSV or JSON, one row per item, for review outside Tremplin. Staff only.

    The CSV's header row and words follow Accept-Language (fr, ar; English by default)."""
    batch = curate.get_batch(session, batch_id)
    text = export_batch(session, batch_id, format, request_language(request) or "en")
    media = "text/csv; charset=utf-8" if format == "csv" else "application/json"
    filename = f"digests-{batch.week}-{batch.audience}.{format}"
    return Response(text, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _transition(session: SessionDep, batch_id: int, action: str, staff: Identity) -> dict[str, Any]:
    curate.transition(session, batch_id, action, _actor(staff))
    return _batch_detail(session, batch_id)


@router.post("/{batch_id}/submit", summary="Draft → in review", responses=declare(401, 403, 404, 409))
def submit(batch_id: BatchId, session: SessionDep, staff: StaffDep) -> dict[str, Any]:
    """Move a draft batch to review; edits stay possible until it is approved. Staff only."""
    return _transition(session, batch_id, "submit", staff)


@router.post("/{batch_id}/approve", summary="In review → approved", responses=declare(401, 403, 404, 409))
def approve(batch_id: BatchId, session: SessionDep, staff: StaffDep) -> dict[str, Any]:
    """Approve a batch in review; it can then be sent and no longer edited. Staff only."""
    return _transition(session, batch_id, "approve", staff)


@router.post("/{batch_id}/reopen", summary="Approved → back to review (to edit)", responses=declare(401, 403, 404, 409))
def reopen(batch_id: BatchId, session: SessionDep, staff: StaffDep) -> dict[str, Any]:
    """Send an approved batch back to review so it can be edited again. Staff only."""
    return _transition(session, batch_id, "reopen", staff)


@router.patch(
    "/{batch_id}", summary="Set the batch note (top of every e-mail)", responses=declare(401, 403, 404, 409, 422)
)
def batch_note(batch_id: BatchId, body: NoteBody, session: SessionDep, staff: StaffDep) -> dict[str, Any]:
    """Set the note shown at the top of every e-mail of the batch. Staff only."""
    curate.set_note(session, batch_id, body.note, _actor(staff))
    return batch_summary(curate.get_batch(session, batch_id))


@router.get("/{batch_id}/digests/{digest_id}", summary="One digest and its items", responses=declare(401, 403, 404))
def get_digest(batch_id: BatchId, digest_id: DigestId, session: SessionDep, _staff: StaffDep) -> dict[str, Any]:
    """One recipient's digest with its items, positions, pins and notes. Staff only."""
    return _digest_detail(session, batch_id, digest_id)


@router.get(
    "/{batch_id}/digests/{digest_id}/preview",
    summary="The e-mail as it would be sent",
    response_class=HTMLResponse,
    responses=declare(401, 403, 404) | {200: {"content": {"text/html": {}, "text/plain": {}}}},
)
def preview(
    batch_id: BatchId,
    digest_id: DigestId,
    session: SessionDep,
    settings: SettingsDep,
    _staff: StaffDep,
    format: Literal["html", "text"] = "html",
) -> Response:
    """The HTML e-mail exactly as it would be sent to this recipient. Staff only."""
    rendered = render_preview(session, batch_id, digest_id, settings)
    headers = {"X-Digest-Subject": _header_value(rendered.subject)}
    if format == "text":
        return PlainTextResponse(rendered.text, headers=headers)
    return HTMLResponse(rendered.html, headers=headers | {"Content-Security-Policy": EMAIL_PREVIEW_CSP})


@router.patch(
    "/{batch_id}/digests/{digest_id}",
    summary="Set one digest's note (top of its e-mail)",
    responses=declare(401, 403, 404, 409, 422),
)
def digest_note(
    batch_id: BatchId, digest_id: DigestId, body: NoteBody, session: SessionDep, staff: StaffDep
) -> dict[str, Any]:
    """Set the note shown at the top of this recipient's e-mail. Staff only."""
    curate.set_note(session, batch_id, body.note, _actor(staff), digest_id=digest_id)
    return _digest_detail(session, batch_id, digest_id)


@router.post(
    "/{batch_id}/digests/{digest_id}/items",
    status_code=201,
    summary="Add an item by hand",
    description="A tender for a startup's digest; for a buyer's digest, a startup (`startup_id`) for one of "
    "its tenders. Explained by the engine when it is loaded.",
    responses=declare(401, 403, 404, 409, 422),
)
def add_item(
    batch_id: BatchId,
    digest_id: DigestId,
    body: AddItemBody,
    session: SessionDep,
    slot: EngineSlotDep,
    staff: StaffDep,
) -> dict[str, Any]:
    """Add a tender to a digest by hand; the engine explains why it fits. Staff only."""
    digest = curate.get_digest(session, batch_id, digest_id)
    score, explanation = 0.0, None
    if slot.loaded is not None and digest.startup_id is not None:
        startup = session.get(Startup, digest.startup_id)
        if startup is not None:
            found = explain_pair(slot.loaded, startup.external_id, body.tender_id)
            score, explanation = found if found is not None else (0.0, None)
    try:
        item = curate.add_item(
            session, batch_id, digest_id, body.tender_id, _actor(staff), startup_id=body.startup_id,
            note=body.note, score=score, explanation=explanation,
        )  # fmt: skip
    except ValueError as exc:
        raise _invalid(exc) from exc
    return BatchContent.load(session, batch_id, digest_ids=[digest_id]).item(item)


def _item_view(session: SessionDep, batch_id: int, item_id: int) -> dict[str, Any]:
    item = curate.get_item(session, batch_id, item_id)
    return BatchContent.load(session, batch_id, digest_ids=[item.digest_id]).item(item)


@router.post("/{batch_id}/items/{item_id}/remove", summary="Remove an item", responses=declare(401, 403, 404, 409))
def remove_item(batch_id: BatchId, item_id: ItemId, session: SessionDep, staff: StaffDep) -> dict[str, Any]:
    """Remove an item; it stays removed when the batch is rebuilt. Staff only."""
    curate.remove_item(session, batch_id, item_id, _actor(staff))
    return _item_view(session, batch_id, item_id)


@router.post(
    "/{batch_id}/items/{item_id}/restore", summary="Restore a removed item", responses=declare(401, 403, 404, 409)
)
def restore_item(batch_id: BatchId, item_id: ItemId, session: SessionDep, staff: StaffDep) -> dict[str, Any]:
    """Put a removed item back into its digest. Staff only."""
    curate.restore_item(session, batch_id, item_id, _actor(staff))
    return _item_view(session, batch_id, item_id)


@router.post("/{batch_id}/items/{item_id}/pin", summary="Pin or unpin an item", responses=declare(401, 403, 404, 409))
def pin_item(batch_id: BatchId, item_id: ItemId, body: PinBody, session: SessionDep, staff: StaffDep) -> dict[str, Any]:
    """Pin or unpin an item so a rebuild keeps it where it is. Staff only."""
    curate.pin_item(session, batch_id, item_id, _actor(staff), pinned=body.pinned)
    return _item_view(session, batch_id, item_id)


@router.post(
    "/{batch_id}/items/{item_id}/move", summary="Move an item (and pin it)", responses=declare(401, 403, 404, 409, 422)
)
def move_item(
    batch_id: BatchId, item_id: ItemId, body: MoveBody, session: SessionDep, staff: StaffDep
) -> dict[str, Any]:
    """Move an item to a position (1 = top) and pin it there. Staff only."""
    try:
        item = curate.move_item(session, batch_id, item_id, body.position, _actor(staff))
    except ValueError as exc:
        raise _invalid(exc) from exc
    return _digest_detail(session, batch_id, item.digest_id)


@router.patch("/{batch_id}/items/{item_id}", summary="Set one item's note", responses=declare(401, 403, 404, 409, 422))
def item_note(
    batch_id: BatchId, item_id: ItemId, body: NoteBody, session: SessionDep, staff: StaffDep
) -> dict[str, Any]:
    """Set the note shown under one item in the e-mail. Staff only."""
    curate.set_note(session, batch_id, body.note, _actor(staff), item_id=item_id)
    return _item_view(session, batch_id, item_id)


@router.post(
    "/{batch_id}/send",
    status_code=202,
    summary="Send an approved batch",
    description="Runs after the response; follow it with `GET /digests/{batch_id}/deliveries`. A re-run sends "
    "nothing already delivered. Messages whose outcome is unknown after a crash are reported, not resent, "
    "unless `resend_uncertain` (same Message-ID) or `confirm_uncertain`. `dry_run` writes .eml files instead.",
    responses=declare(401, 403, 404, 409, 422),
)
def send(
    batch_id: BatchId,
    body: SendRequest,
    response: Response,
    background: BackgroundTasks,
    session: SessionDep,
    store: StoreDep,
    settings: SettingsDep,
    staff: StaffDep,
) -> dict[str, Any]:
    """Send an approved batch over SMTP; a re-run never sends a delivered e-mail twice. Staff only."""
    batch = curate.get_batch(session, batch_id)
    if body.resend_uncertain and body.confirm_uncertain:
        raise invalid("body.confirm_uncertain", "choose either resend_uncertain or confirm_uncertain")
    repair = body.retry_failed or body.resend_uncertain or body.confirm_uncertain
    if batch.status != "approved" and not (repair and batch.status == "sent"):
        raise ApiError(409, f"batch {batch.week}/{batch.audience} is {batch.status}: only an approved batch is sent")
    if body.dry_run:
        outbox = write_outbox(store, batch_id, settings)
        response.status_code = 200
        return {
            "batch_id": batch_id,
            "status": "dry_run",
            "folder": str(outbox.folder.resolve()),
            "files": [path.name for path in outbox.files],
        }
    policy = RetryPolicy(max_attempts=body.max_attempts, backoff_seconds=body.backoff_seconds)
    background.add_task(
        send_batch, store, batch_id, actor=_actor(staff), settings=settings, policy=policy,
        retry_failed=body.retry_failed, resend_uncertain=body.resend_uncertain,
        confirm_uncertain=body.confirm_uncertain,
    )  # fmt: skip
    return {"batch_id": batch_id, "status": "sending"}


@router.get("/{batch_id}/deliveries", summary="Delivery of each digest", responses=declare(401, 403, 404))
def deliveries(
    batch_id: BatchId, session: SessionDep, _staff: StaffDep, limit: Limit = 200, offset: Offset = 0
) -> dict[str, Any]:
    """The delivery state of each digest of the batch: sent, failed, pending. Staff only."""
    batch = curate.get_batch(session, batch_id)
    rows = session.scalars(
        select(Delivery).join(Digest, Delivery.digest_id == Digest.id).where(Digest.batch_id == batch_id)
    ).all()
    shown = [{"digest_id": row.digest_id} | delivery_view(row) for row in rows[offset : offset + limit]]
    return {"batch": batch_summary(batch, rows)} | _page(shown, len(rows), limit, offset)
