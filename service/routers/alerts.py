"""Alert runs (staff), one-click unsubscribe (RFC 8058, no sign-in) and the secret Atom feed of a saved search."""

from __future__ import annotations

from html import escape
from typing import Annotated, cast

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse

from matcher.alerts.feed import atom_feed
from matcher.alerts.messages import say
from matcher.alerts.profiles import by_feed_token, unsubscribe
from matcher.alerts.run import run_alerts, run_reminders
from matcher.alerts.tokens import read_unsubscribe_token
from matcher.ranking.engine import Engine
from matcher.schemas import Language
from matcher.store import SavedSearch, Startup
from service.deps import EngineSlotDep, SessionDep, SettingsDep, StaffDep, StoreDep
from service.errors import declare
from service.schemas_tools import AlertRunPublic

router = APIRouter(prefix="/alerts", tags=["alerts"])

Token = Annotated[str, Path(min_length=8, max_length=300)]


@router.post(
    "/run",
    summary="Run the saved-search alerts and the bid reminders now",
    description="Staff. The same run as `tremplin alerts run`: cron-safe and idempotent (a tender is never "
    "e-mailed twice for one saved search, a reminder never twice for one bid).",
    responses=declare(401, 403, 503),
)
def run(_identity: StaffDep, slot: EngineSlotDep, store: StoreDep, settings: SettingsDep) -> AlertRunPublic:
    slot.sync()
    engine = cast(Engine, slot.get())
    alerts = run_alerts(engine, settings)
    reminders = run_reminders(store, settings)
    return AlertRunPublic(alerts=alerts.as_dict(), reminders=reminders.as_dict())


def _page(lang: str, title: str, body: str, status: int = 200) -> HTMLResponse:
    direction = "rtl" if lang == "ar" else "ltr"
    html = (
        f'<!doctype html><html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>'
        '<meta name="robots" content="noindex"></head>'
        '<body style="font-family:sans-serif;max-width:40rem;margin:2rem auto">'
        f"<h1>{escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(
        html, status_code=status, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    )


def _language(session: SessionDep, search: SavedSearch, wanted: Language | None) -> str:
    if wanted is not None:
        return wanted.value
    startup = session.get(Startup, search.startup_id)
    return startup.preferred_language if startup else "fr"


@router.get("/unsubscribe/{token}", include_in_schema=False)
def unsubscribe_form(
    token: Token, session: SessionDep, settings: SettingsDep, lang: Annotated[Language | None, Query()] = None
) -> HTMLResponse:
    """A confirmation page (a link scanner following the link must not unsubscribe anyone)."""
    search_id = read_unsubscribe_token(settings, token)
    search = session.get(SavedSearch, search_id) if search_id is not None else None
    if search is None:
        code = lang.value if lang else "fr"
        return _page(code, say(code, "unsub_title"), f"<p>{escape(say(code, 'unsub_invalid'))}</p>", 404)
    code = _language(session, search, lang)
    if not search.active:
        return _page(
            code, say(code, "unsub_title"), f'<p role="status">{escape(say(code, "unsub_done", name=search.name))}</p>'
        )
    form = (
        f"<p>{escape(say(code, 'unsub_confirm', name=search.name))}</p>"
        f'<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">'
        f'<button type="submit">{escape(say(code, "unsub_button"))}</button></form>'
    )
    return _page(code, say(code, "unsub_title"), form)


@router.post("/unsubscribe/{token}", include_in_schema=False)
def unsubscribe_now(
    token: Token, session: SessionDep, settings: SettingsDep, lang: Annotated[Language | None, Query()] = None
) -> HTMLResponse:
    """RFC 8058 one-click: the mail client POSTs `List-Unsubscribe=One-Click`; the signed token is the proof."""
    search_id = read_unsubscribe_token(settings, token)
    search = unsubscribe(session, search_id) if search_id is not None else None
    if search is None:
        code = lang.value if lang else "fr"
        return _page(code, say(code, "unsub_title"), f"<p>{escape(say(code, 'unsub_invalid'))}</p>", 404)
    session.commit()
    code = _language(session, search, lang)
    return _page(
        code, say(code, "unsub_title"), f'<p role="status">{escape(say(code, "unsub_done", name=search.name))}</p>'
    )


@router.get(
    "/feeds/{token}.atom",
    summary="Atom feed of a saved search",
    description="No key: the secret token in the URL is the access right. The open tenders matching the "
    "saved search, newest first.",
    response_class=Response,
    responses={**declare(404, 422, 503), 200: {"content": {"application/atom+xml": {}}}},
)
def feed(token: Token, request: Request, session: SessionDep, slot: EngineSlotDep, settings: SettingsDep) -> Response:
    search = by_feed_token(session, token)
    startup = session.get(Startup, search.startup_id)
    lang = startup.preferred_language if startup else "fr"
    engine = cast(Engine, slot.get())
    body = atom_feed(engine, search, lang, settings.public_url, str(request.url))
    return Response(body, media_type="application/atom+xml; charset=utf-8", headers={"Cache-Control": "no-store"})
