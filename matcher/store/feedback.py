"""Verdicts of startups and staff on matches, kept for later learning (e.g. training a ranker)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Select, func, select
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


def give_feedback(
    session: Session,
    startup_id: str,
    tender_id: str,
    verdict: Verdict | str,
    *,
    actor_role: str,
    actor_key_id: int | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> tuple[FeedbackRecord, bool]:
    """Store a verdict; answer it and whether it is new.

    The same verdict given again (a retry, a double click) changes nothing. A verdict given again
    after another one (relevant → not relevant → relevant) becomes the latest again: its time moves
    to now, so the newest row of a pair is always the startup's current opinion.
    """
    startup = get_startup(session, startup_id)
    tender = get_tender(session, tender_id)
    value = Verdict(verdict).value
    row = session.scalar(
        select(Feedback).where(
            Feedback.startup_id == startup.id, Feedback.tender_id == tender.id, Feedback.verdict == value
        )
    )
    created = row is None
    if row is None:
        row = Feedback(
            startup_id=startup.id,
            tender_id=tender.id,
            verdict=value,
            actor_role=actor_role,
            actor_key_id=actor_key_id,
            note=note,
        )
        session.add(row)
    else:
        latest = session.scalar(
            select(Feedback.id)
            .where(Feedback.startup_id == startup.id, Feedback.tender_id == tender.id)
            .order_by(Feedback.created_at.desc(), Feedback.id.desc())
            .limit(1)
        )
        if latest != row.id:
            row.created_at = now or datetime.now(UTC)
        if note is not None:
            row.note = note
    session.flush()
    return _record(row, startup.external_id, tender.external_id), created


def _feedback_query(startup_id: str | None, tender_id: str | None) -> Select[Feedback, str, str]:
    query = (
        select(Feedback, Startup.external_id, Tender.external_id)
        .join(Startup, Startup.id == Feedback.startup_id)
        .join(Tender, Tender.id == Feedback.tender_id)
    )
    if startup_id is not None:
        query = query.where(Startup.external_id == startup_id)
    if tender_id is not None:
        query = query.where(Tender.external_id == tender_id)
    return query


def list_feedback(session: Session, startup_id: str | None = None, limit: int = 100) -> list[FeedbackRecord]:
    """Newest verdicts first, optionally for one startup."""
    return page_feedback(session, startup_id=startup_id, limit=limit)[0]


def page_feedback(
    session: Session,
    *,
    startup_id: str | None = None,
    tender_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[FeedbackRecord], int]:
    """One page of verdicts, newest first, and how many there are in all.

    `startup_id` and `tender_id` keep the verdicts of one startup, on one tender.
    """
    query = _feedback_query(startup_id, tender_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(Feedback.created_at.desc(), Feedback.id.desc()).limit(limit).offset(offset))
    return [_record(row, sid, tid) for row, sid, tid in rows], total


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
