"""The relevance floor, as a person meets it: calibrated grades, no nonsense matches, honest empty states.

Real embedding model (`use`) on the bundled sample data: this is about what the matching shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from matcher.ingest import ingest_records
from matcher.ranking.calibration import Calibrator, calibrator_or_identity
from matcher.ranking.engine import Engine
from matcher.ranking.relevance import meaningful_terms
from matcher.settings import Settings
from matcher.store import Store

pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 28, 9, tzinfo=UTC)
TATTOO = {
    "external_id": "ST-TATTOO",
    "name": "Encre Libre",
    "description": "Studio de tatouage artistique et piercing, salon de tatouage à Marrakech.",
    "sectors": ["tatouage"],
    "city": "Marrakech",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    from matcher.datasets.sample import load_sample

    settings = Settings(home=tmp_path_factory.mktemp("floor") / "home", embedder="use")
    settings.ensure_home()
    store = Store(settings)
    store.migrate()
    load_sample(store, today=date(2026, 11, 28))
    ingest_records(store, "startups", [TATTOO], source="test")
    created = Engine(store, settings)
    created.load()
    yield created
    store.dispose()


@pytest.mark.parametrize(
    "query", ["zzzzqqq xylophone", "le la les de et pour", "日本語の検索エンジン", "xylophone musical"]
)
def test_a_query_with_no_meaningful_match_finds_no_supplier(engine: Engine, query: str) -> None:
    assert engine.search_suppliers(query, limit=20) == []


def test_real_needs_in_french_and_arabic_still_find_the_fintech(engine: Engine) -> None:
    french = engine.search_suppliers("paiement mobile sécurisé", limit=10)
    arabic = engine.search_suppliers("منصة الأداء عبر الهاتف المحمول", limit=10)
    assert french and arabic
    assert french[0].grade == "strong"
    assert all(m.grade in ("strong", "good", "possible") and 0 < m.probability <= 1 for m in french + arabic)


def test_a_startup_with_only_irrelevant_open_tenders_gets_an_empty_list_not_twenty_matches(engine: Engine) -> None:
    assert engine.recommend_tenders("ST-TATTOO", limit=20, now=NOW) == []
    # the tenders are there: without a floor it would have been shown twenty weak ones
    weak = engine.recommend_tenders("ST-TATTOO", limit=20, now=NOW, min_grade="any")
    assert len(weak) == 20 and all(m.grade is None for m in weak)


def test_grades_follow_the_floor_a_person_asks_for(engine: Engine) -> None:
    every = engine.recommend_tenders("ST-FINTECH-001", limit=30, now=NOW, min_grade="possible")
    strong = engine.recommend_tenders("ST-FINTECH-001", limit=30, now=NOW, min_grade="strong")
    assert strong and len(strong) < len(every)
    assert {m.grade for m in strong} == {"strong"}
    probabilities = [m.probability for m in every]
    assert probabilities == sorted(probabilities, reverse=True)  # a higher place never reads as less likely


def test_stop_words_and_keyboard_noise_carry_no_meaning() -> None:
    assert meaningful_terms("le la les de et the of في من") == []
    assert meaningful_terms("zzzzqqq bcdfgh") == []
    assert meaningful_terms("Travaux de voirie") == ["travaux", "voirie"]
    assert len(meaningful_terms("صيانة الطرق")) == 2  # Arabic is a script profiles are written in


def test_the_shipped_calibration_is_monotone_and_grades_in_order() -> None:
    calibrator = calibrator_or_identity()
    assert isinstance(calibrator, Calibrator) and calibrator.version != "identity"
    import numpy as np

    for direction in ("tender_for_startup", "supplier_for_tender", "supplier_for_query"):
        p = calibrator.probability(direction, np.linspace(0, 1, 50))
        assert (np.diff(p) >= -1e-12).all()
    assert calibrator.cut("strong") > calibrator.cut("good") > calibrator.cut("possible") > 0
    with pytest.raises(ValueError, match="min_grade"):
        calibrator.cut("excellent")


def test_without_a_calibration_file_the_engine_still_runs(tmp_path: Path) -> None:
    assert calibrator_or_identity(tmp_path / "missing.json").version == "identity"
