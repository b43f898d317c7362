"""Operations: request ids, JSON logs, metrics, crash containment, CORS, bulk upload and its limits."""

from __future__ import annotations

import gc
import io
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from matcher.settings import Settings
from service.app import create_app
from service.observability import json_handler
from tests.api.conftest import METRICS_AUTH, Auth, Seed


def test_request_id_is_echoed_or_made_up(client: TestClient, auth: Auth) -> None:
    echoed = client.get("/tenders", headers={**auth("staff"), "X-Request-ID": "trace-42.a"})
    assert echoed.headers["X-Request-ID"] == "trace-42.a"
    made = client.get("/tenders", headers=auth("staff"))
    assert len(made.headers["X-Request-ID"]) == 32
    refused = client.get("/tenders", headers={**auth("staff"), "X-Request-ID": "bad id with spaces"})
    assert refused.headers["X-Request-ID"] != "bad id with spaces"
    error = client.get("/startups/NOPE", headers={**auth("staff"), "X-Request-ID": "lookup-1"})
    assert error.json()["error"]["request_id"] == "lookup-1"
    assert client.get("/health").headers["X-Request-ID"]


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = json_handler(stream)
    access = logging.getLogger("tremplin.access")
    previous = access.level
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    yield stream
    access.removeHandler(handler)
    access.setLevel(previous)


def test_each_request_logs_one_json_line_with_its_request_id(
    client: TestClient, auth: Auth, log_lines: io.StringIO
) -> None:
    client.get("/startups/S-PAY", headers={**auth("staff"), "X-Request-ID": "req-abc"})
    entries = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    mine = [entry for entry in entries if entry["request_id"] == "req-abc"]
    assert len(mine) == 1
    assert mine[0]["route"] == "/startups/{startup_id}"
    assert mine[0]["status"] == 200
    assert mine[0]["method"] == "GET"
    assert mine[0]["duration_ms"] >= 0


def test_metrics_count_requests_per_route_template(client: TestClient, auth: Auth) -> None:
    for startup in ("S-PAY", "S-ROAD"):
        client.get(f"/startups/{startup}", headers=auth("staff"))
    client.get("/startups/S-PAY", headers=auth("startup_b"))
    text = client.get("/metrics", headers=METRICS_AUTH).text
    assert 'tremplin_http_requests_total{method="GET",route="/startups/{startup_id}",status="200"} 2.0' in text
    assert 'tremplin_http_requests_total{method="GET",route="/startups/{startup_id}",status="403"} 1.0' in text
    assert 'tremplin_http_request_duration_seconds_count{method="GET",route="/startups/{startup_id}"} 3.0' in text
    assert 'tremplin_store_rows{table="tenders"} 3.0' in text
    assert "tremplin_index_items" in text


def test_metrics_show_the_garbage_collector_pauses_of_the_process(client: TestClient) -> None:
    gc.collect()  # a full collection, timed like the ones that happen on their own
    text = client.get("/metrics", headers=METRICS_AUTH).text
    collections = re.search(r'tremplin_gc_collections_total\{generation="2"\} ([0-9.]+)', text)
    assert collections and float(collections.group(1)) >= 1
    assert 'tremplin_gc_pause_seconds_total{generation="2"}' in text
    assert 'tremplin_gc_pause_max_seconds{generation="2"}' in text


def test_unhandled_error_is_a_json_500_without_trace_and_the_app_keeps_serving(
    api_settings: Settings, auth: Auth
) -> None:
    app = create_app(api_settings, load_engine=False)

    def explode() -> None:
        raise RuntimeError("secret internal detail")

    app.add_api_route("/explode", explode)
    with TestClient(app) as client:
        response = client.get("/explode", headers={"X-Request-ID": "boom-1"})
        assert response.status_code == 500
        assert response.json() == {
            "error": {
                "code": "internal_error",
                "message": "internal error; quote the request id to support",
                "details": [],
                "request_id": "boom-1",
            }
        }
        assert "secret" not in response.text and "Traceback" not in response.text
        assert response.headers["X-Request-ID"] == "boom-1"
        assert client.get("/tenders", headers=auth("staff")).status_code == 200


