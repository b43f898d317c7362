"""CPV division topics: a supplier of the tender's trade (another CPV group of the same division)
is closer than one of another trade, even when no code is published."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from matcher.ranking.catalogue import Catalogue
from matcher.ranking.cpv_inference import division_topics, shipped_inferrer
from matcher.ranking.eligibility import assess
from matcher.ranking.features import SUPPLIER_FEATURES, supplier_features
from matcher.ranking.scoring import LinearScorer
from tests.test_eligibility import NOW, STARTUP, TENDER


def test_groups_of_one_division_add_up() -> None:
    classes = ["45200000", "45400000", "30100000"]
    assert division_topics(((0, 0.5), (2, 0.25), (1, 0.25)), classes) == ((45, 0.75), (30, 0.25))
    assert division_topics((), classes) == ()
    assert division_topics(((7, 1.0),), classes) == ()  # an index the model does not know


def test_a_supplier_of_the_tenders_trade_ranks_above_one_of_another_all_else_equal() -> None:
    inferrer = shipped_inferrer()
    if inferrer is None:
        pytest.skip("no shipped CPV inference model")
    catalogue = Catalogue(inferrer)
    tender = catalogue._tenders_with_codes(
        [TENDER._replace(title="Travaux de plomberie et remplacement des sanitaires", cpv_codes=())]
    )[0]
    base = replace(STARTUP, cpv_codes=(), sectors=(), tags=(), text="", description="")
    painter = catalogue._startup_with_codes(
        replace(base, external_id="painter", references=("Travaux de peinture intérieure des bâtiments",))
    )
    printer = catalogue._startup_with_codes(
        replace(base, external_id="printer", references=("Fourniture de papier pour photocopieurs",))
    )
    assert tender.divisions and tender.divisions[0][0] == 45  # building works, read from the title
    startups = [printer, painter]
    matrix = supplier_features(tender, startups, np.zeros(2), np.zeros(2), [assess(s, tender, NOW) for s in startups])
    column = SUPPLIER_FEATURES.index("cpv_division")
    assert matrix[1, column] > 0.5 > matrix[0, column]
    scores, parts = LinearScorer.load().score("supplier_for_tender", SUPPLIER_FEATURES, matrix)
    assert scores[1] > scores[0]
    assert parts[1, column] - parts[0, column] > 0.03  # the shipped weights count the shared trade
