"""Create, read, update, delete and filtered listing of startups, buyers and tenders over the store.

Every write goes through the same validated shapes as ingestion (``matcher.schemas``): an update is
merged into the stored values and validated again as a whole. Functions take an open session and
never commit: the caller owns the transaction (one request, one CLI command, one web form).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, String, cast, func, or_, select
from sqlalchemy.orm import Session

from matcher.errors import ConflictError, NotFoundError, TremplinError
from matcher.schemas import BuyerIn, StartupIn, TenderIn
from matcher.store import Buyer, Startup, Tender, TenderLot
from matcher.store.documents import startup_hash, tender_hash
from matcher.text import detect_language

T = TypeVar("T")

MAX_PAGE = 200


class FieldError(TremplinError, ValueError):
    """Input that is well-formed but does not fit the stored data; names the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a filtered listing and the number of rows matching the filters."""

    items: list[T]
    count: int


# --- filtering helpers ---------------------------------------------------------------------------


def _like_escape(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def _json_list_has(column: Any, value: str) -> ColumnElement[bool]:
    """A JSON list column holds `value` as one element (case-insensitive for ASCII letters)."""
    needle = json.dumps(value.strip().lower())
    return func.lower(cast(column, String)).like(f"%{_like_escape(needle)}%", escape="!")


def _json_list_has_prefix(column: Any, prefix: str) -> ColumnElement[bool]:
    """A JSON list of codes holds one starting with `prefix` (e.g. a CPV division '72')."""
    return cast(column, String).like(f'%"{_like_escape(prefix.strip())}%', escape="!")


def _text_contains(columns: Sequence[Any], text: str) -> ColumnElement[bool]:
    return or_(*(column.icontains(text.strip(), autoescape=True) for column in columns))


def _same_text(column: Any, value: str) -> ColumnElement[bool]:
    return func.lower(column) == value.strip().lower()


def _page(session: Session, query: Select[Any], order: Any, limit: int, offset: int) -> Page[Any]:
    limit = max(0, min(limit, MAX_PAGE))
    count = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = list(session.scalars(query.order_by(order).limit(limit).offset(max(0, offset))).unique())
    return Page(items=items, count=count)


# --- startups ------------------------------------------------------------------------------------


def startup_fields(row: Startup) -> dict[str, Any]:
    """The stored profile as StartupIn fields (what an update is merged into)."""
    return {name: getattr(row, name) for name in StartupIn.model_fields}


def _apply_startup(row: Startup, data: StartupIn) -> Startup:
    for name, value in data.model_dump().items():
        setattr(row, name, value)
    row.content_hash = startup_hash(row)
    return row


def get_startup(session: Session, external_id: str) -> Startup:
    row = session.scalar(select(Startup).where(Startup.external_id == external_id))
    if row is None:
        raise NotFoundError("startup", external_id)
    return row


def list_startups(
    session: Session,
    *,
    region: str | None = None,
    sector: str | None = None,
    cpv_prefix: str | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Startup]:
    conditions: list[ColumnElement[bool]] = []
    if region:
        conditions.append(_same_text(Startup.region, region))
    if sector:
        conditions.append(or_(_json_list_has(Startup.sectors, sector), _json_list_has(Startup.tags, sector)))
    if cpv_prefix:
        conditions.append(_json_list_has_prefix(Startup.cpv_codes, cpv_prefix))
    if q:
        conditions.append(_text_contains([Startup.name, Startup.description], q))
    return _page(session, select(Startup).where(*conditions), Startup.external_id, limit, offset)


def create_startup(session: Session, data: StartupIn, source: str = "api") -> Startup:
    if session.scalar(select(Startup.id).where(Startup.external_id == data.external_id)) is not None:
        raise ConflictError(f"startup {data.external_id!r} already exists")
    row = _apply_startup(Startup(source=source), data)
    session.add(row)
    session.flush()
    return row


def update_startup(session: Session, external_id: str, changes: Mapping[str, Any]) -> Startup:
    """Merge `changes` into the stored profile; the whole result is validated (pydantic error if not)."""
    row = get_startup(session, external_id)
    merged = {**startup_fields(row), **changes, "external_id": row.external_id}
    _apply_startup(row, StartupIn.model_validate(merged))
    session.flush()
    return row


def delete_startup(session: Session, external_id: str) -> None:
    session.delete(get_startup(session, external_id))
    session.flush()


# --- buyers --------------------------------------------------------------------------------------


def buyer_fields(row: Buyer) -> dict[str, Any]:
    return {name: getattr(row, name) for name in BuyerIn.model_fields}


def get_buyer(session: Session, external_id: str) -> Buyer:
    row = session.scalar(select(Buyer).where(Buyer.external_id == external_id))
    if row is None:
        raise NotFoundError("buyer", external_id)
    return row


def list_buyers(
    session: Session,
    *,
    kind: str | None = None,
    region: str | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Buyer]:
    conditions: list[ColumnElement[bool]] = []
    if kind:
        conditions.append(Buyer.kind == kind)
    if region:
        conditions.append(_same_text(Buyer.region, region))
    if q:
        conditions.append(_text_contains([Buyer.name, Buyer.city], q))
    return _page(session, select(Buyer).where(*conditions), Buyer.external_id, limit, offset)


def create_buyer(session: Session, data: BuyerIn) -> Buyer:
    if session.scalar(select(Buyer.id).where(Buyer.external_id == data.external_id)) is not None:
        raise ConflictError(f"buyer {data.external_id!r} already exists")
    row = Buyer(**data.model_dump())
    session.add(row)
    session.flush()
    return row


def update_buyer(session: Session, external_id: str, changes: Mapping[str, Any]) -> Buyer:
    row = get_buyer(session, external_id)
    merged = {**buyer_fields(row), **changes, "external_id": row.external_id}
    for name, value in BuyerIn.model_validate(merged).model_dump().items():
        setattr(row, name, value)
    session.flush()
    return row


def delete_buyer(session: Session, external_id: str) -> None:
    """Delete a buyer that has no tenders left (its tenders would otherwise lose their buyer)."""
    row = get_buyer(session, external_id)
    tenders = session.scalar(select(func.count()).select_from(Tender).where(Tender.buyer_id == row.id)) or 0
    if tenders:
        raise ConflictError(f"buyer {external_id!r} still has {tenders} tender(s): delete or move them first")
    session.delete(row)
    session.flush()


# --- tenders -------------------------------------------------------------------------------------


def tender_fields(row: Tender) -> dict[str, Any]:
    """The stored tender as TenderIn fields, lots included."""
    fields: dict[str, Any] = {
        name: getattr(row, name)
        for name in TenderIn.model_fields
        if name not in {"buyer_external_id", "buyer_name", "buyer_kind", "lots"}
    }
    fields["buyer_external_id"] = row.buyer.external_id if row.buyer else None
    fields["lots"] = [
        {
            "lot_number": lot.lot_number,
            "title": lot.title,
            "description": lot.description,
            "cpv_codes": lot.cpv_codes,
            "estimated_value": lot.estimated_value,
        }
        for lot in row.lots
    ]
    return fields


def get_tender(session: Session, external_id: str) -> Tender:
    row = session.scalar(select(Tender).where(Tender.external_id == external_id))
    if row is None:
        raise NotFoundError("tender", external_id)
    return row


def resolve_buyer(session: Session, data: TenderIn) -> Buyer | None:
    """The tender's buyer by id; created from `buyer_name` when it is new, as file imports do."""
    if not data.buyer_external_id:
        if data.buyer_name:
            raise FieldError("buyer_external_id", "give the buyer's id along with its name")
        return None
    buyer = session.scalar(select(Buyer).where(Buyer.external_id == data.buyer_external_id))
    if buyer is not None:
        return buyer
    if not data.buyer_name:
        raise FieldError(
            "buyer_external_id", f"unknown buyer {data.buyer_external_id!r}: create it first or give buyer_name"
        )
    buyer = Buyer(
        external_id=data.buyer_external_id,
        name=data.buyer_name,
        kind=data.buyer_kind or "ministry",
        city=data.city,
        region=data.region,
    )
    session.add(buyer)
    session.flush()
    return buyer


