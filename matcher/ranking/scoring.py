"""Turn feature matrices into one score, with each feature's contribution kept for explanations.

Weights live in a versioned JSON file under `models/` (see its model card); a tuned file replaces the
default without touching code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "models" / "ranking-weights.json"
DIRECTIONS = ("tender_for_startup", "supplier_for_tender", "supplier_for_query")


class ScoringModelError(ValueError):
    """A ranking model file that cannot be used, with the reason."""


@dataclass(frozen=True)
class LinearScorer:
    version: str
    weights: dict[str, dict[str, float]]

    @classmethod
    def load(cls, path: Path | None = None) -> LinearScorer:
        path = path or DEFAULT_MODEL
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ScoringModelError(f"{path}: cannot read ranking weights ({exc})") from exc
        missing = [d for d in DIRECTIONS if d not in document]
        if missing:
            raise ScoringModelError(f"{path}: no weights for {', '.join(missing)}")
        weights = {d: {k: float(v) for k, v in document[d].items()} for d in DIRECTIONS}
        return cls(version=str(document.get("version", path.stem)), weights=weights)

    def contributions(self, direction: str, names: tuple[str, ...], matrix: np.ndarray) -> np.ndarray:
        """Weight x value per cell; a row's sum is its score."""
        table = self.weights[direction]
        vector = np.array([table.get(name, 0.0) for name in names], dtype=np.float32)
        return matrix * vector

    def score(self, direction: str, names: tuple[str, ...], matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        parts = self.contributions(direction, names, matrix)
        return parts.sum(axis=1), parts


def mmr_order(scores: np.ndarray, vectors: np.ndarray, diversity: float, limit: int) -> list[int]:
    """Maximal marginal relevance: trade a little score for not showing near-duplicates."""
    if diversity <= 0 or len(scores) <= 1:
        return list(np.argsort(-scores)[:limit])
    chosen: list[int] = []
    remaining = list(range(len(scores)))
    similarity = vectors @ vectors.T
    while remaining and len(chosen) < limit:
        redundancy = similarity[np.ix_(remaining, chosen)].max(axis=1) if chosen else np.zeros(len(remaining))
        gains = (1 - diversity) * scores[remaining] - diversity * redundancy
        best = remaining[int(np.argmax(gains))]
        chosen.append(best)
        remaining.remove(best)
    return chosen
