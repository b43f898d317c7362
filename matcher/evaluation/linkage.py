"""Name-only record linkage measured on DECP award data, against the SIREN truth.

Each SIREN becomes a company whose profile name is its most frequent spelling in the file. Every
award record (one titulaire of one marché) is then linked by its name alone — ids hidden — to one
company or to none. Precision is over the links made, recall over all records; both are reported
overall and on the hard part: records whose spelling differs from their company's profile name.
Two baselines run on the same records: the exact folded name without legal forms, and the plain
rapidfuzz ratio of folded names.

A second Tremplin row adds context, as a live linker would have it: when several companies fit a
name about equally well, the one whose *confirmed* history (its records spelled exactly as its
profile name, never the record being linked nor any hard record) shares the record's buyer, or its
CPV division and département, is chosen (`matcher.linkage.context`).

The report also lists the wrong links that row makes on the hard part — the record's name, the
company linked, the true one, which rule made the link and on what scores or context — so the
rules can be judged case by case (`tremplin eval linkage FILE --errors`).
"""

from __future__ import annotations

import json
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from matcher.ingest.decp import _holders, marches, supplier_external_id
from matcher.linkage.context import Clues, History, break_tie
from matcher.linkage.names import fold_name
from matcher.linkage.similarity import Decision, NameIndex

RATIO_CUTOFF = 90.0
GOAL_HARD_PRECISION = 0.97
GOAL_HARD_RECALL = 0.75
GOAL_PRECISION = 0.99
NAME_ROW = "Tremplin linker (name only)"
CONTEXT_ROW = "Tremplin linker (name + context)"
HALVES = ("A (tuning)", "B (check)")


@dataclass(frozen=True)
class Record:
    key: str
    name: str
    hard: bool
    clues: Clues = field(default_factory=Clues)


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


@dataclass(frozen=True)
class LinkError:
    """One wrong hard link of the name + context row, with what made it."""

    name: str
    linked: str  # profile name of the company linked
    truth: str  # profile name of the record's own company
    rule: str  # "exact", "name", "low bar" or "context"
    score: float
    second: float
    context: str = ""  # for context links: each tied company's support, e.g. "ACME 4 (3 records)"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "linked": self.linked,
            "truth": self.truth,
            "rule": self.rule,
            "score": round(self.score, 3),
            "second": round(self.second, 3),
            "context": self.context,
        }


@dataclass
class LinkageReport:
    companies: int
    records: int
    hard_records: int
    rows: list[Row]
    errors: list[LinkError] = field(default_factory=list)

    def goal_met(self, row: Row | None = None) -> bool:
        """Whether a Tremplin row (by default the best of name only and name + context) meets the goal."""
        if row is None:
            return any(self.goal_met(r) for r in self.rows[:2])
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
            "goal_met_by_row": {row.name: self.goal_met(row) for row in self.rows[:2]},
            "rows": [row.as_dict() for row in self.rows],
            "errors": [error.as_dict() for error in self.errors],
        }


