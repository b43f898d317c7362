"""Every row through the pydantic schema: good rows kept, bad rows reported with line, field, reason.

Rows come from the tabular readers (after column mapping) or from the OCDS / DECP importers, as
`Draft`s: schema-named values plus, for award data, the winning suppliers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import String

from matcher.i18n import error_code
from matcher.ingest.errors import IngestError
from matcher.ingest.mapping import SCHEMAS, ColumnMap
from matcher.ingest.readers import SourceRow
from matcher.ingest.report import RowError
from matcher.store import Buyer, Startup, Tender


@dataclass
class AwardDraft:
    """A supplier that won the contract of a tender row (DECP titulaire, OCDS award supplier)."""

    supplier_id: str
    supplier_name: str
    amount: float | None = None
    awarded_at: datetime | None = None


@dataclass
class Draft:
    """One row in schema terms; `problem` when the reader or importer already knows it is bad."""

    line: int
    values: dict[str, Any]
    raw: Any
    sources: dict[str, str] = field(default_factory=dict)  # schema field → name in the file
    awards: list[AwardDraft] = field(default_factory=list)
    buyer_kind_guess: str | None = None  # used only when the buyer is created
    problem: tuple[str | None, str] | None = None  # (field, reason)


@dataclass
class ValidRow:
    line: int
    model: Any  # StartupIn | TenderIn | BuyerIn
    raw: Any
    awards: list[AwardDraft] = field(default_factory=list)
    buyer_kind_guess: str | None = None

    @property
    def external_id(self) -> str:
        return str(self.model.external_id)


_MODELS = {"startups": Startup, "tenders": Tender, "buyers": Buyer}
_BUYER_FIELDS = {"buyer_external_id": "external_id", "buyer_name": "name"}


def drafts_from_rows(
    kind: str, rows: list[SourceRow], filename: str, whole_file: bool = True
) -> tuple[list[Draft], list[str]]:
    """Map tabular rows onto schema fields; a required column absent from the whole file is fatal."""
    columns: list[str] = []
    for row in rows:
        if isinstance(row.raw, dict):
            columns.extend(column for column in row.raw if column not in columns)
    mapping = column_map(kind, columns, filename, whole_file)
    return map_rows(mapping, rows), mapping.warnings()


def column_map(kind: str, columns: list[str], filename: str, whole_file: bool = True) -> ColumnMap:
    """The file's columns → schema fields, once per file (chunks are then mapped with `map_rows`)."""
    mapping = ColumnMap.build(kind, columns)
    missing = mapping.missing_required()
    if whole_file and missing:
        found = ", ".join(columns[:8]) + ("…" if len(columns) > 8 else "")
        raise IngestError(
            f"{filename}: missing required column {' and '.join(repr(m) for m in missing)} for {kind} (found: {found})",
            "e_missing_columns",
            file=filename,
            columns=", ".join(missing),
            found=found,
        )
    return mapping


def map_rows(mapping: ColumnMap, rows: list[SourceRow]) -> list[Draft]:
    drafts = []
    for row in rows:
        if row.problem or not isinstance(row.raw, dict):
            drafts.append(Draft(row.line, {}, row.raw, problem=(None, row.problem or "not an object")))
            continue
        values, sources = mapping.apply(row.raw)
        problem = _tidy(values)
        drafts.append(Draft(row.line, values, row.raw, sources=sources, problem=problem))
    return drafts


def _tidy(values: dict[str, Any]) -> tuple[str | None, str] | None:
    """Ids read as numbers by Parquet keep their integer form; a CSV cell may carry lots as a JSON list."""
    for key in ("external_id", "buyer_external_id"):
        value = values.get(key)
        if isinstance(value, float) and value.is_integer():
            values[key] = int(value)
    lots = values.get("lots")
    if isinstance(lots, str):
        if not lots.strip():
            values.pop("lots")
            return None
        try:
            values["lots"] = json.loads(lots)
        except ValueError as exc:
            return "lots", f"lots must be a JSON list of objects ({exc})"
    return None


