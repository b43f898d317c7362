"""Tables of a startup's daily tools: saved searches with their sent alerts, and the bid pipeline.

Kept apart from `models.py` (same declarative Base) so the core tables stay readable.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from matcher.store.models import Base, utcnow


class SavedSearch(Base):
    """A monitoring profile: query + filters + frequency; its tenders are e-mailed once each."""

    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    startup_id: Mapped[int] = mapped_column(ForeignKey("startups.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    query: Mapped[str] = mapped_column(String(200), default="")
    filters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    frequency: Mapped[str] = mapped_column(String(8), default="daily")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    feed_token: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_run_at: Mapped[datetime | None] = mapped_column()
    last_sent_at: Mapped[datetime | None] = mapped_column()
    unsubscribed_at: Mapped[datetime | None] = mapped_column()


class AlertItem(Base):
    """A tender already e-mailed for one saved search: never sent again for that search."""

    __tablename__ = "alert_items"
    __table_args__ = (UniqueConstraint("saved_search_id", "tender_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    saved_search_id: Mapped[int] = mapped_column(ForeignKey("saved_searches.id", ondelete="CASCADE"), index=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class Bid(Base):
    """One tender in a startup's pipeline: interested → preparing → submitted → won / lost / withdrawn."""

    __tablename__ = "bids"
    __table_args__ = (UniqueConstraint("startup_id", "tender_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    startup_id: Mapped[int] = mapped_column(ForeignKey("startups.id", ondelete="CASCADE"), index=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    history: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list
    )  # [{"status", "at", "note"}], oldest first
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class BidReminder(Base):
    """A deadline reminder (J-7 or J-2) sent for one bid: each goes out once."""

    __tablename__ = "bid_reminders"
    __table_args__ = (UniqueConstraint("bid_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    days_left: Mapped[int] = mapped_column(Integer, default=0)
