"""Supplier search for buyers (and staff): free text or one of the buyer's own tenders, with filters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from matcher.ranking.results import SupplierFilters
from matcher.schemas import MOROCCAN_REGIONS
from matcher.store.keys import Role
from matcher.store.repository import get_tender, list_tenders
from service.web.i18n import localized_summary
from service.web.render import PageError, WebRoute, engine_slot, render, require, store_of, translator

router = APIRouter(include_in_schema=False, route_class=WebRoute)

SUPPLIERS_PER_PAGE = 20
SIZES = {"micro": (None, 9), "small": (10, 49), "medium": (50, 249), "large": (250, None)}


@router.get("/search")
def search(
    request: Request,
    q: str = "",
    tender: str = "",
    sector: str = "",
    region: str = "",
    certification: str = "",
    size: str = "",
    ineligible: Annotated[bool, Query()] = False,
    go: str = "",
) -> Response:
    identity = require(request, Role.buyer, Role.staff)
    t = translator(request)
    q, tender = q.strip(), tender.strip()
    with store_of(request).session() as session:
        owner = identity.buyer_id if identity.role is Role.buyer else None
        if identity.role is Role.buyer and owner is None:
            raise PageError(403, t("forbidden_role"))
        tenders = [
            {"id": row.external_id, "title": row.title}
            for row in list_tenders(session, buyer_id=owner, status="open", limit=200).items
        ]
        chosen = None
        if tender:
            row = get_tender(session, tender)
            if identity.role is Role.buyer and (row.buyer is None or row.buyer.external_id != owner):
                raise PageError(403, t("forbidden_tender"))
            chosen = {"id": row.external_id, "title": row.title}
            if all(option["id"] != row.external_id for option in tenders):
                tenders.insert(0, chosen)
    low, high = SIZES.get(size, (None, None))
    filters = SupplierFilters(
        sector=sector.strip() or None,
        region=region.strip() or None,
        certification=certification.strip() or None,
        min_headcount=low,
        max_headcount=high,
    )
    error = None
    results = None
    heading = ""
    if chosen is not None:
        found = (
            engine_slot(request)
            .get()
            .suppliers_for_tender(chosen["id"], filters, limit=SUPPLIERS_PER_PAGE, include_ineligible=ineligible)
        )
        heading = t("results_for_tender", title=chosen["title"])
    elif q:
        found = engine_slot(request).get().search_suppliers(q, filters, limit=SUPPLIERS_PER_PAGE)
        heading = t("results_for_query", query=q)
    else:
        found = []
        if go:
            error = t("search_needs_input")
    if chosen is not None or q:
        results = [{"m": m, "summary": localized_summary(t, m.explanation)} for m in found]
    return render(
        request,
        "search.html",
        {
            "form": {
                "q": q, "tender": tender, "sector": sector, "region": region,
                "certification": certification, "size": size, "ineligible": ineligible,
            },
            "tenders": tenders,
            "regions": MOROCCAN_REGIONS,
            "sizes": list(SIZES),
            "results": results,
            "heading": heading,
            "error": error,
        },
        status=422 if error else 200,
    )  # fmt: skip
