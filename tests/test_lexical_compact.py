"""Compact lexical postings at scale (impact-ordered, truncated, one byte a weight): same answers, smaller snapshot.

The threshold is lowered so that 3,000 documents count as "at scale"; the product's collections stay
below COMPACT_POSTINGS_FROM and keep the exact postings (tests/test_lexical.py).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

import matcher.index.lexical as lexical
from matcher.index.impact_postings import ImpactPostings
from matcher.index.lexical import LexicalIndex

WORDS = (
    "paiement route école eau énergie réseau logiciel audit maintenance formation santé transport "
    "assainissement éclairage voirie cybersécurité archivage nettoyage gardiennage restauration"
).split()
PLACES = "Rabat Casablanca Fès Tanger Agadir Oujda Meknès Tétouan Safi Nador".split()


def corpus(n: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    texts = [
        f"Marché de {rng.choice(WORDS)}, {rng.choice(WORDS)} et {rng.choice(WORDS)} pour la commune de "
        f"{rng.choice(PLACES)}, lot {i}, référence {rng.randint(1, 999)}"
        for i in range(n)
    ]
    return [f"D{i}" for i in range(n)], texts


QUERIES = [
    "Startup de cybersécurité et d'archivage numérique à Rabat",
    "Nous faisons la maintenance des réseaux d'eau et l'assainissement, Fès et Meknès",
    "éclairage public",
    "pour la commune de",  # common features only
    "Logiciel de paiement, formation des agents, transport scolaire à Tanger et Tétouan",
]


@pytest.fixture
def at_scale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lexical, "COMPACT_POSTINGS_FROM", 2_000)
    monkeypatch.setattr(lexical, "COMMON_POSTINGS_CAP", 200)


def exact_top(index: LexicalIndex, ids: list[str], query: str, k: int) -> list[tuple[str, float]]:
    scores = index.scores(query, ids)
    order = np.argsort(-scores, kind="stable")[:k]
    return [(ids[i], float(scores[i])) for i in order if scores[i] > 0]


def test_compact_postings_give_exact_scores_and_nearly_the_exhaustive_top_10(at_scale: None) -> None:
    ids, texts = corpus(3_000, seed=1)
    index = LexicalIndex()
    index.build(ids, texts)
    postings = index._feature_major()
    assert isinstance(postings, ImpactPostings) and postings.data.dtype == np.uint8 and postings.scale is not None
    assert postings.nnz < 0.6 * index._matrix().nnz  # common n-grams keep only their 200 strongest documents
    lengths = np.diff(postings.indptr)
    assert lengths.max() <= 0.1 * 3_000
    first = postings.data[postings.indptr[:-1][lengths > 1]]
    second = postings.data[postings.indptr[:-1][lengths > 1] + 1]
    assert np.all(first >= second)  # impact order: strongest document first
    overlaps = []
    for query in QUERIES:
        found = index.search(query, 10)
        exact = exact_top(index, ids, query, 10)
        assert found, query
        # every returned score is the exact cosine (re-scored from the rows), best first
        assert [s for _, s in found] == pytest.approx(index.scores(query, [i for i, _ in found]).tolist(), abs=1e-6)
        tenth = exact[-1][1]
        overlaps.append(sum(1 for _, s in found if s >= tenth - 1e-6) / len(exact))
    assert np.mean(overlaps) >= 0.95


def test_compact_snapshot_round_trip_is_smaller_and_answers_the_same(at_scale: None, tmp_path: Path) -> None:
    ids, texts = corpus(3_000, seed=2)
    index = LexicalIndex()
    index.build(ids, texts)
    before = [index.search(query, 10) for query in QUERIES]
    index.save(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["lexical_format"] == 2 and manifest["postings"] == "impact-uint8"
    postings_bytes = sum(e["bytes"] for name, e in manifest["files"].items() if name.startswith("by_feature"))
    rows_bytes = sum(e["bytes"] for name, e in manifest["files"].items() if name.startswith("matrix"))
    assert postings_bytes < 0.4 * rows_bytes
    loaded = LexicalIndex.load(tmp_path)
    assert isinstance(loaded._by_feature, ImpactPostings)
    assert [loaded.search(query, 10) for query in QUERIES] == before
    # writes still work on a loaded compact index: the new tender is found, the removed one is gone
    loaded.upsert(["NEW"], ["Marché de désalinisation d'eau de mer pour la commune de Dakhla"])
    loaded.remove(["D0"])
    assert loaded.search("désalinisation eau de mer Dakhla", 3)[0][0] == "NEW"
    assert "D0" not in {hit for query in QUERIES for hit, _ in loaded.search(query, 50)}
    assert loaded.shared_terms("désalinisation de l'eau de mer", "NEW")


def test_a_float16_compact_snapshot_of_the_first_format_still_loads(at_scale: None, tmp_path: Path) -> None:
    ids, texts = corpus(3_000, seed=4)
    index = LexicalIndex()
    index.build(ids, texts)
    quantised = index._feature_major()
    assert isinstance(quantised, ImpactPostings) and quantised.scale is not None
    lengths = np.diff(quantised.indptr)
    weights = quantised.data.astype(np.float32) * np.repeat(quantised.scale, lengths)
    index._by_feature = ImpactPostings(quantised.indptr, quantised.indices, weights.astype(np.float16), 3_000)
    before = [index.search(query, 10) for query in QUERIES]
    index.save(tmp_path)
    assert json.loads((tmp_path / "manifest.json").read_text())["postings"] == "impact-float16"
    loaded = LexicalIndex.load(tmp_path)
    assert isinstance(loaded._by_feature, ImpactPostings) and loaded._by_feature.data.dtype == np.float16
    assert [loaded.search(query, 10) for query in QUERIES] == before


def test_below_the_threshold_nothing_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The product's scales keep the exact CSR postings and the same results."""
    ids, texts = corpus(2_500, seed=3)
    index = LexicalIndex()
    index.build(ids, texts)
    assert not isinstance(index._feature_major(), ImpactPostings)
    exact = [index.search(query, 10) for query in QUERIES]
    monkeypatch.setattr(lexical, "COMPACT_POSTINGS_FROM", 2_000)
    monkeypatch.setattr(lexical, "COMMON_POSTINGS_CAP", 10_000)  # nothing cut: only the quantised weights differ
    monkeypatch.setattr(lexical, "COMPACT_PROBE_FEATURES", lexical.MAX_PROBE_FEATURES)  # the same probe
    monkeypatch.setattr(lexical, "SHORTLIST_FACTOR", 4)  # and the same shortlist
    compact = LexicalIndex()
    compact.build(ids, texts)
    assert isinstance(compact._feature_major(), ImpactPostings)
    for query, expected in zip(QUERIES, exact, strict=True):
        got = compact.search(query, 10)
        assert [s for _, s in got] == pytest.approx([s for _, s in expected], abs=1e-6)


def test_a_format_1_snapshot_still_loads_at_scale_and_becomes_compact_after_a_write(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A snapshot written before the compact postings (float32 CSR transpose) is served as it is; the next
    write rebuilds the postings, compact at scale, and the next snapshot is format 2."""
    ids, texts = corpus(3_000, seed=4)
    old = LexicalIndex()
    old.build(ids, texts)
    before = [old.search(query, 10) for query in QUERIES]
    old.save(tmp_path)
    assert "lexical_format" not in json.loads((tmp_path / "manifest.json").read_text())
    monkeypatch.setattr(lexical, "COMPACT_POSTINGS_FROM", 2_000)
    loaded = LexicalIndex.load(tmp_path)
    assert not isinstance(loaded._by_feature, ImpactPostings)
    assert [loaded.search(query, 10) for query in QUERIES] == before
    loaded.upsert(["NEW"], ["Marché de désalinisation d'eau de mer"])
    assert loaded.search("désalinisation", 1)[0][0] == "NEW"
    assert isinstance(loaded._by_feature, ImpactPostings)
    loaded.save(tmp_path)
    assert json.loads((tmp_path / "manifest.json").read_text())["lexical_format"] == 2
