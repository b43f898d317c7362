"""Turn feature matrices into one score, with each feature's contribution kept for explanations.

Weights live in a versioned JSON file under `models/` (see its model card); a tuned file replaces the
default without touching code. A key `name@variant` (e.g. `reference_terms@works`) is the weight of
that feature for the candidates of that variant, in place of the plain one (see
`features.row_variants`): a works tender's title names its operation ("construction of 23 homes in
Carentan"), which every lot shares, so the words it shares with a supplier's past titles say "same
operation" more than "same trade" — where verified contracts tell the trade better.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_MODEL = Path(__file__).resolve().parents[2] / "models" / "ranking-weights.json"
DIRECTIONS = ("tender_for_startup", "supplier_for_tender", "supplier_for_query")
WORKS = "works"
# Per direction: variant → features whose weight the variant may set apart.
VARIANT_FEATURES: dict[str, dict[str, tuple[str, ...]]] = {"supplier_for_tender": {WORKS: ("reference_terms",)}}


def variant_name(feature: str, variant: str) -> str:
    return f"{feature}@{variant}"


def weight_of(table: dict[str, float], name: str) -> float:
    """A feature's weight; for `name@variant`, the plain one when the variant has none of its own."""
    return table.get(name, table.get(name.split("@")[0], 0.0))


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
        for direction, table in weights.items():
            allowed = {
                variant_name(feature, variant)
                for variant, features in VARIANT_FEATURES.get(direction, {}).items()
                for feature in features
            }
            unknown = sorted(k for k in table if "@" in k and k not in allowed)
            if unknown:
                raise ScoringModelError(f"{path}: {direction}: unknown variant weight(s) {', '.join(unknown)}")
        return cls(version=str(document.get("version", path.stem)), weights=weights)

    def vector(self, direction: str, names: tuple[str, ...], variant: str | None = None) -> np.ndarray:
        """The weight of each feature, the variant's own where it has one."""
        table = self.weights[direction]
        keys = names if variant is None else [variant_name(name, variant) for name in names]
        return np.array([weight_of(table, key) for key in keys], dtype=np.float32)

    def contributions(
        self,
        direction: str,
        names: tuple[str, ...],
        matrix: np.ndarray,
        variants: Sequence[str | None] | None = None,
    ) -> np.ndarray:
        """Weight x value per cell; a row's sum is its score. `variants`: one per row (None: plain)."""
        parts = matrix * self.vector(direction, names)
        for variant in {v for v in variants or () if v is not None}:
            rows = np.array([v == variant for v in variants or ()], dtype=bool)
            parts[rows] = matrix[rows] * self.vector(direction, names, variant)
        return parts

    def score(
        self,
        direction: str,
        names: tuple[str, ...],
        matrix: np.ndarray,
        variants: Sequence[str | None] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        parts = self.contributions(direction, names, matrix, variants)
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