def test_cors_follows_settings(api_settings: Settings) -> None:
    settings = api_settings.model_copy(update={"cors_origins": ["https://hub.example.ma"]})
    with TestClient(create_app(settings, load_engine=False)) as client:
        preflight = client.options(
            "/tenders",
            headers={
                "Origin": "https://hub.example.ma",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "Authorization",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://hub.example.ma"
        foreign = client.get("/health", headers={"Origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in foreign.headers


STARTUPS_CSV = (
    "external_id,name,description,headcount,contact_email\n"
    "S-UP1,Argan Data,Analyse de donnees pour cooperatives,8,info@argandata.ma\n"
    "S-UP2,,Sans nom,3,\n"
    "S-UP3,Sahara Solar,Installations photovoltaiques,-4,\n"
)


def test_upload_reports_bad_rows_and_keeps_good_ones(client: TestClient, auth: Auth) -> None:
    response = client.post(
        "/imports/startups",
        files={"file": ("startups.csv", STARTUPS_CSV.encode(), "text/csv")},
        headers=auth("staff"),
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["kind"], report["format"], report["rows"], report["created"]) == ("startups", "csv", 3, 1)
    assert (report["rejected"]["total"], report["rejected"]["offset"]) == (2, 0)
    rejected = {row["line"]: row for row in report["rejected"]["data"]}
    assert rejected[3]["field"] == "name"
    assert rejected[4]["field"] == "headcount"
    assert client.get("/startups/S-UP1", headers=auth("staff")).json()["name"] == "Argan Data"
    again = client.post(
        "/imports/startups",
        files={"file": ("startups.csv", STARTUPS_CSV.encode(), "text/csv")},
        headers=auth("staff"),
    ).json()
    assert (again["created"], again["unchanged"]) == (0, 1)


def test_unreadable_upload_is_refused_and_nothing_is_stored(client: TestClient, auth: Auth) -> None:
    before = client.app.state.store.counts()  # type: ignore[attr-defined]
    response = client.post(
        "/imports/tenders",
        files={"file": ("tenders.json", b'{"broken": [1, 2', "application/json")},
        headers=auth("staff"),
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "file"
    assert client.app.state.store.counts() == before  # type: ignore[attr-defined]


def test_upload_without_a_file_names_the_field(client: TestClient, auth: Auth) -> None:
    response = client.post("/imports/startups", data={"other": "x"}, headers=auth("staff"))
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "body.file"


def test_unknown_import_kind_or_format_is_422(client: TestClient, auth: Auth) -> None:
    files = {"file": ("x.csv", b"external_id,name\nA,B\n", "text/csv")}
    assert client.post("/imports/awards", files=files, headers=auth("staff")).status_code == 422
    assert client.post("/imports/startups?format=xlsx", files=files, headers=auth("staff")).status_code == 422


def test_oversize_upload_is_413(client: TestClient, auth: Auth, api_settings: Settings) -> None:
    limit = api_settings.max_upload_bytes
    row = b"S-BIG,Grande Entreprise,une description assez longue pour remplir le fichier\n"
    just_over = b"external_id,name,description\n" + row * (limit // len(row) + 1)
    assert limit < len(just_over) < limit + 64 * 1024  # inside the multipart slack: the route refuses it
    far_over = just_over * 4  # refused by the middleware before it is read
    before = client.app.state.store.counts()  # type: ignore[attr-defined]
    for payload in (just_over, far_over):
        response = client.post(
            "/imports/startups", files={"file": ("big.csv", payload, "text/csv")}, headers=auth("staff")
        )
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "payload_too_large"
        assert response.headers["X-Request-ID"]
    assert client.app.state.store.counts() == before  # type: ignore[attr-defined]


def test_streamed_body_without_length_is_cut_at_the_limit(
    client: TestClient, auth: Auth, api_settings: Settings
) -> None:
    chunk = b"x" * 16 * 1024

    def stream() -> Iterator[bytes]:
        for _ in range(api_settings.max_body_bytes // len(chunk) + 8):
            yield chunk

    response = client.post("/startups", content=stream(), headers={**auth("staff"), "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_tremplin_serve_answers_over_http_with_json_logs(settings: Settings, seed: Seed) -> None:
    """The real server: `tremplin serve` with uvicorn, on a free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    shutil.copy(seed.db_path, settings.home / "tremplin.db")
    env = {**os.environ, "TREMPLIN_HOME": str(settings.home), "TREMPLIN_EMBEDDER": "hashing"}
    command = [str(Path(sys.executable).with_name("tremplin")), "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        response = None
        for _ in range(300):  # wait up to ~30 s for start-up (engine load included)
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/health", headers={"X-Request-ID": "probe-1"})
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert response is not None and response.status_code == 200
        assert response.headers["X-Request-ID"] == "probe-1"
        me = httpx.get(f"http://127.0.0.1:{port}/me", headers={"X-API-Key": seed.keys["staff"]})
        assert me.json()["role"] == "staff"
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    assert any(line.get("request_id") == "probe-1" and line.get("route") == "/health" for line in lines), stderr
