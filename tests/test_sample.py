"""The bundled sample data: valid, big and varied enough for a demo, and loaded with dates that stay current."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from typer.testing import CliRunner

from matcher.cpv import load_cpv_csv
from matcher.datasets.sample import (
    ANCHOR,
    BUYERS_FILE,
    DATA_DIR,
    STARTUPS_FILE,
    TENDERS_FILE,
    SampleDataError,
    load_sample,
    read_sample,
    shift_dates,
)
from matcher.schemas import MOROCCAN_REGIONS, BuyerIn, BuyerKind, StartupIn, TenderIn
from matcher.settings import Settings
from matcher.store import Store, Tender
from matcher.text import detect_language

SCHEMAS: dict[str, type[BaseModel]] = {"buyers": BuyerIn, "startups": StartupIn, "tenders": TenderIn}
GENERATOR = Path(__file__).resolve().parent.parent / "scripts" / "make_sample_data.py"


@pytest.fixture(scope="module")
def sample() -> dict[str, list[dict]]:
    return read_sample()


def _by_id(rows: list[dict]) -> dict[str, dict]:
    return {row["external_id"]: row for row in rows}


@pytest.mark.parametrize("kind", ["buyers", "startups", "tenders"])
def test_every_row_validates_against_the_schemas(sample: dict[str, list[dict]], kind: str) -> None:
    errors = []
    for row in sample[kind]:
        try:
            SCHEMAS[kind].model_validate(row)
        except ValidationError as exc:
            errors.append(f"{row.get('external_id')}: {exc}")
    assert errors == []
    assert len({row["external_id"] for row in sample[kind]}) == len(sample[kind]), "external ids must be unique"


def test_sizes_meet_the_minimums_and_stay_small(sample: dict[str, list[dict]]) -> None:
    assert len(sample["startups"]) >= 160
    assert len(sample["buyers"]) >= 60
    assert len(sample["tenders"]) >= 420
    total = sum((DATA_DIR / name).stat().st_size for name in (BUYERS_FILE, STARTUPS_FILE, TENDERS_FILE))
    assert total < 800_000


def test_all_twelve_regions_and_every_buyer_kind(sample: dict[str, list[dict]]) -> None:
    assert {row["region"] for row in sample["startups"]} == set(MOROCCAN_REGIONS)
    assert {row["region"] for row in sample["tenders"]} == set(MOROCCAN_REGIONS)
    open_regions = {row["region"] for row in sample["tenders"] if row["status"] == "open"}
    assert open_regions == set(MOROCCAN_REGIONS)
    assert {row["kind"] for row in sample["buyers"]} == {kind.value for kind in BuyerKind}
    assert {row["buyer_kind"] for row in sample["tenders"]} == {kind.value for kind in BuyerKind}


def test_tenders_name_buyers_of_the_buyers_file(sample: dict[str, list[dict]]) -> None:
    buyers = _by_id(sample["buyers"])
    for tender in sample["tenders"]:
        buyer = buyers[tender["buyer_external_id"]]
        assert (tender["buyer_name"], tender["buyer_kind"]) == (buyer["name"], buyer["kind"])


def test_languages_in_the_intended_proportions(sample: dict[str, list[dict]]) -> None:
    startups = Counter(row["preferred_language"] for row in sample["startups"])
    tenders = Counter(row["language"] for row in sample["tenders"])
    n_startups, n_tenders = len(sample["startups"]), len(sample["tenders"])
    assert startups["fr"] / n_startups > 0.5
    assert 0.15 <= startups["ar"] / n_startups <= 0.25
    assert 0.10 <= startups["en"] / n_startups <= 0.20
    assert tenders["fr"] / n_tenders > 0.6
    assert 0.15 <= tenders["ar"] / n_tenders <= 0.25
    assert 0.06 <= tenders["en"] / n_tenders <= 0.14
    # the declared language is the language the text is written in
    for row in sample["startups"]:
        assert detect_language(row["description"]) == row["preferred_language"], row["external_id"]
        assert row["preferred_language"] in row["languages"].split(";")
    for row in sample["tenders"]:
        assert detect_language(f"{row['title']} {row['description']}") == row["language"], row["external_id"]


def test_texts_are_varied_not_one_template(sample: dict[str, list[dict]]) -> None:
    for kind, field in (("startups", "description"), ("tenders", "description")):
        texts = [row[field] for row in sample[kind]]
        assert len(set(texts)) == len(texts), f"duplicate {kind} {field}"
    # with the company name masked, first sentences still differ from one startup to the next
    openings = [
        re.split(r"(?<=[.!?])\s", row["description"].replace(row["name"], "X"), maxsplit=1)[0]
        for row in sample["startups"]
    ]
    assert len(set(openings)) / len(openings) > 0.9
    titles = [row["title"] for row in sample["tenders"]]
    assert len(set(titles)) / len(titles) > 0.9
    for row in sample["startups"]:
        sentences = [s for s in re.split(r"(?<=[.!?])\s", row["description"]) if s]
        assert 2 <= len(sentences) <= 5, row["external_id"]


def test_tender_rules_are_realistic(sample: dict[str, list[dict]]) -> None:
    tenders = sample["tenders"]
    values = [row["estimated_value"] for row in tenders]
    assert min(values) >= 150_000 and max(values) <= 50_000_000
    reserved = sum(row["reserved_for_sme"] for row in tenders) / len(tenders)
    assert 0.22 <= reserved <= 0.38
    statuses = Counter(row["status"] for row in tenders)
    assert statuses["open"] / len(tenders) > 0.6
    assert {"closed", "awarded", "cancelled"} <= set(statuses)
    with_lots = [row for row in tenders if row.get("lots")]
    assert 0.07 <= len(with_lots) / len(tenders) <= 0.15
    for row in with_lots:
        assert 2 <= len(row["lots"]) <= 4
        assert sum(lot["estimated_value"] for lot in row["lots"]) == row["estimated_value"]
    works = [row for row in tenders if any(code.startswith("45") for code in row["cpv_codes"])]
    others = [row for row in tenders if row not in works]
    assert (
        sorted(r["estimated_value"] for r in works)[len(works) // 2]
        > 3 * sorted(r["estimated_value"] for r in others)[len(others) // 2]
    )
    assert {row["procedure"] for row in tenders} == {
        "appel d'offres ouvert",
        "appel d'offres restreint",
        "consultation architecturale",
        "bon de commande",
    }
    for row in tenders:
        if row["procedure"] == "bon de commande":
            assert row["estimated_value"] <= 500_000


def test_records_other_tests_rely_on(sample: dict[str, list[dict]]) -> None:
    startups, tenders = _by_id(sample["startups"]), _by_id(sample["tenders"])
    fintech = startups["ST-FINTECH-001"]
    assert fintech["preferred_language"] == "fr" and "fintech" in fintech["sectors"]
    assert "paiement mobile" in fintech["description"] and "API bancaires" in fintech["description"]
    agri = startups["ST-AGRI-001"]
    assert agri["preferred_language"] == "fr" and "irrigation" in agri["description"]
    payment = tenders["AO-AR-PAY-001"]
    assert payment["language"] == "ar" and payment["status"] == "open"
    assert "الأداء" in payment["title"] and "الهاتف المحمول" in payment["description"]
    road = tenders["AO-ROUTE-001"]
    assert road["language"] == "fr" and road["status"] == "open" and road["cpv_codes"][0].startswith("45")


def test_shift_dates_moves_everything_by_whole_days(sample: dict[str, list[dict]]) -> None:
    today = ANCHOR + timedelta(days=100)
    shifted = shift_dates(sample["tenders"], today)
    assert shift_dates(sample["tenders"], ANCHOR) == sample["tenders"]
    for before, after in zip(sample["tenders"], shifted, strict=True):
        for name in ("published_at", "deadline_at"):
            old, new = datetime.fromisoformat(before[name]), datetime.fromisoformat(after[name])
            assert new - old == timedelta(days=100)
            assert (new.timetz(), new.utcoffset()) == (old.timetz(), old.utcoffset())
        assert before["published_at"] != after["published_at"], "the input must not be modified in place"
    for row in shifted:
        deadline = datetime.fromisoformat(row["deadline_at"]).date()
        assert datetime.fromisoformat(row["published_at"]) <= datetime.fromisoformat(row["deadline_at"])
        if row["status"] == "open":
            assert today + timedelta(days=3) <= deadline <= today + timedelta(days=60), row["external_id"]
        elif row["status"] in ("closed", "awarded"):
            assert deadline < today, row["external_id"]


def test_shift_dates_names_a_bad_date() -> None:
    with pytest.raises(SampleDataError, match=r"AO-X.*deadline_at"):
        shift_dates([{"external_id": "AO-X", "deadline_at": "next tuesday"}], ANCHOR)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SampleDataError, match=r"buyers\.csv"):
        read_sample(tmp_path)


def test_readme_states_the_anchor_date() -> None:
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert f"ANCHOR = {ANCHOR.isoformat()}" in readme


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_sample_data", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the script runs
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def test_generator_reproduces_the_committed_files() -> None:
    generated = _generator().generate()
    for name, content in generated.items():
        assert (DATA_DIR / name).read_text(encoding="utf-8") == content, (
            f"data/{name} differs from the generator: run .venv/bin/python scripts/make_sample_data.py"
        )


@pytest.mark.shared_data
def test_every_cpv_code_is_in_the_official_list(sample: dict[str, list[dict]], cpv_list: Path) -> None:
    official = load_cpv_csv(cpv_list)
    used = {code for row in sample["startups"] for code in row["cpv_codes"].split(";")}
    for tender in sample["tenders"]:
        used.update(tender["cpv_codes"])
        used.update(code for lot in tender.get("lots", []) for code in lot["cpv_codes"])
    assert sorted(used - set(official)) == []


def test_load_sample_gives_current_open_tenders_and_is_idempotent(store: Store) -> None:
    today = date(2027, 6, 15)
    reports = load_sample(store, today=today)
    assert {kind: len(report.rejected) for kind, report in reports.items()} == {
        "buyers": 0,
        "tenders": 0,
        "startups": 0,
    }
    counts = store.counts()
    assert counts["startups"] >= 160 and counts["tenders"] >= 420 and counts["buyers"] >= 60
    assert counts["tender_lots"] > 0
    with store.session() as session:
        open_tenders = session.scalars(select(Tender).where(Tender.status == "open")).all()
        assert len(open_tenders) > 250
        start = datetime(today.year, today.month, today.day, tzinfo=UTC)
        for tender in open_tenders:
            assert tender.deadline_at is not None
            assert start + timedelta(days=3) <= tender.deadline_at <= start + timedelta(days=61)
            assert tender.buyer_id is not None

    again = load_sample(store, today=today)
    assert {kind: (r.created, r.updated) for kind, r in again.items()} == {
        "buyers": (0, 0),
        "tenders": (0, 0),
        "startups": (0, 0),
    }
    next_day = load_sample(store, today=today + timedelta(days=1))
    assert next_day["tenders"].updated == counts["tenders"]  # only the dates moved
    assert next_day["startups"].updated == 0 and next_day["buyers"].updated == 0


def test_cli_sample_load_prints_counts(settings: Settings) -> None:
    from matcher.cli.main import app

    runner = CliRunner()
    result = runner.invoke(app, ["sample", "load", "--today", "2026-09-01", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["today"] == "2026-09-01"
    assert payload["counts"]["tenders"]["created"] >= 420
    assert payload["counts"]["startups"]["rejected"] == 0

    bad = runner.invoke(app, ["sample", "load", "--today", "1 September"])
    assert bad.exit_code != 0
    assert "YYYY-MM-DD" in bad.output


def test_loading_the_sample_again_keeps_edited_rows(store: Store) -> None:
    """`make demo` run twice: a startup's edits and a hand-moved deadline survive the second load."""
    from matcher.store import repository

    today = date(2027, 6, 15)
    load_sample(store, today=today)
    with store.session() as session:
        repository.update_startup(session, "ST-FINTECH-001", {"description": "Notre nouveau positionnement."})
        tender = session.scalars(select(Tender).where(Tender.status == "open")).first()
        assert tender is not None and tender.deadline_at is not None
        edited_id, edited_deadline = tender.external_id, tender.deadline_at + timedelta(hours=5)
        repository.update_tender(session, edited_id, {"deadline_at": edited_deadline, "title": "Titre revu"})
    again = load_sample(store, today=today + timedelta(days=2))
    assert again["startups"].updated == 0 and again["startups"].created == 0
    assert again["startups"].unchanged == again["startups"].rows
    with store.session() as session:
        assert repository.get_startup(session, "ST-FINTECH-001").description == "Notre nouveau positionnement."
        edited = repository.get_tender(session, edited_id)
        assert (edited.title, edited.deadline_at) == ("Titre revu", edited_deadline)
    assert again["tenders"].updated == store.counts()["tenders"] - 1  # the others' dates moved
