"""Staff pages that list startups, tenders and buyers, with a text search and pages of PAGE_SIZE rows.

The search is the API's `q` (name/title or description contains the words), so the page and
`GET /startups?q=…` answer the same rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from matcher.store import repository
from service.web.i18n import Translator
from service.web.render import WebRoute, render, store_of, translator
from service.web.staff import require_staff

router = APIRouter(include_in_schema=False, route_class=WebRoute)

PAGE_SIZE = 25
MAX_QUERY = 200

Cell = dict[str, Any]


def _cell(text: object, href: str | None = None, *, data: bool = False, muted: bool = False) -> Cell:
    """One table cell; `data` marks text as stored (any language: shown with dir="auto")."""
    return {"text": "" if text is None else str(text), "href": href, "data": data, "muted": muted}


def _list_page(
    request: Request,
    kind: str,
    q: str,
    page: int,
    fetch: Callable[[Session, str | None, int, int], tuple[list[Any], int]],
    headers: list[str],
    row: Callable[[Any, Translator], list[Cell]],
) -> Response:
    require_staff(request)
    t = translator(request)
    q = " ".join(q.split())[:MAX_QUERY]
    page = max(page, 1)
    with store_of(request).session() as session:
        items, total = fetch(session, q or None, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        pages = max(1, -(-total // PAGE_SIZE))
        if page > pages:  # past the end (e.g. a narrower search): show the last page
            page = pages
            items, total = fetch(session, q or None, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        rows = [row(item, t) for item in items]

    def link(number: int) -> str:
        return f"/staff/{kind}?" + urlencode({"q": q, "page": number} if q else {"page": number})

    return render(
        request,
        "staff/list.html",
        {
            "kind": kind,
            "title_key": f"staff_{kind}_title",
            "search_key": "list_search_label_tenders" if kind == "tenders" else "list_search_label",
            "q": q,
            "headers": headers,
            "rows": rows,
            "total": total,
            "page": page,
            "pages": pages,
            "previous": link(page - 1) if page > 1 else None,
            "next": link(page + 1) if page < pages else None,
        },
    )


@router.get("/staff/startups")
def startups(request: Request, q: str = "", page: int = 1) -> Response:
    def fetch(session: Session, text: str | None, limit: int, offset: int) -> tuple[list[Any], int]:
        found = repository.list_startups(session, q=text, limit=limit, offset=offset)
        return found.items, found.count

    def row(item: Any, t: Translator) -> list[Cell]:
        return [
            _cell(item.name, f"/startup/{quote(item.external_id, safe='')}/matches", data=True),
            _cell(item.external_id, muted=True),
            _cell(item.region, data=True),
            _cell(", ".join(item.sectors), data=True),
        ]

    return _list_page(request, "startups", q, page, fetch, ["col_name", "identifier", "region", "sectors"], row)


@router.get("/staff/tenders")
def tenders(request: Request, q: str = "", page: int = 1) -> Response:
    def fetch(session: Session, text: str | None, limit: int, offset: int) -> tuple[list[Any], int]:
        found = repository.list_tenders(session, q=text, limit=limit, offset=offset)
        return found.items, found.count

    def row(item: Any, t: Translator) -> list[Cell]:
        return [
            _cell(item.title, item.source_url or None, data=True),
            _cell(item.external_id, muted=True),
            _cell(item.buyer.name if item.buyer else "—", data=True),
            _cell(t.date(item.deadline_at) if item.deadline_at else t("no_deadline")),
            _cell(t(f"tender_status_{item.status}")),
        ]

    headers = ["col_title", "identifier", "buyer", "deadline", "status"]
    return _list_page(request, "tenders", q, page, fetch, headers, row)


@router.get("/staff/buyers")
def buyers(request: Request, q: str = "", page: int = 1) -> Response:
    def fetch(session: Session, text: str | None, limit: int, offset: int) -> tuple[list[Any], int]:
        found = repository.list_buyers(session, q=text, limit=limit, offset=offset)
        return found.items, found.count

    def row(item: Any, t: Translator) -> list[Cell]:
        return [
            _cell(item.name, data=True),
            _cell(item.external_id, muted=True),
            _cell(item.region or item.city, data=True),
            _cell(t.number(len(item.tenders))),
        ]

    return _list_page(request, "buyers", q, page, fetch, ["col_name", "identifier", "region", "col_tenders"], row)
