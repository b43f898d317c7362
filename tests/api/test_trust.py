"""Trust routes: supplier profiles, link review, claims, deliveries, shortlists, consent-based contact."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from matcher.linkage.link import link_awards
from matcher.schemas import TenderIn
from matcher.settings import Settings
from matcher.store import Award, Startup, Store, repository
from tests.api.conftest import Auth


@pytest.fixture
def trust_client(api_settings: Settings) -> Iterator[TestClient]:
    """The seeded store plus one official award to an award-built supplier named like PayNova."""
    from service.app import create_app

    store = Store(api_settings)
    store.migrate()
    with store.session() as session:
        tender = repository.create_tender(
            session,
            TenderIn(
                external_id="T-AW", title="Passerelle de paiement des factures", buyer_external_id="B-ONEE",
                cpv_codes=["72000000"], status="awarded", estimated_value=800_000,
            ),
            source="ocds",
        )  # fmt: skip
        supplier = Startup(external_id="OCDS:PAYNOVA", name="STE PAYNOVA SARL", source="ocds")
        session.add(supplier)
        session.flush()
        session.add(Award(tender_id=tender.id, startup_id=supplier.id, amount=800_000))
        session.flush()
        link_awards(session)
    store.dispose()
    with TestClient(create_app(api_settings, load_engine=False)) as client:
        yield client


def _queue(client: TestClient, auth: Auth) -> list[dict]:
    response = client.get("/links/review", headers=auth("staff"))
    assert response.status_code == 200
    return response.json()["data"]


def test_profile_roles_and_no_contact_without_consent(trust_client: TestClient, auth: Auth) -> None:
    assert trust_client.get("/suppliers/S-PAY").status_code == 401
    assert trust_client.get("/suppliers/S-PAY", headers=auth("startup_b")).status_code == 403
    assert trust_client.get("/suppliers/NOPE", headers=auth("buyer_a")).status_code == 404
    body = trust_client.get("/suppliers/S-PAY", headers=auth("buyer_a")).json()
    assert body["contact"] is None and "annual_revenue" not in body
    assert body["revenue_band"] == "1m_5m" and body["summary"].startswith("Paiement mobile")
    assert body["certifications"][0]["name"] == "ISO 27001"
    assert trust_client.get("/suppliers/S-PAY", headers=auth("startup_a")).json()["contact"]["email"]
    assert trust_client.get("/suppliers/S-PAY", headers=auth("staff")).json()["contact"]["email"]


def test_hidden_profile_is_not_found_for_buyers(trust_client: TestClient, auth: Auth) -> None:
    put = trust_client.put("/startups/S-PAY/trust", json={"profile_visible": False}, headers=auth("startup_a"))
    assert put.status_code == 200
    assert trust_client.get("/suppliers/S-PAY", headers=auth("buyer_a")).status_code == 404
    assert trust_client.get("/suppliers/S-PAY", headers=auth("staff")).status_code == 200
    assert trust_client.put("/startups/S-PAY/trust", json={}, headers=auth("buyer_a")).status_code == 403
    assert trust_client.put("/startups/S-PAY/trust", json={}, headers=auth("startup_b")).status_code == 403


def test_company_id_is_validated_in_the_api(trust_client: TestClient, auth: Auth) -> None:
    bad = trust_client.put(
        "/startups/S-PAY/trust", json={"company_id": "12345", "company_id_scheme": "ICE"}, headers=auth("startup_a")
    )
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "body.company_id"
    good = trust_client.put(
        "/startups/S-PAY/trust",
        json={"company_id": "001234567000089", "company_id_scheme": "ICE"},
        headers=auth("startup_a"),
    )
    assert good.json()["company_id"] == "001234567000089"


def test_staff_confirm_turns_the_reference_verified(trust_client: TestClient, auth: Auth) -> None:
    queue = _queue(trust_client, auth)
    assert [(q["startup_id"], q["status"], q["supplier_name"]) for q in queue] == [
        ("S-PAY", "proposed", "STE PAYNOVA SARL")
    ]
    link_id = queue[0]["id"]
    assert trust_client.get("/suppliers/S-PAY", headers=auth("buyer_a")).json()["references"]["verified"] == []
    assert trust_client.get("/links/review", headers=auth("buyer_a")).status_code == 403
    assert trust_client.get("/links/review").status_code == 401
    assert trust_client.post(f"/links/{link_id}/confirm", headers=auth("startup_a")).status_code == 403
    assert trust_client.post("/links/9999/confirm", headers=auth("staff")).status_code == 404
    done = trust_client.post(f"/links/{link_id}/confirm", json={"note": "même société"}, headers=auth("staff"))
    assert done.status_code == 200 and done.json()["status"] == "confirmed"
    assert trust_client.post(f"/links/{link_id}/confirm", headers=auth("staff")).status_code == 409
    verified = trust_client.get("/suppliers/S-PAY", headers=auth("buyer_a")).json()["references"]["verified"]
    assert [(v["title"], v["buyer_id"]) for v in verified] == [("Passerelle de paiement des factures", "B-ONEE")]
    assert _queue(trust_client, auth) == []


def test_dispute_and_claim(trust_client: TestClient, auth: Auth) -> None:
    link = _queue(trust_client, auth)[0]
    assert trust_client.post(f"/links/{link['id']}/dispute", headers=auth("startup_b")).status_code == 404
    assert trust_client.post(f"/links/{link['id']}/dispute", headers=auth("buyer_a")).status_code == 403
    disputed = trust_client.post(f"/links/{link['id']}/dispute", headers=auth("startup_a"))
    assert disputed.json()["status"] == "disputed"
    rejected = trust_client.post(f"/links/{link['id']}/reject", headers=auth("staff"))
    assert rejected.json()["status"] == "rejected"
    claim = trust_client.post("/startups/S-PAY/claims", json={"award_id": link["award_id"]}, headers=auth("startup_a"))
    assert claim.status_code == 201 and claim.json()["status"] == "claimed"
    other = trust_client.post("/startups/S-PAY/claims", json={"award_id": link["award_id"]}, headers=auth("startup_b"))
    assert other.status_code == 403


def test_only_the_awards_buyer_confirms_delivery(trust_client: TestClient, auth: Auth) -> None:
    link = _queue(trust_client, auth)[0]
    body = {"startup_id": "S-PAY", "rating": 5, "comment": "Livré à temps"}
    url = f"/awards/{link['award_id']}/delivery"
    assert trust_client.post(url, json=body).status_code == 401
    assert trust_client.post(url, json=body, headers=auth("startup_a")).status_code == 403  # never its own
    assert trust_client.post(url, json=body, headers=auth("buyer_b")).status_code == 403  # not its award
    assert trust_client.post(url, json=body, headers=auth("staff")).status_code == 403
    assert trust_client.post("/awards/9999/delivery", json=body, headers=auth("buyer_a")).status_code == 404
    assert trust_client.post(url, json={**body, "rating": 6}, headers=auth("buyer_a")).status_code == 422
    done = trust_client.post(url, json=body, headers=auth("buyer_a"))
    assert done.status_code == 201
    confirmed = trust_client.get("/suppliers/S-PAY", headers=auth("buyer_b")).json()["references"]["buyer_confirmed"]
    assert [(c["buyer_id"], c["rating"], c["comment"]) for c in confirmed] == [("B-ONEE", 5, "Livré à temps")]


def test_shortlist_flow_and_csv_is_formula_safe(trust_client: TestClient, auth: Auth) -> None:
    assert trust_client.post("/shortlists", json={"name": "x"}, headers=auth("startup_a")).status_code == 403
    assert trust_client.post("/shortlists", json={"name": "x"}).status_code == 401
    created = trust_client.post("/shortlists", json={"name": "Paiement 2026"}, headers=auth("buyer_a"))
    assert created.status_code == 201
    sid = created.json()["id"]
    assert trust_client.get(f"/shortlists/{sid}", headers=auth("buyer_b")).status_code == 404  # not its list
    add = trust_client.post(
        f"/shortlists/{sid}/items", json={"startup_id": "S-PAY", "note": "=HYPERLINK(1)"}, headers=auth("buyer_a")
    )
    assert add.status_code == 200
    trust_client.post(f"/shortlists/{sid}/items", json={"startup_id": "S-ROAD"}, headers=auth("buyer_a"))
    order = trust_client.put(f"/shortlists/{sid}/order", json={"order": ["S-ROAD", "S-PAY"]}, headers=auth("buyer_a"))
    assert [i["startup_id"] for i in order.json()["items"]] == ["S-ROAD", "S-PAY"]
    bad = trust_client.put(f"/shortlists/{sid}/order", json={"order": ["S-ROAD"]}, headers=auth("buyer_a"))
    assert bad.status_code == 422
    exported = trust_client.get(f"/shortlists/{sid}/export.csv", headers=auth("buyer_a"))
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert rows[0][1] == "Supplier ID" and [r[1] for r in rows[1:]] == ["S-ROAD", "S-PAY"]
    assert rows[2][-1] == "'=HYPERLINK(1)"
    french = trust_client.get(f"/shortlists/{sid}/export.csv", headers={**auth("buyer_a"), "Accept-Language": "fr"})
    header = next(csv.reader(io.StringIO(french.text.lstrip("\ufeff"))))
    assert header[:3] == ["Rang", "Identifiant du fournisseur", "Nom"] and "Références vérifiées" in header
    removed = trust_client.delete(f"/shortlists/{sid}/items/S-ROAD", headers=auth("buyer_a"))
    assert [i["startup_id"] for i in removed.json()["items"]] == ["S-PAY"]


def test_compare_two_to_four(trust_client: TestClient, auth: Auth) -> None:
    ok = trust_client.get("/suppliers/compare?ids=S-PAY&ids=S-ROAD", headers=auth("buyer_a"))
    assert ok.status_code == 200 and [p["id"] for p in ok.json()["data"]] == ["S-PAY", "S-ROAD"]
    assert trust_client.get("/suppliers/compare?ids=S-PAY", headers=auth("buyer_a")).status_code == 422
    assert trust_client.get("/suppliers/compare?ids=S-PAY&ids=S-ROAD", headers=auth("startup_a")).status_code == 403


def test_contact_details_only_after_acceptance(trust_client: TestClient, auth: Auth) -> None:
    assert trust_client.post("/contact-requests", json={"startup_id": "S-PAY"}).status_code == 401
    assert (
        trust_client.post("/contact-requests", json={"startup_id": "S-PAY"}, headers=auth("startup_b")).status_code
        == 403
    )
    sent = trust_client.post(
        "/contact-requests", json={"startup_id": "S-PAY", "message": "Projet paiement"}, headers=auth("buyer_a")
    )
    assert sent.status_code == 201 and sent.json()["contact"] is None and sent.json()["status"] == "pending"
    rid = sent.json()["id"]
    again = trust_client.post("/contact-requests", json={"startup_id": "S-PAY"}, headers=auth("buyer_a"))
    assert again.status_code == 409
    assert trust_client.get("/suppliers/S-PAY", headers=auth("buyer_a")).json()["contact"] is None  # pending
    notices = trust_client.get("/startups/S-PAY/notifications", headers=auth("startup_a")).json()
    assert notices[0]["kind"] == "contact_contact"
    assert trust_client.post(f"/contact-requests/{rid}/accept", headers=auth("buyer_a")).status_code == 403
    assert trust_client.post(f"/contact-requests/{rid}/accept", headers=auth("startup_b")).status_code == 404
    accepted = trust_client.post(f"/contact-requests/{rid}/accept", headers=auth("startup_a"))
    assert accepted.json()["status"] == "accepted"
    mine = trust_client.get("/contact-requests", headers=auth("buyer_a")).json()["data"]
    assert mine[0]["contact"]["email"] == "contact@paynova.ma"
    assert trust_client.get("/suppliers/S-PAY", headers=auth("buyer_a")).json()["contact"]["email"]
    assert trust_client.get("/suppliers/S-PAY", headers=auth("buyer_b")).json()["contact"] is None


def test_declined_request_reveals_nothing_and_rate_limit(trust_client: TestClient, auth: Auth) -> None:
    sent = trust_client.post("/contact-requests", json={"startup_id": "S-ROAD"}, headers=auth("buyer_b"))
    declined = trust_client.post(f"/contact-requests/{sent.json()['id']}/decline", headers=auth("startup_b"))
    assert declined.json()["status"] == "declined" and declined.json()["contact"] is None
    assert trust_client.get("/suppliers/S-ROAD", headers=auth("buyer_b")).json()["contact"] is None
    listed = trust_client.get("/contact-requests", headers=auth("buyer_b")).json()["data"]
    assert all(item["contact"] is None for item in listed)
    codes = []
    for _ in range(12):
        r = trust_client.post("/contact-requests", json={"startup_id": "S-ROAD"}, headers=auth("buyer_b"))
        codes.append(r.status_code)
        if r.status_code == 201:
            trust_client.post(f"/contact-requests/{r.json()['id']}/decline", headers=auth("startup_b"))
    assert codes[-1] == 429


def test_the_startup_is_emailed_and_invitations_name_an_own_tender(
    api_settings: Settings, auth: Auth, tmp_path: object
) -> None:
    import socket
    from typing import Any

    from aiosmtpd.controller import Controller

    from service.app import create_app

    class Inbox:
        def __init__(self) -> None:
            self.messages: list[tuple[list[str], bytes]] = []

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            self.messages.append((list(envelope.rcpt_tos), envelope.content))
            return "250 accepted"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = api_settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
        with TestClient(create_app(settings, load_engine=False)) as client:
            wrong = client.post(
                "/contact-requests",
                json={"startup_id": "S-PAY", "kind": "invite", "tender_id": "T-ROAD"},
                headers=auth("buyer_a"),
            )
            assert wrong.status_code == 422 and wrong.json()["error"]["details"][0]["field"] == "body.tender_id"
            sent = client.post(
                "/contact-requests",
                json={"startup_id": "S-PAY", "kind": "invite", "tender_id": "T-PAY"},
                headers=auth("buyer_a"),
            )
            assert sent.status_code == 201 and sent.json()["email_status"] == "sent"
    finally:
        controller.stop()
    assert [rcpt for rcpt, _ in inbox.messages] == [["contact@paynova.ma"]]
    assert b"Office National" in inbox.messages[0][1] or b"soumissionner" in inbox.messages[0][1]
