"""Tender search and saved-search matching on the bundled sample data with the real multilingual model."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from matcher.alerts.matching import ProfileSpec, match_profiles
from matcher.ranking.engine import Engine
from matcher.ranking.tender_search import SearchFilters, SearchSort, search_tenders
from tests.test_engine import _sample_engine

pytestmark = pytest.mark.slow

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 9, tzinfo=UTC)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    created = _sample_engine(tmp_path_factory.mktemp("search-use"), "use")
    yield created
    created.store.dispose()


PAYMENT_WORDS = ("paiement", "payment", "banque", "bancaire", "banking", "الأداء", "للأداء", "البنكية")


def _payment(title: str) -> bool:
    return any(word in title.lower() for word in PAYMENT_WORDS)


@pytest.mark.parametrize("query", ["paiement mobile", "mobile payment", "الأداء عبر الهاتف المحمول"])
# French, English and Arabic notices answer each other through the multilingual model
def test_a_payment_query_finds_payment_tenders_in_any_language(engine: Engine, query: str) -> None:
    page = search_tenders(engine, query, limit=10, now=NOW)
    titles = [hit.record.title for hit in page.hits]
    assert page.total >= 2 and all(_payment(t) for t in titles), titles  # nothing off topic (e.g. "mobilier")


def test_the_french_query_also_finds_the_arabic_notice(engine: Engine) -> None:
    titles = [h.record.title for h in search_tenders(engine, "paiement mobile", limit=20, now=NOW).hits]
    assert any("البنكية" in t or "للأداء" in t for t in titles), titles


def test_filters_and_sorts_are_exact(engine: Engine) -> None:
    filters = SearchFilters(region="Casablanca-Settat", cpv_prefix="72", max_days_left=40)
    page = search_tenders(engine, None, filters, SearchSort.deadline, limit=200, now=NOW)
    assert page.total == len(page.hits) > 0
    for hit in page.hits:
        record = hit.record
        assert record.region == "Casablanca-Settat" and any(c.startswith("72") for c in record.cpv_codes)
        assert record.status == "open" and record.deadline_at is not None and record.deadline_at >= NOW
    deadlines = [hit.record.deadline_at for hit in page.hits]
    assert deadlines == sorted(deadlines)  # type: ignore[type-var]
    by_value = search_tenders(engine, None, filters, SearchSort.value, limit=200, now=NOW).hits
    values = [h.record.estimated_value or 0 for h in by_value]
    assert values == sorted(values, reverse=True)


def test_batched_alert_matching_agrees_with_the_search_page(engine: Engine) -> None:
    """A saved search finds what the search page shows for the same query and filters."""
    specs = [
        ProfileSpec(1, "paiement mobile", {}),
        ProfileSpec(2, "paiement mobile", {"region": "Casablanca-Settat"}),
        ProfileSpec(3, "", {"cpv_prefix": "45", "max_value": 5_000_000}),
        ProfileSpec(4, "irrigation goutte à goutte capteurs", {}),
        ProfileSpec(5, "x", {"cpv_prefix": "not digits"}),
    ]
    ids = [r.external_id for r in engine.catalogue.tenders.records]
    result = match_profiles(engine, specs, ids, NOW, max_items=500)
    assert "cpv_prefix" in result.errors[5]
    for spec in specs[:4]:
        page = search_tenders(engine, spec.query, SearchFilters(**spec.filters), limit=500, now=NOW)  # type: ignore[arg-type]
        expected = {h.record.external_id for h in page.hits}
        assert {t for t, _ in result.found.get(spec.key, [])} == expected, spec
        assert result.counts.get(spec.key, 0) == page.total
    sent = {1: {t for t, _ in result.found[1][:3]}}
    again = match_profiles(engine, specs[:1], ids, NOW, already_sent=sent, max_items=500)
    assert not sent[1] & {t for t, _ in again.found[1]}
