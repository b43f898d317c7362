"""Finding 8: throttling (429 + Retry-After), security headers, /metrics behind a setting, 409s in the
API's own words, and /health answering while the indexes rebuild (ready stays false)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError

from matcher.settings import Settings
from service import deps
from service.app import create_app
from service.routers import startups as startups_router
from tests.api.conftest import METRICS_AUTH, Auth


@pytest.fixture
def throttled(api_settings: Settings) -> Iterator[TestClient]:
    limited = api_settings.model_copy(
        update={
            "rate_limit_enabled": True,
            "rate_limit_bad_key": "3/hour",
            "rate_limit_expensive": "2/hour",
            "rate_limit_login": "3/hour",
        }
    )
    with TestClient(create_app(limited, load_engine=False)) as client:
        yield client


def test_finding8_wrong_keys_are_throttled_per_address(throttled: TestClient, auth: Auth) -> None:
    wrong = {"Authorization": "Bearer tpl_abcdefgh_not-the-secret"}
    assert [throttled.get("/me", headers=wrong).status_code for _ in range(3)] == [401, 401, 401]
    blocked = throttled.get("/me", headers=wrong)
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) >= 1
    assert blocked.json()["error"]["code"] == "too_many_requests"
    assert throttled.get("/me", headers=auth("staff")).status_code == 429  # the address is locked out


def test_finding8_sign_in_is_throttled(throttled: TestClient) -> None:
    found = re.search(r'name="csrf_token" value="([^"]+)"', throttled.get("/login").text)
    assert found
    form = {"api_key": "tpl_abcdefgh_wrong", "csrf_token": found.group(1)}
    statuses = [throttled.post("/login", data=form).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429], statuses
    last = throttled.post("/login", data=form)
    assert last.status_code == 429 and int(last.headers["Retry-After"]) >= 1


def test_finding8_expensive_routes_are_throttled_per_key(throttled: TestClient, auth: Auth) -> None:
    body = {"query": "paiement mobile"}
    first = [throttled.post("/suppliers/search", json=body, headers=auth("buyer_a")).status_code for _ in range(2)]
    assert 429 not in first
    third = throttled.post("/suppliers/search", json=body, headers=auth("buyer_a"))
    assert third.status_code == 429 and int(third.headers["Retry-After"]) >= 1
    other_key = throttled.post("/suppliers/search", json=body, headers=auth("buyer_b"))
    assert other_key.status_code != 429  # per key, not global
    assert throttled.get("/tenders", headers=auth("buyer_a")).status_code == 200  # cheap routes unaffected


@pytest.mark.parametrize("path", ["/health", "/login", "/tenders", "/nope"])
def test_finding8_security_headers_on_every_response(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_finding8_metrics_are_off_by_default_then_local_or_token(api_settings: Settings) -> None:
    off = api_settings.model_copy(update={"metrics_enabled": False})
    with TestClient(create_app(off, load_engine=False)) as client:
        assert client.get("/metrics", headers=METRICS_AUTH).status_code == 404
    with TestClient(create_app(api_settings, load_engine=False)) as client:
        assert client.get("/metrics").status_code == 403  # not local, no token
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
        assert "tremplin_store_rows" in client.get("/metrics", headers=METRICS_AUTH).text
    with TestClient(create_app(api_settings, load_engine=False), client=("127.0.0.1", 50000)) as local:
        assert local.get("/metrics").status_code == 200


def test_finding8_conflict_is_in_the_apis_words(
    client: TestClient, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    def racing_insert(*_args: Any, **_kwargs: Any) -> None:
        raise IntegrityError("INSERT INTO startups", {}, Exception("UNIQUE constraint failed: startups.external_id"))

    monkeypatch.setattr(startups_router.repository, "create_startup", racing_insert)
    response = client.post("/startups", json={"external_id": "S-NEW", "name": "Nouvelle"}, headers=auth("staff"))
    assert response.status_code == 409, response.text
    message = response.json()["error"]["message"]
    assert "UNIQUE" not in message and "startups.external_id" not in message and "INSERT" not in message
    assert "conflicts with stored data" in message


class _ReadyEngine:
    def readiness(self) -> dict[str, bool]:
        return {"store": True, "indexes": True, "model": True}


def test_finding8_health_answers_while_the_indexes_rebuild(
    api_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    started = threading.Event()

    def slow_open(_settings: Settings) -> Any:
        started.set()
        release.wait()
        return _ReadyEngine()

    monkeypatch.setattr(deps, "open_engine", slow_open)
    app = create_app(api_settings, load_engine="background")
    with TestClient(app) as client:
        assert started.wait(30)  # the rebuild is under way ...
        assert client.get("/health").status_code == 200  # ... and liveness answers
        ready = client.get("/ready")
        assert ready.status_code == 503 and ready.json()["checks"]["indexes"] is False
        release.set()
        app.state.engine_loader.join(30)
        assert client.get("/ready").status_code == 200
