"""The /digests routes: staff only, the whole review flow, preview, export and send."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from email.header import decode_header, make_header

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from matcher.digests.weeks import current_week
from matcher.settings import Settings
from matcher.store import Store, keys
from service.app import create_app
from service.routers import digests
from tests.digests.conftest import SmtpServer

WEEK = current_week()


def _app(settings: Settings) -> FastAPI:
    app = create_app(settings, load_engine=False)
    if not any(getattr(route, "path", "").startswith("/digests") for route in app.routes):
        app.include_router(digests.router)  # until the app factory lists the router itself
    return app


@pytest.fixture
def api(world: Store, mail_settings: Settings) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    with world.session() as session:
        _, staff = keys.create_key(session, "staff", name="amina")
        _, startup = keys.create_key(session, "startup", startup_id="S-IRRI")
    headers = {"staff": {"Authorization": f"Bearer {staff}"}, "startup": {"Authorization": f"Bearer {startup}"}}
    with TestClient(_app(mail_settings)) as client:
        yield client, headers


def test_digest_routes_are_for_staff_only(api: tuple[TestClient, dict[str, dict[str, str]]]) -> None:
    client, headers = api
    assert client.get("/digests").status_code == 401
    response = client.get("/digests", headers=headers["startup"])
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    empty = {"data": [], "total": 0, "limit": 50, "offset": 0}
    assert client.get("/digests", headers=headers["staff"]).json() == empty


def test_build_review_preview_export_and_send(
    api: tuple[TestClient, dict[str, dict[str, str]]], smtp_server: SmtpServer
) -> None:
    client, headers = api
    staff = headers["staff"]
    built = client.post("/digests/build", json={"week": WEEK}, headers=staff)
    assert built.status_code == 200, built.text
    assert built.json()["created"] == 3
    batch_id = built.json()["batch_id"]

    batch = client.get(f"/digests/{batch_id}", headers=staff).json()
    assert batch["status"] == "draft" and len(batch["digests"]) == 3
    irrigo = next(d for d in batch["digests"] if d["recipient"]["id"] == "S-IRRI")
    digest = client.get(f"/digests/{batch_id}/digests/{irrigo['id']}", headers=staff).json()
    first, second = digest["items"][0], digest["items"][1]

    removed = client.post(f"/digests/{batch_id}/items/{first['item_id']}/remove", headers=staff)
    assert removed.status_code == 200 and removed.json()["removed"] is True
    moved = client.post(f"/digests/{batch_id}/items/{second['item_id']}/move", json={"position": 99}, headers=staff)
    assert moved.status_code == 422 and moved.json()["error"]["details"][0]["field"] == "body.position"
    noted = client.patch(f"/digests/{batch_id}/digests/{irrigo['id']}", json={"note": "Bonne semaine !"}, headers=staff)
    assert noted.json()["note"] == "Bonne semaine !"
    added = client.post(
        f"/digests/{batch_id}/digests/{irrigo['id']}/items", json={"tender_id": "T-PAY-2"}, headers=staff
    )
    assert added.status_code == 201 and added.json()["added_by_hand"] is True
    unknown = client.post(
        f"/digests/{batch_id}/digests/{irrigo['id']}/items", json={"tender_id": "T-NONE"}, headers=staff
    )
    assert unknown.status_code == 404

    assert client.post(f"/digests/{batch_id}/approve", headers=staff).status_code == 409
    assert client.post(f"/digests/{batch_id}/submit", headers=staff).json()["status"] == "in_review"
    assert client.post(f"/digests/{batch_id}/approve", headers=staff).json()["status"] == "approved"
    locked = client.post(f"/digests/{batch_id}/items/{second['item_id']}/pin", json={"pinned": True}, headers=staff)
    assert locked.status_code == 409 and "reopen it" in locked.json()["error"]["message"]

    preview = client.get(f"/digests/{batch_id}/digests/{irrigo['id']}/preview", headers=staff)
    assert preview.status_code == 200 and preview.headers["content-type"].startswith("text/html")
    assert "Bonne semaine !" in preview.text and first["tender"]["title"] not in preview.text
    subject = str(make_header(decode_header(preview.headers["x-digest-subject"])))
    assert subject.startswith("Tremplin · ") and "pour Irrigo" in subject
    text = client.get(f"/digests/{batch_id}/digests/{irrigo['id']}/preview?format=text", headers=staff)
    assert text.text.startswith("Bonjour Irrigo,")

    exported = client.get(f"/digests/{batch_id}/export?format=csv", headers=staff)
    assert exported.headers["content-disposition"] == f'attachment; filename="digests-{WEEK}-startup.csv"'
    assert len(list(csv.DictReader(io.StringIO(exported.text)))) == sum(d["items"] for d in batch["digests"]) + 1

    sent = client.post(f"/digests/{batch_id}/send", json={"backoff_seconds": 0}, headers=staff)
    assert sent.status_code == 202
    deliveries = client.get(f"/digests/{batch_id}/deliveries", headers=staff).json()
    assert deliveries["batch"]["status"] == "sent"
    assert sorted(d["status"] for d in deliveries["data"]) == ["sent", "sent", "sent"]
    assert len(smtp_server.recorder.received) == 3
    assert client.post(f"/digests/{batch_id}/send", json={}, headers=staff).status_code == 409

    trail = client.get(f"/digests/{batch_id}/audit", headers=staff).json()["data"]
    actions = [entry["action"] for entry in trail]
    assert actions[0] == "build" and actions[-2:] == ["send", "mark_sent"]
    assert all(entry["actor"].startswith("key:") and entry["actor"].endswith(" (amina)") for entry in trail)


def test_preview_of_a_long_subject_is_one_header_line(
    api: tuple[TestClient, dict[str, dict[str, str]]], world: Store
) -> None:
    """A long subject used to be folded into X-Digest-Subject: the server then dropped the reply."""
    client, headers = api
    staff = headers["staff"]
    long_name = "Irrigo — solutions d'irrigation goutte-à-goutte connectée\npour les coopératives " * 3
    with world.session() as session:
        from matcher.store import repository

        repository.update_startup(session, "S-IRRI", {"name": long_name.replace("\n", " ")[:290]})
    batch_id = client.post("/digests/build", json={"week": WEEK}, headers=staff).json()["batch_id"]
    batch = client.get(f"/digests/{batch_id}", headers=staff).json()
    irrigo = next(d for d in batch["digests"] if d["recipient"]["id"] == "S-IRRI")
    preview = client.get(f"/digests/{batch_id}/digests/{irrigo['id']}/preview", headers=staff)
    assert preview.status_code == 200
    raw = preview.headers["x-digest-subject"]
    assert raw.isascii() and not any(ch in raw for ch in "\r\n\t")
    subject = str(make_header(decode_header(raw)))
    assert "goutte-à-goutte connectée pour les coopératives" in subject and len(subject) > 200


def test_send_dry_run_writes_eml_files_and_sends_nothing(
    api: tuple[TestClient, dict[str, dict[str, str]]], smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    client, headers = api
    staff = headers["staff"]
    batch_id = client.post("/digests/build", json={"week": WEEK}, headers=staff).json()["batch_id"]
    refused = client.post(f"/digests/{batch_id}/send", json={"dry_run": True}, headers=staff)
    assert refused.status_code == 409  # a draft is not sent, not even as a dry run
    client.post(f"/digests/{batch_id}/submit", headers=staff)
    client.post(f"/digests/{batch_id}/approve", headers=staff)
    dry = client.post(f"/digests/{batch_id}/send", json={"dry_run": True}, headers=staff)
    assert dry.status_code == 200, dry.text
    body = dry.json()
    assert body["status"] == "dry_run" and len(body["files"]) == 3
    folder = mail_settings.home / "outbox" / f"{WEEK}-startup"
    assert sorted(p.name for p in folder.glob("*.eml")) == sorted(body["files"])
    assert smtp_server.recorder.received == []
    assert client.get(f"/digests/{batch_id}", headers=staff).json()["status"] == "approved"
