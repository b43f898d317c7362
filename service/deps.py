"""FastAPI dependencies as `Annotated` aliases: settings, store session, engine, caller identity."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from matcher.ranking.matching import MatchingEngine
from matcher.settings import Settings
from matcher.store import Store
from matcher.store.keys import Identity, Role
from service.auth import current_identity, require_roles
from service.errors import ApiError

log = logging.getLogger(__name__)


def open_engine(settings: Settings) -> MatchingEngine:
    from matcher.ranking.engine import Engine

    return Engine.open(settings)


class EngineSlot:
    """The app's engine: injected, loaded by the lifespan, or loaded on the first matching request.

    Writes made before the engine is loaded need no index update: opening the engine brings the
    indexes in step with the store.
    """

    def __init__(self, settings: Settings, engine: MatchingEngine | None = None) -> None:
        self.settings = settings
        self._engine = engine
        self._lock = threading.Lock()

    @property
    def loaded(self) -> MatchingEngine | None:
        return self._engine

    def get(self) -> MatchingEngine:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    try:
                        self._engine = open_engine(self.settings)
                    except ModuleNotFoundError as exc:
                        raise ApiError(503, "the matching engine is not installed") from exc
        return self._engine

    def refresh(self, kind: str, external_ids: Sequence[str], removed: bool = False) -> None:
        """Bring the indexes in step after a committed write; the store stays the truth if this fails."""
        engine = self._engine
        if engine is None or not external_ids:
            return
        try:
            if removed:
                engine.remove(kind, list(external_ids))
            else:
                engine.refresh(kind, list(external_ids))
        except Exception:
            log.exception("index update failed for %s %s; the next sync will catch up", kind, list(external_ids))

    def sync(self) -> None:
        engine = self._engine
        if engine is None:
            return
        try:
            engine.sync()
        except Exception:
            log.exception("index sync after import failed; the next sync will catch up")


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request, closed before the response is sent (scope='function')."""
    with get_store(request).session() as session:
        yield session


def get_engine_slot(request: Request) -> EngineSlot:
    slot: EngineSlot = request.app.state.engine_slot
    return slot


def get_engine(request: Request) -> MatchingEngine:
    return get_engine_slot(request).get()


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
StoreDep = Annotated[Store, Depends(get_store)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
EngineSlotDep = Annotated[EngineSlot, Depends(get_engine_slot)]
EngineDep = Annotated[MatchingEngine, Depends(get_engine)]
CurrentKeyDep = Annotated[Identity, Depends(current_identity)]
StaffDep = Annotated[Identity, Depends(require_roles(Role.staff))]
BuyerOrStaffDep = Annotated[Identity, Depends(require_roles(Role.staff, Role.buyer))]
StartupOrStaffDep = Annotated[Identity, Depends(require_roles(Role.staff, Role.startup))]
