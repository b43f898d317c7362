"""Request and response shapes of the API: XCreate / XUpdate / XPublic / XsPublic(data, total, limit, offset).

One name per concept: a record's own id is `external_id`; a reference to another record is
`<kind>_id` (`startup_id`, `tender_id`, `buyer_id`) in bodies, answers and query parameters alike;
free text is `q` everywhere (list filters, supplier search and the web forms).

Creates reuse the domain schemas of `matcher.schemas` (the same validation as file imports) and
refuse unknown fields. Updates are partial: the given fields are merged into the stored record,
which is validated again as a whole. Public shapes never carry a startup's contact e-mail to
anyone but staff and the startup itself (it is null for other callers).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from matcher.ranking.results import SupplierFilters, SupplierMatch, TenderMatch
from matcher.schemas import (
    LOTS_MAX,
    NAME_MAX,
    TITLE_MAX,
    BuyerIn,
    BuyerKind,
    Checked,
    CPVList,
    Description,
    ExternalId,
    HttpUrl,
    Language,
    LotIn,
    Name,
    OptStr,
    StartupIn,
    StrList,
    TenderIn,
    TenderStatus,
    Title,
)
from matcher.store.feedback import Verdict
from matcher.store.keys import Role


class _Page(BaseModel):
    """The envelope of every list: one page of `data`, with the total over all pages."""

    total: int = Field(description="Rows matching the filters, over all pages.")
    limit: int
    offset: int


CreatedId = Field(
    default=None,
    min_length=1,
    max_length=128,
    description="Stable external id; left out, the server assigns one (e.g. 'st-3f9c2a1b7e').",
)


# --- startups ------------------------------------------------------------------------------------

STARTUP_EXAMPLE: dict[str, Any] = {
    "external_id": "ST-0042",
    "name": "PayNova",
    "description": "Paiement mobile et portefeuille électronique pour les administrations et les PME.",
    "sectors": ["fintech", "paiement"],
    "cpv_codes": ["72000000", "66110000"],
    "city": "Casablanca",
    "region": "Casablanca-Settat",
    "founding_year": 2021,
    "headcount": 14,
    "annual_revenue": 2500000,
    "certifications": ["ISO 27001"],
    "references": ["Portail de paiement de la commune de Settat"],
    "labels": ["Technopark Casablanca"],
    "languages": ["fr", "ar", "en"],
    "contact_email": "contact@paynova.ma",
}


class StartupCreate(StartupIn):
    """A new startup profile (same rules as a file import row); `external_id` is optional."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [STARTUP_EXAMPLE]})

    external_id: ExternalId | None = CreatedId  # type: ignore[assignment]


class StartupUpdate(Checked):
    """Fields to change; the others stay as stored. `null` clears an optional field."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"headcount": 18, "certifications": ["ISO 27001", "ISO 9001"]}]}
    )

    name: Name | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    description: Description | None = None
    sectors: StrList | None = None
    tags: StrList | None = None
    cpv_codes: CPVList | None = None
    technologies: StrList | None = None
    city: OptStr = None
    region: OptStr = None
    founding_year: int | None = None
    headcount: int | None = None
    annual_revenue: float | None = None
    revenue_currency: str | None = Field(default=None, max_length=8)
    certifications: StrList | None = None
    references_count: int | None = None
    references: StrList | None = None
    labels: StrList | None = None
    languages: StrList | None = None
    preferred_language: Language | None = None
    contact_email: str | None = Field(default=None, max_length=254)
    digest_opt_in: bool | None = None


class StartupPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    external_id: str
    name: str
    description: str
    sectors: list[str]
    tags: list[str]
    cpv_codes: list[str]
    technologies: list[str]
    city: str | None
    region: str | None
    founding_year: int | None
    headcount: int | None
    annual_revenue: float | None
    revenue_currency: str
    certifications: list[str]
    references_count: int
    references: list[str]
    labels: list[str]
    languages: list[str]
    preferred_language: str
    contact_email: str | None = Field(description="Shown to staff and to the startup itself only; null otherwise.")
    digest_opt_in: bool
    source: str
    created_at: datetime
    updated_at: datetime


class StartupsPublic(_Page):
    data: list[StartupPublic]


# --- buyers --------------------------------------------------------------------------------------

BUYER_EXAMPLE: dict[str, Any] = {
    "external_id": "MA-ONEE",
    "name": "Office National de l'Électricité et de l'Eau Potable",
    "kind": "public_enterprise",
    "city": "Rabat",
    "region": "Rabat-Salé-Kénitra",
    "contact_email": "achats@onee.example.ma",
}


class BuyerCreate(BuyerIn):
    """A new buyer: ministry, public enterprise, local authority, corporate or bank; `external_id` is optional."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [BUYER_EXAMPLE]})

    external_id: ExternalId | None = CreatedId  # type: ignore[assignment]


