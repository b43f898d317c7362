"""Eligibility labels and reasons on hand-built startup/tender pairs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from matcher.i18n import render_coded
from matcher.ranking.catalogue import StartupRecord, TenderRecord
from matcher.ranking.eligibility import assess
from matcher.ranking.results import EligibilityStatus

NOW = datetime(2026, 11, 28, tzinfo=UTC)

STARTUP = StartupRecord(
    external_id="ST-1", name="PayNova", city="Casablanca", region="Casablanca-Settat", sectors=("fintech",),
    tags=(), cpv_codes=("72212000",), founding_year=2022, headcount=12, annual_revenue=3_000_000.0,
    revenue_currency="MAD", certifications=("ISO 9001",), references_count=1, preferred_language="fr",
    contact_email="hello@paynova.example.ma", digest_opt_in=True,
)  # fmt: skip
TENDER = TenderRecord(
    external_id="AO-1", title="Plateforme de paiement", buyer_id="B-1", buyer_name="Commune",
    buyer_kind="local_authority",
    region="Casablanca-Settat", city="Casablanca", cpv_codes=("72212000",), estimated_value=1_500_000.0,
    currency="MAD", published_at=NOW, deadline_at=None, status="open", language="fr",
    min_years_in_business=None, min_revenue=None, min_references=None, required_certifications=(),
    reserved_for_sme=False, guarantee_amount=None,
)  # fmt: skip


def test_no_requirement_is_eligible_without_reasons() -> None:
    result = assess(STARTUP, TENDER, NOW)
    assert result.status == EligibilityStatus.eligible
    assert result.reasons == []


def test_missing_certification_is_a_gap_named_in_the_reason() -> None:
    result = assess(STARTUP, TENDER._replace(required_certifications=("ISO 27001",)), NOW)
    assert result.status == EligibilityStatus.eligible_with_gaps
    assert result.reasons == ["requires ISO 27001, not in your profile"]


def test_certification_matching_ignores_case_and_spacing() -> None:
    result = assess(STARTUP, TENDER._replace(required_certifications=("iso9001",)), NOW)
    assert result.status == EligibilityStatus.eligible


def test_too_few_references_is_ineligible_with_the_counts() -> None:
    result = assess(STARTUP, TENDER._replace(min_references=3), NOW)
    assert result.status == EligibilityStatus.ineligible
    assert "needs 3 references, you list 1 (0 verified, 0 buyer-confirmed)" in result.reasons


def test_too_young_and_unknown_revenue() -> None:
    young = assess(STARTUP, TENDER._replace(min_years_in_business=5), NOW)
    assert young.status == EligibilityStatus.ineligible
    assert young.reasons == ["requires 5 years in business, you have 4"]
    unknown = assess(replace(STARTUP, annual_revenue=None), TENDER._replace(min_revenue=1_000_000), NOW)
    assert unknown.status == EligibilityStatus.eligible_with_gaps
    assert "revenue not in your profile" in unknown.reasons[0]


def test_revenue_under_the_floor_is_ineligible() -> None:
    result = assess(STARTUP, TENDER._replace(min_revenue=10_000_000), NOW)
    assert result.status == EligibilityStatus.ineligible
    assert result.reasons == ["requires a yearly revenue of 10,000,000\u00a0MAD, you declare 3,000,000\u00a0MAD"]


def test_reserved_tender_excludes_large_firms_only() -> None:
    reserved = TENDER._replace(reserved_for_sme=True)
    assert assess(STARTUP, reserved, NOW).status == EligibilityStatus.eligible
    large = replace(STARTUP, headcount=900, annual_revenue=450_000_000.0)
    result = assess(large, reserved, NOW)
    assert result.status == EligibilityStatus.ineligible
    assert result.reasons == ["reserved for small firms and young innovative companies"]


def test_blocking_reasons_come_first_and_gaps_are_kept() -> None:
    tender = TENDER._replace(min_references=2, required_certifications=("ISO 27001",))
    result = assess(STARTUP, tender, NOW)
    assert result.status == EligibilityStatus.ineligible
    assert result.reasons == [
        "needs 2 references, you list 1 (0 verified, 0 buyer-confirmed)",
        "requires ISO 27001, not in your profile",
    ]


def test_reasons_are_codes_rendered_in_each_language() -> None:
    result = assess(STARTUP, TENDER._replace(min_revenue=10_000_000), NOW)
    (reason,) = result.details
    assert reason.code == "elig_block_revenue" and reason.params["floor"] == 10_000_000
    french = render_coded("fr", reason.model_dump(mode="json"))
    arabic = render_coded("ar", reason.model_dump(mode="json"))
    ten, three = "10\u202f000\u202f000\u00a0MAD", "3\u202f000\u202f000\u00a0MAD"
    assert french == f"exige un chiffre d'affaires annuel de {ten}, vous déclarez {three}"
    assert "رقم معاملات" in arabic and "10.000.000" in arabic and "requires" not in arabic
