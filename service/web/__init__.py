"""Server-rendered web pages (Jinja2, no build step) for startups, buyers and staff.

`router` holds every page and the stylesheet; the app includes it next to the API routers. Pages sign
in with an API key kept in a signed session cookie (see `session`), French by default (see `i18n`).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.staticfiles import StaticFiles

from service.web import board, digests, pages, profile, search, staff, staff_lists, tenders, trust
from service.web.render import HERE, STATIC_PREFIX

router = APIRouter(include_in_schema=False)
router.include_router(pages.router)
router.include_router(profile.router)
router.include_router(search.router)
router.include_router(tenders.router)
router.include_router(board.router)
router.include_router(staff.router)
router.include_router(staff_lists.router)
router.include_router(digests.router)
router.include_router(trust.router)
router.mount(STATIC_PREFIX, StaticFiles(directory=HERE / "static"), name="web-static")

__all__ = ["router"]
