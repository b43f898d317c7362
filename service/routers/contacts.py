"""Consent-based contact: a buyer asks (or invites to bid), the startup accepts or declines.

The startup is told in the app (a notification) and by e-mail. Contact details appear for the buyer
only after acceptance. Requests are rate-limited per buyer; every step is audited.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from matcher.digests.contact_mail import render_contact_email, send_contact_email
from matcher.errors import NotFoundError
from matcher.store import Buyer, ContactRequest, Startup, Tender, repository
from matcher.store.buyer_tools import (
    RateLimited,
    contact_requests,
    create_contact_request,
    decide_contact_request,
    get_contact_request,
    notifications_of,
)
from matcher.store.keys import Identity, Role
from service.auth import ensure_startup_access
from service.deps import CurrentKeyDep, SessionDep, StartupOrStaffDep
from service.errors import ApiError, declare, forbidden
from service.routers.profiles import SupplierId, viewable_supplier
from service.trust_schemas import ContactOut, ContactRequestIn, ContactRequestOut, ContactRequestsPublic

router = APIRouter(tags=["contacts"])

RequestId = Annotated[int, Path(ge=1, le=2**31, description="Id of the contact request.")]


def request_out(session: SessionDep, row: ContactRequest, identity: Identity) -> ContactRequestOut:
    buyer = session.get(Buyer, row.buyer_id)
    startup = session.get(Startup, row.startup_id)
    tender = session.get(Tender, row.tender_id) if row.tender_id else None
    assert buyer is not None and startup is not None
    reveal = row.status == "accepted" and (identity.is_staff or identity.buyer_pk == row.buyer_id)
    return ContactRequestOut(
        id=row.id, buyer_id=buyer.external_id, buyer_name=buyer.name, startup_id=startup.external_id,
        startup_name=startup.name, kind=row.kind, tender_id=tender.external_id if tender else None,
        message=row.message, status=row.status, email_status=row.email_status, created_at=row.created_at,
        decided_at=row.decided_at, contact=ContactOut(email=startup.contact_email) if reveal else None,
    )  # fmt: skip


@router.post(
    "/contact-requests",
    summary="Request contact or invite to bid",
    description="Buyer keys only. The startup is told in the app and by e-mail and accepts or declines; its "
    "contact details are shown to you only after it accepts. At most 10 requests per buyer in 24 hours (429).",
    status_code=201,
    responses=declare(401, 403, 404, 409, 422),
)
def request_contact(
    body: ContactRequestIn, request: Request, session: SessionDep, identity: CurrentKeyDep
) -> ContactRequestOut:
    if identity.role is not Role.buyer or identity.buyer_pk is None:
        raise forbidden("contact requests are sent with a buyer key")
    startup = viewable_supplier(session, identity, body.startup_id)
    tender = repository.get_tender(session, body.tender_id) if body.tender_id else None
    try:
        row = create_contact_request(
            session, identity.buyer_pk, startup, f"buyer:{identity.buyer_id}", body.kind, tender, body.message
        )
    except RateLimited as exc:
        raise ApiError(429, str(exc), code="rate_limited") from exc
    buyer = session.get(Buyer, identity.buyer_pk)
    if startup.contact_email:
        rendered = render_contact_email(
            startup.preferred_language, startup.name, buyer.name if buyer else "", body.kind,
            tender.title if tender else None, body.message,
        )  # fmt: skip
        row.email_status = send_contact_email(
            request.app.state.settings, startup.contact_email, rendered, f"contact-{row.id}"
        )
    else:
        row.email_status = "no_address"
    return request_out(session, row, identity)


@router.get(
    "/contact-requests",
    summary="Contact requests",
    description="A buyer sees the requests it sent, a startup those it received, staff all of them.",
    responses=declare(401),
)
def list_contact_requests(session: SessionDep, identity: CurrentKeyDep) -> ContactRequestsPublic:
    if identity.is_staff:
        rows = contact_requests(session)
    elif identity.role is Role.buyer:
        rows = contact_requests(session, buyer_id=identity.buyer_pk or -1)
    else:
        rows = contact_requests(session, startup_id=identity.startup_pk or -1)
    data = [request_out(session, r, identity) for r in rows]
    return ContactRequestsPublic(data=data, total=len(data), limit=len(data), offset=0)


def _answer(request_id: int, session: SessionDep, identity: Identity, accept: bool) -> ContactRequestOut:
    row = get_contact_request(session, request_id)
    if identity.role is not Role.startup:
        raise forbidden("only the startup asked can answer a contact request")
    if identity.startup_pk != row.startup_id:
        raise NotFoundError("contact request", str(request_id))
    decide_contact_request(session, row, accept, f"startup:{identity.startup_id}")
    return request_out(session, row, identity)


@router.post(
    "/contact-requests/{request_id}/accept",
    summary="Accept a contact request",
    description="The startup asked only: the buyer then sees its contact details.",
    responses=declare(401, 403, 404, 409, 422),
)
def accept(request_id: RequestId, session: SessionDep, identity: CurrentKeyDep) -> ContactRequestOut:
    return _answer(request_id, session, identity, True)


@router.post(
    "/contact-requests/{request_id}/decline",
    summary="Decline a contact request",
    description="The startup asked only: nothing is shared.",
    responses=declare(401, 403, 404, 409, 422),
)
def decline(request_id: RequestId, session: SessionDep, identity: CurrentKeyDep) -> ContactRequestOut:
    return _answer(request_id, session, identity, False)


@router.get(
    "/startups/{supplier_id}/notifications",
    summary="In-app notices of a startup",
    description="Staff or the startup itself: contact requests and invitations, newest first.",
    responses=declare(401, 403, 404, 422),
    tags=["startups"],
)
def notifications(supplier_id: SupplierId, session: SessionDep, identity: StartupOrStaffDep) -> list[dict[str, object]]:
    ensure_startup_access(identity, supplier_id)
    startup = repository.get_startup(session, supplier_id)
    return [
        {
            "id": n.id,
            "kind": n.kind,
            "payload": n.payload,
            "created_at": n.created_at.isoformat(),
            "read": bool(n.read_at),
        }
        for n in notifications_of(session, startup.id)
    ]
