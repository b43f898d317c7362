"""SQLAlchemy 2 models: the store is the single source of truth; indexes are derived from it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, datetime: UTCDateTime}


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Buyer(TimestampMixin, Base):
    __tablename__ = "buyers"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(128), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(32), default="ministry")
    city: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2), default="MA")
    timezone: Mapped[str | None] = mapped_column(String(64))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    digest_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)

    tenders: Mapped[list[Tender]] = relationship(back_populates="buyer")


class Startup(TimestampMixin, Base):
    __tablename__ = "startups"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(128), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    sectors: Mapped[list[str]] = mapped_column(default=list)
    tags: Mapped[list[str]] = mapped_column(default=list)
    cpv_codes: Mapped[list[str]] = mapped_column(default=list)
    technologies: Mapped[list[str]] = mapped_column(default=list)
    city: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120))
    founding_year: Mapped[int | None] = mapped_column(Integer)
    headcount: Mapped[int | None] = mapped_column(Integer)
    annual_revenue: Mapped[float | None] = mapped_column(Float)
    revenue_currency: Mapped[str] = mapped_column(String(3), default="MAD")
    certifications: Mapped[list[str]] = mapped_column(default=list)
    references_count: Mapped[int] = mapped_column(Integer, default=0)
    references: Mapped[list[str]] = mapped_column(default=list)
    labels: Mapped[list[str]] = mapped_column(default=list)
    languages: Mapped[list[str]] = mapped_column(default=list)
    preferred_language: Mapped[str] = mapped_column(String(2), default="fr")
    contact_email: Mapped[str | None] = mapped_column(String(254))
    digest_opt_in: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(32), default="file")
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    company_id: Mapped[str | None] = mapped_column(String(32), index=True)  # validated (matcher.linkage.ids)
    company_id_scheme: Mapped[str | None] = mapped_column(String(8))
    profile_visible: Mapped[bool] = mapped_column(Boolean, default=True)


class Tender(TimestampMixin, Base):
    __tablename__ = "tenders"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(128), unique=True, index=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("buyers.id"), index=True)
    cpv_codes: Mapped[list[str]] = mapped_column(default=list)
    city: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120), index=True)
    estimated_value: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(3), default="MAD")
    published_at: Mapped[datetime | None] = mapped_column()
    deadline_at: Mapped[datetime | None] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    procedure: Mapped[str | None] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(2), default="fr")
    source_url: Mapped[str | None] = mapped_column(String(1000))
    min_years_in_business: Mapped[int | None] = mapped_column(Integer)
    min_revenue: Mapped[float | None] = mapped_column(Float)
    min_references: Mapped[int | None] = mapped_column(Integer)
    required_certifications: Mapped[list[str]] = mapped_column(default=list)
    reserved_for_sme: Mapped[bool] = mapped_column(Boolean, default=False)
    guarantee_amount: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(32), default="file")
    content_hash: Mapped[str] = mapped_column(String(64), default="")

    buyer: Mapped[Buyer | None] = relationship(back_populates="tenders", lazy="joined")
    lots: Mapped[list[TenderLot]] = relationship(
        back_populates="tender", cascade="all, delete-orphan", order_by="TenderLot.lot_number"
    )


class TenderLot(Base):
    __tablename__ = "tender_lots"
    __table_args__ = (UniqueConstraint("tender_id", "lot_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    lot_number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    cpv_codes: Mapped[list[str]] = mapped_column(default=list)
    estimated_value: Mapped[float | None] = mapped_column(Float)

    tender: Mapped[Tender] = relationship(back_populates="lots")


class Award(Base):
    """A contract won: who won which tender (from DECP / OCDS); builds supplier references."""

    __tablename__ = "awards"
    __table_args__ = (UniqueConstraint("tender_id", "startup_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    startup_id: Mapped[int] = mapped_column(ForeignKey("startups.id", ondelete="CASCADE"), index=True)
    amount: Mapped[float | None] = mapped_column(Float)
    awarded_at: Mapped[datetime | None] = mapped_column()


class CPVCode(Base):
    __tablename__ = "cpv_codes"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    label_fr: Mapped[str] = mapped_column(Text)
    label_en: Mapped[str] = mapped_column(Text)


class Feedback(Base):
    """One verdict per (startup, tender, verdict): posting it again is a no-op (see store.feedback)."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("startup_id", "tender_id", "verdict", name="uq_feedback_startup_tender_verdict"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    startup_id: Mapped[int] = mapped_column(ForeignKey("startups.id", ondelete="CASCADE"), index=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    verdict: Mapped[str] = mapped_column(String(16))
    actor_role: Mapped[str] = mapped_column(String(16))
    actor_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True, index=True)
    key_hash: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(200))
    startup_id: Mapped[int | None] = mapped_column(ForeignKey("startups.id", ondelete="CASCADE"))
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("buyers.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column()


class WebSession(Base):
    """A signed-in web session, server-side: signing out or revoking the key ends every copy of its
    cookie, and `created_at` bounds its absolute lifetime. Only a hash of the cookie's token is kept."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()


class DigestBatch(TimestampMixin, Base):
    """All digests of one ISO week and audience; moves draft → in_review → approved → sent."""

    __tablename__ = "digest_batches"
    __table_args__ = (UniqueConstraint("week", "audience"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[str] = mapped_column(String(8))
    audience: Mapped[str] = mapped_column(String(16), default="startup")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    note: Mapped[str | None] = mapped_column(Text)

    digests: Mapped[list[Digest]] = relationship(back_populates="batch", cascade="all, delete-orphan")


class Digest(TimestampMixin, Base):
    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("batch_id", "startup_id", "buyer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("digest_batches.id", ondelete="CASCADE"), index=True)
    startup_id: Mapped[int | None] = mapped_column(ForeignKey("startups.id", ondelete="CASCADE"))
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("buyers.id", ondelete="CASCADE"))
    note: Mapped[str | None] = mapped_column(Text)

    batch: Mapped[DigestBatch] = relationship(back_populates="digests")
    items: Mapped[list[DigestItem]] = relationship(
        back_populates="digest", cascade="all, delete-orphan", order_by="DigestItem.position"
    )


class DigestItem(Base):
    __tablename__ = "digest_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"), index=True)
    tender_id: Mapped[int | None] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"))
    startup_id: Mapped[int | None] = mapped_column(ForeignKey("startups.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    added_by_hand: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)

    digest: Mapped[Digest] = relationship(back_populates="items")


class DigestAudit(Base):
    __tablename__ = "digest_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("digest_batches.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(Base):
    """One e-mail of one digest: recorded before and after sending so a re-run never sends twice."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("digest_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(254))
    delivered_at: Mapped[datetime | None] = mapped_column()
    claimed_at: Mapped[datetime | None] = mapped_column()  # a send run's lease while it tries this one


class SentItem(Base):
    """A tender already e-mailed to a startup (or a startup to a buyer): never sent again."""

    __tablename__ = "sent_items"
    __table_args__ = (UniqueConstraint("startup_id", "tender_id", "audience"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audience: Mapped[str] = mapped_column(String(16), default="startup")
    startup_id: Mapped[int] = mapped_column(ForeignKey("startups.id", ondelete="CASCADE"), index=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"), index=True)
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("digests.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class IndexState(Base):
    """What each derived index was built from, so `status` can say whether it is fresh."""

    __tablename__ = "index_state"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    model_id: Mapped[str] = mapped_column(String(300))
    item_count: Mapped[int] = mapped_column(Integer)
    source_fingerprint: Mapped[str] = mapped_column(String(64))
    built_at: Mapped[datetime] = mapped_column(default=utcnow)
