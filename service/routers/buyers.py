"""Buyers (ministries, public enterprises, communes, corporates, banks): staff manage, a buyer reads its own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from matcher.schemas import BuyerKind
from matcher.store import repository
from service.auth import ensure_buyer_access
from service.created import new_external_id, set_location
from service.deps import CurrentKeyDep, EngineSlotDep, SessionDep, StaffDep
from service.errors import declare
from service.params import Limit, Offset, Region, TextQuery
from service.schemas import BuyerCreate, BuyerPublic, BuyersPublic, BuyerUpdate

router = APIRouter(prefix="/buyers", tags=["buyers"])

BuyerId = Annotated[str, Path(max_length=128, description="External id of the buyer.", examples=["MA-ONEE"])]


@router.get(
    "",
    summary="List buyers",
    description="Staff only. Filter by kind, region and text; paginated by limit/offset.",
    responses=declare(401, 403, 422),
)
def list_buyers(
    session: SessionDep,
    _identity: StaffDep,
    kind: BuyerKind | None = None,
    region: Region = None,
    q: TextQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> BuyersPublic:
    page = repository.list_buyers(
        session, kind=kind.value if kind else None, region=region, q=q, limit=limit, offset=offset
    )
    return BuyersPublic(
        data=[BuyerPublic.model_validate(row) for row in page.items], total=page.count, limit=limit, offset=offset
    )


@router.post(
    "",
    status_code=201,
    summary="Create a buyer",
    description="Staff only. Without `external_id` the server assigns one; `Location` names the new record.",
    responses=declare(401, 403, 409, 422),
)
def create_buyer(body: BuyerCreate, response: Response, session: SessionDep, _identity: StaffDep) -> BuyerPublic:
    if body.external_id is None:
        body = body.model_copy(update={"external_id": new_external_id("buyers")})
    row = repository.create_buyer(session, body)
    session.commit()
    set_location(response, "buyers", row.external_id)
    return BuyerPublic.model_validate(row)


@router.get(
    "/{buyer_id}",
    summary="Read a buyer",
    description="Staff, or a key of that buyer.",
    responses=declare(401, 403, 404, 422),
)
def read_buyer(buyer_id: BuyerId, session: SessionDep, identity: CurrentKeyDep) -> BuyerPublic:
    ensure_buyer_access(identity, buyer_id)
    return BuyerPublic.model_validate(repository.get_buyer(session, buyer_id))


@router.patch(
    "/{buyer_id}",
    summary="Update a buyer",
    description="Staff only. Only the given fields change.",
    responses=declare(401, 403, 404, 422),
)
def update_buyer(
    buyer_id: BuyerId, body: BuyerUpdate, session: SessionDep, _identity: StaffDep, engine: EngineSlotDep
) -> BuyerPublic:
    row = repository.update_buyer(session, buyer_id, body.model_dump(exclude_unset=True))
    tender_ids = [tender.external_id for tender in row.tenders]
    session.commit()
    engine.refresh("tenders", tender_ids)  # matches show the buyer's name and kind
    return BuyerPublic.model_validate(row)


@router.delete(
    "/{buyer_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a buyer",
    description="Staff only. Refused (409) while the buyer still has tenders.",
    responses=declare(401, 403, 404, 409, 422),
)
def delete_buyer(buyer_id: BuyerId, session: SessionDep, _identity: StaffDep) -> None:
    repository.delete_buyer(session, buyer_id)
    session.commit()
