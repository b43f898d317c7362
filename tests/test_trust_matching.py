"""Trust feeds matching: eligibility counts verified and buyer-confirmed references, the track record
feature and its explanation."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from matcher.cpv import CPVLabel
from matcher.ranking.eligibility import assess
from matcher.ranking.explain import track_record_note
from matcher.ranking.features import SUPPLIER_FEATURES, public_track_record, supplier_features
from matcher.ranking.results import EligibilityStatus
from tests.test_eligibility import NOW, STARTUP, TENDER

NEEDS_3 = TENDER._replace(min_references=3)


def test_declared_only_references_are_a_gap_saying_which_kind_is_missing() -> None:
    startup = replace(STARTUP, references_count=4, verified=1, buyer_confirmed=1, declared=2)
    result = assess(startup, NEEDS_3, NOW)
    assert result.status == EligibilityStatus.eligible_with_gaps
    assert result.reasons == [
        "references verified or confirmed by their buyer needed: 3 (you: 1 verified, 1 buyer-confirmed); "
        "declared references still to verify: 1"
    ]


def test_verified_and_buyer_confirmed_references_count_fully() -> None:
    startup = replace(STARTUP, references_count=0, verified=2, buyer_confirmed=1)
    assert assess(startup, NEEDS_3, NOW).status == EligibilityStatus.eligible


def test_too_few_references_of_any_kind_block() -> None:
    startup = replace(STARTUP, references_count=1, verified=1)
    result = assess(startup, NEEDS_3, NOW)
    assert result.status == EligibilityStatus.ineligible
    assert result.reasons == ["needs 3 references, you list 1 (1 verified, 0 buyer-confirmed)"]


def test_track_record_feature_and_explanation() -> None:
    startup = replace(STARTUP, public_divisions=(("45", 1), ("72", 2)))
    assert public_track_record(startup, ["72212000", "48000000"]) == ("72", 2)
    matrix = supplier_features(TENDER, [startup, STARTUP], np.zeros(2), np.zeros(2), [assess(STARTUP, TENDER, NOW)] * 2)
    column = SUPPLIER_FEATURES.index("track_record")
    assert matrix[0, column] > 0 and matrix[1, column] == 0
    labels = {"72000000": CPVLabel("72000000", "Services de TI", "IT services")}
    note = track_record_note("72", 2, labels)
    assert note is not None and note.message == "2 verified public contracts in IT services"
    assert (note.code, note.params) == ("track_record_note", {"count": 2, "cpv": "72000000"})  # rendered per language
    assert track_record_note("72", 0, labels) is None
