"""Column titles and cell words of the CSV files people open in a spreadsheet, in the reader's language.

CSV exports are read by people (a buyer's shortlist, staff reviewing a digest batch), so their header
row is worded like a page (`col_<column>` keys) while JSON exports keep the stable field names for tools.
"""

from __future__ import annotations

from collections.abc import Sequence

from matcher.i18n.catalogue import translate


def column_titles(lang: str, columns: Sequence[str]) -> list[str]:
    """The header row: one title per column id, in `lang`."""
    return [translate(lang, f"col_{column}") for column in columns]


def yes_no(lang: str, value: object) -> str:
    """A flag as a word ('oui', 'نعم', 'yes'); an unknown value stays empty."""
    if value is None:
        return ""
    return translate(lang, "cell_yes" if value else "cell_no")
