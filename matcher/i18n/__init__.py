"""One message catalogue for every word a person reads, in French, English and Arabic.

The domain returns codes with parameters; web pages, e-mails, API messages and the CLI render them
with `translate(lang, key, **params)`. Catalogues are gettext ``.po`` files under ``locales/`` (see
`catalogue`); numbers, money and dates are formatted per language with Babel (see `formats`).
"""

from matcher.i18n.catalogue import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Catalogue,
    accepted_language,
    all_keys,
    catalogue,
    is_known,
    language_or_default,
    normalize_language,
    placeholders,
    read_catalog,
    translate,
)
from matcher.i18n.coded import CodedText, error_code, render, render_coded
from matcher.i18n.formats import (
    format_date,
    format_datetime,
    format_money,
    format_number,
    format_week,
    local_date,
    zone_city,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Catalogue",
    "CodedText",
    "accepted_language",
    "all_keys",
    "catalogue",
    "error_code",
    "format_date",
    "format_datetime",
    "format_money",
    "format_number",
    "format_week",
    "is_known",
    "language_or_default",
    "local_date",
    "normalize_language",
    "placeholders",
    "read_catalog",
    "render",
    "render_coded",
    "translate",
    "zone_city",
]
