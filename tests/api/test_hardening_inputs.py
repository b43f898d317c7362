"""Finding 2 (unbounded text) and finding 8's input parts (NUL bytes, infinite numbers, javascript: URLs)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from matcher.schemas import DESCRIPTION_MAX, LIST_MAX, NAME_MAX, TITLE_MAX
from matcher.settings import Settings
from service.app import create_app
from tests.api.conftest import Auth

TOO_LONG: list[tuple[str, str, str, dict[str, Any], str]] = [
    ("startup_a", "PATCH", "/startups/S-PAY", {"description": "x" * (DESCRIPTION_MAX + 1)}, "body.description"),
    ("startup_a", "PATCH", "/startups/S-PAY", {"name": "N" * (NAME_MAX + 1)}, "body.name"),
    ("startup_a", "PATCH", "/startups/S-PAY", {"sectors": [f"s{n}" for n in range(LIST_MAX + 1)]}, "body.sectors"),
    ("startup_a", "PATCH", "/startups/S-PAY", {"tags": ["t" * 500]}, "body.tags"),
    ("startup_a", "PATCH", "/startups/S-PAY", {"city": "c" * 500}, "body.city"),
    ("buyer_a", "POST", "/tenders", {"external_id": "T-BIG", "title": "T" * (TITLE_MAX + 1)}, "body.title"),
    ("staff", "PATCH", "/tenders/T-PAY", {"title": "T" * (TITLE_MAX + 1)}, "body.title"),
    ("staff", "PATCH", "/buyers/B-ONEE", {"name": "B" * (NAME_MAX + 1)}, "body.name"),
]


@pytest.mark.parametrize(("caller", "method", "path", "body", "field"), TOO_LONG, ids=[t[4] for t in TOO_LONG])
def test_finding2_oversized_field_is_refused_naming_it(
    client: TestClient, auth: Auth, caller: str, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    response = client.request(method, path, json=body, headers=auth(caller))
    assert response.status_code == 422, response.text
    assert field in [d["field"] for d in response.json()["error"]["details"]]


def test_finding2_megabytes_of_text_are_refused_before_parsing(client: TestClient, auth: Auth) -> None:
    response = client.patch("/startups/S-PAY", json={"description": "x" * 4_000_000}, headers=auth("startup_a"))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    title = client.post("/tenders", json={"external_id": "T-5MB", "title": "T" * 5_000_000}, headers=auth("buyer_a"))
    assert title.status_code == 413
    assert client.get("/tenders/T-5MB", headers=auth("staff")).status_code == 404


def test_finding2_upload_route_keeps_its_own_larger_limit(api_settings: Settings, auth: Auth) -> None:
    small = api_settings.model_copy(update={"max_body_bytes": 16 * 1024})
    body = b"external_id,name\n" + b"".join(b"S-%05d,Startup %05d\n" % (n, n) for n in range(2000))
    assert len(body) > 2 * small.max_body_bytes
    with TestClient(create_app(small, load_engine=False)) as client:
        upload = client.post("/imports/startups", files={"file": ("s.csv", body, "text/csv")}, headers=auth("staff"))
        assert upload.status_code == 200, upload.text
        patch = client.patch("/startups/S-PAY", json={"description": "x" * 20_000}, headers=auth("staff"))
        assert patch.status_code == 413


NUL_AND_INF: list[tuple[str, str, dict[str, Any], str]] = [
    ("PATCH", "/startups/S-PAY", {"description": "paiement\u0000mobile"}, "body.description"),
    ("PATCH", "/startups/S-PAY", {"name": "Pay\u0000Nova"}, "body.name"),
    ("POST", "/suppliers/search", {"query": "paie\u0000ment"}, "body.query"),
    (
        "POST",
        "/feedback",
        {"startup_id": "S-PAY", "tender_id": "T-PAY", "verdict": "won", "note": "\u0000"},
        "body.note",
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), NUL_AND_INF, ids=[t[3] for t in NUL_AND_INF])
def test_finding8_nul_bytes_are_refused(
    client: TestClient, auth: Auth, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    response = client.request(method, path, json=body, headers=auth("staff"))
    assert response.status_code == 422, response.text
    assert field in [d["field"] for d in response.json()["error"]["details"]]


@pytest.mark.parametrize("literal", ["1e400", "Infinity", "NaN", "-1e999"])
def test_finding8_non_finite_numbers_are_refused(client: TestClient, auth: Auth, literal: str) -> None:
    raw = '{"annual_revenue": ' + literal + "}"
    response = client.patch(
        "/startups/S-PAY", content=raw, headers=auth("startup_a") | {"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert "body.annual_revenue" in [d["field"] for d in response.json()["error"]["details"]]
    assert client.get("/startups/S-PAY", headers=auth("staff")).json()["annual_revenue"] != float("inf")


@pytest.mark.parametrize(
    "url", ["javascript:alert(document.cookie)", "data:text/html,<script>x</script>", "ftp://x.ma/a", "//evil.example"]
)
def test_finding8_only_http_urls_are_accepted(client: TestClient, auth: Auth, url: str) -> None:
    response = client.patch("/tenders/T-PAY", json={"source_url": url}, headers=auth("staff"))
    assert response.status_code == 422, response.text
    assert "body.source_url" in [d["field"] for d in response.json()["error"]["details"]]
    created = client.post(
        "/tenders", json={"external_id": "T-JS", "title": "Paiement", "source_url": url}, headers=auth("buyer_a")
    )
    assert created.status_code == 422


def test_finding8_https_url_is_kept(client: TestClient, auth: Auth) -> None:
    response = client.patch(
        "/tenders/T-PAY", json={"source_url": "https://marchespublics.gov.ma/ao/1"}, headers=auth("staff")
    )
    assert response.status_code == 200, response.text
    assert response.json()["source_url"] == "https://marchespublics.gov.ma/ao/1"


def test_finding8_nul_byte_in_a_query_parameter_is_refused(client: TestClient, auth: Auth) -> None:
    response = client.get("/tenders?q=paie%00ment", headers=auth("staff"))
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "query.q"
