"""Startups proposed to a buyer: for one of its tenders, or for a need written in free text."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from matcher.ranking.results import SupplierFilters
from matcher.store import repository
from matcher.store.keys import Identity
from service.auth import ensure_tender_owner
from service.deps import BuyerOrStaffDep, EngineSlotDep, SessionDep
from service.errors import declare, invalid, request_language
from service.localize import localize_matches
from service.params import CpvPrefix, MatchLimit, MatchOffset, MinGrade, Region
from service.routers.tenders import TenderId
from service.schemas import SupplierSearch, SuppliersPublic
from service.security import expensive_call

router = APIRouter(tags=["matching"])

Headcount = Annotated[int | None, Query(ge=0, le=1_000_000, description="Headcount bound.")]


def _check_headcount(filters: SupplierFilters, prefix: str) -> None:
    low, high = filters.min_headcount, filters.max_headcount
    if low is not None and high is not None and low > high:
        raise invalid(f"{prefix}.min_headcount", "must not be above max_headcount")


def _own_tender(session: SessionDep, identity: Identity, tender_id: str) -> None:
    ensure_tender_owner(identity, repository.get_tender(session, tender_id))


@router.get(
    "/tenders/{tender_id}/suppliers",
    summary="Suppliers for a tender",
    description="Staff, or the buyer that owns the tender. Startups ranked for the tender with their "
    "eligibility against its requirements and an explanation. No contact details are included.",
    responses=declare(401, 403, 404, 422, 429, 503),
    dependencies=[Depends(expensive_call)],
)
def tender_suppliers(
    request: Request,
    tender_id: TenderId,
    session: SessionDep,
    identity: BuyerOrStaffDep,
    slot: EngineSlotDep,
    sector: Annotated[str | None, Query(max_length=120, description="A sector the startup lists.")] = None,
    region: Region = None,
    certification: Annotated[str | None, Query(max_length=120, description="e.g. 'ISO 27001'.")] = None,
    min_headcount: Headcount = None,
    max_headcount: Headcount = None,
    cpv_prefix: CpvPrefix = None,
    include_ineligible: Annotated[bool, Query(description="Also list startups that miss a requirement.")] = False,
    limit: MatchLimit = 10,
    offset: MatchOffset = 0,
    min_grade: MinGrade = None,
) -> SuppliersPublic:
    _own_tender(session, identity, tender_id)
    filters = SupplierFilters(
        sector=sector,
        region=region,
        certification=certification,
        min_headcount=min_headcount,
        max_headcount=max_headcount,
        cpv_prefix=cpv_prefix,
    )
    _check_headcount(filters, "query")
    session.close()  # ranking may take a moment: hold no connection meanwhile
    matches, total = slot.get().suppliers_for_tender_page(
        tender_id, filters, limit=limit, offset=offset, include_ineligible=include_ineligible, min_grade=min_grade
    )
    matches = localize_matches(matches, request_language(request))  # Accept-Language: fr / ar
    return SuppliersPublic(data=matches, total=total, limit=limit, offset=offset)


@router.post(
    "/suppliers/search",
    summary="Search suppliers",
    description="Staff or buyers. Give either `q` (a need in French, Arabic or English) or `tender_id` "
    "(one of the buyer's own tenders), plus filters on sector, region, certification, size and CPV.",
    responses=declare(401, 403, 404, 422, 429, 503),
    dependencies=[Depends(expensive_call)],
)
def search_suppliers(
    request: Request, body: SupplierSearch, session: SessionDep, identity: BuyerOrStaffDep, slot: EngineSlotDep
) -> SuppliersPublic:
    query = (body.q or "").strip()
    if bool(query) == bool(body.tender_id):
        raise invalid("body.q", "give either a non-empty q or a tender_id, not both")
    _check_headcount(body.filters, "body.filters")
    if body.tender_id:
        _own_tender(session, identity, body.tender_id)
        session.close()
        matches, total = slot.get().suppliers_for_tender_page(
            body.tender_id,
            body.filters,
            limit=body.limit,
            offset=body.offset,
            include_ineligible=body.include_ineligible,
            min_grade=body.min_grade,
        )
    else:
        session.close()
        matches, total = slot.get().search_suppliers_page(
            query, body.filters, limit=body.limit, offset=body.offset, min_grade=body.min_grade
        )
    matches = localize_matches(matches, request_language(request))  # Accept-Language: fr / ar
    return SuppliersPublic(data=matches, total=total, limit=body.limit, offset=body.offset)
