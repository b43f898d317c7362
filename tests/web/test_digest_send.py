"""Staff send an approved digest batch from the web page to a real SMTP server on loopback."""

from __future__ import annotations

import csv
import io
import re
import socket
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from tests.web.conftest import build_app, make_seed

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Inbox:
    """aiosmtpd handler that keeps the envelope recipients of every accepted message."""

    def __init__(self) -> None:
        self.recipients: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.recipients.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_staff_build_approve_and_send_a_batch_from_the_web(tmp_path: Any, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    seed = make_seed(tmp_path / "home", with_sample=False, smtp_host="127.0.0.1", smtp_port=port)
    with TestClient(build_app(seed.settings)) as client:

        def post(path: str, data: dict[str, str] | None = None) -> Any:
            token = CSRF.search(client.get("/staff/digests").text)
            assert token
            return client.post(path, data={"csrf_token": token.group(1), **(data or {})})

        token = CSRF.search(client.get("/login").text)
        assert token
        client.post("/login", data={"api_key": seed.keys["staff"], "csrf_token": token.group(1)})
        built = post("/staff/digests/build", {"week": "2026-W11", "audience": "startup"})
        assert built.status_code == 200 and "/staff/digests/" in str(built.url)
        batch_url = str(built.url).split("?")[0].removeprefix("http://testserver")
        assert "Édition 2026-W11 (startups) : 3 récapitulatifs préparés" in unescape(built.text)
        assert 'id="digest-' in built.text and unescape(built.text).count("3 récapitulatifs") == 2

        refused = post(f"{batch_url}/send", {"confirm": "yes"})
        assert "Seule une édition approuvée est envoyée" in unescape(refused.text)  # the refusal, in French
        assert inbox.recipients == []

        post(f"{batch_url}/submit")
        approved = post(f"{batch_url}/approve")
        assert 'id="batch-status">approuvé<' in approved.text
        unconfirmed = post(f"{batch_url}/send")
        assert str(unconfirmed.url).endswith(f"{batch_url}/send") and inbox.recipients == []
        confirm_page = unescape(unconfirmed.text)
        assert "3 e-mails vont partir." in confirm_page and f"127.0.0.1:{port}" in confirm_page
        sent = unescape(post(f"{batch_url}/send", {"confirm": "yes"}).text)
        assert "Envoi : 3 envoyés, 0 en échec." in sent
        assert 'id="batch-status">envoyé<' in sent
    assert sorted(inbox.recipients) == ["contact@bayanat.ma", "contact@paynova.ma", "hello@agrisense.ma"]


def test_without_a_mail_server_send_is_a_dry_run_writing_eml_files(tmp_path: Any) -> None:
    seed = make_seed(tmp_path / "home", with_sample=False)
    with TestClient(build_app(seed.settings)) as client:

        def post(path: str, data: dict[str, str] | None = None) -> Any:
            token = CSRF.search(client.get("/staff/digests").text)
            assert token
            return client.post(path, data={"csrf_token": token.group(1), **(data or {})})

        token = CSRF.search(client.get("/login").text)
        assert token
        client.post("/login", data={"api_key": seed.keys["staff"], "csrf_token": token.group(1)})
        built = post("/staff/digests/build", {"week": "2026-W12", "audience": "startup"})
        batch_url = str(built.url).split("?")[0].removeprefix("http://testserver")
        post(f"{batch_url}/submit")
        post(f"{batch_url}/approve")
        assert f'href="{batch_url}/export.csv"' in client.get(batch_url).text
        exported = client.get(f"{batch_url}/export.csv")  # the page is in French: so is the spreadsheet
        assert exported.headers["content-disposition"] == 'attachment; filename="digests-2026-W12-startup.csv"'
        header, *rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
        assert header[:3] == ["Semaine", "Destinataires", "État du lot"] and len(rows) >= 3
        assert {row[2] for row in rows} == {"approuvé"}
        assert client.get(f"{batch_url}/export.csv?lang=ar").text.lstrip("\ufeff").startswith("الأسبوع")
        client.get(f"{batch_url}?lang=fr")  # ?lang= is remembered: back to French
        page = unescape(client.get(f"{batch_url}/send").text)
        assert "Aucun serveur d'envoi n'est configuré" in page and "Écrire les fichiers .eml" in page
        done = unescape(post(f"{batch_url}/send", {"confirm": "yes"}).text)
        assert "Essai sans envoi : 3 e-mails écrits dans" in done
        assert 'id="batch-status">approuvé<' in done  # nothing was sent
    files = sorted((seed.settings.home / "outbox" / "2026-W12-startup").glob("*.eml"))
    assert len(files) == 3
    text = files[0].read_bytes().decode("utf-8")
    assert "Subject: " in text and "Message-ID: <digest.2026-W12.startup." in text
