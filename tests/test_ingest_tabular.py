"""CSV / JSON Lines / JSON / Parquet imports of startups, tenders and buyers into a real SQLite store."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select, text

from matcher.ingest import IngestError, IngestStoreError, ingest_bytes, ingest_file, ingest_records
from matcher.store import Buyer, Startup, Store, Tender
from matcher.store.documents import startup_hash, tender_hash

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def _startup(store: Store, external_id: str) -> Startup:
    with store.session() as session:
        return session.scalars(select(Startup).where(Startup.external_id == external_id)).one()


def _tender(store: Store, external_id: str) -> Tender:
    with store.session() as session:
        tender = session.scalars(select(Tender).where(Tender.external_id == external_id)).unique().one()
        _ = tender.lots
        return tender


def test_startups_csv_keeps_good_rows_and_reports_bad_ones(store: Store) -> None:
    report = ingest_file(store, "startups", FIXTURES / "startups.csv")
    assert (report.rows, report.created, report.updated, report.unchanged) == (6, 3, 0, 0)
    rejected = {error.line: error for error in report.rejected}
    assert set(rejected) == {5, 6, 7}
    assert rejected[5].field == "founding_year" and rejected[5].external_id == "ST-004"
    assert rejected[6].field == "contact_email" and "not-an-email" in rejected[6].reason
    assert rejected[7].field == "external_id" and "already on line 3" in rejected[7].reason

    paynova = _startup(store, "ST-001")
    assert paynova.sectors == ["fintech", "paiement"]
    assert paynova.cpv_codes == ["66110000", "72000000"]
    assert paynova.references == ["Billetterie ONCF", "Marché de gros Casablanca"]
    assert paynova.references_count == 2
    assert paynova.annual_revenue == 4_200_000 and paynova.revenue_currency == "MAD"
    assert paynova.source == "file"
    assert paynova.content_hash == startup_hash(paynova)
    arabic = _startup(store, "ST-003")
    assert arabic.name == "منصة تعليم" and arabic.preferred_language == "ar"
    assert _startup(store, "ST-002").name == "AgriSense"  # the later duplicate did not overwrite it


def test_reimporting_the_same_file_changes_nothing(store: Store) -> None:
    ingest_file(store, "startups", FIXTURES / "startups.csv")
    ingest_file(store, "tenders", FIXTURES / "tenders.jsonl")
    before = _startup(store, "ST-001").updated_at, _tender(store, "AO-J-001").updated_at

    again = ingest_file(store, "startups", FIXTURES / "startups.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    tenders = ingest_file(store, "tenders", FIXTURES / "tenders.jsonl")
    assert (tenders.created, tenders.updated, tenders.unchanged) == (0, 0, 3)
    assert tenders.extra["buyers_created"] == 0 and tenders.extra["buyers_updated"] == 0
    assert (_startup(store, "ST-001").updated_at, _tender(store, "AO-J-001").updated_at) == before


def test_a_changed_row_is_updated_and_its_hash_follows(store: Store, tmp_path: Path) -> None:
    ingest_file(store, "startups", FIXTURES / "startups.csv")
    old = _startup(store, "ST-002")
    changed = tmp_path / "startups.csv"
    changed.write_text(
        (FIXTURES / "startups.csv").read_text().replace("Capteurs IoT", "Capteurs LoRa"), encoding="utf-8"
    )
    report = ingest_file(store, "startups", changed)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    new = _startup(store, "ST-002")
    assert new.description.startswith("Capteurs LoRa")
    assert new.content_hash != old.content_hash and new.updated_at > old.updated_at


def test_tenders_csv_with_french_headers_buyers_and_rejects(store: Store) -> None:
    report = ingest_file(store, "tenders", FIXTURES / "tenders.csv")
    assert (report.rows, report.created) == (5, 2)
    assert {(e.line, e.field) for e in report.rejected} == {(4, "Date limite"), (5, "Codes CPV"), (6, "Budget")}
    assert report.warnings == ["column 'Colonne libre' is not a tenders field: ignored"]

    tender = _tender(store, "AO-2026-001")
    assert tender.cpv_codes == ["72000000", "66110000"]
    assert tender.estimated_value == 2_500_000 and tender.currency == "MAD"
    assert tender.deadline_at == datetime(2026, 2, 20, 11, tzinfo=UTC)
    assert tender.reserved_for_sme is True and tender.min_references == 2 and tender.guarantee_amount == 50_000
    assert tender.status == "open" and tender.language == "fr"
    assert tender.buyer is not None
    assert (tender.buyer.external_id, tender.buyer.kind) == ("office-national-des-chemins-de-fer", "public_enterprise")
    assert tender.content_hash == tender_hash(tender)
    assert _tender(store, "AO-2026-002").buyer.kind == "ministry"  # type: ignore[union-attr]


def test_jsonl_tenders_with_lots_languages_and_buyer_rules(store: Store) -> None:
    report = ingest_file(store, "tenders", FIXTURES / "tenders.jsonl")
    assert report.rows == 7 and report.created == 3
    reasons = {error.line: (error.field, error.reason) for error in report.rejected}
    assert reasons[5] == ("lots", "lot number 1 appears twice")
    assert reasons[6][1].startswith("invalid JSON")
    assert reasons[8][0] == "buyer_external_id" and "unknown buyer 'MA-UNKNOWN'" in reasons[8][1]

    portal = _tender(store, "AO-J-001")
    assert [(lot.lot_number, lot.title, lot.cpv_codes) for lot in portal.lots] == [
        (1, "Développement", []),
        (2, "Hébergement", ["72400000"]),
    ]
    assert portal.buyer is not None and portal.buyer.external_id == "MA-TGR"
    assert _tender(store, "AO-J-002").language == "ar"  # detected from the Arabic text
    assert _tender(store, "AO-J-003").language == "en"
    assert _tender(store, "AO-J-003").currency == "MAD"


def test_tender_may_reference_a_buyer_imported_before(store: Store, tmp_path: Path) -> None:
    buyers = ingest_file(store, "buyers", FIXTURES / "buyers.csv")
    assert (buyers.created, [e.field for e in buyers.rejected]) == (4, ["type"])
    path = tmp_path / "t.csv"
    path.write_text("id,title,buyer_id\nT-1,Études géotechniques,MA-ONCF\n", encoding="utf-8")
    report = ingest_file(store, "tenders", path)
    assert report.created == 1 and report.extra["buyers_created"] == 0
    tender = _tender(store, "T-1")
    assert tender.buyer is not None and tender.buyer.name == "Office National des Chemins de Fer"
    assert tender.buyer.contact_email == "achats@oncf.example.ma"  # the richer buyer record is kept


def test_lots_are_updated_in_place_on_reimport(store: Store) -> None:
    first = [{"id": "T-L", "title": "Travaux", "lots": [{"lot_number": 1, "title": "Gros œuvre"},
                                                         {"lot_number": 2, "title": "Électricité"}]}]  # fmt: skip
    ingest_records(store, "tenders", first)
    second = [{"id": "T-L", "title": "Travaux", "lots": [{"lot_number": 2, "title": "Électricité et réseaux"},
                                                          {"lot_number": 3, "title": "Plomberie"}]}]  # fmt: skip
    report = ingest_records(store, "tenders", second)
    assert report.updated == 1
    tender = _tender(store, "T-L")
    assert [(lot.lot_number, lot.title) for lot in tender.lots] == [(2, "Électricité et réseaux"), (3, "Plomberie")]
    assert ingest_records(store, "tenders", second).unchanged == 1


def test_json_list_and_parquet_files(store: Store, tmp_path: Path) -> None:
    report = ingest_file(store, "tenders", FIXTURES / "tenders.json")
    assert report.created == 2
    assert {(e.line, e.field) for e in report.rejected} == {(3, "titre"), (4, "budget")}
    assert _tender(store, "AO-L-002").estimated_value == 1_200_000.5

    frame = pd.DataFrame(
        {
            "external_id": ["ST-P1", "ST-P2", "ST-P3"],
            "name": ["DataNest", "SolarKit", None],
            "sectors": [["data", "ia"], ["énergie"], []],
            "founding_year": [2020, None, 2019],
            "annual_revenue": [1_000_000.0, None, 5.0],
        }
    )
    path = tmp_path / "startups.parquet"
    frame.to_parquet(path)
    parquet = ingest_file(store, "startups", path)
    assert (parquet.format, parquet.created) == ("parquet", 2)
    assert [(e.line, e.field) for e in parquet.rejected] == [(3, "name")]
    assert _startup(store, "ST-P1").sectors == ["data", "ia"] and _startup(store, "ST-P1").founding_year == 2020


def test_reject_file_lists_line_field_reason_id_and_raw_row(store: Store, tmp_path: Path) -> None:
    rejects = tmp_path / "out" / "rejects.csv"
    ingest_file(store, "startups", FIXTURES / "startups.csv", reject_path=rejects)
    rows = list(csv.DictReader(rejects.open(encoding="utf-8")))
    assert [row["line"] for row in rows] == ["5", "6", "7"]
    assert rows[0]["field"] == "founding_year" and rows[0]["external_id"] == "ST-004"
    assert json.loads(rows[0]["raw"])["founding_year"] == "deux mille"


def test_missing_required_column_refuses_the_file_and_stores_nothing(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "no_title.csv"
    path.write_text("id,description\nT-1,Sans titre\n", encoding="utf-8")
    with pytest.raises(IngestError, match="missing required column 'title'"):
        ingest_file(store, "tenders", path)
    assert store.counts()["tenders"] == 0


def test_bad_files_leave_what_is_stored_untouched(store: Store, tmp_path: Path) -> None:
    ingest_file(store, "startups", FIXTURES / "startups.csv")
    before = store.counts()
    truncated = tmp_path / "startups.json"
    truncated.write_text('[{"id": "ST-001", "name": "Écrasé"}, {"id": "ST-9"', encoding="utf-8")
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes('{"id": "ST-001", "name": "Ωμέγα"}\n'.encode("cp1253"))
    for path in (truncated, latin):
        with pytest.raises(IngestError):
            ingest_file(store, "startups", path)
    with pytest.raises(IngestError, match="DECP award data"):
        ingest_file(store, "startups", FIXTURES / "decp_sample.json")
    with pytest.raises(IngestError, match="no such file"):
        ingest_file(store, "startups", tmp_path / "absent.csv")
    assert store.counts() == before
    assert _startup(store, "ST-001").name == "PayNova"


def test_a_database_failure_stores_no_row_at_all(store: Store) -> None:
    with store.engine.begin() as connection:  # a real constraint of the database, hit by the last row
        connection.execute(
            text(
                "CREATE TRIGGER refuse_st005 BEFORE INSERT ON startups WHEN NEW.external_id = 'ST-LAST' "
                "BEGIN SELECT RAISE(ABORT, 'refused by trigger'); END"
            )
        )
    records = [{"id": f"ST-{n}", "name": f"Startup {n}"} for n in range(20)] + [{"id": "ST-LAST", "name": "Last"}]
    with pytest.raises(IngestStoreError, match="nothing was stored"):
        ingest_records(store, "startups", records)
    assert store.counts()["startups"] == 0


def test_ingest_bytes_and_records_follow_the_same_rules(store: Store) -> None:
    data = (FIXTURES / "buyers.csv").read_bytes()
    report = ingest_bytes(store, "buyers", data, "upload.csv")
    assert (report.source, report.format, report.created) == ("upload.csv", "csv", 4)
    with pytest.raises(IngestError, match=r"upload\.json"):
        ingest_bytes(store, "buyers", b"[{", "upload.json")

    batch: list[Any] = [{"external_id": "API-1", "nom": "Via API"}, {"name": "No id"}, 3]
    records = ingest_records(store, "startups", batch, source="api")
    assert records.created == 1
    assert [(e.line, e.field) for e in records.rejected] == [(2, "external_id"), (3, None)]
    assert _startup(store, "API-1").source == "api"
    with pytest.raises(IngestError, match="unknown kind"):
        ingest_records(store, "suppliers", [])  # type: ignore[arg-type]


def test_windows_1252_csv_from_excel_is_imported_with_a_warning(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("Identifiant;Raison sociale;Ville\nST-X;Société Générale d'Études;Fès\n".encode("cp1252"))
    report = ingest_file(store, "startups", path)
    assert report.created == 1 and any("Windows-1252" in w for w in report.warnings)
    assert _startup(store, "ST-X").name == "Société Générale d'Études"


def test_reject_file_of_a_clean_import_has_only_its_header(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "clean.csv"
    path.write_text("id,name\nST-1,DataNest\n", encoding="utf-8")
    rejects = tmp_path / "r.csv"
    ingest_file(store, "startups", path, reject_path=rejects)
    assert list(csv.reader(io.StringIO(rejects.read_text(encoding="utf-8")))) == [
        ["line", "field", "reason", "external_id", "raw"]
    ]


def test_buyer_update_from_tender_rows_happens_once_per_file(store: Store) -> None:
    ingest_records(store, "buyers", [{"id": "B-1", "name": "Ancien nom", "kind": "ministry"}])
    rows = [
        {"id": "T-1", "title": "A", "buyer_id": "B-1", "buyer_name": "Nouveau nom", "buyer_kind": "bank"},
        {"id": "T-2", "title": "B", "buyer_id": "B-1", "buyer_name": "Autre nom"},
    ]
    report = ingest_records(store, "tenders", rows)
    assert report.extra["buyers_updated"] == 1
    with store.session() as session:
        buyer = session.scalars(select(Buyer).where(Buyer.external_id == "B-1")).one()
        assert (buyer.name, buyer.kind) == ("Nouveau nom", "bank")


def test_csv_cell_may_hold_lots_as_json(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "lots.csv"
    path.write_text(
        "id,title,lots\n"
        'T-1,Travaux de voirie,"[{""lot_number"": 1, ""title"": ""Chaussée""}, '
        '{""lot_number"": 2, ""title"": ""Trottoirs""}]"\n'
        "T-2,Signalisation,[{oops\n"
        "T-3,Sans lots,\n",
        encoding="utf-8",
    )
    report = ingest_file(store, "tenders", path, progress=True)
    assert report.created == 2
    assert [(e.line, e.field) for e in report.rejected] == [(3, "lots")]
    assert [lot.title for lot in _tender(store, "T-1").lots] == ["Chaussée", "Trottoirs"]
    assert _tender(store, "T-3").lots == []
