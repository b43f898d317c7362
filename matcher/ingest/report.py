"""What an import did: counts, rejected rows with their line, field and reason, and the reject file."""

from __future__ import annotations

import csv
import dataclasses
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from matcher.text import spreadsheet_safe


@dataclass
class RowError:
    """One rejected row: where it is in the file, which field is wrong and why.

    `line` is the CSV line (header = 1, first data row = 2), the JSON Lines line, or the 1-based
    position of the item in a JSON list / Parquet file / DECP `marches` / OCDS package.
    """

    line: int
    field: str | None
    reason: str
    external_id: str | None
    raw: Any = dataclasses.field(default=None, repr=False, compare=False)
    # The reason as a message code with parameters (rendered per language by matcher.i18n); None if only English.
    code: str | None = dataclasses.field(default=None, compare=False)
    params: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "line": self.line,
            "field": self.field,
            "reason": self.reason,
            "external_id": self.external_id,
        }
        if self.code:
            out |= {"code": self.code, "params": self.params}
        return out


@dataclass
class IngestReport:
    """Counts of one import; `rows` == created + updated + unchanged + rejected_count.

    Only the first `keep_rejects` rejected rows are kept in memory (and in the API answer); every
    rejected row is counted by cause and, when a reject file is open, written to it as it comes.
    """

    kind: str
    source: str
    format: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RowError] = dataclasses.field(default_factory=list)
    extra: dict[str, int] = dataclasses.field(default_factory=dict)
    warnings: list[str] = dataclasses.field(default_factory=list)
    rejected_count: int = 0
    reject_causes: Counter[str] = dataclasses.field(default_factory=Counter)
    keep_rejects: int | None = None
    reject_file: RejectFile | None = dataclasses.field(default=None, repr=False)

    @property
    def stored(self) -> int:
        """Rows now in the store as the file says (created, updated or already identical)."""
        return self.created + self.updated + self.unchanged

    def reject(self, error: RowError) -> None:
        self.rejected_count += 1
        self.reject_causes[reason_kind(error)] += 1
        if self.keep_rejects is None or len(self.rejected) < self.keep_rejects:
            self.rejected.append(error)
        if self.reject_file is not None:
            self.reject_file.write(error)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "format": self.format,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected_count": max(self.rejected_count, len(self.rejected)),
            "rejected": [error.to_dict() for error in self.rejected],
            "rejected_truncated": self.rejected_count > len(self.rejected),
            "reject_causes": dict(self.reject_causes.most_common(20)),
            "extra": dict(self.extra),
            "warnings": list(self.warnings),
        }

    def lines(self, max_rejects: int = 10) -> list[str]:
        """A plain-text summary for logs and e-mails (the CLI renders its own Rich version)."""
        rejected = max(self.rejected_count, len(self.rejected))
        out = [
            f"{self.kind} from {self.source} ({self.format}): {self.rows} rows, {self.created} created, "
            f"{self.updated} updated, {self.unchanged} unchanged, {rejected} rejected"
        ]
        if self.extra:
            out.append(", ".join(f"{key} {value}" for key, value in self.extra.items()))
        out.extend(f"warning: {warning}" for warning in self.warnings)
        unit = position_label(self.format)
        for error in self.rejected[:max_rejects]:
            where = f"{unit} {error.line}" + (f", {error.field}" if error.field else "")
            ident = f" [{error.external_id}]" if error.external_id else ""
            out.append(f"rejected {where}{ident}: {error.reason}")
        total = max(self.rejected_count, len(self.rejected))
        if total > max_rejects:
            out.append(f"… and {total - max_rejects} more rejected rows")
        return out


def position_label(fmt: str) -> str:
    """What RowError.line counts for a format: a text line, or the position of an item."""
    return {"csv": "line", "jsonl": "line", "decp": "record", "ocds": "record"}.get(fmt, "item")


REJECT_COLUMNS = ("line", "field", "reason", "external_id", "raw")


def reason_kind(error: RowError) -> str:
    """'duplicate external id: already on record 3' → 'id: duplicate external id'."""
    cause = re.split(r"[:(;]", error.reason, maxsplit=1)[0].strip()
    return f"{error.field}: {cause}" if error.field else cause


class RejectFile:
    """CSV of rejected rows with the raw row as JSON, written as they come (so they can be fixed and
    re-imported); formula-like cells are neutralised for spreadsheets."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.handle: IO[str] = open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self.writer = csv.writer(self.handle)
        self.writer.writerow(REJECT_COLUMNS)

    def write(self, error: RowError) -> None:
        raw = json.dumps(error.raw, ensure_ascii=False, default=str) if error.raw is not None else ""
        cells = [error.line, error.field or "", error.reason, error.external_id or "", raw]
        self.writer.writerow([spreadsheet_safe(cell) for cell in cells])

    def close(self) -> None:
        self.handle.close()


def write_rejects(path: Path, errors: list[RowError]) -> None:
    """All of `errors` to a reject CSV at once."""
    rejects = RejectFile(path)
    try:
        for error in errors:
            rejects.write(error)
    finally:
        rejects.close()
