"""A startup's bid pipeline and the tenders it hid from its matches ("not relevant"), with undo."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from matcher.alerts import pipeline
from matcher.errors import NotFoundError
from matcher.store.repository import get_tender
from service.auth import ensure_startup_access
from service.deps import EngineSlotDep, SessionDep, StartupOrStaffDep
from service.errors import declare
from service.params import Limit, Offset
from service.routers.startups import StartupId
from service.schemas_tools import BidPublic, BidsPublic, BidUpdate, HiddenTender, HiddenTendersPublic

router = APIRouter(tags=["bids"])

TenderId = Annotated[str, Path(max_length=128, description="External id of the tender.")]


@router.get(
    "/startups/{startup_id}/bids",
    summary="A startup's bid board",
    description="Staff, or the startup itself. Soonest deadline first; filter by `status`.",
    responses=declare(401, 403, 404, 422),
)
def list_bids(
    startup_id: StartupId,
    session: SessionDep,
    identity: StartupOrStaffDep,
    status: Annotated[pipeline.BidStatus | None, Query(description="Only bids in this state.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> BidsPublic:
    ensure_startup_access(identity, startup_id)
    page = pipeline.list_bids(session, startup_id, status, limit, offset)
    return BidsPublic(
        data=[BidPublic.from_row(bid, tender) for bid, tender in page.items],
        total=page.count,
        limit=limit,
        offset=offset,
    )


@router.put(
    "/startups/{startup_id}/bids/{tender_id}",
    summary="Put a tender on the board or move it",
    description="Staff, or the startup itself. interested → preparing → submitted → won / lost / withdrawn; "
    "every move is kept with its date. `won` adds a declared reference to the profile.",
    responses=declare(401, 403, 404, 422),
)
def put_bid(
    startup_id: StartupId,
    tender_id: TenderId,
    body: BidUpdate,
    session: SessionDep,
    identity: StartupOrStaffDep,
    slot: EngineSlotDep,
) -> BidPublic:
    ensure_startup_access(identity, startup_id)
    row = pipeline.set_bid(session, startup_id, tender_id, body.status, body.note)
    session.commit()
    if body.status is pipeline.BidStatus.won:  # a new reference: eligibility sees it at once
        slot.refresh("startups", [startup_id])
    return BidPublic.from_row(row, get_tender(session, tender_id))


@router.delete(
    "/startups/{startup_id}/bids/{tender_id}",
    status_code=204,
    response_class=Response,
    summary="Take a tender off the board",
    description="Staff, or the startup itself.",
    responses=declare(401, 403, 404, 422),
)
def delete_bid(startup_id: StartupId, tender_id: TenderId, session: SessionDep, identity: StartupOrStaffDep) -> None:
    ensure_startup_access(identity, startup_id)
    pipeline.delete_bid(session, startup_id, tender_id)
    session.commit()


@router.get(
    "/startups/{startup_id}/hidden-tenders",
    summary="Tenders hidden from a startup's matches",
    description="Staff, or the startup itself: the tenders it marked 'not relevant', newest first.",
    responses=declare(401, 403, 404, 422),
)
def list_hidden(
    startup_id: StartupId, session: SessionDep, identity: StartupOrStaffDep, limit: Limit = 50, offset: Offset = 0
) -> HiddenTendersPublic:
    ensure_startup_access(identity, startup_id)
    page = pipeline.list_hidden(session, startup_id, limit, offset)
    return HiddenTendersPublic(
        data=[
            HiddenTender(tender_id=t.external_id, title=t.title, deadline_at=t.deadline_at, hidden_at=at)
            for t, at in page.items
        ],
        total=page.count,
        limit=limit,
        offset=offset,
    )


@router.delete(
    "/startups/{startup_id}/hidden-tenders/{tender_id}",
    status_code=204,
    response_class=Response,
    summary="Show a hidden tender again (undo 'not relevant')",
    description="Staff, or the startup itself. Deletes the 'not relevant' verdicts on that tender; 404 if none.",
    responses=declare(401, 403, 404, 422),
)
def unhide(startup_id: StartupId, tender_id: TenderId, session: SessionDep, identity: StartupOrStaffDep) -> None:
    ensure_startup_access(identity, startup_id)
    if not pipeline.unhide(session, startup_id, tender_id):
        raise NotFoundError("hidden tender", tender_id)
    session.commit()
