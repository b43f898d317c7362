"""The bundled sample data (data/): read it, move its dates to the load day, ingest it.

The files hold absolute dates anchored on ANCHOR (also written in data/README.md). Loading shifts
every publication date and deadline by (today - ANCHOR), so the demo always has open tenders with
deadlines 3 to 60 days ahead, whatever the day it runs. Loading twice the same day changes nothing.
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


def load_sample(store: Store, today: date | None = None, data_dir: Path | None = None) -> dict[str, IngestReport]:
    """Ingest buyers, then tenders (dates moved to `today`), then startups; returns one report per kind."""
    from matcher.ingest import ingest_records

    records = read_sample(data_dir)
    records["tenders"] = shift_dates(records["tenders"], today or date.today())
    return {kind: ingest_records(store, kind, records[kind], source=SOURCE) for kind in LOAD_ORDER}
