"""IVF-PQ + exact re-rank: the engine's own index at scale (chosen by 'auto' from `ivfpq_threshold`).

Forced on a few thousand clustered vectors (d=32: PQ8x8, 128 lists) so the suite stays fast; the 1M
figures come from benchmarks/bench_million.py --engine-index.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matcher.index.vector_index import VectorIndex, ivf_lists, pq_subquantizers
from tests.test_vector_index import clustered, exact_top, ids_for

MODEL = "hashing-256"
N, D = 6000, 32


@pytest.fixture(scope="module")
def both() -> np.ndarray:
    return clustered(N + 100, D, 40, seed=3)


@pytest.fixture(scope="module")
def data(both: np.ndarray) -> np.ndarray:
    return both[:N]


@pytest.fixture(scope="module")
def queries(both: np.ndarray) -> np.ndarray:
    return both[N:]  # from the same topics, not in the index (as in the HNSW recall test)


@pytest.fixture(scope="module")
def built(data: np.ndarray) -> VectorIndex:
    index = VectorIndex(D, kind="ivfpq")
    index.build(ids_for(N), data)
    return index


def recall_at_10(index: VectorIndex, data: np.ndarray, queries: np.ndarray) -> float:
    hits = 0
    for query in queries:
        truth = {f"T-{i:05d}" for i in exact_top(data, query, 10)}
        hits += len(truth & {hit for hit, _ in index.search(query, 10)})
    return hits / (10 * len(queries))


def test_the_factory_follows_the_documented_rules() -> None:
    assert pq_subquantizers(256) == 64 and pq_subquantizers(512) == 128 and pq_subquantizers(30) == 6
    assert ivf_lists(1_000_000) == 1024 and ivf_lists(6000) == 128 and ivf_lists(10) == 1


def test_recall_at_10_against_exact_is_at_least_090(built: VectorIndex, data: np.ndarray, queries: np.ndarray) -> None:
    assert built.kind_in_use == "ivfpq" and built._faiss.is_trained  # not the exact fallback
    assert recall_at_10(built, data, queries) >= 0.9
    hits = built.search(data[42], 5)
    assert hits[0][0] == "T-00042" and hits[0][1] == pytest.approx(1.0, abs=1e-4)  # re-ranked exactly
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


def test_save_then_load_gives_the_same_results_from_mapped_float16_vectors(
    built: VectorIndex, data: np.ndarray, queries: np.ndarray, tmp_path: Path
) -> None:
    built.save(tmp_path, MODEL)
    loaded = VectorIndex.load(tmp_path, MODEL)
    assert loaded.kind_in_use == "ivfpq" and len(loaded) == N
    assert isinstance(loaded._base, np.memmap) and loaded._base.dtype == np.float16
    same = 0
    for query in queries:
        before, after = built.search(query, 10), loaded.search(query, 10)
        same += len({h for h, _ in before} & {h for h, _ in after})
        assert [s for _, s in after] == pytest.approx([s for _, s in before], abs=2e-3)  # float16 rounding
    assert same / (10 * len(queries)) >= 0.98
    vector = loaded.vector("T-00007")
    assert vector is not None and vector.dtype == np.float32
    assert np.allclose(vector, data[7], atol=1e-3)
    assert loaded.vectors(["T-00001", "T-00002"]).dtype == np.float32


def test_writes_after_load_show_at_once_and_survive_the_next_snapshot(
    built: VectorIndex, data: np.ndarray, tmp_path: Path
) -> None:
    built.save(tmp_path, MODEL)
    loaded = VectorIndex.load(tmp_path, MODEL)
    fresh = -data[5]
    loaded.upsert(["NEW-1", "T-00010"], np.stack([fresh, -data[10]]))  # a new id and a moved one
    loaded.remove(["T-00042"])
    assert loaded.search(fresh, 1)[0][0] == "NEW-1"
    assert "T-00042" not in {hit for hit, _ in loaded.search(data[42], 20)}
    assert loaded.search(-data[10], 1)[0][0] == "T-00010"
    assert "T-00010" not in {hit for hit, _ in loaded.search(data[10], 20)}
    loaded.save(tmp_path, MODEL)
    again = VectorIndex.load(tmp_path, MODEL)
    assert len(again) == N and "T-00042" not in again and again._faiss.ntotal == N + 2
    assert again.search(fresh, 1)[0][0] == "NEW-1" and again.search(-data[10], 1)[0][0] == "T-00010"


@pytest.mark.parametrize("size", [300, 4500])  # the exact path for a small set, the FAISS selector for a large one
def test_a_filtered_search_returns_only_allowed_ids(built: VectorIndex, data: np.ndarray, size: int) -> None:
    rng = np.random.default_rng(size)
    allowed_rows = rng.choice(N, size, replace=False)
    allowed = {f"T-{i:05d}" for i in allowed_rows}
    hits = built.search(data[int(allowed_rows[0])], 10, allowed=allowed)
    assert len(hits) == 10 and {hit for hit, _ in hits} <= allowed
    assert hits[0][0] == f"T-{int(allowed_rows[0]):05d}"


def test_auto_picks_ivfpq_from_its_threshold_and_hnsw_or_flat_below(data: np.ndarray) -> None:
    below = VectorIndex(D, approximate_threshold=2000, ivfpq_threshold=N + 1)
    below.build(ids_for(N), data)
    assert below.kind_in_use == "hnsw"
    small = VectorIndex(D, approximate_threshold=N + 1, ivfpq_threshold=N + 2)
    small.build(ids_for(N), data)
    assert small.kind_in_use == "flat"
    above = VectorIndex(D, approximate_threshold=2000, ivfpq_threshold=N - 100)
    above.build(ids_for(N - 200), data[: N - 200])
    assert above.kind_in_use == "hnsw"
    above.upsert(ids_for(N)[N - 200 :], data[N - 200 :])  # growing past the threshold switches
    assert above.kind_in_use == "ivfpq" and above.search(data[N - 1], 1)[0][0] == f"T-{N - 1:05d}"


def test_a_forced_ivfpq_index_too_small_to_train_searches_exactly(data: np.ndarray, tmp_path: Path) -> None:
    tiny = VectorIndex(D, kind="ivfpq")
    tiny.build(ids_for(500), data[:500])
    assert not tiny._faiss.is_trained
    assert [h for h, _ in tiny.search(data[3], 5)] == [f"T-{i:05d}" for i in exact_top(data[:500], data[3], 5)]
    tiny.save(tmp_path, MODEL)
    loaded = VectorIndex.load(tmp_path, MODEL)
    assert loaded.search(data[3], 1)[0][0] == "T-00003"
