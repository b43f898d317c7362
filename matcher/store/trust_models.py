"""Tables of the trust layer: award links, buyer-confirmed deliveries, declared references,
shortlists, contact requests, in-app notices and one audit trail for every decision.

A *verified* reference is an AwardLink in status 'confirmed' between an official award row and a
registered startup; a *buyer-confirmed* one is a DeliveryConfirmation by the buyer of that award;
a *declared* one is a DeclaredReference typed by the startup itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from matcher.store.models import Base, TimestampMixin, utcnow

LINK_STATUSES = ("proposed", "confirmed", "rejected", "claimed", "disputed")
REVIEW_STATUSES = ("proposed", "claimed", "disputed")
CONTACT_STATUSES = ("pending", "accepted", "declined")


class AwardLink(TimestampMixin, Base):
    """An official award row attributed to a registered startup, with how and how sure."""

    __tablename__ = "award_links"
    __table_args__ = (UniqueConstraint("award_id", "startup_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"), index=True)
    startup_id: Mapped[int] = mapped_column(ForeignKey("startups.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="proposed", index=True)
    method: Mapped[str] = mapped_column(String(16), default="name")  # id | name | context | claim
    score: Mapped[float | None] = mapped_column(Float)
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)


class DeliveryConfirmation(Base):
    """The buyer of an award says the startup delivered it (optionally rated 1–5, with a comment)."""

    __tablename__ = "delivery_confirmations"
    __table_args__ = (UniqueConstraint("award_id", "startup_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"), index=True)
    startup_id: Mapped[int] = mapped_column(ForeignKey("startups.id", ondelete="CASCADE"), index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id", ondelete="CASCADE"), index=True)
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    actor_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeclaredReference(Base):
    """A reference the startup reports itself (not checked against any record)."""

    __tablename__ = "declared_references"

    id: Mapped[int] = mapped_column(primary_key=True)
    startup_id: Mapped[int] = mapped_column(ForeignKey("startups.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    buyer_name: Mapped[str | None] = mapped_column(String(300))
    year: Mapped[int | None] = mapped_column(Integer)
    amount: Mapped[float | None] = mapped_column(Float)
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Shortlist(TimestampMixin, Base):
    __tablename__ = "shortlists"
    __table_args__ = (UniqueConstraint("buyer_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))


class ShortlistItem(Base):
    __tablename__ = "shortlist_items"
    __table_args__ = (UniqueConstraint("shortlist_id", "startup_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shortlist_id: Mapped[int] = mapped_column(ForeignKey("shortlists.id", ondelete="CASCADE"), index=True)
    startup_id: Mapped[int] = mapped_column(ForeignKey("startups.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContactRequest(Base):
    """A buyer asks a startup for contact (or invites it to bid on one of its tenders)."""

    __tablename__ = "contact_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyers.id", ondelete="CASCADE"), index=True)
    startup_id: Mapped[int] = mapped_column(ForeignKey("startups.id", ondelete="CASCADE"), index=True)
    tender_id: Mapped[int | None] = mapped_column(ForeignKey("tenders.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16), default="contact")  # contact | invite
    message: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    email_status: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()


class Notification(Base):
    """An in-app notice for a startup (e.g. a contact request)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    startup_id: Mapped[int] = mapped_column(ForeignKey("startups.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column()


class TrustAudit(Base):
    """Who decided what on a link, a contact request, a delivery or a visibility setting."""

    __tablename__ = "trust_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(16), index=True)  # link | contact | delivery | visibility
    entity_id: Mapped[int] = mapped_column(Integer, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)
