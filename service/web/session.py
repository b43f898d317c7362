"""Web sign-in: an API key once, then a signed, HttpOnly, SameSite=Lax cookie, and a CSRF token per session.

The cookie never holds the API key itself: it names the key (id and public prefix) and a random
session token whose hash is kept server-side (`matcher.store.web_sessions`). Every request re-checks
that the key is not revoked and that the session was not ended: signing out or revoking the key ends
every copy of the cookie. A session lasts at most ``settings.session_max_age_seconds`` from sign-in
(absolute), and ends after ``MAX_AGE`` without use. The cookie is signed with itsdangerous
(``settings.session_secret``, or a random secret kept in the state folder).
"""

from __future__ import annotations

import hmac
import os
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from matcher.errors import NotFoundError
from matcher.settings import Settings
from matcher.store import Store
from matcher.store.keys import Identity, Role, bound_ids, get_key
from matcher.store.web_sessions import end_session, open_session, session_alive

COOKIE_NAME = "tremplin_session"
CSRF_FIELD = "csrf_token"
MAX_AGE = 8 * 3600  # seconds without a request before the session ends
RESIGN_AFTER = 600  # re-sign an older cookie so an active session does not expire
_SALT = "tremplin.web.session"
SECRET_FILE = "web-session.secret"


def _secret(request: Request) -> str:
    """settings.session_secret, else a random one kept in TREMPLIN_HOME (cached on app.state)."""
    state = request.app.state
    secret = getattr(state, "web_session_secret", None)
    if secret is None:
        settings: Settings = state.settings
        secret = settings.session_secret or stored_secret(settings.home)
        state.web_session_secret = secret
    return str(secret)


def stored_secret(home: Path) -> str:
    """A random secret created once in the state folder, so sessions survive restarts and span workers.

    Created with O_EXCL and mode 0600: concurrent workers agree on the first one written. Without a
    writable state folder the secret lives in this process only (everyone signs in again on restart).
    """
    path = home / SECRET_FILE
    for _ in range(2):
        try:
            text = path.read_text(encoding="ascii").strip()
            if len(text) >= 32:
                return text
        except FileNotFoundError:
            pass
        except OSError:
            break
        try:
            home.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            time.sleep(0.05)  # another worker is writing it: read it on the next pass
            continue
        except OSError:
            break
        secret = secrets.token_urlsafe(48)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secret)
        return secret
    return secrets.token_urlsafe(48)


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_secret(request), salt=_SALT)


@dataclass
class WebSession:
    """The decoded cookie of one request; `save` writes it back only when it changed."""

    data: dict[str, Any] = field(default_factory=dict)
    dirty: bool = False
    identity: Identity | None = None

    @classmethod
    def load(cls, request: Request) -> WebSession:
        raw = request.cookies.get(COOKIE_NAME)
        data: dict[str, Any] = {}
        stale = False
        if raw:
            try:
                loaded, signed_at = _serializer(request).loads(raw, max_age=MAX_AGE, return_timestamp=True)
                data = loaded if isinstance(loaded, dict) else {}
                stale = (datetime.now(UTC) - signed_at).total_seconds() > RESIGN_AFTER
            except BadSignature:  # tampered, from another secret, or expired
                data, stale = {}, False
        session = cls(data=data, dirty=stale)
        if not isinstance(data.get("csrf"), str):
            session.data["csrf"] = secrets.token_urlsafe(32)
            session.dirty = True
        request.state.web_session = session
        return session

    # -- csrf ----------------------------------------------------------------------------------
    @property
    def csrf_token(self) -> str:
        return str(self.data["csrf"])

    def csrf_ok(self, submitted: object) -> bool:
        return isinstance(submitted, str) and hmac.compare_digest(submitted.encode(), self.csrf_token.encode())

    # -- language and one-time messages --------------------------------------------------------
    @property
    def lang(self) -> str | None:
        value = self.data.get("lang")
        return value if isinstance(value, str) else None

    def set_lang(self, lang: str) -> None:
        if self.data.get("lang") != lang:
            self.data["lang"] = lang
            self.dirty = True

    def flash(self, message: str, kind: str = "success") -> None:
        self.data.setdefault("flash", []).append([kind, message])
        self.dirty = True

    def pop_flashes(self) -> list[tuple[str, str]]:
        messages = self.data.pop("flash", [])
        if messages:
            self.dirty = True
        return [(str(kind), str(text)) for kind, text in messages]

    # -- sign-in ---------------------------------------------------------------------------------
    def sign_in(self, identity: Identity, store: Store) -> None:
        """Bind the session to a key and a new server-side session; a fresh CSRF token defeats fixation."""
        with store.session() as session:
            token = open_session(session, identity.key_id)
        self.data = {"lang": self.lang} if self.lang else {}
        self.data.update(
            {"key": identity.key_id, "prefix": identity.prefix, "sid": token, "csrf": secrets.token_urlsafe(32)}
        )
        self.identity = identity
        self.dirty = True

    def sign_out(self, store: Store | None = None) -> None:
        """Forget the key here and, with `store`, end the server-side session (every copy of the cookie)."""
        token = self.data.get("sid")
        if store is not None and isinstance(token, str):
            with store.session() as session:
                end_session(session, token)
        self.data = {"lang": self.lang} if self.lang else {}
        self.data["csrf"] = secrets.token_urlsafe(32)
        self.identity = None
        self.dirty = True

    def resolve(self, store: Store, max_age_seconds: int) -> Identity | None:
        """The identity of the session's key, or None (and a signed-out session) if the key was revoked,
        the session ended (sign-out elsewhere) or it is older than `max_age_seconds`."""
        key_id, prefix, token = self.data.get("key"), self.data.get("prefix"), self.data.get("sid")
        if not isinstance(key_id, int) or not isinstance(prefix, str) or not isinstance(token, str):
            if "key" in self.data:
                self.sign_out()
            return None
        with store.session() as session:
            try:
                key = get_key(session, prefix)
            except NotFoundError:
                key = None
            if (
                key is None
                or key.id != key_id
                or key.revoked_at is not None
                or not session_alive(session, token, key_id, max_age_seconds)
            ):
                self.sign_out()
                return None
            startup_id, buyer_id = bound_ids(session, key)
            self.identity = Identity(
                key_id=key.id,
                prefix=key.prefix,
                role=Role(key.role),
                name=key.name,
                startup_pk=key.startup_id,
                startup_id=startup_id,
                buyer_pk=key.buyer_id,
                buyer_id=buyer_id,
            )
        return self.identity

    def save(self, request: Request, response: Response) -> None:
        if not self.dirty:
            return
        response.set_cookie(
            COOKIE_NAME,
            _serializer(request).dumps(self.data),
            max_age=MAX_AGE,
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
