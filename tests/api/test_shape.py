"""One API shape: every list is {data, total, limit, offset}; creates may omit the id and answer
201 with `Location`; one name per concept; feedback is idempotent and listable per role."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Auth

ENVELOPE = {"data", "total", "limit", "offset"}


def assert_page(body: dict, *, limit: int | None = None, offset: int = 0) -> list[dict]:  # type: ignore[type-arg]
    assert set(body) >= ENVELOPE, f"not the list envelope: {sorted(body)}"
    assert isinstance(body["data"], list) and isinstance(body["total"], int)
    assert body["offset"] == offset
    if limit is not None:
        assert body["limit"] == limit
    assert len(body["data"]) <= body["limit"]
    assert body["total"] >= len(body["data"]) + (offset if body["data"] else 0)
    return body["data"]


@pytest.mark.parametrize(
    ("path", "caller"),
    [
        ("/startups", "staff"),
        ("/buyers", "staff"),
        ("/tenders", "startup_a"),
        ("/keys", "staff"),
        ("/feedback", "staff"),
        ("/digests", "staff"),
    ],
)
def test_every_crud_list_uses_the_envelope_and_pages(client: TestClient, auth: Auth, path: str, caller: str) -> None:
    first = client.get(f"{path}?limit=1", headers=auth(caller))
    assert first.status_code == 200, first.text
    assert_page(first.json(), limit=1)
    rest = client.get(f"{path}?limit=1&offset=1", headers=auth(caller)).json()
    assert_page(rest, limit=1, offset=1)
    assert rest["total"] == first.json()["total"]
    if first.json()["total"] > 1:
        assert rest["data"] != first.json()["data"]


def test_keys_list_pages_over_all_keys(client: TestClient, auth: Auth) -> None:
    whole = client.get("/keys?limit=200", headers=auth("staff")).json()
    assert whole["total"] == len(whole["data"]) == 7
    second = client.get("/keys?limit=2&offset=2", headers=auth("staff")).json()
    assert [k["prefix"] for k in second["data"]] == [k["prefix"] for k in whole["data"][2:4]]


def test_matching_lists_use_the_envelope(engine_client: TestClient, auth: Auth) -> None:
    matches = engine_client.get("/startups/S-PAY/matches?limit=1", headers=auth("startup_a")).json()
    assert assert_page(matches, limit=1)[0]["tender_id"] == "T-PAY"
    assert matches["total"] >= 1
    suppliers = engine_client.post(
        "/suppliers/search", json={"q": "travaux de voirie", "limit": 1}, headers=auth("buyer_b")
    ).json()
    assert assert_page(suppliers, limit=1)[0]["startup_id"] == "S-ROAD"
    assert suppliers["total"] == 1  # the payment firm is under the relevance floor for road works
    for_tender = engine_client.get("/tenders/T-ROAD/suppliers?limit=5", headers=auth("buyer_b")).json()
    assert_page(for_tender, limit=5)


def test_digest_lists_use_the_envelope(engine_client: TestClient, auth: Auth) -> None:
    staff = auth("staff")
    built = engine_client.post("/digests/build", json={"week": "2026-W10"}, headers=staff)
    assert built.status_code == 200, built.text
    batches = assert_page(engine_client.get("/digests", headers=staff).json(), limit=50)
    batch_id = batches[0]["id"]
    assert_page(engine_client.get(f"/digests/{batch_id}/audit?limit=5", headers=staff).json(), limit=5)
    deliveries = engine_client.get(f"/digests/{batch_id}/deliveries", headers=staff).json()
    assert_page(deliveries, limit=200)
    assert "batch" in deliveries


def test_import_rejects_use_the_envelope(client: TestClient, auth: Auth) -> None:
    csv = b"external_id,name\nS-OK,Bonne Ligne\nS-BAD,\n"
    report = client.post("/imports/startups", files={"file": ("s.csv", csv, "text/csv")}, headers=auth("staff"))
    rejected = report.json()["rejected"]
    assert assert_page(rejected)[0]["line"] == 3
    assert rejected["total"] == 1


@pytest.mark.parametrize(
    ("path", "body", "prefix"),
    [
        ("/startups", {"name": "Sans Identifiant", "description": "Conseil en données"}, "st-"),
        ("/buyers", {"name": "Acheteur Sans Identifiant"}, "by-"),
        ("/tenders", {"title": "Appel sans identifiant", "buyer_id": "B-ONEE"}, "tn-"),
    ],
)
def test_create_without_an_id_gets_one_and_a_location(
    client: TestClient,
    auth: Auth,
    path: str,
    body: dict,
    prefix: str,  # type: ignore[type-arg]
) -> None:
    created = client.post(path, json=body, headers=auth("staff"))
    assert created.status_code == 201, created.text
    new_id = created.json()["external_id"]
    assert re.fullmatch(rf"{prefix}[0-9a-f]{{10}}", new_id)
    assert created.headers["Location"] == f"{path}/{new_id}"
    again = client.get(created.headers["Location"], headers=auth("staff"))
    assert again.status_code == 200 and again.json()["external_id"] == new_id
    other = client.post(path, json=body, headers=auth("staff")).json()["external_id"]
    assert other != new_id


def test_create_with_an_id_keeps_it_and_says_where(client: TestClient, auth: Auth) -> None:
    created = client.post("/startups", json={"external_id": "S-MINE", "name": "À Moi"}, headers=auth("staff"))
    assert created.status_code == 201
    assert created.headers["Location"] == "/startups/S-MINE"


def test_location_of_an_id_in_any_script_is_percent_encoded(client: TestClient, auth: Auth) -> None:
    created = client.post(
        "/buyers", json={"external_id": "جماعة مراكش 1", "name": "جماعة مراكش"}, headers=auth("staff")
    )
    assert created.status_code == 201, created.text
    location = created.headers["Location"]
    assert location.isascii() and location.startswith("/buyers/%D8%AC")
    assert client.get(location, headers=auth("staff")).json()["external_id"] == "جماعة مراكش 1"


def test_one_name_per_concept_tenders_and_matches_name_the_buyer_alike(engine_client: TestClient, auth: Auth) -> None:
    tender = engine_client.get("/tenders/T-PAY", headers=auth("startup_a")).json()
    match = next(
        m
        for m in engine_client.get("/startups/S-PAY/matches", headers=auth("startup_a")).json()["data"]
        if m["tender_id"] == "T-PAY"
    )
    for name in ("buyer_id", "buyer_name", "buyer_kind"):
        assert tender[name] == match[name], name
    assert "buyer" not in tender
    listed = engine_client.get("/tenders?buyer_id=B-ONEE", headers=auth("startup_a")).json()["data"]
    assert {t["buyer_id"] for t in listed} == {"B-ONEE"}
    old = engine_client.post("/tenders", json={"title": "X", "buyer_external_id": "B-ONEE"}, headers=auth("staff"))
    assert old.status_code == 422
    assert old.json()["error"]["details"][0]["field"] == "body.buyer_external_id"


FEEDBACK = {"startup_id": "S-PAY", "tender_id": "T-PAY", "verdict": "applied"}


def test_the_same_feedback_twice_is_stored_once(client: TestClient, auth: Auth) -> None:
    first = client.post("/feedback", json=FEEDBACK, headers=auth("startup_a"))
    assert first.status_code == 201
    second = client.post("/feedback", json=FEEDBACK, headers=auth("startup_a"))
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["created_at"] == first.json()["created_at"]
    listed = client.get("/feedback", headers=auth("staff")).json()
    assert listed["total"] == 1
    won = client.post("/feedback", json={**FEEDBACK, "verdict": "won"}, headers=auth("startup_a"))
    assert won.status_code == 201
    assert client.get("/feedback", headers=auth("staff")).json()["total"] == 2


def test_a_verdict_given_again_after_another_becomes_the_latest(client: TestClient, auth: Auth) -> None:
    for verdict in ("relevant", "not_relevant", "relevant"):
        client.post("/feedback", json={**FEEDBACK, "verdict": verdict}, headers=auth("startup_a"))
    rows = client.get("/feedback?startup_id=S-PAY", headers=auth("staff")).json()
    assert rows["total"] == 2
    assert [row["verdict"] for row in rows["data"]] == ["relevant", "not_relevant"]


def test_feedback_list_is_scoped_by_role(client: TestClient, auth: Auth) -> None:
    client.post("/feedback", json=FEEDBACK, headers=auth("startup_a"))
    road = {"startup_id": "S-ROAD", "tender_id": "T-ROAD", "verdict": "relevant"}
    assert client.post("/feedback", json=road, headers=auth("startup_b")).status_code == 201
    assert client.get("/feedback", headers=auth("staff")).json()["total"] == 2
    own = client.get("/feedback", headers=auth("startup_a")).json()
    assert [(row["startup_id"], row["tender_id"]) for row in own["data"]] == [("S-PAY", "T-PAY")]
    assert client.get("/feedback?startup_id=S-ROAD", headers=auth("startup_a")).status_code == 403
    assert client.get("/feedback", headers=auth("buyer_a")).status_code == 403
    assert client.get("/feedback?tender_id=T-ROAD", headers=auth("staff")).json()["total"] == 1
