"""Build the week's digests from the engine's rankings, keeping every staff edit on a rebuild.

Three phases so the write transaction stays short: read what the ranking needs, rank with the engine
(no session open), then reconcile each digest with its fresh ranking in one transaction. Re-running
the same week with the same data changes nothing; an approved or sent batch is never rebuilt.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matcher.digests.curate import AUDIENCES, EDITABLE, record_audit
from matcher.digests.reconcile import Candidate, ItemKey, apply
from matcher.digests.weeks import current_week, normalize_week
from matcher.errors import NotFoundError
from matcher.ranking.matching import MatchingEngine
from matcher.ranking.results import TenderFilters
from matcher.settings import Settings
from matcher.store import (
    Buyer,
    Delivery,
    Digest,
    DigestBatch,
    DigestItem,
    SentItem,
    Startup,
    Store,
    Tender,
)

Engine = MatchingEngine  # what digests need of the engine


FIRST_WINDOW_DAYS = 7
PER_BUYER = 2  # diversity: at most this many tenders of one buyer in a startup's digest
PER_TENDER = 3  # buyer digests: at most this many startups proposed for one tender
MAX_PAGES = 6
UNRESTRICTED_SLACK = 200  # up to this many open tenders left out: rank all, drop them after


@dataclass
class BuildReport:
    batch_id: int
    week: str
    audience: str
    status: str
    skipped: str | None = None
    recipients: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    without_match: int = 0
    items: int = 0
    errors: list[str] = field(default_factory=list)
    # startups left out because nothing is above the relevance floor, with why (for staff)
    left_out: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Recipient:
    id: int
    external_id: str
    since: datetime | None = None
    tenders: list[tuple[int, str]] = field(default_factory=list)  # buyer digests: its open tenders


def build_batch(
    store: Store,
    engine: Engine,
    week: str | None = None,
    audience: str = "startup",
    *,
    actor: str = "system",
    settings: Settings | None = None,
    now: datetime | None = None,
    first_window_days: int = FIRST_WINDOW_DAYS,
    per_tender: int = PER_TENDER,
    progress: Callable[[int, int], None] | None = None,
    ranker: Ranker | None = None,
) -> BuildReport:
    """Create or refresh the (week, audience) batch; safe to run from cron as often as wanted.

    `ranker` ranks the recipients elsewhere (e.g. split over Ray workers, :mod:`matcher.batch`); it
    must give what :func:`rank_recipients` gives in this process."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience: must be one of {', '.join(AUDIENCES)}, not {audience!r}")
    settings = settings or store.settings
    week = normalize_week(week) if week else current_week(settings.default_timezone)
    now = now or datetime.now(UTC)
    batch_id, status, anchor = _batch(store, week, audience)
    report = BuildReport(batch_id=batch_id, week=week, audience=audience, status=status)
    if status not in EDITABLE:
        report.skipped = f"batch {week}/{audience} is {status}: reopen it to rebuild"
        return report

    with store.session() as session:
        if audience == "startup":
            recipients = _startup_recipients(session, week, anchor - timedelta(days=first_window_days))
        else:
            recipients = _buyer_recipients(session)
        if ranker is None:
            ranked = _rank(session, engine, recipients, settings, now, per_tender, progress, report)
    if ranker is not None:
        ranked = ranker(recipients, report, now, per_tender, progress)

    with store.session() as session:
        batch = session.get(DigestBatch, batch_id)
        assert batch is not None
        if batch.status not in EDITABLE:  # approved while we were ranking
            report.status, report.skipped = batch.status, f"batch {week}/{audience} became {batch.status}"
            return report
        limit = settings.digest_max_items
        group_cap = PER_BUYER if audience == "startup" else per_tender
        if audience == "buyer":
            limit = settings.digest_max_items * per_tender
        apply(batch, audience, ranked, limit, group_cap, report)
        report.recipients = len(ranked)
        record_audit(session, batch, actor, "build", _counts(report))
    return report


# -- phase 1: the batch and who gets a digest --------------------------------------------------
def _batch(store: Store, week: str, audience: str) -> tuple[int, str, datetime]:
    """Get or create the batch; its creation time anchors a first digest's window for the week."""
    for _ in range(2):
        try:
            with store.session() as session:
                batch = session.scalar(
                    select(DigestBatch).where(DigestBatch.week == week, DigestBatch.audience == audience)
                )
                if batch is None:
                    batch = DigestBatch(week=week, audience=audience, status="draft")
                    session.add(batch)
                    session.flush()
                return batch.id, batch.status, batch.created_at
        except IntegrityError:  # a concurrent build created it first: read it
            continue
    raise RuntimeError(f"could not create the digest batch {week}/{audience}")


