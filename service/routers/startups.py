"""Startup profiles: staff manage them all; a startup key reads and edits its own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from matcher.store import Startup, repository
from matcher.store.keys import Identity
from service.auth import can_see_contact, ensure_startup_access
from service.created import new_external_id, set_location
from service.deps import CurrentKeyDep, EngineSlotDep, SessionDep, StaffDep
from service.errors import declare
from service.params import CpvPrefix, Limit, Offset, Region, TextQuery
from service.schemas import StartupCreate, StartupPublic, StartupsPublic, StartupUpdate

router = APIRouter(prefix="/startups", tags=["startups"])

StartupId = Annotated[str, Path(max_length=128, description="External id of the startup.", examples=["ST-0042"])]


def startup_public(row: Startup, identity: Identity) -> StartupPublic:
    public = StartupPublic.model_validate(row)
    if not can_see_contact(identity, row.id):
        public.contact_email = None
    return public


@router.get(
    "",
    summary="List startups",
    description="Staff only. Filter by region, sector or tag, CPV prefix and text; paginated by limit/offset.",
    responses=declare(401, 403, 422),
)
def list_startups(
    session: SessionDep,
    identity: StaffDep,
    region: Region = None,
    sector: Annotated[str | None, Query(max_length=120, description="A sector or tag the startup lists.")] = None,
    cpv_prefix: CpvPrefix = None,
    q: TextQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> StartupsPublic:
    page = repository.list_startups(
        session, region=region, sector=sector, cpv_prefix=cpv_prefix, q=q, limit=limit, offset=offset
    )
    return StartupsPublic(
        data=[startup_public(row, identity) for row in page.items], total=page.count, limit=limit, offset=offset
    )


@router.post(
    "",
    status_code=201,
    summary="Create a startup",
    description="Staff only. Validated like a file import row; the matching indexes are updated at once. "
    "Without `external_id` the server assigns one; the answer's `Location` header names the new record.",
    responses=declare(401, 403, 409, 422),
)
def create_startup(
    body: StartupCreate, response: Response, session: SessionDep, identity: StaffDep, engine: EngineSlotDep
) -> StartupPublic:
    if body.external_id is None:
        body = body.model_copy(update={"external_id": new_external_id("startups")})
    row = repository.create_startup(session, body)
    session.commit()
    engine.refresh("startups", [row.external_id])
    set_location(response, "startups", row.external_id)
    return startup_public(row, identity)


@router.get(
    "/{startup_id}",
    summary="Read a startup profile",
    description="Staff, or the startup itself. The contact e-mail is shown to these two only.",
    responses=declare(401, 403, 404, 422),
)
def read_startup(startup_id: StartupId, session: SessionDep, identity: CurrentKeyDep) -> StartupPublic:
    ensure_startup_access(identity, startup_id)
    return startup_public(repository.get_startup(session, startup_id), identity)


@router.patch(
    "/{startup_id}",
    summary="Update a startup profile",
    description="Staff, or the startup itself. Only the given fields change; the result is validated as a whole.",
    responses=declare(401, 403, 404, 422),
)
def update_startup(
    startup_id: StartupId, body: StartupUpdate, session: SessionDep, identity: CurrentKeyDep, engine: EngineSlotDep
) -> StartupPublic:
    ensure_startup_access(identity, startup_id)
    row = repository.update_startup(session, startup_id, body.model_dump(exclude_unset=True))
    session.commit()
    engine.refresh("startups", [row.external_id])
    return startup_public(row, identity)


@router.delete(
    "/{startup_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a startup",
    description="Staff only. Its keys, feedback and digest entries go with it.",
    responses=declare(401, 403, 404, 422),
)
def delete_startup(startup_id: StartupId, session: SessionDep, identity: StaffDep, engine: EngineSlotDep) -> None:
    repository.delete_startup(session, startup_id)
    session.commit()
    engine.refresh("startups", [startup_id], removed=True)
