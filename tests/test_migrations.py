"""Migrations and models agree: after `upgrade head` autogenerate finds nothing left to migrate.

(The up → down → up round trip on SQLite and PostgreSQL lives in test_store.py.)
"""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from matcher.settings import Settings
from matcher.store import Base, Store


def _drift(store: Store) -> list[Any]:
    store.migrate()
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_models_match_migrations_on_sqlite(store: Store) -> None:
    assert _drift(store) == []


@pytest.mark.postgres
def test_models_match_migrations_on_postgresql(settings: Settings, postgres_url: str) -> None:
    store = Store(settings, url=postgres_url)
    try:
        assert _drift(store) == []
    finally:
        store.downgrade("base")
        store.dispose()
