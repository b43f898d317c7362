"""A supplier's profile as a buyer sees it: what it does, its track record in three tiers, activity.

Tiers of references:
- verified: an official award row (DECP, OCDS, any award import) attributed to the startup, either
  directly at import or through a confirmed AwardLink;
- buyer_confirmed: the buyer of that award confirmed delivery (optional 1–5 rating, comment);
- declared: typed by the startup itself.
A revenue *band* is shown, never the figure. Contact details are the caller's business
(`contact` is filled only when the caller says the viewer may see them).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.store.feedback import Verdict
from matcher.store.models import Award, Buyer, Feedback, Startup, Tender
from matcher.store.trust import declared_references, deliveries_of, links_of
from matcher.store.trust_models import AwardLink, DeclaredReference, DeliveryConfirmation

AWARD_SOURCES = ("decp", "ocds")  # supplier profiles built from award files: their references are awards
PUBLIC_KINDS = ("ministry", "public_enterprise", "local_authority")
# Upper bounds in MAD (other currencies are shown in their own band codes with the same bounds).
REVENUE_BANDS = ((1_000_000, "lt_1m"), (5_000_000, "1m_5m"), (20_000_000, "5m_20m"), (100_000_000, "20m_100m"))
_DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


def revenue_band(amount: float | None) -> str | None:
    if amount is None:
        return None
    for bound, code in REVENUE_BANDS:
        if amount < bound:
            return code
    return "gt_100m"


@dataclass(frozen=True)
class Certification:
    name: str
    issuer: str | None
    valid_until: date | None
    expired: bool


def parse_certification(text: str, today: date | None = None) -> Certification:
    """'ISO 27001 | Bureau Veritas | 2027-05-01' (or with commas / parentheses) → its parts."""
    today = today or datetime.now(UTC).date()
    valid_until = None
    found = _DATE.search(text)
    if found:
        year, month, day = found.groups()
        try:
            valid_until = date(int(year), int(month), int(day or 28))
        except ValueError:
            valid_until = None
        text = (text[: found.start()] + text[found.end() :]).strip()
    parts = [p.strip(" ()") for p in re.split(r"[|;,()]", text) if p.strip(" ()")]
    name = parts[0] if parts else text
    issuer = parts[1] if len(parts) > 1 else None
    return Certification(name, issuer, valid_until, bool(valid_until and valid_until < today))


@dataclass
class Reference:
    tier: str
    title: str
    buyer_name: str | None = None
    buyer_id: str | None = None
    buyer_kind: str | None = None
    date: datetime | None = None
    year: int | None = None
    amount: float | None = None
    currency: str | None = None
    source: str | None = None
    source_url: str | None = None
    award_id: int | None = None
    link_id: int | None = None
    rating: int | None = None
    comment: str | None = None
    cpv_codes: list[str] = field(default_factory=list)
    public: bool = True


@dataclass
class Profile:
    startup: Startup
    revenue_band: str | None
    certifications: list[Certification]
    verified: list[Reference]
    buyer_confirmed: list[Reference]
    declared: list[Reference]
    bids_recorded: int
    contracts_won: int
    pending_links: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "verified": [asdict(r) for r in self.verified],
            "buyer_confirmed": [asdict(r) for r in self.buyer_confirmed],
            "declared": [asdict(r) for r in self.declared],
        }


def _direct_awards(session: Session, startup_id: int) -> list[Reference]:
    query = (
        select(Award, Tender, Buyer)
        .join(Tender, Tender.id == Award.tender_id)
        .outerjoin(Buyer, Buyer.id == Tender.buyer_id)
        .where(Award.startup_id == startup_id)
        .order_by(Award.awarded_at.desc(), Award.id)
    )
    return [
        Reference(
            "verified", tender.title, buyer.name if buyer else None, buyer.external_id if buyer else None,
            buyer.kind if buyer else None, award.awarded_at, None, award.amount, tender.currency, tender.source,
            tender.source_url, award.id, None, cpv_codes=list(tender.cpv_codes or []),
        )
        for award, tender, buyer in session.execute(query).unique()
    ]  # fmt: skip


def build_profile(session: Session, startup: Startup, include_private: bool = False) -> Profile:
    """Everything the profile page shows; private references only when `include_private`."""
    verified = _direct_awards(session, startup.id)
    for link in links_of(session, startup.id, ("confirmed",)):
        if link.public or include_private:
            verified.append(
                Reference(
                    "verified", link.title, link.buyer_name, link.buyer_id, link.buyer_kind, link.awarded_at, None,
                    link.amount, link.currency, link.source, link.source_url, link.award_id, link.id,
                    cpv_codes=link.cpv_codes, public=link.public,
                )
            )  # fmt: skip
    by_award = {ref.award_id: ref for ref in verified}
    confirmed: list[Reference] = []
    for delivery in deliveries_of(session, startup.id):
        base = by_award.get(delivery.award_id)
        buyer = session.get(Buyer, delivery.buyer_id)
        confirmed.append(
            Reference(
                "buyer_confirmed", base.title if base else "", buyer.name if buyer else None,
                buyer.external_id if buyer else None, buyer.kind if buyer else None, delivery.created_at,
                None, base.amount if base else None, base.currency if base else None, None, None,
                delivery.award_id, None, delivery.rating, delivery.comment,
                cpv_codes=base.cpv_codes if base else [],
            )
        )  # fmt: skip
    declared = [
        Reference("declared", d.title, d.buyer_name, year=d.year, amount=d.amount, public=d.public)
        for d in declared_references(session, startup.id)
        if d.public or include_private
    ]
    if startup.source not in AWARD_SOURCES:  # the profile's own reference list is self-reported too
        known = {ref.title for ref in declared}
        declared += [Reference("declared", title) for title in startup.references or [] if title not in known]
    verdicts = dict(
        session.execute(
            select(Feedback.verdict, func.count()).where(Feedback.startup_id == startup.id).group_by(Feedback.verdict)
        ).all()
    )
    pending = session.scalar(
        select(func.count())
        .select_from(AwardLink)
        .where(AwardLink.startup_id == startup.id, AwardLink.status.in_(("proposed", "claimed", "disputed")))
    )
    return Profile(
        startup=startup,
        revenue_band=revenue_band(startup.annual_revenue),
        certifications=[parse_certification(c) for c in startup.certifications or []],
        verified=verified,
        buyer_confirmed=confirmed,
        declared=declared,
        bids_recorded=int(verdicts.get(Verdict.applied.value, 0)) + int(verdicts.get(Verdict.won.value, 0)),
        contracts_won=len(verified) + int(verdicts.get(Verdict.won.value, 0)),
        pending_links=int(pending or 0),
    )


@dataclass(frozen=True)
class TrustCounts:
    verified: int = 0
    buyer_confirmed: int = 0
    declared: int = 0
    certifications: int = 0


def trust_counts(session: Session, startup_ids: list[int]) -> dict[int, TrustCounts]:
    """Reference counts per startup for result cards and eligibility, in three grouped queries."""
    if not startup_ids:
        return {}
    direct = dict(
        session.execute(
            select(Award.startup_id, func.count()).where(Award.startup_id.in_(startup_ids)).group_by(Award.startup_id)
        ).all()
    )
    linked = dict(
        session.execute(
            select(AwardLink.startup_id, func.count())
            .where(AwardLink.startup_id.in_(startup_ids), AwardLink.status == "confirmed", AwardLink.public)
            .group_by(AwardLink.startup_id)
        ).all()
    )
    confirmed = dict(
        session.execute(
            select(DeliveryConfirmation.startup_id, func.count())
            .where(DeliveryConfirmation.startup_id.in_(startup_ids))
            .group_by(DeliveryConfirmation.startup_id)
        ).all()
    )
    declared = dict(
        session.execute(
            select(DeclaredReference.startup_id, func.count())
            .where(DeclaredReference.startup_id.in_(startup_ids), DeclaredReference.public)
            .group_by(DeclaredReference.startup_id)
        ).all()
    )
    certs = dict(session.execute(select(Startup.id, Startup.certifications).where(Startup.id.in_(startup_ids))).all())
    return {
        i: TrustCounts(
            int(direct.get(i, 0)) + int(linked.get(i, 0)),
            int(confirmed.get(i, 0)),
            int(declared.get(i, 0)),
            len(certs.get(i) or []),
        )
        for i in startup_ids
    }


def public_contracts_by_division(session: Session, startup_ids: list[int]) -> dict[int, dict[str, int]]:
    """Verified contracts won from public buyers, per startup and CPV division (2 digits)."""
    if not startup_ids:
        return {}
    found: dict[int, dict[str, int]] = {}
    direct = (
        select(Award.startup_id, Tender.cpv_codes)
        .join(Tender, Tender.id == Award.tender_id)
        .join(Buyer, Buyer.id == Tender.buyer_id)
        .where(Award.startup_id.in_(startup_ids), Buyer.kind.in_(PUBLIC_KINDS))
    )
    linked = (
        select(AwardLink.startup_id, Tender.cpv_codes)
        .join(Award, Award.id == AwardLink.award_id)
        .join(Tender, Tender.id == Award.tender_id)
        .join(Buyer, Buyer.id == Tender.buyer_id)
        .where(AwardLink.startup_id.in_(startup_ids), AwardLink.status == "confirmed", Buyer.kind.in_(PUBLIC_KINDS))
    )
    for query in (direct, linked):
        for startup_id, codes in session.execute(query):
            divisions = found.setdefault(startup_id, {})
            for division in {str(code)[:2] for code in codes or [] if code}:
                divisions[division] = divisions.get(division, 0) + 1
    return found
