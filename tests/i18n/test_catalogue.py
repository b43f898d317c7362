"""The catalogue is complete: every key has a real text in French, English and Arabic, same placeholders."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from matcher.i18n import (
    LANGUAGES,
    all_keys,
    format_money,
    format_number,
    format_week,
    placeholders,
    read_catalog,
    translate,
)
from matcher.i18n.catalogue import Catalogue, po_path

ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")
# Keys whose text is the same word in every language (brand names, codes).
SAME_EVERYWHERE = {"app_name"}


def _texts(lang: str) -> dict[str, list[str]]:
    """key → its non-empty strings (one per plural form) in `lang`."""
    out: dict[str, list[str]] = {}
    for message in read_catalog(lang):
        if not message.id:
            continue
        key = str(message.id[0] if message.pluralizable else message.id)
        strings = list(message.string) if message.pluralizable else [message.string]
        out[key] = [str(s) for s in strings]
    return out


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_has_a_translation(lang: str) -> None:
    texts = _texts(lang)
    missing = sorted(key for key in all_keys() if not texts.get(key) or not all(texts[key]))
    assert not missing, f"{lang}: {len(missing)} keys without a translation in {po_path(lang)}: {missing[:20]}"


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_placeholders_are_the_same_in_every_language(lang: str) -> None:
    english, other = _texts("en"), _texts(lang)
    wrong = {}
    for key, strings in english.items():
        expected = set().union(*(placeholders(s) for s in strings)) - {"count"}
        for text in other.get(key) or []:
            if text and placeholders(text) - {"count"} != expected:
                wrong[key] = (sorted(expected), text)
    assert not wrong, f"{lang}: placeholders differ from English: {wrong}"


def test_arabic_texts_are_in_arabic() -> None:
    """No English (or French) placeholder text in the Arabic catalogue: every message has Arabic letters."""
    latin_only = sorted(
        key
        for key, strings in _texts("ar").items()
        if key not in SAME_EVERYWHERE
        and not key.startswith("mail_sep_")
        and any(s and not ARABIC_LETTER.search(s) for s in strings)
    )
    assert not latin_only, f"Arabic messages without Arabic letters: {latin_only}"


def test_translate_fills_placeholders_and_picks_plural_forms() -> None:
    assert translate("fr", "signed_in_as", name="Amina") == "Connecté : Amina"
    assert translate("en", "recipients_found", count=1) == "1 digest"
    assert translate("en", "recipients_found", count=3) == "3 digests"
    assert translate("fr", "recipients_found", count=3) == "3 récapitulatifs"
    assert translate("ar", "recipients_found", count=2) == "نشرتان"
    assert translate("de", "login_title") == translate("fr", "login_title")  # unknown language → French
    assert translate("fr", "no_such_key") == "no_such_key"


def test_catalogue_serves_jinja2_gettext() -> None:
    catalogue = Catalogue("en")
    assert catalogue.translations.gettext("login_title") == "Sign in"
    assert catalogue.ngettext("recipients_found", "recipients_found", 2) == "2 digests"


def test_numbers_money_and_weeks_per_language() -> None:
    assert format_number(1234567.5, "fr", 1) == "1\u202f234\u202f567,5"
    assert format_number(1234567.5, "en", 1) == "1,234,567.5"
    assert format_money(1_500_000, "MAD", "fr") == "1\u202f500\u202f000\u00a0MAD"
    assert not ARABIC_LETTER.search(format_number(1234567, "ar").replace(".", ""))  # Latin digits in Arabic
    assert format_week("2026-W49", "fr") == "semaine 49 de 2026"
    assert format_week("2026-W49", "en") == "week 49 of 2026"
    assert "49" in format_week("2026-W49", "ar") and "W49" not in format_week("2026-W49", "ar")
    assert datetime(2026, 1, 1, tzinfo=UTC)  # dates: see tests/digests/test_render.py


def test_formats_survive_extreme_numbers() -> None:
    assert format_money(1e300, "MAD", "fr")
    assert format_number(float("inf"), "ar") in {"∞", "inf"}
