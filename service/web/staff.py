"""Staff pages: the dashboard (counts, index freshness, digest status) and file import with its row report."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, File, Form, Request, Response, UploadFile

from matcher.digests import curate
from matcher.digests.views import BatchContent
from matcher.errors import TremplinError
from matcher.ingest import FORMATS, KINDS, IngestStoreError, Kind, ingest_bytes
from matcher.store.keys import Identity, Role
from matcher.store.status import index_freshness
from service.web.render import (
    WebRoute,
    render,
    require,
    settings_of,
    store_of,
    translator,
    web_session,
)

router = APIRouter(include_in_schema=False, route_class=WebRoute)

DASHBOARD_BATCHES = 6


def require_staff(request: Request) -> Identity:
    return require(request, Role.staff)


def actor_of(identity: Identity) -> str:
    return f"web:{identity.name or identity.prefix}"


# -- dashboard ---------------------------------------------------------------------------------------
@router.get("/staff")
def dashboard(request: Request) -> Response:
    require_staff(request)
    store = store_of(request)
    counts = store.counts()
    freshness = index_freshness(store)
    with store.session() as session:
        batches = [
            BatchContent.load(session, batch.id).summary() for batch in curate.list_batches(session)[:DASHBOARD_BATCHES]
        ]
    return render(request, "staff/dashboard.html", {"counts": counts, "freshness": freshness, "batches": batches})


# -- import ------------------------------------------------------------------------------------------
@router.get("/staff/import")
def import_form(request: Request) -> Response:
    require_staff(request)
    return _import_page(request, None, None, "startups", "")


def _import_page(request: Request, report: dict[str, Any] | None, error: str | None, kind: str, fmt: str) -> Response:
    return render(
        request,
        "staff/import.html",
        {"report": report, "error": error, "kinds": KINDS, "formats": FORMATS, "kind": kind, "format": fmt},
        status=422 if error else 200,
    )


@router.post("/staff/import")
def import_file(
    request: Request,
    kind: Annotated[str, Form()],
    file: Annotated[UploadFile | None, File()] = None,
    format: Annotated[str, Form()] = "",
) -> Response:
    require_staff(request)
    t = translator(request)
    settings = settings_of(request)
    if kind not in KINDS:
        return _import_page(request, None, f"kind: {kind!r}", "startups", format)
    if format and format not in FORMATS:
        return _import_page(request, None, f"format: {format!r}", kind, "")
    if file is None or not file.filename:
        return _import_page(request, None, t("import_no_file"), kind, format)
    data = file.file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        return _import_page(request, None, t("import_too_large", limit=settings.max_upload_bytes), kind, format)
    try:
        report = ingest_bytes(
            store_of(request),
            cast(Kind, kind),
            data,
            file.filename,
            format or None,
            max_rows=settings.max_import_rows,
            keep_rejects=settings.max_reject_report,
        )
    except IngestStoreError as exc:
        return _import_page(request, None, t("import_failed", reason=t.error(exc)), kind, format)
    except (TremplinError, ValueError, UnicodeError) as exc:
        return _import_page(request, None, t("import_failed", reason=t.error(exc)), kind, format)
    request.app.state.engine_slot.sync()
    result = report.to_dict()
    web_session(request).flash(
        t("import_done", stored=report.stored, rejected=report.rejected_count),
        "warning" if report.rejected else "success",
    )
    return _import_page(request, result, None, kind, format)
