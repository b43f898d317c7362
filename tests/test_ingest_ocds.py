"""OCDS release and record packages → tenders with buyer, CPV, lots, status and awarded suppliers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from matcher.ingest import ingest_bytes, ingest_file
from matcher.store import Award, Startup, Store, Tender

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
RELEASES = FIXTURES / "ocds_release_package.json"
RECORDS = FIXTURES / "ocds_record_package.json"


def _tender(store: Store, external_id: str) -> Tender:
    with store.session() as session:
        tender = session.scalars(select(Tender).where(Tender.external_id == external_id)).unique().one()
        _ = tender.lots
        return tender


def test_release_package_merges_releases_of_one_process(store: Store) -> None:
    report = ingest_file(store, "tenders", RELEASES)
    assert (report.format, report.rows, report.created) == ("ocds", 4, 2)
    assert [(e.line, e.field) for e in report.rejected] == [(4, "tender.status"), (5, "tender.title")]

    tender = _tender(store, "ocds-x7k2p9-MA-2026-0001")
    assert tender.title == "Télérelève des compteurs d'eau"
    assert tender.status == "awarded"  # the later award release completed the tender
    assert tender.cpv_codes == ["38421100", "72212000", "48000000"]  # items + additional CPV, not UNSPSC
    assert (tender.estimated_value, tender.currency) == (6_500_000, "MAD")
    assert tender.deadline_at == datetime(2026, 2, 25, 10, tzinfo=UTC)
    assert tender.published_at == datetime(2026, 1, 10, 8, tzinfo=UTC)
    assert "Réservé aux PME" in tender.description  # eligibility criteria kept in the text
    assert tender.procedure == "Appel d'offres ouvert"
    assert (tender.city, tender.region) == ("Casablanca", "Casablanca-Settat")
    assert tender.source_url == "https://marches.example.ma/avis/12-2026"
    assert [(lot.lot_number, lot.title, lot.cpv_codes, lot.estimated_value) for lot in tender.lots] == [
        (1, "Compteurs", ["38421100"], 4_500_000),
        (2, "Plateforme logicielle", ["72212000", "48000000"], 2_000_000),
    ]
    assert tender.buyer is not None
    assert (tender.buyer.external_id, tender.buyer.kind) == ("MA-ICE-001525874000088", "public_enterprise")

    cancelled = _tender(store, "ocds-x7k2p9-MA-2026-0002")
    assert cancelled.status == "cancelled" and cancelled.cpv_codes == ["34993000"]
    assert cancelled.buyer is not None and cancelled.buyer.kind == "local_authority"


def test_awarded_suppliers_become_profiles_with_award_rows(store: Store) -> None:
    report = ingest_file(store, "tenders", RELEASES)
    assert report.extra["awards"] == 2 and report.extra["suppliers_created"] == 2  # cancelled award skipped
    with store.session() as session:
        rows = session.execute(
            select(Startup.external_id, Startup.name, Startup.source, Award.amount, Award.awarded_at)
            .join(Award, Award.startup_id == Startup.id)
            .order_by(Startup.external_id)
        ).all()
        assert [tuple(row) for row in rows] == [
            ("MA-ICE-002233445000066", "HydroData SARL", "ocds", 1_850_000, datetime(2026, 3, 5, 15, tzinfo=UTC)),
            ("MA-ICE-003344556000077", "Atlas Metering", "ocds", 4_300_000, datetime(2026, 3, 5, 15, tzinfo=UTC)),
        ]
        atlas = session.scalars(select(Startup).where(Startup.external_id == "MA-ICE-003344556000077")).one()
        assert atlas.references == ["Télérelève des compteurs d'eau"]
        assert atlas.cpv_codes == ["38421100", "48000000", "72212000"]


def test_record_package_uses_compiled_releases(store: Store) -> None:
    report = ingest_file(store, "tenders", RECORDS)
    assert (report.rows, report.created) == (3, 2)
    assert report.rejected[0].line == 3 and "compiledRelease" in report.rejected[0].reason
    health = _tender(store, "ocds-x7k2p9-MA-2026-0101")
    assert (health.status, health.cpv_codes) == ("awarded", ["72000000", "85100000"])
    assert health.buyer is not None and health.buyer.kind == "ministry"
    data = _tender(store, "ocds-x7k2p9-MA-2026-0102")
    assert (data.status, data.language) == ("open", "en")
    assert data.buyer is not None and data.buyer.external_id == "MA-CDG"


def test_reimport_of_both_packages_changes_nothing(store: Store) -> None:
    ingest_file(store, "tenders", RELEASES)
    ingest_file(store, "tenders", RECORDS)
    for path in (RELEASES, RECORDS):
        again = ingest_file(store, "tenders", path)
        assert (again.created, again.updated) == (0, 0)
        assert again.extra["awards_created"] == again.extra["suppliers_updated"] == 0


def test_release_order_in_the_file_does_not_matter(store: Store) -> None:
    package = json.loads(RELEASES.read_text(encoding="utf-8"))
    package["releases"].reverse()
    report = ingest_bytes(store, "tenders", json.dumps(package).encode(), "reversed.json")
    assert report.created == 2
    assert _tender(store, "ocds-x7k2p9-MA-2026-0001").status == "awarded"
