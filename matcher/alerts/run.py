"""`tremplin alerts run` and `tremplin reminders run`: cron-safe, idempotent e-mail runs.

Alerts: each due saved search (instant: every run; daily / weekly: once per period) gets one e-mail
with its new matching tenders; a tender is recorded as sent for that search with the e-mail, so it is
never sent twice for one search and a second run sends nothing new. Reminders: each bid still
"interested" or "preparing" gets one e-mail at J-7 and one at J-2 before the deadline (calendar days
in the buyer's time zone). One profile that fails (bad filters, refused address) is reported and the
run goes on; an unreachable SMTP server stops the run (the rest would fail the same way) and the next
run picks up what is left. Records are committed after the server's acceptance, so a crash can send
an e-mail again (at most the last group of uncommitted ones), never lose one. A tender counts as new for
a search when it was stored after the search's last run (all open tenders on its first run, or after
the search was edited); the e-mail shows the best `alerts_max_items` and links to the search for the rest.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import socket
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from matcher.alerts.emails import Mail, alert_mail, build, reminder_mail
from matcher.alerts.matching import ProfileSpec, match_profiles
from matcher.alerts.pipeline import OPEN_STATUSES
from matcher.alerts.profiles import PERIOD_SECONDS, Frequency, search_page_params
from matcher.alerts.tokens import signer, unsubscribe_token
from matcher.digests.smtp import (
    PermanentFailure,
    SmtpSession,
    TransientFailure,
    UncertainOutcome,
    Unreachable,
    transmit,
)
from matcher.ranking.catalogue import TenderRecord
from matcher.settings import Settings
from matcher.store import AlertItem, Bid, BidReminder, SavedSearch, Startup, Store, Tender

if TYPE_CHECKING:
    from matcher.ranking.engine import Engine

log = logging.getLogger(__name__)

# send(recipient, message bytes) raises PermanentFailure / TransientFailure / Unreachable on failure
Sender = Callable[[str, bytes], None]


@dataclass
class RunReport:
    due: int = 0
    emails: int = 0
    tenders: int = 0
    skipped: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)
    stopped: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "due": self.due,
            "emails": self.emails,
            "tenders": self.tenders,
            "skipped": self.skipped,
            "failures": self.failures,
            "stopped": self.stopped,
        }


class SmtpSender:
    """The digests' SMTP wire, one connection reused for the whole run."""

    def __init__(self, settings: Settings, timeout: float = 30.0) -> None:
        self.settings = settings
        self.session = SmtpSession(settings, timeout)
        self._tuned: object = None

    def __call__(self, recipient: str, data: bytes) -> None:
        smtp = self.session.get()
        if smtp is not self._tuned and smtp.sock is not None:
            # transmit() writes the body and the final "." separately: without TCP_NODELAY, Nagle's algorithm
            # and the server's delayed ACK hold each message ~40 ms.
            with contextlib.suppress(OSError):
                smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._tuned = smtp
        try:
            transmit(smtp, self.settings.smtp_sender, recipient, data, lambda: None)
        except (TransientFailure, UncertainOutcome) as exc:
            self.session.drop()
            raise TransientFailure(str(exc)) from exc
        except PermanentFailure:
            self.session.reset()
            raise

    def close(self) -> None:
        self.session.quit()


def _zone(settings: Settings) -> str:
    return settings.default_timezone


def _msg_id(kind: str, key: object, items: list[str]) -> str:
    digest = hashlib.sha256("|".join([kind, str(key), *items]).encode()).hexdigest()[:24]
    return f"<{kind}-{key}-{digest}@tremplin>"


def _due(row: SavedSearch, now: datetime) -> bool:
    if row.last_run_at is None:
        return True
    return (now - row.last_run_at).total_seconds() >= PERIOD_SECONDS[Frequency(row.frequency)]


