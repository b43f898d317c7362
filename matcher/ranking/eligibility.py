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
from matcher.ranking.results import Eligibility, EligibilityStatus
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


def _money(amount: float, currency: str) -> str:
    return f"{amount:,.0f} {currency}".replace(",", " ")


def references_problem(startup: StartupRecord, needed: int) -> tuple[bool, str] | None:
    """(blocking?, reason) when references fall short; verified and buyer-confirmed ones count fully.

    Too few references at all blocks; enough declared but too few verified or confirmed by their buyer
    is a gap that says which kind is missing.
    """
    trusted = startup.verified + startup.buyer_confirmed
    if trusted >= needed:
        return None
    listed = max(startup.references_count, trusted + startup.declared)
    tiers = f"{startup.verified} verified, {startup.buyer_confirmed} buyer-confirmed"
    if listed < needed:
        return True, f"needs {needed} references, you list {listed} ({tiers})"
    return False, (
        f"needs {needed} references verified or confirmed by their buyer: you have {tiers}; "
        f"{needed - trusted} of your declared references still to verify"
    )


def assess(startup: StartupRecord, tender: TenderRecord, now: datetime) -> Eligibility:
    blocking: list[str] = []
    gaps: list[str] = []

    if tender.min_years_in_business:
        if startup.founding_year is None:
            gaps.append(f"requires {tender.min_years_in_business} years in business; founding year not in your profile")
        else:
            years = now.year - startup.founding_year
            if years < tender.min_years_in_business:
                blocking.append(f"requires {tender.min_years_in_business} years in business, you have {years}")

    if tender.min_references:
        problem = references_problem(startup, tender.min_references)
        if problem is not None:
            (blocking if problem[0] else gaps).append(problem[1])

    if tender.min_revenue:
        floor = _money(tender.min_revenue, tender.currency)
        if startup.annual_revenue is None:
            gaps.append(f"requires a yearly revenue of {floor}; revenue not in your profile")
        elif startup.revenue_currency == tender.currency and startup.annual_revenue < tender.min_revenue:
            blocking.append(
                f"requires a yearly revenue of {floor}, "
                f"you declare {_money(startup.annual_revenue, startup.revenue_currency)}"
            )

    held = {_certification_key(c) for c in startup.certifications}
    for certification in tender.required_certifications:
        if _certification_key(certification) not in held:
            gaps.append(f"requires {certification}, not in your profile")

    if tender.reserved_for_sme and not is_small_firm(startup):
        blocking.append("reserved for small firms and young innovative companies")

    if tender.guarantee_amount and startup.annual_revenue and tender.guarantee_amount > 0.1 * startup.annual_revenue:
        gaps.append(
            f"provisional guarantee of {_money(tender.guarantee_amount, tender.currency)} is large for your revenue"
        )

    if blocking:
        return Eligibility(status=EligibilityStatus.ineligible, reasons=blocking + gaps)
    if gaps:
        return Eligibility(status=EligibilityStatus.eligible_with_gaps, reasons=gaps)
    return Eligibility(status=EligibilityStatus.eligible, reasons=[])


ELIGIBILITY_VALUE = {
    EligibilityStatus.eligible: 1.0,
    EligibilityStatus.eligible_with_gaps: 0.5,
    EligibilityStatus.ineligible: 0.0,
}
