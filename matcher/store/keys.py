"""API keys: creation, hashing, verification and revocation (domain logic, no web framework).

A key reads ``tpl_<prefix>_<secret>``: the 12-hex-digit prefix is stored in clear to find the row,
the secret is 256 random bits. We store ``sha256$<hex digest>`` of the whole key. A slow KDF
(scrypt, PBKDF2) protects guessable passwords; a 256-bit random secret cannot be guessed, so a
single SHA-256 is as safe here and keeps verification at microseconds on every request. The
comparison is constant-time and the key itself is shown once, at creation, and never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from matcher.errors import NotFoundError
from matcher.store import ApiKey, Buyer, Startup
from matcher.store.db import Store
from matcher.store.repository import FieldError
from matcher.store.web_sessions import end_key_sessions

log = logging.getLogger(__name__)

KEY_SCHEME = "tpl"
HASH_SCHEME = "sha256"
PREFIX_HEX_DIGITS = 12
SECRET_BYTES = 32
# Writing last_used_at on every request would turn each read into a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class Role(StrEnum):
    staff = "staff"
    buyer = "buyer"
    startup = "startup"


class KeySpecError(FieldError):
    """A key request that does not fit its role (e.g. a startup key without a startup)."""


@dataclass(frozen=True)
class Identity:
    """Who is calling: the verified key's role and the startup or buyer it is bound to."""

    key_id: int
    prefix: str
    role: Role
    name: str | None = None
    startup_pk: int | None = None
    startup_id: str | None = None
    buyer_pk: int | None = None
    buyer_id: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role is Role.staff


def hash_key(raw_key: str) -> str:
    return f"{HASH_SCHEME}${hashlib.sha256(raw_key.encode('utf-8')).hexdigest()}"


def split_key(raw_key: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed key, else None."""
    parts = raw_key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_SCHEME:
        return None
    prefix, secret = parts[1], parts[2]
    if len(prefix) != PREFIX_HEX_DIGITS or not all(ch in "0123456789abcdef" for ch in prefix) or not secret:
        return None
    return prefix, secret


def _identity(key: ApiKey, session: Session) -> Identity:
    startup = session.get(Startup, key.startup_id) if key.startup_id is not None else None
    buyer = session.get(Buyer, key.buyer_id) if key.buyer_id is not None else None
    return Identity(
        key_id=key.id,
        prefix=key.prefix,
        role=Role(key.role),
        name=key.name,
        startup_pk=key.startup_id,
        startup_id=startup.external_id if startup else None,
        buyer_pk=key.buyer_id,
        buyer_id=buyer.external_id if buyer else None,
    )


def create_key(
    session: Session,
    role: Role | str,
    *,
    name: str | None = None,
    startup_id: str | None = None,
    buyer_id: str | None = None,
) -> tuple[ApiKey, str]:
    """Store a new key and return it with the raw key, which is never recoverable afterwards."""
    try:
        role = Role(role)
    except ValueError:
        raise KeySpecError("role", f"role must be one of {', '.join(r.value for r in Role)}") from None
    if role is Role.startup and not startup_id:
        raise KeySpecError("startup_id", "a startup key needs the startup it belongs to")
    if role is Role.buyer and not buyer_id:
        raise KeySpecError("buyer_id", "a buyer key needs the buyer it belongs to")
    if role is not Role.startup and startup_id:
        raise KeySpecError("startup_id", f"a {role.value} key cannot be bound to a startup")
    if role is not Role.buyer and buyer_id:
        raise KeySpecError("buyer_id", f"a {role.value} key cannot be bound to a buyer")

    key = ApiKey(role=role.value, name=name)
    if startup_id:
        startup = session.scalar(select(Startup).where(Startup.external_id == startup_id))
        if startup is None:
            raise NotFoundError("startup", startup_id)
        key.startup_id = startup.id
    if buyer_id:
        buyer = session.scalar(select(Buyer).where(Buyer.external_id == buyer_id))
        if buyer is None:
            raise NotFoundError("buyer", buyer_id)
        key.buyer_id = buyer.id

    while True:
        prefix = secrets.token_hex(PREFIX_HEX_DIGITS // 2)
        if session.scalar(select(ApiKey.id).where(ApiKey.prefix == prefix)) is None:
            break
    raw_key = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    key.prefix = prefix
    key.key_hash = hash_key(raw_key)
    session.add(key)
    session.flush()
    return key, raw_key


def verify_key(
    session: Session, raw_key: str | None, now: datetime | None = None, touch: bool = True
) -> Identity | None:
    """The identity of a valid, unrevoked key, or None; notes when the key was last used unless `touch`
    is False (the API then calls `note_use`, which never fails a read)."""
    if not raw_key:
        return None
    parts = split_key(raw_key)
    if parts is None:
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[0]))
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.key_hash.encode(), hash_key(raw_key.strip()).encode()):
        return None
    now = now or datetime.now(UTC)
    if touch and (key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION):
        key.last_used_at = now
    return _identity(key, session)


_noted: dict[tuple[str, int], float] = {}  # (store URL, key id) → monotonic time of this process's last note
_noted_lock = threading.Lock()


def note_use(store: Store, key_id: int, now: datetime | None = None) -> bool:
    """Record `last_used_at` at most once a minute, in its own transaction, best effort.

    A read must not fail because the store cannot write (full disk, read-only file, replica): the
    error is logged and swallowed. Returns True when a row was written.
    """
    clock = time.monotonic()
    slot = (store.settings.sqlalchemy_url, key_id)
    with _noted_lock:
        last = _noted.get(slot)
        if last is not None and clock - last < LAST_USED_RESOLUTION.total_seconds():
            return False
        _noted[slot] = clock
    now = now or datetime.now(UTC)
    try:
        with store.session() as session:
            result = session.execute(
                update(ApiKey)
                .where(
                    ApiKey.id == key_id,
                    or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at <= now - LAST_USED_RESOLUTION),
                )
                .values(last_used_at=now)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]
    except SQLAlchemyError as exc:
        log.warning("could not record the use of key %s: %s", key_id, str(exc).splitlines()[0])
        return False


def get_key(session: Session, prefix: str) -> ApiKey:
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None:
        raise NotFoundError("key", prefix)
    return key


def list_keys(session: Session, include_revoked: bool = True) -> list[ApiKey]:
    query = select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    return list(session.scalars(query))


def revoke_key(session: Session, prefix: str, now: datetime | None = None) -> ApiKey:
    """Revoke a key by its prefix; revoking twice keeps the first revocation time."""
    key = get_key(session, prefix)
    if key.revoked_at is None:
        key.revoked_at = now or datetime.now(UTC)
    end_key_sessions(session, key.id, now)
    return key


def bound_ids(session: Session, key: ApiKey) -> tuple[str | None, str | None]:
    """External ids of the startup and buyer a key is bound to, for listings."""
    identity = _identity(key, session)
    return identity.startup_id, identity.buyer_id
