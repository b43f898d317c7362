"""Web fixtures: a seeded state folder, the real app served by uvicorn on 127.0.0.1, Debian's Chromium.

The app runs in a background thread against its own TREMPLIN_HOME (hashing embedder: instant), seeded
once per session through `matcher.store.repository` and `matcher.store.keys`. Playwright drives /usr/bin/chromium
(never a downloaded browser); browser tests skip cleanly when it is absent. Screenshots go to
test-output/screenshots/ (git-ignored).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import update
from starlette.routing import NoMatchFound

from matcher.schemas import BuyerIn, StartupIn, TenderIn
from matcher.settings import Settings
from matcher.store import Startup, Store, keys, repository

PROJECT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = PROJECT / "test-output" / "screenshots"
AXE_CANDIDATES = [PROJECT / "node_modules" / "axe-core" / "axe.min.js"]

NOW = datetime.now(UTC).replace(microsecond=0)

BUYERS = [
    BuyerIn(
        external_id="B-MTN",
        name="Ministère de la Transition Numérique",
        kind="ministry",
        city="Rabat",
        region="Rabat-Salé-Kénitra",
        contact_email="achats@numerique.gov.ma",
        digest_opt_in=True,
    ),
    BuyerIn(external_id="B-CASA", name="Commune de Casablanca", kind="local_authority", region="Casablanca-Settat"),
]

STARTUPS = [
    StartupIn(
        external_id="S-PAY",
        name="PayNova",
        description="Paiement mobile, portefeuille électronique et passerelle de paiement en ligne sécurisée.",
        sectors=["fintech", "paiement"],
        tags=["mobile money"],
        cpv_codes=["72000000", "66110000"],
        city="Casablanca",
        region="Casablanca-Settat",
        founding_year=2020,
        headcount=12,
        annual_revenue=3_000_000,
        certifications=["ISO 27001"],
        references=["Portail de paiement de la commune de Settat"],
        contact_email="contact@paynova.ma",
    ),
    StartupIn(
        external_id="S-AGRI",
        name="AgriSense",
        description="Capteurs connectés et tableau de bord pour l'irrigation de précision des exploitations agricoles.",
        sectors=["agritech", "iot"],
        cpv_codes=["38000000"],
        city="Meknès",
        region="Fès-Meknès",
        founding_year=2021,
        headcount=8,
        contact_email="hello@agrisense.ma",
    ),
    StartupIn(
        external_id="S-DATA",
        name="بيانات المغرب",
        description="منصة لتحليل البيانات والذكاء الاصطناعي للإدارات العمومية، لوحات قيادة وتعلم آلي.",
        sectors=["data", "intelligence artificielle"],
        cpv_codes=["72300000"],
        city="Rabat",
        region="Rabat-Salé-Kénitra",
        founding_year=2019,
        headcount=25,
        certifications=["ISO 27001"],
        references=["Tableau de bord du ministère de la santé", "Portail open data"],
        contact_email="contact@bayanat.ma",
        preferred_language="ar",
    ),
]


def _tenders() -> list[TenderIn]:
    return [
        TenderIn(
            external_id="T-PAY",
            title="Plateforme de paiement mobile des services publics en ligne",
            description="Conception et exploitation d'une passerelle de paiement mobile et en ligne sécurisée.",
            buyer_external_id="B-MTN",
            cpv_codes=["72000000"],
            region="Casablanca-Settat",
            estimated_value=1_500_000,
            published_at=NOW - timedelta(days=1),
            deadline_at=NOW + timedelta(days=30),
            reserved_for_sme=True,
        ),
        TenderIn(
            external_id="T-WALLET",
            title="Portefeuille électronique pour le paiement des taxes communales",
            description="Application de paiement mobile et portefeuille électronique pour les citoyens.",
            buyer_external_id="B-CASA",
            cpv_codes=["72200000"],
            region="Casablanca-Settat",
            estimated_value=800_000,
            published_at=NOW - timedelta(days=1),
            deadline_at=NOW + timedelta(days=12),
        ),
        TenderIn(
            external_id="T-DATA",
            title="Tableaux de bord et analyse de données pour la transformation numérique",
            description="Plateforme d'analyse de données, intelligence artificielle et tableaux de bord.",
            buyer_external_id="B-MTN",
            cpv_codes=["72300000"],
            region="Rabat-Salé-Kénitra",
            estimated_value=2_400_000,
            published_at=NOW - timedelta(days=1),
            deadline_at=NOW + timedelta(days=25),
            required_certifications=["ISO 27001"],
        ),
        TenderIn(
            external_id="T-IRRIG",
            title="Capteurs connectés pour l'irrigation des espaces verts",
            description="Fourniture et installation de capteurs d'humidité et pilotage de l'irrigation.",
            buyer_external_id="B-CASA",
            cpv_codes=["38000000"],
            region="Casablanca-Settat",
            estimated_value=600_000,
            published_at=NOW - timedelta(days=1),
            deadline_at=NOW + timedelta(days=20),
        ),
    ]


KEY_SPECS = {
    "staff": ("staff", None, None),
    "buyer": ("buyer", None, "B-MTN"),
    "startup": ("startup", "S-PAY", None),
    "other_startup": ("startup", "S-AGRI", None),
}


@dataclass(frozen=True)
class WebSeed:
    settings: Settings
    keys: dict[str, str]


def make_seed(home: Path, with_sample: bool = True, **overrides: Any) -> WebSeed:
    """The bundled sample data (as `make demo` shows it) plus the rows above, and one key per KEY_SPECS entry.

    Only the startups above keep the weekly digest: building 150 digests would take the test seconds
    and the review page would list them all.
    """
    options: dict[str, Any] = {
        "embedder": "hashing",
        "session_secret": "web-tests-secret",
        "rate_limit_enabled": False,  # many sign-ins from one address; the throttling tests turn it on
    } | overrides
    settings = Settings(home=home, **options)
    settings.ensure_home()
    store = Store(settings)
    store.migrate()
    raw: dict[str, str] = {}
    if with_sample:
        _load_sample(store)
    with store.session() as session:
        for buyer in BUYERS:
            repository.create_buyer(session, buyer)
        for startup in STARTUPS:
            repository.create_startup(session, startup)
        for tender in _tenders():
            repository.create_tender(session, tender)
        for name, (role, startup_id, buyer_id) in KEY_SPECS.items():
            _, raw[name] = keys.create_key(session, role, name=name, startup_id=startup_id, buyer_id=buyer_id)
    store.dispose()
    return WebSeed(settings=settings, keys=raw)


def _load_sample(store: Store) -> None:
    try:
        from matcher.datasets.sample import load_sample
    except ImportError:  # the sample loader is optional here: the rows above are enough
        return
    load_sample(store)
    with store.session() as session:
        session.execute(update(Startup).where(Startup.source == "sample").values(digest_opt_in=False))


@pytest.fixture(scope="session")
def web_seed(tmp_path_factory: pytest.TempPathFactory) -> WebSeed:
    return make_seed(tmp_path_factory.mktemp("web") / "home")


def build_app(settings: Settings) -> FastAPI:
    """The real app; the web router is added here only while service/app.py does not include it yet."""
    from service.app import create_app

    app = create_app(settings)
    try:
        app.url_path_for("login_form")
    except NoMatchFound:
        from service.web import router

        app.include_router(router)
    return app


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(web_seed: WebSeed) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(build_app(web_seed.settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="web-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test web server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium (/usr/bin/chromium) is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    opened = context.new_page()
    yield opened
    context.close()


def sign_in(page: Any, key: str) -> None:
    page.goto("/login")
    page.get_by_label("Clé d'API").fill(key)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
