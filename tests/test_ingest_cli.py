"""`tremplin ingest` and `tremplin cpv load`: summaries, JSON output, reject files and exit codes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matcher.cli import app
from matcher.settings import Settings
from matcher.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
runner = CliRunner()


def test_ingest_prints_counts_and_first_rejects(settings: Settings) -> None:
    result = runner.invoke(app, ["ingest", "startups", str(FIXTURES / "startups.csv")])
    assert result.exit_code == 0, result.output
    assert "created" in result.stdout and "rejected" in result.stdout
    assert "founding_year" in result.stdout and "ST-004" in result.stdout
    assert Store(settings).counts()["startups"] == 3


def test_ingest_json_output_and_reject_file(settings: Settings, tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.csv"
    args = ["ingest", "tenders", str(FIXTURES / "tenders.csv"), "--rejects", str(rejects), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["created"], report["rejected_count"]) == (2, 3)
    assert report["rejected"][0] == {
        "line": 4,
        "field": "Date limite",
        "reason": "deadline is before the publication date",
        "external_id": "AO-2026-003",
        "code": "v_deadline_before_publication",  # the reason as a message code, rendered per language
        "params": {},
    }
    assert [row["line"] for row in csv.DictReader(rejects.open(encoding="utf-8"))] == ["4", "5", "6"]


def test_explicit_format_and_decp(settings: Settings) -> None:
    result = runner.invoke(app, ["ingest", "tenders", str(FIXTURES / "decp_sample.json"), "--format", "decp"])
    assert result.exit_code == 0, result.output
    assert "suppliers" in result.stdout and "dateNotification" in result.stdout


def test_unreadable_files_exit_2_with_one_line_and_store_nothing(settings: Settings, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    no_title = tmp_path / "no_title.csv"
    no_title.write_text("id,description\nT-1,x\n", encoding="utf-8")
    cases = [
        (["ingest", "tenders", str(empty)], "is empty"),
        (["ingest", "tenders", str(no_title)], "missing required column 'title'"),
        (["ingest", "tenders", str(FIXTURES / "tenders.json"), "--format", "csv"], "looks like JSON"),
        (["ingest", "tenders", str(FIXTURES / "ocds_record_package.json"), "--format", "decp"], "use --format ocds"),
        (["ingest", "tenders", str(tmp_path / "absent.csv")], "no such file"),
    ]
    for args, message in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr
        assert result.stderr.strip().count("\n") == 0  # one line
    assert Store(settings).counts()["tenders"] == 0


def test_exit_1_when_every_row_is_rejected(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "all_bad.csv"
    path.write_text("id,name,founding_year\nST-1,A,never\nST-2,B,1066\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", "startups", str(path)])
    assert result.exit_code == 1
    assert "founding_year" in result.stdout


def test_unknown_kind_or_format_is_a_usage_error(settings: Settings) -> None:
    assert runner.invoke(app, ["ingest", "suppliers", str(FIXTURES / "startups.csv")]).exit_code == 2
    assert runner.invoke(app, ["ingest", "startups", str(FIXTURES / "startups.csv"), "--format", "xls"]).exit_code == 2


def test_cpv_load_upserts_the_catalogue(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "cpv.csv"
    path.write_text(
        "code,label_fr,label_en\n"
        "72000000-5,Services de TI,IT services\n"
        "72212000-4,Services de programmation,Programming services\n",
        encoding="utf-8",
    )
    first = runner.invoke(app, ["cpv", "load", str(path), "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout) == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0}
    path.write_text(path.read_text(encoding="utf-8").replace("Services de TI", "Services informatiques"))
    second = runner.invoke(app, ["cpv", "load", str(path), "--json"])
    assert json.loads(second.stdout) == {"rows": 2, "created": 0, "updated": 1, "unchanged": 1}
    bad = tmp_path / "bad.csv"
    bad.write_text("code,label_fr,label_en\nABC,x,y\n", encoding="utf-8")
    refused = runner.invoke(app, ["cpv", "load", str(bad)])
    assert refused.exit_code == 2 and "line 2" in refused.stderr
    assert Store(settings).counts()["cpv_codes"] == 2


@pytest.mark.shared_data
def test_cpv_load_of_the_official_list(settings: Settings, cpv_list: Path) -> None:
    result = runner.invoke(app, ["cpv", "load", str(cpv_list), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["created"] > 9000
