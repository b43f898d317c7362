"""OCDS release packages and record packages → tenders, their buyer, lots and awarded suppliers.

A record package gives one compiled release per contracting process. A release package may hold
several releases of the same process (tender, then award…): they are merged in date order with the
OCDS merge rules (objects merged, arrays of objects with an `id` merged by id, other values
replaced), so each process becomes one tender. Choices:
- tender id: the `ocid` (globally unique), else `tender.id`;
- organisation ids: `<identifier.scheme>-<identifier.id>` (org-id style) when the party has an
  identifier, else the party `id`;
- status: planning/planned/active → open, complete → awarded, unsuccessful → closed,
  cancelled/withdrawn → cancelled; no status → awarded if an active award exists, else open;
- `tender.eligibilityCriteria` is appended to the description (the eligibility text stays searchable);
- the line of an error is the 1-based position of the release (its first release) or record.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from matcher.ingest.errors import IngestError
from matcher.ingest.mapping import buyer_kind_from_name
from matcher.ingest.validate import AwardDraft, Draft
from matcher.schemas import OptDateTime

STATUS = {
    "planning": "open",
    "planned": "open",
    "active": "open",
    "complete": "awarded",
    "unsuccessful": "closed",
    "cancelled": "cancelled",
    "withdrawn": "cancelled",
}
_SKIPPED_AWARDS = {"pending", "cancelled", "unsuccessful"}
_SOURCES = {
    "external_id": "ocid",
    "title": "tender.title",
    "description": "tender.description",
    "cpv_codes": "tender.items.classification",
    "estimated_value": "tender.value.amount",
    "currency": "tender.value.currency",
    "published_at": "tender.datePublished",
    "deadline_at": "tender.tenderPeriod.endDate",
    "status": "tender.status",
    "procedure": "tender.procurementMethodDetails",
    "buyer_name": "buyer.name",
    "buyer_external_id": "buyer.id",
    "lots": "tender.lots",
    "language": "language",
    "source_url": "tender.documents",
}


def drafts(document: Any, filename: str) -> list[Draft]:
    """One draft per contracting process of a release or record package."""
    if isinstance(document.get("records"), list):
        releases = _from_records(document["records"], filename)
    elif isinstance(document.get("releases"), list):
        releases = _from_releases(document["releases"], filename)
    else:  # readers.json_shape already checked, but keep the message if called directly
        raise IngestError(f"{filename} is not an OCDS release or record package")
    out = []
    for line, release, problem in releases:
        if problem:
            out.append(Draft(line, {}, release, problem=(None, problem)))
        else:
            out.append(_draft(line, release))
    return out


def _from_records(records: list[Any], filename: str) -> list[tuple[int, Any, str | None]]:
    if not records:
        raise IngestError(f"{filename} holds no records")
    found: list[tuple[int, Any, str | None]] = []
    for index, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            found.append((index, record, "record is not an object"))
        elif isinstance(record.get("compiledRelease"), dict):
            found.append((index, record["compiledRelease"], None))
        elif _full_releases(record.get("releases")):
            found.append((index, _compile(record["releases"]), None))
        else:
            found.append((index, record, "record has no compiledRelease (only linked releases)"))
    return found


def _full_releases(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(r, dict) and "tender" in r for r in value)


def _from_releases(releases: list[Any], filename: str) -> list[tuple[int, Any, str | None]]:
    if not releases:
        raise IngestError(f"{filename} holds no releases")
    groups: dict[str, list[dict[str, Any]]] = {}
    first_line: dict[str, int] = {}
    found: list[tuple[int, Any, str | None]] = []
    for index, release in enumerate(releases, start=1):
        if not isinstance(release, dict):
            found.append((index, release, "release is not an object"))
            continue
        key = str(release.get("ocid") or (release.get("tender") or {}).get("id") or f"#{index}")
        groups.setdefault(key, []).append(release)
        first_line.setdefault(key, index)
    for key, group in groups.items():
        found.append((first_line[key], _compile(group), None))
    found.sort(key=lambda item: item[0])
    return found


def _compile(releases: list[dict[str, Any]]) -> dict[str, Any]:
    """Merge the releases of one process, oldest first (ISO dates sort as text)."""
    ordered = sorted(releases, key=lambda release: str(release.get("date") or ""))
    compiled: dict[str, Any] = {}
    for release in ordered:
        _merge(compiled, release)
    return compiled


def _merge(base: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        current = base.get(key)
        if value is None:
            base.pop(key, None)
        elif isinstance(value, dict) and isinstance(current, dict):
            _merge(current, value)
        elif isinstance(value, list) and isinstance(current, list) and _identified(value) and _identified(current):
            by_id = {str(item["id"]): item for item in current}
            for item in value:
                if str(item["id"]) in by_id:
                    _merge(by_id[str(item["id"])], item)
                else:
                    current.append(copy.deepcopy(item))
        else:
            base[key] = copy.deepcopy(value)


def _identified(items: list[Any]) -> bool:
    return all(isinstance(item, dict) and "id" in item for item in items)


def _draft(line: int, release: dict[str, Any]) -> Draft:
    tender = _obj(release.get("tender"))
    parties = {str(p.get("id")): p for p in release.get("parties") or [] if isinstance(p, dict)}
    buyer = _buyer(release, parties)
    status = str(tender.get("status") or "").strip().lower()
    awards = [a for a in release.get("awards") or [] if isinstance(a, dict)]
    live_awards = [a for a in awards if str(a.get("status") or "active").lower() not in _SKIPPED_AWARDS]
    description = " ".join(
        part for part in (_str(tender.get("description")), _str(tender.get("eligibilityCriteria"))) if part
    )
    value = _obj(tender.get("value"))
    period = _obj(tender.get("tenderPeriod"))
    items = [item for item in tender.get("items") or [] if isinstance(item, dict)]
    values: dict[str, Any] = {
        "external_id": release.get("ocid") or tender.get("id"),
        "title": tender.get("title") or release.get("title"),
        "description": description,
        "cpv_codes": _cpv(items, tender),
        "estimated_value": value.get("amount"),
        "currency": value.get("currency"),
        "published_at": tender.get("datePublished") or period.get("startDate"),
        "deadline_at": period.get("endDate"),
        "procedure": tender.get("procurementMethodDetails") or tender.get("procurementMethod"),
        "language": release.get("language") if release.get("language") in ("fr", "ar", "en") else None,
        "source_url": _notice_url(tender),
        "lots": _lots(tender, items),
    }
    values.update(_place(buyer, items))
    draft = Draft(line, values, release, sources=dict(_SOURCES))
    if status and status not in STATUS:
        draft.problem = ("tender.status", f"unknown OCDS tender status {status!r}")
        return draft
    values["status"] = STATUS.get(status) or ("awarded" if live_awards else "open")
    if buyer:
        values["buyer_external_id"] = party_id(buyer)
        values["buyer_name"] = buyer.get("name")
        draft.buyer_kind_guess = buyer_kind_from_name(_str(buyer.get("name")))
    for award in live_awards:
        amount = _obj(award.get("value")).get("amount")
        for supplier in award.get("suppliers") or []:
            if not isinstance(supplier, dict):
                continue
            party = parties.get(str(supplier.get("id")), {}) | {k: v for k, v in supplier.items() if v}
            supplier_id = party_id(party)
            if supplier_id:
                name = _str(party.get("name")) or supplier_id
                draft.awards.append(AwardDraft(supplier_id, name, _float(amount), _date(award.get("date"))))
    return draft


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _float(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


_DATES: TypeAdapter[datetime | None] = TypeAdapter(OptDateTime)


def _date(value: Any) -> datetime | None:
    """An award date parsed like every other date; an unreadable one is left out, not fatal."""
    try:
        return _DATES.validate_python(value)
    except ValueError:
        return None


def party_id(party: dict[str, Any]) -> str | None:
    identifier = _obj(party.get("identifier"))
    scheme, ident = _str(identifier.get("scheme")), _str(identifier.get("id"))
    if ident:
        return (f"{scheme}-{ident}" if scheme else ident)[:128]
    return _str(party.get("id"))[:128] or None


def _buyer(release: dict[str, Any], parties: dict[str, dict[str, Any]]) -> dict[str, Any]:
    reference = _obj(release.get("buyer"))
    if reference:
        return parties.get(str(reference.get("id")), {}) | {k: v for k, v in reference.items() if v}
    for party in parties.values():
        if "buyer" in (party.get("roles") or []):
            return party
    return {}


def _cpv(items: list[dict[str, Any]], tender: dict[str, Any]) -> list[str]:
    codes: list[str] = []
    classifications = [_obj(tender.get("classification"))]
    for item in items:
        classifications.append(_obj(item.get("classification")))
        classifications.extend(_obj(c) for c in item.get("additionalClassifications") or [])
    for classification in classifications:
        if _str(classification.get("scheme")).upper() == "CPV" and _str(classification.get("id")):
            code = _str(classification["id"])
            if code not in codes:
                codes.append(code)
    return codes


def _lots(tender: dict[str, Any], items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    lots = []
    for position, lot in enumerate(tender.get("lots") or [], start=1):
        if not isinstance(lot, dict):
            continue
        digits = re.findall(r"\d+", _str(lot.get("id")))
        number = int(digits[-1]) if digits else position
        related = [item for item in items if _str(item.get("relatedLot")) == _str(lot.get("id"))]
        lots.append(
            {
                "lot_number": number,
                "title": lot.get("title") or f"Lot {number}",
                "description": lot.get("description"),
                "cpv_codes": _cpv(related, {}),
                "estimated_value": _obj(lot.get("value")).get("amount"),
            }
        )
    return lots


def _place(buyer: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    for address in [_obj(item.get("deliveryAddress")) for item in items] + [_obj(buyer.get("address"))]:
        if address.get("region") or address.get("locality"):
            return {"region": address.get("region"), "city": address.get("locality")}
    return {}


def _notice_url(tender: dict[str, Any]) -> str | None:
    documents = [d for d in tender.get("documents") or [] if isinstance(d, dict) and d.get("url")]
    for document in documents:
        if document.get("documentType") == "tenderNotice":
            return str(document["url"])
    return str(documents[0]["url"]) if documents else None
