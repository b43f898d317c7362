"""API keys: staff create, list and revoke them; any key can ask who it is."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from matcher.store import ApiKey, keys
from service.deps import CurrentKeyDep, SessionDep, StaffDep
from service.errors import declare
from service.params import Limit, Offset
from service.schemas import KeyCreate, KeyCreated, KeyPublic, KeysPublic, WhoAmI

router = APIRouter(tags=["keys"])

Prefix = Annotated[str, Path(max_length=16, description="The key's public prefix (after 'tpl_').")]


def key_public(session: SessionDep, row: ApiKey) -> KeyPublic:
    startup_id, buyer_id = keys.bound_ids(session, row)
    return KeyPublic(
        prefix=row.prefix,
        role=keys.Role(row.role),
        name=row.name,
        startup_id=startup_id,
        buyer_id=buyer_id,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


@router.get(
    "/me",
    summary="Who am I",
    description="The role of the calling key and the startup or buyer it is bound to.",
    responses=declare(401),
)
def who_am_i(identity: CurrentKeyDep) -> WhoAmI:
    return WhoAmI(
        role=identity.role,
        prefix=identity.prefix,
        name=identity.name,
        startup_id=identity.startup_id,
        buyer_id=identity.buyer_id,
    )


@router.get(
    "/keys",
    summary="List API keys",
    description="Staff only. Prefixes and metadata; secrets are never stored, so never shown.",
    responses=declare(401, 403),
)
def list_keys(session: SessionDep, _identity: StaffDep, limit: Limit = 50, offset: Offset = 0) -> KeysPublic:
    rows = keys.list_keys(session)
    page = rows[offset : offset + limit]
    return KeysPublic(data=[key_public(session, row) for row in page], total=len(rows), limit=limit, offset=offset)


@router.post(
    "/keys",
    status_code=201,
    summary="Create an API key",
    description="Staff only. A startup key needs `startup_id`, a buyer key `buyer_id`. The key is in the "
    "answer this once only.",
    responses=declare(401, 403, 404, 422),
)
def create_key(body: KeyCreate, session: SessionDep, _identity: StaffDep) -> KeyCreated:
    row, raw_key = keys.create_key(
        session, body.role, name=body.name, startup_id=body.startup_id, buyer_id=body.buyer_id
    )
    session.commit()
    return KeyCreated(**key_public(session, row).model_dump(), key=raw_key)


@router.delete(
    "/keys/{prefix}",
    summary="Revoke an API key",
    description="Staff only. The key stops working at once; revoking twice is harmless.",
    responses=declare(401, 403, 404, 422),
)
def revoke_key(prefix: Prefix, session: SessionDep, _identity: StaffDep) -> KeyPublic:
    row = keys.revoke_key(session, prefix)
    session.commit()
    return key_public(session, row)