def _startup_recipients(session: Session, week: str, first_since: datetime) -> dict[int, Recipient]:
    """Opted-in startups with an address; `since` = when their last delivered digest was built."""
    startups = session.execute(
        select(Startup.id, Startup.external_id).where(
            Startup.digest_opt_in.is_(True), Startup.contact_email.is_not(None), Startup.contact_email != ""
        )
    ).all()
    previous = dict(
        session.execute(
            select(Digest.startup_id, func.max(Digest.created_at))
            .join(DigestBatch, Digest.batch_id == DigestBatch.id)
            .join(Delivery, Delivery.digest_id == Digest.id)
            .where(DigestBatch.audience == "startup", DigestBatch.week < week, Delivery.status == "sent")
            .group_by(Digest.startup_id)
        ).all()
    )
    return {
        row.id: Recipient(row.id, row.external_id, since=_aware(previous.get(row.id)) or first_since)
        for row in startups
    }


def _buyer_recipients(session: Session) -> dict[int, Recipient]:
    buyers = session.execute(
        select(Buyer.id, Buyer.external_id).where(
            Buyer.digest_opt_in.is_(True), Buyer.contact_email.is_not(None), Buyer.contact_email != ""
        )
    ).all()
    recipients = {row.id: Recipient(row.id, row.external_id) for row in buyers}
    if recipients:
        tenders = session.execute(
            select(Tender.id, Tender.external_id, Tender.buyer_id)
            .where(Tender.buyer_id.in_(list(recipients)), Tender.status == "open")
            .order_by(Tender.deadline_at, Tender.id)
        ).all()
        for tender in tenders:
            recipients[tender.buyer_id].tenders.append((tender.id, tender.external_id))
    return recipients


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _changed_at(published: datetime | None, created: datetime, updated: datetime) -> datetime:
    """When a tender last became news: published (or stored, if no date) or changed."""
    first = _aware(published) or _aware(created)
    last = _aware(updated)
    assert first is not None and last is not None
    return max(first, last)


def _sent(session: Session, audience: str) -> dict[int, set[int]]:
    """startup audience: startup → tenders sent to it; buyer audience: tender → startups proposed for it."""
    sent: dict[int, set[int]] = {}
    rows = session.execute(select(SentItem.startup_id, SentItem.tender_id).where(SentItem.audience == audience)).all()
    for startup_id, tender_id in rows:
        if audience == "startup":
            sent.setdefault(startup_id, set()).add(tender_id)
        else:
            sent.setdefault(tender_id, set()).add(startup_id)
    return sent


def _removed(session: Session, week: str, audience: str) -> dict[int, set[ItemKey]]:
    """Items staff removed from this week's digests, per recipient: never proposed again this week."""
    owner = Digest.startup_id if audience == "startup" else Digest.buyer_id
    rows = session.execute(
        select(owner, DigestItem.tender_id, DigestItem.startup_id)
        .join(Digest, DigestItem.digest_id == Digest.id)
        .join(DigestBatch, Digest.batch_id == DigestBatch.id)
        .where(DigestBatch.week == week, DigestBatch.audience == audience, DigestItem.removed.is_(True))
    ).all()
    removed: dict[int, set[ItemKey]] = {}
    for recipient, tender_id, startup_id in rows:
        if recipient is not None:
            removed.setdefault(recipient, set()).add((tender_id, startup_id))
    return removed


def explain_pair(
    engine: Engine, startup_id: str, tender_id: str, now: datetime | None = None
) -> tuple[float, dict[str, Any]] | None:
    """Score and explanation of one tender for one startup (for items staff add by hand);
    None when the engine does not consider the tender open any more."""
    filters = TenderFilters(include_ineligible=True, min_days_before_deadline=0)
    matches = engine.recommend_tenders(
        startup_id, filters=filters, limit=1, now=now, only_tenders=[tender_id], min_grade="any"
    )  # staff chose it: explain it whatever its grade
    if not matches:
        return None
    return matches[0].score, _explanation(matches[0])


# -- phase 2: rankings -------------------------------------------------------------------------
Ranker = Callable[
    [dict[int, Recipient], BuildReport, datetime, int, Callable[[int, int], None] | None],
    dict[int, list[Candidate]],
]


