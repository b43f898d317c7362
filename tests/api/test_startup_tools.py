"""A startup's daily tools over the API: tender page, tender search, saved searches with e-mail alerts,
bid pipeline with reminders, hidden tenders — with the list envelope, the roles and 422s naming the parameter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from matcher.alerts.run import run_reminders
from matcher.settings import Settings
from matcher.store import DeclaredReference, Store
from service.app import create_app
from tests.api.conftest import NOW, Auth
from tests.digests.conftest import SmtpServer, smtp_server  # noqa: F401  (fixture)

ENVELOPE = {"data", "total", "limit", "offset"}


@pytest.fixture
def mail_client(api_settings: Settings, smtp_server: SmtpServer) -> Iterator[tuple[TestClient, Settings]]:  # noqa: F811
    settings = api_settings.model_copy(
        update={"smtp_host": smtp_server.host, "smtp_port": smtp_server.port, "public_url": "http://testserver"}
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client, settings


def _error_fields(response: object) -> list[str]:
    body = response.json()  # type: ignore[attr-defined]
    return [d["field"] for d in body["error"]["details"]]


# -- tender search ---------------------------------------------------------------------------------
def test_search_finds_open_tenders_by_words_and_meaning(engine_client: TestClient, auth: Auth) -> None:
    response = engine_client.get("/tenders/search", params={"q": "paiement mobile"}, headers=auth("startup_a"))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == ENVELOPE
    ids = [hit["external_id"] for hit in body["data"]]
    assert ids[0] == "T-PAY"
    assert "T-OLD" not in ids  # closed
    assert body["total"] == len(ids)
    assert body["data"][0]["url"].endswith("/tender/T-PAY")


def test_search_filters_sorts_and_pages(engine_client: TestClient, auth: Auth) -> None:
    everything = engine_client.get("/tenders/search", params={"sort": "value"}, headers=auth("buyer_a")).json()
    assert [h["external_id"] for h in everything["data"]] == ["T-ROAD", "T-PAY"]
    assert everything["total"] == 2
    page = engine_client.get(
        "/tenders/search", params={"sort": "value", "limit": 1, "offset": 1}, headers=auth("staff")
    )
    assert page.json()["data"][0]["external_id"] == "T-PAY" and page.json()["total"] == 2
    cases = {
        "cpv_prefix": ({"cpv_prefix": "45"}, ["T-ROAD"]),
        "buyer_kind": ({"buyer_kind": "local_authority"}, ["T-ROAD"]),
        "reserved": ({"reserved_for_sme": "true"}, ["T-PAY"]),
        "value": ({"max_value": 2_000_000}, ["T-PAY"]),
        "deadline": ({"max_days_left": 35}, ["T-ROAD"]),
        "language": ({"language": "ar"}, []),
    }
    for name, (params, expected) in cases.items():
        found = engine_client.get("/tenders/search", params=params, headers=auth("staff")).json()
        assert [h["external_id"] for h in found["data"]] == expected, name


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"min_value": 10, "max_value": 5}, "query.min_value"),
        ({"min_days_left": 9, "max_days_left": 2}, "query.min_days_left"),
        ({"cpv_prefix": "7a"}, "query.cpv_prefix"),
        ({"sort": "price"}, "query.sort"),
        ({"buyer_kind": "alien"}, "query.buyer_kind"),
        ({"limit": 0}, "query.limit"),
        ({"reserved_for_sme": "perhaps"}, "query.reserved_for_sme"),
    ],
)
def test_bad_search_filters_name_the_parameter(client: TestClient, auth: Auth, params: dict, field: str) -> None:
    response = client.get("/tenders/search", params=params, headers=auth("staff"))
    assert response.status_code == 422
    assert field in _error_fields(response)


def test_search_needs_a_key(client: TestClient) -> None:
    assert client.get("/tenders/search").status_code == 401


# -- tender page -----------------------------------------------------------------------------------
def test_tender_page_tells_a_startup_where_it_stands(engine_client: TestClient, auth: Auth) -> None:
    changed = engine_client.patch(
        "/tenders/T-PAY",
        json={"min_references": 3, "required_certifications": ["ISO 27001", "ISO 9001"]},
        headers=auth("staff"),
    )
    assert changed.status_code == 200
    body = engine_client.get("/tenders/T-PAY", headers=auth("startup_a")).json()
    assert body["requirements_for"] == "S-PAY"
    statuses = {(r["code"], r["params"].get("name")): r["status"] for r in body["requirements"]}
    assert statuses == {
        ("references", None): "missing",
        ("certification", "ISO 27001"): "met",
        ("certification", "ISO 9001"): "missing",
        ("sme_reservation", None): "met",
    }
    assert body["cpv"][0]["label"].startswith("Services de technologies de l'information")
    assert body["source_url"] is None and body["documents"] == []  # no link published
    assert body["time_zone"] == "Africa/Casablanca" and body["days_left"] in (39, 40)
    assert body["buyer_history"]["name"] == "Office National de l'Électricité"
    assert body["buyer_history"]["tenders_published"] == 2
    english = engine_client.get("/tenders/T-PAY", params={"lang": "en"}, headers=auth("staff")).json()
    assert english["cpv"][0]["label"].startswith("IT services")
    assert {r["status"] for r in english["requirements"]} == {"unknown"}  # staff, no startup named


def test_tender_page_roles(engine_client: TestClient, auth: Auth) -> None:
    assert engine_client.get("/tenders/T-PAY").status_code == 401
    assert (
        engine_client.get("/tenders/T-PAY", params={"startup_id": "S-ROAD"}, headers=auth("startup_a")).status_code
        == 403
    )
    assert (
        engine_client.get("/tenders/T-PAY", params={"startup_id": "S-PAY"}, headers=auth("buyer_a")).status_code == 403
    )
    assert engine_client.get("/tenders/T-NOPE", headers=auth("startup_a")).status_code == 404
    staff = engine_client.get("/tenders/T-PAY", params={"startup_id": "S-ROAD"}, headers=auth("staff")).json()
    assert staff["requirements_for"] == "S-ROAD"


def test_calendar_file_for_the_deadline(client: TestClient, auth: Auth) -> None:
    response = client.get("/tenders/T-PAY/calendar.ics", headers=auth("startup_a"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    text = response.text
    assert "BEGIN:VEVENT" in text and "UID:tender-T-PAY@tremplin" in text and "BEGIN:VALARM" in text
    assert client.get("/tenders/T-PAY/calendar.ics").status_code == 401
    assert client.get("/tenders/T-NOPE/calendar.ics", headers=auth("staff")).status_code == 404


# -- saved searches --------------------------------------------------------------------------------
SAVED = {"name": "paiement — Casablanca", "query": "paiement mobile", "filters": {"region": "Casablanca-Settat"}}


def test_saved_searches_crud_envelope_and_limit(client: TestClient, auth: Auth) -> None:
    url = "/startups/S-PAY/saved-searches"
    created = client.post(url, json=SAVED, headers=auth("startup_a"))
    assert created.status_code == 201, created.text
    saved = created.json()
    assert saved["frequency"] == "daily" and saved["active"] is True and "/alerts/feeds/" in saved["feed_url"]
    listing = client.get(url, headers=auth("startup_a")).json()
    assert set(listing) == ENVELOPE and listing["total"] == 1
    changed = client.patch(f"{url}/{saved['id']}", json={"frequency": "weekly"}, headers=auth("startup_a"))
    assert changed.json()["frequency"] == "weekly"
    for n in range(24):
        assert client.post(url, json={**SAVED, "name": f"s{n}"}, headers=auth("staff")).status_code == 201
    assert client.post(url, json=SAVED, headers=auth("startup_a")).status_code == 409  # 25 at most
    assert client.delete(f"{url}/{saved['id']}", headers=auth("startup_a")).status_code == 204
    assert client.get(f"{url}/{saved['id']}", headers=auth("startup_a")).status_code == 404


def test_saved_search_roles_and_validation(client: TestClient, auth: Auth) -> None:
    url = "/startups/S-PAY/saved-searches"
    saved = client.post(url, json=SAVED, headers=auth("startup_a")).json()
    one = f"{url}/{saved['id']}"
    for method, path, body in [("get", url, None), ("post", url, SAVED), ("get", one, None), ("patch", one, {}),
                               ("delete", one, None)]:  # fmt: skip
        kwargs = {"json": body} if body is not None else {}
        assert client.request(method, path, **kwargs).status_code == 401
        assert client.request(method, path, headers=auth("startup_b"), **kwargs).status_code == 403
        assert client.request(method, path, headers=auth("buyer_a"), **kwargs).status_code == 403
    assert client.get("/startups/S-ROAD/saved-searches/" + str(saved["id"]), headers=auth("staff")).status_code == 404
    bad = client.post(url, json={**SAVED, "filters": {"cpv_prefix": "x"}}, headers=auth("startup_a"))
    assert bad.status_code == 422 and "body.filters.cpv_prefix" in _error_fields(bad)
    bad = client.post(url, json={**SAVED, "frequency": "hourly"}, headers=auth("startup_a"))
    assert bad.status_code == 422 and "body.frequency" in _error_fields(bad)
    empty = client.post(url, json={"name": "all", "query": ""}, headers=auth("startup_a"))
    assert empty.status_code == 422 and "body.query" in _error_fields(empty)


def test_alert_run_sends_once_then_nothing_and_unsubscribe_works(
    mail_client: tuple[TestClient, Settings],
    auth: Auth,
    smtp_server: SmtpServer,  # noqa: F811
) -> None:
    client, _settings = mail_client
    saved = client.post("/startups/S-PAY/saved-searches", json=SAVED, headers=auth("startup_a")).json()
    assert client.post("/alerts/run", headers=auth("startup_a")).status_code == 403
    assert client.post("/alerts/run").status_code == 401
    first = client.post("/alerts/run", headers=auth("staff")).json()
    assert first["alerts"]["emails"] == 1, first
    [mail] = smtp_server.recorder.to("contact@paynova.ma")
    message = mail.message
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Plateforme de paiement mobile" in body and "/tender/T-PAY" in body
    assert "Réfection de la chaussée" not in body
    second = client.post("/alerts/run", headers=auth("staff")).json()
    assert second["alerts"]["emails"] == 0 and len(smtp_server.recorder.received) == 1

    feed = client.get(urlsplit(saved["feed_url"]).path)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    assert "urn:tremplin:tender:T-PAY" in feed.text
    assert client.get("/alerts/feeds/not-the-secret-token.atom").status_code == 404

    unsubscribe = urlsplit(message["List-Unsubscribe"].strip().strip("<>")).path
    page = client.get(unsubscribe)  # no key: the signed link is enough; GET only asks
    assert page.status_code == 200 and "<form" in page.text
    assert client.get(f"/startups/S-PAY/saved-searches/{saved['id']}", headers=auth("staff")).json()["active"]
    done = client.post(unsubscribe, content=b"List-Unsubscribe=One-Click",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert done.status_code == 200
    assert not client.get(f"/startups/S-PAY/saved-searches/{saved['id']}", headers=auth("staff")).json()["active"]
    assert client.post(unsubscribe[:-3] + "xyz").status_code == 404  # a forged token


# -- bid pipeline and hidden tenders ---------------------------------------------------------------
def test_bid_pipeline_and_won_reference(client: TestClient, auth: Auth, api_settings: Settings) -> None:
    settings = api_settings
    url = "/startups/S-PAY/bids"
    moved = client.put(f"{url}/T-PAY", json={"status": "interested", "note": "voir le CPS"}, headers=auth("startup_a"))
    assert moved.status_code == 200 and moved.json()["status"] == "interested"
    for status in ("preparing", "submitted", "won"):
        client.put(f"{url}/T-PAY", json={"status": status}, headers=auth("startup_a"))
    board = client.get(url, headers=auth("startup_a")).json()
    assert set(board) == ENVELOPE and board["total"] == 1
    bid = board["data"][0]
    assert [h["status"] for h in bid["history"]] == ["interested", "preparing", "submitted", "won"]
    assert bid["note"] == "voir le CPS"
    with Store(settings).session() as session:  # the trust work's declared references
        declared = session.scalars(select(DeclaredReference)).all()
        assert [(d.title, d.buyer_name, d.amount) for d in declared] == [
            ("Plateforme de paiement mobile pour la facturation de l'électricité",
             "Office National de l'Électricité", 1_500_000)
        ]  # fmt: skip
    assert client.get(url, params={"status": "lost"}, headers=auth("startup_a")).json()["total"] == 0
    bad = client.put(f"{url}/T-PAY", json={"status": "maybe"}, headers=auth("startup_a"))
    assert bad.status_code == 422 and "body.status" in _error_fields(bad)
    assert client.get(url, params={"status": "maybe"}, headers=auth("staff")).status_code == 422
    assert client.put(f"{url}/T-NOPE", json={"status": "interested"}, headers=auth("staff")).status_code == 404
    for method, path, body in [("get", url, None), ("put", f"{url}/T-PAY", {"status": "lost"}),
                               ("delete", f"{url}/T-PAY", None)]:  # fmt: skip
        kwargs = {"json": body} if body is not None else {}
        assert client.request(method, path, **kwargs).status_code == 401
        assert client.request(method, path, headers=auth("startup_b"), **kwargs).status_code == 403
        assert client.request(method, path, headers=auth("buyer_a"), **kwargs).status_code == 403
    assert client.delete(f"{url}/T-PAY", headers=auth("startup_a")).status_code == 204
    assert client.delete(f"{url}/T-PAY", headers=auth("startup_a")).status_code == 404


def test_hidden_tenders_list_and_undo(client: TestClient, auth: Auth) -> None:
    client.post("/feedback", json={"startup_id": "S-PAY", "tender_id": "T-ROAD", "verdict": "not_relevant"},
                headers=auth("startup_a"))  # fmt: skip
    url = "/startups/S-PAY/hidden-tenders"
    hidden = client.get(url, headers=auth("startup_a")).json()
    assert set(hidden) == ENVELOPE and [h["tender_id"] for h in hidden["data"]] == ["T-ROAD"]
    assert client.get(url).status_code == 401
    assert client.get(url, headers=auth("startup_b")).status_code == 403
    assert client.delete(f"{url}/T-ROAD", headers=auth("buyer_a")).status_code == 403
    assert client.delete(f"{url}/T-ROAD", headers=auth("startup_a")).status_code == 204
    assert client.get(url, headers=auth("startup_a")).json()["total"] == 0
    assert client.delete(f"{url}/T-ROAD", headers=auth("startup_a")).status_code == 404


def test_deadline_reminders_go_out_once(
    mail_client: tuple[TestClient, Settings],
    auth: Auth,
    smtp_server: SmtpServer,  # noqa: F811
) -> None:
    client, settings = mail_client
    client.put("/startups/S-PAY/bids/T-PAY", json={"status": "preparing"}, headers=auth("startup_a"))
    client.put("/startups/S-ROAD/bids/T-ROAD", json={"status": "submitted"}, headers=auth("startup_b"))
    store = Store(settings)
    deadline = NOW + timedelta(days=40)
    assert run_reminders(store, settings, now=deadline - timedelta(days=10)).emails == 0
    assert run_reminders(store, settings, now=deadline - timedelta(days=6)).emails == 1
    assert run_reminders(store, settings, now=deadline - timedelta(days=5)).emails == 0
    assert run_reminders(store, settings, now=deadline - timedelta(days=2)).emails == 1  # J-2
    assert run_reminders(store, settings, now=deadline - timedelta(days=1)).emails == 0
    subjects = [r.message["Subject"] for r in smtp_server.recorder.received]
    assert len(subjects) == 2 and subjects[0].startswith("Tremplin — J-") and "Plateforme" in subjects[0]
    store.dispose()


def test_one_bad_saved_search_never_stops_the_run(
    mail_client: tuple[TestClient, Settings],
    auth: Auth,
    smtp_server: SmtpServer,  # noqa: F811
) -> None:
    client, settings = mail_client
    good = client.post("/startups/S-PAY/saved-searches", json=SAVED, headers=auth("startup_a")).json()
    road = {"name": "voirie", "query": "réfection de chaussée"}
    refused = client.post("/startups/S-ROAD/saved-searches", json=road, headers=auth("startup_b")).json()
    broken = client.post(
        "/startups/S-PAY/saved-searches", json={**SAVED, "name": "x"}, headers=auth("startup_a")
    ).json()
    store = Store(settings)
    with store.session() as session:
        from matcher.store import SavedSearch

        row = session.get(SavedSearch, broken["id"])
        assert row is not None
        row.filters = {"cpv_prefix": "not digits"}  # e.g. left by an older version
    smtp_server.recorder.refuse.add("bureau@atlas-chantiers.ma")
    report = client.post("/alerts/run", headers=auth("staff")).json()["alerts"]
    assert report["emails"] == 1  # the good one
    failed = {f["saved_search"]: f["reason"] for f in report["failures"]}
    assert set(failed) == {broken["id"], refused["id"]}
    assert "cpv_prefix" in failed[broken["id"]] and "550" in failed[refused["id"]]
    assert [r.rcpt_tos for r in smtp_server.recorder.received] == [["contact@paynova.ma"]]
    smtp_server.recorder.refuse.clear()
    again = client.post("/alerts/run", headers=auth("staff")).json()["alerts"]
    assert again["emails"] == 1 and good["id"] not in {f["saved_search"] for f in again["failures"]}
    store.dispose()


def test_only_web_links_reach_the_tender_page() -> None:
    from service.tender_view import safe_link

    assert safe_link("https://marchespublics.gov.ma/avis/42") == "https://marchespublics.gov.ma/avis/42"
    for bad in ("javascript:alert(1)", "data:text/html,x", "/relative", "ftp://x/y", "", None):
        assert safe_link(bad) is None
