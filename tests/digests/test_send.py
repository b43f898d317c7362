"""Sending over a real SMTP server on loopback: each message exactly once, failures reported."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from matcher.digests import curate
from matcher.digests.send import RetryPolicy, send_batch
from matcher.errors import ConflictError
from matcher.settings import Settings
from matcher.store import Delivery, DigestBatch, SentItem, Startup, Store, Tender
from tests.digests.conftest import SmtpServer, make_batch

PLAN = {"S-IRRI": ["T-IRR-1", "T-IRR-5"], "S-PAY": ["T-PAY-1"], "S-SIHA": ["T-SIH-1"]}
RECIPIENTS = {"contact@irrigo.ma", "hello@paynova.ma", "info@sihati.ma"}
FAST = RetryPolicy(max_attempts=3, backoff_seconds=0.01, timeout_seconds=10)


def _approved(store: Store, plan: dict[str, list[str]] = PLAN) -> int:
    batch_id = make_batch(store, plan)
    with store.session() as session:
        curate.submit(session, batch_id, "amina")
        curate.approve(session, batch_id, "youssef")
    return batch_id


def _deliveries(store: Store) -> dict[str, tuple[str, int]]:
    with store.session() as session:
        return {d.recipient: (d.status, d.attempts) for d in session.scalars(select(Delivery))}


def _status(store: Store, batch_id: int) -> str:
    with store.session() as session:
        batch = session.get(DigestBatch, batch_id)
        assert batch is not None
        return batch.status


def _set_email(store: Store, startup: str, email: str) -> None:
    with store.session() as session:
        row = session.scalar(select(Startup).where(Startup.external_id == startup))
        assert row is not None
        row.contact_email = email


def test_approved_batch_is_delivered_with_both_parts(
    world: Store, mail_settings: Settings, smtp_server: SmtpServer
) -> None:
    batch_id = _approved(world)
    report = send_batch(world, batch_id, actor="youssef", settings=mail_settings, policy=FAST)

    assert report.sent == 3 and not report.failed and report.status == "sent"
    received = smtp_server.recorder.received
    assert {r.rcpt_tos[0] for r in received} == RECIPIENTS
    irrigo = smtp_server.recorder.to("contact@irrigo.ma")[0]
    assert irrigo.mail_from == "digest@tremplin.ma"
    message = irrigo.message
    assert message["Subject"] == "Tremplin · 2 appels d'offres pour Irrigo · semaine 48 de 2026"
    assert message["To"] == "Irrigo <contact@irrigo.ma>"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    assert "Office Régional de Mise en Valeur Agricole du Souss-Massa" in text.get_content()
    assert '<html lang="fr" dir="ltr">' in html.get_content()
    arabic = smtp_server.recorder.to("info@sihati.ma")[0].message
    assert 'dir="rtl"' in arabic.get_body(("html",)).get_content()  # type: ignore[union-attr]

    assert _status(world, batch_id) == "sent"
    with world.session() as session:
        sent = {
            (s, t)
            for s, t in session.execute(
                select(Startup.external_id, Tender.external_id)
                .join(SentItem, SentItem.startup_id == Startup.id)
                .join(Tender, SentItem.tender_id == Tender.id)
            )
        }
        message_ids = {d.message_id for d in session.scalars(select(Delivery))}
    assert sent == {(s, t) for s, tenders in PLAN.items() for t in tenders}
    assert message_ids == {r.message["Message-ID"] for r in received}


def test_only_an_approved_batch_is_sent(world: Store, mail_settings: Settings, smtp_server: SmtpServer) -> None:
    batch_id = make_batch(world, PLAN)
    with pytest.raises(ConflictError, match="is draft: only an approved batch is sent"):
        send_batch(world, batch_id, settings=mail_settings, policy=FAST)
    assert smtp_server.recorder.received == [] and _deliveries(world) == {}


def test_a_rerun_sends_nothing_already_delivered(
    world: Store, mail_settings: Settings, smtp_server: SmtpServer
) -> None:
    batch_id = _approved(world)
    send_batch(world, batch_id, settings=mail_settings, policy=FAST)
    with pytest.raises(ConflictError, match="is sent"):  # a plain re-run is refused on a sent batch
        send_batch(world, batch_id, settings=mail_settings, policy=FAST)
    again = send_batch(world, batch_id, settings=mail_settings, policy=FAST, retry_failed=True)
    assert again.sent == 0 and again.already_sent == 3
    assert len(smtp_server.recorder.received) == 3


def test_a_bad_address_is_reported_and_does_not_stop_the_others(
    world: Store, mail_settings: Settings, smtp_server: SmtpServer
) -> None:
    _set_email(world, "S-PAY", "ghost@paynova.ma")
    smtp_server.recorder.refuse.add("ghost@paynova.ma")
    batch_id = _approved(world)
    report = send_batch(world, batch_id, actor="youssef", settings=mail_settings, policy=FAST)

    assert report.sent == 2
    assert [(f["recipient"], f["error"][:24]) for f in report.failed] == [
        ("ghost@paynova.ma", "RCPT TO ghost@paynova.ma")
    ]
    assert "550" in report.failed[0]["error"]
    assert {r.rcpt_tos[0] for r in smtp_server.recorder.received} == RECIPIENTS - {"hello@paynova.ma"}
    deliveries = _deliveries(world)
    assert deliveries["ghost@paynova.ma"] == ("failed", 1), "a refusal is permanent: no retry"
    assert report.status == "sent", "every delivery is final; the failure is in the report and the audit"
    with world.session() as session:
        audit = curate.audit_trail(session, batch_id)[-2]
        assert audit.action == "send" and audit.detail["failed"][0]["recipient"] == "ghost@paynova.ma"
        paynova = session.scalar(select(Startup.id).where(Startup.external_id == "S-PAY"))
        assert session.scalar(select(SentItem).where(SentItem.startup_id == paynova)) is None

    _set_email(world, "S-PAY", "hello@paynova.ma")  # staff fix the address, then retry the failures
    retry = send_batch(world, batch_id, settings=mail_settings, policy=FAST, retry_failed=True)
    assert retry.sent == 1 and retry.already_sent == 2
    assert [r.rcpt_tos for r in smtp_server.recorder.to("hello@paynova.ma")] == [["hello@paynova.ma"]]


def test_a_deferred_message_is_retried_with_backoff(
    world: Store, mail_settings: Settings, smtp_server: SmtpServer
) -> None:
    smtp_server.recorder.defer["hello@paynova.ma"] = 2
    waits: list[float] = []
    batch_id = _approved(world)
    report = send_batch(world, batch_id, settings=mail_settings, policy=FAST, sleep=waits.append)
    assert report.sent == 3 and not report.retry_later
    assert waits == [0.01, 0.02], "exponential back-off between attempts"
    assert _deliveries(world)["hello@paynova.ma"] == ("sent", 3)
    assert len(smtp_server.recorder.to("hello@paynova.ma")) == 1


def test_a_send_interrupted_by_the_server_is_completed_by_a_rerun_exactly_once(
    world: Store, mail_settings: Settings, smtp_server: SmtpServer
) -> None:
    smtp_server.recorder.down_after = 1  # accepts one message, then says it is shutting down
    batch_id = _approved(world)
    first = send_batch(world, batch_id, settings=mail_settings, policy=RetryPolicy(max_attempts=2, backoff_seconds=0))
    assert first.sent == 1 and len(first.retry_later) == 2 and first.status == "approved"
    assert "421" in first.retry_later[0]["error"]

    smtp_server.recorder.down_after = None  # the server is back
    second = send_batch(world, batch_id, settings=mail_settings, policy=FAST)
    assert second.sent == 2 and second.already_sent == 1 and second.status == "sent"
    addresses = sorted(r.rcpt_tos[0] for r in smtp_server.recorder.received)
    assert addresses == sorted(RECIPIENTS), "each recipient got exactly one message"


SEND_SCRIPT = """
import sys
from matcher.digests.send import RetryPolicy, send_batch
from matcher.settings import Settings
from matcher.store import Store
settings = Settings()
send_batch(Store(settings), int(sys.argv[1]), settings=settings, policy=RetryPolicy(max_attempts=1))
"""


def test_a_crash_after_the_server_accepted_is_never_resent_by_a_rerun(
    world: Store, mail_settings: Settings, smtp_server: SmtpServer
) -> None:
    """The process dies between the server's acceptance of message 2 and the commit that records it."""
    batch_id = _approved(world)
    env = os.environ | {
        "TREMPLIN_HOME": str(mail_settings.home),
        "TREMPLIN_SMTP_HOST": smtp_server.host,
        "TREMPLIN_SMTP_PORT": str(smtp_server.port),
    }
    project = Path(__file__).resolve().parents[2]
    child = subprocess.Popen([sys.executable, "-c", SEND_SCRIPT, str(batch_id)], env=env, cwd=project)
    smtp_server.recorder.kill_at = (child.pid, 2)
    assert child.wait(timeout=60) == -9, "the sender was killed mid-run"
    assert len(smtp_server.recorder.received) == 2
    statuses = sorted(status for status, _ in _deliveries(world).values())
    assert statuses == ["pending", "sending", "sent"]

    rerun = send_batch(world, batch_id, settings=mail_settings, policy=FAST)
    assert rerun.sent == 1 and rerun.already_sent == 1
    assert len(rerun.uncertain) == 1 and rerun.uncertain[0]["message_id"].startswith("<digest.2026-W48.startup.")
    assert rerun.status == "approved", "an uncertain delivery keeps the batch open for staff"
    assert sorted(r.rcpt_tos[0] for r in smtp_server.recorder.received) == sorted(RECIPIENTS)

    # Staff find the Message-ID in the server log and confirm it: the batch is complete, nothing resent.
    confirmed = send_batch(world, batch_id, settings=mail_settings, policy=FAST, confirm_uncertain=True)
    assert confirmed.sent == 0 and confirmed.already_sent == 3 and confirmed.status == "sent"
    assert len(smtp_server.recorder.received) == 3


