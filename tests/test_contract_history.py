"""Verified contracts say where, in which trade and at what size a supplier delivers, and ranking uses it.

Two suppliers with the same trade and the same titles: the one whose awards were executed in the
tender's region, at its size, comes first for a buyer there, and its explanation says why.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from matcher.digests.render import reasons
from matcher.i18n import translate
from matcher.ingest import ingest_file, ingest_records
from matcher.ranking.eligibility import assess
from matcher.ranking.engine import Engine
from matcher.ranking.explain import explain
from matcher.ranking.features import (
    HISTORY_FEATURES,
    SUPPLIER_FEATURES,
    TYPICAL_HISTORY,
    assumed_features,
    contract_size_fit,
    supplier_features,
)
from matcher.settings import Settings
from matcher.store import Store
from matcher.store.contract_history import ContractHistory, summarize
from tests.test_eligibility import NOW, STARTUP, TENDER

MARSEILLE = {"code": "13", "typeCode": "Code département", "nom": "Bouches-du-Rhône"}
LILLE = {"code": "59", "typeCode": "Code département", "nom": "Nord"}


def test_history_counts_places_trades_and_the_usual_size() -> None:
    history = summarize(
        [
            ("Souss-Massa", ["45261000"], 100_000.0, "MAD"),
            ("souss-massa", ["45261210", "45262000"], 300_000.0, "MAD"),
            ("Rabat-Salé-Kénitra", ["72000000"], 5_000_000.0, "MAD"),
            (None, [], None, None),
        ]
    )
    assert history.total == 4
    assert history.region_share("SOUSS-MASSA") == 0.5  # two of four contracts, accents and case aside
    assert history.region_share("Oriental") == 0.0 and history.region_share(None) == 0.0
    assert history.class_share(["45261100"]) == 0.5  # class 4526 (roof works): two contracts
    assert history.class_share(["72000000"]) == 0.25
    assert history.class_share(["72000000", "45262000"]) == 0.5  # the best-represented of its classes
    assert history.median_amount == 300_000.0 and history.currency == "MAD"
    assert ContractHistory().region_share("Souss-Massa") == 0.0


def test_size_fit_is_one_at_the_usual_size_and_makes_no_claim_without_evidence() -> None:
    known = replace(STARTUP, contracts=ContractHistory(total=3, median_amount=200_000.0, currency="MAD"))
    assert contract_size_fit(known, 200_000.0, "MAD") == 1.0
    assert contract_size_fit(known, 2_000_000.0, "MAD") == pytest.approx(contract_size_fit(known, 20_000.0, "MAD"))
    assert 0.25 < contract_size_fit(known, 2_000_000.0, "MAD") < 0.35
    assert contract_size_fit(known, 200_000.0, "EUR") == 0.0  # other currency: not comparable
    assert contract_size_fit(STARTUP, 200_000.0, "MAD") == 0.0  # no verified contract: no claim
    assert contract_size_fit(known, None, "MAD") == 0.0


def test_supplier_features_read_the_history_against_the_tender() -> None:
    tender = TENDER._replace(region="Souss-Massa", cpv_codes=("45261000",), estimated_value=150_000.0, currency="MAD")
    local = replace(
        STARTUP,
        contracts=ContractHistory(
            total=2, regions=(("souss-massa", 2),), classes=(("4526", 2),), median_amount=150_000.0, currency="MAD"
        ),
    )
    eligibility = [assess(STARTUP, tender, NOW)] * 2
    matrix = supplier_features(tender, [local, STARTUP], np.zeros(2), np.zeros(2), eligibility)
    row = dict(zip(SUPPLIER_FEATURES, matrix[0], strict=True))
    assert (row["track_region"], row["track_field"], row["track_size"]) == (1.0, 1.0, 1.0)
    newcomer = dict(zip(SUPPLIER_FEATURES, matrix[1], strict=True))  # no verified contract yet
    assert {name: round(float(newcomer[name]), 3) for name in HISTORY_FEATURES} == TYPICAL_HISTORY
    assert assumed_features(STARTUP, SUPPLIER_FEATURES) == set(HISTORY_FEATURES)
    assert assumed_features(local, SUPPLIER_FEATURES) == frozenset()


def test_an_assumed_value_is_listed_in_the_score_but_never_given_as_a_reason() -> None:
    names = ("semantic", "track_size", "track_region")
    explanation = explain(
        names, np.array([0.2, 0.5, 0.1]), np.array([0.01, 0.05, 0.004]), [], [], None,
        assumed=frozenset({"track_size", "track_region"}),
    )  # fmt: skip
    assert [(f.name, f.evidence) for f in explanation.features] == [
        ("track_size", False), ("semantic", True), ("track_region", False),
    ]  # fmt: skip
    assert "similar size" not in explanation.summary and "region" not in explanation.summary
    assert reasons(explanation.model_dump(mode="json"), "fr") == [translate("fr", "feat_semantic")]


def _marche(number: int, holder: tuple[str, str], place: dict[str, str], amount: int) -> dict[str, object]:
    return {
        "id": f"2019-TOIT-{number:02d}",
        "acheteur": {"id": f"2130000000{number:04d}", "nom": f"Commune numéro {number}"},
        "objet": "Réfection de la toiture et de la charpente du groupe scolaire",
        "codeCPV": "45261000",
        "procedure": "Procédure adaptée",
        "lieuExecution": place,
        "dateNotification": "2019-05-02",
        "montant": amount,
        "titulaires": [{"typeIdentifiant": "SIRET", "id": holder[0], "denominationSociale": holder[1]}],
    }


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    settings = Settings(home=tmp_path / "home", embedder="hashing")  # the test is about track records, not meaning
    settings.ensure_home()
    store = Store(settings)
    store.migrate()
    local = ("41234567800011", "TOITURES DU SUD")
    far = ("51234567800011", "TOITURES DU NORD")
    marches = [_marche(1, local, MARSEILLE, 120_000), _marche(2, local, MARSEILLE, 90_000)]
    marches += [_marche(3, far, LILLE, 2_500_000), _marche(4, far, LILLE, 3_000_000)]
    awards = tmp_path / "decp.json"
    awards.write_text(json.dumps({"marches": marches}), encoding="utf-8")
    report = ingest_file(store, "tenders", awards)
    assert report.extra["awards"] == 4 and not report.rejected
    open_call = {
        "external_id": "AO-TOIT-2026",
        "title": "Réfection de la toiture et de la charpente du groupe scolaire",
        "buyer_name": "Commune d'Aubagne",
        "cpv_codes": ["45261000"],
        "region": "Bouches-du-Rhône (13)",
        "estimated_value": 100_000,
        "currency": "EUR",
        "deadline_at": datetime(2027, 2, 1, tzinfo=UTC),
    }
    assert not ingest_records(store, "tenders", [open_call]).rejected
    created = Engine(store, settings)
    created.load()
    yield created
    store.dispose()


def test_the_supplier_that_delivered_in_the_region_at_this_size_comes_first(engine: Engine) -> None:
    matches = engine.suppliers_for_tender(
        "AO-TOIT-2026", limit=5, include_ineligible=True, now=datetime(2027, 1, 5, tzinfo=UTC), min_grade="any"
    )
    assert [m.name for m in matches] == ["TOITURES DU SUD", "TOITURES DU NORD"]
    first, second = ({f.name: f for f in m.explanation.features} for m in matches)
    assert first["track_region"].value == 1.0 and "track_region" not in second  # no contract in that region
    assert first["track_size"].value > 0.8  # 100,000 asked, about 105,000 usual
    assert second["track_size"].value < 0.25  # 100,000 asked, 2.75 million usual
    assert translate("fr", "feat_track_region") == "marchés vérifiés déjà exécutés dans cette région"
    assert translate("ar", "feat_track_region") != translate("en", "feat_track_region")
