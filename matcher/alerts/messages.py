"""Words of the alert and reminder e-mails, the unsubscribe page and the Atom feed.

They live in the shared gettext catalogue (`matcher/i18n/locales/*/tremplin.po`, keys `alerts_*`), in
French, English and Arabic; anything else reads French.
"""

from __future__ import annotations

from matcher.i18n import translate


def say(lang: str, key: str, **params: object) -> str:
    """The message `alerts_<key>` in `lang` (fr, en or ar)."""
    return translate(lang if lang in ("fr", "en", "ar") else "fr", f"alerts_{key}", **params)
