"""Sign-in and sign-out, the home redirect, and a startup's recommended tenders with feedback buttons."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import parse_qsl, quote, urlencode

from fastapi import APIRouter, Form, Query, Request, Response

from matcher.alerts.pipeline import hidden_tender_ids
from matcher.ranking.results import TenderFilters, TenderMatch
from matcher.schemas import MOROCCAN_REGIONS
from matcher.store import Startup
from matcher.store import feedback as feedback_store
from matcher.store.feedback import Verdict, list_feedback
from matcher.store.keys import Role, verify_key
from matcher.store.repository import get_startup
from service.web.i18n import localized_summary, normalize_language
from service.web.render import (
    HOME_BY_ROLE,
    PageError,
    WebRoute,
    current_user,
    engine_slot,
    own_startup_id,
    redirect,
    render,
    require_startup_access,
    safe_next,
    startup_pages,
    store_of,
    translator,
    web_session,
)

router = APIRouter(include_in_schema=False, route_class=WebRoute)

MATCHES_PER_PAGE = 20
FEEDBACK_BUTTONS = (Verdict.relevant, Verdict.not_relevant, Verdict.applied)


# -- sign-in ---------------------------------------------------------------------------------------
@router.get("/")
def home(request: Request) -> Response:
    user = current_user(request)
    return redirect(HOME_BY_ROLE[user.role] if user else "/login")


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    user = current_user(request)
    if user is not None:
        return redirect(safe_next(next) or HOME_BY_ROLE[user.role])
    return render(request, "login.html", {"next": safe_next(next) or "", "error": None})


@router.post("/login")
def login(request: Request, api_key: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "") -> Response:
    t = translator(request)
    throttle = request.app.state.throttle
    wait = throttle.hit(throttle.login, "login", request.client.host if request.client else "unknown")
    if wait is not None:
        page = render(
            request, "login.html", {"next": safe_next(next) or "", "error": t("login_throttled", seconds=wait)}, 429
        )
        page.headers["Retry-After"] = str(wait)
        return page
    if not api_key.strip():
        return render(request, "login.html", {"next": safe_next(next) or "", "error": t("login_missing")}, 422)
    with store_of(request).session() as session:
        identity = verify_key(session, api_key)
    if identity is None:
        return render(request, "login.html", {"next": safe_next(next) or "", "error": t("login_invalid")}, 401)
    web_session(request).sign_in(identity, store_of(request))
    if identity.startup_pk is not None and not web_session(request).lang:  # no language chosen yet: the profile's
        with store_of(request).session() as session:
            startup = session.get(Startup, identity.startup_pk)
            if startup is not None and normalize_language(startup.preferred_language):
                web_session(request).set_lang(startup.preferred_language)
    return redirect(safe_next(next) or HOME_BY_ROLE[identity.role])


@router.get("/logout")
def logout_form(request: Request) -> Response:
    if current_user(request) is None:
        return redirect("/login")
    return render(request, "logout.html")


@router.post("/logout")
def logout(request: Request) -> Response:
    session = web_session(request)
    session.sign_out(store_of(request))
    session.flash(translator(request)("logged_out"))
    return redirect("/login")


# -- startup: matches and feedback -------------------------------------------------------------------
@router.get("/me/matches")
def my_matches(
    request: Request,
    region: str | None = None,
    cpv: str | None = None,
    ineligible: Annotated[bool, Query()] = False,
    sort: str = "score",
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
) -> Response:
    startup_id = own_startup_id(request)
    if startup_id is None:
        return redirect("/staff")
    return _matches_page(request, startup_id, region, cpv, ineligible, sort, page)


@router.get("/startup/{startup_id}/matches")
def startup_matches(
    request: Request,
    startup_id: str,
    region: str | None = None,
    cpv: str | None = None,
    ineligible: Annotated[bool, Query()] = False,
    sort: str = "score",
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
) -> Response:
    require_startup_access(request, startup_id)
    return _matches_page(request, startup_id, region, cpv, ineligible, sort, page)


MATCH_SORTS = ("score", "deadline", "value", "publication")
MAX_MATCHES = 100  # the ranked list the page counts and pages through


def _sorted_matches(found: list[TenderMatch], sort: str) -> list[TenderMatch]:
    far = datetime.max.replace(tzinfo=UTC)
    if sort == "deadline":
        return sorted(found, key=lambda m: (m.deadline_at or far, -m.score))
    if sort == "value":
        return sorted(found, key=lambda m: (-(m.estimated_value or -1), -m.score))
    if sort == "publication":
        return sorted(found, key=lambda m: (-(m.published_at.timestamp() if m.published_at else 0), -m.score))
    return found


def _matches_page(
    request: Request,
    startup_id: str,
    region: str | None,
    cpv: str | None,
    ineligible: bool,
    sort: str = "score",
    page: int = 1,
) -> Response:
    t = translator(request)
    identity = require_startup_access(request, startup_id)
    region = (region or "").strip() or None
    cpv = (cpv or "").strip() or None
    errors: dict[str, str] = {}
    if cpv and not (cpv.isdigit() and 1 <= len(cpv) <= 8):
        errors["cpv"] = t("cpv_prefix_invalid")
    with store_of(request).session() as session:
        startup = get_startup(session, startup_id)
        name = startup.name
        verdicts: dict[str, str] = {}
        for record in reversed(list_feedback(session, startup_id, limit=500)):
            verdicts[record.tender_id] = record.verdict.value
        hidden = hidden_tender_ids(session, startup_id)
    if sort not in MATCH_SORTS:
        errors["sort"] = t("invalid_choice")
    matches = []
    total = 0
    if not errors:
        filters = TenderFilters(region=region, cpv_prefix=cpv, include_ineligible=ineligible)
        found = engine_slot(request).get().recommend_tenders(startup_id, filters, limit=MAX_MATCHES + len(hidden))
        # "Not relevant" hides a tender; the ranking engine may already leave them out (relevance work)
        found = [m for m in found if m.tender_id not in hidden][:MAX_MATCHES]
        total = len(found)
        start = (page - 1) * MATCHES_PER_PAGE
        matches = [
            {"m": m, "summary": localized_summary(t, m.explanation), "days": t.days_left(m.deadline_at)}
            for m in _sorted_matches(found, sort)[start : start + MATCHES_PER_PAGE]
        ]
    query = urlencode(
        [(k, v) for k, v in (("region", region), ("cpv", cpv)) if v]
        + ([("ineligible", "1")] if ineligible else [])
        + ([("sort", sort)] if sort != "score" else [])
    )
    return render(
        request,
        "matches.html",
        {
            "startup_id": startup_id,
            "startup_name": name,
            "matches": matches,
            "verdicts": verdicts,
            "buttons": FEEDBACK_BUTTONS,
            "filters": {"region": region or "", "cpv": cpv or "", "ineligible": ineligible},
            "errors": errors,
            "regions": MOROCCAN_REGIONS,
            "query": query,
            "pages": startup_pages(identity, startup_id),
            "total": total,
            "more": total >= MAX_MATCHES,
            "sort": sort,
            "sorts": MATCH_SORTS,
            "page": page,
            "page_count": max(1, -(-total // MATCHES_PER_PAGE)),
            "hidden_count": len(hidden),
            "own": identity.role is Role.startup,
        },
        status=422 if errors else 200,
    )


@router.post("/startup/{startup_id}/feedback")
def give_feedback(
    request: Request,
    startup_id: str,
    tender_id: Annotated[str, Form()],
    verdict: Annotated[str, Form()],
    back: Annotated[str, Form()] = "",
) -> Response:
    identity = require_startup_access(request, startup_id)
    t = translator(request)
    try:
        chosen = Verdict(verdict)
    except ValueError:
        raise PageError(422, f"verdict: {verdict!r}") from None
    with store_of(request).session() as session:
        feedback_store.give_feedback(
            session, startup_id, tender_id, chosen, actor_role=identity.role.value, actor_key_id=identity.key_id
        )
    web_session(request).flash(t("feedback_saved", verdict=t(f"fb_{chosen.value}")))
    query = urlencode(parse_qsl(back))  # only our own filter parameters, re-encoded
    base = startup_pages(identity, startup_id)["matches"]
    return redirect(f"{base}{'?' + query if query else ''}#tender-{quote(tender_id, safe='')}")
