"""Ingestion on PostgreSQL: the same files, the same counts, and limits PostgreSQL enforces (SQLite does not)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from matcher.ingest import Kind, ingest_file, ingest_records
from matcher.settings import Settings
from matcher.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_store(settings: Settings, postgres_url: str) -> Iterator[Store]:
    store = Store(settings, url=postgres_url)
    store.downgrade("base")
    store.migrate()
    yield store
    store.downgrade("base")
    store.dispose()


def test_files_load_and_reload_identically_on_postgresql(pg_store: Store) -> None:
    files: list[tuple[Kind, str]] = [
        ("startups", "startups.csv"),
        ("tenders", "tenders.jsonl"),
        ("tenders", "decp_sample.json"),
        ("tenders", "ocds_release_package.json"),
    ]
    first = [ingest_file(pg_store, kind, FIXTURES / name) for kind, name in files]
    assert [report.created for report in first] == [3, 3, 4, 2]
    again = [ingest_file(pg_store, kind, FIXTURES / name) for kind, name in files]
    assert [(report.created, report.updated) for report in again] == [(0, 0)] * 4
    assert [report.unchanged for report in again] == [3, 3, 4, 2]
    assert pg_store.counts()["awards"] == 7


def test_values_longer_than_their_column_are_rejected_rows_not_a_failed_batch(pg_store: Store) -> None:
    report = ingest_records(
        pg_store,
        "tenders",
        [{"id": "T-1", "title": "Travaux", "procedure": "p" * 200}, {"id": "T-2", "title": "Étude"}],
    )
    assert report.created == 1
    assert (report.rejected[0].field, report.rejected[0].reason) == ("procedure", "longer than 120 characters (200)")
