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
    ours, context, exact, ratio = report.rows[:4]
    assert ours.hard.precision >= 0.97 and context.hard.precision >= 0.97
    for row in (ours, context):
        assert row.overall.precision >= 0.99
        assert row.hard.recall > max(exact.hard.recall, ratio.hard.recall) + 0.25
        assert row.hard.precision > max(exact.hard.precision, ratio.hard.precision)
    assert context.hard.recall > ours.hard.recall  # context breaks ties the name cannot
    assert report.goal_met(context)  # hard precision >= 0.97 at recall >= 0.75, overall precision >= 0.99


def test_the_wrong_hard_links_are_listed_with_the_rule_that_made_them(decp_dev: Path) -> None:
    report = evaluate(decp_dev)
    context = report.rows[1]
    assert len(report.errors) == context.hard.links - context.hard.correct
    assert {error.rule for error in report.errors} <= {"exact", "name", "low bar", "context"}
    for error in report.errors:
        assert error.linked != error.truth or error.rule == "context"  # same profile name: another SIREN
        assert bool(error.context) == (error.rule == "context")


def test_each_half_by_siren_hash_is_reported(decp_dev: Path) -> None:
    report = evaluate(decp_dev)
    halves = {row.name: row for row in report.rows[4:]}
    tuning = halves["Tremplin linker (name + context), half A (tuning)"]
    check = halves["Tremplin linker (name + context), half B (check)"]
    assert tuning.hard.records + check.hard.records == report.hard_records
    for row in (tuning, check):
        assert row.overall.precision >= 0.99 and row.hard.precision >= 0.95 and row.hard.recall >= 0.7


def test_cli_prints_the_table_with_baselines(decp_dev: Path) -> None:
    from matcher.cli import app

    result = CliRunner().invoke(app, ["eval", "linkage", str(decp_dev), "--errors"])
    assert result.exit_code == 0, result.output
    for row in ("name only", "name + context", "exact folded name", "rapidfuzz ratio", "NOT met", "wrong hard links"):
        assert row in result.output


def test_cli_fails_with_one_line_on_a_bad_file(tmp_path: Path) -> None:
    from matcher.cli import app

    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "linkage", str(bad)])
    assert result.exit_code == 1
