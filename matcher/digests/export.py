"""CSV (one row per item, for a spreadsheet review) and JSON (nested, for tools) exports of a batch.

The CSV is read by staff: its header row and its words (status, grade, eligibility, why) are in the
reader's language, dates and amounts stay as a spreadsheet sorts them. JSON keeps field names and codes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import Session

from matcher.digests.render import gaps, summary_sentence
from matcher.digests.views import BatchContent
from matcher.i18n import translate
from matcher.i18n.columns import column_titles, yes_no
from matcher.text import spreadsheet_safe

FORMATS = ("csv", "json")
CSV_COLUMNS = (
    "week", "audience", "batch_status", "digest_id", "recipient_kind", "recipient_id", "recipient_name",
    "recipient_email", "language", "digest_note", "item_id", "position", "removed", "pinned", "added_by_hand",
    "grade", "probability", "tender_id", "tender_title", "buyer", "deadline_at", "estimated_value", "currency",
    "startup_id", "startup_name", "eligibility", "gaps", "why", "shared_terms", "item_note", "delivery_status",
    "delivered_at", "message_id",
)  # fmt: skip


def batch_json(session: Session, batch_id: int) -> dict[str, Any]:
    content = BatchContent.load(session, batch_id)
    return {"batch": content.summary(), "digests": [content.digest(d) for d in content.digests()]}


def _word(lang: str, prefix: str, code: str | None) -> str | None:
    return translate(lang, f"{prefix}{code}") if code else None


def csv_rows(session: Session, batch_id: int, lang: str = "en") -> Iterator[dict[str, Any]]:
    """One dict per item, keyed by `CSV_COLUMNS`, its words in `lang`."""
    content = BatchContent.load(session, batch_id)
    batch = content.batch
    for digest in content.digests():
        view = content.digest(digest)
        recipient, delivery = view["recipient"], view["delivery"] or {}
        for item in view["items"]:
            tender = item.get("tender") or {}
            startup = item.get("startup") or {}
            explanation = item["explanation"]
            eligibility = (explanation.get("eligibility") or {}).get("status")
            yield {
                "week": batch.week,
                "audience": _word(lang, "audience_", batch.audience),
                "batch_status": _word(lang, "status_", batch.status),
                "digest_id": digest.id,
                "recipient_kind": _word(lang, "kind_", recipient["kind"]),
                "recipient_id": recipient["id"],
                "recipient_name": recipient["name"],
                "recipient_email": recipient["email"],
                "language": recipient["language"],
                "digest_note": view["note"],
                "item_id": item["item_id"],
                "position": item["position"],
                "removed": yes_no(lang, item["removed"]),
                "pinned": yes_no(lang, item["pinned"]),
                "added_by_hand": yes_no(lang, item["added_by_hand"]),
                "grade": translate(lang, f"grade_{item['grade']}"),
                "probability": round(item["probability"], 3),
                "tender_id": tender.get("id"),
                "tender_title": tender.get("title"),
                "buyer": tender.get("buyer_name"),
                "deadline_at": tender.get("deadline_at"),
                "estimated_value": tender.get("estimated_value"),
                "currency": tender.get("currency"),
                "startup_id": startup.get("id"),
                "startup_name": startup.get("name"),
                "eligibility": translate(lang, eligibility) if eligibility else None,
                "gaps": " | ".join(gaps(explanation, lang)),
                "why": summary_sentence(explanation, lang) if explanation else None,
                "shared_terms": ", ".join(explanation.get("shared_terms") or []),
                "item_note": item["note"],
                "delivery_status": _word(lang, "delivery_", delivery.get("status")),
                "delivered_at": delivery.get("delivered_at"),
                "message_id": delivery.get("message_id"),
            }


def export_batch(session: Session, batch_id: int, fmt: str = "csv", lang: str = "en") -> str:
    """The whole batch, removed items included (flagged), as CSV or JSON text.

    CSV cells that a spreadsheet would read as a formula are neutralised (see `spreadsheet_safe`).
    """
    if fmt not in FORMATS:
        raise ValueError(f"format: must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "json":
        return json.dumps(batch_json(session, batch_id), ensure_ascii=False, indent=2, default=str)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(column_titles(lang, CSV_COLUMNS))
    for row in csv_rows(session, batch_id, lang):
        writer.writerow(["" if row[key] is None else spreadsheet_safe(row[key]) for key in CSV_COLUMNS])
    return buffer.getvalue()
