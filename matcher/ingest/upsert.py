"""Write validated rows by external id inside the caller's transaction, touching only what changed.

Existing rows are fetched in chunks (one query per 500 ids, not one per row); a row whose values
equal the stored ones is left alone, so a re-run changes nothing and `updated_at` keeps its value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from matcher.ingest.mapping import slugify
from matcher.ingest.report import RowError
from matcher.ingest.validate import AwardDraft, ValidRow
from matcher.schemas import BuyerIn, LotIn, StartupIn, TenderIn
from matcher.store import Buyer, Startup, Tender, TenderLot
from matcher.store.documents import startup_hash, tender_hash
from matcher.store.models import utcnow
from matcher.text import detect_language

CHUNK = 500
Model = TypeVar("Model", Buyer, Startup, Tender)
Advance = Callable[[int], None]

_TENDER_ONLY = {"buyer_external_id", "buyer_name", "buyer_kind", "lots", "language"}
TENDER_FIELDS = [name for name in TenderIn.model_fields if name not in _TENDER_ONLY]
STARTUP_FIELDS = list(StartupIn.model_fields)
BUYER_FIELDS = list(BuyerIn.model_fields)


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RowError] = field(default_factory=list)
    extra: dict[str, int] = field(default_factory=dict)
    tenders: list[tuple[Tender, list[AwardDraft]]] = field(default_factory=list)

    def count(self, created: bool, changed: bool) -> None:
        if created:
            self.created += 1
        elif changed:
            self.updated += 1
        else:
            self.unchanged += 1


def fetch(session: Session, model: type[Model], external_ids: Iterable[str], *options: Any) -> dict[str, Model]:
    """Existing rows by external id, in chunks so a big file costs a few queries."""
    wanted = list(dict.fromkeys(external_ids))
    found: dict[str, Model] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        query = select(model).where(model.external_id.in_(chunk)).options(*options)
        for row in session.scalars(query).unique():
            found[row.external_id] = row
    return found


def assign(obj: object, values: dict[str, Any]) -> bool:
    """Set only the attributes that differ; True when anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def _noop(_: int) -> None:
    return None


def upsert_buyers(session: Session, rows: list[ValidRow], advance: Advance = _noop) -> Outcome:
    outcome = Outcome()
    existing = fetch(session, Buyer, (row.external_id for row in rows))
    for row in rows:
        values = {name: getattr(row.model, name) for name in BUYER_FIELDS}
        buyer = existing.get(row.external_id)
        if buyer is None:
            session.add(Buyer(**values))
            outcome.count(created=True, changed=True)
        else:
            outcome.count(created=False, changed=assign(buyer, values))
        advance(1)
    return outcome


def upsert_startups(session: Session, rows: list[ValidRow], source: str, advance: Advance = _noop) -> Outcome:
    outcome = Outcome()
    existing = fetch(session, Startup, (row.external_id for row in rows))
    for row in rows:
        values = {name: getattr(row.model, name) for name in STARTUP_FIELDS} | {"source": source}
        startup = existing.get(row.external_id)
        created = startup is None
        if startup is None:
            startup = Startup(**values)
            session.add(startup)
            changed = True
        else:
            changed = assign(startup, values)
        digest = startup_hash(startup)
        if startup.content_hash != digest:
            startup.content_hash = digest
            changed = True
        if changed and not created:
            startup.updated_at = utcnow()
        outcome.count(created, changed)
        advance(1)
    return outcome


