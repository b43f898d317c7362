"""Rendering and guarding web pages: templates, the page context, role checks, HTML error pages.

Every web route uses `WebRoute`: it loads the session cookie, checks the CSRF token of each POST,
turns `PageError` / `LoginRequired` / domain not-found errors into HTML pages or redirects (the API's
JSON error handlers never see them) and writes the session cookie back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from matcher.errors import NotFoundError
from matcher.i18n import catalogue
from matcher.settings import Settings
from matcher.store import Store
from matcher.store.keys import Identity, Role
from service.deps import EngineSlot
from service.web.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, Translator, normalize_language
from service.web.session import CSRF_FIELD, WebSession

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
# gettext through Jinja2's i18n extension: `_("key")` / `gettext("key")` work beside `t("key")`; each page
# passes its reader's catalogue in the context (see `render`), French is the environment's default.
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_translations(catalogue(DEFAULT_LANGUAGE).translations, newstyle=True)  # type: ignore[attr-defined]
STATIC_PREFIX = "/web-static"

HOME_BY_ROLE = {Role.startup: "/me/matches", Role.buyer: "/search", Role.staff: "/staff"}


class PageError(Exception):
    """Stop the page with an HTML error page (403, 404, ...) and a message already translated."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class LoginRequired(Exception):
    """No valid session: go to the sign-in page, then come back."""


def web_session(request: Request) -> WebSession:
    session: WebSession = request.state.web_session
    return session


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def translator(request: Request) -> Translator:
    cached = getattr(request.state, "translator", None)
    if isinstance(cached, Translator):
        return cached
    session = web_session(request)
    wanted = normalize_language(request.query_params.get("lang"))
    if wanted:
        session.set_lang(wanted)
    lang = session.lang or DEFAULT_LANGUAGE  # French unless chosen (?lang=) or set from the profile at sign-in
    engine = engine_slot(request).loaded
    labels = getattr(engine, "cpv_labels", None)  # the full CPV list once the engine is loaded
    request.state.translator = Translator(lang, settings_of(request).default_timezone, labels)
    return request.state.translator


def current_user(request: Request) -> Identity | None:
    session = web_session(request)
    if session.identity is None and "key" in session.data:
        session.resolve(store_of(request), settings_of(request).session_max_age_seconds)
    return session.identity


def require(request: Request, *roles: Role) -> Identity:
    """The signed-in identity if its role is one of `roles`; otherwise sign-in or a 403 page."""
    identity = current_user(request)
    if identity is None:
        raise LoginRequired()
    if roles and identity.role not in roles:
        raise PageError(403, translator(request)("forbidden_role"))
    return identity


def require_startup_access(request: Request, startup_id: str) -> Identity:
    """Staff, or the startup itself: another startup (or a buyer) gets the 403 page."""
    identity = require(request, Role.startup, Role.staff)
    if identity.role is Role.startup and identity.startup_id != startup_id:
        raise PageError(403, translator(request)("forbidden_startup"))
    return identity


def engine_slot(request: Request) -> EngineSlot:
    slot: EngineSlot = request.app.state.engine_slot
    return slot


def own_startup_id(request: Request) -> str | None:
    """/me/… pages: a startup key's own startup; None for staff, who go to their dashboard."""
    identity = require(request, Role.startup, Role.staff)
    return identity.startup_id if identity.role is Role.startup else None


def startup_pages(identity: Identity, startup_id: str) -> dict[str, str]:
    if identity.role is Role.startup:
        return {"matches": "/me/matches", "profile": "/me/profile"}
    quoted = quote(startup_id, safe="")
    return {"matches": f"/startup/{quoted}/matches", "profile": f"/startup/{quoted}/profile"}


def safe_next(target: str | None) -> str | None:
    """Only same-site paths: never an open redirect to another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def render(request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    t = translator(request)
    session = web_session(request)
    user = current_user(request)
    full: dict[str, Any] = {
        "t": t,
        "_": t.gettext,
        "gettext": t.gettext,
        "ngettext": t.ngettext,
        "lang": t.lang,
        "dir": t.dir,
        "user": user,
        "Role": Role,
        "home": HOME_BY_ROLE.get(user.role) if user else "/login",
        "csrf_field": CSRF_FIELD,
        "csrf_token": session.csrf_token,
        "flashes": session.pop_flashes(),
        "other_languages": [
            (code, LANGUAGE_NAMES[code], _with_lang(request, code)) for code in LANGUAGES if code != t.lang
        ],
        "path": request.url.path,
        "static": STATIC_PREFIX,
    }
    full.update(context or {})
    return templates.TemplateResponse(request, template, full, status_code=status)


def _with_lang(request: Request, lang: str) -> str:
    """The current page (same path and query) in the other language."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", lang)]
    return f"{request.url.path}?{urlencode(params)}"


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    t = translator(request)
    titles = {403: t("forbidden_title"), 404: t("not_found_title")}
    title = titles.get(status, t("error_title", status=status))
    return render(request, "error.html", {"title": title, "message": message, "status": status}, status=status)


class WebRoute(APIRoute):
    """An APIRoute whose failures are HTML pages, with the session and CSRF handled around the handler."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            session = WebSession.load(request)
            wanted = normalize_language(request.query_params.get("lang"))
            if wanted:  # any page (a redirect too) takes ?lang= and keeps it for the session
                session.set_lang(wanted)
            response: Response
            try:
                if request.method == "POST":
                    form = await request.form()
                    if not session.csrf_ok(form.get(CSRF_FIELD)):
                        raise PageError(403, translator(request)("session_expired"))
                response = await handler(request)
            except LoginRequired:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                response = redirect(f"/login?next={quote(target, safe='')}")
            except PageError as exc:
                response = error_page(request, exc.status, exc.message)
            except NotFoundError as exc:
                response = error_page(request, 404, translator(request).not_found(exc.kind, exc.external_id))
            except RequestValidationError as exc:  # a malformed path or form value
                problems = "; ".join(
                    f"{'.'.join(str(part) for part in error.get('loc', ()))}: {error.get('msg', '')}"
                    for error in exc.errors()
                )
                response = error_page(request, 422, problems)
            except StarletteHTTPException as exc:  # e.g. the engine slot's 503
                message = exc.detail if isinstance(exc.detail, str) else translator(request)("server_error")
                response = error_page(request, exc.status_code, message)
            except Exception:
                log.exception("web page %s failed", request.url.path)
                response = error_page(request, 500, translator(request)("server_error"))
            response.headers.setdefault("Cache-Control", "no-store")
            response.headers.setdefault("X-Frame-Options", "DENY")
            session.save(request, response)
            return response

        return route
