"""`tremplin alerts run` and `tremplin reminders run`: cron-safe, idempotent e-mail runs.

Alerts: each due saved search (instant: every run; daily / weekly: once per period) gets one e-mail
with its new matching tenders; a tender is recorded as sent for that search with the e-mail, so it is
never sent twice for one search and a second run sends nothing new. Reminders: each bid still
"interested" or "preparing" gets one e-mail at J-7 and one at J-2 before the deadline (calendar days
in the buyer's time zone). One profile that fails (bad filters, refused address) is reported and the
run goes on; an unreachable SMTP server stops the run (the rest would fail the same way) and the next
run picks up what is left. The commit follows the server's acceptance, so a crash in between can send
one e-mail twice, never lose one.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from matcher.alerts.emails import Mail, alert_mail, build, reminder_mail
from matcher.alerts.matching import ProfileSpec, match_profiles
from matcher.alerts.pipeline import OPEN_STATUSES
from matcher.alerts.profiles import PERIOD_SECONDS, Frequency
from matcher.alerts.tokens import unsubscribe_token
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

    def __call__(self, recipient: str, data: bytes) -> None:
        smtp = self.session.get()
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
    owned_sender = send is None
    sender: Sender = send or SmtpSender(settings)
    try:
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
            specs = [ProfileSpec(s.id, s.query, dict(s.filters or {})) for s, _ in due]
            table = engine.catalogue.tenders
            result = match_profiles(
                engine, specs, [r.external_id for r in table.records], now, sent, settings.alerts_max_items
            )
            for search_id, reason in result.errors.items():
                report.failures.append({"saved_search": search_id, "reason": reason})
            tender_pk = dict(session.execute(select(Tender.external_id, Tender.id)).tuples().all())
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
                try:
                    _send_alert(session, settings, sender, search, startup, items, table, tender_pk, now)
                except Unreachable as exc:
                    report.stopped = str(exc)
                    break
                except (PermanentFailure, TransientFailure) as exc:
                    session.rollback()
                    report.failures.append({"saved_search": search.id, "reason": str(exc)})
                    continue
                except Exception as exc:  # one bad profile never stops the run
                    session.rollback()
                    log.exception("alert for saved search %s failed", search.id)
                    report.failures.append({"saved_search": search.id, "reason": f"{type(exc).__name__}: {exc}"})
                    continue
                report.emails += 1
                report.tenders += len(items)
            for chunk in range(0, len(quiet), 900):
                session.execute(
                    update(SavedSearch).where(SavedSearch.id.in_(quiet[chunk : chunk + 900])).values(last_run_at=now)
                )
            session.commit()
    finally:
        if owned_sender and isinstance(sender, SmtpSender):
            sender.close()
    return report


def _send_alert(
    session: Session,
    settings: Settings,
    sender: Sender,
    search: SavedSearch,
    startup: Startup,
    items: list[tuple[str, float]],
    table: Any,
    tender_pk: dict[str, int],
    now: datetime,
) -> None:
    records: list[TenderRecord] = [table.get(tender_id) for tender_id, _ in items]
    base = settings.public_url.rstrip("/")
    mail: Mail = alert_mail(
        search.name,
        startup.preferred_language or "fr",
        records,
        base,
        f"{base}/alerts/unsubscribe/{quote(unsubscribe_token(settings, search.id), safe='')}",
        f"{base}/alerts/feeds/{quote(search.feed_token, safe='')}.atom",
        _zone(settings),
    )
    assert startup.contact_email is not None
    data = build(
        mail,
        startup.contact_email,
        startup.name,
        settings.smtp_sender,
        _msg_id("alert", search.id, [t for t, _ in items]),
        f"saved-search-{search.id}",
    )
    sender(startup.contact_email, data)
    session.add_all(
        AlertItem(saved_search_id=search.id, tender_id=tender_pk[tender_id], score=score, sent_at=now)
        for tender_id, score in items
        if tender_id in tender_pk
    )
    search.last_run_at = now
    search.last_sent_at = now
    session.commit()


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
