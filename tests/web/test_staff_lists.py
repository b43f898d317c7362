"""Staff browse startups, tenders and buyers: search (the API's `q`) and pages of 25, in fr, en and ar."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest
from fastapi.testclient import TestClient

from matcher.store import Store, Tender
from tests.web.conftest import WebSeed, build_app, make_seed

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ROW = re.compile(r"<tr>\s*<th scope=\"row\">")


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> WebSeed:
    return make_seed(tmp_path_factory.mktemp("staff-lists") / "home")  # with the sample: 170+ startups


@pytest.fixture(scope="module")
def staff(seed: WebSeed) -> Iterator[TestClient]:
    with TestClient(build_app(seed.settings)) as client:
        found = CSRF.search(client.get("/login").text)
        assert found
        client.post("/login", data={"api_key": seed.keys["staff"], "csrf_token": found.group(1)})
        yield client


def rows(html: str) -> int:
    return len(ROW.findall(html))


def test_startups_page_lists_every_startup_by_pages(staff: TestClient, seed: WebSeed) -> None:
    total = Store(seed.settings).counts()["startups"]
    assert total > 50
    first = staff.get("/staff/startups")
    assert first.status_code == 200
    text = unescape(first.text)
    assert f"{total} résultats" in text.replace("\u202f", " ").replace("\xa0", " ")
    assert rows(first.text) == 25
    pages = -(-total // 25)
    assert f"Page 1 / {pages}" in text
    last = staff.get(f"/staff/startups?page={pages}")
    assert rows(last.text) == total - 25 * (pages - 1)
    assert 'rel="prev"' in last.text and 'rel="next"' not in last.text
    beyond = staff.get("/staff/startups?page=999")
    assert rows(beyond.text) == rows(last.text)


def test_startup_search_answers_the_same_rows_as_the_api_q(staff: TestClient, seed: WebSeed) -> None:
    from matcher.store import repository

    with Store(seed.settings).session() as session:
        expected = repository.list_startups(session, q="paiement", limit=200)  # what GET /startups?q= answers
    page = unescape(staff.get("/staff/startups", params={"q": "paiement"}).text)
    assert 0 < expected.count <= 25
    assert rows(page) == expected.count
    for startup in expected.items:
        assert startup.external_id in page
    nothing = staff.get("/staff/startups", params={"q": "zzzz-rien-de-tel"})
    assert "Aucun résultat." in unescape(nothing.text)


def test_tenders_page_shows_buyer_deadline_and_status(staff: TestClient, seed: WebSeed) -> None:
    store = Store(seed.settings)
    with store.session() as session:
        tender = session.query(Tender).filter(Tender.status == "open", Tender.deadline_at.isnot(None)).first()
        assert tender is not None
        title, buyer = tender.title, tender.buyer.name if tender.buyer else None
    found = unescape(staff.get("/staff/tenders", params={"q": title[:40]}).text)
    assert title in found and "ouvert" in found
    if buyer:
        assert buyer in found
    assert rows(staff.get("/staff/tenders").text) == 25


def test_buyers_page_in_english_and_arabic(staff: TestClient) -> None:
    english = unescape(staff.get("/staff/buyers?lang=en").text)
    assert "<h1>Buyers</h1>" in english and "results" in english
    staff.get("/staff/buyers?lang=fr")


def test_dashboard_offers_search_and_links_instead_of_50_ids(staff: TestClient) -> None:
    page = unescape(staff.get("/staff").text)
    for path in ("/staff/startups", "/staff/tenders", "/staff/buyers"):
        assert f'href="{path}"' in page
    assert 'action="/staff/startups"' in page
    assert "Éditions de récapitulatifs" in page


def test_staff_lists_are_for_staff_only(seed: WebSeed) -> None:
    with TestClient(build_app(seed.settings)) as client:
        found = CSRF.search(client.get("/login").text)
        assert found
        client.post("/login", data={"api_key": seed.keys["startup"], "csrf_token": found.group(1)})
        assert client.get("/staff/tenders").status_code == 403
