"""API documentation pages that work offline: Swagger UI and ReDoc served from installed files.

FastAPI's default `/docs` and `/redoc` load their JavaScript from a CDN, so they are blank without
network. Both are vendored under `service/static/` with their licences (see its README): Swagger UI 5
(`swagger-ui-dist`; the PyPI `swagger-ui-bundle` stops at Swagger UI 4, which cannot read the
OpenAPI 3.1 that FastAPI emits) and ReDoc's standalone bundle.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

SWAGGER_ASSETS = "/docs-assets/swagger"
REDOC_ASSETS = "/docs-assets/redoc"
STATIC = Path(__file__).parent / "static"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"


def install_docs(app: FastAPI) -> None:
    """Serve `/docs` and `/redoc` from local assets (build the app with `docs_url=redoc_url=None`)."""
    app.mount(SWAGGER_ASSETS, StaticFiles(directory=STATIC / "swagger"), name="swagger-assets")
    app.mount(REDOC_ASSETS, StaticFiles(directory=STATIC / "redoc"), name="redoc-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} — Swagger UI",
            swagger_js_url=f"{SWAGGER_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_ASSETS}/favicon-32x32.png",
            oauth2_redirect_url=OAUTH2_REDIRECT,
        )

    @app.get(OAUTH2_REDIRECT, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} — ReDoc",
            redoc_js_url=f"{REDOC_ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{SWAGGER_ASSETS}/favicon-32x32.png",
            with_google_fonts=False,
        )
