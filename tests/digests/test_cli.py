"""`tremplin digest …` end to end: build, curate, preview, export and send from the command line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from matcher.cli.main import app
from matcher.digests.weeks import current_week
from matcher.settings import Settings, get_settings
from matcher.store import Store
from tests.digests.conftest import SmtpServer

WEEK = current_week()


@pytest.fixture
def cli(world: Store, mail_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("TREMPLIN_EMBEDDER", "hashing")
    monkeypatch.setenv("TREMPLIN_DIGEST_MIN_SCORE", str(mail_settings.digest_min_score))
    monkeypatch.setenv("TREMPLIN_SMTP_HOST", mail_settings.smtp_host)
    monkeypatch.setenv("TREMPLIN_SMTP_PORT", str(mail_settings.smtp_port))
    get_settings.cache_clear()
    return CliRunner()


def _run(cli: CliRunner, *args: str, code: int = 0) -> str:
    result = cli.invoke(app, ["digest", *args])
    assert result.exit_code == code, result.output
    return result.output


def test_digest_commands_from_build_to_send(cli: CliRunner, smtp_server: SmtpServer) -> None:
    built = json.loads(_run(cli, "build", "--week", WEEK, "--actor", "cron", "--json"))
    assert built["created"] == 3 and built["skipped"] is None
    batch = str(built["batch_id"])
    assert "0 new, 0 updated, 3 unchanged" in _run(cli, "build", "--week", WEEK)

    listed = json.loads(_run(cli, "list", "--json"))
    assert [(b["week"], b["status"], b["digests"]) for b in listed] == [(WEEK, "draft", 3)]
    shown = json.loads(_run(cli, "show", WEEK, "--json"))
    irrigo = next(r for r in shown["recipients"] if r["recipient"]["id"] == "S-IRRI")
    digest = json.loads(_run(cli, "show", batch, "--digest", str(irrigo["digest_id"]), "--json"))
    first = digest["items"][0]

    _run(cli, "remove-item", WEEK, str(first["item_id"]), "--actor", "amina")
    _run(cli, "move", batch, str(digest["items"][2]["item_id"]), "1", "--actor", "amina")
    _run(cli, "note", batch, "Bonne semaine !", "--digest", str(irrigo["digest_id"]), "--actor", "amina")
    _run(cli, "add-item", batch, str(irrigo["digest_id"]), "T-PAY-2", "--note", "À regarder", "--actor", "amina")
    _run(cli, "submit", batch)
    _run(cli, "approve", batch, "--actor", "youssef")
    refused = _run(cli, "pin", batch, str(digest["items"][1]["item_id"]), code=1)
    assert "approved: reopen it (back to review) to edit" in refused
    assert "now in_review" in _run(cli, "reopen", batch)
    _run(cli, "approve", batch)

    text = _run(cli, "preview", batch, str(irrigo["digest_id"]))
    assert text.startswith("To: contact@irrigo.ma\nSubject: Tremplin · ") and "Bonne semaine !" in text
    assert first["tender"]["title"] not in text
    exported = json.loads(_run(cli, "export", batch, "--format", "json"))
    assert exported["batch"]["status"] == "approved"

    sent = json.loads(_run(cli, "send", "--week", WEEK, "--backoff", "0", "--json"))
    assert sent["sent"] == 3 and sent["status"] == "sent"
    assert len(smtp_server.recorder.received) == 3
    again = _run(cli, "send", "--week", WEEK, code=1)
    assert "is sent: only an approved batch is sent" in again

    audit = json.loads(_run(cli, "show", batch, "--audit", "--json"))
    assert (audit[0]["actor"], audit[0]["action"]) == ("cron", "build")
    assert audit[1]["actor"].startswith("cli") and audit[1]["action"] == "build"
    assert ("amina", "remove_item") in [(a["actor"], a["action"]) for a in audit]
    assert ("youssef", "approve") in [(a["actor"], a["action"]) for a in audit]


def test_unknown_batch_is_a_one_line_error(cli: CliRunner) -> None:
    assert "digest batch '2026-W01/startup' not found" in _run(cli, "show", "2026-W01", code=1)
    assert "is not an ISO week" in _run(cli, "show", "2026-1", code=1)
