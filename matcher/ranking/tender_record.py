"""A tender as ranking reads it: one immutable tuple per tender.

A NamedTuple, not a dataclass: ranking builds ~300 of them per request from the shared columns
(`matcher.ranking.columns`), about 20x faster than a frozen dataclass, and the catalogue's own
records (read from the store) are the same type, so every function ranking calls takes one kind.
Records rebuilt from columns leave `text` empty (ranking does not read it).
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from matcher.ranking.cpv_inference import InferredCode, Topics
from matcher.store import Tender
from matcher.store.documents import tender_text
from matcher.text import fold


class TenderRecord(NamedTuple):
    external_id: str
    title: str
    buyer_id: str | None
    buyer_name: str | None
    buyer_kind: str | None
    region: str | None
    city: str | None
    cpv_codes: tuple[str, ...]
    estimated_value: float | None
    currency: str
    published_at: datetime | None
    deadline_at: datetime | None
    status: str
    language: str
    min_years_in_business: int | None
    min_revenue: float | None
    min_references: int | None
    required_certifications: tuple[str, ...]
    reserved_for_sme: bool
    guarantee_amount: float | None
    text: str = ""
    folded_text: str = ""
    inferred_cpv: tuple[InferredCode, ...] = ()
    topics: Topics = ()
    divisions: Topics = ()  # the topics summed per CPV division (cpv_inference.division_topics)

    @property
    def match_codes(self) -> tuple[str, ...]:
        """Published CPV codes, else the inferred ones (what the CPV features compare)."""
        return self.cpv_codes or tuple(code.code for code in self.inferred_cpv)

    @classmethod
    def from_row(cls, tender: Tender) -> TenderRecord:
        buyer = tender.buyer
        text = tender_text(tender)
        return cls(
            external_id=tender.external_id,
            title=tender.title,
            buyer_id=buyer.external_id if buyer else None,
            buyer_name=buyer.name if buyer else None,
            buyer_kind=buyer.kind if buyer else None,
            region=tender.region,
            city=tender.city,
            cpv_codes=tuple(tender.cpv_codes or ()),
            estimated_value=tender.estimated_value,
            currency=tender.currency,
            published_at=tender.published_at,
            deadline_at=tender.deadline_at,
            status=tender.status,
            language=tender.language,
            min_years_in_business=tender.min_years_in_business,
            min_revenue=tender.min_revenue,
            min_references=tender.min_references,
            required_certifications=tuple(tender.required_certifications or ()),
            reserved_for_sme=tender.reserved_for_sme,
            guarantee_amount=tender.guarantee_amount,
            text=text,
            folded_text=fold(text),
        )
