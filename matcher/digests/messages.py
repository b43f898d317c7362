"""Words of the digest e-mails (French by default, English, Arabic), read from the shared catalogue.

E-mail keys are ``mail_<name>`` in `matcher.i18n`; feature labels ``feat_<name>``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from matcher.i18n import translate

LANGUAGES = ("fr", "en", "ar")


class MailWords(Mapping[str, str]):
    """``words["greeting"]`` / ``{{ t.greeting }}`` in one language: the catalogue's ``mail_greeting``."""

    def __init__(self, lang: str) -> None:
        self.lang = language(lang)

    def __getitem__(self, key: str) -> str:
        return translate(self.lang, f"mail_{key}")

    def __getattr__(self, key: str) -> str:
        if key.startswith("_"):
            raise AttributeError(key)
        return self[key]

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def words(lang: str) -> MailWords:
    return MailWords(lang)


def feature_label(name: str, lang: str) -> str | None:
    """A ranking feature's label in `lang`, or None when the catalogue has no label for it."""
    key = f"feat_{name}"
    text = translate(lang, key)
    return None if text == key else text


def language(code: str | None) -> str:
    """The e-mail language: the recipient's preference when we have its words, French otherwise."""
    return code if code in LANGUAGES else "fr"
