"""French DECP award data (`{"marches": [...]}`) → awarded tenders, their buyers and their suppliers.

Choices, since DECP is French public data read by a Moroccan product:
- tender id: `uid` when present, else acheteur SIRET + `id` (the official uid definition);
- buyer id `SIRET:<acheteur.id>`; its kind is guessed from the name, then from the SIREN prefix
  (mapping.buyer_kind_from_name): communes, departments, regions → local_authority, State services →
  ministry, every other public body (hospitals, housing offices, ports…) → public_enterprise;
- supplier id `SIREN:<first 9 digits of the SIRET>` (one company, many establishments), or
  `<typeIdentifiant>:<id>` for foreign ids (TVA, TAHITI…); a titulaire without a usable id is skipped;
- the award amount is the contract's `montant` (DECP does not split it between co-contractors),
  its date `dateNotification`; modifications are not applied;
- `lieuExecution`: commune / postal code → city, department / region → region text;
- text is kept as published, including accents lost to U+FFFD in the source.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from matcher.ingest.errors import IngestError
from matcher.ingest.mapping import buyer_kind_from_name
from matcher.ingest.validate import AwardDraft, Draft

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_SOURCES = {
    "title": "objet",
    "cpv_codes": "codeCPV",
    "estimated_value": "montant",
    "published_at": "dateNotification",
    "external_id": "id",
    "buyer_name": "acheteur.nom",
    "procedure": "procedure",
    "city": "lieuExecution",
    "region": "lieuExecution",
}
_CITY_LEVEL = {"code commune", "code postal", "code arrondissement"}
_REGION_LEVEL = {"code departement", "code département", "code region", "code région"}
EARLIEST_YEAR = 1990


def marches(document: Any, filename: str) -> list[Any]:
    """The list of marchés in either DECP JSON shape."""
    found = document.get("marches") if isinstance(document, dict) else None
    if isinstance(found, dict):
        found = found.get("marche")
        if isinstance(found, dict):
            found = [found]
    if not isinstance(found, list):
        raise IngestError(f"{filename}: 'marches' is neither a list nor {{'marche': [...]}}")
    if not found:
        raise IngestError(f"{filename} holds no marchés")
    return found


def drafts(document: Any, filename: str) -> list[Draft]:
    """One tender draft per marché; the line is the marché's 1-based position in the list."""
    return [_draft(index, item) for index, item in enumerate(marches(document, filename), start=1)]


def _draft(index: int, item: Any) -> Draft:
    if not isinstance(item, dict):
        return Draft(index, {}, item, problem=(None, f"marché is a {type(item).__name__}, not an object"))
    buyer: dict[str, Any] = item["acheteur"] if isinstance(item.get("acheteur"), dict) else {}
    buyer_id = _text(buyer.get("id"))
    local_id = _text(item.get("id"))
    external_id = _text(item.get("uid")) or (f"{buyer_id or ''}{local_id}" if local_id else None)
    values: dict[str, Any] = {
        "external_id": external_id,
        "title": item.get("objet"),
        "cpv_codes": [item["codeCPV"]] if _text(item.get("codeCPV")) else [],
        "estimated_value": item.get("montant"),
        "currency": "EUR",
        "status": "awarded",
        "procedure": item.get("procedure"),
        "language": "fr",
    }
    draft = Draft(index, values, item, sources=dict(_SOURCES))
    if not external_id:
        draft.problem = ("id", "marché has neither 'uid' nor 'id'")
        return draft
    buyer_name = _text(buyer.get("nom"))
    if buyer_id or buyer_name:
        values["buyer_external_id"] = "SIRET:" + re.sub(r"\s", "", buyer_id) if buyer_id else None
        values["buyer_name"] = buyer_name or f"SIRET {buyer_id}"
        draft.buyer_kind_guess = buyer_kind_from_name(buyer_name, buyer_id)
    values.update(_place(item.get("lieuExecution")))
    try:
        notified = parse_date(item.get("dateNotification"))
    except ValueError as exc:
        draft.problem = ("dateNotification", str(exc))
        return draft
    values["published_at"] = notified
    amount = item.get("montant")
    for holder in _holders(item.get("titulaires")):
        supplier_id = supplier_external_id(holder)
        if supplier_id is None:
            continue
        name = _text(holder.get("denominationSociale")) or supplier_id
        draft.awards.append(AwardDraft(supplier_id, name, _amount(amount), notified))
    return draft


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _amount(value: Any) -> float | None:
    try:
        return float(value) if value is not None and float(value) >= 0 else None
    except (TypeError, ValueError):
        return None


def _holders(value: Any) -> list[dict[str, Any]]:
    """`titulaires` as a list of titulaire objects, whichever of the DECP JSON shapes it uses."""
    if isinstance(value, dict):
        value = value.get("titulaire", [])
    if isinstance(value, dict):
        value = [value]
    holders = []
    for item in value or []:
        if isinstance(item, dict) and isinstance(item.get("titulaire"), dict):
            item = item["titulaire"]
        if isinstance(item, dict):
            holders.append(item)
    return holders


def supplier_external_id(holder: dict[str, Any]) -> str | None:
    """'SIREN:<9 digits>' for a SIRET/SIREN, '<TYPE>:<id>' for other identifiers, None if unusable."""
    raw = re.sub(r"\s", "", str(holder.get("id") or ""))
    kind = re.sub(r"\s", "_", str(holder.get("typeIdentifiant") or "SIRET").strip().upper())
    if not raw or set(raw) <= {"0"}:
        return None
    if kind in ("SIRET", "SIREN"):
        digits = re.sub(r"\D", "", raw)
        if len(digits) >= 9 and set(digits[:9]) != {"0"}:
            return f"SIREN:{digits[:9]}"
        return None
    return f"{kind}:{raw}"[:128]


def _place(value: Any) -> dict[str, str | None]:
    if not isinstance(value, dict):
        return {}
    name = _text(value.get("nom"))
    code = _text(value.get("code"))
    level = str(value.get("typeCode") or "").strip().lower()
    if not name:
        return {}
    if level in _CITY_LEVEL:
        return {"city": name[:120]}
    if level in _REGION_LEVEL:
        label = f"{name} ({code})" if code and code not in name else name
        return {"region": label[:120]}
    return {}


def parse_date(value: Any) -> datetime | None:
    """DECP dates: '2019-02-26', '2018-12-17+01:00', full timestamps → aware UTC.

    A date without a time stays on its calendar day (midnight UTC) whatever its offset; a timestamp's
    offset is honoured.
    """
    text = _text(value)
    if text is None:
        return None
    match = _DATE.match(text)
    if not match:
        raise ValueError(f"not a date: {text!r}")
    year, month, day, hour, minute, second, zone = match.groups()
    if int(year) < EARLIEST_YEAR:
        raise ValueError(f"implausible year in {text!r}")
    tz = UTC
    if zone and zone != "Z" and hour is not None:  # a date alone keeps its calendar day
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), tzinfo=tz
        )
    except ValueError as exc:
        raise ValueError(f"not a date: {text!r} ({exc})") from exc
    return moment.astimezone(UTC)
