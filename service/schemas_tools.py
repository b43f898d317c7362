"""API shapes of a startup's tools: tender page, tender search, saved searches, bids, hidden tenders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from matcher.alerts.pipeline import BidStatus
from matcher.alerts.profiles import Frequency
from matcher.ranking.tender_search import SearchFilters
from matcher.store import Bid, SavedSearch, Tender
from service.schemas import TenderPublic, _Page


class CpvLabelPublic(BaseModel):
    code: str
    label: str = Field(description="Official CPV 2008 label in the reader's language (Arabic reads French).")


class LotDetail(BaseModel):
    lot_number: int
    title: str
    description: str
    cpv: list[CpvLabelPublic]
    estimated_value: float | None


class RequirementPublic(BaseModel):
    code: str = Field(description="years_in_business, references, revenue, certification, sme_reservation, guarantee")
    status: str = Field(description="met, missing or unknown (unknown when the profile does not say, or no startup)")
    params: dict[str, Any]


class PastPurchasePublic(BaseModel):
    tender_id: str
    title: str
    supplier: str
    amount: float | None
    currency: str
    awarded_at: datetime | None
    cpv_codes: list[str]


class BuyerHistoryPublic(BaseModel):
    buyer_id: str
    name: str
    kind: str
    tenders_published: int
    awards: int
    awards_to_small_firms: int
    typical_value: float | None = Field(description="Median awarded value.")
    currency: str
    division: str | None = Field(description="CPV division of this tender (2 digits).")
    same_division: list[PastPurchasePublic] = Field(description="Last purchases in the same CPV division.")


class SimilarTender(BaseModel):
    external_id: str
    title: str
    buyer_name: str | None
    deadline_at: datetime | None
    estimated_value: float | None
    currency: str


class BidPublic(BaseModel):
    tender_id: str
    title: str
    status: BidStatus
    note: str | None
    deadline_at: datetime | None
    history: list[dict[str, Any]]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, bid: Bid, tender: Tender) -> BidPublic:
        return cls(
            tender_id=tender.external_id,
            title=tender.title,
            status=BidStatus(bid.status),
            note=bid.note,
            deadline_at=tender.deadline_at,
            history=list(bid.history or []),
            created_at=bid.created_at,
            updated_at=bid.updated_at,
        )


class TenderDetail(TenderPublic):
    """The tender page: the stored tender plus labels, deadline in its zone, requirements and context."""

    lots: list[LotDetail]  # type: ignore[assignment]
    cpv: list[CpvLabelPublic]
    time_zone: str = Field(description="The buyer's time zone (Morocco's by default).")
    deadline_local: datetime | None = Field(description="The deadline in that time zone.")
    seconds_left: int | None
    days_left: int | None
    documents: list[str] = Field(description="Links to the notice and its documents (http/https only).")
    requirements: list[RequirementPublic]
    requirements_for: str | None = Field(description="The startup the statuses are for (none: all unknown).")
    buyer_history: BuyerHistoryPublic | None
    similar: list[SimilarTender]
    bid: BidPublic | None = Field(description="The startup's own bid on this tender, if any.")


class SearchHitPublic(BaseModel):
    external_id: str
    title: str
    buyer_id: str | None
    buyer_name: str | None
    buyer_kind: str | None
    region: str | None
    cpv_codes: list[str]
    estimated_value: float | None
    currency: str
    published_at: datetime | None
    deadline_at: datetime | None
    reserved_for_sme: bool
    language: str
    score: float = Field(description="Relevance to the query (0 without a query).")
    url: str = Field(description="The tender's web page.")


class TenderSearchPage(_Page):
    data: list[SearchHitPublic]


class SavedSearchCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "paiement — Casablanca",
                    "query": "paiement mobile",
                    "filters": {"region": "Casablanca-Settat"},
                    "frequency": "daily",
                }
            ]
        },
    )

    name: str = Field(min_length=1, max_length=120)
    query: str = Field(default="", max_length=200)
    filters: SearchFilters = Field(default_factory=SearchFilters)
    frequency: Frequency = Frequency.daily


class SavedSearchUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=120)
    query: str | None = Field(default=None, max_length=200)
    filters: SearchFilters | None = None
    frequency: Frequency | None = None
    active: bool | None = Field(default=None, description="false stops the e-mails (the feed stays).")


class SavedSearchPublic(BaseModel):
    id: int
    name: str
    query: str
    filters: dict[str, Any]
    frequency: Frequency
    active: bool
    created_at: datetime
    last_run_at: datetime | None
    last_sent_at: datetime | None
    feed_url: str = Field(description="Secret Atom feed URL: anyone with it reads the feed.")

    @classmethod
    def from_row(cls, row: SavedSearch, base_url: str) -> SavedSearchPublic:
        return cls(
            id=row.id,
            name=row.name,
            query=row.query,
            filters=dict(row.filters or {}),
            frequency=Frequency(row.frequency),
            active=row.active,
            created_at=row.created_at,
            last_run_at=row.last_run_at,
            last_sent_at=row.last_sent_at,
            feed_url=f"{base_url.rstrip('/')}/alerts/feeds/{row.feed_token}.atom",
        )


class SavedSearchesPublic(_Page):
    data: list[SavedSearchPublic]


class BidUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"status": "interested"}]})

    status: BidStatus
    note: str | None = Field(default=None, max_length=2000)


class BidsPublic(_Page):
    data: list[BidPublic]


class HiddenTender(BaseModel):
    tender_id: str
    title: str
    deadline_at: datetime | None
    hidden_at: datetime


class HiddenTendersPublic(_Page):
    data: list[HiddenTender]


class AlertRunPublic(BaseModel):
    alerts: dict[str, Any]
    reminders: dict[str, Any]
