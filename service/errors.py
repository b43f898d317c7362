"""One JSON error shape for every failure, and the handlers that produce it.

``{"error": {"code", "message", "details": [{"field", "reason"}], "request_id"}}`` — a client can
always read the code, show the message, point at the field and quote the request id to support.
Unhandled exceptions become a 500 of the same shape in the observability middleware (no trace).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from matcher.errors import (
    ConflictError,
    IndexCorruptError,
    ModelUnavailableError,
    NotFoundError,
    TremplinError,
)
from matcher.i18n import accepted_language, catalogue, error_code, render, translate
from matcher.store.repository import FieldError
from service.observability import current_request_id

log = logging.getLogger(__name__)

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


class ErrorDetail(BaseModel):
    field: str = Field(description="Where the problem is: 'body.name', 'query.limit', 'path.startup_id', 'file'.")
    reason: str = Field(description="What is wrong with it (English, or the Accept-Language asked for: fr, ar).")
    code: str | None = Field(
        default=None, description="Message code of the reason, e.g. 'v_missing', 'v_cpv_invalid' (validation errors)."
    )


class ErrorInfo(BaseModel):
    code: str = Field(description="Stable machine-readable code.", examples=["not_found"])
    message: str = Field(description="One readable sentence.", examples=["startup 'ST-0001' not found"])
    details: list[ErrorDetail] = Field(default_factory=list)
    request_id: str = Field(description="Also in the X-Request-ID header and the server logs.")


class ErrorResponse(BaseModel):
    error: ErrorInfo


class ApiError(StarletteHTTPException):
    """An HTTP error with our code and field details; raised by routes and dependencies."""

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        code: str | None = None,
        details: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status_code=status_code, detail=message, headers=headers)
        self.code = code or CODES.get(status_code, "error")
        self.message = message
        self.details = details or []


def unauthorized(message: str = "a valid API key is required") -> ApiError:
    return ApiError(401, message, headers={"WWW-Authenticate": "Bearer"})


def forbidden(message: str) -> ApiError:
    return ApiError(403, message)


def invalid(field: str, reason: str) -> ApiError:
    return ApiError(422, f"{field}: {reason}", details=[{"field": field, "reason": reason}])


def error_payload(
    status_code: int, message: str, code: str | None = None, details: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    return {
        "error": {
            "code": code or CODES.get(status_code, "error"),
            "message": message,
            "details": details or [],
            "request_id": current_request_id(),
        }
    }


def error_response(
    status_code: int,
    message: str,
    code: str | None = None,
    details: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        error_payload(status_code, message, code, details), status_code=status_code, headers=dict(headers or {})
    )


# Domain field names that the API spells otherwise (one name per concept: `<kind>_id` for references).
API_FIELD_NAMES = {"buyer_external_id": "buyer_id"}


def _field(loc: tuple[Any, ...] | list[Any], prefix: str | None = None) -> str:
    parts = [str(part) for part in loc]
    if prefix:  # a domain model's error: speak the API's names
        parts = [API_FIELD_NAMES.get(part, part) for part in parts]
    if prefix and (not parts or parts[0] != prefix):
        parts.insert(0, prefix)
    return ".".join(parts) or (prefix or "request")


def request_language(request: Request) -> str | None:
    """The language an API client asks for (Accept-Language); None = English, the API's default."""
    return accepted_language(request.headers.get("accept-language"))


def _validation_details(errors: list[Any], prefix: str | None = None, lang: str | None = None) -> list[dict[str, str]]:
    """Each problem with its field, its message code (``v_<type>`` or a domain code) and a reason.

    The reason is pydantic's English unless the client asked for French or Arabic and the catalogue
    knows the code.
    """
    details = []
    for error in errors:
        code, params = error_code(error)
        reason = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        if lang and lang != "en" and catalogue(lang).has(code):
            reason = render(lang, code, params)
        details.append({"field": _field(error.get("loc", ()), prefix), "reason": reason, "code": code})
    return details


