"""The FastAPI application: factory, lifespan, middleware and routers.

`create_app()` builds an app from settings; the lifespan brings the store schema up to date and
loads the matching engine (embedder + indexes) once. Tests inject an engine, or pass
`load_engine=False` so the engine is only loaded by the first matching request.
Run with `tremplin serve`, or `uvicorn --factory service.app:create_app`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from matcher.settings import Settings, get_settings
from matcher.store import IndexState, Store
from service import web
from service.deps import EngineSlot, MatchingEngine
from service.docs import install_docs
from service.errors import install_error_handlers
from service.observability import REQUEST_ID_HEADER, Metrics, ObservabilityMiddleware, configure_logging
from service.routers import buyers, digests, feedback, imports, keys, matches, ops, startups, suppliers, tenders

log = logging.getLogger(__name__)

DESCRIPTION = """
Tremplin matches Moroccan startups with the calls for tender of large contractors.

**Authentication.** Every route except `/health`, `/ready` and `/metrics` needs an API key, sent as
`Authorization: Bearer <key>` or `X-API-Key: <key>` (create one with `tremplin keys create`).
Roles: *staff* may do everything; a *buyer* key reads tenders, manages its own tenders and searches
suppliers; a *startup* key reads and edits its own profile, sees its matches and gives feedback.
A startup's contact e-mail is shown only to staff and to the startup itself.

**Errors** always have the shape `{"error": {"code", "message", "details": [{"field", "reason"}],
"request_id"}}`; every response carries an `X-Request-ID` header (sent by you or made up).
"""

MULTIPART_SLACK = 64 * 1024

TAGS = [
    {"name": "startups", "description": "Startup profiles."},
    {"name": "buyers", "description": "Ministries, public enterprises, communes, corporates and banks."},
    {"name": "tenders", "description": "Calls for tender."},
    {"name": "matching", "description": "Tenders for a startup, suppliers for a tender or a need."},
    {"name": "feedback", "description": "Verdicts on matches."},
    {"name": "imports", "description": "Bulk upload of files."},
    {"name": "keys", "description": "API keys."},
    {"name": "operations", "description": "Health, readiness and metrics."},
]


def _index_sizes(store: Store) -> dict[str, int]:
    """Items per index as recorded when each index was last built or updated."""
    try:
        with store.sessions() as session:
            return {state.name: state.item_count for state in session.scalars(select(IndexState))}
    except Exception:  # a scrape must not fail because the store is briefly unavailable
        log.warning("could not read index sizes for /metrics", exc_info=True)
        return {}


def _table_sizes(store: Store) -> dict[str, int]:
    try:
        return store.counts()
    except Exception:
        log.warning("could not count store rows for /metrics", exc_info=True)
        return {}


def create_app(
    settings: Settings | None = None, engine: MatchingEngine | None = None, *, load_engine: bool = True
) -> FastAPI:
    """Build the app. `engine` is used as given; otherwise it is loaded at start-up or, with
    `load_engine=False`, on the first request that needs it."""
    settings = settings or get_settings()
    store = Store(settings)
    slot = EngineSlot(settings, engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging()
        settings.ensure_home()
        await run_in_threadpool(store.migrate)
        if load_engine and slot.loaded is None:
            log.info("loading the matching engine (embedder and indexes)")
            await run_in_threadpool(slot.get)
        yield
        store.dispose()

    app = FastAPI(
        title="Tremplin API",
        version="0.1.0",
        summary="Match Moroccan startups with the tenders of large contractors.",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        docs_url=None,  # served from local files by install_docs: no CDN, works offline
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.engine_slot = slot
    app.state.metrics = Metrics(lambda: _index_sizes(store), lambda: _table_sizes(store))

    install_error_handlers(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type", REQUEST_ID_HEADER],
            expose_headers=[REQUEST_ID_HEADER],
        )
    # Added last, so outermost: it sees every response. The body limit leaves room for multipart
    # framing; the import route then holds the file itself to `max_upload_bytes`.
    app.add_middleware(
        ObservabilityMiddleware, metrics=app.state.metrics, max_body_bytes=settings.max_upload_bytes + MULTIPART_SLACK
    )

    for module in (ops, keys, startups, matches, buyers, tenders, suppliers, feedback, imports, digests):
        app.include_router(module.router)
    app.include_router(web.router)
    install_docs(app)
    return app


__all__ = ["create_app"]
