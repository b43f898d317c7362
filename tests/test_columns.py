"""Ranking reads tenders through views rebuilt from shared columns: they must equal the stored records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from matcher.ranking.catalogue import TenderRecord, TenderTable
from matcher.ranking.cpv_inference import InferredCode


def _fields(tender: Any) -> dict[str, Any]:
    """A record's or a view's fields, `text` left out (views do not carry it)."""
    found = tender._asdict()
    found.pop("text")
    return found


def _record(n: int, **changes: object) -> TenderRecord:
    record = TenderRecord(
        external_id=f"AO-{n}",
        title=f"Plateforme numérique n°{n} — منصة رقمية",
        buyer_id=f"B-{n % 3}" if n % 4 else None,
        buyer_name="Ministère de l'Économie" if n % 2 else "ONEE",
        buyer_kind="ministry",
        region="Casablanca-Settat" if n % 2 else None,
        city="Casablanca",
        cpv_codes=("72000000", "48000000") if n % 3 else (),
        estimated_value=1_250_000.5 if n % 5 else None,
        currency="MAD",
        published_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        deadline_at=datetime(2026, 3, 1, tzinfo=UTC) + timedelta(microseconds=n) if n % 6 else None,
        status="open" if n % 7 else "closed",
        language="fr",
        min_years_in_business=3 if n % 2 else None,
        min_revenue=2_000_000.0 if n % 3 == 1 else None,
        min_references=n % 4 or None,
        required_certifications=("ISO 27001",) if n % 5 == 2 else (),
        reserved_for_sme=n % 2 == 0,
        guarantee_amount=15_000.0 if n % 3 == 2 else None,
        text=f"full text {n}",
        folded_text=f"plateforme numerique {n} منصة",
        inferred_cpv=() if n % 3 else (InferredCode("72200000", 0.61), InferredCode("48000000", 0.2)),
        topics=((3, 0.5), (17, 0.25 + n / 1000)) if n % 4 else (),
        divisions=((45, 0.75), (72, 0.25)) if n % 3 else (),
    )
    return record._replace(**changes)


def test_a_ranking_view_equals_the_stored_record_but_for_its_text() -> None:
    records = [_record(n) for n in range(40)]
    table = TenderTable(records=records)
    table.rebuild_columns()
    views = table.hot_many(list(range(40)))
    assert table.hot_many(list(range(40)), [r.external_id for r in records]) == views
    assert all(type(view) is TenderRecord for view in views)  # every record field is rebuilt from a column
    for n, record in enumerate(records):
        assert _fields(views[n]) == _fields(table.hot(n)) == _fields(record)
        assert views[n] is not record  # rebuilt: reading it writes nothing on the shared pages
        assert views[n].match_codes == record.match_codes and views[n].text == ""
        for name, value in _fields(record).items():
            assert type(getattr(views[n], name)) is type(value), name


def test_records_written_after_the_columns_were_built_are_read_as_stored() -> None:
    table = TenderTable(records=[_record(n) for n in range(10)])
    table.rebuild_columns()
    retitled = _record(4, title="Nouveau titre", deadline_at=None)
    updated = table.updated([retitled, _record(99)], [_record(0).external_id])
    for external_id, position in updated.position.items():
        assert _fields(updated.hot_many([position])[0]) == _fields(updated.records[position])
        assert updated.hot(position).external_id == external_id
    assert updated.hot(updated.position["AO-4"]).title == "Nouveau titre"
    assert table.hot(table.position["AO-4"]).title != "Nouveau titre"  # the old table is unchanged


def test_a_date_in_another_zone_keeps_its_stored_record() -> None:
    other = _record(1, deadline_at=datetime(2026, 5, 1, 12, tzinfo=timezone(timedelta(hours=1))))
    table = TenderTable(records=[other, _record(2)])
    table.rebuild_columns()
    assert table.hot(0) is other and _fields(table.hot_many([0, 1])[1]) == _fields(_record(2))