def _summary(details: list[dict[str, str]]) -> str:
    if not details:
        return "the request is not valid"
    first = details[0]
    more = f" (and {len(details) - 1} more)" if len(details) > 1 else ""
    return f"{first['field']}: {first['reason']}{more}"


async def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = _validation_details(list(exc.errors()), lang=request_language(request))
    return error_response(422, _summary(details), details=details)


async def _model_validation(request: Request, exc: Exception) -> JSONResponse:
    """A merged update that fails the domain schema: the fields are body fields."""
    assert isinstance(exc, ValidationError)
    details = _validation_details(list(exc.errors()), prefix="body", lang=request_language(request))
    return error_response(422, _summary(details), details=details)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc, ApiError):
        return error_response(exc.status_code, exc.message, exc.code, exc.details, exc.headers)
    message = exc.detail if isinstance(exc.detail, str) else CODES.get(exc.status_code, "error")
    if exc.status_code == 404 and message == "Not Found":
        message = "no such route"
    return error_response(exc.status_code, message, headers=exc.headers)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    message = str(exc)
    if isinstance(exc, NotFoundError):
        lang = request_language(request)
        if lang and lang != "en":  # French or Arabic asked for: the catalogue's words
            kind = f"kind_{exc.kind.replace(' ', '_')}"
            name = translate(lang, kind) if catalogue(lang).has(kind) else exc.kind
            message = translate(lang, "not_found_message", kind=name, id=exc.external_id)
        return error_response(404, message)
    if isinstance(exc, ConflictError):
        return error_response(409, message)
    if isinstance(exc, FieldError):
        name = API_FIELD_NAMES.get(exc.field, exc.field)
        field = name if name.startswith(("body", "query", "path", "file")) else f"body.{name}"
        return error_response(422, f"{field}: {message}", details=[{"field": field, "reason": message}])
    if isinstance(exc, ModelUnavailableError | IndexCorruptError):
        return error_response(503, message)
    return error_response(400, message)


async def _integrity_error(_request: Request, exc: Exception) -> JSONResponse:
    """A write that breaks a uniqueness or reference rule (usually two requests at once): our words,
    never the database's (which name tables and constraints)."""
    log.warning("integrity error answered as 409: %s", str(getattr(exc, "orig", exc)).splitlines()[0])
    return error_response(
        409,
        "this change conflicts with stored data (a record with the same id may have just been created); "
        "nothing was changed",
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(ValidationError, _model_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(TremplinError, _domain_error)


def _example(status_code: int, message: str, details: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {
        "error": {
            "code": CODES[status_code],
            "message": message,
            "details": details or [],
            "request_id": "9f1c2b7e4d0a4c5e8b1f3a2d6e7c9b10",
        }
    }


_DECLARED: dict[int, tuple[str, dict[str, Any]]] = {
    400: ("The request cannot be carried out.", _example(400, "the request cannot be carried out")),
    401: ("Missing, unknown or revoked API key.", _example(401, "a valid API key is required")),
    403: ("The key's role does not allow this.", _example(403, "a startup key may only read its own profile")),
    404: ("Unknown id.", _example(404, "startup 'ST-9999' not found")),
    409: ("Conflicts with stored data.", _example(409, "startup 'ST-0001' already exists")),
    413: ("Upload larger than the configured limit.", _example(413, "the request body exceeds 20971520 bytes")),
    422: (
        "Invalid input; `details` names each field and the reason.",
        _example(
            422,
            "body.name: String should have at least 1 character",
            [{"field": "body.name", "reason": "String should have at least 1 character"}],
        ),
    ),
    429: (
        "Too many requests; wait the seconds of `Retry-After`.",
        _example(429, "too many matching or search requests for this key: try again in 12 s"),
    ),
    503: ("The matching engine or its model is not available.", _example(503, "the matching engine is not loaded")),
}


def declare(*status_codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the given error statuses, all with the one error shape."""
    return {
        code: {
            "model": ErrorResponse,
            "description": _DECLARED[code][0],
            "content": {"application/json": {"example": _DECLARED[code][1]}},
        }
        for code in status_codes
    }
