"""Context that breaks ties between close name candidates: whom a company worked for, and on what.

A name alone cannot tell "ID VERDE" (three SIRENs) or "COLAS" (a dozen agencies) apart. A real
linker knows more: each company's confirmed links so far (its history) name the buyers it served,
the CPV divisions it worked in and where. When several companies fit a supplier name equally well,
the one whose history shares the award's buyer wins, else the one sharing both its CPV division and
its département; when none or several do, nothing is linked. Context never overrides a clear name
decision and never links a name no candidate fits.
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


BUYER, PLACE, DIVISION = 4, 2, 1
PREFERRED_BONUS = 1.5
MIN_SUPPORT = 1
MIN_GAP = 2


class History:
    """Clues of each company's confirmed award records, queryable without one given record."""

    def __init__(self) -> None:
        self._seen: dict[str, list[tuple[object, Clues]]] = defaultdict(list)

    def add(self, key: str, clues: Clues, ref: object = None) -> None:
        self._seen[key].append((ref, clues))

    def support(self, key: str, clues: Clues, exclude: object = None) -> int:
        """How much the company's history agrees with `clues`: served this buyer (4), worked at this
        place (2), in this CPV division (1), summed; 0 when nothing is shared."""
        buyer = place = division = False
        for ref, seen in self._seen.get(key, ()):
            if exclude is not None and ref == exclude:
                continue  # never the record being linked
            buyer = buyer or bool(clues.buyer and seen.buyer == clues.buyer)
            place = place or bool(clues.place and seen.place == clues.place)
            division = division or bool(clues.division and seen.division == clues.division)
        return BUYER * buyer + PLACE * place + DIVISION * division


def break_tie(
    tied: Iterable[str], clues: Clues, history: History, exclude: object = None, preferred: str | None = None
) -> str | None:
    """The one tied company the context supports best, or None when none or several do.

    `preferred` (the company whose exact name was written, blocked only by its group's longer names)
    wins equal support: another company must be strictly better supported to take the link.
    """
    levels = {
        key: history.support(key, clues, exclude) + (PREFERRED_BONUS if key == preferred else 0.0) for key in tied
    }
    best = max(levels.values(), default=0.0)
    ranked = sorted(levels.values(), reverse=True)
    second = ranked[1] if len(ranked) > 1 else 0.0
    if best < MIN_SUPPORT or best - second < MIN_GAP:
        return None
    return next(key for key, level in levels.items() if level == best)
