"""A startup's own pages: saved searches (alerts), the bid board and its hidden tenders (with undo)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, Response

from matcher.alerts import pipeline, profiles
from matcher.errors import ConflictError
from matcher.store.keys import Role
from matcher.store.repository import FieldError
from service.web.render import (
    PageError,
    WebRoute,
    redirect,
    render,
    require,
    settings_of,
    store_of,
    translator,
    web_session,
)
from service.web.tenders import parse_search

router = APIRouter(include_in_schema=False, route_class=WebRoute)


def _startup(request: Request) -> str:
    identity = require(request, Role.startup)
    if identity.startup_id is None:
        raise PageError(403, translator(request)("forbidden_role"))
    return identity.startup_id


# -- saved searches --------------------------------------------------------------------------------
@router.get("/me/alerts")
def my_alerts(request: Request) -> Response:
    startup_id = _startup(request)
    base = settings_of(request).public_url.rstrip("/")
    with store_of(request).session() as session:
        page = profiles.list_saved(session, startup_id, limit=profiles.MAX_PER_STARTUP)
        rows = [
            {
                "row": row,
                "feed": f"{base}/alerts/feeds/{row.feed_token}.atom",
                "search": "/search/tenders?" + urlencode(profiles.search_page_params(row.query, row.filters)),
            }
            for row in page.items
        ]
    return render(request, "alerts.html", {"alerts": rows, "total": page.count, "limit": profiles.MAX_PER_STARTUP})


@router.post("/me/alerts")
async def save_alert(request: Request) -> Response:
    startup_id = _startup(request)
    t = translator(request)
    form = await request.form()
    params = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    query, filters, errors = parse_search(params, t)
    if errors or filters is None:
        raise PageError(422, "; ".join(f"{k}: {v}" for k, v in errors.items()))
    name = (params.get("name") or "").strip()[:120] or query or t("tender_search_title")
    try:
        data = profiles.SavedSearchIn(
            name=name, query=query, filters=filters, frequency=params.get("frequency") or "daily"
        )
    except ValueError as exc:
        raise PageError(422, f"frequency: {exc}") from None
    with store_of(request).session() as session:
        try:
            profiles.create_saved(session, startup_id, data)
        except (ConflictError, FieldError) as exc:
            raise PageError(409 if isinstance(exc, ConflictError) else 422, str(exc)) from None
    web_session(request).flash(t("search_saved"))
    return redirect("/me/alerts")


@router.post("/me/alerts/{search_id}/delete")
def delete_alert(request: Request, search_id: int) -> Response:
    startup_id = _startup(request)
    with store_of(request).session() as session:
        profiles.delete_saved(session, startup_id, search_id)
    web_session(request).flash(translator(request)("search_deleted"))
    return redirect("/me/alerts")


# -- bid board -------------------------------------------------------------------------------------
@router.get("/me/bids")
def my_bids(request: Request) -> Response:
    startup_id = _startup(request)
    t = translator(request)
    with store_of(request).session() as session:
        page = pipeline.list_bids(session, startup_id, limit=500)
        columns: dict[str, list[dict[str, object]]] = {status.value: [] for status in pipeline.BidStatus}
        for bid, tender in page.items:
            columns[bid.status].append({"bid": bid, "tender": tender, "days": t.days_left(tender.deadline_at)})
    return render(
        request,
        "bids.html",
        {"columns": columns, "total": page.count, "statuses": list(pipeline.BidStatus)},
    )


# -- hidden tenders --------------------------------------------------------------------------------
@router.get("/me/hidden")
def my_hidden(request: Request) -> Response:
    startup_id = _startup(request)
    with store_of(request).session() as session:
        page = pipeline.list_hidden(session, startup_id, limit=200)
        rows = [{"tender": tender, "at": at} for tender, at in page.items]
    return render(request, "hidden.html", {"hidden": rows, "total": page.count})


@router.post("/me/hidden/undo")
def undo_hidden(request: Request, tender_id: Annotated[str, Form(max_length=128)]) -> Response:
    startup_id = _startup(request)
    with store_of(request).session() as session:
        pipeline.unhide(session, startup_id, tender_id)
    web_session(request).flash(translator(request)("unhidden"))
    return redirect("/me/hidden")
