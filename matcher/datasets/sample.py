"""The bundled sample data (data/): read it, move its dates to the load day, ingest it.

The files hold absolute dates anchored on ANCHOR (also written in data/README.md). Loading shifts
every publication date and deadline by (today - ANCHOR), so the demo always has open tenders with
deadlines 3 to 60 days ahead, whatever the day it runs. Loading twice the same day changes nothing.

Loading never overwrites a row that is already in the store (a startup may have edited its profile
since the demo was set up): only missing rows are added. The one exception keeps the demo alive on
a later day: a sample tender whose dates nobody touched (they are still the file's dates moved by
whole days) gets its dates moved to the new day, and nothing else.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from matcher.errors import TremplinError

if TYPE_CHECKING:
    from matcher.ingest import IngestReport, Kind
    from matcher.store import Store

ANCHOR = date(2026, 1, 5)
DATA_DIR = Path(__file__).resolve().parents[2] / "data"
BUYERS_FILE = "buyers.csv"
STARTUPS_FILE = "startups.csv"
TENDERS_FILE = "tenders.jsonl"
DATE_FIELDS = ("published_at", "deadline_at")
SOURCE = "sample"
LOAD_ORDER: tuple[Kind, ...] = ("buyers", "tenders", "startups")  # tenders name buyers that must exist


class SampleDataError(TremplinError):
    """A sample file is missing or unreadable (e.g. a source install without the data/ folder)."""


def _path(data_dir: Path, name: str) -> Path:
    path = data_dir / name
    if not path.is_file():
        raise SampleDataError(f"sample file {path} is missing (regenerate it with scripts/make_sample_data.py)")
    return path


def _read_csv(path: Path) -> list[dict[str, Any]]:
    # Everything as text: CPV codes keep their leading zero, empty cells stay empty (the schemas decide).
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return [{str(key): value for key, value in row.items() if value != ""} for row in frame.to_dict(orient="records")]


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    records = []
    with path.open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SampleDataError(f"{path}, line {line_number}: not valid JSON ({exc.msg})") from exc
            if not isinstance(record, dict):
                raise SampleDataError(f"{path}, line {line_number}: expected a JSON object")
            records.append(record)
    return records


def read_sample(data_dir: Path | None = None) -> dict[str, list[dict[str, Any]]]:
    """Raw records of the three files, dates as written (anchored on ANCHOR), in load order."""
    folder = Path(data_dir) if data_dir is not None else DATA_DIR
    return {
        "buyers": _read_csv(_path(folder, BUYERS_FILE)),
        "tenders": _read_jsonl(_path(folder, TENDERS_FILE)),
        "startups": _read_csv(_path(folder, STARTUPS_FILE)),
    }


def shift_dates(tenders: list[dict[str, Any]], today: date, anchor: date = ANCHOR) -> list[dict[str, Any]]:
    """Copies of `tenders` with publication and deadline moved by (today - anchor) whole days.

    Whole days keep the time of day and the zone offset of each date, so a 10:00 deadline stays 10:00.
    """
    offset = timedelta(days=(today - anchor).days)
    shifted = []
    for record in tenders:
        copy = dict(record)
        for name in DATE_FIELDS:
            value = copy.get(name)
            if value:
                try:
                    moment = datetime.fromisoformat(str(value))
                except ValueError as exc:
                    ident = record.get("external_id", "?")
                    raise SampleDataError(f"tender {ident}: {name} {value!r} is not an ISO date") from exc
                copy[name] = (moment + offset).isoformat()
        shifted.append(copy)
    return shifted


def _stored_ids(store: Store, kind: Kind) -> set[str]:
    from sqlalchemy import select

    from matcher.store import Buyer, Startup, Tender

    column = {"buyers": Buyer.external_id, "startups": Startup.external_id, "tenders": Tender.external_id}[kind]
    with store.session() as session:
        return set(session.scalars(select(column)))


def _moment(value: Any) -> datetime | None:
    from matcher.schemas import _to_datetime

    moment: datetime | None = _to_datetime(value) if value else None
    return moment


def _move_untouched_dates(store: Store, original: list[dict[str, Any]], wanted: list[dict[str, Any]]) -> int:
    """Move the dates of stored sample tenders whose dates are still the file's, shifted by whole days."""
    from sqlalchemy import select

    from matcher.store import Tender

    by_id = {str(record["external_id"]): (record, wanted[i]) for i, record in enumerate(original)}
    moved = 0
    with store.session() as session:
        for row in session.scalars(select(Tender).where(Tender.source == SOURCE, Tender.external_id.in_(by_id))):
            first, target = by_id[row.external_id]
            shifts: set[timedelta | None] = set()
            for name in DATE_FIELDS:
                stored, written = getattr(row, name), _moment(first.get(name))
                if (stored is None) != (written is None):
                    shifts.add(None)  # a date added or cleared by hand
                elif stored is not None and written is not None:
                    shifts.add(stored - written)
            if len(shifts) > 1 or None in shifts or any(s % timedelta(days=1) for s in shifts if s is not None):
                continue  # edited by hand: keep it as it is
            changed = False
            for name in DATE_FIELDS:
                new = _moment(target.get(name))
                if new is not None and getattr(row, name) != new:
                    setattr(row, name, new)
                    changed = True
            moved += changed
    return moved


def load_sample(store: Store, today: date | None = None, data_dir: Path | None = None) -> dict[str, IngestReport]:
    """Add the missing buyers, tenders (dates moved to `today`) and startups; one report per kind.

    Rows already stored are left as they are (counted `unchanged`), except the dates of untouched
    sample tenders, which move to `today` (counted `updated`).
    """
    from matcher.ingest import ingest_records

    records = read_sample(data_dir)
    original_tenders = records["tenders"]
    records["tenders"] = shift_dates(original_tenders, today or date.today())
    reports: dict[str, IngestReport] = {}
    for kind in LOAD_ORDER:
        stored = _stored_ids(store, kind)
        missing = [record for record in records[kind] if str(record.get("external_id", "")) not in stored]
        report = ingest_records(store, kind, missing, source=SOURCE)
        kept = len(records[kind]) - len(missing)
        if kind == "tenders" and kept:
            report.updated += _move_untouched_dates(store, original_tenders, records["tenders"])
        report.rows += kept
        report.unchanged += kept - report.updated
        reports[kind] = report
    return reports
