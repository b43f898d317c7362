"""Common Procurement Vocabulary: parsing, hierarchy, similarity and labels.

A CPV code is eight digits plus an optional check digit ("50700000-2"). Its hierarchy is read
from the digits: division (2), group (3), class (4), category (5) and finer levels up to 8, with
trailing zeros meaning "everything below".
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from matcher.errors import CodedValueError

_CPV = re.compile(r"^\s*(\d{8})(?:\s*-\s*(\d))?\s*$")
_DIVISION_LABELS = Path(__file__).with_name("data") / "cpv_divisions.csv"
# The official CPV 2008 list (EU Regulation 213/2008, labels as published by the EU), shipped compressed.
_OFFICIAL_LABELS = Path(__file__).with_name("data") / "cpv_2008.csv.gz"


class CPVError(CodedValueError):
    """Raised for a string that is not a CPV code."""


def parse_cpv(value: object) -> str:
    """Return the 8-digit code of '50700000', '50700000-2' or 50700000; raise CPVError otherwise."""
    text = str(value).strip() if value is not None else ""
    if re.fullmatch(r"\d{7}", text):  # leading zero lost by a spreadsheet (e.g. 3000000 for 03000000)
        text = "0" + text
    match = _CPV.match(text)
    if not match:
        raise CPVError(
            f"not a CPV code: {value!r} (expected 8 digits, optionally '-' and a check digit)",
            "v_cpv_invalid",
            value=str(value),
        )
    return match.group(1)


def parse_cpv_list(value: object) -> list[str]:
    """Parse a list or a ';' / ',' / '|' separated string of CPV codes, keeping order, no duplicates."""
    if value is None:
        return []
    items: Iterable[object]
    if isinstance(value, str):
        items = [part for part in re.split(r"[;,|\s]+", value) if part.strip()]
    elif isinstance(value, Iterable):
        items = value
    else:
        items = [value]
    codes: list[str] = []
    for item in items:
        code = parse_cpv(item)
        if code not in codes:
            codes.append(code)
    return codes


def depth(code: str) -> int:
    """Number of significant digits, at least 2 (the division)."""
    stripped = code.rstrip("0")
    return max(2, len(stripped))


def prefix(code: str) -> str:
    return code[: depth(code)]


def ancestors(code: str) -> list[str]:
    """Codes of the division, group, class, category… above `code`, most general first."""
    significant = depth(code)
    return [code[:n].ljust(8, "0") for n in range(2, significant)]


def division(code: str) -> str:
    return code[:2]


def shared_depth(a: str, b: str) -> int:
    """Length of the common significant prefix of two codes (0 if different divisions)."""
    limit = min(depth(a), depth(b))
    n = 0
    while n < limit and a[n] == b[n]:
        n += 1
    return n if n >= 2 else 0


def similarity(a: str, b: str) -> float:
    """1.0 for the same code or one containing the other; decays with the level where they diverge."""
    if a == b:
        return 1.0
    common = shared_depth(a, b)
    if common == 0:
        return 0.0
    if common >= min(depth(a), depth(b)):  # one code is an ancestor of the other
        return 0.9
    return {2: 0.35, 3: 0.55, 4: 0.7, 5: 0.8}.get(common, 0.85)


@dataclass(frozen=True)
class CPVMatch:
    left: str
    right: str
    score: float


def best_overlap(left: Iterable[str], right: Iterable[str]) -> CPVMatch | None:
    """The closest pair between two code lists: the 'why' of a CPV match."""
    return _best_overlap(tuple(left), tuple(right))


def deepest_shared(left: Iterable[str], right: Iterable[str]) -> int:
    """Deepest significant prefix shared by any pair of codes (0 if no common division)."""
    return _deepest_shared(tuple(left), tuple(right))


# Ranking asks these for every (profile, candidate) pair; code lists repeat a lot (a few thousand
# distinct ones), so the answers are cached.
@lru_cache(maxsize=131_072)
def _best_overlap(left: tuple[str, ...], right: tuple[str, ...]) -> CPVMatch | None:
    best: CPVMatch | None = None
    for a in left:
        for b in right:
            score = similarity(a, b)
            if score > 0 and (best is None or score > best.score):
                best = CPVMatch(a, b, score)
    return best


@lru_cache(maxsize=131_072)
def _deepest_shared(left: tuple[str, ...], right: tuple[str, ...]) -> int:
    return max((shared_depth(a, b) for a in left for b in right), default=0)


@dataclass(frozen=True)
class CPVLabel:
    code: str
    label_fr: str
    label_en: str
    label_ar: str = ""


def load_cpv_csv(path: str | Path) -> dict[str, CPVLabel]:
    """Read an official-style CPV list: columns code,label_fr,label_en (code8 and label_ar optional)."""
    labels: dict[str, CPVLabel] = {}
    path = Path(path)
    raw = gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")  # noqa: SIM115
    with raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"code", "label_fr", "label_en"} - set(reader.fieldnames or [])
        if missing:
            raise CPVError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        for line, row in enumerate(reader, start=2):
            try:
                code = parse_cpv(row.get("code8") or row["code"])
            except CPVError as exc:
                raise CPVError(f"{path}, line {line}: {exc}") from exc
            labels[code] = CPVLabel(
                code, row["label_fr"].strip(), row["label_en"].strip(), (row.get("label_ar") or "").strip()
            )
    return labels


@lru_cache(maxsize=1)
def division_labels() -> dict[str, CPVLabel]:
    """The 45 division labels the project writes itself (shipped with the package)."""
    return load_cpv_csv(_DIVISION_LABELS)


@lru_cache(maxsize=1)
def official_labels() -> dict[str, CPVLabel]:
    """The 9,454 codes of the official CPV 2008 list with their French and English labels."""
    try:
        return load_cpv_csv(_OFFICIAL_LABELS)
    except FileNotFoundError:  # a trimmed install: division labels still work
        return {}


def label(code: str, lang: str = "fr", catalogue: dict[str, CPVLabel] | None = None, *, official: bool = True) -> str:
    """Most specific label known for `code`, falling back to its ancestors, then its division.

    Sources in order: `catalogue` (a list loaded into the store), the official list shipped with the
    package (unless `official=False`: document texts used for ranking keep the division labels they were
    embedded with), then the project's division labels. Official CPV lists have no Arabic: Arabic reads
    the most specific Arabic label known (at least the division's), else French.
    """
    if lang == "ar":
        for source in (catalogue or {}, division_labels()):
            for candidate in [code, *reversed(ancestors(code))]:
                entry = source.get(candidate)
                if entry and entry.label_ar:
                    return entry.label_ar
    sources = (catalogue or {}, official_labels() if official else {}, division_labels())
    for source in sources:
        for candidate in [code, *reversed(ancestors(code))]:
            entry = source.get(candidate)
            if entry:
                return entry.label_en if lang == "en" else entry.label_fr
    return code
