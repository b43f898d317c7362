"""Name-only linkage: which known company does a supplier name on an award record designate, if any.

Each candidate shares at least one rare-enough token with the name (blocking), or one token within
one edit of a name token. It is scored with a blend of rapidfuzz's token-set ratio (spelling
variants, extra words such as "FRANCE" or "SAS") and an IDF-weighted token overlap (a shared rare
token such as "LOGITUD" says far more than a shared "FRANCE"). A link is made only when the best
score clears a high threshold *and* beats the second-best company by a margin (or, a little lower,
by a wide margin), because agencies of one group ("EIFFAGE ROUTE CENTRE EST" / "EIFFAGE ROUTE SUD
EST") have near-identical names: in doubt, no link — a missed link can be claimed by the startup, a
wrong one misleads a buyer. A token that belongs to a single known company ("DRAGER") points to it.
When several companies fit about equally well — or the best is a bare group name while a wider name
of the group shares more words — the decision lists them as `tied`, for context to decide
(`matcher.linkage.context`), never for the name to guess.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from matcher.linkage.names import acronyms, name_tokens

THRESHOLD = 0.80
MARGIN = 0.08
TOKEN_SET_WEIGHT = 0.5
ACRONYM_SCORE = 0.9
NEAR_MIN = 4
TIE_LIMIT = 6
LOW_THRESHOLD = 0.7
LOW_MARGIN = 0.15
UNIQUE_SCORE = 0.9
UNIQUE_COVERAGE = 0.5
OWNER_COVERAGE = 0.3
COMMON_DF = 5
GLUED_SUFFIXES = ("sasu", "sarl", "sas", "sa")  # "EDFSA": a legal form glued to the name


@dataclass(frozen=True)
class Candidate:
    key: str
    score: float


@dataclass(frozen=True)
class Decision:
    """The best company for a name (None when no link), its score and the runner-up's score."""

    key: str | None
    score: float
    second: float
    best: str | None = None  # the best candidate even when no link is made (for review queues)
    tied: tuple[str, ...] = ()  # companies the name fits about equally well, when that blocked the link
    preferred: str | None = None  # the exact-name company among `tied`, blocked only by its group
    rule: str = ""  # which bar made the link: "exact" name, "name" (high bar), "low bar" (wide margin)


