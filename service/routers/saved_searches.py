"""Saved searches (monitoring profiles) of a startup: at most 25, each alerting by e-mail and Atom."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from matcher.alerts import profiles
from service.auth import ensure_startup_access
from service.deps import SessionDep, SettingsDep, StartupOrStaffDep
from service.errors import declare, invalid
from service.params import Limit, Offset
from service.routers.startups import StartupId
from service.schemas_tools import SavedSearchCreate, SavedSearchesPublic, SavedSearchPublic, SavedSearchUpdate

router = APIRouter(tags=["alerts"])

SearchId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Id of the saved search.")]


@router.get(
    "/startups/{startup_id}/saved-searches",
    summary="List a startup's saved searches",
    description="Staff, or the startup itself.",
    responses=declare(401, 403, 404, 422),
)
def list_saved(
    startup_id: StartupId,
    session: SessionDep,
    identity: StartupOrStaffDep,
    settings: SettingsDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> SavedSearchesPublic:
    ensure_startup_access(identity, startup_id)
    page = profiles.list_saved(session, startup_id, limit, offset)
    return SavedSearchesPublic(
        data=[SavedSearchPublic.from_row(r, settings.public_url) for r in page.items],
        total=page.count,
        limit=limit,
        offset=offset,
    )


@router.post(
    "/startups/{startup_id}/saved-searches",
    status_code=201,
    summary="Save a search",
    description="Staff, or the startup itself. Query + filters (as `GET /tenders/search`) + frequency "
    "(instant, daily, weekly). At most 25 per startup (409 beyond).",
    responses=declare(401, 403, 404, 409, 422),
)
def create_saved(
    startup_id: StartupId,
    body: SavedSearchCreate,
    session: SessionDep,
    identity: StartupOrStaffDep,
    settings: SettingsDep,
) -> SavedSearchPublic:
    ensure_startup_access(identity, startup_id)
    if not body.query.strip() and not body.filters.active():
        raise invalid("body.query", "give keywords or at least one filter: an empty search would alert on everything")
    row = profiles.create_saved(session, startup_id, profiles.SavedSearchIn.model_validate(body.model_dump()))
    session.commit()
    return SavedSearchPublic.from_row(row, settings.public_url)


@router.get(
    "/startups/{startup_id}/saved-searches/{search_id}",
    summary="Read a saved search",
    description="Staff, or the startup itself.",
    responses=declare(401, 403, 404, 422),
)
def read_saved(
    startup_id: StartupId, search_id: SearchId, session: SessionDep, identity: StartupOrStaffDep, settings: SettingsDep
) -> SavedSearchPublic:
    ensure_startup_access(identity, startup_id)
    return SavedSearchPublic.from_row(profiles.get_saved(session, startup_id, search_id), settings.public_url)


@router.patch(
    "/startups/{startup_id}/saved-searches/{search_id}",
    summary="Change a saved search",
    description="Staff, or the startup itself. `active: false` stops its e-mails; `true` starts them again.",
    responses=declare(401, 403, 404, 422),
)
def update_saved(
    startup_id: StartupId,
    search_id: SearchId,
    body: SavedSearchUpdate,
    session: SessionDep,
    identity: StartupOrStaffDep,
    settings: SettingsDep,
) -> SavedSearchPublic:
    ensure_startup_access(identity, startup_id)
    changes = body.model_dump(exclude_unset=True, mode="json")
    row = profiles.update_saved(session, startup_id, search_id, changes)
    session.commit()
    return SavedSearchPublic.from_row(row, settings.public_url)


@router.delete(
    "/startups/{startup_id}/saved-searches/{search_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a saved search",
    description="Staff, or the startup itself.",
    responses=declare(401, 403, 404, 422),
)
def delete_saved(startup_id: StartupId, search_id: SearchId, session: SessionDep, identity: StartupOrStaffDep) -> None:
    ensure_startup_access(identity, startup_id)
    profiles.delete_saved(session, startup_id, search_id)
    session.commit()
