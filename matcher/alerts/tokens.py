"""Signed one-click unsubscribe tokens: the link itself proves who may unsubscribe (no sign-in)."""

from __future__ import annotations

import secrets

from itsdangerous import BadSignature, URLSafeSerializer

from matcher.settings import Settings

_SALT = "tremplin-alerts-unsubscribe"


def alerts_secret(settings: Settings) -> str:
    """The configured secret, else one kept in the home folder (stable across runs and workers)."""
    if settings.alerts_secret:
        return settings.alerts_secret
    path = settings.home / "alerts.secret"
    if not path.exists():
        settings.ensure_home()
        try:
            with open(path, "x", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(32))
            path.chmod(0o600)
        except FileExistsError:  # another process wrote it first
            pass
    return path.read_text(encoding="utf-8").strip()


def signer(settings: Settings) -> URLSafeSerializer:
    """One signer for a whole run (reads the secret once)."""
    return URLSafeSerializer(alerts_secret(settings), salt=_SALT)


def unsubscribe_token(settings: Settings | URLSafeSerializer, search_id: int) -> str:
    sign = settings if isinstance(settings, URLSafeSerializer) else signer(settings)
    return str(sign.dumps({"s": search_id}))


def read_unsubscribe_token(settings: Settings, token: str) -> int | None:
    """The saved search id of a valid token; None for a forged or damaged one."""
    try:
        data = URLSafeSerializer(alerts_secret(settings), salt=_SALT).loads(token)
    except BadSignature:
        return None
    value = data.get("s") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None
