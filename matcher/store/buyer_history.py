"""What a buyer has bought before, from the award rows in the store: how a founder sizes a buyer up.

Awards count, how many went to small firms (a supplier profile with at most 200 people and at most
200 M MAD revenue, unknown counting as small — the same rule as eligibility), the typical (median)
awarded value and the last purchases in a CPV division.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.store import Award, Buyer, Startup, Tender

SMALL_HEADCOUNT = 200
SMALL_REVENUE_MAD = 200_000_000
MAX_AWARDS_READ = 5_000


@dataclass(frozen=True)
class PastPurchase:
    tender_id: str
    title: str
    supplier: str
    amount: float | None
    currency: str
    awarded_at: datetime | None
    cpv_codes: list[str]


@dataclass
class BuyerHistory:
    buyer_id: str
    name: str
    kind: str
    awards: int = 0
    awards_to_small_firms: int = 0
    typical_value: float | None = None
    currency: str = "MAD"
    tenders_published: int = 0
    same_division: list[PastPurchase] = field(default_factory=list)


def _small(startup: Startup) -> bool:
    if startup.headcount is not None and startup.headcount > SMALL_HEADCOUNT:
        return False
    return not (
        startup.annual_revenue is not None
        and startup.revenue_currency == "MAD"
        and startup.annual_revenue > SMALL_REVENUE_MAD
    )


def buyer_history(session: Session, buyer: Buyer, division: str | None = None, last: int = 5) -> BuyerHistory:
    """The buyer's awards (newest first); `division` (2 CPV digits) picks the 'same kind' purchases."""
    history = BuyerHistory(buyer_id=buyer.external_id, name=buyer.name, kind=buyer.kind)
    history.tenders_published = len(list(session.scalars(select(Tender.id).where(Tender.buyer_id == buyer.id))))
    rows = session.execute(
        select(Award, Tender, Startup)
        .join(Tender, Tender.id == Award.tender_id)
        .join(Startup, Startup.id == Award.startup_id)
        .where(Tender.buyer_id == buyer.id)
        .order_by(Award.awarded_at.desc().nulls_last(), Award.id.desc())
        .limit(MAX_AWARDS_READ)
    ).all()
    amounts = []
    for award, tender, startup in rows:
        history.awards += 1
        history.awards_to_small_firms += int(_small(startup))
        amount = award.amount if award.amount is not None else tender.estimated_value
        if amount is not None:
            amounts.append(amount)
        if (
            division
            and len(history.same_division) < last
            and any(code.startswith(division) for code in tender.cpv_codes or [])
        ):
            history.same_division.append(
                PastPurchase(
                    tender_id=tender.external_id,
                    title=tender.title,
                    supplier=startup.name,
                    amount=amount,
                    currency=tender.currency,
                    awarded_at=award.awarded_at,
                    cpv_codes=list(tender.cpv_codes or []),
                )
            )
    history.typical_value = statistics.median(amounts) if amounts else None
    return history