def upsert_tenders(session: Session, rows: list[ValidRow], source: str, advance: Advance = _noop) -> Outcome:
    """Tenders with their buyer (created from the row when new) and lots; awards are left to the caller."""
    outcome = Outcome()
    accepted = _resolve_buyers(session, rows, outcome)
    session.flush()
    existing = fetch(session, Tender, (row.external_id for row, _ in accepted), selectinload(Tender.lots))
    for row, buyer in accepted:
        model: TenderIn = row.model
        values = {name: getattr(model, name) for name in TENDER_FIELDS}
        values["language"] = model.language or detect_language(f"{model.title} {model.description}")
        values["source"] = source
        values["buyer_id"] = buyer.id if buyer is not None else None
        tender = existing.get(row.external_id)
        created = tender is None
        if tender is None:
            tender = Tender(**values)
            session.add(tender)
            changed = True
        else:
            changed = assign(tender, values)
        changed = _sync_lots(tender, model.lots) or changed
        digest = tender_hash(tender)
        if tender.content_hash != digest:
            tender.content_hash = digest
            changed = True
        if changed and not created:
            tender.updated_at = utcnow()
        outcome.count(created, changed)
        outcome.tenders.append((tender, row.awards))
        advance(1)
    outcome.extra["lots"] = sum(len(row.model.lots) for row, _ in accepted)
    return outcome


def _buyer_ref(model: TenderIn) -> str | None:
    if model.buyer_external_id:
        return str(model.buyer_external_id)
    if model.buyer_name:
        return slugify(model.buyer_name)
    return None


def _resolve_buyers(session: Session, rows: list[ValidRow], outcome: Outcome) -> list[tuple[ValidRow, Buyer | None]]:
    """The buyer of each tender row: existing, updated from the first row naming it, or created."""
    refs = {row.external_id: _buyer_ref(row.model) for row in rows}
    buyers = fetch(session, Buyer, (ref for ref in refs.values() if ref))
    seen: set[str] = set()
    accepted: list[tuple[ValidRow, Buyer | None]] = []
    outcome.extra.update(buyers_created=0, buyers_updated=0)
    for row in rows:
        model: TenderIn = row.model
        ref = refs[row.external_id]
        if ref is None:
            if model.buyer_name is not None:  # a name made only of punctuation gives no id
                outcome.rejected.append(
                    RowError(row.line, "buyer_name", "buyer name gives no usable id", row.external_id, row.raw)
                )
                continue
            accepted.append((row, None))
            continue
        buyer = buyers.get(ref)
        if buyer is None:
            if not model.buyer_name:
                outcome.rejected.append(
                    RowError(
                        row.line,
                        "buyer_external_id",
                        f"unknown buyer {ref!r} and no buyer name to create it (import the buyers first)",
                        row.external_id,
                        row.raw,
                    )
                )
                continue
            buyer = Buyer(
                external_id=ref,
                name=model.buyer_name,
                kind=model.buyer_kind or row.buyer_kind_guess or "ministry",
                country="MA",
                digest_opt_in=False,
            )
            session.add(buyer)
            buyers[ref] = buyer
            outcome.extra["buyers_created"] += 1
        elif ref not in seen:
            wanted: dict[str, Any] = {}
            if model.buyer_name:
                wanted["name"] = model.buyer_name
            if model.buyer_kind:
                wanted["kind"] = model.buyer_kind
            if assign(buyer, wanted):
                buyer.updated_at = utcnow()
                outcome.extra["buyers_updated"] += 1
        seen.add(ref)
        accepted.append((row, buyer))
    return accepted


def _sync_lots(tender: Tender, lots: list[LotIn]) -> bool:
    """Update lots in place by number (delete-then-insert would hit the unique constraint)."""
    current = {lot.lot_number: lot for lot in tender.lots}
    wanted = {lot.lot_number for lot in lots}
    changed = False
    for lot_in in lots:
        values = lot_in.model_dump()
        lot = current.get(lot_in.lot_number)
        if lot is None:
            tender.lots.append(TenderLot(**values))
            changed = True
        elif assign(lot, values):
            changed = True
    for number, lot in current.items():
        if number not in wanted:
            tender.lots.remove(lot)
            changed = True
    if changed:
        tender.lots.sort(key=lambda lot: lot.lot_number)
    return changed