class NameIndex:
    """Known companies by folded name, ready to resolve supplier names against."""

    def __init__(
        self,
        companies: Iterable[tuple[str, str]],
        threshold: float = THRESHOLD,
        margin: float = MARGIN,
    ) -> None:
        self.threshold = threshold
        self.margin = margin
        self.keys: list[str] = []
        self.tokens: list[tuple[str, ...]] = []
        self.by_key: dict[str, tuple[str, ...]] = {}
        self.exact: dict[str, list[int]] = defaultdict(list)
        self.postings: dict[str, list[int]] = defaultdict(list)
        self.compact: dict[str, list[int]] = defaultdict(list)
        self.acronym: dict[str, list[int]] = defaultdict(list)
        for key, name in companies:
            tokens = tuple(name_tokens(name))
            if not tokens:
                continue
            position = len(self.keys)
            self.keys.append(key)
            self.tokens.append(tokens)
            self.by_key.setdefault(key, tokens)
            self.exact[" ".join(tokens)].append(position)
            self.compact["".join(tokens)].append(position)
            for acronym in acronyms(name):
                self.acronym[acronym].append(position)
            for token in set(tokens):
                self.postings[token].append(position)
        count = max(len(self.keys), 1)
        self.idf = {token: math.log(1 + count / len(items)) for token, items in self.postings.items()}
        self.default_idf = math.log(1 + count)
        self.by_length: dict[int, list[str]] = defaultdict(list)
        for token in self.postings:
            self.by_length[len(token)].append(token)

    def _weight(self, token: str) -> float:
        return self.idf.get(token, self.default_idf)

    def _near(self, token: str) -> list[str]:
        """Indexed tokens within one edit of `token` (typos, a dropped plural 's'); long tokens only."""
        if len(token) < NEAR_MIN:
            return []
        found = []
        for length in (len(token) - 1, len(token), len(token) + 1):
            for other in self.by_length.get(length, ()):
                if other != token and OSA.distance(token, other, score_cutoff=1) <= 1:
                    found.append(other)
        return found

    def score(self, tokens: tuple[str, ...], position: int) -> float:
        """Similarity in [0, 1] between a folded name and one indexed company."""
        other = self.tokens[position]
        left, right = set(tokens), set(other)
        mapped = set()
        for token in left - right:  # count a one-edit variant as shared
            if len(token) >= NEAR_MIN and any(
                OSA.distance(token, o, score_cutoff=1) <= 1 for o in right - left if len(o) >= NEAR_MIN
            ):
                mapped.add(token)
        shared = sum(self._weight(t) for t in (left & right) | mapped)
        union = sum(self._weight(t) for t in left | right) - sum(self._weight(t) for t in mapped)
        smaller = min(sum(self._weight(t) for t in left), sum(self._weight(t) for t in right))
        overlap = 0.5 * (shared / union if union else 0.0) + 0.5 * (min(shared / smaller, 1.0) if smaller else 0.0)
        ratio = fuzz.token_set_ratio(" ".join(tokens), " ".join(other)) / 100.0
        return TOKEN_SET_WEIGHT * ratio + (1 - TOKEN_SET_WEIGHT) * overlap

    def candidates(self, name: str, limit: int = 5) -> list[Candidate]:
        """Best-scoring companies for `name`, best first."""
        tokens = tuple(name_tokens(name))
        if not tokens:
            return []
        pool: set[int] = set()
        for token in set(tokens):
            pool.update(self.postings.get(token, ()))
            for near in self._near(token):
                pool.update(self.postings[near])
        scores = {p: self.score(tokens, p) for p in pool}
        for position in self.compact.get("".join(tokens), ()):  # "IDVERDE" / "ID VERDE"
            scores[position] = 1.0
        for token in set(tokens) if len(tokens) == 1 else ():  # "SFR" / "Société Française du Radiotéléphone"
            for position in self.acronym.get(token, ()):
                scores[position] = max(scores.get(position, 0.0), ACRONYM_SCORE)
        compact = "".join(tokens)
        for suffix in GLUED_SUFFIXES:
            if compact.endswith(suffix) and len(compact) > len(suffix) + 1:
                for position in self.compact.get(compact.removesuffix(suffix), ()):
                    scores[position] = max(scores.get(position, 0.0), 0.95)
        owner = self.unique_owner(tokens)
        if owner is not None:
            scores[owner] = max(scores.get(owner, 0.0), UNIQUE_SCORE)
        for acronym in acronyms(name):
            for position in self.compact.get(acronym, ()):
                if len(self.tokens[position]) == 1:
                    scores[position] = max(scores.get(position, 0.0), ACRONYM_SCORE)
        scored = sorted(((v, p) for p, v in scores.items()), key=lambda item: (-item[0], self.keys[item[1]]))
        best: dict[str, float] = {}
        for value, position in scored:
            best.setdefault(self.keys[position], value)
            if len(best) >= limit:
                break
        return [Candidate(key, value) for key, value in best.items()]

    def unique_owner(self, tokens: tuple[str, ...]) -> int | None:
        """The one company owning every name-unique token of `tokens` ("DRAGER" in "DRAGER FRANCE SAS").

        Only when those tokens carry most of the name's weight: a unique city in "COLAS RAA AGENCE
        D'ANNECY" must not pull the record towards "CLIMAIR ANNECY".
        """
        owners = {self.postings[t][0] for t in set(tokens) if len(t) >= 3 and len(self.postings.get(t, ())) == 1}
        if len(owners) != 1:
            return None
        owner = next(iter(owners))
        known = [t for t in set(tokens) if t in self.postings]
        if any(len(self.postings[t]) < COMMON_DF for t in known if t not in self.tokens[owner]):
            return None  # another rare token ("PAPREC" in "PAPREC RES LA CORBEILLE BLEUE") speaks too
        weight = sum(self._weight(t) for t in known)
        shared = sum(self._weight(t) for t in known if t in self.tokens[owner])
        own = sum(self._weight(t) for t in self.tokens[owner])
        return owner if weight and shared / weight >= UNIQUE_COVERAGE and shared / own >= OWNER_COVERAGE else None

    def wider_names(self, tokens: tuple[str, ...], key: str, others: list[Candidate]) -> list[str]:
        """Candidates that hold all of `key`'s name and more of the supplier name's words."""
        name, mine = set(tokens), set(self.by_key[key])
        if not mine < name:
            return []
        return [c.key for c in others if mine < set(self.by_key[c.key]) and (set(self.by_key[c.key]) & name) > mine]

    def group_holders(self, tokens: tuple[str, ...], key: str) -> list[str]:
        """Other companies whose name contains every token of this one (the group, not the agency)."""
        sets = [set(self.postings.get(token, ())) for token in set(tokens)]
        holders = set.intersection(*sets) if sets else set()
        return sorted({self.keys[p] for p in holders} - {key})

    def resolve(self, name: str) -> Decision:
        """Link `name` to one company, or to none when unsure (ambiguous, or too dissimilar)."""
        tokens = tuple(name_tokens(name))
        exact = {self.keys[p] for p in self.exact.get(" ".join(tokens), ())}
        if len(exact) == 1:
            key = next(iter(exact))
            group = self.group_holders(tokens, key)
            if group:  # "EIFFAGE ROUTE" while "EIFFAGE ROUTE NORD EST" exists
                return Decision(None, 1.0, 1.0, key, (key, *group), key)
            return Decision(key, 1.0, 0.0, key, rule="exact")
        if len(exact) > 1:
            ordered = tuple(sorted(exact))
            return Decision(None, 1.0, 1.0, ordered[0], ordered)
        found = self.candidates(name, limit=TIE_LIMIT)
        if not found:
            return Decision(None, 0.0, 0.0)
        best = found[0]
        second = found[1].score if len(found) > 1 else 0.0
        clear = best.score >= LOW_THRESHOLD and best.score - second >= LOW_MARGIN  # "THYSSNEKRUPP"
        if best.score < self.threshold and not clear:
            return Decision(None, best.score, second, best.key)
        wider = self.wider_names(tokens, best.key, found[1:])
        if wider:  # "EIFFAGE ENERGIE CENTRE LOIRE": the bare group "EIFFAGE" or its energy branch?
            return Decision(None, best.score, second, best.key, (best.key, *wider))
        if best.score - second >= self.margin and best.score >= self.threshold:
            return Decision(best.key, best.score, second, best.key, rule="name")
        if best.score - second >= self.margin:
            return Decision(best.key, best.score, second, best.key, rule="low bar")
        tied = tuple(c.key for c in found if best.score - c.score < self.margin)
        return Decision(None, best.score, second, best.key, tied)
