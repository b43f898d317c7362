"""Vector index: exact and HNSW search, filters that never starve, updates and safe persistence."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from matcher.errors import IndexCorruptError
from matcher.index.vector_index import IdSelection, IndexMissingError, IndexModelMismatchError, VectorIndex

MODEL = "hashing-256"


def clustered(n: int, dimension: int, topics: int, seed: int = 0, noise: float = 1.0) -> np.ndarray:
    """Unit vectors around topic and sub-topic centres, like text embeddings (neighbour cosine ~0.6-0.7)."""
    rng = np.random.default_rng(seed)
    topic_centres = rng.standard_normal((topics, dimension)).astype(np.float32)
    sub_centres = rng.standard_normal((topics, 20, dimension)).astype(np.float32)
    topic, sub = rng.integers(0, topics, n), rng.integers(0, 20, n)
    noise_part = noise * rng.standard_normal((n, dimension)).astype(np.float32)
    points = topic_centres[topic] + 0.7 * sub_centres[topic, sub] + noise_part
    return points / np.linalg.norm(points, axis=1, keepdims=True)


def ids_for(n: int) -> list[str]:
    return [f"T-{i:05d}" for i in range(n)]


def exact_top(vectors: np.ndarray, query: np.ndarray, k: int, rows: np.ndarray | None = None) -> list[int]:
    rows = np.arange(len(vectors)) if rows is None else rows
    scores = vectors[rows] @ query
    return [int(rows[i]) for i in np.argsort(-scores, kind="stable")[:k]]


@pytest.fixture(scope="module")
def data() -> np.ndarray:
    return clustered(3000, 32, 30)


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_search_returns_the_nearest_items_best_first(kind: str, data: np.ndarray) -> None:
    index = VectorIndex(32, kind=kind)
    index.build(ids_for(len(data)), data)
    assert index.kind_in_use == kind and len(index) == len(data)
    results = index.search(data[42], k=5)
    assert results[0][0] == "T-00042" and results[0][1] == pytest.approx(1.0, abs=1e-4)
    assert [score for _, score in results] == sorted((score for _, score in results), reverse=True)
    assert [hit for hit, _ in results] == [f"T-{i:05d}" for i in exact_top(data, data[42], 5)]


def test_auto_kind_follows_the_threshold_and_can_be_overridden(data: np.ndarray) -> None:
    small = VectorIndex(32, approximate_threshold=5000)
    small.build(ids_for(len(data)), data)
    assert small.kind_in_use == "flat"
    growing = VectorIndex(32, approximate_threshold=2000)
    growing.build(ids_for(1500), data[:1500])
    assert growing.kind_in_use == "flat"
    growing.upsert(ids_for(3000)[1500:], data[1500:])
    assert growing.kind_in_use == "hnsw" and len(growing) == 3000
    assert growing.search(data[2500], 1)[0][0] == "T-02500"
    forced = VectorIndex(32, kind="flat", approximate_threshold=10)
    forced.build(ids_for(len(data)), data)
    assert forced.kind_in_use == "flat"
    forced.configure("hnsw", 10)
    assert forced.kind_in_use == "hnsw" and forced.search(data[7], 1)[0][0] == "T-00007"


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_a_one_percent_filter_still_returns_k_results_from_the_allowed_set(kind: str, data: np.ndarray) -> None:
    index = VectorIndex(32, kind=kind)
    ids = ids_for(len(data))
    index.build(ids, data)
    rows = np.arange(0, len(data), 100)  # 1% of the collection, none of them near the query
    allowed = {ids[row] for row in rows}
    query = data[55]
    results = index.search(query, k=10, allowed=allowed)
    assert len(results) == 10
    assert {hit for hit, _ in results} <= allowed
    assert [hit for hit, _ in results] == [ids[row] for row in exact_top(data, query, 10, rows)]


def test_a_large_filter_goes_through_the_faiss_selector_and_is_exact_enough() -> None:
    vectors = clustered(12_000, 32, 60, seed=3)
    ids = ids_for(len(vectors))
    for kind in ("flat", "hnsw"):
        index = VectorIndex(32, kind=kind)
        index.build(ids, vectors)
        rows = np.arange(1, len(vectors), 2)  # 6,000 allowed: above the exact-scoring limit
        allowed = IdSelection(ids[row] for row in rows)
        results = index.search(vectors[0], k=20, allowed=allowed)
        assert len(results) == 20 and {hit for hit, _ in results} <= set(allowed)
        expected = {ids[row] for row in exact_top(vectors, vectors[0], 20, rows)}
        assert len(expected & {hit for hit, _ in results}) >= 19
        index.remove([results[0][0]])  # the cached rows of the selection must not outlive this change
        again = index.search(vectors[0], k=20, allowed=allowed)
        assert results[0][0] not in {hit for hit, _ in again} and len(again) == 20
        assert {hit for hit, _ in again} <= set(allowed)


def test_hnsw_recall_at_10_against_exact_is_at_least_095() -> None:
    both = clustered(20_200, 64, 100, seed=1)
    vectors, queries = both[:20_000], both[20_000:]  # queries from the same topics, not in the index
    index = VectorIndex(64)  # auto: 20,000 items reach the default threshold
    index.build(ids_for(len(vectors)), vectors)
    assert index.kind_in_use == "hnsw"
    truth = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    found = index.search_many(queries, 10)
    recall = np.mean([len({f"T-{i:05d}" for i in truth[q]} & {hit for hit, _ in found[q]}) for q in range(200)]) / 10
    assert recall >= 0.95


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_update_and_delete(kind: str, data: np.ndarray) -> None:
    index = VectorIndex(32, kind=kind)
    ids = ids_for(len(data))
    index.build(ids, data)
    index.upsert(["T-00001"], data[2:3])  # T-00001 now looks like T-00002
    replaced = index.vector("T-00001")
    assert replaced is not None
    np.testing.assert_allclose(replaced, data[2])
    assert {hit for hit, _ in index.search(data[2], 2)} == {"T-00001", "T-00002"}
    index.remove(["T-00002", "unknown-id"])
    assert "T-00002" not in index and len(index) == len(data) - 1
    assert index.vector("T-00002") is None
    assert all(hit != "T-00002" for hit, _ in index.search(data[2], 50))
    index.upsert(["NEW"], data[3:4])
    assert "NEW" in index and index.search(data[3], 2)[0][1] == pytest.approx(1.0, abs=1e-4)
    np.testing.assert_allclose(index.vectors(["NEW", "T-00010"]), data[[3, 10]])
    with pytest.raises(KeyError, match="T-00002"):
        index.vectors(["T-00002"])


def test_many_deletions_compact_the_hnsw_index_and_never_return_removed_items(data: np.ndarray) -> None:
    index = VectorIndex(32, kind="hnsw")
    ids = ids_for(len(data))
    index.build(ids, data)
    removed = ids[: len(ids) // 2]
    index.remove(removed[:200])  # below the tombstone ratio: filtered out of HNSW results
    assert all(hit not in set(removed[:200]) for hit, _ in index.search(data[5], 100))
    index.remove(removed)  # past it: compacted
    assert len(index) == len(ids) - len(removed)
    results = index.search(data[5], 20)
    assert len(results) == 20 and not {hit for hit, _ in results} & set(removed)
    assert index.search(data[2000], 1)[0][0] == "T-02000"


def test_search_many_matches_single_searches(data: np.ndarray) -> None:
    index = VectorIndex(32, kind="flat")
    index.build(ids_for(len(data)), data)
    batch = index.search_many(data[:5], 3)
    assert batch == [index.search(query, 3) for query in data[:5]]


def test_bad_input_is_rejected_with_a_clear_message(data: np.ndarray) -> None:
    index = VectorIndex(32)
    with pytest.raises(ValueError, match=r"shape \(n, 32\)"):
        index.build(["a"], np.zeros((1, 16), dtype=np.float32))
    with pytest.raises(ValueError, match="duplicate id 'a'"):
        index.build(["a", "a"], data[:2])
    with pytest.raises(ValueError, match="2 ids for 3 vectors"):
        index.upsert(["a", "b"], data[:3])
    with pytest.raises(ValueError, match="dimension 16"):
        index.search(np.zeros(16, dtype=np.float32), 3)
    with pytest.raises(ValueError, match="'auto', 'flat', 'hnsw' or 'ivfpq'"):
        VectorIndex(32, kind="ivf")
    assert index.search(data[0], 5) == []  # empty index
    assert index.search(data[0], 5, allowed=[]) == []


# --- persistence --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_save_and_load_round_trip(kind: str, data: np.ndarray, tmp_path: Path) -> None:
    index = VectorIndex(32, kind=kind)
    ids = ids_for(len(data))
    index.build(ids, data)
    index.remove(ids[:10])
    index.upsert(["NEW"], data[11:12])
    index.save(tmp_path, MODEL)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["model_id"] == MODEL and manifest["count"] == len(data) - 9 and manifest["kind"] == kind
    loaded = VectorIndex.load(tmp_path, MODEL)
    assert loaded.kind_in_use == kind and len(loaded) == len(index)
    assert "T-00003" not in loaded and "NEW" in loaded
    for query in data[20:25]:
        assert loaded.search(query, 5) == index.search(query, 5)
    np.testing.assert_allclose(loaded.vectors(["NEW", "T-00500"]), data[[11, 500]])
    loaded.upsert(["LATER"], data[12:13])
    assert loaded.search(data[12], 1)[0][0] in {"LATER", "T-00012"}


def test_saving_again_commits_the_new_files_and_keeps_the_previous_ones_for_now(
    data: np.ndarray, tmp_path: Path
) -> None:
    index = VectorIndex(32)
    index.build(ids_for(100), data[:100])
    index.save(tmp_path, MODEL)
    index.save(tmp_path, MODEL)
    assert len(list(tmp_path.iterdir())) == 5  # manifest + faiss and ids of both saves (grace period)
    assert VectorIndex.load(tmp_path, MODEL).search(data[3], 1)[0][0] == ids_for(100)[3]


def _saved(tmp_path: Path, data: np.ndarray) -> Path:
    index = VectorIndex(32)
    index.build(ids_for(len(data)), data)
    index.save(tmp_path, MODEL)
    return tmp_path


def test_flipped_bytes_are_detected(data: np.ndarray, tmp_path: Path) -> None:
    folder = _saved(tmp_path, data)
    faiss_file = next(folder.glob("vectors-*.faiss"))
    raw = bytearray(faiss_file.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    faiss_file.write_bytes(bytes(raw))
    with pytest.raises(IndexCorruptError, match="checksum"):
        VectorIndex.load(folder, MODEL)


def test_a_truncated_file_is_detected(data: np.ndarray, tmp_path: Path) -> None:
    folder = _saved(tmp_path, data)
    ids_file = next(folder.glob("ids-*.json"))
    ids_file.write_bytes(ids_file.read_bytes()[:100])
    with pytest.raises(IndexCorruptError):
        VectorIndex.load(folder, MODEL)


def test_missing_files_and_other_models_are_refused(data: np.ndarray, tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError):
        VectorIndex.load(tmp_path / "nothing-here", MODEL)
    folder = _saved(tmp_path, data)
    with pytest.raises(IndexModelMismatchError, match="usem3"):
        VectorIndex.load(folder, "usem3")
    next(folder.glob("vectors-*.faiss")).unlink()
    with pytest.raises(IndexCorruptError, match="missing"):
        VectorIndex.load(folder, MODEL)
    (folder / "manifest.json").write_text("{not json")
    with pytest.raises(IndexCorruptError, match="unreadable"):
        VectorIndex.load(folder, MODEL)


def test_a_reused_selection_follows_changes_to_the_index(data: np.ndarray) -> None:
    index = VectorIndex(32, kind="flat")
    ids = ids_for(len(data))
    index.build(ids, data)
    open_tenders = IdSelection([*ids[:2000], "NOT-INDEXED-YET"])
    first = index.search(data[10], 5, allowed=open_tenders)
    assert first[0][0] == "T-00010" and first == index.search(data[10], 5, allowed=set(open_tenders))
    index.upsert(["NOT-INDEXED-YET"], data[2500:2501])
    index.remove(["T-00010"])
    assert index.search(data[2500], 1, allowed=open_tenders)[0][0] == "NOT-INDEXED-YET"
    assert all(hit != "T-00010" for hit, _ in index.search(data[10], 50, allowed=open_tenders))
    assert all(hit in open_tenders for hit, _ in index.search(data[2600], 10, allowed=open_tenders))


def test_a_superseded_snapshot_stays_readable_for_a_grace_period_then_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A replica on another machine may still map the previous files through a shared folder."""
    from matcher.index import vector_index

    clock = [1_000_000.0]
    monkeypatch.setattr(vector_index.time, "time", lambda: clock[0])
    folder = tmp_path / "bundle"

    def files() -> set[str]:
        return {path.name for path in folder.iterdir() if path.name != "manifest.json"}

    first = vector_index.write_bundle(folder, "demo", {"data": (".bin", b"one")}, {})
    clock[0] += 10
    second = vector_index.write_bundle(folder, "demo", {"data": (".bin", b"two")}, {})
    assert files() == {f"data-{first}.bin", f"data-{second}.bin"}  # the first one is still mapped elsewhere
    clock[0] += vector_index.SUPERSEDED_GRACE_SECONDS + 1
    third = vector_index.write_bundle(folder, "demo", {"data": (".bin", b"three")}, {})
    assert files() == {f"data-{second}.bin", f"data-{third}.bin"}  # past its grace: removed
    _, contents = vector_index.read_bundle(folder, "demo")
    assert contents == {"data": b"three"}
