"""The CLI's words about matches in the reader's language (--lang): eligibility and why, from the catalogue."""

from __future__ import annotations

from typing import Any

import typer

from matcher.digests.render import gaps, summary_sentence
from matcher.i18n import LANGUAGES, translate
from matcher.ranking.results import Eligibility, Explanation

LANG_OPTION = typer.Option(
    "en", "--lang", help=f"Language of the explanations: {', '.join(LANGUAGES)}.", case_sensitive=False
)


def check_lang(lang: str) -> str:
    code = lang.strip().lower()[:2]
    if code not in LANGUAGES:
        raise typer.BadParameter(f"--lang: must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    return code


def eligibility_text(eligibility: Eligibility | None, lang: str) -> str:
    """'Not eligible' and its reasons, one a line, in `lang`."""
    if eligibility is None:
        return "—"
    data: dict[str, Any] = {"eligibility": eligibility.model_dump(mode="json")}
    lines = [translate(lang, eligibility.status.value)]  # eligible, eligible_with_gaps, ineligible
    return "\n".join(lines + gaps(data, lang))


def why_text(explanation: Explanation, lang: str) -> str:
    """The strongest reasons of the score in `lang` (the English summary stays the API's)."""
    if lang == "en":
        return explanation.summary
    return summary_sentence(explanation.model_dump(mode="json"), lang)
