"""A buyer's working tools: named shortlists of suppliers and consent-based contact requests.

A startup's contact details reach a buyer only through an accepted ContactRequest: the request is
created pending, the startup is told (in-app notice; the caller also e-mails it) and accepts or
declines. Requests are rate-limited per buyer and every step is written to the trust audit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher.errors import ConflictError, NotFoundError
from matcher.store.models import Startup, Tender, utcnow
from matcher.store.repository import FieldError
from matcher.store.trust import audit
from matcher.store.trust_models import ContactRequest, Notification, Shortlist, ShortlistItem

MAX_SHORTLISTS = 50
MAX_ITEMS = 200
MAX_NOTE = 1000
REQUESTS_PER_DAY = 10


# --- shortlists ------------------------------------------------------------------------------------


def shortlists_of(session: Session, buyer_id: int) -> list[Shortlist]:
    return list(session.scalars(select(Shortlist).where(Shortlist.buyer_id == buyer_id).order_by(Shortlist.id)))


def get_shortlist(session: Session, shortlist_id: int, buyer_id: int | None) -> Shortlist:
    """The shortlist, if it belongs to `buyer_id` (None: staff, any buyer); else NotFoundError."""
    row = session.get(Shortlist, shortlist_id)
    if row is None or (buyer_id is not None and row.buyer_id != buyer_id):
        raise NotFoundError("shortlist", str(shortlist_id))
    return row


def create_shortlist(session: Session, buyer_id: int, name: str) -> Shortlist:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise FieldError("name", "a shortlist needs a name of 1 to 200 characters")
    if len(shortlists_of(session, buyer_id)) >= MAX_SHORTLISTS:
        raise ConflictError(f"a buyer keeps at most {MAX_SHORTLISTS} shortlists")
    if session.scalar(select(Shortlist.id).where(Shortlist.buyer_id == buyer_id, Shortlist.name == name)):
        raise ConflictError(f"a shortlist named {name!r} already exists")
    row = Shortlist(buyer_id=buyer_id, name=name)
    session.add(row)
    session.flush()
    return row


def shortlist_items(session: Session, shortlist_id: int) -> list[tuple[ShortlistItem, Startup]]:
    query = (
        select(ShortlistItem, Startup)
        .join(Startup, Startup.id == ShortlistItem.startup_id)
        .where(ShortlistItem.shortlist_id == shortlist_id)
        .order_by(ShortlistItem.position, ShortlistItem.id)
    )
    return [(item, startup) for item, startup in session.execute(query)]


def add_to_shortlist(session: Session, shortlist: Shortlist, startup: Startup, note: str | None) -> ShortlistItem:
    """Add (or update the note of) a supplier at the end of the shortlist."""
    items = shortlist_items(session, shortlist.id)
    for item, member in items:
        if member.id == startup.id:
            item.note = (note or "")[:MAX_NOTE] or item.note
            return item
    if len(items) >= MAX_ITEMS:
        raise ConflictError(f"a shortlist holds at most {MAX_ITEMS} suppliers")
    item = ShortlistItem(
        shortlist_id=shortlist.id, startup_id=startup.id, position=len(items), note=(note or "")[:MAX_NOTE] or None
    )
    session.add(item)
    shortlist.updated_at = utcnow()
    session.flush()
    return item


def remove_from_shortlist(session: Session, shortlist: Shortlist, startup: Startup) -> None:
    items = shortlist_items(session, shortlist.id)
    found = [item for item, member in items if member.id == startup.id]
    if not found:
        raise NotFoundError("shortlist item", startup.external_id)
    session.delete(found[0])
    for position, (item, _) in enumerate(i for i in items if i[0] is not found[0]):
        item.position = position


def reorder_shortlist(session: Session, shortlist: Shortlist, order: list[str]) -> None:
    """Put the suppliers in the given order of external ids (every member exactly once)."""
    items = {member.external_id: item for item, member in shortlist_items(session, shortlist.id)}
    if sorted(order) != sorted(items):
        raise FieldError("order", "list every supplier of the shortlist exactly once")
    for position, external_id in enumerate(order):
        items[external_id].position = position


# --- contact requests --------------------------------------------------------------------------------


def requests_today(session: Session, buyer_id: int, now: datetime | None = None) -> int:
    since = (now or utcnow()) - timedelta(days=1)
    query = select(func.count()).select_from(ContactRequest)
    return session.scalar(query.where(ContactRequest.buyer_id == buyer_id, ContactRequest.created_at >= since)) or 0


def create_contact_request(
    session: Session,
    buyer_id: int,
    startup: Startup,
    actor: str,
    kind: str = "contact",
    tender: Tender | None = None,
    message: str | None = None,
    limit_per_day: int = REQUESTS_PER_DAY,
) -> ContactRequest:
    """A pending request (contact, or an invitation to bid on one of the buyer's own tenders)."""
    if kind not in ("contact", "invite"):
        raise FieldError("kind", "kind is 'contact' or 'invite'")
    if kind == "invite" and tender is None:
        raise FieldError("tender_id", "an invitation to bid names one of your tenders")
    if tender is not None and tender.buyer_id != buyer_id:
        raise FieldError("tender_id", "the tender is not one of yours")
    if requests_today(session, buyer_id) >= limit_per_day:
        raise RateLimited(f"at most {limit_per_day} contact requests per buyer in 24 hours")
    pending = session.scalar(
        select(ContactRequest.id).where(
            ContactRequest.buyer_id == buyer_id,
            ContactRequest.startup_id == startup.id,
            ContactRequest.status == "pending",
        )
    )
    if pending is not None:
        raise ConflictError("a request to this startup is already waiting for its answer")
    request = ContactRequest(
        buyer_id=buyer_id,
        startup_id=startup.id,
        tender_id=tender.id if tender else None,
        kind=kind,
        message=(message or "")[:MAX_NOTE] or None,
        status="pending",
    )
    session.add(request)
    session.flush()
    session.add(Notification(startup_id=startup.id, kind=f"contact_{kind}", payload={"request_id": request.id}))
    audit(session, "contact", request.id, actor, "request", kind=kind, tender_id=request.tender_id)
    return request


class RateLimited(ConflictError):
    """Too many requests from one buyer; the API answers 429."""


def get_contact_request(session: Session, request_id: int) -> ContactRequest:
    row = session.get(ContactRequest, request_id)
    if row is None:
        raise NotFoundError("contact request", str(request_id))
    return row


def decide_contact_request(session: Session, request: ContactRequest, accept: bool, actor: str) -> ContactRequest:
    if request.status != "pending":
        raise ConflictError(f"this request is already {request.status}")
    request.status = "accepted" if accept else "declined"
    request.decided_at = utcnow()
    audit(session, "contact", request.id, actor, request.status)
    return request


def contact_requests(
    session: Session, *, buyer_id: int | None = None, startup_id: int | None = None
) -> list[ContactRequest]:
    query = select(ContactRequest)
    if buyer_id is not None:
        query = query.where(ContactRequest.buyer_id == buyer_id)
    if startup_id is not None:
        query = query.where(ContactRequest.startup_id == startup_id)
    return list(session.scalars(query.order_by(ContactRequest.id.desc())))


def contact_granted(session: Session, buyer_id: int, startup_id: int) -> bool:
    """Whether this buyer may see this startup's contact details (an accepted request)."""
    query = select(ContactRequest.id).where(
        ContactRequest.buyer_id == buyer_id,
        ContactRequest.startup_id == startup_id,
        ContactRequest.status == "accepted",
    )
    return session.scalar(query.limit(1)) is not None


def notifications_of(session: Session, startup_id: int) -> list[Notification]:
    query = select(Notification).where(Notification.startup_id == startup_id)
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(100)))
