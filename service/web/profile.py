"""A startup's profile page: every field of StartupIn, validated as a whole, errors next to their field."""

from __future__ import annotations

from enum import Enum
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from matcher.schemas import MOROCCAN_REGIONS
from matcher.store.keys import Identity, Role
from matcher.store.repository import get_startup, startup_fields, update_startup
from service.web.i18n import validation_message
from service.web.render import (
    WebRoute,
    engine_slot,
    own_startup_id,
    redirect,
    render,
    require,
    require_startup_access,
    startup_pages,
    store_of,
    translator,
    web_session,
)

router = APIRouter(include_in_schema=False, route_class=WebRoute)

PROFILE_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "text"),
    ("description", "textarea"),
    ("sectors", "list"),
    ("tags", "list"),
    ("cpv_codes", "list"),
    ("technologies", "list"),
    ("city", "text"),
    ("region", "region"),
    ("founding_year", "int"),
    ("headcount", "int"),
    ("annual_revenue", "number"),
    ("revenue_currency", "text"),
    ("certifications", "list"),
    ("references_count", "int"),
    ("references", "list"),
    ("labels", "list"),
    ("languages", "list"),
    ("preferred_language", "language"),
    ("contact_email", "email"),
    ("digest_opt_in", "checkbox"),
)


def _form_values(stored: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, kind in PROFILE_FIELDS:
        value = stored.get(name)
        if kind == "list":
            values[name] = "; ".join(value or [])
        elif kind == "checkbox":
            values[name] = bool(value)
        elif isinstance(value, float) and value.is_integer():
            values[name] = int(value)
        elif isinstance(value, Enum):
            values[name] = value.value
        else:
            values[name] = "" if value is None else value
    return values


def _profile_page(
    request: Request, identity: Identity, startup_id: str, values: dict[str, Any], errors: dict[str, str], status: int
) -> Response:
    return render(
        request,
        "profile.html",
        {
            "startup_id": startup_id,
            "values": values,
            "errors": errors,
            "fields": PROFILE_FIELDS,
            "regions": MOROCCAN_REGIONS,
            "pages": startup_pages(identity, startup_id),
        },
        status=status,
    )


@router.get("/me/profile")
def my_profile(request: Request) -> Response:
    startup_id = own_startup_id(request)
    if startup_id is None:
        return redirect("/staff")
    return _show_profile(request, startup_id)


@router.get("/startup/{startup_id}/profile")
def startup_profile(request: Request, startup_id: str) -> Response:
    return _show_profile(request, startup_id)


def _show_profile(request: Request, startup_id: str) -> Response:
    identity = require_startup_access(request, startup_id)
    with store_of(request).session() as session:
        values = _form_values(startup_fields(get_startup(session, startup_id)))
    return _profile_page(request, identity, startup_id, values, {}, 200)


@router.post("/me/profile")
async def save_my_profile(request: Request) -> Response:
    identity = require(request, Role.startup)
    assert identity.startup_id is not None
    return await _save_profile(request, identity.startup_id)


@router.post("/startup/{startup_id}/profile")
async def save_startup_profile(request: Request, startup_id: str) -> Response:
    return await _save_profile(request, startup_id)


async def _save_profile(request: Request, startup_id: str) -> Response:
    """Validate the whole profile with StartupIn; on error show each message next to its field."""
    identity = require_startup_access(request, startup_id)
    form = await request.form()
    values: dict[str, Any] = {}
    for name, kind in PROFILE_FIELDS:
        if kind == "checkbox":
            values[name] = form.get(name) is not None
        else:
            raw = form.get(name)
            values[name] = raw.strip() if isinstance(raw, str) else ""
    try:
        await run_in_threadpool(_update, request, startup_id, values)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error.get("loc") else "name"
            errors.setdefault(field, validation_message(translator(request), error))
        web_session(request).flash(translator(request)("profile_errors"), "error")
        return _profile_page(request, identity, startup_id, values, errors, 422)
    web_session(request).flash(translator(request)("profile_saved"))
    return redirect(startup_pages(identity, startup_id)["profile"])


def _update(request: Request, startup_id: str, values: dict[str, Any]) -> None:
    with store_of(request).session() as session:
        update_startup(session, startup_id, values)
    engine_slot(request).refresh("startups", [startup_id])
