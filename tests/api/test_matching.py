"""Matching over HTTP with the real engine: ranking, filters, and writes reaching the indexes at once.

The hashing embedder keeps these fast; one integration test at the end loads the real model.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient

from matcher.settings import Settings
from service.app import create_app
from tests.api.conftest import METRICS_AUTH, Auth


def match_ids(client: TestClient, auth: Auth, query: str = "", caller: str = "startup_a") -> list[str]:
    response = client.get(f"/startups/S-PAY/matches?{query}", headers=auth(caller))
    assert response.status_code == 200, response.text
    return [item["tender_id"] for item in response.json()["data"]]


def test_startup_sees_its_best_tender_first_with_score_eligibility_and_why(
    engine_client: TestClient, auth: Auth
) -> None:
    response = engine_client.get("/startups/S-PAY/matches", headers=auth("startup_a"))
    assert response.status_code == 200
    body = response.json()
    assert (body["limit"], body["offset"]) == (10, 0)
    first: dict[str, Any] = body["data"][0]
    assert first["tender_id"] == "T-PAY"
    assert first["eligibility"]["status"] == "eligible"
    assert 0 < first["score"] <= 1
    assert first["explanation"]["summary"]
    assert {"profile_code": "72000000", "tender_code": "72000000"}.items() <= first["explanation"]["cpv_matches"][
        0
    ].items()
    scores = [item["score"] for item in body["data"]]
    assert scores == sorted(scores, reverse=True)
    assert "T-OLD" not in [item["tender_id"] for item in body["data"]]  # closed, past deadline


def test_match_filters_narrow_the_list(engine_client: TestClient, auth: Auth) -> None:
    assert match_ids(engine_client, auth, "cpv_prefix=45") == ["T-ROAD"]
    assert "T-ROAD" not in match_ids(engine_client, auth, "max_value=2000000")
    assert match_ids(engine_client, auth, "min_value=5000000") == ["T-ROAD"]
    assert match_ids(engine_client, auth, "region=Souss-Massa") == []
    assert match_ids(engine_client, auth, "deadline_within_days=35") == ["T-ROAD"]
    assert match_ids(engine_client, auth, "limit=1") == ["T-PAY"]
    assert match_ids(engine_client, auth, "limit=1&offset=1") == ["T-ROAD"]


def test_matches_for_an_unknown_startup_are_404_for_staff(engine_client: TestClient, auth: Auth) -> None:
    response = engine_client.get("/startups/S-NOPE/matches", headers=auth("staff"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_tender_written_over_the_api_is_matched_at_once(engine_client: TestClient, auth: Auth) -> None:
    new = {
        "external_id": "T-WALLET",
        "title": "Portefeuille électronique et paiement mobile pour les usagers du tramway",
        "description": "Passerelle de paiement en ligne sécurisée, application mobile.",
        "cpv_codes": ["72000000"],
        "deadline_at": "2035-06-30",
    }
    assert engine_client.post("/tenders", json=new, headers=auth("buyer_a")).status_code == 201
    assert "T-WALLET" in match_ids(engine_client, auth)

    closed = engine_client.patch("/tenders/T-WALLET", json={"status": "closed"}, headers=auth("buyer_a"))
    assert closed.status_code == 200
    assert "T-WALLET" not in match_ids(engine_client, auth)

    assert engine_client.delete("/tenders/T-PAY", headers=auth("buyer_a")).status_code == 204
    assert "T-PAY" not in match_ids(engine_client, auth)


def test_tender_and_profile_edits_change_eligibility_at_once(engine_client: TestClient, auth: Auth) -> None:
    stricter = engine_client.patch("/tenders/T-PAY", json={"min_references": 3}, headers=auth("buyer_a"))
    assert stricter.status_code == 200
    assert "T-PAY" not in match_ids(engine_client, auth)  # ineligible ones are left out by default
    everything = engine_client.get("/startups/S-PAY/matches?include_ineligible=true", headers=auth("startup_a"))
    t_pay = next(item for item in everything.json()["data"] if item["tender_id"] == "T-PAY")
    assert t_pay["eligibility"] == {
        "status": "ineligible",
        "reasons": ["needs 3 references, you list 1 (0 verified, 0 buyer-confirmed)"],
        "details": [  # the same reason as a message code, for clients that render it in their language
            {
                "code": "elig_block_references",
                "params": {"needed": 3, "have": 1, "verified": 0, "confirmed": 0},
                "message": "needs 3 references, you list 1 (0 verified, 0 buyer-confirmed)",
            }
        ],
    }

    more = engine_client.patch("/startups/S-PAY", json={"references_count": 4}, headers=auth("startup_a"))
    assert more.status_code == 200
    assert match_ids(engine_client, auth)[0] == "T-PAY"


def test_suppliers_for_a_tender_rank_the_fitting_startup_first_without_contact(
    engine_client: TestClient, auth: Auth
) -> None:
    response = engine_client.get("/tenders/T-PAY/suppliers?include_ineligible=true", headers=auth("buyer_a"))
    assert response.status_code == 200
    data = response.json()["data"]
    assert data[0]["startup_id"] == "S-PAY"
    assert data[0]["eligibility"]["status"] == "eligible"
    assert "contact@paynova.ma" not in response.text and "contact_email" not in response.text


def test_supplier_search_by_text_and_by_tender(engine_client: TestClient, auth: Auth) -> None:
    by_text = engine_client.post(
        "/suppliers/search", json={"q": "travaux de voirie et réfection de chaussées"}, headers=auth("buyer_b")
    )
    assert by_text.status_code == 200
    assert by_text.json()["data"][0]["startup_id"] == "S-ROAD"
    filtered = engine_client.post(
        "/suppliers/search",
        json={"q": "travaux de voirie", "filters": {"certification": "ISO 27001"}, "min_grade": "any"},
        headers=auth("buyer_b"),
    )
    assert [item["startup_id"] for item in filtered.json()["data"]] == ["S-PAY"]
    by_tender = engine_client.post(
        "/suppliers/search", json={"tender_id": "T-PAY", "limit": 1}, headers=auth("buyer_a")
    )
    assert [item["startup_id"] for item in by_tender.json()["data"]] == ["S-PAY"]


def test_new_startup_is_found_by_supplier_search_at_once(engine_client: TestClient, auth: Auth) -> None:
    startup = {
        "external_id": "S-ARGAN",
        "name": "Argan Irrigation",
        "description": "Irrigation goutte-à-goutte connectée et capteurs d'humidité pour l'agriculture.",
        "sectors": ["agritech"],
    }
    assert engine_client.post("/startups", json=startup, headers=auth("staff")).status_code == 201
    found = engine_client.post(
        "/suppliers/search", json={"q": "irrigation goutte-à-goutte connectée"}, headers=auth("buyer_a")
    ).json()["data"]
    assert found[0]["startup_id"] == "S-ARGAN"
    assert engine_client.delete("/startups/S-ARGAN", headers=auth("staff")).status_code == 204
    again = engine_client.post(
        "/suppliers/search", json={"q": "irrigation goutte-à-goutte connectée"}, headers=auth("buyer_a")
    ).json()["data"]
    assert "S-ARGAN" not in [item["startup_id"] for item in again]


def test_ready_and_index_metrics_with_the_engine_loaded(engine_client: TestClient) -> None:
    assert engine_client.get("/ready").json() == {
        "ready": True,
        "checks": {"store": True, "indexes": True, "model": True, "store_writable": True},
    }
    metrics = engine_client.get("/metrics", headers=METRICS_AUTH).text
    assert 'tremplin_index_items{index="tenders"} 3.0' in metrics
    assert 'tremplin_index_items{index="startups"} 2.0' in metrics


def test_lazy_engine_loads_on_first_matching_request(client: TestClient, auth: Auth) -> None:
    assert client.get("/ready").status_code == 503
    assert match_ids(client, auth)[0] == "T-PAY"
    assert client.get("/ready").status_code == 200


@pytest.mark.slow
def test_real_model_ranks_payment_tender_first_for_the_fintech(api_settings: Settings, auth: Auth) -> None:
    real = api_settings.model_copy(update={"embedder": Settings().embedder})
    with TestClient(create_app(real)) as client:
        assert match_ids(client, auth)[0] == "T-PAY"
        found = client.post("/suppliers/search", json={"q": "réfection de la voirie urbaine"}, headers=auth("staff"))
        assert found.status_code == 200
        assert found.json()["data"][0]["startup_id"] == "S-ROAD"


def test_reads_during_writes_all_succeed(engine_client: TestClient, auth: Auth) -> None:
    """Matching requests keep answering while tenders are created and indexed in another thread."""
    failures: list[str] = []

    def write() -> None:
        for n in range(8):
            tender = {
                "external_id": f"T-CONC-{n}",
                "title": f"Paiement mobile sécurisé lot {n}",
                "description": "Passerelle de paiement en ligne.",
                "cpv_codes": ["72000000"],
                "deadline_at": "2035-01-31",
            }
            response = engine_client.post("/tenders", json=tender, headers=auth("buyer_a"))
            if response.status_code != 201:
                failures.append(f"write {n}: {response.status_code}")

    def read() -> None:
        for _ in range(12):
            response = engine_client.get("/startups/S-PAY/matches?limit=20", headers=auth("startup_a"))
            if response.status_code != 200:
                failures.append(f"read: {response.status_code} {response.text}")

    threads = [threading.Thread(target=write), threading.Thread(target=read), threading.Thread(target=read)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert {f"T-CONC-{n}" for n in range(8)} <= set(match_ids(engine_client, auth, "limit=20"))
