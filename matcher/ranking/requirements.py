"""Every requirement of a tender with one startup's status against it: met, missing or unknown.

The same rules as `eligibility.assess` (which says whether the startup may bid at all), one line per
rule, as codes with parameters so each page or e-mail words them in its reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from matcher.ranking.catalogue import StartupRecord, TenderRecord
from matcher.ranking.eligibility import _certification_key, is_small_firm


class RequirementStatus(StrEnum):
    met = "met"
    missing = "missing"
    unknown = "unknown"


@dataclass(frozen=True)
class Requirement:
    code: str  # years_in_business, references, revenue, certification, sme_reservation, guarantee
    status: RequirementStatus
    params: dict[str, object] = field(default_factory=dict)


def requirements(tender: TenderRecord, startup: StartupRecord | None, now: datetime) -> list[Requirement]:
    """The tender's rules; status is `unknown` everywhere when no startup is signed in."""
    out: list[Requirement] = []

    def status(met: bool | None) -> RequirementStatus:
        if startup is None or met is None:
            return RequirementStatus.unknown
        return RequirementStatus.met if met else RequirementStatus.missing

    if tender.min_years_in_business:
        years = None if startup is None or startup.founding_year is None else now.year - startup.founding_year
        out.append(
            Requirement(
                "years_in_business",
                status(None if years is None else years >= tender.min_years_in_business),
                {"required": tender.min_years_in_business, "have": years},
            )
        )
    if tender.min_references:
        have = startup.references_count if startup else None
        out.append(
            Requirement(
                "references",
                status(None if have is None else have >= tender.min_references),
                {"required": tender.min_references, "have": have},
            )
        )
    if tender.min_revenue:
        revenue = startup.annual_revenue if startup else None
        comparable = startup is not None and revenue is not None and startup.revenue_currency == tender.currency
        out.append(
            Requirement(
                "revenue",
                status(revenue >= tender.min_revenue if comparable and revenue is not None else None),
                {"required": tender.min_revenue, "currency": tender.currency, "have": revenue},
            )
        )
    held = {_certification_key(c) for c in startup.certifications} if startup else set()
    for certification in tender.required_certifications:
        out.append(
            Requirement(
                "certification",
                status(_certification_key(certification) in held),
                {"name": certification},
            )
        )
    if tender.reserved_for_sme:
        out.append(Requirement("sme_reservation", status(is_small_firm(startup) if startup else None), {}))
    if tender.guarantee_amount:
        revenue = startup.annual_revenue if startup else None
        out.append(
            Requirement(
                "guarantee",
                status(None if not revenue else tender.guarantee_amount <= 0.1 * revenue),
                {"amount": tender.guarantee_amount, "currency": tender.currency},
            )
        )
    return out
