"""Engine, sessions and migrations for the store (SQLite file by default, PostgreSQL by URL)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, func, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from matcher.settings import Settings, get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class Store:
    """Owns the engine and the session factory for one database URL."""

    def __init__(self, settings: Settings | None = None, url: str | None = None) -> None:
        self.settings = settings or get_settings()
        self.url = url or self.settings.sqlalchemy_url
        if self.url.startswith("sqlite:///"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        kwargs: dict[str, Any] = {"future": True}
        if self.url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def alembic_config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        config.attributes["engine"] = self.engine
        return config

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to `revision`; safe to run on every start."""
        command.upgrade(self.alembic_config(), revision)

    def downgrade(self, revision: str) -> None:
        command.downgrade(self.alembic_config(), revision)

    def current_revision(self) -> str | None:
        with self.engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            row = connection.exec_driver_sql("SELECT version_num FROM alembic_version").first()
            return row[0] if row else None

    def counts(self) -> dict[str, int]:
        from matcher.store import models

        tables = {
            "startups": models.Startup,
            "buyers": models.Buyer,
            "tenders": models.Tender,
            "tender_lots": models.TenderLot,
            "awards": models.Award,
            "cpv_codes": models.CPVCode,
            "feedback": models.Feedback,
            "digest_batches": models.DigestBatch,
            "api_keys": models.ApiKey,
        }
        with self.sessions() as session:
            return {
                name: session.scalar(select(func.count()).select_from(model)) or 0 for name, model in tables.items()
            }

    @contextmanager
    def session(self) -> Iterator[Session]:
        with session_scope(self.sessions) as session:
            yield session

    def writable(self) -> bool:
        """Can the store write right now (disk full, read-only file or replica)? One real row write:
        Alembic's version row rewritten to itself, so readiness says false before writes start failing."""
        try:
            with self.engine.begin() as connection:
                connection.exec_driver_sql("UPDATE alembic_version SET version_num = version_num")
        except Exception:  # any driver error means "cannot write now"
            return False
        return True

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit on success, roll back everything on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
