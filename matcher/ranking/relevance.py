"""Is there anything to match? Queries with no meaningful content find no one.

A buyer typing "zzzzqqq xylophone", only stop words, or text in a script no profile is written in
should get an honest "no supplier", not the twenty least bad ones. Two checks: the query must keep
content words once stop words and keyboard noise are removed, and some candidate must show real
evidence (a shared word stem with its activity, or a clearly similar meaning).
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

from matcher.text import fold

# Words that carry no need on their own (French, English, Arabic), folded like the query.
STOP_WORDS = frozenset(
    """
    le la les un une des du de d l au aux et ou en dans sur pour par avec sans ce ces cette cet son sa ses
    qui que quoi dont est sont etre avoir a il elle ils elles nous vous je tu on ne pas plus tres tout tous
    the a an and or of in on for to with without by is are be this that these those it its we you i
    any some all very more most from at as not no
    في من على الى إلى عن مع هذا هذه ذلك التي الذي و او أو ثم لا ما هو هي
    """.split()
)
SCRIPTS = ("LATIN", "ARABIC")  # the languages profiles and tenders are written in
VOWELS = set("aeiouy")
# Evidence thresholds, set on the bundled sample data and the award data: a real need shares a
# word stem with some profile, or reads clearly alike (cross-language queries share no stem).
MIN_TERM_OVERLAP = 0.05
MIN_MEANING = 0.17


def _script(token: str) -> str | None:
    for character in token:
        if character.isalpha():
            name = unicodedata.name(character, "")
            return next((script for script in SCRIPTS if name.startswith(script)), "OTHER")
    return None


def _noise(token: str) -> bool:
    """Keyboard noise: a Latin word without a vowel, or one letter three times in a row."""
    if re.search(r"(.)\1\1", token):
        return True
    return _script(token) == "LATIN" and not (set(token) & VOWELS)


def meaningful_terms(query: str) -> list[str]:
    """Content words of a query: no stop word, no noise, only scripts the catalogue is written in."""
    terms = []
    for token in re.findall(r"\w+", fold(query)):
        if len(token) < 3 or token in STOP_WORDS or token.isdigit():
            continue
        if _script(token) not in SCRIPTS or _noise(token):
            continue
        terms.append(token)
    return terms


def evidence_of_meaning(matrix: np.ndarray, names: tuple[str, ...]) -> bool:
    """Some candidate shares a word stem with the query or means clearly the same thing."""
    if matrix.size == 0:
        return False
    terms = float(matrix[:, names.index("reference_terms")].max()) if "reference_terms" in names else 0.0
    meaning = float(matrix[:, names.index("semantic")].max()) if "semantic" in names else 0.0
    return terms >= MIN_TERM_OVERLAP or meaning >= MIN_MEANING