class BuyerUpdate(Checked):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"city": "Casablanca"}]})

    name: Name | None = Field(default=None, min_length=1, max_length=NAME_MAX)
    kind: BuyerKind | None = None
    city: OptStr = None
    region: OptStr = None
    country: str | None = Field(default=None, max_length=8)
    timezone: OptStr = None
    contact_email: str | None = Field(default=None, max_length=254)
    digest_opt_in: bool | None = None


class BuyerPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    external_id: str
    name: str
    kind: str
    city: str | None
    region: str | None
    country: str
    timezone: str | None
    contact_email: str | None
    digest_opt_in: bool
    created_at: datetime
    updated_at: datetime


class BuyersPublic(_Page):
    data: list[BuyerPublic]


# --- tenders -------------------------------------------------------------------------------------

TENDER_EXAMPLE: dict[str, Any] = {
    "external_id": "AO-2026-0117",
    "title": "Plateforme de paiement mobile pour la billetterie du tramway",
    "description": "Conception, hébergement et maintenance d'une solution de paiement mobile.",
    "buyer_id": "MA-ONEE",
    "cpv_codes": ["72000000"],
    "region": "Casablanca-Settat",
    "estimated_value": 1800000,
    "published_at": "2026-03-02T09:00:00Z",
    "deadline_at": "2026-04-15T12:00:00Z",
    "min_references": 1,
    "required_certifications": ["ISO 27001"],
    "reserved_for_sme": True,
}


class TenderCreate(TenderIn):
    """A new tender; `external_id` is optional. A buyer key creates tenders for its own buyer only
    (`buyer_id` may be left out)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [TENDER_EXAMPLE]})

    external_id: ExternalId | None = CreatedId  # type: ignore[assignment]
    buyer_external_id: OptStr = Field(  # the domain field, named like every other buyer reference
        default=None, alias="buyer_id", max_length=128, description="External id of the buyer.", examples=["MA-ONEE"]
    )


class TenderUpdate(Checked):
    """Fields to change; `lots`, when given, replace all lots."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"status": "closed"}, {"deadline_at": "2026-05-01T12:00:00Z"}]}
    )

    title: Title | None = Field(default=None, min_length=1, max_length=TITLE_MAX)
    description: Description | None = None
    buyer_id: str | None = Field(default=None, max_length=128, description="External id of the buyer.")
    cpv_codes: CPVList | None = None
    city: OptStr = None
    region: OptStr = None
    estimated_value: float | None = None
    currency: str | None = Field(default=None, max_length=8)
    published_at: datetime | None = None
    deadline_at: datetime | None = None
    status: TenderStatus | None = None
    procedure: OptStr = None
    language: Language | None = None
    source_url: HttpUrl = None
    min_years_in_business: int | None = None
    min_revenue: float | None = None
    min_references: int | None = None
    required_certifications: StrList | None = None
    reserved_for_sme: bool | None = None
    guarantee_amount: float | None = None
    lots: list[LotIn] | None = Field(default=None, max_length=LOTS_MAX)


class LotPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    lot_number: int
    title: str
    description: str
    cpv_codes: list[str]
    estimated_value: float | None


class TenderPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    external_id: str
    title: str
    description: str
    buyer_id: str | None
    buyer_name: str | None
    buyer_kind: str | None
    cpv_codes: list[str]
    city: str | None
    region: str | None
    estimated_value: float | None
    currency: str
    published_at: datetime | None
    deadline_at: datetime | None
    status: str
    procedure: str | None
    language: str
    source_url: str | None
    min_years_in_business: int | None
    min_revenue: float | None
    min_references: int | None
    required_certifications: list[str]
    reserved_for_sme: bool
    guarantee_amount: float | None
    lots: list[LotPublic]
    source: str
    created_at: datetime
    updated_at: datetime


