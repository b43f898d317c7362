"""Finding 3: decompression bombs and huge reject reports. Row limits are checked before decoding
(Parquet metadata) or while streaming; the answer lists the first rejects and links the full report."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from matcher.ingest import IngestError, ingest_file
from matcher.settings import Settings
from matcher.store import Store
from service.app import create_app
from tests.api.conftest import Auth


@pytest.fixture
def small_client(api_settings: Settings) -> Iterator[TestClient]:
    limited = api_settings.model_copy(
        update={"max_import_rows": 1_000, "max_reject_report": 10, "max_upload_bytes": 4 * 1024 * 1024}
    )
    with TestClient(create_app(limited, load_engine=False)) as client:
        yield client


def _bomb(rows: int) -> bytes:
    """A small file of many identical dictionary-encoded rows (finding 3's 130 KB / 1M rows)."""
    names = pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array(["x" * 2000]))
    ids = pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array(["S-BOMB"]))
    buffer = io.BytesIO()
    pq.write_table(pa.table({"external_id": ids, "name": names}), buffer, compression="zstd")
    return buffer.getvalue()


def test_finding3_parquet_bomb_is_refused_from_its_metadata(small_client: TestClient, auth: Auth) -> None:
    data = _bomb(1_000_000)
    assert len(data) < 1024 * 1024
    before = small_client.app.state.store.counts()  # type: ignore[attr-defined]
    response = small_client.post(
        "/imports/startups", files={"file": ("bomb.parquet", data, "application/octet-stream")}, headers=auth("staff")
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["details"][0]["field"] == "file"
    assert "1000000 rows" in error["message"] and "at most 1000" in error["message"]
    assert len(response.content) < 2_000
    assert small_client.app.state.store.counts() == before  # type: ignore[attr-defined]


def test_finding3_csv_over_the_row_limit_stores_nothing(small_client: TestClient, auth: Auth) -> None:
    body = "external_id,name\n" + "".join(f"S-L{n:05d},Startup {n}\n" for n in range(1_001))
    before = small_client.app.state.store.counts()  # type: ignore[attr-defined]
    response = small_client.post(
        "/imports/startups", files={"file": ("many.csv", body.encode(), "text/csv")}, headers=auth("staff")
    )
    assert response.status_code == 422, response.text
    assert "at most 1000" in response.json()["error"]["message"]
    assert small_client.app.state.store.counts() == before  # type: ignore[attr-defined]


def test_finding3_reject_report_is_capped_and_the_full_one_downloadable(small_client: TestClient, auth: Auth) -> None:
    good = "".join(f"S-G{n:03d},Startup {n},2015\n" for n in range(5))
    bad = "".join(f"S-B{n:03d},Startup {n},1200\n" for n in range(500))  # founding year out of range
    body = ("external_id,name,founding_year\n" + good + bad).encode()
    response = small_client.post(
        "/imports/startups", files={"file": ("mixed.csv", body, "text/csv")}, headers=auth("staff")
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["rows"], report["created"], report["rejected"]["total"]) == (505, 5, 500)
    assert len(report["rejected"]["data"]) == 10 == report["rejected"]["limit"]  # the first rows; total counts all
    assert sum(report["reject_causes"].values()) == 500
    assert len(response.content) < 10_000

    full = small_client.get(report["rejects_url"], headers=auth("staff"))
    assert full.status_code == 200 and full.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(full.text)))
    assert len(rows) == 500 and rows[0]["field"] == "founding_year"
    assert small_client.get(report["rejects_url"], headers=auth("buyer_a")).status_code == 403
    assert small_client.get("/imports/rejects/" + "0" * 32, headers=auth("staff")).status_code == 404


def test_finding3_cli_ingest_refuses_too_many_rows_before_decoding(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "bomb.parquet"
    path.write_bytes(_bomb(200_000))
    with pytest.raises(IngestError, match="at most 1000"):
        ingest_file(store, "startups", path, max_rows=1_000)
    assert store.counts()["startups"] == 0


def test_finding3_chunked_csv_keeps_line_numbers_across_chunks(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    lines = [f"S-C{n:05d},Startup {n}" for n in range(12_000)]
    lines[10_500] = "S-C10500,"  # empty name on file line 10502 (header = line 1)
    path.write_text("external_id,name\n" + "\n".join(lines) + "\n")
    report = ingest_file(store, "startups", path)
    assert report.rows == 12_000 and report.created == 11_999
    assert [(e.line, e.field) for e in report.rejected] == [(10_502, "name")]
