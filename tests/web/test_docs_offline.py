"""`/docs` and `/redoc` render in Chromium with every request outside 127.0.0.1 refused (no CDN)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.web.conftest import screenshot

pytestmark = pytest.mark.browser

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect


def block_the_network(page: Any) -> list[str]:
    """Abort every request that does not go to the local test server; return the blocked URLs."""
    blocked: list[str] = []

    def handle(route: Any) -> None:
        host = urlparse(route.request.url).hostname
        if host in {"127.0.0.1", "localhost"}:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", handle)
    return blocked


def test_swagger_ui_renders_offline(page: Any) -> None:
    blocked = block_the_network(page)
    page.goto("/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Tremplin API")
    expect(page.locator(".opblock-tag", has_text="startups").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text=re.compile(r"^/startups$")).first).to_be_visible()
    screenshot(page, "docs-offline")
    assert blocked == [], f"/docs asked the network for {blocked}"


def test_redoc_renders_offline(page: Any) -> None:
    blocked = block_the_network(page)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/redoc")
    expect(page.get_by_role("heading", name=re.compile("Tremplin API")).first).to_be_visible(timeout=30_000)
    assert errors == [], errors
    expect(page.get_by_text("List startups").first).to_be_attached()
    screenshot(page, "redoc-offline")
    # ReDoc's sidebar credit loads a decorative logo from its CDN and hides it when that fails.
    assert [url for url in blocked if not url.endswith("/redoc/logo-mini.svg")] == [], blocked
