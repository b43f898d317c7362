"""A startup's bid pipeline (interested → preparing → submitted → won / lost / withdrawn) and its hidden tenders.

"Won" adds a declared reference to the profile. Hidden tenders are the startup's "not relevant"
verdicts in the feedback table; undoing deletes those verdicts, so the tender comes back in its matches.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from matcher.errors import NotFoundError
from matcher.store import Bid, Feedback, Startup, Tender
from matcher.store.feedback import Verdict
from matcher.store.repository import Page, get_startup, get_tender
from matcher.store.trust import add_declared_reference


class BidStatus(StrEnum):
    interested = "interested"
    preparing = "preparing"
    submitted = "submitted"
    won = "won"
    lost = "lost"
    withdrawn = "withdrawn"


OPEN_STATUSES = (BidStatus.interested, BidStatus.preparing)  # still to act on: reminders go out
MAX_NOTE = 2_000


def set_bid(session: Session, startup_id: str, tender_id: str, status: BidStatus | str, note: str | None = None) -> Bid:
    """Put a tender on the board or move it; every move is kept with its date in `history`."""
    chosen = BidStatus(status)
    startup = get_startup(session, startup_id)
    tender = get_tender(session, tender_id)
    note = (note or "").strip()[:MAX_NOTE] or None
    now = datetime.now(UTC)
    row = session.scalar(select(Bid).where(Bid.startup_id == startup.id, Bid.tender_id == tender.id))
    if row is None:
        row = Bid(
            startup_id=startup.id, tender_id=tender.id, status=chosen.value, note=note, history=[], created_at=now
        )
        session.add(row)
    previous = row.status if row.history else None
    row.history = [*row.history, {"status": chosen.value, "at": now.isoformat(), "note": note}]
    row.status = chosen.value
    if note is not None:
        row.note = note
    row.updated_at = now
    if chosen is BidStatus.won and previous != BidStatus.won.value:
        declare_reference(session, startup, tender, now.year)
    session.flush()
    return row


def declare_reference(session: Session, startup: Startup, tender: Tender, year: int) -> str:
    """A won bid becomes a declared reference of the startup (the trust work shows it as "declared")."""
    add_declared_reference(
        session,
        startup.id,
        tender.title,
        buyer_name=tender.buyer.name if tender.buyer else None,
        year=year,
        amount=tender.estimated_value,
    )
    return tender.title


def get_bid(session: Session, startup_id: str, tender_id: str) -> Bid | None:
    startup = get_startup(session, startup_id)
    tender = get_tender(session, tender_id)
    return session.scalar(select(Bid).where(Bid.startup_id == startup.id, Bid.tender_id == tender.id))


def list_bids(
    session: Session, startup_id: str, status: BidStatus | None = None, limit: int = 50, offset: int = 0
) -> Page[tuple[Bid, Tender]]:
    startup = get_startup(session, startup_id)
    query = select(Bid, Tender).join(Tender, Tender.id == Bid.tender_id).where(Bid.startup_id == startup.id)
    if status is not None:
        query = query.where(Bid.status == status.value)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(Tender.deadline_at.asc().nulls_last(), Bid.id).limit(limit).offset(offset)
    ).all()
    return Page(items=[(bid, tender) for bid, tender in rows], count=total)


def delete_bid(session: Session, startup_id: str, tender_id: str) -> None:
    row = get_bid(session, startup_id, tender_id)
    if row is None:
        raise NotFoundError("bid", tender_id)
    session.delete(row)
    session.flush()


# -- hidden tenders ("not relevant") ---------------------------------------------------------------
def hidden_tender_ids(session: Session, startup_id: str) -> set[str]:
    startup = get_startup(session, startup_id)
    query = (
        select(Tender.external_id)
        .join(Feedback, Feedback.tender_id == Tender.id)
        .where(Feedback.startup_id == startup.id, Feedback.verdict == Verdict.not_relevant.value)
    )
    return set(session.scalars(query))


def list_hidden(session: Session, startup_id: str, limit: int = 50, offset: int = 0) -> Page[tuple[Tender, datetime]]:
    """Tenders the startup marked "not relevant", newest verdict first."""
    startup = get_startup(session, startup_id)
    query = (
        select(Tender, func.max(Feedback.created_at).label("hidden_at"))
        .join(Feedback, Feedback.tender_id == Tender.id)
        .where(Feedback.startup_id == startup.id, Feedback.verdict == Verdict.not_relevant.value)
        .group_by(Tender.id)
    )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(func.max(Feedback.created_at).desc()).limit(limit).offset(offset)).all()
    return Page(items=[(tender, hidden_at) for tender, hidden_at in rows], count=total)


def unhide(session: Session, startup_id: str, tender_id: str) -> int:
    """Undo "not relevant": delete those verdicts (the other verdicts stay). Returns how many went."""
    startup = get_startup(session, startup_id)
    tender = get_tender(session, tender_id)
    result = session.execute(
        delete(Feedback).where(
            Feedback.startup_id == startup.id,
            Feedback.tender_id == tender.id,
            Feedback.verdict == Verdict.not_relevant.value,
        )
    )
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)
