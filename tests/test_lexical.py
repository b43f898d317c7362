"""Lexical TF-IDF index: accent folding, Arabic, short titles, filters, updates and persistence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from matcher.errors import IndexCorruptError
from matcher.index.lexical import LexicalIndex
from matcher.index.vector_index import IdSelection, IndexMissingError

DOCS = {
    "elec": "Travaux d'Électricité et d'éclairage public du bâtiment administratif",
    "pay": "Plateforme de paiement électronique et monétique pour la trésorerie",
    "roads": "Travaux de construction de routes et de chaussées",
    "it": "Maintenance informatique du parc de postes de travail",
    "lost": "Entretien des espaces verts, march\ufffd public de la commune",
    "ar-pay": "نظام الدفع الإلكتروني للمؤسسات العمومية",
    "ar-roads": "أشغال بناء الطرق والقناطر",
    "cyber": "Audit de cybersécurité et tests d'intrusion",
}


@pytest.fixture
def index() -> LexicalIndex:
    built = LexicalIndex()
    built.build(list(DOCS), list(DOCS.values()))
    return built


def top(index: LexicalIndex, query: str, k: int = 3) -> list[str]:
    return [hit for hit, _ in index.search(query, k)]


def test_accent_folding_finds_electricite_without_accents(index: LexicalIndex) -> None:
    assert top(index, "electricite")[0] == "elec"
    assert top(index, "ÉCLAIRAGE PUBLIC")[0] == "elec"


def test_accent_lost_source_text_still_matches(index: LexicalIndex) -> None:
    assert top(index, "marché public espaces verts")[0] == "lost"


def test_arabic_words_match_with_or_without_the_article(index: LexicalIndex) -> None:
    assert top(index, "الدفع الالكتروني")[0] == "ar-pay"
    assert top(index, "دفع")[0] == "ar-pay"
    assert top(index, "الطرق")[0] == "ar-roads"


def test_character_ngrams_help_short_titles_and_plurals(index: LexicalIndex) -> None:
    assert top(index, "informatiques")[0] == "it"
    assert top(index, "cyber")[0] == "cyber"


def test_search_ranks_by_cosine_and_only_returns_documents_sharing_something(index: LexicalIndex) -> None:
    results = index.search("paiement électronique", 10)
    assert results[0][0] == "pay"
    assert all(score > 0 for _, score in results)
    assert [score for _, score in results] == sorted((score for _, score in results), reverse=True)
    assert index.search("zzzqqq", 5) == []
    assert index.search("", 5) == []


def test_filter_restricts_the_search(index: LexicalIndex) -> None:
    results = index.search("travaux", 5, allowed={"roads", "it"})
    assert {hit for hit, _ in results} <= {"roads", "it"} and results[0][0] == "roads"
    assert index.search("travaux", 5, allowed=[]) == []


def test_scores_per_id_with_zero_for_unknown(index: LexicalIndex) -> None:
    scores = index.scores("paiement monétique", ["pay", "nope", "roads"])
    assert scores.shape == (3,) and scores[0] > 0.2 and scores[1] == 0.0 and scores[2] < scores[0]
    assert np.all(index.scores("", ["pay"]) == 0)


def test_shared_terms_are_readable_words_in_the_query_spelling(index: LexicalIndex) -> None:
    terms = index.shared_terms("Paiement électronique sécurisé pour la Trésorerie", "pay")
    assert "électronique" in " ".join(terms) or "Paiement électronique" in terms
    assert any("Trésorerie" in term for term in terms)
    assert not any("sécurisé" in term for term in terms)
    assert index.shared_terms("paiement", "unknown") == []


def test_upsert_and_remove_use_the_fitted_vocabulary(index: LexicalIndex) -> None:
    before = float(index.scores("chaussées", ["roads"])[0])
    index.upsert(["roads"], ["Maintenance des ascenseurs et monte-charges"])
    assert float(index.scores("chaussées", ["roads"])[0]) < before / 10  # only character-trigram noise left
    assert top(index, "maintenance ascenseurs")[0] == "roads"
    index.upsert(["new"], ["Fourniture de matériel informatique et maintenance"])
    assert "new" in top(index, "matériel informatique")
    index.remove(["it", "unknown"])
    assert "it" not in index and "it" not in top(index, "informatique", 10)
    assert len(index) == len(DOCS)


def test_empty_index_and_upsert_into_it() -> None:
    empty = LexicalIndex()
    assert empty.search("anything", 5) == []
    empty.upsert(["a"], ["Audit énergétique des bâtiments"])
    assert top(empty, "energetique") == ["a"]


def test_vocabulary_ages_after_many_upserts(index: LexicalIndex) -> None:
    assert not index.stale_vocabulary
    index.upsert([f"x{i}" for i in range(150)], [f"document numéro {i}" for i in range(150)])
    assert index.stale_vocabulary


def test_save_load_round_trip_and_corruption(index: LexicalIndex, tmp_path: Path) -> None:
    index.remove(["cyber"])
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert len(loaded) == len(index) and "cyber" not in loaded
    assert loaded.search("electricite", 3) == index.search("electricite", 3)
    matrix_file = next(tmp_path.glob("matrix.data-*.npy"))  # memory-mapped at load, checksummed all the same
    raw = bytearray(matrix_file.read_bytes())
    raw[-10] ^= 0xFF
    matrix_file.write_bytes(bytes(raw))
    with pytest.raises(IndexCorruptError, match="checksum"):
        LexicalIndex.load(tmp_path)
    with pytest.raises(IndexMissingError):
        LexicalIndex.load(tmp_path / "absent")


def test_a_reused_selection_follows_changes_to_the_index(index: LexicalIndex) -> None:
    selection = IdSelection(["roads", "it", "later"])
    assert top(index, "travaux", 5) != [hit for hit, _ in index.search("travaux", 5, allowed=selection)]
    assert {hit for hit, _ in index.search("travaux", 5, allowed=selection)} <= {"roads", "it"}
    index.upsert(["later"], ["Travaux de voirie tardifs"])
    assert "later" in {hit for hit, _ in index.search("travaux voirie", 5, allowed=selection)}
    index.remove(["roads"])
    assert "roads" not in {hit for hit, _ in index.search("travaux", 5, allowed=selection)}


def test_skipping_common_ngrams_at_scale_keeps_the_exact_top_results(monkeypatch: pytest.MonkeyPatch) -> None:
    import random

    import matcher.index.lexical as lexical

    rng = random.Random(4)
    words = "paiement route école eau énergie réseau logiciel audit maintenance formation santé transport".split()
    places = "Rabat Casablanca Fès Tanger Agadir Oujda Meknès Tétouan".split()
    texts = [
        f"Marché de {rng.choice(words)} et de {rng.choice(words)} pour la commune de {rng.choice(places)} lot {i}"
        for i in range(2_500)
    ]
    index = LexicalIndex()
    index.build([f"D{i}" for i in range(len(texts))], texts)
    queries = [f"Prestations de {rng.choice(words)} et {rng.choice(words)} à {rng.choice(places)}" for _ in range(20)]
    fast = [index.search(query, 10) for query in queries]
    monkeypatch.setattr(lexical, "COMMON_FEATURE_SHARE", 1.0)  # full scan of every posting
    for query, results in zip(queries, fast, strict=True):
        exact = index.search(query, 10)
        assert [score for _, score in results] == pytest.approx([score for _, score in exact], abs=1e-4)


def test_common_ngrams_have_no_postings_at_scale_and_searches_find_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The transpose leaves out very common features (about half its memory): searches return what they
    returned with every posting kept, a query made of common words only is scored exactly, and a
    reloaded snapshot answers the same."""
    import random

    import matcher.index.lexical as lexical

    rng = random.Random(5)
    words = "paiement route école eau énergie réseau logiciel audit maintenance formation".split()
    texts = [f"Marché de {rng.choice(words)} pour la commune de Rabat, lot {i}" for i in range(2_500)]
    ids = [f"D{i}" for i in range(len(texts))]
    queries = ["pour la commune de", "marché", "école et formation à Rabat", "audit du réseau d'eau"]
    index = LexicalIndex()
    index.build(ids, texts)
    assert index._feature_major().nnz < 0.8 * index._matrix().nnz
    found = [index.search(query, 10) for query in queries]
    common_only = [score for _, score in found[0]]
    assert common_only == pytest.approx(sorted(index.scores(queries[0], ids).tolist(), reverse=True)[:10], abs=1e-5)
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert [loaded.search(query, 10) for query in queries] == found

    def every_posting(matrix: sp.csr_matrix) -> tuple[sp.csr_matrix, np.ndarray]:
        return sp.csr_matrix(matrix.T.tocsr()), np.bincount(matrix.indices, minlength=matrix.shape[1])

    monkeypatch.setattr(lexical, "postings", every_posting)
    full = LexicalIndex()
    full.build(ids, texts)
    assert full._feature_major().nnz == full._matrix().nnz
    assert [full.search(query, 10) for query in queries] == found
