"""Grades people can trust: engine score → probability of relevance → strong / good / possible.

The map is fitted per direction on held-out evaluation data (models/calibration.json, see the model
card); a raw score is never shown to a person. Matches below the floor grade are not shown by
default (setting `min_grade`, API parameter `min_grade`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

DEFAULT_CALIBRATION = Path(__file__).resolve().parents[2] / "models" / "calibration.json"
GRADES = ("strong", "good", "possible")  # best first
NO_FLOOR = "any"  # min_grade value that shows every match
# Lowest probability of relevance (award proxy) of each grade; models/calibration.json may refine them.
DEFAULT_GRADES = {"strong": 0.18, "good": 0.09, "possible": 0.03}
# Free-text search has no award data to fit on (a typed need, often in Arabic against French
# profiles): its map is hand-set on the bundled sample queries, meaning first, and says so in the
# model card. Without it, it reads the buyer-side map.
FALLBACK = {"supplier_for_query": "supplier_for_tender"}
QUERY_MAP = {"x": [0.08, 0.11, 0.20, 0.30, 0.45], "y": [0.0, 0.03, 0.09, 0.18, 0.25]}


class CalibrationError(ValueError):
    """A calibration file that cannot be used, with the reason."""


def grade_rank(grade: str) -> int:
    """0 for the best grade; raises ValueError naming the allowed grades."""
    if grade not in GRADES:
        raise ValueError(f"min_grade: expected one of {', '.join((*GRADES, NO_FLOOR))}, got {grade!r}")
    return GRADES.index(grade)


@dataclass(frozen=True)
class Calibrator:
    version: str
    maps: dict[str, tuple[np.ndarray, np.ndarray]]
    grades: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_GRADES))

    @classmethod
    def load(cls, path: Path | None = None) -> Calibrator:
        path = path or DEFAULT_CALIBRATION
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise CalibrationError(f"{path}: cannot read the calibration ({exc})") from exc
        maps = {}
        query = document.get("supplier_for_query")
        if query and query.get("x") and len(query["x"]) == len(query.get("y", [])):
            maps["supplier_for_query"] = (
                np.asarray(query["x"], dtype=np.float64),
                np.asarray(query["y"], dtype=np.float64),
            )
        for direction in ("tender_for_startup", "supplier_for_tender"):
            entry = document.get(direction)
            if not entry or len(entry.get("x", [])) != len(entry.get("y", [])) or not entry["x"]:
                raise CalibrationError(f"{path}: no calibration map for {direction}")
            maps[direction] = (np.asarray(entry["x"], dtype=np.float64), np.asarray(entry["y"], dtype=np.float64))
        grades = {**DEFAULT_GRADES, **{k: float(v) for k, v in document.get("grades", {}).items() if k in GRADES}}
        return cls(version=str(document.get("version", path.stem)), maps=maps, grades=grades)

    def probability(self, direction: str, scores: np.ndarray) -> np.ndarray:
        x, y = self.maps[direction] if direction in self.maps else self.maps[FALLBACK.get(direction, direction)]
        return np.interp(np.asarray(scores, dtype=np.float64), x, y)

    def cut(self, grade: str) -> float:
        """Lowest probability of a grade (ValueError naming min_grade for an unknown one)."""
        grade_rank(grade)
        return self.grades[grade]

    def grade_of(self, probability: float) -> str | None:
        """Best grade whose cut the probability reaches; None below the lowest (under the floor)."""
        for grade in GRADES:
            if probability >= self.grades[grade]:
                return grade
        return None

    def passes(self, probability: float, min_grade: str | None) -> bool:
        """At or above the floor grade (None: no floor, everything passes)."""
        if min_grade is None:
            return True
        grade = self.grade_of(probability)
        return grade is not None and grade_rank(grade) <= grade_rank(min_grade)


@lru_cache(maxsize=4)
def shipped_calibrator(path: Path | None = None) -> Calibrator:
    return Calibrator.load(path)


def calibrator_or_identity(path: Path | None = None) -> Calibrator:
    """The shipped map, or (no file) the score read as a probability, so a bare checkout still runs."""
    try:
        return shipped_calibrator(path)
    except CalibrationError:
        identity = (np.array([0.0, 1.0]), np.array([0.0, 1.0]))
        return Calibrator("identity", {"tender_for_startup": identity, "supplier_for_tender": identity})