def test_an_uncertain_message_can_be_resent_with_the_same_message_id(
    world: Store, mail_settings: Settings, smtp_server: SmtpServer
) -> None:
    batch_id = _approved(world, {"S-IRRI": ["T-IRR-1"]})
    smtp_server.recorder.down_after = 0
    first = send_batch(world, batch_id, settings=mail_settings, policy=RetryPolicy(max_attempts=1))
    assert len(first.retry_later) == 1
    with world.session() as session:  # what a lost reply after the final "." leaves behind
        delivery = session.scalars(select(Delivery)).one()
        delivery.status = "sending"
        message_id = delivery.message_id
    smtp_server.recorder.down_after = None
    skipped = send_batch(world, batch_id, settings=mail_settings, policy=FAST)
    assert skipped.sent == 0 and len(skipped.uncertain) == 1
    resent = send_batch(world, batch_id, settings=mail_settings, policy=FAST, resend_uncertain=True)
    assert resent.sent == 1 and resent.status == "sent"
    assert [r.message["Message-ID"] for r in smtp_server.recorder.received] == [message_id]


def test_digests_with_every_item_removed_are_not_sent(
    world: Store, mail_settings: Settings, smtp_server: SmtpServer
) -> None:
    batch_id = make_batch(world, {"S-IRRI": ["T-IRR-1"], "S-PAY": ["T-PAY-1"]})
    with world.session() as session:
        paynova = session.scalar(select(Startup.id).where(Startup.external_id == "S-PAY"))
        digest = next(d for d in curate.get_batch(session, batch_id).digests if d.startup_id == paynova)
        curate.remove_item(session, batch_id, digest.items[0].id, "amina")
        curate.submit(session, batch_id, "amina")
        curate.approve(session, batch_id, "amina")
    report = send_batch(world, batch_id, settings=mail_settings, policy=FAST)
    assert report.sent == 1 and report.status == "sent"
    assert [r.rcpt_tos for r in smtp_server.recorder.received] == [["contact@irrigo.ma"]]