def validate(
    kind: str, drafts: list[Draft], unit: str = "line", first_line: dict[str, int] | None = None
) -> tuple[list[ValidRow], list[RowError]]:
    """Validate every draft; the later of two rows with the same external id is a duplicate.

    `unit` names what a draft's line counts ('line', 'record', 'item') in the duplicate message;
    `first_line` (id → line) carries the ids seen in earlier chunks of the same file.
    """
    schema = SCHEMAS[kind]
    valid: list[ValidRow] = []
    errors: list[RowError] = []
    first_line = {} if first_line is None else first_line
    for draft in drafts:
        guess_id = _guess_id(draft.values)
        if draft.problem is not None:
            errors.append(RowError(draft.line, draft.problem[0], draft.problem[1], guess_id, draft.raw))
            continue
        try:
            model: Any = schema.model_validate(draft.values)
        except ValidationError as exc:
            field_name, reason, code, params = _describe(exc, draft.sources)
            errors.append(RowError(draft.line, field_name, reason, guess_id, draft.raw, code, params))
            continue
        broken = _too_long(kind, model) or _duplicate_lot(kind, model)
        if broken:
            field_name = draft.sources.get(broken[0], broken[0])
            code, params = broken[2], broken[3]
            errors.append(RowError(draft.line, field_name, broken[1], str(model.external_id), draft.raw, code, params))
            continue
        external_id = str(model.external_id)
        if external_id in first_line:
            errors.append(
                RowError(
                    draft.line,
                    draft.sources.get("external_id", "external_id"),
                    f"duplicate external id: already on {unit} {first_line[external_id]}",
                    external_id,
                    draft.raw,
                    "v_duplicate_id",
                    {"line": first_line[external_id]},
                )
            )
            continue
        first_line[external_id] = draft.line
        valid.append(ValidRow(draft.line, model, draft.raw, draft.awards, draft.buyer_kind_guess))
    return valid, errors


def _guess_id(values: dict[str, Any]) -> str | None:
    value = values.get("external_id")
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def _describe(exc: ValidationError, sources: dict[str, str]) -> tuple[str | None, str, str, dict[str, Any]]:
    """(field as named in the file, readable reason, message code, its params) of the first error.

    The English reason names the other errors too; the code (``v_<pydantic type>`` or a domain code such
    as ``v_cpv_invalid``) lets pages say the first one in the reader's language.
    """
    problems = []
    for error in exc.errors():
        location = [str(part) for part in error["loc"]]
        name = sources.get(location[0], location[0]) if location else None
        if name and len(location) > 1:
            name = ".".join([name, *location[1:]])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "missing" or (error.get("input") is None and error["type"].endswith("_type")):
            message = "required value missing"
        problems.append((name, message))
    name, reason = problems[0]
    if len(problems) > 1:
        reason += "; also " + "; ".join(f"{other}: {msg}" for other, msg in problems[1:4])
    code, params = error_code(exc.errors()[0])
    if len(problems) > 1:
        params["others"] = len(problems) - 1
    return name, reason, code, params


_Broken = tuple[str, str, str, dict[str, Any]]  # (field, English reason, message code, params)


def _duplicate_lot(kind: str, model: BaseModel) -> _Broken | None:
    if kind != "tenders":
        return None
    numbers = [lot.lot_number for lot in getattr(model, "lots", [])]
    repeated = sorted({n for n in numbers if numbers.count(n) > 1})
    if repeated:
        return "lots", f"lot number {repeated[0]} appears twice", "v_lot_twice", {"lot": repeated[0]}
    return None


def _too_long(kind: str, model: BaseModel) -> _Broken | None:
    """Values longer than their SQL column: PostgreSQL would refuse the whole batch, so refuse the row."""
    table = _MODELS[kind].__table__
    for name, value in model:
        column_name = name
        column_table = table
        if kind == "tenders" and name in _BUYER_FIELDS:
            column_table, column_name = Buyer.__table__, _BUYER_FIELDS[name]
        if column_name not in column_table.c or not isinstance(value, str):
            continue
        column_type = column_table.c[column_name].type
        if isinstance(column_type, String) and column_type.length and len(value) > column_type.length:
            message = f"longer than {column_type.length} characters ({len(value)})"
            return name, message, "v_longer_than", {"max_length": column_type.length, "length": len(value)}
    return None
