"""The matching surface of `matcher.ranking.engine.Engine`, as a Protocol its users (digests, API) type against.

It lets them take any engine-like object (tests inject one) without importing FAISS or models.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from matcher.ranking.results import SupplierFilters, SupplierMatch, TenderFilters, TenderMatch


class MatchingEngine(Protocol):
    def recommend_tenders(
        self,
        startup_id: str,
        filters: TenderFilters | None = None,
        limit: int = 10,
        offset: int = 0,
        now: datetime | None = None,
        diversity: float = 0.0,
        only_tenders: Collection[str] | None = None,
        min_grade: str | None = None,
    ) -> list[TenderMatch]: ...

    def suppliers_for_tender(
        self,
        tender_id: str,
        filters: SupplierFilters | None = None,
        limit: int = 10,
        offset: int = 0,
        include_ineligible: bool = False,
        now: datetime | None = None,
        min_grade: str | None = None,
    ) -> list[SupplierMatch]: ...

    def search_suppliers(
        self,
        query: str,
        filters: SupplierFilters | None = None,
        limit: int = 10,
        offset: int = 0,
        min_grade: str | None = None,
    ) -> list[SupplierMatch]: ...

    # The same three with the number of ranked results over all pages (the API's `total`).
    def recommend_tenders_page(
        self,
        startup_id: str,
        filters: TenderFilters | None = None,
        limit: int = 10,
        offset: int = 0,
        now: datetime | None = None,
        diversity: float = 0.0,
        only_tenders: Collection[str] | None = None,
        min_grade: str | None = None,
    ) -> tuple[list[TenderMatch], int]: ...

    def suppliers_for_tender_page(
        self,
        tender_id: str,
        filters: SupplierFilters | None = None,
        limit: int = 10,
        offset: int = 0,
        include_ineligible: bool = False,
        now: datetime | None = None,
        min_grade: str | None = None,
    ) -> tuple[list[SupplierMatch], int]: ...

    def search_suppliers_page(
        self,
        query: str,
        filters: SupplierFilters | None = None,
        limit: int = 10,
        offset: int = 0,
        min_grade: str | None = None,
    ) -> tuple[list[SupplierMatch], int]: ...

    def readiness(self) -> dict[str, bool]: ...

    def sync(self, progress: bool = False) -> dict[str, int]: ...

    def refresh(self, kind: str, external_ids: Sequence[str]) -> None: ...

    def remove(self, kind: str, external_ids: Sequence[str]) -> None: ...
