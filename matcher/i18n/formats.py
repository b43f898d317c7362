"""Numbers, money, dates and week labels per language, with Babel (CLDR data).

Arabic uses Latin digits (as Moroccan administration does); dates are shown in a time zone (the buyer's
where known, Morocco's by default).
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import get_timezone, get_timezone_location
from babel.numbers import format_decimal

from matcher.i18n.catalogue import language_or_default, translate

# French as written in France/Morocco with narrow no-break spaces; Arabic with Latin digits.
LOCALES = {"fr": "fr_MA", "en": "en", "ar": "ar_MA"}
# Arabic medium dates are all digits and slashes ('02‏/01‏/2027'): the long form names the month ('2 يناير 2027').
_DATE_FORMAT = {"ar": "long"}


def locale_of(lang: str | None) -> Locale:
    return Locale.parse(LOCALES[language_or_default(lang)])


def _latin(text: str) -> str:
    """Latin digits whatever the locale's default numbering system."""
    return text.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩٫٬", "0123456789,\u202f"))


def format_number(value: float | int | None, lang: str | None, decimals: int = 0) -> str:
    """1 234 567,5 (fr) · 1,234,567.5 (en) · 1.234.567,5 (ar_MA)."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    try:
        return _latin(format_decimal(value, format=pattern, locale=locale_of(lang)))
    except (ArithmeticError, ValueError):  # inf, nan, or beyond decimal precision (e.g. 1e300)
        return f"{value:,.{decimals}f}" if math.isfinite(value) else str(value)


def format_money(amount: float | int | None, currency: str | None, lang: str | None) -> str | None:
    """Whole amounts with the ISO currency code after the number: '1 500 000 MAD'."""
    if amount is None:
        return None
    return f"{format_number(amount, lang)}\u00a0{currency or 'MAD'}"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_date(moment: datetime | None, zone: str = "Africa/Casablanca") -> date | None:
    if moment is None:
        return None
    return _aware(moment).astimezone(ZoneInfo(zone)).date()


def format_date(day: date | datetime | None, lang: str | None, zone: str = "Africa/Casablanca") -> str:
    """'3 déc. 2026' · 'Dec 3, 2026' · '03‏/12‏/2026' style medium dates in the reader's language."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        local = local_date(day, zone)
        assert local is not None
        day = local
    return _latin(
        _format_date(day, format=_DATE_FORMAT.get(language_or_default(lang), "medium"), locale=locale_of(lang))
    )


def format_datetime(moment: datetime | None, lang: str | None, zone: str = "Africa/Casablanca") -> str:
    """Date and time in `zone`, e.g. '15 janv. 2027, 10:00'."""
    if moment is None:
        return ""
    local = _aware(moment).astimezone(ZoneInfo(zone))
    day = _format_date(
        local.date(), format=_DATE_FORMAT.get(language_or_default(lang), "medium"), locale=locale_of(lang)
    )
    return _latin(f"{day} {local:%H:%M}")


def zone_city(zone: str, lang: str | None) -> str:
    """The city that names a time zone, in the reader's language ('Africa/Casablanca' → 'الدار البيضاء')."""
    try:
        return str(get_timezone_location(get_timezone(zone), locale=locale_of(lang), return_city=True))
    except (LookupError, ValueError):
        return zone.rsplit("/", 1)[-1].replace("_", " ")


def format_week(week: str, lang: str | None) -> str:
    """'2026-W49' → 'semaine 49 de 2026' / 'week 49 of 2026' / 'الأسبوع 49 من سنة 2026'."""
    try:
        year, number = week.split("-W")
        params = {"number": int(number), "year": int(year)}
    except ValueError:
        return week
    return translate(lang, "week_in_words", **params)
