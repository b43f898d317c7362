"""Every route × every kind of caller: the status the role rules promise.

Callers: no key, staff, buyer A (owns B-ONEE and tender T-PAY), buyer B (B-CASA, T-ROAD), startup A
(S-PAY) and startup B (S-ROAD). Matching routes answered with 200 need the real engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import METRICS_AUTH, Auth, Seed

CALLERS = (None, "staff", "buyer_a", "buyer_b", "startup_a", "startup_b")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    expected: dict[str | None, int]
    json: dict[str, Any] | None = None
    files: dict[str, Any] | None = field(default=None, hash=False)
    needs_engine: bool = False


def allow(ok: int, *callers: str) -> dict[str | None, int]:
    """`ok` for the listed callers, 403 for the other keys, 401 without a key."""
    return {None: 401, **{caller: ok if caller in callers else 403 for caller in CALLERS if caller}}


EVERYONE = ("staff", "buyer_a", "buyer_b", "startup_a", "startup_b")
NEW_STARTUP = {"external_id": "S-NEW", "name": "Nouvelle Pousse", "sectors": ["edtech"]}
NEW_TENDER = {"external_id": "T-NEW", "title": "Audit de sécurité du système d'information"}
CSV = b"external_id,name,description\nS-CSV,Import Test,Conseil en cybersecurite\n"

ROUTES = [
    Route("GET", "/me", allow(200, *EVERYONE)),
    Route("GET", "/keys", allow(200, "staff")),
    Route("POST", "/keys", allow(201, "staff"), json={"role": "staff", "name": "ops"}),
    Route("DELETE", "/keys/{spare}", allow(200, "staff")),
    Route("GET", "/startups", allow(200, "staff")),
    Route("POST", "/startups", allow(201, "staff"), json=NEW_STARTUP),
    Route("GET", "/startups/S-PAY", allow(200, "staff", "startup_a")),
    Route("PATCH", "/startups/S-PAY", allow(200, "staff", "startup_a"), json={"headcount": 15}),
    Route("DELETE", "/startups/S-ROAD", allow(204, "staff")),
    Route("GET", "/startups/S-PAY/matches", allow(200, "staff", "startup_a"), needs_engine=True),
    Route("GET", "/buyers", allow(200, "staff")),
    Route("POST", "/buyers", allow(201, "staff"), json={"external_id": "B-NEW", "name": "Nouvel acheteur"}),
    Route("GET", "/buyers/B-ONEE", allow(200, "staff", "buyer_a")),
    Route("PATCH", "/buyers/B-ONEE", allow(200, "staff"), json={"city": "Rabat"}),
    Route("DELETE", "/buyers/B-EMPTY", allow(204, "staff")),
    Route("GET", "/tenders", allow(200, *EVERYONE)),
    Route("POST", "/tenders", allow(201, "staff", "buyer_a", "buyer_b"), json=NEW_TENDER),
    Route("GET", "/tenders/T-PAY", allow(200, *EVERYONE)),
    Route("PATCH", "/tenders/T-PAY", allow(200, "staff", "buyer_a"), json={"estimated_value": 1_700_000}),
    Route("DELETE", "/tenders/T-PAY", allow(204, "staff", "buyer_a")),
    Route("GET", "/tenders/T-PAY/suppliers", allow(200, "staff", "buyer_a"), needs_engine=True),
    Route(
        "POST",
        "/suppliers/search",
        allow(200, "staff", "buyer_a", "buyer_b"),
        json={"q": "paiement mobile"},
        needs_engine=True,
    ),
    Route(
        "POST",
        "/suppliers/search",
        allow(200, "staff", "buyer_a"),
        json={"tender_id": "T-PAY"},
        needs_engine=True,
    ),
    Route(
        "POST",
        "/feedback",
        allow(201, "staff", "startup_a"),
        json={"startup_id": "S-PAY", "tender_id": "T-PAY", "verdict": "relevant"},
    ),
    Route("POST", "/imports/startups", allow(200, "staff"), files={"file": ("startups.csv", CSV, "text/csv")}),
]

CASES = [
    pytest.param(route, caller, id=f"{route.method} {route.path} {route.json or ''} as {caller or 'anonymous'}")
    for route in ROUTES
    for caller in CALLERS
]


@pytest.mark.parametrize(("route", "caller"), CASES)
def test_route_answers_each_role_as_promised(
    route: Route,
    caller: str | None,
    request: pytest.FixtureRequest,
    auth: Auth,
    seed: Seed,
) -> None:
    expected = route.expected[caller]
    use_engine = route.needs_engine and expected < 400
    client: TestClient = request.getfixturevalue("engine_client" if use_engine else "client")
    path = route.path.replace("{spare}", seed.prefixes["spare"])
    response = client.request(route.method, path, json=route.json, files=route.files, headers=auth(caller))
    assert response.status_code == expected, response.text
    if expected >= 400:
        error = response.json()["error"]
        assert error["code"] == {401: "unauthorized", 403: "forbidden"}[expected]
        assert error["request_id"] == response.headers["X-Request-ID"]


def test_operations_routes_need_no_key(client: TestClient) -> None:
    assert client.get("/health").status_code == 200
    assert client.get("/metrics", headers=METRICS_AUTH).status_code == 200  # its own token, not an API key


def test_ready_needs_no_key_and_says_what_is_missing(client: TestClient) -> None:
    response = client.get("/ready")
    assert response.status_code == 503  # engine not loaded in this app
    assert response.json() == {
        "ready": False,
        "checks": {"store": True, "indexes": False, "model": False, "store_writable": True},
    }


def test_revoked_key_is_refused(client: TestClient, auth: Auth) -> None:
    response = client.get("/me", headers=auth("revoked"))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header",
    [
        {"Authorization": "Bearer tpl_000000000000_notarealsecret"},
        {"Authorization": "Bearer nonsense"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"X-API-Key": ""},
    ],
    ids=["unknown-prefix", "malformed", "wrong-scheme", "empty"],
)
def test_invalid_keys_are_refused(client: TestClient, header: dict[str, str]) -> None:
    response = client.get("/tenders", headers=header)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_right_prefix_with_wrong_secret_is_refused(client: TestClient, raw_keys: dict[str, str]) -> None:
    forged = raw_keys["staff"][:-4] + ("AAAA" if not raw_keys["staff"].endswith("AAAA") else "BBBB")
    assert client.get("/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_x_api_key_header_works_like_bearer(client: TestClient, raw_keys: dict[str, str]) -> None:
    response = client.get("/me", headers={"X-API-Key": raw_keys["startup_a"]})
    assert response.status_code == 200
    assert response.json()["role"] == "startup"
    assert response.json()["startup_id"] == "S-PAY"


def test_revoking_a_key_over_the_api_stops_it_at_once(client: TestClient, auth: Auth, seed: Seed) -> None:
    assert client.get("/me", headers=auth("startup_b")).status_code == 200
    revoked = client.delete(f"/keys/{seed.prefixes['startup_b']}", headers=auth("staff"))
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert client.get("/me", headers=auth("startup_b")).status_code == 401


def test_created_key_is_shown_once_and_works(client: TestClient, auth: Auth) -> None:
    created = client.post("/keys", json={"role": "buyer", "buyer_id": "B-CASA"}, headers=auth("staff"))
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith(f"tpl_{created.json()['prefix']}_")
    me = client.get("/me", headers={"Authorization": f"Bearer {key}"}).json()
    assert (me["role"], me["buyer_id"]) == ("buyer", "B-CASA")
    listed = client.get("/keys", headers=auth("staff")).json()["data"]
    assert all("key" not in item for item in listed)
    assert any(item["prefix"] == created.json()["prefix"] and item["buyer_id"] == "B-CASA" for item in listed)


def test_contact_email_is_shown_to_staff_and_self_only(client: TestClient, auth: Auth) -> None:
    assert client.get("/startups/S-PAY", headers=auth("staff")).json()["contact_email"] == "contact@paynova.ma"
    assert client.get("/startups/S-PAY", headers=auth("startup_a")).json()["contact_email"] == "contact@paynova.ma"
    other = client.get("/startups/S-PAY", headers=auth("startup_b"))
    assert other.status_code == 403
    assert "contact@paynova.ma" not in other.text


def test_startup_key_cannot_probe_whether_other_startups_exist(client: TestClient, auth: Auth) -> None:
    assert client.get("/startups/S-DOES-NOT-EXIST", headers=auth("startup_a")).status_code == 403
    assert client.get("/startups/S-DOES-NOT-EXIST", headers=auth("staff")).status_code == 404


def test_buyer_creates_tenders_for_itself_only(client: TestClient, auth: Auth) -> None:
    own = client.post("/tenders", json=NEW_TENDER, headers=auth("buyer_a"))
    assert own.status_code == 201
    assert own.json()["buyer_id"] == "B-ONEE"
    foreign = {**NEW_TENDER, "external_id": "T-NEW-2", "buyer_id": "B-CASA"}
    assert client.post("/tenders", json=foreign, headers=auth("buyer_a")).status_code == 403
    moved = client.patch("/tenders/T-PAY", json={"buyer_id": "B-CASA"}, headers=auth("buyer_a"))
    assert moved.status_code == 403
    assert client.get("/tenders/T-PAY", headers=auth("staff")).json()["buyer_id"] == "B-ONEE"


def test_startup_gives_feedback_only_for_itself(client: TestClient, auth: Auth) -> None:
    body = {"startup_id": "S-ROAD", "tender_id": "T-PAY", "verdict": "relevant"}
    assert client.post("/feedback", json=body, headers=auth("startup_a")).status_code == 403
    assert client.post("/feedback", json=body, headers=auth("startup_b")).status_code == 201
