"""Award ↔ startup links: the staff review queue, a startup's claims and disputes, buyer-confirmed delivery."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from matcher.errors import NotFoundError
from matcher.store import Buyer, repository
from matcher.store.keys import Identity, Role
from matcher.store.trust import (
    LinkView,
    claim_award,
    confirm_delivery,
    decide_link,
    get_link,
    link_view,
    links_of,
    review_queue,
)
from service.auth import ensure_startup_access
from service.deps import BuyerOrStaffDep, EngineSlotDep, SessionDep, StaffDep, StartupOrStaffDep
from service.errors import declare, forbidden
from service.params import Limit, Offset
from service.routers.profiles import SupplierId
from service.trust_schemas import ClaimIn, DecisionIn, DeliveryIn, DeliveryOut, LinkOut, LinksPublic

router = APIRouter(tags=["trust"])

LinkId = Annotated[int, Path(ge=1, le=2**31, description="Id of the link.")]
AwardId = Annotated[int, Path(ge=1, le=2**31, description="Id of the award record.")]


def _actor(identity: Identity) -> str:
    return f"{identity.role.value}:{identity.name or identity.prefix}"


def link_out(view: LinkView) -> LinkOut:
    return LinkOut(
        id=view.id, status=view.status, method=view.method, score=view.score, award_id=view.award_id,
        startup_id=view.startup_id, startup_name=view.startup_name, supplier_name=view.supplier_name,
        tender_id=view.tender_id, title=view.title, buyer_id=view.buyer_id, buyer_name=view.buyer_name,
        amount=view.amount, currency=view.currency, awarded_at=view.awarded_at, source=view.source, note=view.note,
    )  # fmt: skip


@router.get(
    "/links/review",
    summary="Link review queue",
    description="Staff only. Links waiting for a decision: proposed by the linker, claimed or disputed by a startup.",
    responses=declare(401, 403, 422),
)
def list_review_queue(session: SessionDep, identity: StaffDep, limit: Limit = 50, offset: Offset = 0) -> LinksPublic:
    views, total = review_queue(session, limit, offset)
    return LinksPublic(data=[link_out(v) for v in views], total=total, limit=limit, offset=offset)


def _decide(
    session: SessionDep, identity: Identity, link_id: int, action: str, note: str | None, slot: EngineSlotDep | None
) -> LinkOut:
    decide_link(session, link_id, action, _actor(identity), identity.role.value, note)
    session.flush()
    view = link_out(link_view(session, link_id))
    if slot is not None:  # verified references feed eligibility and the track record: refresh the catalogue
        session.commit()
        slot.refresh("startups", [view.startup_id])
    return view


@router.post(
    "/links/{link_id}/confirm",
    summary="Confirm a link",
    description="Staff only. The award becomes a verified reference of the startup.",
    responses=declare(401, 403, 404, 409, 422),
)
def confirm_link(
    link_id: LinkId, session: SessionDep, identity: StaffDep, slot: EngineSlotDep, body: DecisionIn | None = None
) -> LinkOut:
    return _decide(session, identity, link_id, "confirm", body.note if body else None, slot)


@router.post(
    "/links/{link_id}/reject",
    summary="Reject a link",
    description="Staff only. The award is not the startup's; re-running the linker will not propose it again.",
    responses=declare(401, 403, 404, 409, 422),
)
def reject_link(
    link_id: LinkId, session: SessionDep, identity: StaffDep, slot: EngineSlotDep, body: DecisionIn | None = None
) -> LinkOut:
    return _decide(session, identity, link_id, "reject", body.note if body else None, slot)


@router.post(
    "/links/{link_id}/dispute",
    summary="Dispute a link",
    description="The startup the link names (or staff): this award is not ours, or not as shown. Staff then decide.",
    responses=declare(401, 403, 404, 409, 422),
)
def dispute_link(
    link_id: LinkId, session: SessionDep, identity: StartupOrStaffDep, body: DecisionIn | None = None
) -> LinkOut:
    link = get_link(session, link_id)
    if not identity.is_staff and identity.startup_pk != link.startup_id:
        raise NotFoundError("link", str(link_id))
    return _decide(session, identity, link_id, "dispute", body.note if body else None, None)


@router.get(
    "/startups/{supplier_id}/links",
    summary="A startup's award links",
    description="Staff or the startup itself: every link of the startup with its status.",
    responses=declare(401, 403, 404, 422),
    tags=["startups"],
)
def startup_links(supplier_id: SupplierId, session: SessionDep, identity: StartupOrStaffDep) -> LinksPublic:
    ensure_startup_access(identity, supplier_id)
    startup = repository.get_startup(session, supplier_id)
    views = links_of(session, startup.id)
    return LinksPublic(data=[link_out(v) for v in views], total=len(views), limit=len(views), offset=0)


@router.post(
    "/startups/{supplier_id}/claims",
    summary="Claim an award",
    description="The startup itself (or staff): an official award record that is ours but was not linked. "
    "Staff confirm or reject the claim.",
    status_code=201,
    responses=declare(401, 403, 404, 409, 422),
    tags=["startups"],
)
def claim(supplier_id: SupplierId, body: ClaimIn, session: SessionDep, identity: StartupOrStaffDep) -> LinkOut:
    ensure_startup_access(identity, supplier_id)
    link = claim_award(session, supplier_id, body.award_id, _actor(identity), body.note)
    session.flush()
    return link_out(link_view(session, link.id))


@router.post(
    "/awards/{award_id}/delivery",
    summary="Confirm delivery of a contract",
    description="Only the buyer of that award (staff cannot stand in for it, a startup never confirms its "
    "own references): the startup delivered; optional 1–5 rating and comment.",
    status_code=201,
    responses=declare(401, 403, 404, 409, 422),
)
def confirm_award_delivery(
    award_id: AwardId, body: DeliveryIn, session: SessionDep, identity: BuyerOrStaffDep, slot: EngineSlotDep
) -> DeliveryOut:
    if identity.role is not Role.buyer or identity.buyer_pk is None:
        raise forbidden("only the buyer of this award can confirm its delivery")
    try:
        row = confirm_delivery(
            session, award_id, body.startup_id, identity.buyer_pk, _actor(identity), body.rating, body.comment,
            identity.key_id,
        )  # fmt: skip
    except PermissionError as exc:
        raise forbidden(str(exc)) from exc
    buyer = session.get(Buyer, identity.buyer_pk)
    session.commit()
    slot.refresh("startups", [body.startup_id])
    return DeliveryOut(
        id=row.id, award_id=award_id, startup_id=body.startup_id, buyer_id=buyer.external_id if buyer else "",
        rating=row.rating, comment=row.comment,
    )  # fmt: skip
