"""Evaluation regimes: the same hold-out split, with the fields real notices often lack removed.

- standard: the award data as published (titles, CPV codes, places, amounts);
- no CPV: codes removed from the held-out tenders and from every profile (Moroccan purchase orders
  and most private calls carry none), so the engine must infer them from text;
- thin profile: each supplier described by one past contract title only (no code, place or amount),
  as a founder on day one; tenders keep their fields.
"""

from __future__ import annotations

import random
from dataclasses import replace

from matcher.evaluation.protocol import Award, Split

REGIMES = ("standard", "no_cpv", "thin_profile")
TITLES = {"standard": "standard", "no_cpv": "no CPV", "thin_profile": "thin profile"}


def _bare(award: Award) -> Award:
    return replace(award, cpv_code=None)


def without_cpv(data: Split) -> Split:
    """Every CPV code removed, on both sides (profiles and held-out tenders)."""
    held_out = {key: _bare(award) for key, award in data.held_out.items()}
    tenders = {tender: _bare(award) for tender, award in data.tenders.items()}
    profiles = {key: tuple(_bare(a) for a in awards) for key, awards in data.profiles.items()}
    return replace(data, held_out=held_out, tenders=tenders, profiles=profiles)


def thin_profiles(data: Split, seed: int) -> Split:
    """Each profile cut to one past contract drawn with the seed: its title only."""
    rng = random.Random(seed)
    profiles: dict[str, tuple[Award, ...]] = {
        key: (replace(rng.choice(data.profiles[key]), cpv_code=None, department=None, amount=None),)
        for key in sorted(data.profiles)
    }
    return replace(data, profiles=profiles)


def apply(regime: str, data: Split) -> Split:
    if regime == "standard":
        return data
    if regime == "no_cpv":
        return without_cpv(data)
    if regime == "thin_profile":
        return thin_profiles(data, data.seed)
    raise ValueError(f"regime: unknown {regime!r} (expected one of {', '.join(REGIMES)})")