class TendersPublic(_Page):
    data: list[TenderPublic]


# --- matching ------------------------------------------------------------------------------------


class MatchesPublic(_Page):
    """Tenders recommended to a startup, best first; `total` counts the ranked matches over all pages."""

    data: list[TenderMatch]


class SuppliersPublic(_Page):
    """Startups proposed for a tender or a need, best first; `total` counts the ranked startups."""

    data: list[SupplierMatch]


class SupplierSearch(Checked):
    """Free text or one tender (exactly one of the two), with filters."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"q": "paiement mobile sécurisé pour billetterie", "filters": {"region": "Casablanca-Settat"}},
                {"tender_id": "AO-2026-0117", "limit": 5},
            ]
        },
    )

    q: str | None = Field(default=None, max_length=2000, description="What the buyer needs, in any language.")
    tender_id: str | None = Field(default=None, max_length=128, description="One of the buyer's tenders.")
    filters: SupplierFilters = Field(default_factory=SupplierFilters)
    min_grade: Literal["strong", "good", "possible", "any"] | None = Field(
        default=None,
        description="Relevance floor (strong > good > possible; 'any' for every match); default: the server setting. "
        "A query with no meaningful match returns no supplier.",
    )
    include_ineligible: bool = Field(default=False, description="With a tender: also list ineligible startups.")
    limit: int = Field(default=10, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=1000)


# --- feedback ------------------------------------------------------------------------------------


class FeedbackCreate(Checked):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"startup_id": "ST-0042", "tender_id": "AO-2026-0117", "verdict": "applied", "note": "dossier envoyé"}
            ]
        },
    )

    startup_id: str = Field(min_length=1, max_length=128)
    tender_id: str = Field(min_length=1, max_length=128)
    verdict: Verdict
    note: str | None = Field(default=None, max_length=2000)


class FeedbackPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    startup_id: str
    tender_id: str
    verdict: Verdict
    actor_role: str
    note: str | None
    created_at: datetime


class FeedbacksPublic(_Page):
    data: list[FeedbackPublic]


# --- keys ----------------------------------------------------------------------------------------


class KeyCreate(Checked):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"role": "startup", "startup_id": "ST-0042", "name": "PayNova CTO"}, {"role": "staff"}]
        },
    )

    role: Role
    name: str | None = Field(default=None, max_length=200)
    startup_id: str | None = Field(default=None, max_length=128, description="Required for a startup key.")
    buyer_id: str | None = Field(default=None, max_length=128, description="Required for a buyer key.")


class KeyPublic(BaseModel):
    prefix: str
    role: Role
    name: str | None
    startup_id: str | None
    buyer_id: str | None
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class KeyCreated(KeyPublic):
    key: str = Field(description="The secret key, shown this once only; store it now.")


class KeysPublic(_Page):
    data: list[KeyPublic]


class WhoAmI(BaseModel):
    role: Role
    prefix: str
    name: str | None
    startup_id: str | None
    buyer_id: str | None


# --- imports and operations ---------------------------------------------------------------------


class RejectedRow(BaseModel):
    line: int
    field: str | None
    reason: str
    external_id: str | None


class RejectedRows(_Page):
    """The rejected rows of an import, in the list envelope (all of them: `limit` = `total`)."""

    data: list[RejectedRow]


class ImportReport(BaseModel):
    """The same row-level report as `tremplin ingest`."""

    model_config = ConfigDict(extra="allow")

    kind: str
    source: str
    format: str
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: RejectedRows = Field(
        description="The first rejected rows (TREMPLIN_MAX_REJECT_REPORT); `total` counts all."
    )
    reject_causes: dict[str, int] = Field(default_factory=dict, description="Rejected rows per field and cause.")
    rejects_url: str | None = Field(default=None, description="Every rejected row as CSV (staff).")
    extra: dict[str, int] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class Readiness(BaseModel):
    ready: bool
    checks: dict[str, bool] = Field(examples=[{"store": True, "indexes": True, "model": True}])
