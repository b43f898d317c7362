"""Send an approved batch over SMTP, each e-mail at most once, with a record of every delivery.

How "exactly once" is approached (and where it stops):

1. Before anything is sent, every digest with items gets a Delivery row (status ``pending``) with a
   stable Message-ID, committed. A re-run finds them and skips the ones already ``sent``.
2. Each attempt runs the SMTP transaction by hand: MAIL, RCPT, DATA and the message body, then the
   row is committed as ``sending`` and only then is the final "." sent that asks the server to take
   the message. The 250 reply is committed as ``sent`` (with the SentItem rows) right away.
3. A crash before the ``sending`` commit leaves ``pending``: the server saw no complete message
   (RFC 5321 drops a transaction whose data never ended), so a re-run sends it safely.
4. The remaining window is between the ``sending`` commit and the ``sent`` commit: one network round
   trip plus one commit. A crash (or a lost connection) there leaves ``sending``: the server may or
   may not have accepted the message. A re-run does NOT resend it by default (at most once); it is
   reported with its Message-ID so staff can check the server log, then either confirm it
   (``confirm_uncertain``) or resend it with the same Message-ID (``resend_uncertain``), which lets
   receiving systems that de-duplicate on Message-ID drop a copy.

Two runs at once (cron and a hand-run): each attempt first claims its delivery (``claimed_at``, a
lease of ``lease_seconds``) with a conditional UPDATE, so only one run talks to the server about a
given message; a claim older than the lease is a dead run's and may be taken over.

Failures: a reply 5xx (bad address, refused message) is permanent → ``failed``, reported, and the
other recipients go on. 4xx replies and connection errors are retried with exponential back-off;
when the attempts run out the row stays ``pending`` for the next run. The batch becomes ``sent``
once every delivery is final (``sent`` or ``failed``); permanent failures are listed in the report
and the audit trail.
"""

from __future__ import annotations

import hashlib
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from matcher.digests.curate import get_batch, record_audit, transition, visible_items
from matcher.digests.render import render_digest
from matcher.digests.smtp import (
    PermanentFailure,
    SmtpSession,
    TransientFailure,
    UncertainOutcome,
    Unreachable,
    build_message,
    transmit,
)
from matcher.digests.views import BatchContent
from matcher.errors import ConflictError
from matcher.settings import Settings
from matcher.store import Delivery, Digest, DigestBatch, SentItem, Store

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


@dataclass
class RetryPolicy:
    """Attempts per message in one run; the wait before attempt n+1 is backoff × 2^(n-1), capped."""

    max_attempts: int = 3
    backoff_seconds: float = 2.0
    max_backoff_seconds: float = 60.0
    timeout_seconds: float = 30.0
    lease_seconds: float = 600.0  # a run's claim on a delivery; longer than any one attempt

    def delay(self, attempt: int) -> float:
        return float(min(self.max_backoff_seconds, self.backoff_seconds * 2 ** (attempt - 1)))