def _apply_tender(session: Session, row: Tender, data: TenderIn, buyer: Buyer | None) -> Tender:
    numbers = [lot.lot_number for lot in data.lots]
    if len(numbers) != len(set(numbers)):
        raise FieldError("lots", "two lots share the same lot_number")
    skip = {"buyer_external_id", "buyer_name", "buyer_kind", "lots", "language"}
    for name, value in data.model_dump(exclude=skip).items():
        setattr(row, name, value)
    row.language = data.language or detect_language(f"{data.title} {data.description}")
    row.buyer = buyer
    if row.lots:  # flush the removal first: new lots may reuse the same numbers
        row.lots.clear()
        session.flush()
    row.lots = [TenderLot(**lot.model_dump()) for lot in data.lots]
    row.content_hash = tender_hash(row)
    return row


def list_tenders(
    session: Session,
    *,
    region: str | None = None,
    status: str | None = None,
    buyer_id: str | None = None,
    cpv_prefix: str | None = None,
    reserved_for_sme: bool | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[Tender]:
    conditions: list[ColumnElement[bool]] = []
    if region:
        conditions.append(_same_text(Tender.region, region))
    if status:
        conditions.append(Tender.status == status)
    if buyer_id:
        conditions.append(Tender.buyer_id.in_(select(Buyer.id).where(Buyer.external_id == buyer_id)))
    if cpv_prefix:
        conditions.append(_json_list_has_prefix(Tender.cpv_codes, cpv_prefix))
    if reserved_for_sme is not None:
        conditions.append(Tender.reserved_for_sme.is_(reserved_for_sme))
    if q:
        conditions.append(_text_contains([Tender.title, Tender.description], q))
    return _page(session, select(Tender).where(*conditions), Tender.external_id, limit, offset)


def create_tender(session: Session, data: TenderIn, source: str = "api") -> Tender:
    if session.scalar(select(Tender.id).where(Tender.external_id == data.external_id)) is not None:
        raise ConflictError(f"tender {data.external_id!r} already exists")
    row = Tender(source=source)
    _apply_tender(session, row, data, resolve_buyer(session, data))
    session.add(row)
    session.flush()
    return row


def update_tender(session: Session, external_id: str, changes: Mapping[str, Any]) -> Tender:
    """Merge `changes` into the stored tender (lots replaced when given) and validate the whole."""
    row = get_tender(session, external_id)
    merged = {**tender_fields(row), **changes, "external_id": row.external_id}
    data = TenderIn.model_validate(merged)
    _apply_tender(session, row, data, resolve_buyer(session, data))
    session.flush()
    return row


def delete_tender(session: Session, external_id: str) -> None:
    session.delete(get_tender(session, external_id))
    session.flush()
