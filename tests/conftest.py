"""Shared fixtures: a fresh state folder and migrated store per test, real data paths."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from matcher.settings import Settings
from matcher.store import Store

PROJECT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT.parent / "shared" / "data"
DECP_DEV = SHARED_DATA / "decp-2019-dev.json"
CPV_LIST = SHARED_DATA / "cpv-2008-fr-en.csv"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("TREMPLIN_HOME", str(tmp_path / "home"))
    from matcher.settings import get_settings

    get_settings.cache_clear()
    configured = Settings(home=tmp_path / "home")
    configured.ensure_home()
    return configured


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    created = Store(settings)
    created.migrate()
    yield created
    created.dispose()


@pytest.fixture
def decp_dev() -> Path:
    if not DECP_DEV.exists():
        pytest.skip("../shared/data/decp-2019-dev.json is absent")
    return DECP_DEV


@pytest.fixture
def cpv_list() -> Path:
    if not CPV_LIST.exists():
        pytest.skip("../shared/data/cpv-2008-fr-en.csv is absent")
    return CPV_LIST


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server: TREMPLIN_TEST_POSTGRES_URL, or a throwaway local cluster, else skip."""
    from tests.pg_server import temporary_postgres

    with temporary_postgres() as url:
        if url is None:
            pytest.skip("no PostgreSQL server available")
        yield url
