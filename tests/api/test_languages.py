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
