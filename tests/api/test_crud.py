"""Create, read, update, delete and list startups, buyers and tenders as staff; data survives a restart."""

from __future__ import annotations

from fastapi.testclient import TestClient

from matcher.settings import Settings
from service.app import create_app
from tests.api.conftest import Auth


def test_startup_lifecycle(client: TestClient, auth: Auth) -> None:
    staff = auth("staff")
    created = client.post(
        "/startups",
        json={
            "external_id": "S-EDU",
            "name": "Madrasa Tech",
            "description": "Plateforme d'apprentissage en ligne en arabe et en français.",
            "sectors": ["edtech"],
            "cpv_codes": ["80420000-4"],
            "headcount": 7,
            "contact_email": "hello@madrasa.ma",
        },
        headers=staff,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["cpv_codes"] == ["80420000"]  # check digit dropped, as in file imports
    assert body["source"] == "api"

    patched = client.patch("/startups/S-EDU", json={"headcount": 9, "city": "Fès"}, headers=staff)
    assert patched.status_code == 200
    assert (patched.json()["headcount"], patched.json()["city"], patched.json()["name"]) == (9, "Fès", "Madrasa Tech")

    cleared = client.patch("/startups/S-EDU", json={"city": None}, headers=staff)
    assert cleared.json()["city"] is None

    assert client.get("/startups/S-EDU", headers=staff).json()["headcount"] == 9
    assert client.delete("/startups/S-EDU", headers=staff).status_code == 204
    gone = client.get("/startups/S-EDU", headers=staff)
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "not_found"
    assert "S-EDU" in gone.json()["error"]["message"]


def test_startup_edits_its_own_profile(client: TestClient, auth: Auth) -> None:
    response = client.patch(
        "/startups/S-PAY", json={"certifications": ["ISO 27001", "ISO 9001"]}, headers=auth("startup_a")
    )
    assert response.status_code == 200
    assert response.json()["certifications"] == ["ISO 27001", "ISO 9001"]
    assert response.json()["contact_email"] == "contact@paynova.ma"


def test_duplicate_ids_conflict(client: TestClient, auth: Auth) -> None:
    for path, body in [
        ("/startups", {"external_id": "S-PAY", "name": "Doublon"}),
        ("/buyers", {"external_id": "B-ONEE", "name": "Doublon"}),
        ("/tenders", {"external_id": "T-PAY", "title": "Doublon"}),
    ]:
        response = client.post(path, json=body, headers=auth("staff"))
        assert response.status_code == 409, path
        assert response.json()["error"]["code"] == "conflict"


def test_unknown_ids_are_404_on_every_resource(client: TestClient, auth: Auth) -> None:
    staff = auth("staff")
    for method, path in [
        ("GET", "/startups/NOPE"),
        ("PATCH", "/startups/NOPE"),
        ("DELETE", "/startups/NOPE"),
        ("GET", "/buyers/NOPE"),
        ("PATCH", "/buyers/NOPE"),
        ("DELETE", "/buyers/NOPE"),
        ("GET", "/tenders/NOPE"),
        ("PATCH", "/tenders/NOPE"),
        ("DELETE", "/tenders/NOPE"),
        ("DELETE", "/keys/000000000000"),
    ]:
        response = client.request(method, path, json={} if method == "PATCH" else None, headers=staff)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["error"]["code"] == "not_found"
    feedback = {"startup_id": "S-PAY", "tender_id": "T-NOPE", "verdict": "relevant"}
    assert client.post("/feedback", json=feedback, headers=staff).status_code == 404
    key = {"role": "startup", "startup_id": "S-NOPE"}
    assert client.post("/keys", json=key, headers=staff).status_code == 404
    assert client.get("/nowhere", headers=staff).json()["error"]["code"] == "not_found"


def test_tender_lifecycle_with_lots_and_new_buyer(client: TestClient, auth: Auth) -> None:
    staff = auth("staff")
    created = client.post(
        "/tenders",
        json={
            "external_id": "T-LOTS",
            "title": "Équipement informatique des lycées",
            "buyer_id": "B-ACAD",
            "buyer_name": "Académie Régionale Souss-Massa",
            "buyer_kind": "ministry",
            "cpv_codes": ["30200000"],
            "deadline_at": "2030-01-15",
            "lots": [
                {"lot_number": 1, "title": "Ordinateurs portables", "estimated_value": 400000},
                {"lot_number": 2, "title": "Vidéoprojecteurs"},
            ],
        },
        headers=staff,
    )
    assert created.status_code == 201, created.text
    tender = created.json()
    assert (tender["buyer_id"], tender["buyer_name"], tender["buyer_kind"]) == (
        "B-ACAD",
        "Académie Régionale Souss-Massa",
        "ministry",
    )
    assert [lot["lot_number"] for lot in tender["lots"]] == [1, 2]
    assert tender["deadline_at"].startswith("2030-01-15T00:00:00")
    assert tender["language"] == "fr"
    assert client.get("/buyers/B-ACAD", headers=staff).status_code == 200

    relotted = client.patch(
        "/tenders/T-LOTS", json={"lots": [{"lot_number": 1, "title": "Tablettes"}], "status": "closed"}, headers=staff
    )
    assert relotted.status_code == 200
    assert [(lot["lot_number"], lot["title"]) for lot in relotted.json()["lots"]] == [(1, "Tablettes")]
    assert relotted.json()["status"] == "closed"
    assert relotted.json()["title"] == "Équipement informatique des lycées"

    assert client.delete("/tenders/T-LOTS", headers=staff).status_code == 204
    assert client.get("/tenders/T-LOTS", headers=staff).status_code == 404


def test_buyer_with_tenders_cannot_be_deleted(client: TestClient, auth: Auth) -> None:
    response = client.delete("/buyers/B-ONEE", headers=auth("staff"))
    assert response.status_code == 409
    assert "tender" in response.json()["error"]["message"]
    assert client.get("/buyers/B-ONEE", headers=auth("staff")).status_code == 200


def test_tender_listing_filters_and_pages(client: TestClient, auth: Auth) -> None:
    def ids(query: str) -> list[str]:
        response = client.get(f"/tenders?{query}", headers=auth("startup_a"))
        assert response.status_code == 200, response.text
        return [item["external_id"] for item in response.json()["data"]]

    assert ids("") == ["T-OLD", "T-PAY", "T-ROAD"]
    assert ids("status=open") == ["T-PAY", "T-ROAD"]
    assert ids("buyer_id=B-ONEE") == ["T-OLD", "T-PAY"]
    assert ids("cpv_prefix=45") == ["T-ROAD"]
    assert ids("cpv_prefix=72&status=open") == ["T-PAY"]
    assert ids("region=casablanca-settat") == ["T-PAY", "T-ROAD"]
    assert ids("reserved_for_sme=true") == ["T-PAY"]
    assert ids("q=chaussée") == ["T-ROAD"]
    assert ids("q=100%25") == []  # a literal '%', not a wildcard
    assert ids("q=_") == []
    page = client.get("/tenders?limit=2&offset=1", headers=auth("staff")).json()
    assert page["total"] == 3
    assert [item["external_id"] for item in page["data"]] == ["T-PAY", "T-ROAD"]
    assert (page["limit"], page["offset"]) == (2, 1)


def test_startup_and_buyer_listing_filters(client: TestClient, auth: Auth) -> None:
    staff = auth("staff")

    def ids(path: str) -> list[str]:
        return [item["external_id"] for item in client.get(path, headers=staff).json()["data"]]

    assert ids("/startups?sector=FinTech") == ["S-PAY"]
    assert ids("/startups?sector=fin") == []  # whole sector names, not fragments
    assert ids("/startups?cpv_prefix=452") == ["S-ROAD"]
    assert ids("/startups?region=Marrakech-Safi") == ["S-ROAD"]
    assert ids("/startups?q=portefeuille") == ["S-PAY"]
    assert ids("/buyers?kind=bank") == ["B-EMPTY"]
    assert ids("/buyers?q=commune") == ["B-CASA"]
    listed = client.get("/startups", headers=staff).json()
    assert listed["total"] == 2
    assert {item["contact_email"] for item in listed["data"]} == {"contact@paynova.ma", "bureau@atlas-chantiers.ma"}


def test_data_survives_a_restart(api_settings: Settings, auth: Auth) -> None:
    with TestClient(create_app(api_settings, load_engine=False)) as first:
        created = first.post("/startups", json={"external_id": "S-KEEP", "name": "Persistante"}, headers=auth("staff"))
        assert created.status_code == 201
        feedback = {"startup_id": "S-PAY", "tender_id": "T-PAY", "verdict": "applied", "note": "dossier déposé"}
        assert first.post("/feedback", json=feedback, headers=auth("startup_a")).status_code == 201
    with TestClient(create_app(api_settings, load_engine=False)) as second:
        assert second.get("/startups/S-KEEP", headers=auth("staff")).json()["name"] == "Persistante"
        counts = second.app.state.store.counts()  # type: ignore[attr-defined]
        assert counts["feedback"] == 1
