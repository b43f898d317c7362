"""Name-only linkage on the real DECP file, against the SIREN truth (skips without ../shared/data)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from matcher.evaluation.linkage import evaluate

pytestmark = pytest.mark.shared_data


def test_linker_beats_both_baselines_with_high_precision(decp_dev: Path) -> None:
    report = evaluate(decp_dev)
    assert report.hard_records > 500 and report.companies > 2900
    ours, exact, ratio = report.rows
    assert ours.overall.precision >= 0.99 and ours.hard.precision >= 0.97
    assert ours.hard.recall > max(exact.hard.recall, ratio.hard.recall) + 0.2
    assert ours.hard.precision > max(exact.hard.precision, ratio.hard.precision)


def test_cli_prints_the_table_with_baselines(decp_dev: Path) -> None:
    from matcher.cli import app

    result = CliRunner().invoke(app, ["eval", "linkage", str(decp_dev)])
    assert result.exit_code == 0, result.output
    for row in ("Tremplin linker", "exact folded name", "rapidfuzz ratio"):
        assert row in result.output


def test_cli_fails_with_one_line_on_a_bad_file(tmp_path: Path) -> None:
    from matcher.cli import app

    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "linkage", str(bad)])
    assert result.exit_code == 1
