"""The CLI as a new user meets it: the state folder it uses, whole ids at 80 columns, quiet set-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from matcher.cli import engine_cmd
from matcher.cli.main import app
from matcher.ranking.results import Eligibility, EligibilityStatus, Explanation, TenderMatch
from matcher.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def _tremplin(*args: str, cwd: Path, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TREMPLIN_")}
    if home is not None:
        env["TREMPLIN_HOME"] = str(home)
    env["COLUMNS"] = "80"
    code = "from matcher.cli.main import app; app()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_status_from_another_folder_refuses_to_make_an_empty_store(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = _tremplin("status", cwd=elsewhere)
    assert result.returncode == 1
    assert "no Tremplin database in" in result.stderr and str(elsewhere / "var") in result.stderr
    assert "tremplin init" in result.stderr
    assert not (elsewhere / "var").exists(), "an empty state folder was created"


def test_a_sub_folder_finds_the_project_state_folder_and_says_so(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    assert _tremplin("init", cwd=project).returncode == 0
    assert (project / "var" / "tremplin.db").is_file()
    deeper = project / "docs" / "notes"
    deeper.mkdir(parents=True)
    result = _tremplin("status", "--json", cwd=deeper)
    assert result.returncode == 0, result.stderr
    assert f"state folder: {project / 'var'}" in " ".join(result.stderr.split())
    assert str(project / "var" / "tremplin.db") in json.loads(result.stdout)["database"]
    assert not (deeper / "var").exists()


def test_an_explicit_home_is_created_by_init(tmp_path: Path) -> None:
    home = tmp_path / "chosen"
    result = _tremplin("init", cwd=tmp_path, home=home)
    assert result.returncode == 0, result.stderr
    assert (home / "tremplin.db").is_file()


def test_keys_list_shows_whole_prefixes_at_80_columns(settings: Settings) -> None:
    runner = CliRunner()
    for n in range(3):
        runner.invoke(app, ["keys", "create", "--role", "staff", "--name", f"une clé au nom assez long n°{n}"])
    prefixes = [row["prefix"] for row in json.loads(runner.invoke(app, ["keys", "list", "--json"]).stdout)]
    listed = runner.invoke(app, ["keys", "list"], env={"COLUMNS": "80"}, terminal_width=80)
    assert listed.exit_code == 0
    for prefix in prefixes:
        assert prefix in listed.stdout, listed.stdout
    assert max(map(len, listed.stdout.splitlines())) <= 80


def test_demo_key_is_made_once(settings: Settings) -> None:
    runner = CliRunner()
    args = ["keys", "create", "--role", "staff", "--name", "demo-staff", "--if-missing"]
    first = runner.invoke(app, args)
    assert first.stdout.startswith("tpl_")
    second = runner.invoke(app, args)
    assert second.exit_code == 0 and "already exists" in second.stdout and "tremplin keys revoke" in second.stdout
    assert len(json.loads(runner.invoke(app, ["keys", "list", "--json"]).stdout)) == 1


def test_match_table_keeps_long_tender_ids_whole_at_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    narrow = Console(width=80, record=True)
    monkeypatch.setattr(engine_cmd, "console", narrow)
    ids = ["AO-2025-0117-MINISTERE-NUMERIQUE", "AO-2025-01178-LOT-2"]
    matches = [
        TenderMatch(
            tender_id=tender_id,
            title="Plateforme de paiement mobile pour la billetterie du tramway de Casablanca",
            buyer_name="Office National de l'Électricité et de l'Eau Potable",
            deadline_at=datetime(2026, 4, 15, tzinfo=UTC),
            score=0.8123,
            eligibility=Eligibility(status=EligibilityStatus.eligible_with_gaps, reasons=["requires ISO 27001"]),
            explanation=Explanation(summary="Pertinent pour : même activité que vos références"),
        )
        for tender_id in ids
    ]
    engine_cmd._print_tenders(matches)
    text = narrow.export_text()
    for tender_id in ids:
        assert tender_id in text, text
    assert max(map(len, text.splitlines())) <= 80


def test_index_output_is_two_readable_lines() -> None:
    text = engine_cmd.sync_summary(
        {"tender_vectors": "loaded", "startup_vectors": "loaded", "tender_lexical": "rebuilt"},
        {"tenders_embedded": 3, "startups_embedded": 0},
        "use",
    )
    assert "{" not in text and len(text.splitlines()) == 2
    assert "2 loaded" in text and "tenders embedded 3" in text
