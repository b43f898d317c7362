"""The FastAPI application: factory, lifespan, middleware and routers.

`create_app()` builds an app from settings; the lifespan brings the store schema up to date and
loads the matching engine (embedder + indexes) once. Tests inject an engine, or pass
`load_engine=False` so the engine is only loaded by the first matching request.
Run with `tremplin serve`, or `uvicorn --factory service.app:create_app`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

import anyio.to_thread
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
from service.routers import (
    alerts,
    bids,
    buyers,
    contacts,
    digests,
    feedback,
    imports,
    keys,
    links,
    matches,
    ops,
    profiles,
    saved_searches,
    shortlists,
    startups,
    suppliers,
    tender_tools,
    tenders,
)
from service.security import SecurityHeadersMiddleware, Throttle

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
    {"name": "alerts", "description": "Saved searches, their e-mail alerts and Atom feeds."},
    {"name": "bids", "description": "A startup's bid pipeline and its hidden tenders."},
    {"name": "imports", "description": "Bulk upload of files."},
    {"name": "keys", "description": "API keys."},
    {"name": "suppliers", "description": "Supplier profiles with a verified track record, and comparison."},
    {"name": "trust", "description": "Award links to companies: review, claims, disputes, confirmed deliveries."},
    {"name": "shortlists", "description": "A buyer's shortlists of suppliers."},
    {"name": "contacts", "description": "Consent-based contact requests and invitations to bid."},
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


def _load_in_background(slot: EngineSlot) -> None:
    try:
        slot.get()
        log.info("matching engine loaded")
    except Exception:  # the first matching request will try again and answer the error
        log.exception("loading the matching engine failed")


def create_app(
    settings: Settings | None = None,
    engine: MatchingEngine | None = None,
    *,
    load_engine: bool | Literal["background"] = True,
) -> FastAPI:
    """Build the app. `engine` is used as given; otherwise it is loaded at start-up, in a background
    thread with `load_engine="background"` (the server answers `/health` at once, `/ready` says false
    until the indexes are rebuilt), or, with `load_engine=False`, on the first request that needs it."""
    settings = settings or get_settings()
    store = Store(settings)
    slot = EngineSlot(settings, engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging()
        # Sync routes and dependencies run in anyio's thread pool; its size bounds requests in flight.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        settings.ensure_home()
        await run_in_threadpool(store.migrate)
        if load_engine == "background" and slot.loaded is None:
            log.info("loading the matching engine (embedder and indexes) in the background")
            app.state.engine_loader = threading.Thread(
                target=_load_in_background, args=(slot,), name="engine-loader", daemon=True
            )
            app.state.engine_loader.start()
        elif load_engine and slot.loaded is None:
            log.info("loading the matching engine (embedder and indexes)")
            await run_in_threadpool(slot.get)
        forked_from = getattr(app.state, "forked_from", None)
        if forked_from is not None and forked_from != os.getpid():  # a worker forked from the loader
            after_fork = getattr(slot.loaded, "after_fork", None)
            if after_fork is not None:
                after_fork()
            log.info("worker %s serves the engine loaded before the fork (memory shared)", os.getpid())
        yield
        close = getattr(slot.loaded, "close", None)
        if close is not None:  # write a pending index snapshot (the next start would replay it anyway)
            await run_in_threadpool(close)
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
    app.state.throttle = Throttle(settings)
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
    app.add_middleware(SecurityHeadersMiddleware)
    # Added last, so outermost: it sees every response. The body limit leaves room for multipart
    # framing; the import route then holds the file itself to `max_upload_bytes`.
    app.add_middleware(
        ObservabilityMiddleware,
        metrics=app.state.metrics,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes + MULTIPART_SLACK,
    )

    routers = (ops, keys, startups, matches, buyers, tender_tools, tenders, suppliers, feedback, imports, digests)
    for module in (*routers, profiles, links, shortlists, contacts, saved_searches, bids, alerts):
        app.include_router(module.router)
    app.include_router(web.router)
    install_docs(app)
    return app


def create_served_app() -> FastAPI:
    """The factory `tremplin serve` runs: the engine loads in the background so liveness answers at once."""
    return create_app(load_engine="background")


def create_preforked_app() -> FastAPI:
    """The app `tremplin serve --workers N` loads once, in the process that then forks the workers.

    The engine is loaded here, before the fork, so that its catalogue, id maps and mapped snapshot
    are shared copy-on-write by every worker instead of loaded N times; each worker's lifespan then
    starts that worker's own watcher and snapshot thread (`Engine.after_fork`).
    """
    configure_logging()
    app = create_app()
    settings: Settings = app.state.settings
    store: Store = app.state.store
    settings.ensure_home()
    store.migrate()
    engine = app.state.engine_slot.get()
    prepare_fork = getattr(engine, "prepare_fork", None)
    if prepare_fork is not None:
        prepare_fork()
    store.dispose()  # no connection crosses the fork; each worker opens its own
    app.state.forked_from = os.getpid()
    return app


__all__ = ["create_app", "create_preforked_app", "create_served_app"]
