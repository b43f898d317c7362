"""Finding 5: a copied session cookie must stop working after logout, key revocation or the absolute
session lifetime (server-side session records)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from matcher.store import Store, WebSession, keys
from service.web.session import COOKIE_NAME
from tests.web.conftest import WebSeed, build_app, make_seed

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> WebSeed:
    return make_seed(tmp_path_factory.mktemp("web-sessions") / "home", with_sample=False)


@pytest.fixture
def client(seed: WebSeed) -> Iterator[TestClient]:
    with TestClient(build_app(seed.settings)) as test_client:
        yield test_client


def _csrf(client: TestClient, path: str) -> str:
    found = CSRF.search(client.get(path).text)
    assert found
    return found.group(1)


def _signed_in_cookie(client: TestClient, key: str) -> str:
    response = client.post(
        "/login", data={"api_key": key, "csrf_token": _csrf(client, "/login")}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    cookie = client.cookies.get(COOKIE_NAME)
    assert cookie
    return cookie


def _with_cookie(client: TestClient, cookie: str, path: str = "/me/matches") -> int:
    """A request from another browser holding a copy of the cookie."""
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, cookie)
    return client.get(path, follow_redirects=False).status_code


def test_finding5_copied_cookie_fails_after_logout(client: TestClient, seed: WebSeed) -> None:
    copied = _signed_in_cookie(client, seed.keys["startup"])
    assert _with_cookie(client, copied) == 200
    client.cookies.set(COOKIE_NAME, copied)
    logout = client.post("/logout", data={"csrf_token": _csrf(client, "/logout")}, follow_redirects=False)
    assert logout.status_code == 303
    assert _with_cookie(client, copied) == 303  # sent to sign in, not served


def test_finding5_copied_cookie_fails_after_key_revocation(tmp_path: Path) -> None:
    seed = make_seed(tmp_path / "home", with_sample=False)
    with TestClient(build_app(seed.settings)) as own:
        copied = _signed_in_cookie(own, seed.keys["staff"])
        assert _with_cookie(own, copied, "/staff") == 200
        store = Store(seed.settings)
        with store.session() as session:
            prefix = seed.keys["staff"].split("_")[1]
            keys.revoke_key(session, prefix)
        store.dispose()
        assert _with_cookie(own, copied, "/staff") == 303


def test_finding5_session_has_an_absolute_lifetime(client: TestClient, seed: WebSeed) -> None:
    copied = _signed_in_cookie(client, seed.keys["startup"])
    assert _with_cookie(client, copied) == 200
    store = Store(seed.settings)
    with store.session() as session:  # the session was opened longer ago than the limit allows
        limit = timedelta(seconds=seed.settings.session_max_age_seconds + 60)
        for row in session.scalars(select(WebSession)):
            row.created_at = row.created_at - limit
    store.dispose()
    assert _with_cookie(client, copied) == 303
