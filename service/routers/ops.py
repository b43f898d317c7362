"""Liveness, readiness and Prometheus metrics: open to the monitoring system, no key needed."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service.deps import EngineSlotDep, StoreDep
from service.observability import Metrics
from service.schemas import Health, Readiness

router = APIRouter(tags=["operations"])


@router.get("/health", summary="Liveness", description="Answers as long as the process serves requests.")
def health() -> Health:
    return Health(status="ok")


@router.get(
    "/ready",
    response_model=Readiness,
    summary="Readiness",
    description="200 when the store answers, the indexes and the embedding model are loaded; 503 otherwise, "
    "with the failing checks.",
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
    body = Readiness(ready=all(checks.values()), checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if body.ready else 503)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    description="Request counts and latency per route template, index sizes and table sizes.",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}}}},
)
def metrics(request: Request) -> Response:
    collected: Metrics = request.app.state.metrics
    return Response(generate_latest(collected.registry), media_type=CONTENT_TYPE_LATEST)
