"""DECP award files → awarded tenders, buyers, suppliers (SIREN) with references built from their awards."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from matcher.ingest import ingest_file
from matcher.ingest.decp import parse_date, supplier_external_id
from matcher.store import Award, Buyer, Startup, Store, Tender

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
SAMPLE = FIXTURES / "decp_sample.json"


def _supplier(store: Store, external_id: str) -> Startup:
    with store.session() as session:
        return session.scalars(select(Startup).where(Startup.external_id == external_id)).one()


def _tender(store: Store, external_id: str) -> Tender:
    with store.session() as session:
        return session.scalars(select(Tender).where(Tender.external_id == external_id)).unique().one()


def test_decp_file_becomes_awarded_tenders_buyers_and_suppliers(store: Store) -> None:
    report = ingest_file(store, "tenders", SAMPLE)
    assert report.format == "decp"
    assert (report.rows, report.created, len(report.rejected)) == (7, 4, 3)
    assert [(e.line, e.field) for e in report.rejected] == [(4, "id"), (5, "objet"), (6, "dateNotification")]
    assert "already on record 3" in report.rejected[0].reason
    assert report.extra["suppliers"] == 4 and report.extra["awards"] == 5 and report.extra["buyers_created"] == 4

    lyon = _tender(store, "216901234000172019AO-INFO-01")  # the uid
    assert (lyon.status, lyon.currency, lyon.estimated_value, lyon.cpv_codes) == ("awarded", "EUR", 84500, ["72267000"])
    assert lyon.city == "Lyon" and lyon.published_at == datetime(2019, 3, 14, tzinfo=UTC)
    assert lyon.source == "decp" and lyon.language == "fr"
    assert lyon.buyer is not None
    assert (lyon.buyer.external_id, lyon.buyer.kind) == ("SIRET:21690123400017", "local_authority")

    fos = _tender(store, "211300397000182018jAiR9ay9k1")  # acheteur SIRET + id
    assert "\ufffd" in fos.title  # accents lost in the source are kept as published
    assert fos.region == "Bouches-du-Rh\ufffdne (13)"
    assert fos.published_at == datetime(2018, 12, 17, tzinfo=UTC)  # '2018-12-17+01:00' keeps its day

    fuel = _tender(store, "264400012000182019-CHU-0042")
    assert fuel.cpv_codes == ["09134200"]  # 7 digits: the leading zero lost by a spreadsheet
    assert fuel.buyer is not None and fuel.buyer.kind == "public_enterprise"
    ministry = _tender(store, "110046018000132019-MIN-6")
    assert ministry.buyer is not None and ministry.buyer.kind == "ministry"
    assert ministry.region == "Île-de-France (11)"


def test_suppliers_are_companies_by_siren_with_references_from_their_awards(store: Store) -> None:
    ingest_file(store, "tenders", SAMPLE)
    logitud = _supplier(store, "SIREN:481259596")  # two establishments (SIRET) of one company
    assert logitud.name == "LOGITUD SOLUTIONS SAS" and logitud.source == "decp"
    assert logitud.references_count == 2
    assert logitud.references == [  # most recent award first
        "Maintenance et évolution du logiciel de gestion des états civils",
        "Maintenance, \ufffdvolution du progiciel de police municipale et prestations associ\ufffdes",
    ]
    assert logitud.cpv_codes == ["48000000", "72267000"]
    assert logitud.digest_opt_in is False and logitud.content_hash
    foreign = _supplier(store, "TVA_INTRACOMMUNAUTAIRE:NL805843954B01")
    assert foreign.name == "COLDWATCH BV" and foreign.references_count == 1
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Award)) == 5
        award = session.scalars(select(Award).join(Startup).where(Startup.external_id == "SIREN:339220006")).one()
        assert (award.amount, award.awarded_at) == (1_500_000, datetime(2019, 9, 30, tzinfo=UTC))
        assert not session.scalars(select(Startup).where(Startup.external_id.like("%000000000%"))).first()


def test_reimport_changes_nothing(store: Store) -> None:
    ingest_file(store, "tenders", SAMPLE)
    before = _supplier(store, "SIREN:481259596").updated_at, _tender(store, "110046018000132019-MIN-6").updated_at
    again = ingest_file(store, "tenders", SAMPLE)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert again.extra["awards_created"] == again.extra["awards_updated"] == again.extra["awards_removed"] == 0
    assert again.extra["suppliers_created"] == again.extra["suppliers_updated"] == 0
    after = _supplier(store, "SIREN:481259596").updated_at, _tender(store, "110046018000132019-MIN-6").updated_at
    assert after == before


def test_a_corrected_record_moves_the_award_and_refreshes_both_suppliers(store: Store, tmp_path: Path) -> None:
    ingest_file(store, "tenders", SAMPLE)
    document = json.loads(SAMPLE.read_text(encoding="utf-8"))
    lyon = document["marches"][0]
    lyon["objet"] = "Maintenance du logiciel d'état civil (avenant)"
    lyon["titulaires"] = [{"typeIdentifiant": "SIRET", "id": "33922000600078", "denominationSociale": "TEAMNET"}]
    corrected = tmp_path / "decp.json"
    corrected.write_text(json.dumps({"marches": [lyon]}, ensure_ascii=False), encoding="utf-8")

    report = ingest_file(store, "tenders", corrected)
    assert (report.updated, report.extra["awards_created"], report.extra["awards_removed"]) == (1, 1, 1)
    logitud = _supplier(store, "SIREN:481259596")
    assert logitud.references_count == 1 and logitud.cpv_codes == ["48000000"]
    teamnet = _supplier(store, "SIREN:339220006")
    assert teamnet.references_count == 2
    assert "Maintenance du logiciel d'état civil (avenant)" in teamnet.references


def test_nested_decp_shape_and_titulaire_wrappers(store: Store) -> None:
    report = ingest_file(store, "tenders", FIXTURES / "decp_nested.json")
    assert (report.created, report.rejected) == (2, [])
    supplier = _supplier(store, "SIREN:511617029")
    assert supplier.references_count == 2 and supplier.cpv_codes == ["38000000", "72316000"]
    with store.session() as session:
        buyer = session.scalars(select(Buyer)).one()
        assert (buyer.name, buyer.kind) == ("Rennes Métropole", "local_authority")


def test_a_self_registered_startup_gains_awards_but_keeps_its_profile(store: Store) -> None:
    from matcher.ingest import ingest_records

    ingest_records(store, "startups", [{"id": "SIREN:339220006", "name": "Teamnet", "references": "Client A"}])
    ingest_file(store, "tenders", SAMPLE)
    teamnet = _supplier(store, "SIREN:339220006")
    assert (teamnet.name, teamnet.references, teamnet.source) == ("Teamnet", ["Client A"], "records")
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Award).where(Award.startup_id == teamnet.id)) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-02-26", datetime(2019, 2, 26, tzinfo=UTC)),
        ("2018-12-17+01:00", datetime(2018, 12, 17, tzinfo=UTC)),
        ("2019-05-02T10:30:00+02:00", datetime(2019, 5, 2, 8, 30, tzinfo=UTC)),
        (None, None),
    ],
)
def test_decp_dates(value: str | None, expected: datetime | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["0218-12-26", "2019-02-30", "26/02/2019"])
def test_bad_decp_dates_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        parse_date(value)


def test_supplier_ids() -> None:
    assert supplier_external_id({"typeIdentifiant": "SIRET", "id": "\t48125959600023 "}) == "SIREN:481259596"
    assert supplier_external_id({"typeIdentifiant": "TAHITI", "id": "587857001"}) == "TAHITI:587857001"
    assert supplier_external_id({"typeIdentifiant": "SIRET", "id": "0000000000000000"}) is None
    assert supplier_external_id({"typeIdentifiant": "SIRET", "id": "1234"}) is None


@pytest.mark.shared_data
def test_real_decp_dev_file(store: Store, decp_dev: Path) -> None:
    report = ingest_file(store, "tenders", decp_dev, format="decp")
    assert report.rows == 5005
    assert report.created + len(report.rejected) == 5005
    assert report.created > 4500
    assert all(error.reason and error.line >= 1 for error in report.rejected)
    assert sum("duplicate external id" in error.reason for error in report.rejected) > 200
    assert report.extra["suppliers"] > 2500 and report.extra["awards"] >= report.created
    counts = store.counts()
    assert counts["tenders"] == report.created and counts["startups"] == report.extra["suppliers"]
    assert counts["buyers"] == report.extra["buyers_created"]
    again = ingest_file(store, "tenders", decp_dev, format="decp")
    assert (again.created, again.updated, again.unchanged) == (0, 0, report.created)
