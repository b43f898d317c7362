"""CSV and JSON exports of a whole batch, removed items flagged."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import select

from matcher.digests import curate
from matcher.digests.export import CSV_COLUMNS, export_batch
from matcher.i18n.columns import column_titles
from matcher.store import DigestItem, Store, Tender
from tests.digests.conftest import make_batch

PLAN = {"S-IRRI": ["T-IRR-1", "T-IRR-5"], "S-SIHA": ["T-SIH-1"]}


def _remove(store: Store, batch_id: int, tender_external: str) -> None:
    with store.session() as session:
        item_id = session.scalar(
            select(DigestItem.id)
            .join(Tender, DigestItem.tender_id == Tender.id)
            .where(Tender.external_id == tender_external)
        )
        assert item_id is not None
        curate.remove_item(session, batch_id, item_id, "amina")


def test_csv_has_one_row_per_item_with_recipient_and_tender(world: Store) -> None:
    batch_id = make_batch(world, PLAN)
    _remove(world, batch_id, "T-IRR-1")
    with world.session() as session:
        reader = csv.reader(io.StringIO(export_batch(session, batch_id, "csv")))
    header, *cells = list(reader)
    assert header[:4] == ["Week", "Audience", "Batch status", "Digest no."] and len(header) == len(CSV_COLUMNS)
    rows = [dict(zip(CSV_COLUMNS, row, strict=True)) for row in cells]
    by_tender = {row["tender_id"]: row for row in rows}
    assert set(by_tender) == {"T-IRR-1", "T-IRR-5", "T-SIH-1"}
    assert by_tender["T-IRR-1"]["removed"] == "yes" and by_tender["T-IRR-5"]["position"] == "1"
    assert by_tender["T-IRR-5"]["removed"] == "no" and by_tender["T-IRR-5"]["batch_status"] == "draft"
    assert by_tender["T-IRR-5"]["recipient_email"] == "contact@irrigo.ma"
    assert by_tender["T-IRR-5"]["buyer"] == "Office National de l'Électricité et de l'Eau"
    assert by_tender["T-IRR-5"]["gaps"] == "requires ISO 9001, not in your profile"
    assert by_tender["T-IRR-5"]["grade"] in {
        "Strong match",
        "Good match",
        "Possible match",
        "Below the relevance floor",
    }
    assert 0 <= float(by_tender["T-IRR-5"]["probability"]) <= 1
    assert "score" not in header  # a person reads a grade, never the raw score
    assert by_tender["T-SIH-1"]["language"] == "ar"


def test_csv_speaks_the_readers_language(world: Store) -> None:
    """A French or Arabic reader gets headers and words in that language, not English."""
    batch_id = make_batch(world, PLAN)
    _remove(world, batch_id, "T-IRR-1")
    with world.session() as session:
        french = list(csv.reader(io.StringIO(export_batch(session, batch_id, "csv", "fr"))))
        arabic = list(csv.reader(io.StringIO(export_batch(session, batch_id, "csv", "ar"))))
    assert french[0] == column_titles("fr", CSV_COLUMNS) and french[0][:2] == ["Semaine", "Destinataires"]
    by_tender = {row["tender_id"]: row for row in (dict(zip(CSV_COLUMNS, r, strict=True)) for r in french[1:])}
    assert by_tender["T-IRR-1"]["removed"] == "oui" and by_tender["T-IRR-5"]["batch_status"] == "brouillon"
    assert by_tender["T-IRR-5"]["gaps"] == "exige ISO 9001, absent de votre profil"
    assert by_tender["T-IRR-5"]["why"].startswith("Pertinent")
    assert by_tender["T-IRR-5"]["eligibility"] != "eligible_with_gaps"
    assert arabic[0][0] == "الأسبوع" and {r[CSV_COLUMNS.index("removed")] for r in arabic[1:]} == {"نعم", "لا"}


def test_json_nests_digests_and_items(world: Store) -> None:
    batch_id = make_batch(world, PLAN)
    with world.session() as session:
        data = json.loads(export_batch(session, batch_id, "json"))
        with pytest.raises(ValueError, match="format: must be one of csv, json, not 'xml'"):
            export_batch(session, batch_id, "xml")
    assert data["batch"]["week"] == "2026-W48" and data["batch"]["items"] == 3
    names = {d["recipient"]["name"]: [i["tender"]["id"] for i in d["items"]] for d in data["digests"]}
    assert names == {"Irrigo": ["T-IRR-1", "T-IRR-5"], "Sihati": ["T-SIH-1"]}
    assert data["digests"][0]["items"][0]["explanation"]["shared_terms"] == ["irrigation", "goutte-à-goutte"]