def run_alerts(
    engine: Engine,
    settings: Settings,
    now: datetime | None = None,
    send: Sender | None = None,
    only: set[int] | None = None,
) -> RunReport:
    """E-mail every due saved search its new matching tenders (see the module docstring)."""
    now = now or datetime.now(UTC)
    report = RunReport()
    store: Store = engine.store
    with store.session() as session:
        rows = session.execute(
            select(SavedSearch, Startup)
            .join(Startup, Startup.id == SavedSearch.startup_id)
            .where(SavedSearch.active.is_(True))
        ).all()
        due = [(s, st) for s, st in rows if _due(s, now) and (only is None or s.id in only)]
        report.due = len(due)
        if not due:
            return report
        ids = [s.id for s, _ in due]
        sent: dict[int, set[str]] = {}
        for chunk in range(0, len(ids), 900):
            for search_id, tender_id in session.execute(
                select(AlertItem.saved_search_id, Tender.external_id)
                .join(Tender, Tender.id == AlertItem.tender_id)
                .where(AlertItem.saved_search_id.in_(ids[chunk : chunk + 900]))
            ):
                sent.setdefault(search_id, set()).add(tender_id)
        tender_pk: dict[str, int] = {}
        stored_at: dict[str, datetime] = {}
        for external_id, pk, created_at in session.execute(
            select(Tender.external_id, Tender.id, Tender.created_at).where(Tender.status == "open")
        ):
            tender_pk[external_id] = pk
            stored_at[external_id] = created_at
        specs = [ProfileSpec(s.id, s.query, dict(s.filters or {}), s.last_run_at) for s, _ in due]
        result = match_profiles(
            engine, specs, list(stored_at), now, sent, settings.alerts_max_items, stored_at=stored_at
        )
        for search_id, reason in result.errors.items():
            report.failures.append({"saved_search": search_id, "reason": reason})
        jobs: list[_Job] = []
        quiet: list[int] = []
        for search, startup in due:
            items = result.found.get(search.id)
            if search.id in result.errors:
                continue
            if not items:
                quiet.append(search.id)
                continue
            if not startup.contact_email:
                report.skipped += 1
                report.failures.append({"saved_search": search.id, "reason": "the startup has no contact e-mail"})
                quiet.append(search.id)
                continue
            jobs.append(
                _Job(
                    search.id,
                    search.name,
                    search.query,
                    dict(search.filters or {}),
                    search.feed_token,
                    startup.contact_email,
                    startup.name,
                    startup.preferred_language or "fr",
                    items,
                    result.counts.get(search.id, len(items)),
                )
            )
        _mark_run(session, quiet, now, sent=False)
        session.commit()
        _deliver(session, settings, engine.catalogue.tenders, tender_pk, jobs, now, send, report)
    return report


@dataclass(frozen=True)
class _Job:
    """One alert e-mail to build and send (plain data: worker threads never touch ORM rows)."""

    search_id: int
    name: str
    query: str
    filters: dict[str, Any]
    feed_token: str
    email: str
    startup_name: str
    lang: str
    items: list[tuple[str, float]]
    count: int


# Sent alerts are committed in groups: a commit per e-mail (an fsync each) would cost more than the e-mail.
# A crash loses at most this many records, whose e-mails the next run would send again (at least once).
COMMIT_EVERY = 100
# E-mails are built and handed to the server by a few threads, each on its own SMTP connection: the run
# mostly waits for the server's replies.
SEND_THREADS = 4


def _mark_run(session: Session, ids: list[int], now: datetime, sent: bool) -> None:
    values: dict[str, Any] = {"last_run_at": now, **({"last_sent_at": now} if sent else {})}
    for chunk in range(0, len(ids), 900):
        session.execute(update(SavedSearch).where(SavedSearch.id.in_(ids[chunk : chunk + 900])).values(**values))


