"""Tender search: keywords (lexical) and meaning (dense) over the engine's indexes, with filters and sorts.

One filter shape (`SearchFilters`) serves the search page, `GET /tenders/search` and saved searches
(alerts), so a saved search finds exactly what the search page showed. Filters become numpy masks over
the catalogue's columns (`TenderColumns`), so a search scans every open tender and its total is exact.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from matcher.ranking.catalogue import TenderRecord, TenderTable
from matcher.schemas import BuyerKind, Language
from matcher.text import fold

if TYPE_CHECKING:
    from matcher.ranking.engine import Engine

# A tender matches a query when the blend of meaning (dense cosine) and wording (lexical cosine) is high
# enough, or when the meaning alone is close. Set on the sample data with the `use` model: a short query's
# cosine with a whole notice is 0.2–0.4 when on topic; a lexical floor alone let character n-grams through
# ("mobile" → "mobilier").
BLEND_FLOOR = 0.15
DENSE_FLOOR = 0.35
DENSE_WEIGHT = 0.6
MAX_QUERY = 200


class SearchSort(StrEnum):
    relevance = "relevance"
    deadline = "deadline"
    value = "value"
    publication = "publication"


class SearchFilters(BaseModel):
    """What a startup can narrow a search by (all optional; an empty filter keeps every open tender)."""

    model_config = ConfigDict(extra="forbid")

    region: str | None = Field(default=None, max_length=120)
    cpv_prefix: str | None = Field(default=None, pattern=r"^\d{1,8}$")
    buyer_kind: BuyerKind | None = None
    min_value: float | None = Field(default=None, ge=0, le=1e15)
    max_value: float | None = Field(default=None, ge=0, le=1e15)
    min_days_left: int | None = Field(default=None, ge=0, le=3650, description="Deadline at least N days away.")
    max_days_left: int | None = Field(default=None, ge=0, le=3650, description="Deadline at most N days away.")
    reserved_for_sme: bool | None = None
    language: Language | None = None

    @model_validator(mode="after")
    def _ranges(self) -> SearchFilters:
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            raise ValueError("min_value must not be above max_value")
        if (
            self.min_days_left is not None
            and self.max_days_left is not None
            and self.min_days_left > self.max_days_left
        ):
            raise ValueError("min_days_left must not be above max_days_left")
        return self

    def active(self) -> dict[str, object]:
        return self.model_dump(mode="json", exclude_none=True)


@dataclass
class SearchHit:
    record: TenderRecord
    score: float
    semantic: float
    lexical: float


@dataclass
class SearchPage:
    hits: list[SearchHit]
    total: int


class TenderColumns:
    """Column arrays of one TenderTable for vectorised filters (built once per table, then cached)."""

    def __init__(self, table: TenderTable) -> None:
        records = table.records
        self.ids = [r.external_id for r in records]
        self.is_open = table.is_open
        self.deadline = table.deadline.astype("datetime64[s]").astype(np.int64)
        self.has_deadline = ~np.isnat(table.deadline)
        self.region = np.array([fold(r.region or "") for r in records], dtype=object)
        self.kind = np.array([r.buyer_kind or "" for r in records], dtype=object)
        self.language = np.array([r.language or "" for r in records], dtype=object)
        self.value = np.array([np.nan if r.estimated_value is None else r.estimated_value for r in records], float)
        self.published = np.array(
            [r.published_at.timestamp() if r.published_at else 0.0 for r in records], dtype=np.float64
        )
        self.reserved = np.fromiter((r.reserved_for_sme for r in records), dtype=bool, count=len(records))
        self.cpv = [r.cpv_codes for r in records]
        self._prefix_masks: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def cpv_mask(self, prefix: str) -> np.ndarray:
        mask = self._prefix_masks.get(prefix)
        if mask is None:
            mask = np.fromiter((any(c.startswith(prefix) for c in codes) for codes in self.cpv), bool, len(self.cpv))
            self._prefix_masks[prefix] = mask
        return mask

    def open_mask(self, now: datetime) -> np.ndarray:
        """Open and not past its deadline (no deadline stays in)."""
        return self.is_open & (~self.has_deadline | (self.deadline >= int(now.timestamp())))

    def mask(self, filters: SearchFilters, now: datetime, rows: np.ndarray | None = None) -> np.ndarray:
        """Which tenders (all, or only `rows`) pass the filters."""
        pick = (lambda column: column) if rows is None else (lambda column: column[rows])
        size = len(self.ids) if rows is None else len(rows)
        keep = np.ones(size, dtype=bool)
        if filters.region:
            keep &= pick(self.region) == fold(filters.region)
        if filters.cpv_prefix:
            keep &= pick(self.cpv_mask(filters.cpv_prefix))
        if filters.buyer_kind:
            keep &= pick(self.kind) == filters.buyer_kind.value
        if filters.language:
            keep &= pick(self.language) == filters.language.value
        if filters.reserved_for_sme is not None:
            keep &= pick(self.reserved) == filters.reserved_for_sme
        value = pick(self.value)
        if filters.min_value is not None:
            keep &= value >= filters.min_value  # NaN (no value) compares False: left out
        if filters.max_value is not None:
            keep &= value <= filters.max_value
        if filters.min_days_left is not None or filters.max_days_left is not None:
            deadline, has = pick(self.deadline), pick(self.has_deadline)
            start = int(now.timestamp())
            if filters.min_days_left is not None:
                keep &= has & (deadline >= start + filters.min_days_left * 86400)
            if filters.max_days_left is not None:
                keep &= has & (deadline <= start + (filters.max_days_left + 1) * 86400)
        return keep


_COLUMNS: list[tuple[weakref.ref[TenderTable], TenderColumns]] = []


def columns_of(table: TenderTable) -> TenderColumns:
    """The columns of this very table (the catalogue swaps in a new table on every refresh)."""
    for ref, found in list(_COLUMNS):
        if ref() is table:
            return found
    found = TenderColumns(table)
    _COLUMNS[:] = [*[(r, c) for r, c in _COLUMNS if r() is not None][-3:], (weakref.ref(table), found)]
    return found


def relevance(semantic: np.ndarray, lexical: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(score, matches) of query × tender arrays: shared words or close meaning; score blends both."""
    score = (DENSE_WEIGHT * np.clip(semantic, 0, 1) + (1 - DENSE_WEIGHT) * lexical).astype(np.float32)
    return score, (score >= BLEND_FLOOR) | (semantic >= DENSE_FLOOR)


