"""What the engine returns: ranked matches with eligibility and a readable explanation.

These shapes are the contract between the ranking core and its users (API, CLI, digests, web).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from functools import lru_cache

from pydantic import BaseModel, Field

from matcher.i18n import render


class EligibilityStatus(StrEnum):
    eligible = "eligible"
    eligible_with_gaps = "eligible_with_gaps"
    ineligible = "ineligible"


class Reason(BaseModel):
    """A reason as a message code with parameters (rendered in any language) and its English text."""

    code: str = Field(description="Message key in the catalogue, e.g. 'elig_gap_certification'.")
    params: dict[str, str | int | float] = Field(default_factory=dict, description="Values of the message.")
    message: str = Field(description="The reason in English; render `code` with `params` for other languages.")

    @classmethod
    def of(cls, code: str, **params: str | int | float) -> Reason:
        return cls(code=code, params=params, message=_english(code, tuple(params.items())))


@lru_cache(maxsize=4096)
def _english(code: str, params: tuple[tuple[str, str | int | float], ...]) -> str:
    """Eligibility reasons repeat (the same gap for hundreds of candidates): render each one once."""
    return render("en", code, dict(params))


class Eligibility(BaseModel):
    status: EligibilityStatus
    reasons: list[str] = Field(default_factory=list, description="Readable gaps, e.g. 'requires ISO 27001'.")
    details: list[Reason] = Field(default_factory=list, description="The same reasons as codes with parameters.")


class FeatureContribution(BaseModel):
    name: str = Field(description="Feature key, e.g. 'semantic', 'lexical', 'cpv'.")
    label: str = Field(description="Readable name of the feature (English; its message key is 'feat_<name>').")
    value: float = Field(description="Raw feature value, usually in [0, 1].")
    contribution: float = Field(description="Weight x value: its share of the score.")
    evidence: bool = Field(
        default=True,
        description="False when the value is assumed for lack of data on this candidate (e.g. no verified "
        "contract yet: a typical value); such a feature is never given as a reason.",
    )


class CPVMatchOut(BaseModel):
    profile_code: str
    tender_code: str
    label: str
    similarity: float
    inferred: bool = Field(default=False, description="A code inferred from the text, not published with it.")


class InferredCPV(BaseModel):
    code: str
    label: str
    confidence: float = Field(description="Probability that the inferred CPV group is right (0–1).")


class Explanation(BaseModel):
    summary: str = Field(description="One sentence a person can read.")
    features: list[FeatureContribution] = Field(default_factory=list)
    shared_terms: list[str] = Field(default_factory=list)
    cpv_matches: list[CPVMatchOut] = Field(default_factory=list)
    gaps: list[str] = Field(default_factory=list)
    notes: list[str] = Field(
        default_factory=list,
        description="Message codes to render in the reader's language, e.g. 'feedback_similar_not_relevant'.",
    )
    gap_details: list[Reason] = Field(default_factory=list, description="The gaps as codes with parameters.")
    track_record_detail: Reason | None = Field(
        default=None, description="`track_record` as a code: 'track_record_note' with count and cpv (division code)."
    )
    track_record: str | None = Field(
        default=None, description="e.g. '2 verified public contracts in IT services' (buyer side, with a tender)."
    )


class TenderMatch(BaseModel):
    """A tender recommended to a startup."""

    tender_id: str
    title: str
    buyer_id: str | None = None
    buyer_name: str | None = None
    buyer_kind: str | None = None
    region: str | None = None
    estimated_value: float | None = None
    currency: str = "MAD"
    deadline_at: datetime | None = None
    published_at: datetime | None = None
    reserved_for_sme: bool = False
    cpv_codes: list[str] = Field(default_factory=list)
    inferred_cpv_codes: list[InferredCPV] = Field(
        default_factory=list, description="CPV codes inferred from the title when none is published."
    )
    grade: str | None = Field(
        default=None, description="strong, good or possible: calibrated relevance (None below the floor)."
    )
    probability: float = Field(
        default=0.0, description="Calibrated probability that the match is relevant (award data proxy)."
    )
    score: float = Field(description="Internal ranking score: for ordering and debugging, not for people.")
    eligibility: Eligibility
    explanation: Explanation


class SupplierMatch(BaseModel):
    """A startup proposed to a buyer, for one of its tenders or a free-text need."""

    startup_id: str
    name: str
    city: str | None = None
    region: str | None = None
    sectors: list[str] = Field(default_factory=list)
    certifications: list[str] = Field(default_factory=list)
    headcount: int | None = None
    references_count: int = 0
    summary: str = Field(default="", description="One line on what the company does.")
    verified_references: int = Field(default=0, description="References verified against official award records.")
    buyer_confirmed_references: int = Field(default=0, description="Deliveries confirmed by the contract's buyer.")
    grade: str | None = Field(
        default=None, description="strong, good or possible: calibrated relevance (None below the floor)."
    )
    probability: float = Field(
        default=0.0, description="Calibrated probability that the match is relevant (award data proxy)."
    )
    score: float = Field(description="Internal ranking score: for ordering and debugging, not for people.")
    eligibility: Eligibility | None = Field(default=None, description="Against the tender, when there is one.")
    explanation: Explanation


class TenderFilters(BaseModel):
    region: str | None = None
    cpv_prefix: str | None = Field(default=None, description="Digits a tender CPV code must start with.")
    min_value: float | None = None
    max_value: float | None = None
    deadline_within_days: int | None = Field(default=None, description="Deadline no later than N days from now.")
    min_days_before_deadline: int | None = Field(default=None, description="Overrides the setting.")
    exclude_buyers: list[str] = Field(default_factory=list, description="Buyer external ids to leave out.")
    include_ineligible: bool = False


class SupplierFilters(BaseModel):
    sector: str | None = None
    region: str | None = None
    certification: str | None = None
    min_headcount: int | None = None
    max_headcount: int | None = None
    cpv_prefix: str | None = None
