"""Context that breaks ties between close name candidates: whom a company worked for, and on what.

A name alone cannot tell "ID VERDE" (three SIRENs) or "COLAS" (a dozen agencies) apart. A real
linker knows more: each company's confirmed links so far (its history) name the buyers it served,
the CPV divisions it worked in and where. When several companies fit a supplier name about equally
well, each is scored by what its history shares with the award (buyer 4, département 2, région 1,
CPV division 1) and the clear leader wins; when none leads, or one tied company has no history to
compare, nothing is linked. A company known from a single confirmed record wins only on the buyer
or the département: one record sharing a région or a CPV division with the award is a coincidence
as often as a sign (on the DECP tuning half this removed two wrong links and no right one).
Context never overrides a clear name decision and never links a name no candidate fits. Weights
and gaps were tuned on half of the DECP companies (`tremplin eval linkage`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Clues:
    """What an award record says besides the supplier name."""

    buyer: str | None = None
    division: str | None = None  # CPV division: the first two digits of the code
    place: str | None = None  # département (or region/country code) of execution


BUYER, PLACE, REGION, DIVISION = 4, 2, 1, 1

# French régions by département (2016 map): regional agencies of one group ("COLAS RHONE-ALPES
# AUVERGNE", "EIFFAGE ROUTE NORD EST") work across the départements of their région.
_REGIONS = {
    "ara": "01 03 07 15 26 38 42 43 63 69 73 74",
    "bfc": "21 25 39 58 70 71 89 90",
    "bre": "22 29 35 56",
    "cvl": "18 28 36 37 41 45",
    "cor": "20 2A 2B",
    "ges": "08 10 51 52 54 55 57 67 68 88",
    "hdf": "02 59 60 62 80",
    "idf": "75 77 78 91 92 93 94 95",
    "nor": "14 27 50 61 76",
    "naq": "16 17 19 23 24 33 40 47 64 79 86 87",
    "occ": "09 11 12 30 31 32 34 46 48 65 66 81 82",
    "pdl": "44 49 53 72 85",
    "pac": "04 05 06 13 83 84",
}
REGION_OF = {dept: region for region, depts in _REGIONS.items() for dept in depts.split()}
PREFERRED_BONUS = 0.5
MIN_SUPPORT = 1
MIN_GAP = 1
THIN_HISTORY = 1  # confirmed records at most: such a company needs a buyer or département agreement


@dataclass(frozen=True)
class Evidence:
    """What a company's confirmed history shares with an award, and how many records it rests on."""

    records: int = 0
    buyer: bool = False
    place: bool = False
    region: bool = False
    division: bool = False

    @property
    def support(self) -> int:
        """Buyer 4, département 2, région 1, CPV division 1, summed; 0 when nothing is shared."""
        return BUYER * self.buyer + PLACE * self.place + REGION * self.region + DIVISION * self.division

    @property
    def strong(self) -> bool:
        """Whether the agreement is more than a shared région or CPV division."""
        return self.buyer or self.place


class History:
    """Clues of each company's confirmed award records, queryable without one given record."""

    def __init__(self) -> None:
        self._seen: dict[str, list[tuple[object, Clues]]] = defaultdict(list)

    def add(self, key: str, clues: Clues, ref: object = None) -> None:
        self._seen[key].append((ref, clues))

    def evidence(self, key: str, clues: Clues, exclude: object = None) -> Evidence | None:
        """What the company's history shares with `clues`; None when it has no confirmed record."""
        buyer = place = region = division = False
        records = 0
        where = REGION_OF.get(clues.place or "")
        for ref, seen in self._seen.get(key, ()):
            if exclude is not None and ref == exclude:
                continue  # never the record being linked
            records += 1
            buyer = buyer or bool(clues.buyer and seen.buyer == clues.buyer)
            place = place or bool(clues.place and seen.place == clues.place)
            region = region or bool(where and REGION_OF.get(seen.place or "") == where)
            division = division or bool(clues.division and seen.division == clues.division)
        if not records:
            return None  # no confirmed history: nothing to compare
        return Evidence(records, buyer, place, region, division)


def break_tie(
    tied: Iterable[str], clues: Clues, history: History, exclude: object = None, preferred: str | None = None
) -> str | None:
    """The one tied company the context supports best, or None when none or several do.

    The winner must lead the runner-up by `MIN_GAP`. `preferred` (the company whose exact name was
    written, blocked only by its group's longer names) starts half a point ahead: any lead is enough
    for it, while another company must lead it by two (its département, or a buyer). A winner known
    from `THIN_HISTORY` confirmed record(s) only must share the buyer or the département.
    """
    found = {key: history.evidence(key, clues, exclude) for key in tied}
    evidence = {key: item for key, item in found.items() if item is not None}
    if len(evidence) < len(found):
        return None  # a company without confirmed history cannot be told from the others
    levels = {key: item.support + (PREFERRED_BONUS if key == preferred else 0.0) for key, item in evidence.items()}
    best = max(levels.values(), default=0.0)
    ranked = sorted(levels.values(), reverse=True)
    second = ranked[1] if len(ranked) > 1 else 0.0
    if best < MIN_SUPPORT or best - second < MIN_GAP:
        return None
    winner = next(key for key, level in levels.items() if level == best)
    if evidence[winner].records <= THIN_HISTORY and not evidence[winner].strong:
        return None  # one past record in the same région or CPV division: too little to tell
    return winner
