"""Award links, their review, buyer-confirmed deliveries and declared references.

Every decision on a link or a delivery writes a TrustAudit row (who, what, from which status), so
staff can always say why a reference shows as verified. Functions take an open session and never
commit: the caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.errors import ConflictError, NotFoundError
from matcher.store.models import Award, Buyer, Startup, Tender
from matcher.store.repository import FieldError, get_startup
from matcher.store.trust_models import (
    REVIEW_STATUSES,
    AwardLink,
    DeclaredReference,
    DeliveryConfirmation,
    TrustAudit,
)

MAX_TITLE = 500
MAX_COMMENT = 2000

# (action, from statuses, to status, who may do it)
_TRANSITIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "confirm": (("proposed", "claimed", "disputed"), "confirmed", "staff"),
    "reject": (("proposed", "claimed", "disputed"), "rejected", "staff"),
    "dispute": (("proposed", "confirmed"), "disputed", "startup"),
}


def audit(session: Session, entity: str, entity_id: int, actor: str, action: str, **detail: Any) -> None:
    session.add(TrustAudit(entity=entity, entity_id=entity_id, actor=actor[:200], action=action, detail=detail))


def audit_trail(session: Session, entity: str, entity_id: int) -> list[TrustAudit]:
    query = select(TrustAudit).where(TrustAudit.entity == entity, TrustAudit.entity_id == entity_id)
    return list(session.scalars(query.order_by(TrustAudit.id)))


def _startup(session: Session, startup: int | str) -> Startup:
    if isinstance(startup, int):
        row = session.get(Startup, startup)
        if row is None:
            raise NotFoundError("startup", str(startup))
        return row
    return get_startup(session, startup)


def get_link(session: Session, link_id: int) -> AwardLink:
    row = session.get(AwardLink, link_id)
    if row is None:
        raise NotFoundError("link", str(link_id))
    return row


def propose_link(
    session: Session, award_id: int, startup_id: int, method: str, score: float | None, actor: str
) -> AwardLink | None:
    """Record a link found by the linker; None when this pair was already linked or decided (re-runs)."""
    exists = session.scalar(
        select(AwardLink.id).where(AwardLink.award_id == award_id, AwardLink.startup_id == startup_id)
    )
    if exists is not None:
        return None
    status = "confirmed" if method == "id" else "proposed"
    link = AwardLink(award_id=award_id, startup_id=startup_id, status=status, method=method, score=score)
    session.add(link)
    session.flush()
    audit(session, "link", link.id, actor, "proposed" if status == "proposed" else "linked_by_id", score=score)
    return link


def decide_link(
    session: Session, link_id: int, action: str, actor: str, role: str, note: str | None = None
) -> AwardLink:
    """Apply a staff decision (confirm / reject) or a startup's dispute to one link."""
    if action not in _TRANSITIONS:
        raise FieldError("action", f"unknown action {action!r}: use confirm, reject or dispute")
    sources, target, allowed = _TRANSITIONS[action]
    link = get_link(session, link_id)
    if role != allowed and role != "staff":
        raise ConflictError(f"only {allowed} may {action} a link")
    if link.status not in sources:
        raise ConflictError(f"link {link_id} is {link.status}: cannot {action} it")
    before = link.status
    link.status = target
    link.note = (note or "")[:MAX_COMMENT] or link.note
    audit(session, "link", link.id, actor, action, before=before, after=target, note=note)
    return link


def claim_award(session: Session, startup: int | str, award_id: int, actor: str, note: str | None = None) -> AwardLink:
    """A startup says an official award is its own; staff then confirm or reject the claim."""
    row = _startup(session, startup)
    if session.get(Award, award_id) is None:
        raise NotFoundError("award", str(award_id))
    link = session.scalar(select(AwardLink).where(AwardLink.award_id == award_id, AwardLink.startup_id == row.id))
    if link is None:
        link = AwardLink(award_id=award_id, startup_id=row.id, status="claimed", method="claim")
        session.add(link)
        session.flush()
        before = None
    elif link.status in ("confirmed", "claimed"):
        raise ConflictError(f"award {award_id} is already {link.status} for this startup")
    else:
        before, link.status = link.status, "claimed"
    link.note = (note or "")[:MAX_COMMENT] or None
    audit(session, "link", link.id, actor, "claim", before=before, after="claimed", note=note)
    return link


@dataclass(frozen=True)
class LinkView:
    """A link with what a reviewer needs to decide: the award, its supplier name, the startup."""

    id: int
    status: str
    method: str
    score: float | None
    public: bool
    award_id: int
    startup_id: str
    startup_name: str
    supplier_name: str
    tender_id: str
    title: str
    buyer_id: str | None
    buyer_name: str | None
    buyer_kind: str | None
    amount: float | None
    currency: str
    awarded_at: datetime | None
    source: str
    source_url: str | None
    cpv_codes: list[str]
    note: str | None


