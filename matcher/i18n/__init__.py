"""One message catalogue for every word a person reads, in French, English and Arabic.

The domain returns codes with parameters; web pages, e-mails, API messages and the CLI render them
with `translate(lang, key, **params)`. Catalogues are gettext ``.po`` files under ``locales/`` (see
`catalogue`); numbers, money and dates are formatted per language with Babel (see `formats`).
"""

from matcher.i18n.catalogue import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Catalogue,
    all_keys,
    catalogue,
    language_or_default,
    normalize_language,
    placeholders,
    read_catalog,
    translate,
)
from matcher.i18n.formats import (
    format_date,
    format_datetime,
    format_money,
    format_number,
    format_week,
    local_date,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Catalogue",
    "all_keys",
    "catalogue",
    "format_date",
    "format_datetime",
    "format_money",
    "format_number",
    "format_week",
    "language_or_default",
    "local_date",
    "normalize_language",
    "placeholders",
    "read_catalog",
    "translate",
]
