"""Company names folded for comparison: case, accents, punctuation and legal forms removed.

"Sté LOGITUD Solutions S.A.S." and "logitud solutions" fold to the same tokens; so do
"شركة أطلس ش.م.م" and "أطلس". Legal forms are stripped wherever they stand (prefix or suffix), as
whole tokens or phrases, but never down to an empty name: a company called "SA" stays "sa".
"""

from __future__ import annotations

import re
from functools import lru_cache

from matcher.text import fold

_PUNCT = re.compile(r"[^\w\s]|_", re.UNICODE)
_SPACES = re.compile(r"\s+")

# Written as people write them; folded with the same function as the names before use.
_LEGAL_PHRASES = [
    # French
    "societe a responsabilite limitee a associe unique",
    "societe a responsabilite limitee",
    "societe par actions simplifiee unipersonnelle",
    "societe par actions simplifiee",
    "societe anonyme",
    "societe en nom collectif",
    "societe civile immobiliere",
    "societe cooperative",
    "groupement d interet economique",
    "entreprise unipersonnelle a responsabilite limitee",
    "a associe unique",
    "associe unique",
    "sarl au",
    "sarl d au",
    "et compagnie",
    "et cie",
    # English
    "public limited company",
    "private limited company",
    "limited liability company",
    "and co",
    # Arabic (Morocco): company, SARL, SA, single-member SARL
    "شركة ذات المسؤولية المحدودة ذات الشريك الوحيد",
    "شركة ذات المسؤولية المحدودة",
    "ذات المسؤولية المحدودة",
    "ذات الشريك الوحيد",
    "شركة المساهمة",
    "شركة مساهمة",
]
_LEGAL_TOKENS = """ste societe sarl sarlau sarlu sa sas sasu eurl snc gie sci scop scp sca scs sem selarl selas
sel cie ltd limited plc llc inc corp gmbh ag bv nv spa srl sl
شركة شركه شمم شم ذمم مساهمة""".split()


def _basic(text: str) -> list[str]:
    """Folded tokens with punctuation removed and runs of single letters glued ("s.a.r.l" → "sarl")."""
    folded = fold(text).replace("&", " et ")
    tokens = _SPACES.sub(" ", _PUNCT.sub(" ", folded)).split()
    glued: list[str] = []
    run: list[str] = []
    for token in [*tokens, ""]:
        if len(token) == 1 and not token.isdigit():
            run.append(token)
            continue
        if len(run) >= 2:
            glued.append("".join(run))
        else:
            glued.extend(run)
        run = []
        if token:
            glued.append(token)
    return glued


_PHRASES = sorted({tuple(_basic(p)) for p in _LEGAL_PHRASES}, key=len, reverse=True)
_TOKENS = frozenset(t for word in _LEGAL_TOKENS for t in _basic(word))


def strip_legal_forms(tokens: list[str]) -> list[str]:
    """`tokens` without legal-form phrases and tokens; the input itself if nothing else would remain."""
    kept: list[str] = []
    index = 0
    while index < len(tokens):
        for phrase in _PHRASES:
            if tuple(tokens[index : index + len(phrase)]) == phrase:
                index += len(phrase)
                break
        else:
            if tokens[index] not in _TOKENS:
                kept.append(tokens[index])
            index += 1
    return kept or tokens


@lru_cache(maxsize=65536)
def _tokens(name: str) -> tuple[str, ...]:
    return tuple(strip_legal_forms(_basic(name)))


def name_tokens(name: str | None) -> list[str]:
    """The comparable tokens of a company name (folded, legal forms stripped)."""
    return list(_tokens(name or ""))


def fold_name(name: str | None) -> str:
    """The comparable form of a company name as one string."""
    return " ".join(_tokens(name or ""))


_ACRONYM_SKIP = frozenset("de d du des la le les l et en a au aux pour sur par".split())


@lru_cache(maxsize=65536)
def _acronyms(name: str) -> frozenset[str]:
    basic = _basic(name)
    found = set()
    for tokens in (basic, strip_legal_forms(basic)):
        for skip in (True, False):
            words = [t for t in tokens if not (skip and t in _ACRONYM_SKIP)]
            if len(words) >= 3 and all(w[0].isalpha() for w in words):
                found.add("".join(w[0] for w in words))
    return frozenset(found)


def acronyms(name: str | None) -> frozenset[str]:
    """Initials a name may be known by ("Routes et Chantiers Modernes" → "rcm"); three letters or more."""
    return _acronyms(name or "")
