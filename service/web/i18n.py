"""The web pages' words and formats: a per-request `Translator` over the shared message catalogue.

Words come from the gettext catalogues in `matcher.i18n` (French by default, English, Arabic); numbers,
money and dates are formatted by Babel. Data text (tender titles, profiles) is shown as stored, whatever
its language; templates mark it with ``dir="auto"`` so Arabic reads right to left inside any page.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from matcher import cpv
from matcher.cpv import CPVLabel
from matcher.digests.render import summary_sentence
from matcher.errors import NotFoundError
from matcher.i18n import (
    DEFAULT_LANGUAGE,
    error_code,
    format_date,
    format_datetime,
    format_money,
    format_number,
    format_week,
    is_known,
    local_date,
    render_coded,
    translate,
)
from matcher.i18n import normalize_language as _normalize
from matcher.ranking.results import Explanation

LANGUAGES = ("fr", "ar", "en")
RTL_LANGUAGES = frozenset({"ar"})
# Each language's name in itself, for the language switcher.
LANGUAGE_NAMES = {"fr": "Français", "ar": "العربية", "en": "English"}

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "Translator",
    "localized_summary",
    "normalize_language",
]


def normalize_language(value: str | None) -> str | None:
    """A language the web pages offer, or None."""
    lang = _normalize(value)
    return lang if lang in LANGUAGES else None


def validation_message(t: Translator, error: Mapping[str, Any]) -> str:
    """A pydantic error in the reader's language where we know its type; the domain's own words otherwise."""
    code, params = error_code(error)
    if is_known(code):
        return t.reason({"code": code, "params": params})
    return t("v_invalid")


class Translator:
    """Messages and formats of one language; templates call it as ``t('key', name=...)``.

    ``gettext`` / ``ngettext`` make it usable by Jinja2's i18n extension too (``{{ _('key') }}``).
    """

    def __init__(
        self,
        lang: str = DEFAULT_LANGUAGE,
        zone: str = "Africa/Casablanca",
        cpv_labels: dict[str, CPVLabel] | None = None,
    ) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self.zone_name = zone
        self.cpv_labels = cpv_labels or {}
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

    def known(self, key: str, fallback: object) -> str:
        """The message `key` when the catalogue has it (e.g. 'audit_' + an action), else `fallback` as is."""
        return self(key) if is_known(key) else str(fallback)

    def not_found(self, kind: str, external_id: str) -> str:
        """A domain NotFoundError in this language: 'Introuvable : startup « S-1 ».'"""
        name = self.known("kind_" + kind.replace(" ", "_"), kind)
        return self("not_found_message", kind=name, id=external_id)

    def reject(self, row: Any) -> str:
        """An import reject's reason in this language (its code), or the stored English reason if it has none."""
        code = getattr(row, "code", None) or (row.get("code") if isinstance(row, Mapping) else None)
        if not code or not is_known(code):
            return str(getattr(row, "reason", None) or (row.get("reason") if isinstance(row, Mapping) else ""))
        params = dict(getattr(row, "params", None) or (row.get("params") if isinstance(row, Mapping) else {}) or {})
        others = params.pop("others", None)
        text = self.reason({"code": code, "params": params})
        return f"{text} {self('v_others', others=others)}" if others else text

    def error(self, exc: object) -> str:
        """A domain refusal (conflict, bad value, unknown id) in this language; its English text if it has no code."""
        if isinstance(exc, NotFoundError):
            return self.not_found(exc.kind, exc.external_id)
        code = getattr(exc, "code", None)
        if isinstance(code, str) and is_known(code):
            return self.reason({"code": code, "params": dict(getattr(exc, "params", None) or {})})
        return str(exc)

    def track_record(self, explanation: Any) -> str:
        """'2 marchés publics vérifiés en Services informatiques' from the explanation's code; English if none."""
        detail = getattr(explanation, "track_record_detail", None)
        if detail is None:
            return str(getattr(explanation, "track_record", None) or "")
        # A division reads best with its short label ("Services informatiques"), not the official one.
        field = cpv.label(str(detail.params.get("cpv", "")), self.lang, self.cpv_labels, official=False)
        return self("track_record_note", count=int(detail.params.get("count", 0)), field=field)

    def cpv(self, code: str) -> str:
        """A CPV code's label in this language (the engine's catalogue where loaded, else the divisions)."""
        return cpv.label(code, self.lang, self.cpv_labels)

    def reason(self, item: Any) -> str:
        """A domain reason (code + params, e.g. an eligibility gap) in this language."""
        if hasattr(item, "model_dump"):
            item = item.model_dump(mode="json")
        return render_coded(self.lang, item)

    def number(self, value: float | int | None, decimals: int = 0) -> str:
        return format_number(value, self.lang, decimals)

    def week(self, week: str) -> str:
        """'2026-W49' in words ('semaine 49 de 2026'), as the e-mails say it."""
        return format_week(week, self.lang)

    def money(self, amount: float | None, currency: str = "MAD") -> str:
        if amount is None:
            return self("not_given")
        money = format_money(amount, currency, self.lang) or ""
        return f"\u2066{money}\u2069" if self.dir == "rtl" else money  # '1.500.000 MAD' keeps its order

    def score(self, value: float) -> str:
        return self.number(value, 2)

    def local_date(self, moment: datetime | None) -> date | None:
        return local_date(moment, self.zone_name)

    def date(self, moment: datetime | None) -> str:
        if moment is None:
            return self("no_deadline")
        return format_date(moment, self.lang, self.zone_name)

    def when(self, moment: datetime | str | None) -> str:
        """A date and time in Morocco's time zone, in this language ('3 déc. 2026 17:45'); ISO text accepted."""
        if not moment:
            return "—"
        if isinstance(moment, str):
            try:
                parsed = datetime.fromisoformat(moment)
            except ValueError:
                return moment
        else:
            parsed = moment
        return format_datetime(parsed, self.lang, self.zone_name)

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
        return self("days_left", count=days)


def localized_summary(t: Translator, explanation: Explanation | dict[str, Any]) -> str:
    """The engine's 'fits because of …' sentence in the reader's language (labels shared with the e-mails)."""
    data = explanation.model_dump(mode="json") if isinstance(explanation, Explanation) else explanation
    return summary_sentence(data, t.lang)
