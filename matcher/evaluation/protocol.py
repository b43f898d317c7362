"""The hold-out protocol on DECP award data: who won what, one first award with a new buyer held out.

A supplier is a SIREN (first 9 characters of the SIRET). Suppliers with at least three awards are
kept; for each, one award whose buyer appears in none of its other awards is drawn with a seeded
RNG (a first reference with a new buyer: the situation Tremplin exists for). Its profile is built
from the other awards only, in the shape a startup profile takes (`StartupIn`); the held-out awards
become open tenders (`TenderIn`). Suppliers without such an award are left out.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from matcher import cpv
from matcher.ingest.mapping import buyer_kind_from_name
from matcher.schemas import TITLE_MAX
from matcher.text import normalize

DEFAULT_SEED = 7
MIN_AWARDS = 3
EVAL_NOW = datetime(2020, 1, 1, tzinfo=UTC)
CURRENCY = "EUR"


# French departments → regions (2016 map), to give award places a city-like and a region-like level.
_REGIONS = {
    "Auvergne-Rhône-Alpes": "01 03 07 15 26 38 42 43 63 69 73 74",
    "Bourgogne-Franche-Comté": "21 25 39 58 70 71 89 90",
    "Bretagne": "22 29 35 56",
    "Centre-Val de Loire": "18 28 36 37 41 45",
    "Corse": "2A 2B 20",
    "Grand Est": "08 10 51 52 54 55 57 67 68 88",
    "Hauts-de-France": "02 59 60 62 80",
    "Île-de-France": "75 77 78 91 92 93 94 95",
    "Normandie": "14 27 50 61 76",
    "Nouvelle-Aquitaine": "16 17 19 23 24 33 40 47 64 79 86 87",
    "Occitanie": "09 11 12 30 31 32 34 46 48 65 66 81 82",
    "Pays de la Loire": "44 49 53 72 85",
    "Provence-Alpes-Côte d'Azur": "04 05 06 13 83 84",
    "Guadeloupe": "971",
    "Martinique": "972",
    "Guyane": "973",
    "La Réunion": "974",
    "Mayotte": "976",
}
REGION_OF_DEPARTMENT = {code: region for region, codes in _REGIONS.items() for code in codes.split()}


class EvaluationDataError(ValueError):
    """An award file the evaluation cannot read, with the record and field at fault."""


@dataclass(frozen=True)
class Award:
    """One DECP award (one `marche` record), reduced to what a profile or a tender needs."""

    index: int
    award_id: str
    title: str
    cpv_code: str | None
    buyer_id: str
    buyer_name: str
    place_name: str | None
    department: str | None
    amount: float | None
    suppliers: tuple[str, ...]
    supplier_names: tuple[str, ...]
    procedure: str | None = None


@dataclass(frozen=True)
class Split:
    """The outcome of the protocol for one seed."""

    seed: int
    profiles: dict[str, tuple[Award, ...]]
    held_out: dict[str, Award]
    names: dict[str, str]
    eligible_suppliers: int = 0
    tenders: dict[str, Award] = field(default_factory=dict)
    winners: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def suppliers(self) -> list[str]:
        return sorted(self.held_out)

    def tender_of(self, key: str) -> str:
        return tender_id(self.held_out[key])


def siren(identifier: object) -> str:
    """First nine characters of a SIRET (spaces removed); other identifiers are cut the same way."""
    return "".join(str(identifier).split())[:9]


def _usable(identifier: object) -> bool:
    """An identifier naming a company: not empty and not a placeholder of zeros ('SANS SUITE' rows)."""
    key = siren(identifier or "")
    return bool(key) and set(key) != {"0"}


def department(code: object, type_code: object = None) -> str | None:
    """French department of a place of execution ('13', '2A', '974'), or None when it is not one.

    Postcodes, INSEE commune codes and department codes all start with the department; overseas
    departments use three digits. Region, country and arrondissement codes say nothing reliable.
    """
    text = "".join(str(code or "").split()).upper()
    kind = str(type_code or "").lower()
    if not text or any(word in kind for word in ("pays", "région", "region", "arrondissement")):
        return None
    if text.startswith(("2A", "2B")):
        return text[:2]
    if not text[:2].isdigit():
        return None
    if text.startswith(("97", "98")) and len(text) >= 3 and text[2].isdigit():
        return text[:3]
    return text[:2]


def _parse_cpv(value: object) -> str | None:
    if value in (None, ""):
        return None
    try:
        return cpv.parse_cpv(value)
    except cpv.CPVError:
        return None


def _amount(value: object) -> float | None:
    try:
        amount = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return amount if amount > 0 else None


def _records(document: Any, path: Path) -> list[dict[str, Any]]:
    marches = document.get("marches") if isinstance(document, dict) else document
    if isinstance(marches, dict):  # older DECP files: {"marches": {"marche": [...]}}
        marches = marches.get("marche")
    if not isinstance(marches, list):
        raise EvaluationDataError(f"{path}: expected a DECP file with a 'marches' list")
    return marches


def parse_awards(records: Sequence[dict[str, Any]], source: str = "awards") -> list[Award]:
    """Awards with a buyer and at least one supplier; other records are skipped (they cannot be scored)."""
    awards: list[Award] = []
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise EvaluationDataError(f"{source}, record {index}: not an object")
        buyer = record.get("acheteur") or {}
        holders = [t for t in record.get("titulaires") or [] if isinstance(t, dict) and _usable(t.get("id"))]
        if not isinstance(buyer, dict) or not buyer.get("id") or not holders:
            continue
        sirens: list[str] = []
        names: list[str] = []
        for holder in holders:
            key = siren(holder["id"])
            if key not in sirens:
                sirens.append(key)
                names.append(normalize(holder.get("denominationSociale")) or key)
        place = record.get("lieuExecution") or {}
        code = _parse_cpv(record.get("codeCPV"))
        title = (
            normalize(record.get("objet"))
            or (cpv.label(code, official=False) if code else "")
            or f"Marché {record.get('id')}"
        )
        awards.append(
            Award(
                index=index,
                award_id=str(record.get("id") or index),
                title=title,
                cpv_code=code,
                buyer_id="".join(str(buyer["id"]).split()),
                buyer_name=normalize(buyer.get("nom")) or str(buyer["id"]),
                place_name=normalize(place.get("nom")) or None,
                department=department(place.get("code"), place.get("typeCode")),
                amount=_amount(record.get("montant")),
                suppliers=tuple(sirens),
                supplier_names=tuple(names),
                procedure=normalize(record.get("procedure")) or None,
            )
        )
    return awards


def load_awards(path: str | Path) -> list[Award]:
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EvaluationDataError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except json.JSONDecodeError as exc:
        raise EvaluationDataError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from exc
    return parse_awards(_records(document, path), str(path))


def startup_id(key: str) -> str:
    """External id of a supplier's profile, as the DECP importer names award-built suppliers."""
    return f"SIREN:{key}"


