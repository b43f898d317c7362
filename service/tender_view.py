"""Everything a founder reads on one tender, shared by `GET /tenders/{id}` and the web tender page.

Composes the store row (lots, links), the CPV labels, the requirements against the signed-in startup
(met / missing / unknown), the buyer's history, similar open tenders and the startup's own bid.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from matcher import cpv
from matcher.alerts.pipeline import get_bid
from matcher.ranking.catalogue import StartupRecord, TenderRecord
from matcher.ranking.engine import Engine
from matcher.ranking.requirements import requirements
from matcher.ranking.tender_search import similar_open_tenders
from matcher.settings import Settings
from matcher.store import Tender
from matcher.store.buyer_history import buyer_history
from service.schemas import TenderPublic
from service.schemas_tools import (
    BidPublic,
    BuyerHistoryPublic,
    CpvLabelPublic,
    LotDetail,
    PastPurchasePublic,
    RequirementPublic,
    SimilarTender,
    TenderDetail,
)


def safe_link(url: str | None) -> str | None:
    """Only absolute http(s) links reach a page (no javascript:, data: or relative URLs)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def cpv_labels(codes: list[str], lang: str, catalogue: dict[str, cpv.CPVLabel]) -> list[CpvLabelPublic]:
    return [CpvLabelPublic(code=code, label=cpv.label(code, lang, catalogue)) for code in codes]


def tender_zone(tender: Tender, settings: Settings) -> str:
    zone = (tender.buyer.timezone if tender.buyer else None) or settings.default_timezone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = settings.default_timezone
    return zone


def tender_detail(
    session: Session,
    engine: Engine,
    settings: Settings,
    row: Tender,
    public: TenderPublic,
    startup_id: str | None,
    lang: str = "fr",
    now: datetime | None = None,
) -> TenderDetail:
    now = now or datetime.now(UTC)
    labels = engine.cpv_labels
    record = TenderRecord.from_row(row)
    startup: StartupRecord | None = engine.catalogue.startups.get(startup_id) if startup_id else None
    zone = tender_zone(row, settings)
    seconds_left = int((row.deadline_at - now).total_seconds()) if row.deadline_at else None
    history = None
    if row.buyer is not None:
        division = row.cpv_codes[0][:2] if row.cpv_codes else None
        found = buyer_history(session, row.buyer, division)
        history = BuyerHistoryPublic(
            buyer_id=found.buyer_id,
            name=found.name,
            kind=found.kind,
            tenders_published=found.tenders_published,
            awards=found.awards,
            awards_to_small_firms=found.awards_to_small_firms,
            typical_value=found.typical_value,
            currency=found.currency,
            division=division,
            same_division=[PastPurchasePublic(**vars(p)) for p in found.same_division],
        )
    similar = []
    for external_id in similar_open_tenders(engine, row.external_id, limit=5, now=now):
        other = engine.catalogue.tenders.get(external_id)
        if other is not None:
            similar.append(
                SimilarTender(
                    external_id=other.external_id,
                    title=other.title,
                    buyer_name=other.buyer_name,
                    deadline_at=other.deadline_at,
                    estimated_value=other.estimated_value,
                    currency=other.currency,
                )
            )
    bid = None
    if startup_id:
        found_bid = get_bid(session, startup_id, row.external_id)
        if found_bid is not None:
            bid = BidPublic.from_row(found_bid, row)
    data = public.model_dump(exclude={"lots", "source_url"})
    return TenderDetail(
        **data,
        source_url=safe_link(row.source_url),
        cpv=cpv_labels(list(row.cpv_codes or []), lang, labels),
        lots=[
            LotDetail(
                lot_number=lot.lot_number,
                title=lot.title,
                description=lot.description,
                cpv=cpv_labels(list(lot.cpv_codes or []), lang, labels),
                estimated_value=lot.estimated_value,
            )
            for lot in row.lots
        ],
        time_zone=zone,
        deadline_local=row.deadline_at.astimezone(ZoneInfo(zone)) if row.deadline_at else None,
        seconds_left=seconds_left,
        days_left=(max(0, seconds_left) // 86400) if seconds_left is not None else None,
        documents=[link for link in [safe_link(row.source_url)] if link],
        requirements=[
            RequirementPublic(code=r.code, status=r.status.value, params=r.params)
            for r in requirements(record, startup, now)
        ],
        requirements_for=startup.external_id if startup else None,
        buyer_history=history,
        similar=similar,
        bid=bid,
    )


def calendar_file(row: Tender, settings: Settings, page_url: str) -> bytes:
    """An iCalendar event at the deadline, with a reminder the day before (RFC 5545)."""
    from icalendar import Alarm, Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Tremplin//tenders//FR")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"tender-{row.external_id}@tremplin")
    event.add("dtstamp", datetime.now(UTC))
    deadline = row.deadline_at or datetime.now(UTC)
    event.add("dtstart", deadline - timedelta(minutes=30))
    event.add("dtend", deadline)
    event.add("summary", f"Date limite : {row.title}"[:250])
    event.add("description", f"{row.title}\n{page_url}")
    event.add("url", page_url)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"J-1 : {row.title}"[:250])
    alarm.add("trigger", timedelta(days=-1))
    event.add_component(alarm)
    calendar.add_component(event)
    return bytes(calendar.to_ical())
