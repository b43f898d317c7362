"""The catalogue on disk, so that a start reads a file instead of 100k ORM rows (about 14 s at 100k).

Saved with the `updated_at` of every tender and startup it was made from, plus a fingerprint of the
buyers, awards and trust tables (buyer names, supplier references and trust counts live there). Restoring re-reads only
the tenders and startups whose `updated_at` changed, appeared or vanished since; a change of buyers
or awards reloads everything. The store stays the source of truth: a missing or unreadable file only
costs the slow path.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.index.vector_index import read_bundle, write_bundle
from matcher.ranking.catalogue import Catalogue, TenderRecord, TenderTable
from matcher.store import (
    Award,
    AwardLink,
    Buyer,
    DeclaredReference,
    DeliveryConfirmation,
    Startup,
    Tender,
)

log = logging.getLogger(__name__)
_FIELDS = TenderRecord._fields

BUNDLE = "catalogue"
VERSION = 6  # 3: records carry inferred CPV codes and CPV-group topics; 4: tenders saved by column;
# 5: records carry their topics per CPV division; 6: startups carry their verified contracts' history
# Repeated short values: one shared string each instead of one per tender.
_SHARED_STRINGS = ("buyer_id", "buyer_name", "buyer_kind", "region", "city", "currency", "status", "language")
_STATE_COLUMNS = {"id", "startup_id", "status", "public", "updated_at", "verified", "confirmed_at"}


def _stamps(session: Session, model: Any) -> dict[str, str]:
    return {
        external_id: str(stamp) for external_id, stamp in session.execute(select(model.external_id, model.updated_at))
    }


def _others(session: Session) -> str:
    """Buyers and awards in one digest: any change there reloads the whole catalogue."""
    digest = hashlib.sha256()
    for external_id, stamp in session.execute(select(Buyer.external_id, Buyer.updated_at).order_by(Buyer.external_id)):
        digest.update(f"{external_id}:{stamp};".encode())
    count, highest = session.execute(select(func.count(Award.id), func.max(Award.id))).one()
    digest.update(f"awards:{count}:{highest}".encode())
    # Startup records carry trust counts from these tables (small: a few rows per startup); rows
    # may change status in place, so their state columns are digested, not only counted.
    for model in (AwardLink, DeliveryConfirmation, DeclaredReference):
        columns = [c for c in model.__table__.columns if c.name in _STATE_COLUMNS]
        for row in session.execute(select(*columns).order_by(model.__table__.c.id)):
            digest.update(f"{model.__tablename__}:{tuple(row)};".encode())
    return digest.hexdigest()


def stamps(session: Session) -> dict[str, Any]:
    """What the catalogue was made from: `updated_at` per tender and startup, buyers and awards digest."""
    return {"tenders": _stamps(session, Tender), "startups": _stamps(session, Startup), "others": _others(session)}


def _columns(records: list[TenderRecord]) -> dict[str, list[Any]]:
    return {name: [getattr(record, name) for record in records] for name in _FIELDS}


def _records(columns: dict[str, list[Any]]) -> list[TenderRecord]:
    """Records rebuilt column by column, so that the values of one field lie side by side in memory.

    Unpickled record by record, each tender's title, codes, amounts and topics were interleaved with
    the long texts of its neighbours: a forked worker that reads a few fields of one tender (its
    reference counts are written) then copies pages full of other data. Column by column, the
    fields a request reads share few pages, and repeated short strings are stored once.
    """
    for name in _SHARED_STRINGS:
        columns[name] = [sys.intern(value) if isinstance(value, str) else value for value in columns[name]]
    return [TenderRecord(*values) for values in zip(*(columns[name] for name in _FIELDS), strict=True)]


def save(catalogue: Catalogue, folder: Path, made_from: dict[str, Any]) -> None:
    payload = {
        "version": VERSION,
        "tenders": _columns(catalogue.tenders.records),
        "startups": catalogue.startups,
        "made_from": made_from,
    }
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    write_bundle(folder, BUNDLE, {"catalogue": (".pickle", data)}, {"tenders": len(catalogue.tenders.records)})


def restore(catalogue: Catalogue, folder: Path, session: Session) -> tuple[str, dict[str, Any] | None]:
    """'loaded' (a few rows possibly re-read from the store), 'missing', 'stale' or 'corrupt: …';
    the caller loads from the store unless 'loaded'. With it, the stamps the catalogue now reflects."""
    if not (folder / "manifest.json").exists():
        return "missing", None
    try:
        _, contents = read_bundle(folder, BUNDLE)
        saved = pickle.loads(contents["catalogue"])
        if saved.get("version") != VERSION:
            return "stale", None
        made_from = saved["made_from"]
    except Exception as exc:
        log.warning("catalogue snapshot in %s cannot be read, reloading from the store: %s", folder, exc)
        return f"corrupt: {exc}", None
    current = stamps(session)
    if made_from["others"] != current["others"]:
        return "stale", None
    table = TenderTable(records=_records(saved["tenders"]))
    table.rebuild_columns()
    catalogue.tenders, catalogue.startups = table, dict(saved["startups"])
    for kind in ("tenders", "startups"):
        before, now = made_from[kind], current[kind]
        changed = [i for i, stamp in now.items() if before.get(i) != stamp] + [i for i in before if i not in now]
        if changed:
            catalogue.refresh(session, kind, changed)
    return "loaded", current
