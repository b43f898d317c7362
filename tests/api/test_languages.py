"""API messages: English by default, French or Arabic when the client asks (Accept-Language), with codes."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import Auth


def test_validation_errors_carry_a_code_and_follow_accept_language(client: TestClient, auth: Auth) -> None:
    body = {"external_id": "S-LANG", "name": "Lang Co", "description": "x", "cpv_codes": ["72"]}
    english = client.post("/startups", json=body, headers=auth("staff"))
    assert english.status_code == 422
    detail = english.json()["error"]["details"][0]
    assert detail["code"] == "v_cpv_invalid" and "not a CPV code" in detail["reason"]

    french = client.post("/startups", json=body, headers=auth("staff") | {"Accept-Language": "fr-MA,fr;q=0.9"})
    assert "n'est pas un code CPV" in french.json()["error"]["details"][0]["reason"]
    arabic = client.post("/startups", json=body, headers=auth("staff") | {"Accept-Language": "ar-MA"})
    assert "ليس رمز CPV" in arabic.json()["error"]["details"][0]["reason"]


def test_not_found_in_the_asked_language(client: TestClient, auth: Auth) -> None:
    assert "not found" in client.get("/startups/S-NOPE", headers=auth("staff")).json()["error"]["message"]
    french = client.get("/startups/S-NOPE", headers=auth("staff") | {"Accept-Language": "fr"})
    assert french.status_code == 404 and french.json()["error"]["message"] == "Introuvable : startup « S-NOPE »."


def test_matches_explained_in_the_asked_language(engine_client: TestClient, auth: Auth) -> None:
    """Same structure in every language; the readable fields follow Accept-Language, codes stay."""
    stricter = engine_client.patch("/tenders/T-PAY", json={"min_references": 3}, headers=auth("buyer_a"))
    assert stricter.status_code == 200  # S-PAY lists 1 reference: T-PAY becomes ineligible, with a reason
    path = "/startups/S-PAY/matches?include_ineligible=true"
    english = engine_client.get(path, headers=auth("startup_a")).json()["data"]
    arabic = engine_client.get(path, headers=auth("startup_a") | {"Accept-Language": "ar"}).json()["data"]
    french = engine_client.get(path, headers=auth("startup_a") | {"Accept-Language": "fr"}).json()["data"]
    assert [m["tender_id"] for m in arabic] == [m["tender_id"] for m in english]
    assert english[0]["explanation"]["summary"].startswith("Fits because of")
    assert french[0]["explanation"]["summary"].startswith("Pertinent pour")
    assert arabic[0]["explanation"]["summary"].startswith("مناسب بسبب")
    ineligible = next(m for m in french if m["eligibility"]["status"] == "ineligible")
    detail = ineligible["eligibility"]["details"][0]
    assert detail["code"].startswith("elig_") and ineligible["eligibility"]["reasons"][0] == detail["message"]
    assert detail["message"].startswith("exige")
    names = [f["name"] for f in arabic[0]["explanation"]["features"]]
    assert names == [f["name"] for f in english[0]["explanation"]["features"]]
