"""Saved searches (monitoring profiles) of a startup: a query, filters and how often to alert.

At most `MAX_PER_STARTUP` per startup (TED allows 25 saved profiles). Each gets a random feed token:
its Atom feed's secret URL.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.errors import ConflictError, NotFoundError
from matcher.ranking.tender_search import SearchFilters
from matcher.store import SavedSearch, Startup
from matcher.store.repository import FieldError, Page, get_startup

MAX_PER_STARTUP = 25


class Frequency(StrEnum):
    instant = "instant"
    daily = "daily"
    weekly = "weekly"


# A run sends a profile's alert when at least this long has passed since its last run (a little less than
# the period, so a cron job a few minutes early does not skip a day).
PERIOD_SECONDS = {Frequency.instant: 0, Frequency.daily: 23 * 3600, Frequency.weekly: 6 * 86400 + 23 * 3600}


class SavedSearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    query: str = Field(default="", max_length=200)
    filters: SearchFilters = Field(default_factory=SearchFilters)
    frequency: Frequency = Frequency.daily

    @field_validator("name", "query")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


def _owned(session: Session, startup_id: str, search_id: int) -> tuple[Startup, SavedSearch]:
    startup = get_startup(session, startup_id)
    row = session.get(SavedSearch, search_id)
    if row is None or row.startup_id != startup.id:
        raise NotFoundError("saved search", str(search_id))
    return startup, row


def list_saved(session: Session, startup_id: str, limit: int = 50, offset: int = 0) -> Page[SavedSearch]:
    startup = get_startup(session, startup_id)
    query = select(SavedSearch).where(SavedSearch.startup_id == startup.id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(session.scalars(query.order_by(SavedSearch.id).limit(limit).offset(offset)))
    return Page(items=rows, count=total)


def get_saved(session: Session, startup_id: str, search_id: int) -> SavedSearch:
    return _owned(session, startup_id, search_id)[1]


def create_saved(session: Session, startup_id: str, data: SavedSearchIn) -> SavedSearch:
    startup = get_startup(session, startup_id)
    count = session.scalar(select(func.count()).where(SavedSearch.startup_id == startup.id)) or 0
    if count >= MAX_PER_STARTUP:
        raise ConflictError(f"a startup keeps at most {MAX_PER_STARTUP} saved searches: delete one first")
    if not data.query and not data.filters.active():
        raise FieldError("query", "give keywords or at least one filter: an empty search would alert on everything")
    row = SavedSearch(
        startup_id=startup.id,
        name=data.name,
        query=data.query,
        filters=data.filters.active(),
        frequency=data.frequency.value,
        active=True,
        feed_token=secrets.token_urlsafe(24),
    )
    session.add(row)
    session.flush()
    return row


def update_saved(session: Session, startup_id: str, search_id: int, changes: Mapping[str, Any]) -> SavedSearch:
    _, row = _owned(session, startup_id, search_id)
    merged = {"name": row.name, "query": row.query, "filters": row.filters, "frequency": row.frequency}
    merged.update({k: v for k, v in changes.items() if k in merged})
    data = SavedSearchIn.model_validate(merged)
    row.name, row.query, row.frequency = data.name, data.query, data.frequency.value
    if (row.query, row.filters) != (data.query, data.filters.active()):
        row.last_run_at = None  # a changed search looks at every open tender again (sent ones stay sent)
    row.filters = data.filters.active()
    if "active" in changes and changes["active"] is not None:
        row.active = bool(changes["active"])
        row.unsubscribed_at = None if row.active else datetime.now(UTC)
    session.flush()
    return row


def delete_saved(session: Session, startup_id: str, search_id: int) -> None:
    session.delete(_owned(session, startup_id, search_id)[1])
    session.flush()


def unsubscribe(session: Session, search_id: int) -> SavedSearch | None:
    """Stop e-mails of one saved search (the search itself and its feed stay)."""
    row = session.get(SavedSearch, search_id)
    if row is None:
        return None
    if row.active:
        row.active = False
        row.unsubscribed_at = datetime.now(UTC)
    session.flush()
    return row


_FORM_NAMES = {"cpv_prefix": "cpv", "buyer_kind": "kind", "min_days_left": "min_days", "max_days_left": "max_days",
               "reserved_for_sme": "sme"}  # fmt: skip


def search_page_params(query: str, filters: Mapping[str, object]) -> list[tuple[str, str]]:
    """The tender search page's query string for a saved search (the page shows every match)."""
    out = [("q", query)] if query else []
    for key, value in filters.items():
        out.append((_FORM_NAMES.get(key, key), "1" if value is True else str(value)))
    return out


def by_feed_token(session: Session, token: str) -> SavedSearch:
    row = session.scalar(select(SavedSearch).where(SavedSearch.feed_token == token)) if token else None
    if row is None:
        raise NotFoundError("feed", "?")
    return row
