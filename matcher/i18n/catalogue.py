"""The message catalogue: gettext ``.po`` files (one per language) keyed by message codes.

The ``.po`` files under ``locales/<lang>/LC_MESSAGES/tremplin.po`` are the source of truth. They are read
with Babel and compiled in memory (``write_mo`` into ``babel.support.Translations``) the first time a
language is used, so a fresh clone needs no build step. Message ids are keys (``login_title``), the
strings use ``str.format`` placeholders (``{name}``); a plural entry is chosen by its ``count`` parameter.
"""

from __future__ import annotations

import io
import string
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("fr", "en", "ar")
DEFAULT_LANGUAGE = "fr"
FALLBACKS = ("fr", "en")  # a key missing in one language is shown in French, then English, never as a bare key
DOMAIN = "tremplin"
LOCALES = Path(__file__).resolve().parent / "locales"


def po_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def normalize_language(value: str | None) -> str | None:
    """'ar-MA', 'AR', 'fr_FR' → a supported language code, or None."""
    if not value:
        return None
    lang = value.strip().lower()[:2]
    return lang if lang in LANGUAGES else None


def language_or_default(value: str | None) -> str:
    return normalize_language(value) or DEFAULT_LANGUAGE


def accepted_language(header: str | None) -> str | None:
    """The first offered language of an Accept-Language header ('ar-MA,ar;q=0.9,fr;q=0.8' → 'ar')."""
    if not header:
        return None
    ranked = []
    for position, part in enumerate(header.split(",")[:20]):
        code, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        ranked.append((-weight, position, code))
    for _, _, code in sorted(ranked):
        lang = normalize_language(code)
        if lang:
            return lang
    return None


@cache
def read_catalog(lang: str) -> Catalog:
    """The parsed ``.po`` file of one language (cached: read once per process)."""
    with po_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


def placeholders(text: str) -> set[str]:
    """The ``str.format`` field names of a message (``{name}`` → ``name``)."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}


def message_key(message: Message) -> str:
    """The key of a catalogue entry (a plural entry's id is the pair (key, key))."""
    ident = message.id
    return str(ident[0] if isinstance(ident, list | tuple) else ident)


def _filled(message: Message) -> bool:
    strings = message.string
    return any(strings) if isinstance(strings, list | tuple) else bool(strings)


class Catalogue:
    """The messages of one language: ``catalogue("key", name=...)``, gettext/ngettext for Jinja2's i18n."""

    def __init__(self, lang: str) -> None:
        self.lang = language_or_default(lang)
        catalog = read_catalog(self.lang)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        self.translations = Translations(buffer, domain=DOMAIN)
        self.plural_keys = frozenset(
            message_key(message) for message in catalog if message.id and message.pluralizable and _filled(message)
        )
        self.keys = frozenset(message_key(message) for message in catalog if message.id and _filled(message))

    def has(self, key: str) -> bool:
        return key in self.keys

    def raw(self, key: str, count: int | None = None) -> str | None:
        """The untranslated-placeholder text of `key`, or None when this language lacks it."""
        if key not in self.keys:
            return None
        if key in self.plural_keys:
            return str(self.translations.ngettext(key, key, 1 if count is None else int(count)))
        return str(self.translations.gettext(key))

    def gettext(self, key: str, **params: object) -> str:
        return translate(self.lang, key, **params)

    def ngettext(self, key: str, plural: str, count: int, **params: object) -> str:
        """Jinja2's ``{% trans count=n %}`` / ``ngettext``: the plural form of `key` for `count`."""
        return translate(self.lang, key, count=count, **params)

    __call__ = gettext


@cache
def catalogue(lang: str) -> Catalogue:
    return Catalogue(lang)


def translate(lang: str | None, key: str, **params: object) -> str:
    """The message `key` in `lang` with its ``{placeholders}`` filled; plural forms follow ``count``.

    A key missing in `lang` falls back to French then English; an unknown key is returned as is so a
    page never breaks on a missing word (the catalogue test catches it first).
    """
    count = params.get("count")
    number = int(count) if isinstance(count, int | float) and not isinstance(count, bool) else None
    for code in (language_or_default(lang), *FALLBACKS):
        text = catalogue(code).raw(key, number)
        if text is not None:
            break
    else:
        return key
    if not params:
        return text
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def is_known(key: str) -> bool:
    """Whether the catalogue has `key` (in French, the default; the completeness test keeps languages equal)."""
    return catalogue(DEFAULT_LANGUAGE).has(key) or catalogue("en").has(key)


def all_keys() -> set[str]:
    """Every key any language defines."""
    keys: set[str] = set()
    for lang in LANGUAGES:
        keys |= {message_key(m) for m in read_catalog(lang) if m.id}
    return keys
