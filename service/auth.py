"""API-key authentication and the role rules of the API.

A key comes as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``. Staff may do everything; a
buyer works on its own buyer and tenders and searches suppliers; a startup reads and edits its own
profile, its own matches and feedback. 401 means "who are you?", 403 "not with this key".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from matcher.store import Store, Tender
from matcher.store.keys import Identity, Role, note_use, verify_key
from service.errors import ApiError, forbidden, unauthorized

bearer_scheme = HTTPBearer(
    auto_error=False, scheme_name="bearer", description="`Authorization: Bearer tpl_<prefix>_<secret>`"
)
header_scheme = APIKeyHeader(
    name="X-API-Key", auto_error=False, scheme_name="apiKey", description="`X-API-Key: tpl_<prefix>_<secret>`"
)


def current_identity(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    header_key: Annotated[str | None, Depends(header_scheme)],
) -> Identity:
    """The verified caller; 401 for a missing, malformed, unknown or revoked key."""
    raw_key = bearer.credentials if bearer is not None else header_key
    if not raw_key:
        raise unauthorized()
    throttle = getattr(request.app.state, "throttle", None)  # service.security.Throttle
    address = request.client.host if request.client else "unknown"
    if throttle is not None and (wait := throttle.blocked(throttle.bad_key, "bad_key", address)) is not None:
        raise ApiError(
            429, f"too many wrong API keys from this address: try again in {wait} s", headers={"Retry-After": str(wait)}
        )
    store: Store = request.app.state.store
    with store.session() as session:  # a read: nothing written, so a full disk cannot fail it
        identity = verify_key(session, raw_key, touch=False)
    if identity is None:
        if throttle is not None:
            throttle.hit(throttle.bad_key, "bad_key", address)
        raise unauthorized("this API key is not valid (unknown, malformed or revoked)")
    note_use(store, identity.key_id)
    request.state.identity = identity
    return identity


CurrentKey = Annotated[Identity, Depends(current_identity)]


def require_roles(*roles: Role) -> Callable[[Identity], Identity]:
    allowed = ", ".join(role.value for role in roles)

    def check(identity: CurrentKey) -> Identity:
        if identity.role not in roles:
            raise forbidden(f"this route is for {allowed} keys; this key is a {identity.role.value} key")
        return identity

    return check


def ensure_startup_access(identity: Identity, startup_id: str) -> None:
    """Staff, or the startup itself; no other key learns whether the startup exists."""
    if identity.is_staff:
        return
    if identity.role is Role.startup and identity.startup_id == startup_id:
        return
    if identity.role is Role.startup:
        raise forbidden("a startup key may only use its own startup profile")
    raise forbidden(f"a {identity.role.value} key cannot use startup profiles")


def ensure_buyer_access(identity: Identity, buyer_id: str) -> None:
    if identity.is_staff:
        return
    if identity.role is Role.buyer and identity.buyer_id == buyer_id:
        return
    if identity.role is Role.buyer:
        raise forbidden("a buyer key may only use its own buyer")
    raise forbidden(f"a {identity.role.value} key cannot read buyers")


def ensure_tender_owner(identity: Identity, tender: Tender) -> None:
    """Staff, or the buyer the tender belongs to."""
    if identity.is_staff:
        return
    if identity.role is Role.buyer and identity.buyer_pk is not None and tender.buyer_id == identity.buyer_pk:
        return
    raise forbidden("only staff and the tender's own buyer may do this")


def can_see_contact(identity: Identity, startup_pk: int) -> bool:
    """Contact fields of a startup: staff and the startup itself only."""
    return identity.is_staff or (identity.role is Role.startup and identity.startup_pk == startup_pk)
