"""`tremplin match --lang`: eligibility and why in French, Arabic or English (the default)."""

from __future__ import annotations

from typer.testing import CliRunner

from matcher.cli.main import app
from tests.digests.test_cli import cli  # noqa: F401  (the CLI fixture on the digest test world)
from tests.i18n.markers import english_in


def test_match_explains_in_the_asked_language(cli: CliRunner) -> None:  # noqa: F811
    wide = {"COLUMNS": "200"}
    english = cli.invoke(app, ["match", "S-IRRI", "--include-ineligible"], env=wide)
    assert english.exit_code == 0, english.output
    assert "Fits because of" in english.output or "Weak fit" in english.output

    french = cli.invoke(app, ["match", "S-IRRI", "--include-ineligible", "--lang", "fr"], env=wide)
    assert french.exit_code == 0, french.output
    assert "Pertinent pour" in french.output and "Éligible" in french.output
    arabic = cli.invoke(app, ["match", "S-IRRI", "--include-ineligible", "--lang", "ar"], env=wide)
    assert arabic.exit_code == 0, arabic.output
    assert "مناسب بسبب" in arabic.output
    body = [line for line in arabic.output.splitlines() if "─" not in line and "━" not in line]
    assert not english_in([text for line in body for text in line.split("│")[5:]]), arabic.output

    wrong = cli.invoke(app, ["match", "S-IRRI", "--lang", "de"])
    assert wrong.exit_code != 0 and "--lang" in wrong.output