def tender_id(award: Award) -> str:
    """Held-out awards become tenders; DECP ids repeat across records, so the file position is kept."""
    return f"decp-{award.index}"


def split(awards: Iterable[Award], seed: int = DEFAULT_SEED, min_awards: int = MIN_AWARDS) -> Split:
    """Apply the protocol: deterministic for a seed (suppliers are visited in SIREN order)."""
    by_supplier: dict[str, list[Award]] = defaultdict(list)
    for award in awards:
        for key in award.suppliers:
            by_supplier[key].append(award)
    rng = random.Random(seed)
    profiles: dict[str, tuple[Award, ...]] = {}
    held_out: dict[str, Award] = {}
    eligible = 0
    for key in sorted(by_supplier):
        history = by_supplier[key]
        if len(history) < min_awards:
            continue
        eligible += 1
        buyers = Counter(a.buyer_id for a in history)
        new_buyer = [a for a in history if buyers[a.buyer_id] == 1]
        if not new_buyer:
            continue
        chosen = rng.choice(new_buyer)
        held_out[key] = chosen
        profiles[key] = tuple(a for a in history if a is not chosen)
    tenders: dict[str, Award] = {}
    winners: dict[str, set[str]] = defaultdict(set)
    for key, award in held_out.items():
        tenders[tender_id(award)] = award
        winners[tender_id(award)].add(key)
    display = {key: _profile_name(profiles[key], key) for key in profiles}
    return Split(
        seed=seed,
        profiles=profiles,
        held_out=held_out,
        names=display,
        eligible_suppliers=eligible,
        tenders=tenders,
        winners={t: frozenset(s) for t, s in winners.items()},
    )