def search_tenders(
    engine: Engine,
    query: str | None,
    filters: SearchFilters | None = None,
    sort: SearchSort = SearchSort.relevance,
    limit: int = 20,
    offset: int = 0,
    now: datetime | None = None,
    exclude: set[str] | None = None,
) -> SearchPage:
    """Open tenders matching the query (if any) and filters, sorted, one page of them and the total."""
    now = now or datetime.now(UTC)
    filters = filters or SearchFilters()
    table = engine.catalogue.tenders
    columns = columns_of(table)
    keep = columns.open_mask(now) & columns.mask(filters, now)
    if exclude:
        for external_id in exclude:
            position = table.position.get(external_id)
            if position is not None:
                keep[position] = False
    rows = np.flatnonzero(keep)
    text = (query or "").strip()[:MAX_QUERY]
    semantic = np.zeros(len(rows), dtype=np.float32)
    lexical = np.zeros(len(rows), dtype=np.float32)
    if text and len(rows):
        ids = [columns.ids[i] for i in rows]
        vector = engine.embedder.encode_queries([text])[0]
        semantic = engine.indexes.tender_vectors.vectors(ids) @ vector
        lexical = engine.indexes.tender_lexical.scores(text, ids)
        score, matches = relevance(semantic, lexical)
        rows, score, semantic, lexical = rows[matches], score[matches], semantic[matches], lexical[matches]
    else:
        score = np.zeros(len(rows), dtype=np.float32)
    order = _order(rows, score, columns, sort if text or sort is not SearchSort.relevance else SearchSort.deadline)
    page = order[offset : offset + limit]
    hits = [
        SearchHit(table.records[rows[i]], round(float(score[i]), 4), float(semantic[i]), float(lexical[i]))
        for i in page
    ]
    return SearchPage(hits=hits, total=len(rows))


def _order(rows: np.ndarray, score: np.ndarray, columns: TenderColumns, sort: SearchSort) -> np.ndarray:
    if sort is SearchSort.deadline:  # soonest first; no deadline last
        deadline = np.where(columns.has_deadline[rows], columns.deadline[rows], np.iinfo(np.int64).max)
        return np.lexsort((-score, deadline))
    if sort is SearchSort.value:  # largest first; no value last
        value = np.nan_to_num(columns.value[rows], nan=-1.0)
        return np.lexsort((-score, -value))
    if sort is SearchSort.publication:
        return np.lexsort((-score, -columns.published[rows]))
    return np.argsort(-score, kind="stable")


def similar_open_tenders(engine: Engine, tender_id: str, limit: int = 5, now: datetime | None = None) -> list[str]:
    """Open tenders closest in meaning to this one (itself left out)."""
    now = now or datetime.now(UTC)
    vector = engine.indexes.tender_vectors.vector(tender_id)
    if vector is None:
        return []
    table = engine.catalogue.tenders
    open_mask = columns_of(table).open_mask(now)
    found: list[str] = []
    for external_id, _score in engine.indexes.tender_vectors.search(vector, limit * 4 + 1):
        position = table.position.get(external_id)
        if external_id != tender_id and position is not None and open_mask[position]:
            found.append(external_id)
        if len(found) >= limit:
            break
    return found