def load_records(path: Path) -> tuple[dict[str, str], list[Record]]:
    """Companies (SIREN key → most frequent spelling) and every named award record of the file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read ({exc})") from exc
    raw: list[tuple[str, str, Clues]] = []
    for item in marches(document, path.name):
        if not isinstance(item, dict):
            continue
        clues = record_clues(item)
        for holder in _holders(item.get("titulaires")):
            key = supplier_external_id(holder)
            name = str(holder.get("denominationSociale") or "").strip()
            if key and key.startswith("SIREN:") and name:
                raw.append((key, name, clues))
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for key, name, _ in raw:
        spellings[key][name] += 1
    profile = {key: counts.most_common(1)[0][0] for key, counts in spellings.items()}
    return profile, [Record(key, name, name != profile[key], clues) for key, name, clues in raw]


def record_clues(item: dict[str, Any]) -> Clues:
    """Buyer id, CPV division and département of one DECP marché."""
    buyer = item.get("acheteur")
    place = item.get("lieuExecution")
    code = re.sub(r"\s", "", str(item.get("codeCPV") or ""))
    where = None
    if isinstance(place, dict) and place.get("code"):
        value, kind = str(place["code"]).strip(), str(place.get("typeCode") or "")
        where = value[:2] if kind in ("Code postal", "Code commune") else f"{kind}:{value}"
        where = value if kind == "Code département" else where
    return Clues(
        buyer=str(buyer.get("id") or "") or None if isinstance(buyer, dict) else None,
        division=code[:2] if code[:2].isdigit() else None,
        place=where,
    )


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


def half_of(key: str) -> int:
    """0 (half A) or 1 (half B): a stable split of companies by SIREN hash, to tune on one, check the other."""
    return zlib.crc32(key.encode()) % 2


def evaluate(path: Path, progress: Callable[[int, int], None] | None = None) -> LinkageReport:
    """Run the Tremplin linker (name only, then name + context) and both baselines over `path`.

    The two Tremplin rows are also scored on each half of the companies (SIREN hash): the thresholds
    were tuned on half A, half B shows how far that holds on records they were not tuned on.
    """
    profile, records = load_records(path)
    if not records:
        raise ValueError(f"{path}: no award record with a SIREN and a name")
    index = NameIndex(profile.items())
    history = History()
    for ref, record in enumerate(records):
        if not record.hard:  # confirmed history: records spelled exactly as the profile name
            history.add(record.key, record.clues, ref)
    by_name: list[tuple[str, Callable[[str], str | None]]] = [
        ("exact folded name", _exact(profile)),
        (f"rapidfuzz ratio ≥ {RATIO_CUTOFF:.0f}", _ratio(profile)),
    ]
    rows = [Row(NAME_ROW), Row(CONTEXT_ROW)] + [Row(label) for label, _ in by_name]
    halves = [[Row(f"{label}, half {part}") for label in (NAME_ROW, CONTEXT_ROW)] for part in HALVES]
    cache: dict[str, list[str | None]] = {}
    decisions: dict[str, Decision] = {}
    errors: list[LinkError] = []
    for ref, record in enumerate(records):
        if record.name not in cache:
            decisions[record.name] = index.resolve(record.name)
            cache[record.name] = [link(record.name) for _, link in by_name]
        decision = decisions[record.name]
        with_context = decision.key or break_tie(
            decision.tied, record.clues, history, exclude=ref, preferred=decision.preferred
        )
        if record.hard and with_context is not None and with_context != record.key:
            errors.append(_error(record, with_context, decision, profile, history, ref))
        links = [decision.key, with_context, *cache[record.name]]
        for row, linked in zip([*rows, *halves[half_of(record.key)]], [*links, *links[:2]], strict=True):
            for score in (row.overall, row.hard) if record.hard else (row.overall,):
                score.records += 1
                if linked is not None:
                    score.links += 1
                    score.correct += linked == record.key
        if progress:
            progress(ref + 1, len(records))
    rows = [*rows, *halves[0], *halves[1]]
    return LinkageReport(len(profile), len(records), sum(r.hard for r in records), rows, errors)


def _error(
    record: Record, linked: str, decision: Decision, profile: dict[str, str], history: History, ref: int
) -> LinkError:
    """Describe one wrong link: the rule that made it and, for context links, each tied company's support."""
    context = ""
    if decision.key is None:
        parts = []
        for key in decision.tied:
            found = history.evidence(key, record.clues, exclude=ref)
            support = (
                "no history"
                if found is None
                else f"{found.support} ({found.records} record{'s' * (found.records != 1)})"
            )
            parts.append(f"{profile[key]} {support}")
        context = "; ".join(parts)
    rule = decision.rule if decision.key is not None else "context"
    return LinkError(record.name, profile[linked], profile[record.key], rule, decision.score, decision.second, context)
