"""Name-only record linkage measured on DECP award data, against the SIREN truth.

Each SIREN becomes a company whose profile name is its most frequent spelling in the file. Every
award record (one titulaire of one marché) is then linked by its name alone — ids hidden — to one
company or to none. Precision is over the links made, recall over all records; both are reported
overall and on the hard part: records whose spelling differs from their company's profile name.
Two baselines run on the same records: the exact folded name without legal forms, and the plain
rapidfuzz ratio of folded names.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from matcher.ingest.decp import _holders, marches, supplier_external_id
from matcher.linkage.names import fold_name
from matcher.linkage.similarity import NameIndex

RATIO_CUTOFF = 90.0
GOAL_HARD_PRECISION = 0.97
GOAL_HARD_RECALL = 0.75
GOAL_PRECISION = 0.99


@dataclass(frozen=True)
class Record:
    key: str
    name: str
    hard: bool


@dataclass
class Score:
    records: int = 0
    links: int = 0
    correct: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.links if self.links else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.records if self.records else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "links": self.links,
            "correct": self.correct,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
        }


@dataclass
class Row:
    name: str
    overall: Score = field(default_factory=Score)
    hard: Score = field(default_factory=Score)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "overall": self.overall.as_dict(), "hard": self.hard.as_dict()}


@dataclass
class LinkageReport:
    companies: int
    records: int
    hard_records: int
    rows: list[Row]

    def goal_met(self) -> bool:
        row = self.rows[0]
        return (
            row.hard.precision >= GOAL_HARD_PRECISION
            and row.hard.recall >= GOAL_HARD_RECALL
            and row.overall.precision >= GOAL_PRECISION
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "companies": self.companies,
            "records": self.records,
            "hard_records": self.hard_records,
            "goal_met": self.goal_met(),
            "rows": [row.as_dict() for row in self.rows],
        }


def load_records(path: Path) -> tuple[dict[str, str], list[Record]]:
    """Companies (SIREN key → most frequent spelling) and every named award record of the file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read ({exc})") from exc
    raw: list[tuple[str, str]] = []
    for item in marches(document, path.name):
        if not isinstance(item, dict):
            continue
        for holder in _holders(item.get("titulaires")):
            key = supplier_external_id(holder)
            name = str(holder.get("denominationSociale") or "").strip()
            if key and key.startswith("SIREN:") and name:
                raw.append((key, name))
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for key, name in raw:
        spellings[key][name] += 1
    profile = {key: counts.most_common(1)[0][0] for key, counts in spellings.items()}
    return profile, [Record(key, name, name != profile[key]) for key, name in raw]


def _exact(profile: dict[str, str]) -> Callable[[str], str | None]:
    by_name: dict[str, set[str]] = defaultdict(set)
    for key, name in profile.items():
        by_name[fold_name(name)].add(key)

    def link(name: str) -> str | None:
        found = by_name.get(fold_name(name), set())
        return next(iter(found)) if len(found) == 1 else None

    return link


def _ratio(profile: dict[str, str]) -> Callable[[str], str | None]:
    keys = list(profile)
    choices = [fold_name(profile[key]) for key in keys]

    def link(name: str) -> str | None:
        found = process.extractOne(fold_name(name), choices, scorer=fuzz.ratio, score_cutoff=RATIO_CUTOFF)
        return keys[found[2]] if found else None

    return link


def evaluate(path: Path, progress: Callable[[int, int], None] | None = None) -> LinkageReport:
    """Run the Tremplin linker and both baselines over every record of `path`."""
    profile, records = load_records(path)
    if not records:
        raise ValueError(f"{path}: no award record with a SIREN and a name")
    index = NameIndex(profile.items())
    linkers: list[tuple[str, Callable[[str], str | None]]] = [
        ("Tremplin linker", lambda name: index.resolve(name).key),
        ("exact folded name", _exact(profile)),
        (f"rapidfuzz ratio ≥ {RATIO_CUTOFF:.0f}", _ratio(profile)),
    ]
    rows = [Row(label) for label, _ in linkers]
    cache: dict[str, list[str | None]] = {}
    for done, record in enumerate(records, start=1):
        if record.name not in cache:
            cache[record.name] = [link(record.name) for _, link in linkers]
        for row, linked in zip(rows, cache[record.name], strict=True):
            for score in (row.overall, row.hard) if record.hard else (row.overall,):
                score.records += 1
                if linked is not None:
                    score.links += 1
                    score.correct += linked == record.key
        if progress:
            progress(done, len(records))
    return LinkageReport(len(profile), len(records), sum(r.hard for r in records), rows)
