"""Shared terms a person can read: no filler words, and word pairs only where the text has them.

The lexical index keeps its own (short) stop list, since its vocabulary is fixed when it is fitted.
What we *show* as "terms in common" is held to a stricter standard: words that say nothing about an
activity in French, Arabic or English (procurement boilerplate such as « appel d'offres », لفائدة,
العمومية, "supply of") are dropped, and a word pair is kept only when its two words follow each
other in the query within one clause (not across a full stop or a comma), shown as written there —
« plateforme de paiement », not "plateforme paiement" or "informatiques Banque".
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

from matcher.text import normalize, tokenize

_FRENCH = """
achat acquisition afin ainsi alors appel appels assistance aupres aussi autre autres avant besoin besoins
cadre car cas chaque chez comme compris concernant conformement dont deux divers diverses domaine dossier
egalement ensemble entre etc etude etudes faire fait general generale generaux gestion grand grande haut
lieu lors mise maroc marocain marocaine marocains marocaines meme moins mode national nationale nationaux
niveau non nouveau nouvelle offre offres ouvert ouverte part pendant place plus plusieurs pour premier
premiere prix programme projet projets public publics publique publiques realisation region regional
regionale royaume sein selon sous suite tel telle tels telles tout toute toutes tous tres type ville
"""
_ENGLISH = """
about after all also any based been being between both but call can could each etc including into its
more most new not other over per provision project projects public same should some such supply than
them then there through tender tenders under upon use used using very via what when where which while
who within would
"""
_ARABIC = """
لفائدة لصالح العمومية العمومي العامة العام الخاصة الخاص المتعلقة المتعلق بخصوص حول عبر خلال ضمن لدى
التي الذي الذين هذه هذا تلك ذلك كما ايضا أيضا بعض جميع غير نحو عند فيما لها له به بها منها فيها عليها
اطار إطار مجال قطاع المغرب المغربية الوطنية الوطني مدينة جهة طلب عروض صفقة صفقات انجاز إنجاز اقتناء
خدمات خدمة مشروع برنامج تقديم توفير قصد أجل اجل وذلك بين كل أو او
"""

FILLER_WORDS = frozenset(token for word in f"{_FRENCH} {_ENGLISH} {_ARABIC}".split() for token in tokenize(word))
_CLAUSE = re.compile(r"[.,;:!?()\[\]{}<>/\\|\"«»“”،؛؟\n\r\t•·–—-]+")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def is_filler(term: str) -> bool:
    """A folded term (one word or a pair) that tells nothing: any of its words is a filler."""
    return any(part in FILLER_WORDS for part in term.split(" "))


@lru_cache(maxsize=256)
def written_pairs(text: str) -> dict[str, str]:
    """Folded word pair ('plateforme paiement') → the words as written ('plateforme de paiement'),
    for consecutive content words of one clause (stop words in between are allowed, punctuation not).

    Cached (read-only result): a request explains ten matches against the same profile text."""
    pairs: dict[str, str] = {}
    for clause in _CLAUSE.split(normalize(text)):
        words = []
        for match in _WORD.finditer(clause):
            tokens = tokenize(match.group())
            if len(tokens) == 1:
                words.append((tokens[0], match.start(), match.end()))
        for (first, start, _), (second, _, end) in pairwise(words):
            pairs.setdefault(f"{first} {second}", clause[start:end])
    return pairs


def readable_terms(ranked: list[str], query: str, forms: dict[str, str], n: int = 5) -> list[str]:
    """The `n` strongest shared terms worth showing, as written in the query.

    `ranked` holds folded index terms (words and word pairs), strongest first; `forms` maps a folded
    word to its written form. A kept pair replaces the single words it contains.
    """
    pairs = written_pairs(query)
    picked: list[str] = []
    for term in ranked:
        if is_filler(term):
            continue
        parts = term.split(" ")
        if len(parts) == 2:
            if term not in pairs:
                continue  # the two words never follow each other in one clause of the query
            picked = [p for p in picked if p not in parts]
        elif any(term in chosen.split(" ") for chosen in picked):
            continue
        picked.append(term)
    return [pairs[term] if " " in term else forms.get(term, term) for term in picked[:n]]
