"""English detection for pages and e-mails: words of the English catalogue no French or Arabic message uses."""

from __future__ import annotations

import re
from functools import cache

from matcher.i18n import LANGUAGES, read_catalog

# English catalogue words that are also fine in a French or Arabic text (brand, shared loanwords).
ALLOWED = {"tremplin", "startup", "startups", "html", "email", "e-mail"}


def words(text: str) -> set[str]:
    """The words of a text; file paths, URLs and e-mail addresses are names, not words."""
    text = re.sub(r"\S*[/@\\]\S*", " ", text)
    return {word.lower() for word in re.findall(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'-]*[A-Za-zÀ-ÿ]", text)}


@cache
def english_markers() -> frozenset[str]:
    """Words of the English messages that appear in no French or Arabic message (3 letters or more)."""
    vocabulary: dict[str, set[str]] = {}
    for lang in LANGUAGES:
        found: set[str] = set()
        for message in read_catalog(lang):
            strings = message.string if isinstance(message.string, list | tuple) else [message.string]
            for text in strings:
                found |= words(re.sub(r"\{[^}]*\}", " ", str(text or "")))
        vocabulary[lang] = found
    english = vocabulary["en"] - vocabulary["fr"] - vocabulary["ar"] - ALLOWED
    return frozenset(word for word in english if len(word) >= 3)


def english_in(texts: list[str]) -> list[str]:
    """The texts that read as English: at least one marker word."""
    markers = english_markers()
    return [text for text in texts if words(text) & markers]
