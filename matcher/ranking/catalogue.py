"""In-memory view of the attributes ranking needs, so a request touches no database.

Hard filters (status, deadline, region, CPV, value) become numpy masks over all tenders; a match's
details come from light records instead of ORM rows. Rebuilt from the store on open and refreshed on
every sync.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matcher.index.shared_ids import row_map
from matcher.ranking.columns import TenderColumns
from matcher.ranking.cpv_inference import CPVInferrer, InferredCode, Topics
from matcher.ranking.tender_record import TenderRecord
from matcher.store import Startup, Tender
from matcher.store.contract_history import NO_HISTORY, ContractHistory, contract_histories
from matcher.store.documents import startup_text
from matcher.store.profile import TrustCounts, public_contracts_by_division, trust_counts
from matcher.text import fold

_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s")


def summary_of(startup: Startup, limit: int = 140) -> str:
    """One line on what the company does: the first sentence of its description, else its sectors."""
    text = (startup.description or "").strip()
    if text:
        first = _SENTENCE_END.split(text, maxsplit=1)[0]
        return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"
    return ", ".join(startup.sectors or [])


@dataclass(frozen=True, slots=True)
class StartupRecord:
    external_id: str
    name: str
    city: str | None
    region: str | None
    sectors: tuple[str, ...]
    tags: tuple[str, ...]
    cpv_codes: tuple[str, ...]
    founding_year: int | None
    headcount: int | None
    annual_revenue: float | None
    revenue_currency: str
    certifications: tuple[str, ...]
    references_count: int
    preferred_language: str
    contact_email: str | None
    digest_opt_in: bool
    text: str = ""
    sector_keys: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    # Trust layer: references verified against award records, confirmed by their buyer, declared;
    # verified contracts with public buyers per CPV division.
    verified: int = 0
    buyer_confirmed: int = 0
    declared: int = 0
    public_divisions: tuple[tuple[str, int], ...] = ()
    contracts: ContractHistory = NO_HISTORY  # places, trades and sizes of the verified contracts
    summary: str = ""
    inferred_cpv: tuple[InferredCode, ...] = ()
    description: str = ""
    topics: Topics = ()
    divisions: Topics = ()

    @property
    def match_codes(self) -> tuple[str, ...]:
        """Declared CPV codes, else the inferred ones (what the CPV features compare)."""
        return self.cpv_codes or tuple(code.code for code in self.inferred_cpv)

    @classmethod
    def from_row(cls, startup: Startup) -> StartupRecord:
        return cls(
            external_id=startup.external_id,
            name=startup.name,
            city=startup.city,
            region=startup.region,
            sectors=tuple(startup.sectors or ()),
            tags=tuple(startup.tags or ()),
            cpv_codes=tuple(startup.cpv_codes or ()),
            founding_year=startup.founding_year,
            headcount=startup.headcount,
            annual_revenue=startup.annual_revenue,
            revenue_currency=startup.revenue_currency,
            certifications=tuple(startup.certifications or ()),
            references_count=startup.references_count or 0,
            preferred_language=startup.preferred_language,
            contact_email=startup.contact_email,
            digest_opt_in=startup.digest_opt_in,
            text=startup_text(startup),
            sector_keys=tuple(k for t in [*startup.sectors, *startup.tags] if len(k := fold(t)) > 2),
            references=tuple(startup.references or ()),
            summary=summary_of(startup),
            description=startup.description or "",
        )


def with_trust(session: Session, rows: list[Startup]) -> list[StartupRecord]:
    """Records of these startups with their reference tiers and public track record (grouped queries)."""
    ids = [row.id for row in rows]
    counts: dict[int, TrustCounts] = {}
    divisions: dict[int, dict[str, int]] = {}
    histories = contract_histories(session, ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        counts.update(trust_counts(session, chunk))
        divisions.update(public_contracts_by_division(session, chunk))
    records = []
    for row in rows:
        record = StartupRecord.from_row(row)
        tiers = counts.get(row.id)
        if row.id in histories:
            record = replace(record, contracts=histories[row.id])
        if tiers is not None:
            record = replace(
                record,
                verified=tiers.verified,
                buyer_confirmed=tiers.buyer_confirmed,
                declared=tiers.declared,
                public_divisions=tuple(sorted(divisions.get(row.id, {}).items())),
            )
        records.append(record)
    return records


_FAR_PAST = np.datetime64("1970-01-01T00:00:00", "s")


@dataclass
class TenderTable:
    """Tender records plus column arrays for vectorised hard filters, and the fields ranking reads per
    candidate by column (`hot`): forked workers then share the records instead of copying them."""

    records: list[TenderRecord] = field(default_factory=list)
    position: dict[str, int] = field(default_factory=dict)
    is_open: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    deadline: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype="datetime64[s]"))
    columns: TenderColumns | None = None
    # Positions whose record changed since `columns` were built (writes): those read their record.
    changed: set[int] = field(default_factory=set)

    def rebuild_columns(self) -> None:
        self.position = row_map([record.external_id for record in self.records])  # shared with the indexes
        self.is_open = np.fromiter((r.status == "open" for r in self.records), dtype=bool, count=len(self.records))
        self.deadline = _deadlines(self.records)
        self.columns, self.changed = TenderColumns(self.records), set()

    def hot(self, position: int) -> TenderRecord:
        """The tender at `position` for ranking: a view rebuilt from the columns (its fields equal the
        stored record's but for `text`, left empty), so that reading it writes no reference count on
        shared pages; records written since the columns were built are read as stored."""
        return self.hot_many([position])[0]

    def hot_many(self, positions: Sequence[int], ids: Sequence[str] | None = None) -> list[TenderRecord]:
        """`hot` of each position, the views built together (one numpy gather per column); `ids`, the
        external ids at these positions when the caller has them (not decoded again)."""
        columns = self.columns
        if columns is None:
            return [self.records[p] for p in positions]
        viewable = [
            p < columns.size and p not in self.changed and bool(columns.exact[p]) for p in positions
        ]  # fmt: skip
        chosen = [n for n, ok in enumerate(viewable) if ok]
        known = [ids[n] for n in chosen] if ids is not None else None
        views = iter(columns.views([positions[n] for n in chosen], known))
        return [next(views) if ok else self.records[p] for p, ok in zip(positions, viewable, strict=True)]

    def updated(self, records: Sequence[TenderRecord], removed: Collection[str]) -> TenderTable:
        """A new table with these records added or replaced and `removed` dropped, in O(changes) plus
        pointer copies: a write at 100k tenders must not rebuild every column (seconds)."""
        table = TenderTable(
            list(self.records), dict(self.position), self.is_open.copy(), self.deadline.copy(), self.columns,
            set(self.changed),
        )  # fmt: skip
        for external_id in removed:  # the last record takes the removed one's place
            position = table.position.pop(external_id, None)
            if position is None:
                continue
            last = table.records.pop()
            if position < len(table.records):
                table.records[position] = last
                table.position[last.external_id] = position
                table.changed.add(position)
                table.is_open[position] = table.is_open[len(table.records)]
                table.deadline[position] = table.deadline[len(table.records)]
        size = len(table.records)
        table.is_open, table.deadline = table.is_open[:size], table.deadline[:size]
        fresh = [r for r in records if r.external_id not in table.position]
        for record in records:
            if (position := table.position.get(record.external_id)) is not None:
                table.records[position] = record
                table.changed.add(position)
                table.is_open[position] = record.status == "open"
                table.deadline[position] = _to_np(record.deadline_at)
        if fresh:
            for offset, record in enumerate(fresh):
                table.position[record.external_id] = size + offset
                table.changed.add(size + offset)
            table.records.extend(fresh)
            table.is_open = np.concatenate([table.is_open, np.array([r.status == "open" for r in fresh], dtype=bool)])
            table.deadline = np.concatenate([table.deadline, _deadlines(fresh)])
        return table

    def get(self, external_id: str) -> TenderRecord | None:
        index = self.position.get(external_id)
        return self.records[index] if index is not None else None


def _deadlines(records: Sequence[TenderRecord]) -> np.ndarray:
    """Deadlines as datetime64[s] (NaT when unknown), through POSIX timestamps: ~20x faster than
    converting each datetime, which made loading 100k tenders take seconds."""
    stamps = np.array(
        [r.deadline_at.timestamp() if r.deadline_at is not None else np.nan for r in records], dtype=np.float64
    )
    out = np.full(len(records), np.datetime64("NaT"), dtype="datetime64[s]")
    known = ~np.isnan(stamps)
    out[known] = np.floor(stamps[known]).astype(np.int64).astype("datetime64[s]")
    return out


def _to_np(moment: datetime | None) -> np.datetime64:
    if moment is None:
        return np.datetime64("NaT")
    return np.datetime64(moment.astimezone(UTC).replace(tzinfo=None), "s")


class Catalogue:
    """Tenders and startups as light records, kept in step with the store by the engine.

    Records without a CPV code get inferred ones (with a confidence) from `infer`, when given.
    """

    def __init__(self, infer: CPVInferrer | None = None) -> None:
        self.tenders = TenderTable()
        self.startups: dict[str, StartupRecord] = {}
        self.infer = infer

    def _tenders_with_codes(self, records: list[TenderRecord]) -> list[TenderRecord]:
        """Inferred codes for tenders without any, and every tender's distribution over CPV groups."""
        if self.infer is None or not records:
            return records
        topics = self.infer.topics([r.title for r in records])
        missing = [i for i, r in enumerate(records) if not r.cpv_codes]
        picks = dict(zip(missing, self.infer.predict([records[i].title for i in missing]), strict=True))
        return [
            record._replace(topics=topics[i], divisions=self.infer.divisions(topics[i]), inferred_cpv=picks.get(i, ()))
            for i, record in enumerate(records)
        ]

    def _startup_with_codes(self, record: StartupRecord) -> StartupRecord:
        if self.infer is None:
            return record
        texts = [*record.references, record.description] if record.references else [record.text]
        inferred = () if record.cpv_codes else self.infer.for_profile(texts)
        topics = self.infer.profile_topics(texts)
        return replace(record, inferred_cpv=inferred, topics=topics, divisions=self.infer.divisions(topics))

    def load(self, session: Session) -> None:
        tenders = session.scalars(select(Tender).options(selectinload(Tender.lots))).unique()
        table = TenderTable(records=self._tenders_with_codes([TenderRecord.from_row(t) for t in tenders]))
        table.rebuild_columns()
        startups = {
            r.external_id: self._startup_with_codes(r)
            for r in with_trust(session, list(session.scalars(select(Startup))))
        }
        self.tenders, self.startups = table, startups

    def refresh(self, session: Session, kind: str, external_ids: Iterable[str]) -> None:
        ids = list(external_ids)
        if kind == "tenders":
            rows = {
                t.external_id: t for t in session.scalars(select(Tender).where(Tender.external_id.in_(ids))).unique()
            }
            fresh = self._tenders_with_codes([TenderRecord.from_row(rows[i]) for i in dict.fromkeys(ids) if i in rows])
            self.tenders = self.tenders.updated(fresh, [i for i in ids if i not in rows])
        else:
            startups = dict(self.startups)
            for external_id in ids:
                startups.pop(external_id, None)
            found = list(session.scalars(select(Startup).where(Startup.external_id.in_(ids))))
            for record in with_trust(session, found):
                startups[record.external_id] = self._startup_with_codes(record)
            self.startups = startups

    def open_tender_mask(self, now: datetime, min_days_before_deadline: int) -> np.ndarray:
        """Open tenders whose deadline is at least N days ahead (tenders without a deadline stay in)."""
        limit = _to_np(now) + np.timedelta64(min_days_before_deadline * 86400, "s")
        deadline = self.tenders.deadline
        return self.tenders.is_open & (np.isnat(deadline) | (deadline >= limit))
