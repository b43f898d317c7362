"""A small synthetic store and a hashing-embedder engine over it, shared by the tests of snapshots,
replicas and forked workers (each about how state travels, not about ranking quality)."""

from __future__ import annotations

from typing import Any

from matcher.datasets.synth import synth_startups, synth_tenders
from matcher.index.embedding import CachedEmbedder, HashingEmbedder
from matcher.ingest import ingest_records
from matcher.ranking.engine import Engine
from matcher.settings import Settings
from matcher.store import Store

NEW_TITLE = "Maintenance des ascenseurs et monte-charges du siège"


def tender_record(external_id: str, title: str = NEW_TITLE) -> dict[str, Any]:
    """A synthetic tender with this id and title (the title is also its description)."""
    record = next(synth_tenders(1, seed=7))
    return {**record, "external_id": external_id, "title": title, "description": title}


def fill(store: Store) -> None:
    ingest_records(store, "startups", synth_startups(30), source="synth")
    ingest_records(store, "tenders", synth_tenders(200), source="synth")


def hashing_engine(settings: Settings, store: Store, load: bool = True) -> Engine:
    engine = Engine(store, settings, CachedEmbedder(HashingEmbedder(256), settings.cache_dir))
    if load:
        engine.load()
    return engine


def nearest_tender(engine: Engine, text: str) -> str:
    query = engine.embedder.encode_queries([text])[0]
    return engine.indexes.tender_vectors.search(query, 1)[0][0]
