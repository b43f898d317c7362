"""Trust pages: a supplier's profile for buyers and staff, shortlists, comparison, contact requests
(sent by buyers, answered by startups) and the staff review queue of award links."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request, Response

from matcher.errors import ConflictError, NotFoundError
from matcher.linkage.ids import SCHEMES
from matcher.linkage.link import set_company_id
from matcher.store import Buyer, Startup, repository
from matcher.store.buyer_tools import (
    RateLimited,
    add_to_shortlist,
    contact_requests,
    create_contact_request,
    create_shortlist,
    decide_contact_request,
    get_contact_request,
    get_shortlist,
    remove_from_shortlist,
    shortlist_items,
    shortlists_of,
)
from matcher.store.keys import Identity, Role
from matcher.store.profile import trust_counts
from matcher.store.repository import FieldError
from matcher.store.trust import (
    add_declared_reference,
    audit,
    decide_link,
    declared_references,
    get_link,
    links_of,
    review_queue,
)
from service.routers.profiles import profile_out, viewable_supplier
from service.routers.shortlists import shortlist_csv
from service.web.render import (
    PageError,
    WebRoute,
    engine_slot,
    redirect,
    render,
    require,
    store_of,
    translator,
    web_session,
)

router = APIRouter(include_in_schema=False, route_class=WebRoute)

NoteField = Annotated[str, Form(max_length=1000)]


def _buyer(request: Request) -> Identity:
    identity = require(request, Role.buyer)
    if identity.buyer_pk is None:
        raise PageError(403, translator(request)("forbidden_role"))
    return identity


def _flash(request: Request, kind: str, message: str) -> None:
    web_session(request).flash(message, "success" if kind == "ok" else kind)


@router.get("/supplier/{supplier_id}")
def supplier_page(request: Request, supplier_id: str) -> Response:
    identity = require(request, Role.buyer, Role.staff, Role.startup)
    with store_of(request).session() as session:
        profile = profile_out(session, identity, viewable_supplier(session, identity, supplier_id))
        lists = (
            [{"id": s.id, "name": s.name} for s in shortlists_of(session, identity.buyer_pk)]
            if identity.buyer_pk
            else []
        )
        pending = False
        if identity.buyer_pk is not None:
            startup = repository.get_startup(session, supplier_id)
            pending = any(
                r.status == "pending"
                for r in contact_requests(session, buyer_id=identity.buyer_pk, startup_id=startup.id)
            )
    return render(request, "supplier.html", {"p": profile, "shortlists": lists, "pending": pending})


@router.post("/supplier/{supplier_id}/shortlist")
def supplier_to_shortlist(
    request: Request,
    supplier_id: str,
    shortlist: Annotated[str, Form(max_length=20)] = "",
    new_name: Annotated[str, Form(max_length=200)] = "",
    note: NoteField = "",
) -> Response:
    identity = _buyer(request)
    t = translator(request)
    assert identity.buyer_pk is not None
    with store_of(request).session() as session:
        startup = viewable_supplier(session, identity, supplier_id)
        if new_name.strip():
            row = create_shortlist(session, identity.buyer_pk, new_name)
        elif shortlist.isdigit():
            row = get_shortlist(session, int(shortlist), identity.buyer_pk)
        else:
            _flash(request, "error", t("shortlist_choose"))
            return redirect(f"/supplier/{quote(supplier_id, safe='')}")
        add_to_shortlist(session, row, startup, note)
        name, list_id = row.name, row.id
    _flash(request, "ok", t("shortlist_added", name=name))
    return redirect(f"/buyer/shortlists/{list_id}")


@router.post("/supplier/{supplier_id}/contact")
def supplier_contact(
    request: Request,
    supplier_id: str,
    message: NoteField = "",
    kind: Annotated[str, Form(pattern="^(contact|invite)$")] = "contact",
    tender: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    identity = _buyer(request)
    t = translator(request)
    assert identity.buyer_pk is not None
    try:
        with store_of(request).session() as session:
            startup = viewable_supplier(session, identity, supplier_id)
            tender_row = repository.get_tender(session, tender) if tender else None
            create_contact_request(
                session, identity.buyer_pk, startup, f"web:buyer:{identity.buyer_id}", kind, tender_row, message
            )
        _flash(request, "ok", t("contact_sent"))
    except RateLimited:
        _flash(request, "error", t("contact_rate_limited"))
    except ConflictError:
        _flash(request, "error", t("contact_already_pending"))
    return redirect(f"/supplier/{quote(supplier_id, safe='')}")


@router.get("/buyer/shortlists")
def shortlists_page(request: Request) -> Response:
    identity = _buyer(request)
    assert identity.buyer_pk is not None
    with store_of(request).session() as session:
        lists = [
            {"id": s.id, "name": s.name, "count": len(shortlist_items(session, s.id))}
            for s in shortlists_of(session, identity.buyer_pk)
        ]
    return render(request, "shortlists.html", {"lists": lists})


@router.get("/buyer/shortlists/{shortlist_id}")
def shortlist_page(request: Request, shortlist_id: int) -> Response:
    identity = _buyer(request)
    with store_of(request).session() as session:
        row = get_shortlist(session, shortlist_id, identity.buyer_pk)
        items = shortlist_items(session, row.id)
        counts = trust_counts(session, [s.id for _, s in items])
        members = [
            {"id": s.external_id, "name": s.name, "note": i.note, "city": s.city, "counts": counts[s.id]}
            for i, s in items
        ]
        name, list_id = row.name, row.id
    return render(request, "shortlist.html", {"name": name, "id": list_id, "members": members})


@router.get("/buyer/shortlists/{shortlist_id}/export.csv")
def shortlist_export(request: Request, shortlist_id: int) -> Response:
    identity = _buyer(request)
    with store_of(request).session() as session:
        row = get_shortlist(session, shortlist_id, identity.buyer_pk)
        text = shortlist_csv(session, row, translator(request).lang)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="shortlist-{shortlist_id}.csv"'},
    )


@router.post("/buyer/shortlists/{shortlist_id}/remove")
def shortlist_remove(request: Request, shortlist_id: int, supplier: Annotated[str, Form(max_length=128)]) -> Response:
    identity = _buyer(request)
    with store_of(request).session() as session:
        row = get_shortlist(session, shortlist_id, identity.buyer_pk)
        remove_from_shortlist(session, row, repository.get_startup(session, supplier))
    return redirect(f"/buyer/shortlists/{shortlist_id}")


@router.get("/compare")
def compare_page(request: Request, ids: Annotated[list[str], Query(max_length=4)] = []) -> Response:  # noqa: B006
    identity = require(request, Role.buyer, Role.staff)
    t = translator(request)
    if not 2 <= len(set(ids)) <= 4:
        raise PageError(422, t("compare_pick"))
    with store_of(request).session() as session:
        profiles = [profile_out(session, identity, viewable_supplier(session, identity, i)) for i in dict.fromkeys(ids)]
    return render(request, "compare.html", {"profiles": profiles})


@router.get("/me/requests")
def my_requests(request: Request) -> Response:
    identity = require(request, Role.startup)
    with store_of(request).session() as session:
        rows = contact_requests(session, startup_id=identity.startup_pk or -1)
        items = []
        for r in rows:
            buyer = session.get(Buyer, r.buyer_id)
            items.append({"r": r, "buyer": buyer.name if buyer else ""})
    return render(request, "requests.html", {"items": items})


@router.post("/me/requests/{request_id}/{answer}")
def answer_request(request: Request, request_id: int, answer: str) -> Response:
    identity = require(request, Role.startup)
    t = translator(request)
    if answer not in ("accept", "decline"):
        raise PageError(404, t("not_found_title"))
    with store_of(request).session() as session:
        row = get_contact_request(session, request_id)
        if row.startup_id != identity.startup_pk:
            raise NotFoundError("contact request", str(request_id))
        try:
            decide_contact_request(session, row, answer == "accept", f"web:startup:{identity.startup_id}")
        except ConflictError as exc:
            raise PageError(409, str(exc)) from exc
    _flash(request, "ok", t("request_accepted" if answer == "accept" else "request_declined"))
    return redirect("/me/requests")


@router.get("/staff/links")
def staff_links(request: Request) -> Response:
    require(request, Role.staff)
    with store_of(request).session() as session:
        views, total = review_queue(session, limit=100)
    return render(request, "staff/links.html", {"links": views, "total": total})


@router.post("/staff/links/{link_id}/{action}")
def staff_decide(request: Request, link_id: int, action: str, note: NoteField = "") -> Response:
    identity = require(request, Role.staff)
    t = translator(request)
    if action not in ("confirm", "reject"):
        raise PageError(404, t("not_found_title"))
    with store_of(request).session() as session:
        try:
            link = decide_link(
                session, link_id, action, f"web:{identity.name or identity.prefix}", "staff", note or None
            )
        except ConflictError as exc:
            raise PageError(409, str(exc)) from exc
        startup = session.get(Startup, link.startup_id)
        startup_id = startup.external_id if startup else ""
    engine_slot(request).refresh("startups", [startup_id])
    _flash(request, "ok", t("link_confirmed" if action == "confirm" else "link_rejected"))
    return redirect("/staff/links")


@router.get("/me/trust")
def my_trust(request: Request) -> Response:
    """The startup's control over what buyers see: visibility, company id, links, declared references."""
    identity = require(request, Role.startup)
    with store_of(request).session() as session:
        startup = repository.get_startup(session, identity.startup_id or "")
        links = links_of(session, startup.id)
        declared = declared_references(session, startup.id)
        context = {
            "startup": {
                "visible": startup.profile_visible,
                "company_id": startup.company_id or "",
                "scheme": startup.company_id_scheme or "",
                "id": startup.external_id,
            },
            "links": links,
            "declared": [{"title": d.title, "buyer": d.buyer_name, "year": d.year} for d in declared],
            "schemes": SCHEMES,
        }
    return render(request, "trust_settings.html", context)


