"""Can this startup bid for this tender? eligible, eligible with gaps, or ineligible — with reasons.

Known facts that break a tender's rule make a startup ineligible (too young, too few references,
revenue under the floor, not a small firm on a reserved tender). What the profile does not say, and
certifications it could still obtain or bring through a partner, are gaps: the startup may bid, but
should know.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from matcher.ranking.catalogue import StartupRecord, TenderRecord
from matcher.ranking.results import Eligibility, EligibilityStatus, Reason
from matcher.text import fold

# Decree 2-22-431: very small, small and medium firms; we use the revenue ceiling of a medium firm.
SME_MAX_REVENUE_MAD = 200_000_000
SME_MAX_HEADCOUNT = 200


def is_small_firm(startup: StartupRecord) -> bool:
    """Small firm or young innovative company, as far as the profile tells (unknown counts as small)."""
    if (
        startup.annual_revenue is not None
        and startup.revenue_currency == "MAD"
        and startup.annual_revenue > SME_MAX_REVENUE_MAD
    ):
        return False
    return not (startup.headcount is not None and startup.headcount > SME_MAX_HEADCOUNT)


@lru_cache(maxsize=4096)
def _certification_key(name: str) -> str:
    return "".join(ch for ch in fold(name) if ch.isalnum())


def references_problem(startup: StartupRecord, needed: int) -> tuple[bool, Reason] | None:
    """(blocking?, reason) when references fall short; verified and buyer-confirmed ones count fully.

    Too few references at all blocks; enough declared but too few verified or confirmed by their buyer
    is a gap that says which kind is missing.
    """
    trusted = startup.verified + startup.buyer_confirmed
    if trusted >= needed:
        return None
    listed = max(startup.references_count, trusted + startup.declared)
    tiers = {"verified": startup.verified, "confirmed": startup.buyer_confirmed}
    if listed < needed:
        return True, Reason.of("elig_block_references", needed=needed, have=listed, **tiers)
    return False, Reason.of("elig_gap_references_unverified", needed=needed, missing=needed - trusted, **tiers)


def assess(startup: StartupRecord, tender: TenderRecord, now: datetime) -> Eligibility:
    blocking: list[Reason] = []
    gaps: list[Reason] = []
    need = Reason.of

    if tender.min_years_in_business:
        if startup.founding_year is None:
            gaps.append(need("elig_gap_years_unknown", years=tender.min_years_in_business))
        else:
            years = now.year - startup.founding_year
            if years < tender.min_years_in_business:
                blocking.append(need("elig_block_years", years=tender.min_years_in_business, have=years))

    if tender.min_references:
        problem = references_problem(startup, tender.min_references)
        if problem is not None:
            (blocking if problem[0] else gaps).append(problem[1])

    if tender.min_revenue:
        floor, currency = tender.min_revenue, tender.currency
        if startup.annual_revenue is None:
            gaps.append(need("elig_gap_revenue_unknown", floor=floor, currency=currency))
        elif startup.revenue_currency == tender.currency and startup.annual_revenue < tender.min_revenue:
            blocking.append(need("elig_block_revenue", floor=floor, declared=startup.annual_revenue, currency=currency))

    held = {_certification_key(c) for c in startup.certifications}
    for certification in tender.required_certifications:
        if _certification_key(certification) not in held:
            gaps.append(need("elig_gap_certification", certification=certification))

    if tender.reserved_for_sme and not is_small_firm(startup):
        blocking.append(need("elig_block_reserved_sme"))

    if tender.guarantee_amount and startup.annual_revenue and tender.guarantee_amount > 0.1 * startup.annual_revenue:
        gaps.append(need("elig_gap_guarantee", guarantee=tender.guarantee_amount, currency=tender.currency))

    if blocking:
        return _eligibility(EligibilityStatus.ineligible, blocking + gaps)
    if gaps:
        return _eligibility(EligibilityStatus.eligible_with_gaps, gaps)
    return Eligibility(status=EligibilityStatus.eligible, reasons=[])


def _eligibility(status: EligibilityStatus, found: list[Reason]) -> Eligibility:
    return Eligibility(status=status, reasons=[r.message for r in found], details=found)


ELIGIBILITY_VALUE = {
    EligibilityStatus.eligible: 1.0,
    EligibilityStatus.eligible_with_gaps: 0.5,
    EligibilityStatus.ineligible: 0.0,
}
