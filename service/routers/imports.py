"""Bulk import by upload: the same validation and row-level report as `tremplin ingest`."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, cast

from fastapi import APIRouter, File, Path, Query, UploadFile

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
    try:
        report = ingest_bytes(
            store,
            cast(Kind, kind.value),
            data,
            filename=file.filename or f"upload.{format or 'csv'}",
            format=format.value if format else None,
        )
    except IngestStoreError as exc:
        raise ApiError(409, str(exc)) from exc
    except TremplinError as exc:
        raise invalid("file", str(exc)) from exc
    except (ValueError, UnicodeError) as exc:
        raise invalid("file", f"the file could not be read: {exc}") from exc
    slot.sync()
    shown = report.to_dict()
    shown.pop("rejected_count", None)
    rejected = shown.pop("rejected")
    shown["rejected"] = {"data": rejected, "total": len(rejected), "limit": len(rejected), "offset": 0}
    return ImportReport.model_validate(shown)