def _profile_name(profile: Sequence[Award], key: str) -> str:
    """Most frequent company name in the profile's own awards (never taken from the held-out one)."""
    own = Counter(
        name for award in profile for s, name in zip(award.suppliers, award.supplier_names, strict=True) if s == key
    )
    return own.most_common(1)[0][0] if own else key


def _most_common(values: Iterable[str | None]) -> str | None:
    counts = Counter(v for v in values if v)
    return counts.most_common(1)[0][0] if counts else None


def startup_record(key: str, name: str, profile: Sequence[Award]) -> dict[str, Any]:
    """A `StartupIn`-shaped profile from past awards only: references, CPV codes, usual place, scale.

    The usual department stands in for a city and its region for a region, like a Moroccan profile's
    city and region; the total of past awards stands in for revenue (contract capacity).
    """
    codes = Counter(a.cpv_code for a in profile if a.cpv_code)
    amounts = [a.amount for a in profile if a.amount is not None]
    return {
        "external_id": startup_id(key),
        "name": name,
        "description": "",
        "references": [a.title[:TITLE_MAX] for a in profile],  # a reference is bounded like a title (schemas)
        "references_count": len(profile),
        "cpv_codes": [code for code, _ in codes.most_common()],
        "city": _most_common(a.department for a in profile),
        "region": _most_common(REGION_OF_DEPARTMENT.get(a.department or "") for a in profile),
        "annual_revenue": sum(amounts) if amounts else None,
        "revenue_currency": CURRENCY,
        "languages": ["fr"],
        "preferred_language": "fr",
        "digest_opt_in": False,
    }


def tender_record(award: Award, now: datetime = EVAL_NOW) -> dict[str, Any]:
    """A `TenderIn`-shaped open tender from a held-out award (no winner information in it)."""
    return {
        "external_id": tender_id(award),
        "title": award.title,
        "buyer_external_id": f"SIRET:{award.buyer_id}",
        "buyer_name": award.buyer_name,
        "buyer_kind": buyer_kind_from_name(award.buyer_name, award.buyer_id),
        "cpv_codes": [award.cpv_code] if award.cpv_code else [],
        "city": award.department,
        "region": REGION_OF_DEPARTMENT.get(award.department or ""),
        "estimated_value": award.amount,
        "currency": CURRENCY,
        "published_at": now - timedelta(days=1),
        "deadline_at": now + timedelta(days=30),
        "status": "open",
        "procedure": award.procedure,
        "language": "fr",
    }


def past_tender_record(award: Award, now: datetime = EVAL_NOW) -> dict[str, Any]:
    """A profile's past award as the awarded tender an award import stores (its winners come apart)."""
    record = tender_record(award, now)
    record.update(status="awarded", published_at=now - timedelta(days=365), deadline_at=None)
    return record


def past_awards(result: Split) -> dict[str, list[tuple[str, float | None]]]:
    """Tender id → (supplier key, amount) of each profile award: the suppliers' verified contracts.

    Held-out awards are never among them (a profile is built from the other awards only)."""
    winners: dict[str, list[tuple[str, float | None]]] = defaultdict(list)
    for key in result.suppliers:
        for award in result.profiles[key]:
            if all(k != key for k, _ in winners[tender_id(award)]):
                winners[tender_id(award)].append((key, award.amount))
    return dict(winners)


def past_tender_records(result: Split, now: datetime = EVAL_NOW) -> list[dict[str, Any]]:
    by_id = {tender_id(a): a for key in result.suppliers for a in result.profiles[key]}
    return [past_tender_record(by_id[t], now) for t in sorted(by_id, key=lambda t: by_id[t].index)]


def startup_records(result: Split) -> list[dict[str, Any]]:
    return [startup_record(key, result.names[key], result.profiles[key]) for key in result.suppliers]


def tender_records(result: Split, now: datetime = EVAL_NOW) -> list[dict[str, Any]]:
    return [tender_record(award, now) for _, award in sorted(result.tenders.items(), key=lambda kv: kv[1].index)]