def _deliver(
    session: Session,
    settings: Settings,
    table: Any,
    tender_pk: dict[str, int],
    jobs: list[_Job],
    now: datetime,
    send: Sender | None,
    report: RunReport,
) -> None:
    """Build and send the e-mails on worker threads; record the sent ones in groups from this thread."""
    base = settings.public_url.rstrip("/")
    sign = signer(settings)
    zone = _zone(settings)
    local = threading.local()
    senders: list[SmtpSender] = []
    lock = threading.Lock()

    def sender() -> Sender:
        if send is not None:
            return send
        if not hasattr(local, "sender"):
            local.sender = SmtpSender(settings)
            with lock:
                senders.append(local.sender)
        return cast(Sender, local.sender)

    def work(job: _Job) -> None:
        records: list[TenderRecord] = [table.get(tender_id) for tender_id, _ in job.items]
        token = quote(unsubscribe_token(sign, job.search_id), safe="")
        mail: Mail = alert_mail(
            job.name, job.lang, records, base,
            f"{base}/alerts/unsubscribe/{token}",
            f"{base}/alerts/feeds/{quote(job.feed_token, safe='')}.atom",
            zone,
            more=job.count - len(job.items),
            search_url=f"{base}/search/tenders?{urlencode(search_page_params(job.query, job.filters))}",
        )  # fmt: skip
        msg_id = _msg_id("alert", job.search_id, [t for t, _ in job.items])
        data = build(mail, job.email, job.startup_name, settings.smtp_sender, msg_id, f"saved-search-{job.search_id}")
        sender()(job.email, data)

    done_items: list[dict[str, Any]] = []
    done_ids: list[int] = []

    def flush() -> None:
        if done_ids:
            if done_items:
                session.execute(insert(AlertItem), done_items)
            _mark_run(session, done_ids, now, sent=True)
            session.commit()
            done_items.clear()
            done_ids.clear()

    pool = ThreadPoolExecutor(max_workers=SEND_THREADS, thread_name_prefix="alerts-smtp")
    try:
        futures = {pool.submit(work, job): job for job in jobs}
        for future in as_completed(futures):
            job = futures[future]
            try:
                future.result()
            except Unreachable as exc:
                report.stopped = str(exc)
                for other in futures:
                    other.cancel()
                continue
            except (PermanentFailure, TransientFailure) as exc:
                report.failures.append({"saved_search": job.search_id, "reason": str(exc)})
                continue
            except CancelledError:
                continue
            except Exception as exc:  # one bad profile never stops the run
                log.exception("alert for saved search %s failed", job.search_id)
                report.failures.append({"saved_search": job.search_id, "reason": f"{type(exc).__name__}: {exc}"})
                continue
            report.emails += 1
            report.tenders += len(job.items)
            done_ids.append(job.search_id)
            done_items.extend(
                {"saved_search_id": job.search_id, "tender_id": tender_pk[t], "score": score, "sent_at": now}
                for t, score in job.items
                if t in tender_pk
            )
            if len(done_ids) >= COMMIT_EVERY:
                flush()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        flush()
        for smtp in senders:
            smtp.close()


# -- deadline reminders ----------------------------------------------------------------------------
REMINDERS = (("J-2", 2), ("J-7", 7))  # most urgent first


def days_left(deadline: datetime, now: datetime, zone: str) -> int:
    """Calendar days until the deadline, as seen in the buyer's time zone."""
    tz = ZoneInfo(zone)
    return (deadline.astimezone(tz).date() - now.astimezone(tz).date()).days


def run_reminders(
    store: Store, settings: Settings, now: datetime | None = None, send: Sender | None = None
) -> RunReport:
    """One e-mail per bid at J-7 and at J-2 (a bid that reaches J-2 first gets only the J-2 one)."""
    now = now or datetime.now(UTC)
    report = RunReport()
    owned_sender = send is None
    sender: Sender = send or SmtpSender(settings)
    try:
        with store.session() as session:
            rows = session.execute(
                select(Bid, Tender, Startup)
                .join(Tender, Tender.id == Bid.tender_id)
                .join(Startup, Startup.id == Bid.startup_id)
                .where(Bid.status.in_([s.value for s in OPEN_STATUSES]), Tender.deadline_at.is_not(None))
            ).all()
            done = {(b, k) for b, k in session.execute(select(BidReminder.bid_id, BidReminder.kind)).tuples()}
            for bid, tender, startup in rows:
                assert tender.deadline_at is not None
                zone = (tender.buyer.timezone if tender.buyer and tender.buyer.timezone else None) or _zone(settings)
                left = days_left(tender.deadline_at, now, zone)
                if left < 0:
                    continue
                kinds = [kind for kind, limit in REMINDERS if left <= limit and (bid.id, kind) not in done]
                if not kinds:
                    continue
                report.due += 1
                if not startup.contact_email:
                    report.skipped += 1
                    continue
                lang = startup.preferred_language or "fr"
                mail = reminder_mail(TenderRecord.from_row(tender), left, bid.status, lang, settings.public_url, zone)
                data = build(mail, startup.contact_email, startup.name, settings.smtp_sender,
                             _msg_id("reminder", bid.id, [kinds[0]]), f"bid-{bid.id}-{kinds[0]}")  # fmt: skip
                try:
                    sender(startup.contact_email, data)
                except Unreachable as exc:
                    report.stopped = str(exc)
                    break
                except (PermanentFailure, TransientFailure) as exc:
                    report.failures.append({"bid": bid.id, "reason": str(exc)})
                    continue
                # the most urgent reminder went out; the earlier one is not worth sending any more
                session.add_all(BidReminder(bid_id=bid.id, kind=kind, sent_at=now, days_left=left) for kind in kinds)
                session.commit()
                report.emails += 1
    finally:
        if owned_sender and isinstance(sender, SmtpSender):
            sender.close()
    return report
