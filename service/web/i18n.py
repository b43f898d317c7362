"""The web pages' words and formats: a per-request `Translator` over the shared message catalogue.

Words come from the gettext catalogues in `matcher.i18n` (French by default, English, Arabic); numbers,
money and dates are formatted by Babel. Data text (tender titles, profiles) is shown as stored, whatever
its language; templates mark it with ``dir="auto"`` so Arabic reads right to left inside any page.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from matcher.digests.render import reasons
from matcher.i18n import (
    DEFAULT_LANGUAGE,
    catalogue,
    format_date,
    format_money,
    format_number,
    local_date,
    translate,
)
from matcher.i18n import normalize_language as _normalize
from matcher.ranking.results import Explanation

LANGUAGES = ("fr", "en")
RTL_LANGUAGES = frozenset({"ar"})

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "Translator", "localized_summary", "normalize_language"]


def normalize_language(value: str | None) -> str | None:
    """A language the web pages offer, or None."""
    lang = _normalize(value)
    return lang if lang in LANGUAGES else None


def validation_message(t: Translator, error: Mapping[str, Any]) -> str:
    """A pydantic error in the reader's language where we know its type; the domain's own words otherwise."""
    key = f"v_{error.get('type', '')}"
    if catalogue(t.lang).has(key) or catalogue(DEFAULT_LANGUAGE).has(key):
        return t(key, **dict(error.get("ctx") or {}))
    return str(error.get("msg", "")).removeprefix("Value error, ")


class Translator:
    """Messages and formats of one language; templates call it as ``t('key', name=...)``.

    ``gettext`` / ``ngettext`` make it usable by Jinja2's i18n extension too (``{{ _('key') }}``).
    """

    def __init__(self, lang: str = DEFAULT_LANGUAGE, zone: str = "Africa/Casablanca") -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self.zone_name = zone
        self.dir = "rtl" if self.lang in RTL_LANGUAGES else "ltr"

    def __call__(self, key: str, **values: object) -> str:
        return translate(self.lang, key, **values)

    def gettext(self, key: str, **values: object) -> str:
        return translate(self.lang, key, **values)

    def ngettext(self, key: str, plural: str, count: int, **values: object) -> str:
        return translate(self.lang, key, count=count, **values)

    def percent(self, probability: float | None) -> str:
        """A probability as a rounded percentage in the reader's number format (e.g. 37 %)."""
        return f"{self.number(100 * (probability or 0.0))}\u00a0%"

    def number(self, value: float | int | None, decimals: int = 0) -> str:
        return format_number(value, self.lang, decimals)

    def money(self, amount: float | None, currency: str = "MAD") -> str:
        if amount is None:
            return self("not_given")
        return format_money(amount, currency, self.lang) or ""

    def score(self, value: float) -> str:
        return self.number(value, 2)

    def local_date(self, moment: datetime | None) -> date | None:
        return local_date(moment, self.zone_name)

    def date(self, moment: datetime | None) -> str:
        if moment is None:
            return self("no_deadline")
        return format_date(moment, self.lang, self.zone_name)

    def days_left(self, moment: datetime | None, now: datetime | None = None) -> int | None:
        """Whole calendar days until the deadline, as seen in Morocco's time zone."""
        day = self.local_date(moment)
        if day is None:
            return None
        today = self.local_date(now or datetime.now(UTC))
        assert today is not None
        return (day - today).days

    def countdown(self, moment: datetime | None, now: datetime | None = None) -> str:
        days = self.days_left(moment, now)
        if days is None:
            return self("no_deadline")
        if days < 0:
            return self("closed")
        if days == 0:
            return self("today")
        if days == 1:
            return self("one_day_left")
        return self("days_left", days=days)


def localized_summary(t: Translator, explanation: Explanation | dict[str, Any]) -> str:
    """The engine's 'fits because of …' sentence in the reader's language (labels shared with the e-mails)."""
    data = explanation.model_dump(mode="json") if isinstance(explanation, Explanation) else explanation
    found = reasons(data, t.lang)
    if not found or found == [str(data.get("summary"))]:  # no positive feature: reasons() fell back
        return t("weak_fit")
    return t("fits_because", reasons=", ".join(found))
