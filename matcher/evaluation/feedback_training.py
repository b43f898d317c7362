"""Refit the startup-side weights from accumulated verdicts, together with award data.

Every startup's verdicts give pairs (a tender it marked relevant / applied / won against one it
marked not relevant); award data, when given, adds the hold-out pairs `tremplin train decp` uses.
One pairwise logistic regression (weights ≥ 0, as in matcher.evaluation.train) on both. The effect
is reported as the share of verdict pairs put in the right order, by the current weights and by
the refitted ones scored leave-one-startup-out (a startup's own verdicts never fit the weights
that score them), and, with award data, HR@10 / MRR@10 on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import select

from matcher.evaluation.metrics import Metrics
from matcher.evaluation.train import DEFAULT_C, Queries, _logistic, _pairs, ranks, to_weights, with_semantic_floor
from matcher.ranking.features import TENDER_FEATURES
from matcher.ranking.feedback import NEGATIVE, POSITIVE
from matcher.store import Startup
from matcher.store.feedback import latest_verdicts

DIRECTION = "tender_for_startup"


@dataclass
class FeedbackFit:
    startups: int
    pairs: int
    before: float
    after: float
    weights: dict[str, float]
    award_before: Metrics | None = None
    award_after: Metrics | None = None
    notes: list[str] = field(default_factory=list)


def verdict_pairs(engine: Any, now: datetime | None = None) -> dict[str, np.ndarray]:
    """Per startup: positive-minus-negative feature differences over its judged open or closed tenders."""
    now = now or datetime.now(UTC)
    with engine.store.session() as session:
        startups = list(session.scalars(select(Startup.external_id)))
        judged = {s: latest_verdicts(session, s) for s in startups}
    out: dict[str, np.ndarray] = {}
    for startup_id, verdicts in judged.items():
        known = {t: v for t, v in verdicts.items() if engine.catalogue.tenders.get(t) is not None}
        good = [t for t, v in known.items() if v in POSITIVE]
        bad = [t for t, v in known.items() if v in NEGATIVE]
        if not good or not bad or startup_id not in engine.catalogue.startups:
            continue
        _, _, matrix = engine.tender_matrix(engine.startup(startup_id), good + bad, now)
        diffs = [matrix[i] - matrix[len(good) + j] for i in range(len(good)) for j in range(len(bad))]
        out[startup_id] = np.asarray(diffs, dtype=np.float64)
    return out


def _accuracy(diffs: np.ndarray, vector: np.ndarray) -> tuple[int, int]:
    margins = diffs @ vector
    return int((margins > 0).sum()), len(margins)


def _fit(parts: list[np.ndarray], columns: list[int], c: float) -> np.ndarray:
    stacked = np.vstack([p[:, columns] for p in parts])
    return with_semantic_floor(_logistic(stacked, c), [TENDER_FEATURES[i] for i in columns])


def refit(engine: Any, prior: dict[str, float], awards: Queries | None = None, c: float = DEFAULT_C) -> FeedbackFit:
    """Weights for `tender_for_startup` from verdicts (+ award pairs), with before/after figures."""
    pairs = verdict_pairs(engine)
    current = np.array([prior.get(n, 0.0) for n in TENDER_FEATURES])
    columns = awards.learnable() if awards is not None else list(range(len(TENDER_FEATURES)))
    award_diffs = [_pairs(awards, np.arange(len(awards.groups)), list(range(len(TENDER_FEATURES))))] if awards else []
    right_before = right_after = total = 0
    for startup_id, diffs in pairs.items():
        others = [d for s, d in pairs.items() if s != startup_id] + award_diffs
        good, count = _accuracy(diffs, current)
        right_before, total = right_before + good, total + count
        if others:
            table = to_weights(TENDER_FEATURES, columns, _fit(others, columns, c), prior)
            vector = np.array([table[n] for n in TENDER_FEATURES])
            right_after += _accuracy(diffs, vector)[0]
        else:
            right_after += good
    everything = list(pairs.values()) + award_diffs
    if not everything:
        return FeedbackFit(0, 0, 0.0, 0.0, dict(prior), notes=["no verdict pairs and no award data: nothing to learn"])
    weights = to_weights(TENDER_FEATURES, columns, _fit(everything, columns, c), prior)
    fitted = FeedbackFit(
        startups=len(pairs),
        pairs=total,
        before=right_before / total if total else 0.0,
        after=right_after / total if total else 0.0,
        weights=weights,
    )
    if awards is not None:
        from matcher.evaluation.metrics import summarize

        every = np.arange(len(awards.groups))
        old = np.array([prior.get(TENDER_FEATURES[i], 0.0) for i in range(len(TENDER_FEATURES))])
        new = np.array([weights[TENDER_FEATURES[i]] for i in range(len(TENDER_FEATURES))])
        all_columns = list(range(len(TENDER_FEATURES)))
        fitted.award_before = summarize(ranks(awards, every, all_columns, old))
        fitted.award_after = summarize(ranks(awards, every, all_columns, new))
    return fitted
