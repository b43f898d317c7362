"""The engine on the bundled sample data with a real embedding model: what a startup or buyer would see."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from matcher.ranking.engine import Engine
from matcher.ranking.results import EligibilityStatus, SupplierFilters, TenderFilters
from matcher.settings import Settings
from matcher.store import Store

pytestmark = pytest.mark.slow

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 9, tzinfo=UTC)
PAYMENT_WORDS = ("paiement", "payment", "monétique", "bancaire", "banking", "wallet", "portefeuille", "الأداء", "أداء")


def _sample_engine(home: Path, embedder: str) -> Engine:
    from matcher.datasets.sample import load_sample

    settings = Settings(home=home, embedder=embedder)
    settings.ensure_home()
    store = Store(settings)
    store.migrate()
    load_sample(store, today=TODAY)
    engine = Engine(store, settings)
    engine.load()
    return engine


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    created = _sample_engine(tmp_path_factory.mktemp("sample-use"), "use")
    yield created
    created.store.dispose()


def _is_payment(title: str, cpv_codes: list[str]) -> bool:
    lowered = title.lower()
    return any(word in lowered for word in PAYMENT_WORDS) or any(c.startswith(("66", "488")) for c in cpv_codes)


def test_a_fintech_is_shown_payment_tenders_not_road_works(engine: Engine) -> None:
    matches = engine.recommend_tenders("ST-FINTECH-001", limit=10, now=NOW)
    assert len(matches) == 10
    top = matches[:5]
    assert sum(_is_payment(m.title, m.cpv_codes) for m in top) >= 4, [m.title for m in top]
    assert all(not c.startswith("45") for m in top for c in m.cpv_codes), [m.title for m in top]
    assert "AO-ROUTE-001" not in {m.tender_id for m in matches}
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


def test_an_arabic_tender_finds_the_french_described_fintech(engine: Engine) -> None:
    suppliers = engine.suppliers_for_tender("AO-AR-PAY-001", limit=5, include_ineligible=True, now=NOW)
    assert "ST-FINTECH-001" in [s.startup_id for s in suppliers]


def test_closed_and_past_deadline_tenders_never_appear(engine: Engine) -> None:
    horizon = NOW + timedelta(days=engine.settings.min_days_before_deadline)
    for startup_id in list(engine.catalogue.startups)[:40]:
        filters = TenderFilters(include_ineligible=True)
        for match in engine.recommend_tenders(startup_id, filters=filters, limit=20, now=NOW):
            record = engine.tender(match.tender_id)
            assert record.status == "open"
            assert record.deadline_at is None or record.deadline_at >= horizon


def test_ineligible_matches_are_left_out_unless_asked_for(engine: Engine) -> None:
    youngest = min(engine.catalogue.startups.values(), key=lambda s: (s.references_count, -(s.founding_year or 0)))
    startup_id = youngest.external_id
    default = engine.recommend_tenders(startup_id, limit=50, now=NOW)
    assert all(m.eligibility.status != EligibilityStatus.ineligible for m in default)
    with_all = engine.recommend_tenders(startup_id, limit=50, now=NOW, filters=TenderFilters(include_ineligible=True))
    ineligible = [m for m in with_all if m.eligibility.status == EligibilityStatus.ineligible]
    assert ineligible, "the sample has tenders this startup cannot bid for"
    assert all(m.eligibility.reasons for m in ineligible)


def test_explanations_name_features_terms_and_cpv(engine: Engine) -> None:
    match = engine.recommend_tenders("ST-FINTECH-001", limit=1, now=NOW)[0]
    explanation = match.explanation
    assert explanation.summary.startswith("Fits because of")
    assert explanation.features and explanation.features[0].contribution > 0
    contributions = [f.contribution for f in explanation.features]
    assert contributions == sorted(contributions, reverse=True)
    assert abs(sum(contributions) - match.score) < 0.01
    for pair in explanation.cpv_matches:
        assert pair.label and pair.label != pair.tender_code


def test_filters_restrict_without_starving_results(engine: Engine) -> None:
    region = "Casablanca-Settat"
    matches = engine.recommend_tenders(
        "ST-FINTECH-001", filters=TenderFilters(region=region, include_ineligible=True), limit=5, now=NOW
    )
    assert matches and all(m.region == region for m in matches)
    suppliers = engine.search_suppliers("audit de sécurité informatique", SupplierFilters(region=region), limit=5)
    assert suppliers and all(s.region == region for s in suppliers)


def test_free_text_search_in_three_languages(engine: Engine) -> None:
    for query in ("plateforme de paiement mobile", "mobile payment platform", "منصة الأداء عبر الهاتف المحمول"):
        names = [s.startup_id for s in engine.search_suppliers(query, limit=10)]
        assert "ST-FINTECH-001" in names, query


def test_results_survive_a_restart_without_re_embedding(engine: Engine) -> None:
    before = engine.recommend_tenders("ST-FINTECH-001", limit=5, now=NOW)
    restarted = Engine(engine.store, engine.settings)
    report = restarted.load()
    assert set(report.values()) == {"loaded"}
    after = restarted.recommend_tenders("ST-FINTECH-001", limit=5, now=NOW)
    assert [m.tender_id for m in after] == [m.tender_id for m in before]
    assert getattr(restarted.embedder, "misses", 0) == 0


def test_a_corrupt_index_file_is_rebuilt_not_served(engine: Engine) -> None:
    folder = engine.settings.index_dir / "tenders"
    victims = [p for p in folder.rglob("*") if p.is_file() and p.suffix in {".faiss", ".index", ".npy", ".npz"}]
    assert victims, list(folder.rglob("*"))
    victims[0].write_bytes(victims[0].read_bytes()[: max(1, victims[0].stat().st_size // 2)])
    restarted = Engine(engine.store, engine.settings)
    report = restarted.load()
    assert report["tenders"].startswith("rebuilt"), report
    assert restarted.embedder.misses == 0  # type: ignore[attr-defined]
    matches = restarted.recommend_tenders("ST-FINTECH-001", limit=5, now=NOW)
    assert len(matches) == 5