@dataclass
class SendReport:
    batch_id: int
    week: str
    audience: str
    status: str = ""
    sent: int = 0
    already_sent: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)
    retry_later: list[dict[str, Any]] = field(default_factory=list)
    uncertain: list[dict[str, Any]] = field(default_factory=list)
    aborted: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def message_id(batch: DigestBatch, digest: Digest, sender: str) -> str:
    """Stable per digest, so a resend carries the same id and receivers can de-duplicate it."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "tremplin.local"
    token = hashlib.sha256(f"{batch.id}:{batch.week}:{batch.audience}:{digest.id}".encode()).hexdigest()[:16]
    return f"<digest.{batch.week}.{batch.audience}.{digest.id}.{token}@{domain}>"


def send_batch(
    store: Store,
    batch_id: int,
    *,
    actor: str = "system",
    settings: Settings | None = None,
    policy: RetryPolicy | None = None,
    retry_failed: bool = False,
    resend_uncertain: bool = False,
    confirm_uncertain: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int, int], None] | None = None,
) -> SendReport:
    """Deliver every digest of an approved batch that has not been delivered yet."""
    settings = settings or store.settings
    policy = policy or RetryPolicy()
    if resend_uncertain and confirm_uncertain:
        raise ValueError("resend_uncertain and confirm_uncertain: choose one")
    with store.session() as session:
        batch = get_batch(session, batch_id)
        allowed = ("approved", "sent") if (retry_failed or resend_uncertain or confirm_uncertain) else ("approved",)
        if batch.status not in allowed:
            raise ConflictError(
                f"batch {batch.week}/{batch.audience} is {batch.status}: only an approved batch is sent",
                "conflict_send_not_approved",
                week=batch.week,
                status=batch.status,
            )
        report = SendReport(batch_id=batch.id, week=batch.week, audience=batch.audience)
        queue = _prepare(session, batch, settings, actor, retry_failed, resend_uncertain, confirm_uncertain, report)
    smtp = SmtpSession(settings, policy.timeout_seconds)
    try:
        for done, delivery_id in enumerate(queue, 1):
            if report.aborted:
                break
            try:
                _deliver(store, batch_id, delivery_id, settings, policy, smtp, sleep, report)
            except Exception as exc:
                reason = f"unexpected error: {type(exc).__name__}: {exc}"[:500]
                _set(store, delivery_id, FAILED, reason)
                report.failed.append({"delivery_id": delivery_id, "error": reason})
                smtp.drop()
            if progress:
                progress(done, len(queue))
    finally:
        smtp.quit()
    with store.session() as session:
        _finish(session, batch_id, actor, report)
    return report


def _prepare(
    session: Session,
    batch: DigestBatch,
    settings: Settings,
    actor: str,
    retry_failed: bool,
    resend_uncertain: bool,
    confirm_uncertain: bool,
    report: SendReport,
) -> list[int]:
    """Write a pending Delivery for every digest that has items; return the ids to attempt now."""
    content = BatchContent.load(session, batch.id)
    queue: list[int] = []
    for digest in content.digests():
        if not visible_items(digest):
            continue
        delivery = content.deliveries.get(digest.id)
        recipient = content.recipient(digest)
        if delivery is None:
            delivery = Delivery(
                digest_id=digest.id,
                recipient=recipient["email"] or "",
                status=PENDING,
                attempts=0,
                message_id=message_id(batch, digest, settings.smtp_sender),
            )
            session.add(delivery)
            session.flush()
        entry = {"digest_id": digest.id, "recipient": delivery.recipient, "message_id": delivery.message_id}
        if delivery.status == SENT:
            report.already_sent += 1
            continue
        if delivery.status == SENDING:
            if confirm_uncertain:
                _mark_sent(session, delivery, digest, batch.audience)
                record_audit(session, batch, actor, "confirm_delivery", entry)
                report.already_sent += 1
                continue
            if not resend_uncertain:
                report.uncertain.append(entry | {"error": delivery.last_error})
                continue
            record_audit(session, batch, actor, "resend_uncertain", entry)
            delivery.status = PENDING
        if delivery.status == FAILED:
            if not retry_failed:
                report.failed.append(entry | {"error": delivery.last_error})
                continue
            delivery.status = PENDING
        queue.append(delivery.id)
    return queue


def _deliver(
    store: Store,
    batch_id: int,
    delivery_id: int,
    settings: Settings,
    policy: RetryPolicy,
    smtp: SmtpSession,
    sleep: Callable[[float], None],
    report: SendReport,
) -> None:
    with store.session() as session:
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        content = BatchContent.load(session, batch_id, digest_ids=[delivery.digest_id])
        digest = content.digests()[0]
        recipient = content.recipient(digest)
        address = (recipient["email"] or "").strip()
        msg_id = delivery.message_id or message_id(content.batch, digest, settings.smtp_sender)
        entry = {"digest_id": digest.id, "recipient": address, "message_id": msg_id}
        problem = None if address else "no e-mail address"
        if not recipient["opt_in"]:
            problem = "recipient opted out of the digest"
        delivery.recipient, delivery.message_id = address, msg_id
        data = b""
        if problem is None:
            tag = f"{content.batch.week}/{content.batch.audience}/{digest.id}"
            try:  # one message that cannot be built fails alone; the rest of the batch goes out
                rendered = render_digest(content, digest, settings)
                data = build_message(rendered, address, settings.smtp_sender, msg_id, tag)
            except Exception as exc:
                problem = f"message could not be built: {type(exc).__name__}: {exc}"[:500]
        if problem:
            delivery.status, delivery.last_error, delivery.claimed_at = FAILED, problem, None
            report.failed.append(entry | {"error": problem})
            return
    envelope_sender = parseaddr(settings.smtp_sender)[1] or settings.smtp_sender
    for attempt in range(1, policy.max_attempts + 1):
        if not _claim(store, delivery_id, policy.lease_seconds):
            report.retry_later.append(entry | {"error": "being sent by another run"})
            return
        try:
            transmit(smtp.get(), envelope_sender, address, data, lambda: _set(store, delivery_id, SENDING, None))
        except PermanentFailure as exc:
            _set(store, delivery_id, FAILED, str(exc))
            report.failed.append(entry | {"error": str(exc)})
            smtp.reset()
            return
        except UncertainOutcome as exc:
            _set(store, delivery_id, SENDING, str(exc))
            report.uncertain.append(entry | {"error": str(exc)})
            smtp.drop()
            return
        except TransientFailure as exc:
            _set(store, delivery_id, PENDING, str(exc))
            smtp.drop()
            if attempt == policy.max_attempts:
                report.retry_later.append(entry | {"error": str(exc)})
                if isinstance(exc, Unreachable):
                    report.aborted = str(exc)
                return
            sleep(policy.delay(attempt))
            continue
        except smtplib.SMTPAuthenticationError as exc:
            _set(store, delivery_id, PENDING, f"SMTP login refused: {exc}")
            report.aborted = f"SMTP login refused for {settings.smtp_username!r}"
            return
        with store.session() as session:
            delivery = session.get(Delivery, delivery_id)
            assert delivery is not None
            digest_row = session.get(Digest, delivery.digest_id)
            assert digest_row is not None
            _mark_sent(session, delivery, digest_row, digest_row.batch.audience)
        report.sent += 1
        return


def _claim(store: Store, delivery_id: int, lease_seconds: float) -> bool:
    """Take a pending delivery for one attempt, unless another run holds a live claim on it.

    The claim (claimed_at) is what keeps two concurrent runs (cron and a hand-run) from both sending;
    a claim older than the lease belongs to a run that died before its message was complete.
    """
    now = datetime.now(UTC)
    with store.session() as session:
        result = session.execute(
            update(Delivery)
            .where(
                Delivery.id == delivery_id,
                Delivery.status == PENDING,
                (Delivery.claimed_at.is_(None)) | (Delivery.claimed_at < now - timedelta(seconds=lease_seconds)),
            )
            .values(attempts=Delivery.attempts + 1, claimed_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def _set(store: Store, delivery_id: int, status: str, error: str | None) -> None:
    """Record an outcome; the claim is released unless the message may be with the server."""
    values: dict[str, Any] = {"status": status, "last_error": error}
    if status != SENDING:
        values["claimed_at"] = None
    with store.session() as session:
        session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))


def _mark_sent(session: Session, delivery: Delivery, digest: Digest, audience: str) -> None:
    """Delivered: never propose these items to this recipient again."""
    delivery.status = SENT
    delivery.delivered_at = datetime.now(UTC)
    delivery.claimed_at = None
    for item in visible_items(digest):
        startup_id = digest.startup_id if audience == "startup" else item.startup_id
        if startup_id is None or item.tender_id is None:
            continue
        exists = session.scalar(
            select(SentItem.id).where(
                SentItem.audience == audience, SentItem.startup_id == startup_id, SentItem.tender_id == item.tender_id
            )
        )
        if exists is None:
            session.add(
                SentItem(audience=audience, startup_id=startup_id, tender_id=item.tender_id, digest_id=digest.id)
            )


def _finish(session: Session, batch_id: int, actor: str, report: SendReport) -> None:
    """Audit the run; the batch becomes `sent` when no delivery is left pending or uncertain."""
    batch = get_batch(session, batch_id)
    digests = [d for d in batch.digests if visible_items(d)]
    statuses: dict[int, str] = {}
    if digests:
        rows = session.execute(
            select(Delivery.digest_id, Delivery.status).where(Delivery.digest_id.in_([d.id for d in digests]))
        )
        statuses = {digest_id: status for digest_id, status in rows}
    final = all(statuses.get(d.id) in (SENT, FAILED) for d in digests)
    detail = {
        "sent": report.sent,
        "already_sent": report.already_sent,
        "failed": report.failed[:50],
        "retry_later": report.retry_later[:50],
        "uncertain": report.uncertain[:50],
    }
    if report.aborted:
        detail["aborted"] = report.aborted
    record_audit(session, batch, actor, "send", detail)
    if final and batch.status == "approved":
        transition(session, batch_id, "mark_sent", actor)
    report.status = batch.status
