"""Bulk import by upload: the same validation and row-level report as `tremplin ingest`."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, cast

from fastapi import APIRouter, File, Path, Query, UploadFile
from fastapi.responses import FileResponse

from matcher.errors import TremplinError
from matcher.ingest import IngestStoreError, Kind, ingest_bytes
from service.deps import EngineSlotDep, SettingsDep, StaffDep, StoreDep
from service.errors import ApiError, declare, invalid
from service.schemas import ImportReport

router = APIRouter(tags=["imports"])


class ImportKind(StrEnum):
    startups = "startups"
    tenders = "tenders"
    buyers = "buyers"


class ImportFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"
    json = "json"
    parquet = "parquet"
    ocds = "ocds"
    decp = "decp"


@router.post(
    "/imports/{kind}",
    summary="Import a file of startups, tenders or buyers",
    description="Staff only. Multipart upload (field `file`) of CSV, JSON Lines, JSON, Parquet, an OCDS package "
    "or a DECP file; the format is guessed from the file name unless `format` is given. Good rows are "
    "stored, bad rows are reported with their line, field and reason; a file that cannot be read at all "
    "is refused (422) and nothing is stored. The matching indexes are brought up to date afterwards.",
    responses=declare(401, 403, 409, 413, 422),
)
def import_file(
    kind: Annotated[ImportKind, Path(description="What the file holds.")],
    file: Annotated[UploadFile, File(description="The file to import.")],
    store: StoreDep,
    settings: SettingsDep,
    _identity: StaffDep,
    slot: EngineSlotDep,
    format: Annotated[ImportFormat | None, Query(description="Override the format guessed from the name.")] = None,
) -> ImportReport:
    data = file.file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise ApiError(413, f"the file exceeds {settings.max_upload_bytes} bytes")
    token = uuid.uuid4().hex
    reject_path = settings.home / "rejects" / f"{token}.csv"
    report = None
    try:
        report = ingest_bytes(
            store,
            cast(Kind, kind.value),
            data,
            filename=file.filename or f"upload.{format or 'csv'}",
            format=format.value if format else None,
            max_rows=settings.max_import_rows,
            keep_rejects=settings.max_reject_report,
            reject_path=reject_path,
        )
    except IngestStoreError as exc:
        raise ApiError(409, str(exc)) from exc
    except TremplinError as exc:
        raise invalid("file", str(exc)) from exc
    except (ValueError, UnicodeError) as exc:
        raise invalid("file", f"the file could not be read: {exc}") from exc
    finally:
        del data
        if report is None:  # the file was refused as a whole: no reject report to offer
            reject_path.unlink(missing_ok=True)
    slot.sync()
    answer = report.to_dict()
    listed = answer.pop("rejected")
    answer["rejected"] = {  # the list envelope: the first rows, `total` counts them all
        "data": listed,
        "total": answer.pop("rejected_count"),
        "limit": settings.max_reject_report,
        "offset": 0,
    }
    answer.pop("rejected_truncated", None)  # said by total > len(data)
    if report.rejected_count:
        answer["rejects_url"] = f"/imports/rejects/{token}"
    else:
        reject_path.unlink(missing_ok=True)
    return ImportReport.model_validate(answer)


@router.get(
    "/imports/rejects/{token}",
    summary="Every rejected row of an import, as CSV",
    description="Staff only. The `rejects_url` of an import answer: line, field, reason, external id and the raw "
    "row as JSON, for fixing and re-importing.",
    response_class=FileResponse,
    responses=declare(401, 403, 404, 422) | {200: {"content": {"text/csv": {}}}},
)
def rejects_file(
    token: Annotated[str, Path(pattern="^[0-9a-f]{32}$", description="From `rejects_url`.")],
    settings: SettingsDep,
    _identity: StaffDep,
) -> FileResponse:
    path = settings.home / "rejects" / f"{token}.csv"
    if not path.is_file():
        raise ApiError(404, "no such reject report")
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=f"rejects-{token[:8]}.csv")
