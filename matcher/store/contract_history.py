"""Where, in which trade and at what size a supplier has delivered: its verified contracts, summed.

A buyer reads a track record as "has done this kind of job, around here, at this scale". The
verified tier (an official award row imported for the startup, or linked to it and confirmed) is the
only one with a place, codes and an amount published by a buyer, so only it feeds these signals;
declared references carry none of them. Every buyer counts (a private client's contract is a
reference too), unlike `public_contracts_by_division`, which answers "has it worked for the State".
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.store.models import Award, Tender
from matcher.store.trust_models import AwardLink
from matcher.text import fold

CLASS_DIGITS = 4  # CPV class (e.g. 4526 'roof works'): a trade, finer than the 2-digit division
CHUNK = 500


@dataclass(frozen=True)
class ContractHistory:
    """Counts over one startup's verified contracts; `regions` are folded, `classes` 4-digit CPV."""

    total: int = 0
    regions: tuple[tuple[str, int], ...] = ()
    classes: tuple[tuple[str, int], ...] = ()
    median_amount: float | None = None
    currency: str | None = None

    # Called for every candidate of every buyer-side ranking: a few (key, count) pairs are scanned
    # in place rather than turned into a dict, and region names are folded once (cached).
    def region_share(self, region: str | None) -> float:
        """Share of the contracts executed in this region (0 without a region or a history)."""
        if not region or not self.total:
            return 0.0
        key = _folded(region)
        return next((count for name, count in self.regions if name == key), 0) / self.total

    def class_share(self, codes: Sequence[str]) -> float:
        """Share of the contracts in the tender's best-represented CPV class."""
        if not self.total or not self.classes:
            return 0.0
        wanted = {code[:CLASS_DIGITS] for code in codes if code}
        return max((count for cls, count in self.classes if cls in wanted), default=0) / self.total


@lru_cache(maxsize=4096)
def _folded(region: str) -> str:
    return fold(region)


NO_HISTORY = ContractHistory()


def contract_histories(session: Session, startup_ids: list[int]) -> dict[int, ContractHistory]:
    """Per startup with at least one verified contract: its regions, CPV classes and median amount."""
    rows: dict[int, list[tuple[str | None, list[str], float | None, str | None]]] = {}
    for start in range(0, len(startup_ids), CHUNK):
        chunk = startup_ids[start : start + CHUNK]
        direct = (
            select(Award.startup_id, Tender.region, Tender.cpv_codes, Award.amount, Tender.currency)
            .join(Tender, Tender.id == Award.tender_id)
            .where(Award.startup_id.in_(chunk))
        )
        linked = (
            select(AwardLink.startup_id, Tender.region, Tender.cpv_codes, Award.amount, Tender.currency)
            .join(Award, Award.id == AwardLink.award_id)
            .join(Tender, Tender.id == Award.tender_id)
            .where(AwardLink.startup_id.in_(chunk), AwardLink.status == "confirmed")
        )
        for query in (direct, linked):
            for startup_id, region, codes, amount, currency in session.execute(query):
                rows.setdefault(startup_id, []).append((region, list(codes or []), amount, currency))
    return {startup_id: summarize(contracts) for startup_id, contracts in rows.items()}


def summarize(contracts: list[tuple[str | None, list[str], float | None, str | None]]) -> ContractHistory:
    regions = Counter(key for region, *_ in contracts if region and (key := _folded(region)))
    classes = Counter(cls for _, codes, *_ in contracts for cls in {str(code)[:CLASS_DIGITS] for code in codes if code})
    currencies = Counter(currency for *_, amount, currency in contracts if amount and currency)
    currency = currencies.most_common(1)[0][0] if currencies else None
    amounts = [amount for *_, amount, cur in contracts if amount and amount > 0 and cur == currency]
    return ContractHistory(
        total=len(contracts),
        regions=tuple(sorted(regions.items())),
        classes=tuple(sorted(classes.items())),
        median_amount=statistics.median(amounts) if amounts else None,
        currency=currency,
    )
