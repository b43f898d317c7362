"""Web pages of tenders: the tender page (with bid form and calendar file) and the tender search."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, cast
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request, Response
from pydantic import ValidationError

from matcher.alerts.pipeline import BidStatus, set_bid
from matcher.ranking.engine import Engine
from matcher.ranking.tender_search import SearchFilters, SearchSort, search_tenders
from matcher.schemas import MOROCCAN_REGIONS, BuyerKind, Language
from matcher.store.keys import Role
from matcher.store.repository import get_startup, get_tender
from service.routers.tenders import tender_public
from service.tender_view import calendar_file, tender_detail
from service.web.i18n import Translator
from service.web.render import (
    PageError,
    WebRoute,
    engine_slot,
    redirect,
    render,
    require,
    settings_of,
    store_of,
    translator,
    web_session,
)

router = APIRouter(include_in_schema=False, route_class=WebRoute)

RESULTS_PER_PAGE = 20
FIELDS = ("q", "region", "cpv", "kind", "min_value", "max_value", "min_days", "max_days", "sme", "language")


def tender_path(tender_id: str) -> str:
    return f"/tender/{quote(tender_id, safe='')}"


def requirement_text(t: Translator, code: str, params: Mapping[str, Any]) -> str:
    values = dict(params)
    if code == "revenue":
        values["amount"] = t.money(params.get("required"), str(params.get("currency", "MAD")))
    if code == "guarantee":
        values["amount"] = t.money(params.get("amount"), str(params.get("currency", "MAD")))
    try:
        return t(f"req_{code}", **values)
    except (KeyError, IndexError):
        return code


# -- tender page -----------------------------------------------------------------------------------
@router.get("/tender/{tender_id}")
def tender_page(request: Request, tender_id: str) -> Response:
    identity = require(request)
    t = translator(request)
    startup_id = identity.startup_id if identity.role is Role.startup else None
    engine = cast(Engine, engine_slot(request).get())
    with store_of(request).session() as session:
        row = get_tender(session, tender_id)
        detail = tender_detail(session, engine, settings_of(request), row, tender_public(row), startup_id, t.lang)
        startup_name = get_startup(session, startup_id).name if startup_id else None
    requirements = [{"text": requirement_text(t, r.code, r.params), "status": r.status} for r in detail.requirements]
    return render(
        request,
        "tender.html",
        {
            "d": detail,
            "requirements": requirements,
            "startup_name": startup_name,
            "can_bid": startup_id is not None,
            "bid_statuses": list(BidStatus),
            "path_id": quote(tender_id, safe=""),
        },
    )


@router.get("/tender/{tender_id}/calendar.ics")
def tender_calendar(request: Request, tender_id: str) -> Response:
    require(request)
    settings = settings_of(request)
    with store_of(request).session() as session:
        row = get_tender(session, tender_id)
        body = calendar_file(row, settings, settings.public_url.rstrip("/") + tender_path(tender_id))
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="tender-{quote(tender_id, safe="")}.ics"'},
    )


@router.post("/tender/{tender_id}/bid")
def tender_bid(
    request: Request,
    tender_id: str,
    status: Annotated[str, Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    identity = require(request, Role.startup)
    t = translator(request)
    try:
        chosen = BidStatus(status)
    except ValueError:
        raise PageError(422, f"status: {status!r}") from None
    assert identity.startup_id is not None
    with store_of(request).session() as session:
        set_bid(session, identity.startup_id, tender_id, chosen, note or None)
    if chosen is BidStatus.won:  # a new reference: eligibility sees it at once
        engine_slot(request).refresh("startups", [identity.startup_id])
    message = t("won_reference") if chosen is BidStatus.won else t("bid_saved", status=t(f"bid_{chosen.value}"))
    web_session(request).flash(message)
    return redirect("/me/bids" if back == "board" else tender_path(tender_id) + "#bid")


# -- tender search ---------------------------------------------------------------------------------
def parse_search(params: Mapping[str, str], t: Translator) -> tuple[str, SearchFilters | None, dict[str, str]]:
    """The search form (or a saved search's hidden fields) → query, filters, and errors by field."""
    values = {name: (params.get(name) or "").strip() for name in FIELDS}
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    if values["region"]:
        data["region"] = values["region"][:120]
    if values["cpv"]:
        if values["cpv"].isdigit() and 1 <= len(values["cpv"]) <= 8:
            data["cpv_prefix"] = values["cpv"]
        else:
            errors["cpv"] = t("cpv_prefix_invalid")
    if values["kind"]:
        if values["kind"] in BuyerKind.__members__:
            data["buyer_kind"] = values["kind"]
        else:
            errors["kind"] = t("invalid_choice")
    if values["language"]:
        if values["language"] in Language.__members__:
            data["language"] = values["language"]
        else:
            errors["language"] = t("invalid_choice")
    for field, key, kind in (("min_value", "min_value", float), ("max_value", "max_value", float),
                             ("min_days", "min_days_left", int), ("max_days", "max_days_left", int)):  # fmt: skip
        if values[field]:
            try:
                number = kind(values[field].replace("\u202f", "").replace(" ", ""))
            except ValueError:
                errors[field] = t("invalid_number")
                continue
            if number < 0 or number > (1e15 if kind is float else 3650):
                errors[field] = t("invalid_number")
            else:
                data[key] = number
    if values["sme"]:
        data["reserved_for_sme"] = True
    if errors:
        return values["q"][:200], None, errors
    try:
        return values["q"][:200], SearchFilters(**data), errors
    except ValidationError as exc:
        message = str(exc.errors()[0].get("msg", ""))
        errors["max_days" if "days" in message else "max_value"] = t("invalid_range")
        return values["q"][:200], None, errors


@router.get("/search/tenders")
def tender_search_page(request: Request) -> Response:
    identity = require(request)
    t = translator(request)
    params = request.query_params
    q, filters, errors = parse_search(params, t)
    sort_value = params.get("sort") or ("relevance" if q else "deadline")
    if sort_value not in SearchSort.__members__:
        errors["sort"] = t("invalid_choice")
        sort_value = "deadline"
    try:
        page_number = max(1, min(500, int(params.get("page") or 1)))
    except ValueError:
        page_number = 1
    hits: list[dict[str, Any]] = []
    total = 0
    searched = any(params.get(name) for name in (*FIELDS, "sort", "go"))
    if filters is not None and not errors:
        engine = cast(Engine, engine_slot(request).get())
        offset = (page_number - 1) * RESULTS_PER_PAGE
        found = search_tenders(engine, q, filters, SearchSort(sort_value), RESULTS_PER_PAGE, offset)
        total = found.total
        hits = [{"r": h.record, "score": h.score, "days": t.days_left(h.record.deadline_at)} for h in found.hits]
    kept = [(name, params.get(name, "")) for name in (*FIELDS, "sort") if params.get(name)]
    return render(
        request,
        "tender_search.html",
        {
            "form": {name: params.get(name, "") for name in (*FIELDS, "sort")},
            "sort": sort_value,
            "sorts": list(SearchSort),
            "errors": errors,
            "hits": hits,
            "total": total,
            "searched": searched,
            "page": page_number,
            "pages": max(1, -(-total // RESULTS_PER_PAGE)),
            "query": urlencode(kept),
            "hidden_fields": [(k, v) for k, v in kept if k != "sort"],
            "regions": MOROCCAN_REGIONS,
            "kinds": list(BuyerKind),
            "languages": list(Language),
            "can_save": identity.role is Role.startup,
        },
        status=422 if errors else 200,
    )
