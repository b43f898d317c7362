"""Tenders: public to every key; created and changed by staff or by the buyer that owns them."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Path, Query, Response

from matcher.ranking.engine import Engine
from matcher.schemas import Language, TenderStatus
from matcher.store import Tender, repository
from matcher.store.keys import Identity, Role
from service.auth import ensure_tender_owner
from service.created import new_external_id, set_location
from service.deps import BuyerOrStaffDep, CurrentKeyDep, EngineSlotDep, SessionDep, SettingsDep
from service.errors import declare, forbidden
from service.params import CpvPrefix, Limit, Offset, Region, TextQuery
from service.schemas import LotPublic, TenderCreate, TenderPublic, TendersPublic, TenderUpdate
from service.schemas_tools import TenderDetail
from service.tender_view import tender_detail

router = APIRouter(prefix="/tenders", tags=["tenders"])

TenderId = Annotated[str, Path(max_length=128, description="External id of the tender.", examples=["AO-2026-0117"])]


def tender_public(row: Tender) -> TenderPublic:
    buyer = row.buyer
    return TenderPublic(
        **{name: getattr(row, name) for name in TenderPublic.model_fields if not name.startswith(("buyer", "lots"))},
        buyer_id=buyer.external_id if buyer else None,
        buyer_name=buyer.name if buyer else None,
        buyer_kind=buyer.kind if buyer else None,
        lots=[LotPublic.model_validate(lot) for lot in row.lots],
    )


def _bind_to_buyer(identity: Identity, buyer_external_id: str | None) -> str | None:
    """A buyer key works for its own buyer only; staff may name any buyer."""
    if identity.role is not Role.buyer:
        return buyer_external_id
    if buyer_external_id is not None and buyer_external_id != identity.buyer_id:
        raise forbidden("a buyer key may only create or move tenders for its own buyer")
    return identity.buyer_id


@router.get(
    "",
    summary="List tenders",
    description="Any key. Filter by region, status, buyer, CPV prefix, reservation for small firms and text.",
    responses=declare(401, 422),
)
def list_tenders(
    session: SessionDep,
    _identity: CurrentKeyDep,
    region: Region = None,
    status: TenderStatus | None = None,
    buyer_id: Annotated[str | None, Query(max_length=128, description="Buyer external id.")] = None,
    cpv_prefix: CpvPrefix = None,
    reserved_for_sme: Annotated[bool | None, Query(description="Only tenders reserved (or not) for SMEs.")] = None,
    q: TextQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> TendersPublic:
    page = repository.list_tenders(
        session,
        region=region,
        status=status.value if status else None,
        buyer_id=buyer_id,
        cpv_prefix=cpv_prefix,
        reserved_for_sme=reserved_for_sme,
        q=q,
        limit=limit,
        offset=offset,
    )
    return TendersPublic(data=[tender_public(row) for row in page.items], total=page.count, limit=limit, offset=offset)


@router.post(
    "",
    status_code=201,
    summary="Create a tender",
    description="Staff, or a buyer for itself (its `buyer_id` is filled in). An unknown `buyer_id` is created "
    "when `buyer_name` is given (staff). Indexed for matching at once. Without `external_id` the server "
    "assigns one; `Location` names the new record.",
    responses=declare(401, 403, 409, 422),
)
def create_tender(
    body: TenderCreate, response: Response, session: SessionDep, identity: BuyerOrStaffDep, engine: EngineSlotDep
) -> TenderPublic:
    buyer_id = _bind_to_buyer(identity, body.buyer_external_id)
    if identity.role is Role.buyer:
        body = body.model_copy(update={"buyer_external_id": buyer_id, "buyer_name": None, "buyer_kind": None})
    if body.external_id is None:
        body = body.model_copy(update={"external_id": new_external_id("tenders")})
    row = repository.create_tender(session, body)
    session.commit()
    engine.refresh("tenders", [row.external_id])
    set_location(response, "tenders", row.external_id)
    return tender_public(row)


@router.get(
    "/{tender_id}",
    summary="Read a tender (the tender page)",
    description="Any key: tenders are public information. Besides the stored fields: CPV labels, the deadline in "
    "the buyer's time zone, every requirement with the startup's status (met / missing / unknown; a startup key "
    "gets its own, staff may name `startup_id`), document links, the buyer's history, similar open tenders and "
    "the startup's bid.",
    responses=declare(401, 403, 404, 422, 503),
)
def read_tender(
    tender_id: TenderId,
    session: SessionDep,
    identity: CurrentKeyDep,
    slot: EngineSlotDep,
    settings: SettingsDep,
    startup_id: Annotated[
        str | None, Query(max_length=128, description="Staff: the startup to check requirements for.")
    ] = None,
    lang: Annotated[Language, Query(description="Language of the CPV labels.")] = Language.fr,
) -> TenderDetail:
    row = repository.get_tender(session, tender_id)
    if identity.role is Role.startup:
        if startup_id is not None and startup_id != identity.startup_id:
            raise forbidden("a startup key may only use its own startup profile")
        startup_id = identity.startup_id
    elif startup_id is not None and not identity.is_staff:
        raise forbidden(f"a {identity.role.value} key cannot use startup profiles")
    elif startup_id is not None:
        repository.get_startup(session, startup_id)
    engine = cast(Engine, slot.get())
    return tender_detail(session, engine, settings, row, tender_public(row), startup_id, lang.value)


@router.patch(
    "/{tender_id}",
    summary="Update a tender",
    description="Staff, or the buyer that owns the tender. Only the given fields change; `lots` replace all lots.",
    responses=declare(401, 403, 404, 422),
)
def update_tender(
    tender_id: TenderId, body: TenderUpdate, session: SessionDep, identity: BuyerOrStaffDep, engine: EngineSlotDep
) -> TenderPublic:
    ensure_tender_owner(identity, repository.get_tender(session, tender_id))
    changes = body.model_dump(exclude_unset=True)
    if "buyer_id" in changes:
        changes["buyer_external_id"] = _bind_to_buyer(identity, changes.pop("buyer_id"))
    row = repository.update_tender(session, tender_id, changes)
    session.commit()
    engine.refresh("tenders", [row.external_id])
    return tender_public(row)


@router.delete(
    "/{tender_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a tender",
    description="Staff, or the buyer that owns the tender.",
    responses=declare(401, 403, 404, 422),
)
def delete_tender(tender_id: TenderId, session: SessionDep, identity: BuyerOrStaffDep, engine: EngineSlotDep) -> None:
    ensure_tender_owner(identity, repository.get_tender(session, tender_id))
    repository.delete_tender(session, tender_id)
    session.commit()
    engine.refresh("tenders", [tender_id], removed=True)
