"""Staff curation of a digest batch: a small state machine, item edits and an audit trail.

draft → in_review → approved → sent. Items can be edited only in draft or in review; an approved
batch must be reopened (back to review) first, and a sent batch is final. Every change is written
to DigestAudit with who did it and what changed, in the same transaction as the change.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.errors import ConflictError, NotFoundError
from matcher.store import Digest, DigestAudit, DigestBatch, DigestItem, SentItem, Startup, Tender

AUDIENCES = ("startup", "buyer")
STATUSES = ("draft", "in_review", "approved", "sent")
EDITABLE = ("draft", "in_review")
TRANSITIONS = {  # action: (allowed from, to)
    "submit": (("draft",), "in_review"),
    "approve": (("in_review",), "approved"),
    "reopen": (("approved",), "in_review"),
    "mark_sent": (("approved",), "sent"),
}


def record_audit(session: Session, batch: DigestBatch, actor: str, action: str, detail: dict[str, Any]) -> None:
    session.add(DigestAudit(batch_id=batch.id, actor=actor or "unknown", action=action, detail=detail))


# -- lookups -------------------------------------------------------------------------------------
def get_batch(session: Session, batch_id: int) -> DigestBatch:
    batch = session.get(DigestBatch, batch_id)
    if batch is None:
        raise NotFoundError("digest batch", str(batch_id))
    return batch


def find_batch(session: Session, week: str, audience: str = "startup") -> DigestBatch:
    batch = session.scalar(select(DigestBatch).where(DigestBatch.week == week, DigestBatch.audience == audience))
    if batch is None:
        raise NotFoundError("digest batch", f"{week}/{audience}")
    return batch


def list_batches(
    session: Session, week: str | None = None, audience: str | None = None, status: str | None = None
) -> list[DigestBatch]:
    query = select(DigestBatch).order_by(DigestBatch.week.desc(), DigestBatch.audience)
    if week:
        query = query.where(DigestBatch.week == week)
    if audience:
        query = query.where(DigestBatch.audience == audience)
    if status:
        query = query.where(DigestBatch.status == status)
    return list(session.scalars(query))


def get_digest(session: Session, batch_id: int, digest_id: int) -> Digest:
    digest = session.get(Digest, digest_id)
    if digest is None or digest.batch_id != batch_id:
        raise NotFoundError("digest", f"{digest_id} in batch {batch_id}")
    return digest


def get_item(session: Session, batch_id: int, item_id: int) -> DigestItem:
    item = session.get(DigestItem, item_id)
    if item is None or item.digest.batch_id != batch_id:
        raise NotFoundError("digest item", f"{item_id} in batch {batch_id}")
    return item


def visible_items(digest: Digest) -> list[DigestItem]:
    return sorted((i for i in digest.items if not i.removed), key=lambda i: i.position)


# -- state machine -------------------------------------------------------------------------------
def ensure_editable(batch: DigestBatch) -> None:
    if batch.status == "approved":
        raise ConflictError(
            f"batch {batch.week}/{batch.audience} is approved: reopen it (back to review) to edit",
            "conflict_approved",
            week=batch.week,
        )
    if batch.status not in EDITABLE:
        raise ConflictError(
            f"batch {batch.week}/{batch.audience} is {batch.status}: it can no longer be edited",
            "conflict_not_editable",
            week=batch.week,
            status=batch.status,
        )


def transition(session: Session, batch_id: int, action: str, actor: str) -> DigestBatch:
    """Move the batch along the state machine; any other move is a ConflictError naming both states."""
    if action not in TRANSITIONS:
        raise ValueError(f"action: must be one of {', '.join(TRANSITIONS)}, not {action!r}")
    allowed, target = TRANSITIONS[action]
    batch = get_batch(session, batch_id)
    if batch.status not in allowed:
        raise ConflictError(
            f"cannot {action.replace('_', ' ')} batch {batch.week}/{batch.audience}: it is {batch.status}, "
            f"expected {' or '.join(allowed)}",
            "conflict_transition",
            week=batch.week,
            status=batch.status,
        )
    before = batch.status
    batch.status = target
    record_audit(session, batch, actor, action, {"from": before, "to": target})
    return batch


def submit(session: Session, batch_id: int, actor: str) -> DigestBatch:
    return transition(session, batch_id, "submit", actor)


def approve(session: Session, batch_id: int, actor: str) -> DigestBatch:
    return transition(session, batch_id, "approve", actor)


def reopen(session: Session, batch_id: int, actor: str) -> DigestBatch:
    return transition(session, batch_id, "reopen", actor)


# -- item edits ----------------------------------------------------------------------------------
def _item_detail(session: Session, item: DigestItem) -> dict[str, Any]:
    """Readable identifiers for the audit trail: ids change meaning across databases, external ids don't."""
    detail: dict[str, Any] = {"item_id": item.id, "digest_id": item.digest_id}
    if item.tender_id is not None:
        detail["tender"] = session.scalar(select(Tender.external_id).where(Tender.id == item.tender_id))
    if item.startup_id is not None:
        detail["startup"] = session.scalar(select(Startup.external_id).where(Startup.id == item.startup_id))
    return detail


def remove_item(session: Session, batch_id: int, item_id: int, actor: str) -> DigestItem:
    """Hide an item; it stays as a tombstone so a rebuild never brings it back."""
    item = get_item(session, batch_id, item_id)
    ensure_editable(item.digest.batch)
    if item.removed:
        return item
    item.removed = True
    item.pinned = False
    _renumber(item.digest)
    record_audit(session, item.digest.batch, actor, "remove_item", _item_detail(session, item))
    return item