def test_a_delivery_claimed_by_another_run_is_left_to_it(
    world: Store, mail_settings: Settings, smtp_server: SmtpServer
) -> None:
    smtp_server.recorder.down_after = 0
    batch_id = _approved(world)
    send_batch(world, batch_id, settings=mail_settings, policy=RetryPolicy(max_attempts=1))
    smtp_server.recorder.down_after = None
    with world.session() as session:  # another run (cron) is working on PayNova's message right now
        delivery = session.scalars(select(Delivery).where(Delivery.recipient == "hello@paynova.ma")).one()
        delivery.claimed_at = datetime.now(UTC)
    report = send_batch(world, batch_id, settings=mail_settings, policy=FAST)
    assert report.sent == 2 and report.retry_later[0]["error"] == "being sent by another run"
    assert report.status == "approved" and not smtp_server.recorder.to("hello@paynova.ma")

    with world.session() as session:  # that run died long ago: its lease has run out
        delivery = session.scalars(select(Delivery).where(Delivery.recipient == "hello@paynova.ma")).one()
        delivery.claimed_at = datetime.now(UTC) - timedelta(hours=1)
    final = send_batch(world, batch_id, settings=mail_settings, policy=FAST)
    assert final.sent == 1 and final.status == "sent"
    assert sorted(r.rcpt_tos[0] for r in smtp_server.recorder.received) == sorted(RECIPIENTS)
