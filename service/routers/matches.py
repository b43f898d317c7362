"""Tenders recommended to a startup, each with score, eligibility and explanation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from matcher.ranking.results import TenderFilters
from service.auth import ensure_startup_access
from service.deps import CurrentKeyDep, EngineSlotDep
from service.errors import declare, invalid, request_language
from service.localize import localize_matches
from service.params import CpvPrefix, MatchLimit, MatchOffset, MinGrade, Region
from service.routers.startups import StartupId
from service.schemas import MatchesPublic
from service.security import expensive_call

router = APIRouter(tags=["matching"])

Money = Annotated[float | None, Query(ge=0, le=1e15, description="Estimated value bound, in the tender's currency.")]


@router.get(
    "/startups/{startup_id}/matches",
    summary="Recommended tenders for a startup",
    description="Staff, or the startup itself. Open tenders ranked for the startup, best first, each with "
    "its calibrated grade (strong / good / possible) and probability of relevance, eligibility (eligible / "
    "eligible_with_gaps / ineligible, with reasons) and a readable "
    "explanation. Ineligible tenders are left out unless `include_ineligible` is true; "
    "matches under the relevance floor (`min_grade`) are left out, so the list may honestly be empty. "
    "`score` is internal (ordering, debugging) and not comparable across requests.",
    responses=declare(401, 403, 404, 422, 429, 503),
    dependencies=[Depends(expensive_call)],
)
def startup_matches(
    request: Request,
    startup_id: StartupId,
    identity: CurrentKeyDep,
    slot: EngineSlotDep,
    region: Region = None,
    cpv_prefix: CpvPrefix = None,
    min_value: Money = None,
    max_value: Money = None,
    deadline_within_days: Annotated[
        int | None, Query(ge=0, le=3650, description="Deadline no later than this many days from now.")
    ] = None,
    include_ineligible: Annotated[bool, Query(description="Also list tenders the startup cannot bid for.")] = False,
    limit: MatchLimit = 10,
    offset: MatchOffset = 0,
    min_grade: MinGrade = None,
) -> MatchesPublic:
    ensure_startup_access(identity, startup_id)
    if min_value is not None and max_value is not None and min_value > max_value:
        raise invalid("query.min_value", "must not be above max_value")
    filters = TenderFilters(
        region=region,
        cpv_prefix=cpv_prefix,
        min_value=min_value,
        max_value=max_value,
        deadline_within_days=deadline_within_days,
        include_ineligible=include_ineligible,
    )
    matches, total = slot.get().recommend_tenders_page(
        startup_id, filters, limit=limit, offset=offset, min_grade=min_grade
    )
    matches = localize_matches(matches, request_language(request))  # Accept-Language: fr / ar
    return MatchesPublic(data=matches, total=total, limit=limit, offset=offset)
