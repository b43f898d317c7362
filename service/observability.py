"""Request ids, JSON logs, Prometheus metrics and the last line of defence against crashes.

One pure-ASGI middleware does it all for each HTTP request: take or make the request id, refuse a
body above the upload limit, time the request per route template, log one JSON line, and turn any
unhandled exception into the one JSON error shape (500, no trace) instead of a dropped connection.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import gc_pauses

REQUEST_ID_HEADER = "X-Request-ID"
LOG_LEVEL_ENV = "TREMPLIN_LOG_LEVEL"
_REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_LOG_FIELDS = ("method", "path", "route", "status", "duration_ms", "client", "error")

access_log = logging.getLogger("tremplin.access")
error_log = logging.getLogger("tremplin.errors")


def current_request_id() -> str:
    return _REQUEST_ID.get()


# --- JSON logs -----------------------------------------------------------------------------------


class RequestIdFilter(logging.Filter):
    """Stamps every record with the id of the request being served (or '-')."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and request fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", current_request_id()),
        }
        for name in _LOG_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def json_handler(stream: Any = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler.set_name("tremplin-json")
    return handler


def configure_logging(level: int | str | None = None, replace: bool = False) -> None:
    """Send all logs as JSON lines to stderr; idempotent. `replace` drops other root handlers.

    Without `level`, an already configured process keeps its level; a fresh one (e.g. a uvicorn
    worker process) takes TREMPLIN_LOG_LEVEL, which `tremplin serve` sets, or INFO.
    """
    root = logging.getLogger()
    ours = [handler for handler in root.handlers if handler.get_name() == "tremplin-json"]
    if replace:
        for handler in list(root.handlers):
            if handler not in ours:
                root.removeHandler(handler)
    if not ours:
        root.addHandler(json_handler())
        level = level or os.environ.get(LOG_LEVEL_ENV, "INFO").upper()
    if level is not None:
        root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True


# --- metrics -------------------------------------------------------------------------------------


class StoreCollector(Collector):
    """Index sizes and table sizes, read at scrape time so they are never stale."""

    def __init__(self, index_sizes: Callable[[], dict[str, int]], table_sizes: Callable[[], dict[str, int]]) -> None:
        self.index_sizes = index_sizes
        self.table_sizes = table_sizes

    def describe(self) -> Iterator[Metric]:
        """Names only, so registering does not touch the store."""
        yield GaugeMetricFamily("tremplin_index_items", "Items in each search index.", labels=["index"])
        yield GaugeMetricFamily("tremplin_store_rows", "Rows in each table of the store.", labels=["table"])

    def collect(self) -> Iterator[Metric]:
        indexes = GaugeMetricFamily("tremplin_index_items", "Items in each search index.", labels=["index"])
        for name, size in self.index_sizes().items():
            indexes.add_metric([name], size)
        yield indexes
        tables = GaugeMetricFamily("tremplin_store_rows", "Rows in each table of the store.", labels=["table"])
        for name, size in self.table_sizes().items():
            tables.add_metric([name], size)
        yield tables


class Metrics:
    """A registry per app (tests build many apps) with request counts and latency per route."""

    def __init__(self, index_sizes: Callable[[], dict[str, int]], table_sizes: Callable[[], dict[str, int]]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "tremplin_http_requests",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "tremplin_http_request_duration_seconds",
            "HTTP request latency by method and route template.",
            ["method", "route"],
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=self.registry,
        )
        self.registry.register(StoreCollector(index_sizes, table_sizes))
        gc_pauses.watch()
        self.registry.register(gc_pauses.GcPauseCollector())

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)


# --- the middleware ------------------------------------------------------------------------------


class PayloadTooLarge(HTTPException):
    """Raised while reading a body past the limit; an HTTPException so FastAPI re-raises it as is."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body exceeds {limit} bytes")


def _json_error(status: int, code: str, message: str, request_id: str) -> bytes:
    body = {"error": {"code": code, "message": message, "details": [], "request_id": request_id}}
    return json.dumps(body).encode()


UPLOAD_PATHS = ("/imports/", "/staff/import")


class ObservabilityMiddleware:
    """Request id, access log, metrics, and a request-body limit per route: file uploads get
    `max_upload_bytes` (+ multipart framing), every other route the small `max_body_bytes` that fits
    the largest valid JSON body (see the field bounds in `matcher.schemas`)."""

    def __init__(
        self, app: ASGIApp, metrics: Metrics, max_body_bytes: int, max_upload_bytes: int | None = None
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes if max_upload_bytes is not None else max_body_bytes

    def limit_for(self, path: str) -> int:
        return self.max_upload_bytes if path.startswith(UPLOAD_PATHS) else self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        incoming = headers.get("x-request-id", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = _REQUEST_ID.set(request_id)
        started = time.perf_counter()
        state = {"status": 500, "started": False, "received": 0}
        limit = self.limit_for(scope["path"])

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["started"] = True
                state["status"] = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        async def receive_limited() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    raise PayloadTooLarge(limit)
            return message

        async def answer(status: int, code: str, message: str) -> None:
            await send_with_id(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": _json_error(status, code, message, request_id)})

        error: str | None = None
        try:
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                await answer(413, "payload_too_large", f"the request body exceeds {limit} bytes")
            else:
                await self.app(scope, receive_limited, send_with_id)
        except PayloadTooLarge as exc:
            if not state["started"]:
                await answer(413, "payload_too_large", str(exc.detail))
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            error_log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if not state["started"]:
                await answer(500, "internal_error", "internal error; quote the request id to support")
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.observe(scope["method"], template, int(state["status"]), elapsed)
            extra: dict[str, Any] = {
                "method": scope["method"],
                "path": scope["path"],
                "route": template,
                "status": state["status"],
                "duration_ms": round(elapsed * 1000, 2),
                "request_id": request_id,
            }
            if scope.get("client"):
                extra["client"] = scope["client"][0]
            if error:
                extra["error"] = error
            access_log.info("%s %s %s", scope["method"], scope["path"], state["status"], extra=extra)
            _REQUEST_ID.reset(token)
