"""Liveness, readiness and Prometheus metrics: open to the monitoring system, no key needed."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from matcher.settings import Settings
from service.deps import EngineSlotDep, StoreDep
from service.errors import ApiError, declare
from service.observability import Metrics
from service.schemas import Health, Readiness

router = APIRouter(tags=["operations"])


@router.get(
    "/health",
    summary="Liveness",
    description="Answers as long as the process serves requests, also while the indexes are being rebuilt.",
)
def health() -> Health:
    return Health(status="ok")


@router.get(
    "/ready",
    response_model=Readiness,
    summary="Readiness",
    description="200 when the store answers and can write, the indexes and the embedding model are loaded; "
    "503 otherwise, with the failing checks (e.g. while the indexes are rebuilt after a restart).",
    responses={503: {"model": Readiness, "description": "Not ready; `checks` says what is missing."}},
)
def ready(store: StoreDep, slot: EngineSlotDep) -> JSONResponse:
    engine = slot.loaded
    if engine is not None:
        checks = dict(engine.readiness())
    else:
        checks = {"store": True, "indexes": False, "model": False}
        try:
            with store.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except Exception:
            checks["store"] = False
    checks["store_writable"] = checks["store"] and store.writable()
    body = Readiness(ready=all(checks.values()), checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if body.ready else 503)


_LOCAL = {"127.0.0.1", "::1", "localhost"}


def _metrics_allowed(request: Request, settings: Settings) -> None:
    """Off unless TREMPLIN_METRICS_ENABLED; then for the machine itself, or anyone with the metrics token."""
    if not settings.metrics_enabled:
        raise ApiError(404, "metrics are turned off on this server (TREMPLIN_METRICS_ENABLED)")
    if request.client is not None and request.client.host in _LOCAL:
        return
    sent = request.headers.get("authorization", "")
    token = sent[7:].strip() if sent.lower().startswith("bearer ") else ""
    if settings.metrics_token and token and hmac.compare_digest(token.encode(), settings.metrics_token.encode()):
        return
    raise ApiError(403, "metrics are served to this machine or with the metrics token (TREMPLIN_METRICS_TOKEN)")


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    description="Request counts and latency per route template, index sizes and table sizes. Off unless "
    "`TREMPLIN_METRICS_ENABLED`; then from localhost, or with `Authorization: Bearer <TREMPLIN_METRICS_TOKEN>`.",
    response_class=Response,
    responses=declare(403, 404)
    | {200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}}}},
)
def metrics(request: Request) -> Response:
    _metrics_allowed(request, request.app.state.settings)
    collected: Metrics = request.app.state.metrics
    return Response(generate_latest(collected.registry), media_type=CONTENT_TYPE_LATEST)