@router.post("/me/trust/settings")
def my_trust_settings(
    request: Request,
    company_id: Annotated[str, Form(max_length=40)] = "",
    scheme: Annotated[str, Form(max_length=8)] = "",
    visible: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    identity = require(request, Role.startup)
    t = translator(request)
    with store_of(request).session() as session:
        startup = repository.get_startup(session, identity.startup_id or "")
        actor = f"web:startup:{identity.startup_id}"
        try:
            set_company_id(session, startup, scheme, company_id.strip(), actor)
        except FieldError as exc:
            _flash(request, "error", t("company_id_invalid", reason=str(exc)))
            session.rollback()
            return redirect("/me/trust")
        wanted = visible == "1"
        if wanted != startup.profile_visible:
            startup.profile_visible = wanted
            audit(session, "visibility", startup.id, actor, "profile_visible", value=wanted)
    _flash(request, "ok", t("trust_saved"))
    return redirect("/me/trust")


@router.post("/me/trust/links/{link_id}/dispute")
def my_dispute(request: Request, link_id: int, note: NoteField = "") -> Response:
    identity = require(request, Role.startup)
    t = translator(request)
    with store_of(request).session() as session:
        link = get_link(session, link_id)
        if link.startup_id != identity.startup_pk:
            raise NotFoundError("link", str(link_id))
        try:
            decide_link(session, link_id, "dispute", f"web:startup:{identity.startup_id}", "startup", note or None)
        except ConflictError as exc:
            raise PageError(409, str(exc)) from exc
    _flash(request, "ok", t("link_disputed"))
    return redirect("/me/trust")


@router.post("/me/trust/references")
def my_declare(
    request: Request,
    title: Annotated[str, Form(min_length=1, max_length=500)],
    buyer_name: Annotated[str, Form(max_length=300)] = "",
    year: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    identity = require(request, Role.startup)
    t = translator(request)
    with store_of(request).session() as session:
        try:
            add_declared_reference(
                session,
                identity.startup_id or "",
                title,
                buyer_name.strip() or None,
                int(year) if year.isdigit() else None,
            )
        except FieldError as exc:
            _flash(request, "error", str(exc))
            session.rollback()
            return redirect("/me/trust")
    _flash(request, "ok", t("reference_declared"))
    return redirect("/me/trust")
