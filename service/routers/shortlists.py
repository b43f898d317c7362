"""A buyer's named shortlists of suppliers: add, remove, note, reorder, export as CSV."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from sqlalchemy.orm import Session

from matcher.i18n.columns import column_titles
from matcher.ranking.catalogue import summary_of
from matcher.store import Buyer, Shortlist, repository
from matcher.store.buyer_tools import (
    add_to_shortlist,
    create_shortlist,
    get_shortlist,
    remove_from_shortlist,
    reorder_shortlist,
    shortlist_items,
    shortlists_of,
)
from matcher.store.keys import Identity, Role
from matcher.store.profile import trust_counts
from service.deps import BuyerOrStaffDep, SessionDep
from service.errors import declare, forbidden, request_language
from service.routers.profiles import SupplierId, viewable_supplier
from service.trust_schemas import (
    ReorderIn,
    ShortlistIn,
    ShortlistItemIn,
    ShortlistItemOut,
    ShortlistOut,
    ShortlistsPublic,
)

router = APIRouter(prefix="/shortlists", tags=["shortlists"])

ShortlistId = Annotated[int, Path(ge=1, le=2**31, description="Id of the shortlist.")]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula (leading = + - @ tab CR get a quote)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _buyer_pk(identity: Identity) -> int | None:
    """The buyer whose shortlists the caller works on; None for staff (every buyer's)."""
    if identity.is_staff:
        return None
    if identity.role is Role.buyer and identity.buyer_pk is not None:
        return identity.buyer_pk
    raise forbidden("shortlists are for buyer keys")


def shortlist_out(session: SessionDep, row: Shortlist) -> ShortlistOut:
    buyer = session.get(Buyer, row.buyer_id)
    items = [
        ShortlistItemOut(startup_id=s.external_id, name=s.name, position=i.position, note=i.note)
        for i, s in shortlist_items(session, row.id)
    ]
    return ShortlistOut(
        id=row.id, name=row.name, buyer_id=buyer.external_id if buyer else "", items=items, updated_at=row.updated_at
    )


SHORTLIST_COLUMNS = (
    "position", "supplier_id", "name", "summary", "city", "region", "headcount", "verified_references",
    "buyer_confirmed_references", "declared_references", "certifications", "note",
)  # fmt: skip


def shortlist_csv(session: Session, row: Shortlist, lang: str = "en") -> str:
    """The shortlist as UTF-8 CSV (with a BOM for spreadsheets), headers in `lang`, formula-like cells neutralised."""
    items = shortlist_items(session, row.id)
    counts = trust_counts(session, [s.id for _, s in items])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(column_titles(lang, SHORTLIST_COLUMNS))
    for item, startup in items:
        c = counts[startup.id]
        writer.writerow(
            [safe_cell(v) for v in (
                item.position + 1, startup.external_id, startup.name, summary_of(startup), startup.city,
                startup.region, startup.headcount, c.verified, c.buyer_confirmed, c.declared,
                "; ".join(startup.certifications or []), item.note,
            )]
        )  # fmt: skip
    return "\ufeff" + out.getvalue()


@router.get(
    "",
    summary="My shortlists",
    description="A buyer's own shortlists with their suppliers in order (staff: every buyer's).",
    responses=declare(401, 403),
)
def list_shortlists(session: SessionDep, identity: BuyerOrStaffDep) -> ShortlistsPublic:
    buyer = _buyer_pk(identity)
    rows = list(session.query(Shortlist).order_by(Shortlist.id)) if buyer is None else shortlists_of(session, buyer)
    return ShortlistsPublic(data=[shortlist_out(session, r) for r in rows], total=len(rows), limit=len(rows), offset=0)


@router.post(
    "",
    summary="Create a shortlist",
    description="Buyer keys only: a named shortlist (names are unique per buyer).",
    status_code=201,
    responses=declare(401, 403, 409, 422),
)
def new_shortlist(body: ShortlistIn, session: SessionDep, identity: BuyerOrStaffDep) -> ShortlistOut:
    if identity.role is not Role.buyer or identity.buyer_pk is None:
        raise forbidden("a shortlist belongs to a buyer: use a buyer key")
    return shortlist_out(session, create_shortlist(session, identity.buyer_pk, body.name))


@router.get(
    "/{shortlist_id}",
    summary="One shortlist",
    description="The buyer's own shortlist (another buyer's is not found).",
    responses=declare(401, 403, 404, 422),
)
def read_shortlist(shortlist_id: ShortlistId, session: SessionDep, identity: BuyerOrStaffDep) -> ShortlistOut:
    return shortlist_out(session, get_shortlist(session, shortlist_id, _buyer_pk(identity)))


@router.post(
    "/{shortlist_id}/items",
    summary="Add a supplier (with a note)",
    description="Adds the supplier at the end, or updates its note when it is already there.",
    responses=declare(401, 403, 404, 409, 422),
)
def add_item(
    shortlist_id: ShortlistId, body: ShortlistItemIn, session: SessionDep, identity: BuyerOrStaffDep
) -> ShortlistOut:
    row = get_shortlist(session, shortlist_id, _buyer_pk(identity))
    add_to_shortlist(session, row, viewable_supplier(session, identity, body.startup_id), body.note)
    return shortlist_out(session, row)


@router.delete(
    "/{shortlist_id}/items/{supplier_id}",
    summary="Remove a supplier",
    description="Removes the supplier; the others keep their order.",
    responses=declare(401, 403, 404, 422),
)
def remove_item(
    shortlist_id: ShortlistId, supplier_id: SupplierId, session: SessionDep, identity: BuyerOrStaffDep
) -> ShortlistOut:
    row = get_shortlist(session, shortlist_id, _buyer_pk(identity))
    remove_from_shortlist(session, row, repository.get_startup(session, supplier_id))
    session.flush()
    return shortlist_out(session, row)


@router.put(
    "/{shortlist_id}/order",
    summary="Reorder",
    description="Give every supplier id of the shortlist once, in the new order.",
    responses=declare(401, 403, 404, 422),
)
def reorder(shortlist_id: ShortlistId, body: ReorderIn, session: SessionDep, identity: BuyerOrStaffDep) -> ShortlistOut:
    row = get_shortlist(session, shortlist_id, _buyer_pk(identity))
    reorder_shortlist(session, row, body.order)
    session.flush()
    return shortlist_out(session, row)


@router.get(
    "/{shortlist_id}/export.csv",
    summary="Export as CSV",
    description=(
        "UTF-8 CSV for a procurement committee, headers in the Accept-Language (fr, ar; English by default); "
        "cells a spreadsheet could run as formulas are neutralised."
    ),
    responses={**declare(401, 403, 404, 422), 200: {"content": {"text/csv": {}}}},
)
def export_csv(shortlist_id: ShortlistId, request: Request, session: SessionDep, identity: BuyerOrStaffDep) -> Response:
    """Headers follow Accept-Language (fr, ar; English by default)."""
    row = get_shortlist(session, shortlist_id, _buyer_pk(identity))
    text = shortlist_csv(session, row, request_language(request) or "en")
    filename = f"shortlist-{row.id}.csv"
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
