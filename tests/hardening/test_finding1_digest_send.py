"""Finding 1: one poisoned record (a name with CR/LF) must not stop the weekly digest for everyone."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from matcher.digests import curate, send
from matcher.digests.send import RetryPolicy, send_batch
from matcher.schemas import StartupIn
from matcher.settings import Settings
from matcher.store import Delivery, Startup, Store
from tests.digests.conftest import SmtpServer, make_batch

POISON = "SaqiaTech\r\nBcc: attacker@evil.example"
PLAN = {"S-IRRI": ["T-IRR-1"], "S-PAY": ["T-PAY-1"], "S-SIHA": ["T-SIH-1"]}
FAST = RetryPolicy(max_attempts=2, backoff_seconds=0.0, timeout_seconds=10)


def _approved(store: Store) -> int:
    batch_id = make_batch(store, PLAN)
    with store.session() as session:
        curate.submit(session, batch_id, "amina")
        curate.approve(session, batch_id, "youssef")
    return batch_id


def _rename(store: Store, external_id: str, name: str) -> None:
    with store.session() as session:
        row = session.scalar(select(Startup).where(Startup.external_id == external_id))
        assert row is not None
        row.name = name  # as stored before input sanitising existed


def test_poisoned_name_in_store_is_sent_on_one_line(
    world: Store, mail_settings: Settings, smtp_server: SmtpServer
) -> None:
    _rename(world, "S-PAY", POISON)
    report = send_batch(world, _approved(world), settings=mail_settings, policy=FAST)

    assert (report.sent, len(report.failed)) == (3, 0)
    message = smtp_server.recorder.to("hello@paynova.ma")[0]
    assert message.rcpt_tos == ["hello@paynova.ma"]
    assert "\n" not in message.message["Subject"] and "\r" not in message.message["To"]
    assert "Bcc" not in message.message  # no header was injected
    assert not smtp_server.recorder.to("attacker@evil.example")


def test_message_that_cannot_be_built_fails_alone_and_is_retried_on_staffs_word(
    world: Store, mail_settings: Settings, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = send.build_message

    def broken_for_paynova(rendered: Any, recipient: str, *args: Any) -> bytes:
        if recipient == "hello@paynova.ma":
            raise ValueError("Header values may not contain linefeed or carriage return characters")
        return real(rendered, recipient, *args)

    monkeypatch.setattr(send, "build_message", broken_for_paynova)
    batch_id = _approved(world)
    report = send_batch(world, batch_id, settings=mail_settings, policy=FAST)

    assert report.sent == 2 and len(report.failed) == 1
    assert "linefeed" in report.failed[0]["error"]
    with world.session() as session:
        rows = {d.recipient: (d.status, d.last_error) for d in session.scalars(select(Delivery))}
    assert rows["hello@paynova.ma"][0] == "failed" and "could not be built" in (rows["hello@paynova.ma"][1] or "")
    assert {r.rcpt_tos[0] for r in smtp_server.recorder.received} == {"contact@irrigo.ma", "info@sihati.ma"}

    with world.session() as session:  # a failure is final unless staff ask for a retry (skip = do nothing)
        assert curate.get_batch(session, batch_id).status == "sent"

    monkeypatch.setattr(send, "build_message", real)
    retry = send_batch(world, batch_id, settings=mail_settings, policy=FAST, retry_failed=True)
    assert retry.sent == 1 and not retry.failed
    assert len(smtp_server.recorder.to("hello@paynova.ma")) == 1


def test_names_lose_line_breaks_at_input() -> None:
    startup = StartupIn(external_id="S-X", name=POISON)
    assert startup.name == "SaqiaTech Bcc: attacker@evil.example"