def restore_item(session: Session, batch_id: int, item_id: int, actor: str) -> DigestItem:
    item = get_item(session, batch_id, item_id)
    ensure_editable(item.digest.batch)
    if not item.removed:
        return item
    item.removed = False
    item.position = len(visible_items(item.digest))
    _renumber(item.digest)
    record_audit(session, item.digest.batch, actor, "restore_item", _item_detail(session, item))
    return item


def pin_item(session: Session, batch_id: int, item_id: int, actor: str, pinned: bool = True) -> DigestItem:
    item = get_item(session, batch_id, item_id)
    ensure_editable(item.digest.batch)
    if item.removed:
        raise ConflictError(f"item {item_id} was removed: restore it before pinning", "conflict_item_removed")
    if item.pinned != pinned:
        item.pinned = pinned
        record_audit(
            session, item.digest.batch, actor, "pin_item" if pinned else "unpin_item", _item_detail(session, item)
        )
    return item


def move_item(session: Session, batch_id: int, item_id: int, position: int, actor: str) -> DigestItem:
    """Put an item at `position` (1 = top) and pin it there, so a rebuild keeps the staff order."""
    item = get_item(session, batch_id, item_id)
    ensure_editable(item.digest.batch)
    if item.removed:
        raise ConflictError(f"item {item_id} was removed: restore it before moving it", "conflict_item_removed")
    items = visible_items(item.digest)
    if not 1 <= position <= len(items):
        raise ValueError(f"position: must be between 1 and {len(items)}, not {position}")
    before = items.index(item) + 1
    items.remove(item)
    items.insert(position - 1, item)
    for place, other in enumerate(items):
        other.position = place
    item.pinned = True
    detail = _item_detail(session, item) | {"from": before, "to": position}
    record_audit(session, item.digest.batch, actor, "move_item", detail)
    return item


def add_item(
    session: Session,
    batch_id: int,
    digest_id: int,
    tender_id: str,
    actor: str,
    *,
    startup_id: str | None = None,
    note: str | None = None,
    score: float = 0.0,
    explanation: dict[str, Any] | None = None,
) -> DigestItem:
    """Add a tender (startup digest) or a startup for one of the buyer's tenders (buyer digest) by hand."""
    digest = get_digest(session, batch_id, digest_id)
    batch = digest.batch
    ensure_editable(batch)
    tender = session.scalar(select(Tender).where(Tender.external_id == tender_id))
    if tender is None:
        raise NotFoundError("tender", tender_id)
    proposed: int | None = None
    if batch.audience == "buyer":
        if not startup_id:
            raise ValueError("startup_id: required to add an item to a buyer digest")
        proposed = session.scalar(select(Startup.id).where(Startup.external_id == startup_id))
        if proposed is None:
            raise NotFoundError("startup", startup_id)
        if tender.buyer_id != digest.buyer_id:
            raise ValueError(f"tender_id: tender {tender_id!r} is not one of this buyer's tenders")
        already = session.scalar(
            select(SentItem).where(
                SentItem.audience == "buyer", SentItem.startup_id == proposed, SentItem.tender_id == tender.id
            )
        )
    else:
        if startup_id:
            raise ValueError("startup_id: only buyer digests list startups")
        already = session.scalar(
            select(SentItem).where(
                SentItem.audience == "startup",
                SentItem.startup_id == digest.startup_id,
                SentItem.tender_id == tender.id,
            )
        )
    if already is not None:
        raise ConflictError(
            f"tender {tender_id!r} was already sent to this recipient on {already.sent_at:%Y-%m-%d}",
            "conflict_already_sent",
            tender=tender_id,
            date=f"{already.sent_at:%Y-%m-%d}",
        )
    item = next((i for i in digest.items if i.tender_id == tender.id and i.startup_id == proposed), None)
    if item is not None and not item.removed:
        raise ConflictError(
            f"tender {tender_id!r} is already in digest {digest_id} (item {item.id})",
            "conflict_already_in_digest",
            tender=tender_id,
        )
    place = len(visible_items(digest))
    if item is None:
        item = DigestItem(tender_id=tender.id, startup_id=proposed, pinned=False, note=None, position=place)
        digest.items.append(item)
    item.removed = False
    item.added_by_hand = True
    item.position = place
    item.score = round(score, 4)
    item.explanation = explanation or {}
    if note is not None:
        item.note = note.strip() or None
    _renumber(digest)
    session.flush()
    record_audit(session, batch, actor, "add_item", _item_detail(session, item) | {"note": note})
    return item


def set_note(
    session: Session,
    batch_id: int,
    note: str | None,
    actor: str,
    *,
    digest_id: int | None = None,
    item_id: int | None = None,
) -> None:
    """Note for the whole batch, one digest (shown at the top of the e-mail) or one item."""
    batch = get_batch(session, batch_id)
    ensure_editable(batch)
    clean = (note or "").strip() or None
    detail: dict[str, Any]
    if item_id is not None:
        item = get_item(session, batch_id, item_id)
        item.note = clean
        detail = _item_detail(session, item)
    elif digest_id is not None:
        get_digest(session, batch_id, digest_id).note = clean
        detail = {"digest_id": digest_id}
    else:
        batch.note = clean
        detail = {}
    record_audit(session, batch, actor, "note", detail | {"note": clean})


def _renumber(digest: Digest) -> None:
    for place, item in enumerate(visible_items(digest)):
        item.position = place


def audit_trail(session: Session, batch_id: int) -> list[DigestAudit]:
    get_batch(session, batch_id)
    return list(session.scalars(select(DigestAudit).where(DigestAudit.batch_id == batch_id).order_by(DigestAudit.id)))
