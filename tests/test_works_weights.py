"""Works weights: a works tender's title names its operation, which every lot shares, so the words a
supplier's past titles share with it weigh less there — for suppliers whose verified contracts tell
their trade; a first-timer keeps the plain weights (its titles are its only evidence)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from matcher.evaluation.train import Queries, fit, to_weights, with_variants
from matcher.ranking.features import SUPPLIER_FEATURES, row_variants
from matcher.ranking.scoring import WORKS, LinearScorer, ScoringModelError
from matcher.store.contract_history import ContractHistory
from tests.test_eligibility import STARTUP, TENDER

TRACKED = replace(STARTUP, external_id="ST-2", contracts=ContractHistory(total=3, median_amount=1.0, currency="MAD"))
WORKS_TENDER = TENDER._replace(title="Construction de 23 logements - lot 4 plomberie", cpv_codes=("45330000",))


def test_works_weights_apply_to_candidates_with_verified_contracts_on_works_tenders_only() -> None:
    assert row_variants(WORKS_TENDER, [TRACKED, STARTUP]) == [WORKS, None]
    assert row_variants(TENDER, [TRACKED, STARTUP]) == [None, None]  # IT services: not works
    assert row_variants(None, [TRACKED]) == [None]  # free-text search


def test_a_variant_weight_replaces_the_plain_one_on_its_rows_only() -> None:
    scorer = LinearScorer(
        "t", {"supplier_for_tender": {"semantic": 0.5, "reference_terms": 0.4, "reference_terms@works": 0.1}}
    )
    names = ("semantic", "reference_terms")
    matrix = np.array([[0.2, 1.0], [0.2, 1.0]], dtype=np.float32)
    scores, parts = scorer.score("supplier_for_tender", names, matrix, [WORKS, None])
    assert parts[:, 1].tolist() == pytest.approx([0.1, 0.4])
    assert parts[:, 0].tolist() == pytest.approx([0.1, 0.1])
    assert scores.tolist() == pytest.approx([0.2, 0.5])
    plain, _ = scorer.score("supplier_for_tender", names, matrix)
    assert plain.tolist() == pytest.approx([0.5, 0.5])


def test_a_weights_file_with_an_unknown_variant_is_refused_with_its_name(tmp_path: Path) -> None:
    document = json.loads(Path("models/ranking-weights.json").read_text(encoding="utf-8"))
    document["supplier_for_tender"]["semantic@works"] = 0.3
    path = tmp_path / "weights.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ScoringModelError, match="semantic@works"):
        LinearScorer.load(path)


def _works_queries(rng: np.random.Generator) -> Queries:
    """Title words pick the winner of non-works queries; on works ones only the place does."""
    names = ("semantic", "reference_terms", "local_works")
    features = rng.random((60, 12, 3)).astype(np.float32)
    works = np.zeros((60, 12), dtype=bool)
    works[30:] = True
    relevant = np.zeros((60, 12), dtype=bool)
    relevant[np.arange(30), features[:30, :, 1].argmax(axis=1)] = True
    relevant[np.arange(30, 60), features[30:, :, 2].argmax(axis=1)] = True
    plain = Queries("supplier_for_tender", names, features, relevant, np.arange(60) % 10)
    return with_variants(plain, {WORKS: works})


def test_training_learns_the_works_weight_apart() -> None:
    queries = _works_queries(np.random.default_rng(3))
    assert queries.names[-1] == "reference_terms@works"
    assert (queries.features[:30, :, -1] == 0).all() and (queries.features[30:, :, 1] == 0).all()
    columns = queries.learnable()
    table = to_weights(queries.names, columns, fit(queries, np.arange(60), columns), {})
    assert table["reference_terms"] > 5 * table["reference_terms@works"]
    assert table["local_works"] > table["reference_terms@works"]


def test_a_variant_weight_the_data_cannot_learn_is_left_out() -> None:
    table = to_weights(("semantic", "reference_terms", "reference_terms@works"), [0, 1], np.array([1.0, 1.0]), {})
    assert "reference_terms@works" not in table  # those candidates keep the plain weight


def test_the_shipped_weights_count_shared_title_words_less_for_works_with_a_track_record() -> None:
    scorer = LinearScorer.load()
    matrix = np.zeros((2, len(SUPPLIER_FEATURES)), dtype=np.float32)
    column = SUPPLIER_FEATURES.index("reference_terms")
    matrix[:, column] = 0.6
    tracked_first_timer = row_variants(WORKS_TENDER, [TRACKED, STARTUP])
    _, parts = scorer.score("supplier_for_tender", SUPPLIER_FEATURES, matrix, tracked_first_timer)
    assert parts[0, column] < parts[1, column]
    assert parts[1, column] == pytest.approx(0.6 * scorer.weights["supplier_for_tender"]["reference_terms"])
