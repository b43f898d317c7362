"""The store: migrations on SQLite and PostgreSQL, UTC datetimes, one transaction per unit of work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select

from matcher.settings import Settings
from matcher.store import Buyer, Store, Tender

EXPECTED_TABLES = {
    "startups", "buyers", "tenders", "tender_lots", "awards", "cpv_codes", "feedback", "api_keys",
    "digest_batches", "digests", "digest_items", "digest_audit", "deliveries", "sent_items", "index_state",
}  # fmt: skip


def _round_trip(store: Store) -> None:
    store.migrate()
    assert set(inspect(store.engine).get_table_names()) >= EXPECTED_TABLES
    store.downgrade("base")
    assert not EXPECTED_TABLES & set(inspect(store.engine).get_table_names())
    store.migrate()
    assert store.current_revision() is not None


def test_migrations_up_down_up_on_sqlite(settings: Settings) -> None:
    _round_trip(Store(settings))


@pytest.mark.postgres
def test_migrations_up_down_up_on_postgresql(settings: Settings, postgres_url: str) -> None:
    store = Store(settings, url=postgres_url)
    _round_trip(store)
    _datetimes_come_back_in_utc(store)
    store.downgrade("base")
    store.dispose()


def _datetimes_come_back_in_utc(store: Store) -> None:
    casablanca = timezone(timedelta(hours=1))
    with store.session() as session:
        buyer = Buyer(external_id="B", name="Commune")
        session.add(buyer)
        session.add(
            Tender(external_id="T", title="t", buyer=buyer, deadline_at=datetime(2026, 12, 1, 10, tzinfo=casablanca))
        )
    with store.session() as session:
        tender = session.scalars(select(Tender)).one()
        assert tender.deadline_at == datetime(2026, 12, 1, 9, tzinfo=UTC)
        assert tender.deadline_at.utcoffset() == timedelta(0)


def test_datetimes_are_stored_as_utc_on_sqlite(store: Store) -> None:
    _datetimes_come_back_in_utc(store)


def test_a_failed_unit_of_work_leaves_nothing_behind(store: Store) -> None:
    with pytest.raises(RuntimeError), store.session() as session:
        session.add(Buyer(external_id="B1", name="Ministère"))
        session.flush()
        raise RuntimeError("boom")
    assert store.counts()["buyers"] == 0
