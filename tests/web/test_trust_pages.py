"""Trust pages over HTTP: a startup controls its visibility, company id, disputes and declared references;
roles are enforced on every trust page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import WebSeed, build_app, make_seed

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> WebSeed:
    return make_seed(tmp_path_factory.mktemp("trust-pages") / "home", with_sample=False)


@pytest.fixture
def client(seed: WebSeed) -> Iterator[TestClient]:
    with TestClient(build_app(seed.settings)) as test_client:
        yield test_client


def _token(client: TestClient, path: str) -> str:
    found = CSRF.search(client.get(path).text)
    assert found, path
    return found.group(1)


def _sign_in(client: TestClient, key: str) -> None:
    client.post("/login", data={"api_key": key, "csrf_token": _token(client, "/login")}, follow_redirects=False)


def test_trust_pages_enforce_roles(client: TestClient, seed: WebSeed) -> None:
    assert client.get("/me/trust", follow_redirects=False).status_code == 303  # sign in first
    _sign_in(client, seed.keys["buyer"])
    assert client.get("/me/trust").status_code == 403
    assert client.get("/staff/links").status_code == 403
    assert client.get("/me/requests").status_code == 403
    assert client.get("/supplier/S-PAY").status_code == 200
    assert client.get("/supplier/NOPE").status_code == 404
    assert client.get("/compare?ids=S-PAY").status_code == 422
    assert client.get("/compare?ids=S-PAY&ids=S-AGRI").status_code == 200
    client.cookies.clear()
    _sign_in(client, seed.keys["startup"])
    assert client.get("/supplier/S-AGRI").status_code == 403  # another startup's profile
    assert client.get("/buyer/shortlists").status_code == 403
    assert client.get("/staff/links").status_code == 403


def test_startup_hides_its_profile_sets_its_id_and_declares_a_reference(client: TestClient, seed: WebSeed) -> None:
    _sign_in(client, seed.keys["startup"])
    token = _token(client, "/me/trust")
    bad = client.post(
        "/me/trust/settings", data={"csrf_token": token, "scheme": "ICE", "company_id": "123", "visible": "1"}
    )
    assert "15 digits" in unescape(bad.text)
    saved = client.post(
        "/me/trust/settings", data={"csrf_token": token, "scheme": "ICE", "company_id": "001234567000089"}
    )
    assert "Réglages enregistrés" in unescape(saved.text) and 'value="001234567000089"' in saved.text
    declared = client.post(
        "/me/trust/references",
        data={"csrf_token": token, "title": "Portail de paiement de la CNSS", "buyer_name": "CNSS", "year": "2025"},
    )
    assert "Portail de paiement de la CNSS" in unescape(declared.text)
    client.cookies.clear()
    _sign_in(client, seed.keys["buyer"])
    assert client.get("/supplier/S-PAY").status_code == 404  # hidden from buyers
    client.cookies.clear()
    _sign_in(client, seed.keys["staff"])
    page = unescape(client.get("/supplier/S-PAY").text)
    assert "Portail de paiement de la CNSS" in page and "déclarée" in page


def test_buyer_exports_its_shortlist_from_the_web(client: TestClient, seed: WebSeed) -> None:
    _sign_in(client, seed.keys["buyer"])
    token = _token(client, "/supplier/S-AGRI")
    added = client.post(
        "/supplier/S-AGRI/shortlist",
        data={"csrf_token": token, "new_name": "Irrigation", "note": "+33 rappeler"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    page = client.get(added.headers["location"])
    assert "AgriSense" in page.text and "Irrigation" in unescape(page.text)
    exported = client.get(added.headers["location"] + "/export.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert "AgriSense" in exported.text and "'+33 rappeler" in exported.text
    assert exported.text.lstrip("\ufeff").startswith("Rang,Identifiant du fournisseur,Nom,Activité")  # page in French
    client.cookies.clear()
    _sign_in(client, seed.keys["startup"])
    assert client.get(added.headers["location"] + "/export.csv").status_code == 403
