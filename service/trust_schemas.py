"""Response and request shapes of the trust routes: supplier profiles, links, shortlists, contacts."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from service.schemas import _Page


class CertificationOut(BaseModel):
    name: str
    issuer: str | None = None
    valid_until: date | None = None
    expired: bool = False


class ReferenceOut(BaseModel):
    tier: str = Field(description="verified | buyer_confirmed | declared")
    title: str
    buyer_name: str | None = None
    buyer_id: str | None = Field(default=None, description="Buyer key (external id) of the contract.")
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
    cpv_codes: list[str] = Field(default_factory=list)
    public: bool = True


class ReferencesOut(BaseModel):
    verified: list[ReferenceOut]
    buyer_confirmed: list[ReferenceOut]
    declared: list[ReferenceOut]


class ActivityOut(BaseModel):
    bids_recorded: int
    contracts_won: int


class ContactOut(BaseModel):
    email: str | None = None


class SupplierProfile(BaseModel):
    id: str
    name: str
    summary: str = Field(description="One line on what the company does.")
    description: str
    sectors: list[str]
    technologies: list[str]
    city: str | None = None
    region: str | None = None
    founding_year: int | None = None
    headcount: int | None = None
    revenue_band: str | None = Field(default=None, description="lt_1m | 1m_5m | 5m_20m | 20m_100m | gt_100m")
    revenue_currency: str
    labels: list[str]
    certifications: list[CertificationOut]
    references: ReferencesOut
    activity: ActivityOut
    updated_at: datetime
    visible: bool
    contact: ContactOut | None = Field(default=None, description="Only for staff, the startup, or after consent.")


class SupplierComparison(BaseModel):
    data: list[SupplierProfile]


class TrustSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    company_id: str | None = Field(default=None, max_length=40, examples=["001234567000089"])
    company_id_scheme: str | None = Field(default=None, max_length=8, examples=["ICE"])
    profile_visible: bool | None = None
    private_links: list[int] | None = Field(default=None, max_length=500, description="Link ids kept private.")
    private_declared: list[int] | None = Field(default=None, max_length=500)


class TrustSettingsOut(BaseModel):
    company_id: str | None
    company_id_scheme: str | None
    profile_visible: bool


class DeclaredIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=500)
    buyer_name: str | None = Field(default=None, max_length=300)
    year: int | None = Field(default=None, ge=1900, le=2100)
    amount: float | None = Field(default=None, ge=0)


class LinkOut(BaseModel):
    id: int
    status: str
    method: str
    score: float | None
    award_id: int
    startup_id: str
    startup_name: str
    supplier_name: str = Field(description="The name on the award record.")
    tender_id: str
    title: str
    buyer_id: str | None
    buyer_name: str | None
    amount: float | None
    currency: str
    awarded_at: datetime | None
    source: str
    note: str | None


class LinksPublic(_Page):
    data: list[LinkOut]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(default=None, max_length=1000)


class ClaimIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    award_id: int = Field(ge=1)
    note: str | None = Field(default=None, max_length=1000)


class DeliveryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    startup_id: str = Field(min_length=1, max_length=128)
    rating: int | None = Field(default=None, ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


class DeliveryOut(BaseModel):
    id: int
    award_id: int
    startup_id: str
    buyer_id: str
    rating: int | None
    comment: str | None


class ShortlistIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)


class ShortlistItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    startup_id: str = Field(min_length=1, max_length=128)
    note: str | None = Field(default=None, max_length=1000)


class ReorderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    order: list[str] = Field(max_length=200, description="Every supplier id of the shortlist, in the new order.")


class ShortlistItemOut(BaseModel):
    startup_id: str
    name: str
    position: int
    note: str | None


class ShortlistOut(BaseModel):
    id: int
    name: str
    buyer_id: str
    items: list[ShortlistItemOut]
    updated_at: datetime


class ShortlistsPublic(_Page):
    data: list[ShortlistOut]


class ContactRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    startup_id: str = Field(min_length=1, max_length=128)
    kind: str = Field(default="contact", pattern="^(contact|invite)$")
    tender_id: str | None = Field(default=None, max_length=128)
    message: str | None = Field(default=None, max_length=1000)


class ContactRequestOut(BaseModel):
    id: int
    buyer_id: str
    buyer_name: str
    startup_id: str
    startup_name: str
    kind: str
    tender_id: str | None
    message: str | None
    status: str
    email_status: str | None
    created_at: datetime
    decided_at: datetime | None
    contact: ContactOut | None = Field(default=None, description="Filled for the buyer once the startup accepted.")


class ContactRequestsPublic(_Page):
    data: list[ContactRequestOut]
