"""Tender search and the deadline's calendar file; included before `tenders` so '/tenders/search' is not an id."""

from __future__ import annotations

from typing import Annotated, Any, cast
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Response

from matcher.ranking.engine import Engine
from matcher.ranking.tender_search import SearchFilters, SearchSort, search_tenders
from matcher.schemas import BuyerKind, Language
from matcher.store import repository
from service.deps import CurrentKeyDep, EngineSlotDep, SessionDep, SettingsDep
from service.errors import declare, invalid
from service.params import CpvPrefix, Region
from service.schemas_tools import SearchHitPublic, TenderSearchPage
from service.tender_view import calendar_file

router = APIRouter(prefix="/tenders", tags=["tenders"])

Money = Annotated[float | None, Query(ge=0, le=1e15, description="Estimated value bound, in the tender's currency.")]
Days = Annotated[int | None, Query(ge=0, le=3650)]


def tender_page_url(base: str, tender_id: str) -> str:
    return f"{base.rstrip('/')}/tender/{quote(tender_id, safe='')}"


def build_filters(**values: Any) -> SearchFilters:
    """Cross-field checks name the query parameter at fault (422)."""
    low, high = values.get("min_value"), values.get("max_value")
    if low is not None and high is not None and low > high:
        raise invalid("query.min_value", "must not be above max_value")
    first, last = values.get("min_days_left"), values.get("max_days_left")
    if first is not None and last is not None and first > last:
        raise invalid("query.min_days_left", "must not be above max_days_left")
    return SearchFilters(**{k: v for k, v in values.items() if v is not None})


@router.get(
    "/search",
    summary="Search open tenders",
    description="Any key. Keywords (lexical) and meaning (dense) over the open tenders, with filters, a sort "
    "(relevance, deadline, value, publication) and pages; `total` counts every match.",
    responses=declare(401, 422, 503),
)
def search(
    _identity: CurrentKeyDep,
    slot: EngineSlotDep,
    settings: SettingsDep,
    q: Annotated[str | None, Query(max_length=200, description="Keywords or a need in plain words.")] = None,
    region: Region = None,
    cpv_prefix: CpvPrefix = None,
    buyer_kind: Annotated[BuyerKind | None, Query(description="Kind of buyer.")] = None,
    min_value: Money = None,
    max_value: Money = None,
    min_days_left: Annotated[Days, Query(description="Deadline at least this many days away.")] = None,
    max_days_left: Annotated[Days, Query(description="Deadline at most this many days away.")] = None,
    reserved_for_sme: Annotated[
        bool | None, Query(description="Only tenders reserved (or not) for small firms.")
    ] = None,
    language: Annotated[Language | None, Query(description="Language of the notice.")] = None,
    sort: Annotated[SearchSort, Query(description="relevance (needs q), deadline, value or publication.")] = (
        SearchSort.relevance
    ),
    limit: Annotated[int, Query(ge=1, le=100, description="Page size.")] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000, description="Rows to skip.")] = 0,
) -> TenderSearchPage:
    filters = build_filters(
        region=region,
        cpv_prefix=cpv_prefix,
        buyer_kind=buyer_kind,
        min_value=min_value,
        max_value=max_value,
        min_days_left=min_days_left,
        max_days_left=max_days_left,
        reserved_for_sme=reserved_for_sme,
        language=language,
    )
    engine = cast(Engine, slot.get())
    page = search_tenders(engine, q, filters, sort, limit, offset)
    data = [
        SearchHitPublic(
            external_id=h.record.external_id,
            title=h.record.title,
            buyer_id=h.record.buyer_id,
            buyer_name=h.record.buyer_name,
            buyer_kind=h.record.buyer_kind,
            region=h.record.region,
            cpv_codes=list(h.record.cpv_codes),
            estimated_value=h.record.estimated_value,
            currency=h.record.currency,
            published_at=h.record.published_at,
            deadline_at=h.record.deadline_at,
            reserved_for_sme=h.record.reserved_for_sme,
            language=h.record.language,
            score=h.score,
            url=tender_page_url(settings.public_url, h.record.external_id),
        )
        for h in page.hits
    ]
    return TenderSearchPage(data=data, total=page.total, limit=limit, offset=offset)


@router.get(
    "/{tender_id}/calendar.ics",
    summary="The deadline as a calendar event",
    description="Any key. An iCalendar file (RFC 5545) with the deadline and a reminder the day before.",
    response_class=Response,
    responses={**declare(401, 404, 422), 200: {"content": {"text/calendar": {}}}},
)
def calendar(
    tender_id: Annotated[str, Path(max_length=128)],
    session: SessionDep,
    _identity: CurrentKeyDep,
    settings: SettingsDep,
) -> Response:
    row = repository.get_tender(session, tender_id)
    body = calendar_file(row, settings, tender_page_url(settings.public_url, tender_id))
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="tender-{quote(tender_id, safe="")}.ics"'},
    )