def _views(session: Session, query: Any) -> list[LinkView]:
    supplier = Startup.__table__.alias("supplier")
    owner = Startup.__table__.alias("owner")
    full = (
        query.join(Award, Award.id == AwardLink.award_id)
        .join(Tender, Tender.id == Award.tender_id)
        .join(supplier, supplier.c.id == Award.startup_id)
        .join(owner, owner.c.id == AwardLink.startup_id)
        .outerjoin(Buyer, Buyer.id == Tender.buyer_id)
        .add_columns(
            supplier.c.name,
            owner.c.external_id,
            owner.c.name,
            Tender.external_id,
            Tender.title,
            Tender.currency,
            Tender.source,
            Tender.source_url,
            Tender.cpv_codes,
            Buyer.external_id,
            Buyer.name,
            Buyer.kind,
            Award.amount,
            Award.awarded_at,
        )
    )
    views = []
    for row in session.execute(full):
        link: AwardLink = row[0]
        (supplier_name, owner_id, owner_name, tender_id, title, currency, source, url, cpv) = row[1:10]
        buyer_id, buyer_name, buyer_kind, amount, awarded_at = row[10:]
        views.append(
            LinkView(
                link.id, link.status, link.method, link.score, link.public, link.award_id, owner_id, owner_name,
                supplier_name, tender_id, title, buyer_id, buyer_name, buyer_kind, amount, currency, awarded_at,
                source, url, list(cpv or []), link.note,
            )
        )  # fmt: skip
    return views


def review_queue(session: Session, limit: int = 50, offset: int = 0) -> tuple[list[LinkView], int]:
    """Links waiting for a staff decision (proposed by the linker, claimed or disputed), oldest first."""
    where = AwardLink.status.in_(REVIEW_STATUSES)
    total = session.scalar(select(func.count()).select_from(AwardLink).where(where)) or 0
    query = select(AwardLink).where(where).order_by(AwardLink.id).limit(limit).offset(offset)
    return _views(session, query), total


def links_of(session: Session, startup_id: int, statuses: tuple[str, ...] | None = None) -> list[LinkView]:
    query = select(AwardLink).where(AwardLink.startup_id == startup_id)
    if statuses:
        query = query.where(AwardLink.status.in_(statuses))
    return _views(session, query.order_by(AwardLink.id))


def link_view(session: Session, link_id: int) -> LinkView:
    found = _views(session, select(AwardLink).where(AwardLink.id == link_id))
    if not found:
        raise NotFoundError("link", str(link_id))
    return found[0]


# --- buyer-confirmed deliveries ------------------------------------------------------------------


def confirm_delivery(
    session: Session,
    award_id: int,
    startup: int | str,
    buyer_id: int,
    actor: str,
    rating: int | None = None,
    comment: str | None = None,
    actor_key_id: int | None = None,
) -> DeliveryConfirmation:
    """The buyer of the award confirms the startup delivered it; nobody else can (checked here)."""
    row = _startup(session, startup)
    award = session.get(Award, award_id)
    if award is None:
        raise NotFoundError("award", str(award_id))
    tender = session.get(Tender, award.tender_id)
    if tender is None or tender.buyer_id != buyer_id:
        raise PermissionError("only the buyer of this award can confirm its delivery")
    linked = award.startup_id == row.id or session.scalar(
        select(AwardLink.id).where(
            AwardLink.award_id == award_id, AwardLink.startup_id == row.id, AwardLink.status != "rejected"
        )
    )
    if not linked:
        raise ConflictError(f"award {award_id} is not linked to startup {row.external_id}")
    if rating is not None and not 1 <= rating <= 5:
        raise FieldError("rating", "rating is between 1 and 5")
    confirmation = session.scalar(
        select(DeliveryConfirmation).where(
            DeliveryConfirmation.award_id == award_id, DeliveryConfirmation.startup_id == row.id
        )
    )
    if confirmation is None:
        confirmation = DeliveryConfirmation(award_id=award_id, startup_id=row.id, buyer_id=buyer_id)
        session.add(confirmation)
    confirmation.rating = rating
    confirmation.comment = (comment or "")[:MAX_COMMENT] or None
    confirmation.actor_key_id = actor_key_id
    session.flush()
    audit(session, "delivery", confirmation.id, actor, "confirm", award_id=award_id, rating=rating)
    return confirmation


def deliveries_of(session: Session, startup_id: int) -> list[DeliveryConfirmation]:
    query = select(DeliveryConfirmation).where(DeliveryConfirmation.startup_id == startup_id)
    return list(session.scalars(query.order_by(DeliveryConfirmation.id)))


# --- declared references -------------------------------------------------------------------------


def add_declared_reference(
    session: Session,
    startup_id: int | str,
    title: str,
    buyer_name: str | None = None,
    year: int | None = None,
    amount: float | None = None,
) -> DeclaredReference:
    """A reference the startup reports itself (e.g. a bid marked "won"); shown as "declared".

    `startup_id` is the internal id or the external id. Same title and buyer twice → the same row.
    """
    row = _startup(session, startup_id)
    title = (title or "").strip()
    if not title:
        raise FieldError("title", "a reference needs a title")
    if year is not None and not 1900 <= year <= 2100:
        raise FieldError("year", "year must be between 1900 and 2100")
    if amount is not None and amount < 0:
        raise FieldError("amount", "amount cannot be negative")
    existing = session.scalar(
        select(DeclaredReference).where(
            DeclaredReference.startup_id == row.id,
            DeclaredReference.title == title[:MAX_TITLE],
            DeclaredReference.buyer_name.is_(None)
            if buyer_name is None
            else DeclaredReference.buyer_name == buyer_name,
        )
    )
    if existing is not None:
        existing.year = year if year is not None else existing.year
        existing.amount = amount if amount is not None else existing.amount
        return existing
    reference = DeclaredReference(
        startup_id=row.id, title=title[:MAX_TITLE], buyer_name=(buyer_name or None), year=year, amount=amount
    )
    session.add(reference)
    session.flush()
    return reference


def declared_references(session: Session, startup_id: int) -> list[DeclaredReference]:
    query = select(DeclaredReference).where(DeclaredReference.startup_id == startup_id)
    return list(session.scalars(query.order_by(DeclaredReference.id)))
