"""Verdicts of startups and staff on matches, kept for later learning (e.g. training a ranker)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.store import Feedback, Startup, Tender
from matcher.store.repository import get_startup, get_tender


class Verdict(StrEnum):
    relevant = "relevant"
    not_relevant = "not_relevant"
    applied = "applied"
    won = "won"
    lost = "lost"


@dataclass(frozen=True)
class FeedbackRecord:
    """A stored verdict with external ids, ready to show."""

    id: int
    startup_id: str
    tender_id: str
    verdict: Verdict
    actor_role: str
    note: str | None
    created_at: datetime


def _record(row: Feedback, startup_id: str, tender_id: str) -> FeedbackRecord:
    return FeedbackRecord(
        id=row.id,
        startup_id=startup_id,
        tender_id=tender_id,
        verdict=Verdict(row.verdict),
        actor_role=row.actor_role,
        note=row.note,
        created_at=row.created_at,
    )


def record_feedback(
    session: Session,
    startup_id: str,
    tender_id: str,
    verdict: Verdict | str,
    *,
    actor_role: str,
    actor_key_id: int | None = None,
    note: str | None = None,
) -> FeedbackRecord:
    """Append one verdict; every verdict is kept (a startup may go from 'applied' to 'won')."""
    startup = get_startup(session, startup_id)
    tender = get_tender(session, tender_id)
    row = Feedback(
        startup_id=startup.id,
        tender_id=tender.id,
        verdict=Verdict(verdict).value,
        actor_role=actor_role,
        actor_key_id=actor_key_id,
        note=note,
    )
    session.add(row)
    session.flush()
    return _record(row, startup.external_id, tender.external_id)


def list_feedback(session: Session, startup_id: str | None = None, limit: int = 100) -> list[FeedbackRecord]:
    """Newest verdicts first, optionally for one startup."""
    query = (
        select(Feedback, Startup.external_id, Tender.external_id)
        .join(Startup, Startup.id == Feedback.startup_id)
        .join(Tender, Tender.id == Feedback.tender_id)
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())
        .limit(limit)
    )
    if startup_id is not None:
        query = query.where(Startup.external_id == startup_id)
    return [_record(row, sid, tid) for row, sid, tid in session.execute(query)]


def latest_verdicts(session: Session, startup_id: str) -> dict[str, Verdict]:
    """The last verdict a startup gave on each tender (tender external id → verdict).

    Ranking reads this on every request, so a verdict changes the next list at once and deleting
    it (undo) restores the tender.
    """
    query = (
        select(Tender.external_id, Feedback.verdict)
        .join(Startup, Startup.id == Feedback.startup_id)
        .join(Tender, Tender.id == Feedback.tender_id)
        .where(Startup.external_id == startup_id)
        .order_by(Feedback.created_at, Feedback.id)
    )
    return {tender: Verdict(verdict) for tender, verdict in session.execute(query)}
