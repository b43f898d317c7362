"""Bad input on every write route: 422 with the field and the reason, and nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Auth

BAD_WRITES = [
    ("POST", "/startups", {"external_id": "S-X"}, "body.name"),
    ("POST", "/startups", {"external_id": "S-X", "name": "X", "headcount": -1}, "body.headcount"),
    ("POST", "/startups", {"external_id": "S-X", "name": "X", "cpv_codes": ["not-a-cpv"]}, "body.cpv_codes"),
    ("POST", "/startups", {"external_id": "S-X", "name": "X", "contact_email": "nobody"}, "body.contact_email"),
    ("POST", "/startups", {"external_id": "S-X", "name": "X", "founding_year": 1492}, "body.founding_year"),
    ("POST", "/startups", {"external_id": "S-X", "name": "X", "favourite_colour": "blue"}, "body.favourite_colour"),
    # numbers beyond what a database column holds: a 422 on the field, not a server error
    ("POST", "/startups", {"external_id": "S-X", "name": "X", "references_count": 10**30}, "body.references_count"),
    ("POST", "/startups", {"external_id": "S-X", "name": "X", "headcount": 2**63}, "body.headcount"),
    ("POST", "/tenders", {"external_id": "T-X", "title": "X", "min_references": 10**20}, "body.min_references"),
    (
        "POST",
        "/tenders",
        {"external_id": "T-X", "title": "X", "min_years_in_business": 5000},
        "body.min_years_in_business",
    ),
    ("PATCH", "/startups/S-PAY", {"references_count": 10**30}, "body.references_count"),
    ("PATCH", "/startups/S-PAY", {"headcount": -3}, "body.headcount"),
    ("PATCH", "/startups/S-PAY", {"name": None}, "body.name"),
    ("PATCH", "/startups/S-PAY", {"external_id": "S-OTHER"}, "body.external_id"),
    ("PATCH", "/startups/S-PAY", {"preferred_language": "de"}, "body.preferred_language"),
    ("POST", "/buyers", {"external_id": "B-X", "name": "X", "kind": "alien"}, "body.kind"),
    ("PATCH", "/buyers/B-ONEE", {"contact_email": "not-an-email"}, "body.contact_email"),
    ("POST", "/tenders", {"external_id": "T-X"}, "body.title"),
    ("POST", "/tenders", {"external_id": "T-X", "title": "X", "estimated_value": -5}, "body.estimated_value"),
    (
        "POST",
        "/tenders",
        {"external_id": "T-X", "title": "X", "published_at": "2026-03-10", "deadline_at": "2026-03-01"},
        "body.deadline_at",
    ),
    ("POST", "/tenders", {"external_id": "T-X", "title": "X", "deadline_at": "next tuesday"}, "body.deadline_at"),
    ("POST", "/tenders", {"external_id": "T-X", "title": "X", "buyer_id": "B-NOPE"}, "body.buyer_id"),
    (
        "POST",
        "/tenders",
        {
            "external_id": "T-X",
            "title": "X",
            "lots": [{"lot_number": 1, "title": "a"}, {"lot_number": 1, "title": "b"}],
        },
        "body.lots",
    ),
    ("POST", "/tenders", {"external_id": "T-X", "title": "X", "lots": [{"title": "a"}]}, "body.lots.0.lot_number"),
    ("PATCH", "/tenders/T-PAY", {"status": "maybe"}, "body.status"),
    ("PATCH", "/tenders/T-PAY", {"deadline_at": "2000-01-01T00:00:00Z"}, "body.deadline_at"),
    ("POST", "/feedback", {"startup_id": "S-PAY", "tender_id": "T-PAY", "verdict": "meh"}, "body.verdict"),
    ("POST", "/feedback", {"startup_id": "S-PAY", "verdict": "won"}, "body.tender_id"),
    ("POST", "/keys", {"role": "startup"}, "body.startup_id"),
    ("POST", "/keys", {"role": "staff", "buyer_id": "B-ONEE"}, "body.buyer_id"),
    ("POST", "/keys", {"role": "admin"}, "body.role"),
    ("POST", "/suppliers/search", {}, "body.q"),
    ("POST", "/suppliers/search", {"q": "   "}, "body.q"),
    ("POST", "/suppliers/search", {"q": "paiement", "tender_id": "T-PAY"}, "body.q"),
    ("POST", "/suppliers/search", {"query": "paiement"}, "body.query"),
    ("POST", "/suppliers/search", {"q": "paiement", "limit": 0}, "body.limit"),
    (
        "POST",
        "/suppliers/search",
        {"q": "x", "filters": {"min_headcount": 9, "max_headcount": 2}},
        "body.filters.min_headcount",
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"), BAD_WRITES, ids=[f"{m} {p} {f}" for m, p, _, f in BAD_WRITES]
)
def test_bad_input_names_the_field(
    client: TestClient, auth: Auth, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    before = client.app.state.store.counts()  # type: ignore[attr-defined]
    response = client.request(method, path, json=body, headers=auth("staff"))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in [detail["field"] for detail in error["details"]], error
    assert all(detail["reason"] for detail in error["details"])
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert client.app.state.store.counts() == before  # type: ignore[attr-defined]


def test_a_failed_update_changes_nothing(client: TestClient, auth: Auth) -> None:
    before = client.get("/startups/S-PAY", headers=auth("staff")).json()
    response = client.patch("/startups/S-PAY", json={"city": "Tanger", "headcount": -1}, headers=auth("staff"))
    assert response.status_code == 422
    assert client.get("/startups/S-PAY", headers=auth("staff")).json() == before


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "query.limit"),
        ("limit=100000", "query.limit"),
        ("offset=-1", "query.offset"),
        ("cpv_prefix=7x", "query.cpv_prefix"),
        ("status=pending", "query.status"),
        ("reserved_for_sme=perhaps", "query.reserved_for_sme"),
    ],
)
def test_bad_listing_parameters_name_the_parameter(client: TestClient, auth: Auth, query: str, field: str) -> None:
    response = client.get(f"/tenders?{query}", headers=auth("staff"))
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == field


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("min_value=10&max_value=5", "query.min_value"),
        ("min_value=-1", "query.min_value"),
        ("deadline_within_days=-2", "query.deadline_within_days"),
        ("limit=500", "query.limit"),
    ],
)
def test_bad_match_parameters_name_the_parameter(client: TestClient, auth: Auth, query: str, field: str) -> None:
    response = client.get(f"/startups/S-PAY/matches?{query}", headers=auth("startup_a"))
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == field


def test_malformed_json_is_a_422_not_a_crash(client: TestClient, auth: Auth) -> None:
    response = client.post(
        "/startups",
        content=b'{"external_id": "S-X", "name": ',
        headers={**auth("staff"), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"].startswith("body")


def test_wrong_method_has_the_error_shape(client: TestClient, auth: Auth) -> None:
    response = client.put("/startups/S-PAY", json={}, headers=auth("staff"))
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
