"""Security headers on every response, and throttling with the `limits` library.

Headers: a Content-Security-Policy without inline scripts or styles (the pages use static files
only), `frame-ancestors 'none'`, nosniff and a Referrer-Policy. A response that sets its own policy
keeps it (the e-mail preview needs inline styles and is framed by the staff page); `/docs` gets the
policy Swagger UI needs.

Throttling (per worker process, moving windows in memory): sign-in attempts and requests with a
wrong API key per client address, and matching/search calls per key. Over the limit the answer is
429 with `Retry-After`. Limits come from settings (`TREMPLIN_RATE_LIMIT_*`, e.g. "10/minute").
"""

from __future__ import annotations

import json
import math
import time
from typing import Annotated

from fastapi import Depends, Request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matcher.settings import Settings
from matcher.store.keys import Identity
from service.auth import current_identity
from service.errors import ApiError
from service.observability import current_request_id

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-src 'self'; frame-ancestors 'none'"
)
# Swagger UI / ReDoc as FastAPI serves them: scripts and styles from jsDelivr plus one inline bootstrap.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "worker-src blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
# An e-mail shown to staff: its inline CSS, no script at all, framed only by our own page.
EMAIL_PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'"
)
_DOCS = ("/docs", "/redoc")
STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_CSP if scope["path"].startswith(_DOCS) else CSP
        bad = _nul_parameter(scope)
        if bad is not None:
            await _refuse_nul(bad, policy, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                own = headers.get("content-security-policy")
                if own is None:
                    headers["Content-Security-Policy"] = policy
                for name, value in STATIC_HEADERS.items():
                    if name == "X-Frame-Options" and own and "frame-ancestors 'self'" in own:
                        headers.setdefault(name, "SAMEORIGIN")
                        continue
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _nul_parameter(scope: Scope) -> str | None:
    """The first query parameter (or the path) holding a NUL byte: PostgreSQL refuses them in text."""
    if "\x00" in scope["path"]:
        return "path"
    raw: bytes = scope.get("query_string", b"")
    if b"%00" not in raw.lower() and b"\x00" not in raw:
        return None
    from urllib.parse import parse_qsl

    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return f"query.{name.replace(chr(0), '')}"
    return None


async def _refuse_nul(field: str, policy: str, send: Send) -> None:
    reason = "contains a NUL byte"
    body = {"error": {"code": "validation_error", "message": f"{field}: {reason}",
                      "details": [{"field": field, "reason": reason}], "request_id": current_request_id()}}  # fmt: skip
    headers = [(b"content-type", b"application/json"), (b"content-security-policy", policy.encode())]
    headers += [(name.lower().encode(), value.encode()) for name, value in STATIC_HEADERS.items()]
    await send({"type": "http.response.start", "status": 422, "headers": headers})
    await send({"type": "http.response.body", "body": json.dumps(body).encode()})


class Throttle:
    """The app's rate limits; `enabled=False` turns every check into a no-op (tests, trusted set-ups)."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.rate_limit_enabled
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.login: RateLimitItem = parse(settings.rate_limit_login)
        self.bad_key: RateLimitItem = parse(settings.rate_limit_bad_key)
        self.expensive: RateLimitItem = parse(settings.rate_limit_expensive)

    def retry_after(self, item: RateLimitItem, *identifiers: str) -> int:
        reset = self.limiter.get_window_stats(item, *identifiers).reset_time
        return max(1, math.ceil(reset - time.time()))

    def hit(self, item: RateLimitItem, *identifiers: str) -> int | None:
        """Count one event; None while within the limit, else the seconds to wait."""
        if not self.enabled or self.limiter.hit(item, *identifiers):
            return None
        return self.retry_after(item, *identifiers)

    def blocked(self, item: RateLimitItem, *identifiers: str) -> int | None:
        """Without counting: the seconds to wait if the limit is already reached, else None."""
        if not self.enabled or self.limiter.test(item, *identifiers):
            return None
        return self.retry_after(item, *identifiers)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def too_many(seconds: int, what: str) -> ApiError:
    return ApiError(429, f"too many {what}: try again in {seconds} s", headers={"Retry-After": str(seconds)})


def throttle_of(request: Request) -> Throttle:
    throttle: Throttle = request.app.state.throttle
    return throttle


def expensive_call(request: Request, identity: Annotated[Identity, Depends(current_identity)]) -> Identity:
    """Matching and search: at most `rate_limit_expensive` calls per key."""
    throttle = throttle_of(request)
    wait = throttle.hit(throttle.expensive, "expensive", identity.prefix)
    if wait is not None:
        raise too_many(wait, "matching or search requests for this key")
    return identity


ExpensiveDep = Annotated[Identity, Depends(expensive_call)]
