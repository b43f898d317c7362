"""What an import did: counts, rejected rows with their line, field and reason, and the reject file."""

from __future__ import annotations

import csv
import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


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
    """Counts of one import; `rows` == created + updated + unchanged + len(rejected)."""

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

    @property
    def stored(self) -> int:
        """Rows now in the store as the file says (created, updated or already identical)."""
        return self.created + self.updated + self.unchanged

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "format": self.format,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected_count": len(self.rejected),
            "rejected": [error.to_dict() for error in self.rejected],
            "extra": dict(self.extra),
            "warnings": list(self.warnings),
        }

    def lines(self, max_rejects: int = 10) -> list[str]:
        """A plain-text summary for logs and e-mails (the CLI renders its own Rich version)."""
        out = [
            f"{self.kind} from {self.source} ({self.format}): {self.rows} rows, {self.created} created, "
            f"{self.updated} updated, {self.unchanged} unchanged, {len(self.rejected)} rejected"
        ]
        if self.extra:
            out.append(", ".join(f"{key} {value}" for key, value in self.extra.items()))
        out.extend(f"warning: {warning}" for warning in self.warnings)
        unit = position_label(self.format)
        for error in self.rejected[:max_rejects]:
            where = f"{unit} {error.line}" + (f", {error.field}" if error.field else "")
            ident = f" [{error.external_id}]" if error.external_id else ""
            out.append(f"rejected {where}{ident}: {error.reason}")
        if len(self.rejected) > max_rejects:
            out.append(f"… and {len(self.rejected) - max_rejects} more rejected rows")
        return out


def position_label(fmt: str) -> str:
    """What RowError.line counts for a format: a text line, or the position of an item."""
    return {"csv": "line", "jsonl": "line", "decp": "record", "ocds": "record"}.get(fmt, "item")


REJECT_COLUMNS = ("line", "field", "reason", "external_id", "raw")


def write_rejects(path: Path, errors: list[RowError]) -> None:
    """CSV of rejected rows with the raw row as JSON, so they can be fixed and re-imported."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(REJECT_COLUMNS)
        for error in errors:
            raw = json.dumps(error.raw, ensure_ascii=False, default=str) if error.raw is not None else ""
            writer.writerow([error.line, error.field or "", error.reason, error.external_id or "", raw])
