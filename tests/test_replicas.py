"""Stateless replicas: API processes on their own homes share one store (SQLite file or PostgreSQL) and
one published snapshot folder; one index writer publishes, the others map it and replay store changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from matcher.ingest import ingest_records
from matcher.ranking.engine import Engine
from matcher.settings import Settings
from matcher.store import Store
from tests.snapshot_helpers import NEW_TITLE, fill, hashing_engine, nearest_tender, tender_record
from tests.test_snapshots import NEW_TENDER

RANKED_AT = datetime.now(UTC) + timedelta(hours=1)


def _rankings(engine: Engine) -> list[list[tuple[str, float]]]:
    return [
        [(m.tender_id, m.score) for m in engine.recommend_tenders(startup_id, limit=10, now=RANKED_AT)]
        for startup_id in sorted(engine.catalogue.startups)[:5]
    ]


def _files(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()} if folder.exists() else set()


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The shared store: a SQLite file, or a PostgreSQL database (skipped without a server)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.db'}"
        return
    url = request.getfixturevalue("postgres_url")
    store = Store(Settings(home=tmp_path / "pg"), url=url)
    store.downgrade("base")
    store.dispose()
    yield url
    store = Store(Settings(home=tmp_path / "pg"), url=url)
    store.downgrade("base")
    store.dispose()


def _replica(tmp_path: Path, name: str, url: str, writer: bool) -> Settings:
    settings = Settings(
        home=tmp_path / name,
        database_url=url,
        snapshot_dir=tmp_path / "published",
        snapshot_writer=writer,
        snapshot_delay_seconds=3600.0,
        snapshot_max_delay_seconds=3600.0,
        snapshot_check_seconds=0.0,
        embedder="hashing",
    )
    settings.ensure_home()
    return settings


def test_replicas_on_their_own_homes_serve_the_snapshot_one_writer_publishes(tmp_path: Path, store_url: str) -> None:
    writer_settings = _replica(tmp_path, "writer", store_url, writer=True)
    reader_settings = _replica(tmp_path, "reader", store_url, writer=False)
    store = Store(writer_settings)
    store.migrate()  # `tremplin init` against the shared store: migrations run once, on any replica
    fill(store)

    writer = hashing_engine(writer_settings, store)
    writer.indexes.flush()
    published = _files(tmp_path / "published")
    assert {"tenders/state.json", "startups/state.json", "catalogue/manifest.json"} <= published
    assert _files(tmp_path / "writer" / "indexes") == set(), "the snapshot goes to the shared folder only"

    reader_store = Store(reader_settings)
    reader = hashing_engine(reader_settings, reader_store)
    assert set(reader.index_report.values()) == {"loaded"}, reader.index_report  # mapped, nothing recomputed
    assert _rankings(reader) == _rankings(writer)

    # A write through the reader: matchable there at once, written to the store only.
    ingest_records(reader_store, "tenders", [tender_record(NEW_TENDER, NEW_TITLE)], source="api")
    reader.refresh("tenders", [NEW_TENDER])
    assert nearest_tender(reader, "maintenance des ascenseurs") == NEW_TENDER
    reader.indexes.flush()
    reader.close()
    assert _files(tmp_path / "published") == published, "a reading replica never writes the snapshot"

    # The writer sees it through the store's change marker and publishes; the reader maps that.
    assert "tenders" in writer.poll()  # (and the startups: its own first snapshot, mapped in place of its copy)
    assert nearest_tender(writer, "maintenance des ascenseurs") == NEW_TENDER
    writer.indexes.flush()
    assert _files(tmp_path / "published") != published
    assert "tenders" in reader.poll()
    assert reader.indexes.tender_vectors.saved_token == writer.indexes.tender_vectors.saved_token
    assert _rankings(reader) == _rankings(writer)

    # A third replica started now loads the published snapshot as it is: no replay, no rebuild.
    late = hashing_engine(_replica(tmp_path, "late", store_url, writer=False), Store(reader_settings))
    assert late.index_report["tenders"] == "loaded"
    assert _rankings(late) == _rankings(writer)
    for engine in (writer, reader, late):
        engine.close()
        engine.store.dispose()
