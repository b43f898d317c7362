"""Feedback changes a startup's ranking at once: hidden rejects, similar calls moved, and a simulation.

Real embedding model (`use`) on the bundled sample data, verdicts stored through the store like the
API stores them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime

import numpy as np
import pytest

from matcher.ranking.engine import Engine
from matcher.settings import Settings
from matcher.store import Feedback, Store
from matcher.store.feedback import Verdict, give_feedback

pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 28, 9, tzinfo=UTC)
ROUNDS = 3
MARGIN = 0.15  # mean nDCG@10 against the hidden preferences must rise at least this much


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    from matcher.datasets.sample import load_sample

    settings = Settings(home=tmp_path_factory.mktemp("feedback") / "home", embedder="use")
    settings.ensure_home()
    store = Store(settings)
    store.migrate()
    load_sample(store, today=date(2026, 11, 28))
    created = Engine(store, settings)
    created.load()
    yield created
    store.dispose()


def _verdict(engine: Engine, startup_id: str, tender_id: str, verdict: Verdict) -> None:
    with engine.store.session() as session:
        give_feedback(session, startup_id, tender_id, verdict, actor_role="startup")
        session.commit()


def _forget(engine: Engine, startup_id: str) -> None:
    from sqlalchemy import delete, select

    from matcher.store import Startup

    with engine.store.session() as session:
        own = select(Startup.id).where(Startup.external_id == startup_id).scalar_subquery()
        session.execute(delete(Feedback).where(Feedback.startup_id == own))
        session.commit()


def _top(engine: Engine, startup_id: str, limit: int = 10) -> list[str]:
    return [m.tender_id for m in engine.recommend_tenders(startup_id, limit=limit, now=NOW, min_grade="any")]


def test_not_relevant_hides_the_tender_and_says_why_similar_ones_move(engine: Engine) -> None:
    startup = "ST-FINTECH-001"
    before = engine.recommend_tenders(startup, limit=10, now=NOW, min_grade="any")
    rejected = before[0].tender_id
    _verdict(engine, startup, rejected, Verdict.not_relevant)
    try:
        after = engine.recommend_tenders(startup, limit=10, now=NOW, min_grade="any")
        assert rejected not in [m.tender_id for m in after]
        assert any("feedback_similar_not_relevant" in m.explanation.notes for m in after)
    finally:
        _forget(engine, startup)  # undo = deleting the verdict: the tender comes back
    assert _top(engine, startup)[0] == rejected


def _ndcg(ranked: list[str], relevant: set[str]) -> float:
    gains = sum(1 / math.log2(i + 2) for i, t in enumerate(ranked[:10]) if t in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, len(relevant))))
    return gains / ideal if ideal else 0.0


def test_simulated_startups_with_hidden_preferences_get_better_lists_over_three_rounds(engine: Engine) -> None:
    """Each simulated founder secretly wants one sub-theme of its field: the calls that read like one
    of its matches ranked 11th–20th (cosine ≥ 0.6). It marks its top 10 relevant or not relevant,
    three rounds; the mean nDCG@10 against those hidden wants must rise by MARGIN."""
    startups = sorted(engine.catalogue.startups)[:60:6]
    first, last = [], []
    for startup in startups:
        pool = _top(engine, startup, 40)
        if len(pool) < 20:
            continue
        anchor = pool[12]
        vectors = engine.indexes.tender_vectors.vectors(pool)
        similarity = vectors @ engine.indexes.tender_vectors.vectors([anchor])[0]
        wanted = {t for t, s in zip(pool, similarity, strict=True) if s >= 0.6}
        first.append(_ndcg(_top(engine, startup), wanted))
        for _ in range(ROUNDS):
            for tender in _top(engine, startup):
                verdict = Verdict.relevant if tender in wanted else Verdict.not_relevant
                _verdict(engine, startup, tender, verdict)
        last.append(_ndcg(_top(engine, startup), wanted))
        _forget(engine, startup)
    assert len(first) >= 5
    print(f"simulation: {len(first)} startups, mean nDCG@10 {np.mean(first):.3f} -> {np.mean(last):.3f}")
    assert np.mean(last) >= np.mean(first) + MARGIN, (np.mean(first), np.mean(last))


def test_train_feedback_refits_from_verdicts_and_reports_the_effect(engine: Engine) -> None:
    from matcher.evaluation.feedback_training import refit

    startups = sorted(engine.catalogue.startups)[:40:8]
    for startup in startups:
        pool = _top(engine, startup, 20)
        for rank, tender in enumerate(pool[:10]):
            _verdict(engine, startup, tender, Verdict.relevant if rank % 3 == 0 else Verdict.not_relevant)
    try:
        fitted = refit(engine, engine.scorer.weights["tender_for_startup"])
    finally:
        for startup in startups:
            _forget(engine, startup)
    assert fitted.startups == len(startups) and fitted.pairs > 0
    assert 0.0 <= fitted.before <= 1.0 and 0.0 <= fitted.after <= 1.0
    assert all(value >= 0 for value in fitted.weights.values())
