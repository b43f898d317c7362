"""The official CPV list (code,label_fr,label_en) → the cpv_codes table, upserted by code."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from matcher.cpv import CPVError, load_cpv_csv
from matcher.ingest.errors import IngestError, IngestStoreError
from matcher.ingest.upsert import assign
from matcher.store import CPVCode, Store


def load_cpv_catalogue(store: Store, path: Path) -> dict[str, int]:
    """Read the whole list first (any bad line refuses the file), then write it in one transaction."""
    path = Path(path)
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    try:
        labels = load_cpv_csv(path)
    except CPVError as exc:
        raise IngestError(str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise IngestError(f"{path} is not UTF-8 text; save it as UTF-8 and retry") from exc
    if not labels:
        raise IngestError(f"{path} holds no CPV codes")
    counts = {"rows": len(labels), "created": 0, "updated": 0, "unchanged": 0}
    try:
        with store.session() as session:
            existing = {row.code: row for row in session.scalars(select(CPVCode))}
            for code, entry in labels.items():
                row = existing.get(code)
                if row is None:
                    session.add(CPVCode(code=code, label_fr=entry.label_fr, label_en=entry.label_en))
                    counts["created"] += 1
                elif assign(row, {"label_fr": entry.label_fr, "label_en": entry.label_en}):
                    counts["updated"] += 1
                else:
                    counts["unchanged"] += 1
    except SQLAlchemyError as exc:
        raise IngestStoreError(f"the database refused the CPV list, nothing was stored: {exc}") from exc
    return counts