def rank_recipients(
    store: Store,
    engine: Engine,
    recipients: dict[int, Recipient],
    report: BuildReport,
    now: datetime,
    per_tender: int = PER_TENDER,
    settings: Settings | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[int, list[Candidate]]:
    """Phase 2 for some of a batch's recipients (a Ray worker's share); errors and startups left
    out go to `report`, whose week, audience and batch id say which batch it is."""
    with store.session() as session:
        return _rank(session, engine, recipients, settings or store.settings, now, per_tender, progress, report)


def _rank(
    session: Session,
    engine: Engine,
    recipients: dict[int, Recipient],
    settings: Settings,
    now: datetime,
    per_tender: int,
    progress: Callable[[int, int], None] | None,
    report: BuildReport,
) -> dict[int, list[Candidate]]:
    if report.audience == "startup":
        return _rank_startups(session, engine, recipients, settings, now, progress, report)
    return _rank_buyers(session, engine, recipients, settings, now, per_tender, progress, report)


def _explanation(match: Any) -> dict[str, Any]:
    data: dict[str, Any] = match.explanation.model_dump(mode="json")
    data["eligibility"] = match.eligibility.model_dump(mode="json") if match.eligibility else None
    return data


def _rank_startups(
    session: Session,
    engine: Engine,
    recipients: dict[int, Recipient],
    settings: Settings,
    now: datetime,
    progress: Callable[[int, int], None] | None,
    report: BuildReport,
) -> dict[int, list[Candidate]]:
    """Per startup: new open tenders it has not been sent, best first, enough to fill a diverse digest."""
    tenders = session.execute(
        select(
            Tender.id, Tender.external_id, Tender.buyer_id, Tender.published_at, Tender.created_at, Tender.updated_at
        ).where(Tender.status == "open")
    ).all()
    by_external = {t.external_id: t for t in tenders}
    changed = {t.id: _changed_at(t.published_at, t.created_at, t.updated_at) for t in tenders}
    sent = _sent(session, "startup")
    removed = _removed(session, report.week, "startup")
    week_items = _current_items(session, report.batch_id)
    wanted = settings.digest_max_items
    external = {t.id: t.external_id for t in tenders}
    windows: dict[datetime, _Window] = {}
    ranked: dict[int, list[Candidate]] = {}
    for done, recipient in enumerate(recipients.values(), 1):
        since = recipient.since or now
        window = windows.get(since) or windows.setdefault(since, _Window.of(tenders, changed, since))
        excluded = (sent.get(recipient.id, set()) | {t for t, _ in removed.get(recipient.id, set())}) & window.ids
        ranked[recipient.id] = []
        if len(excluded) == len(window.ids):
            continue
        reject = {external[t] for t in excluded}
        if len(tenders) - len(window.ids) + len(excluded) <= UNRESTRICTED_SLACK:
            # Few open tenders left out: rank them all and skip those (cheaper than a restricted search).
            only, reject = None, reject | window.outside
        elif excluded:
            only = [external[t] for t in window.ordered if t not in excluded]
        else:
            only = window.external
        try:
            ranked[recipient.id] = _page_tenders(
                engine, recipient.external_id, only, reject, by_external,
                settings.digest_min_score, wanted + week_items.get(recipient.id, 0), now,
            )  # fmt: skip
        except NotFoundError as exc:
            report.errors.append(f"startup {recipient.external_id}: {exc} (run `tremplin index` first)")
        else:
            if not ranked[recipient.id]:
                report.left_out.append(_why_left_out(engine, recipient.external_id, only, settings, now))
        if progress:
            progress(done, len(recipients))
    return ranked


def _why_left_out(
    engine: Engine, startup_id: str, only: list[str] | None, settings: Settings, now: datetime
) -> dict[str, Any]:
    """Why a startup gets no digest: its best open tender and how far under the floor it is."""
    best = engine.recommend_tenders(startup_id, limit=1, now=now, only_tenders=only, min_grade="any")
    entry: dict[str, Any] = {"startup": startup_id, "floor": settings.min_grade}
    if not best:
        entry["reason"] = "no_open_tender"
        return entry
    entry |= {
        "reason": "nothing_above_floor",
        "best_tender": best[0].tender_id,
        "best_title": best[0].title[:120],
        "best_probability": best[0].probability,
    }
    return entry


def _page_tenders(
    engine: Engine,
    startup_id: str,
    only: list[str] | None,
    reject: set[str],
    by_external: dict[str, Any],
    min_score: float,
    wanted: int,
    now: datetime,
) -> list[Candidate]:
    """Ask the engine page by page until the candidates can fill `wanted` diverse slots."""
    page = wanted + 2 * PER_BUYER + 1 + (len(reject) if only is None else 0)
    found: list[Candidate] = []
    for number in range(MAX_PAGES):
        matches = engine.recommend_tenders(startup_id, limit=page, offset=number * page, now=now, only_tenders=only)
        for match in matches:
            row = by_external.get(match.tender_id)
            if row is None or match.tender_id in reject or match.score < min_score:
                continue
            group = ("buyer", row.buyer_id) if row.buyer_id is not None else ("tender", row.id)
            found.append(Candidate(row.id, None, match.score, group, _explanation(match)))
        exhausted = len(matches) < page or (matches and matches[-1].score < min_score)
        if exhausted or _diverse_count(found, PER_BUYER) >= wanted:
            break
    return found


@dataclass
class _Window:
    """Open tenders that are news since one moment, computed once for every startup sharing it."""

    ordered: list[int]
    ids: set[int]
    external: list[str]
    outside: set[str]  # open tenders that are not news

    @classmethod
    def of(cls, tenders: Sequence[Any], changed: dict[int, datetime], since: datetime) -> _Window:
        inside = [t for t in tenders if changed[t.id] >= since]
        outside = {t.external_id for t in tenders if changed[t.id] < since}
        return cls([t.id for t in inside], {t.id for t in inside}, [t.external_id for t in inside], outside)


def _diverse_count(candidates: Iterable[Candidate], cap: int) -> int:
    groups = Counter(c.group for c in candidates)
    return sum(min(n, cap) for n in groups.values())


def _current_items(session: Session, batch_id: int) -> dict[int, int]:
    """Staff-kept items per recipient, so the ranking asks for enough beyond them."""
    rows = session.execute(
        select(Digest.startup_id, func.count(DigestItem.id))
        .join(DigestItem, DigestItem.digest_id == Digest.id)
        .where(
            Digest.batch_id == batch_id,
            DigestItem.removed.is_(False),
            (DigestItem.pinned.is_(True)) | (DigestItem.added_by_hand.is_(True)) | (DigestItem.note.is_not(None)),
        )
        .group_by(Digest.startup_id)
    ).all()
    return {startup_id: count for startup_id, count in rows if startup_id is not None}


def _rank_buyers(
    session: Session,
    engine: Engine,
    recipients: dict[int, Recipient],
    settings: Settings,
    now: datetime,
    per_tender: int,
    progress: Callable[[int, int], None] | None,
    report: BuildReport,
) -> dict[int, list[Candidate]]:
    """Per buyer: for each of its open tenders, the best eligible startups not yet proposed for it."""
    sent = _sent(session, "buyer")
    removed = _removed(session, report.week, "buyer")
    startups = dict(session.execute(select(Startup.external_id, Startup.id)).tuples().all())
    ranked: dict[int, list[Candidate]] = {}
    for done, recipient in enumerate(recipients.values(), 1):
        found: list[Candidate] = []
        excluded = removed.get(recipient.id, set())
        for tender_id, tender_external in recipient.tenders:
            already = sent.get(tender_id, set())
            try:
                matches = engine.suppliers_for_tender(tender_external, limit=per_tender * 2 + len(already), now=now)
            except NotFoundError as exc:
                report.errors.append(f"tender {tender_external}: {exc} (run `tremplin index` first)")
                continue
            for match in matches:
                startup_id = startups.get(match.startup_id)
                if startup_id is None or startup_id in already or (tender_id, startup_id) in excluded:
                    continue
                if match.score >= settings.digest_min_score:
                    found.append(
                        Candidate(tender_id, startup_id, match.score, ("tender", tender_id), _explanation(match))
                    )
        ranked[recipient.id] = found
        if progress:
            progress(done, len(recipients))
    return ranked


def _counts(report: BuildReport) -> dict[str, Any]:
    keys = ("recipients", "created", "updated", "unchanged", "deleted", "without_match", "items")
    detail: dict[str, Any] = {key: getattr(report, key) for key in keys}
    if report.errors:
        detail["errors"] = report.errors[:20]
    if report.left_out:
        detail["left_out"] = report.left_out[:200]
    return detail
