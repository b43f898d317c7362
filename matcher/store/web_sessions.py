"""Server-side records of web sessions: opened at sign-in, ended at sign-out or key revocation.

The cookie carries a random token; the store keeps its SHA-256 only, so a copy of the database does not
give usable sessions. Checking a session is a read: nothing is written while a signed-in user browses.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from matcher.store.models import WebSession


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, key_id: int, now: datetime | None = None) -> str:
    """A new session for `key_id`; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=_hash(token), key_id=key_id, created_at=now or datetime.now(UTC)))
    session.flush()
    return token


def session_alive(session: Session, token: str, key_id: int, max_age_seconds: int, now: datetime | None = None) -> bool:
    """True while the session exists, belongs to `key_id`, was not ended and is younger than the limit."""
    row = session.scalar(select(WebSession).where(WebSession.token_hash == _hash(token)))
    if row is None or row.key_id != key_id or row.ended_at is not None:
        return False
    return (now or datetime.now(UTC)) - row.created_at < timedelta(seconds=max_age_seconds)


def end_session(session: Session, token: str, now: datetime | None = None) -> None:
    session.execute(
        update(WebSession)
        .where(WebSession.token_hash == _hash(token), WebSession.ended_at.is_(None))
        .values(ended_at=now or datetime.now(UTC))
    )


def end_key_sessions(session: Session, key_id: int, now: datetime | None = None) -> int:
    """End every session of a key (revocation); returns how many were open."""
    result = session.execute(
        update(WebSession)
        .where(WebSession.key_id == key_id, WebSession.ended_at.is_(None))
        .values(ended_at=now or datetime.now(UTC))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
