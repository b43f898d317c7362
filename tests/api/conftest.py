"""API fixtures: a seeded store (copied per test from one template), keys for every role, clients.

The template database is migrated and seeded once per session through `matcher.store.repository` and
`matcher.store.keys`; each test gets its own copy under its own TREMPLIN_HOME, so tests may write freely.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from matcher.schemas import BuyerIn, StartupIn, TenderIn
from matcher.settings import Settings
from matcher.store import Store, keys, repository
from service.app import create_app

NOW = datetime.now(UTC).replace(microsecond=0)

BUYERS = [
    BuyerIn(external_id="B-ONEE", name="Office National de l'Électricité", kind="public_enterprise", region="Rabat"),
    BuyerIn(external_id="B-CASA", name="Commune de Casablanca", kind="local_authority", region="Casablanca-Settat"),
    BuyerIn(external_id="B-EMPTY", name="Banque Sans Appels", kind="bank"),
]

STARTUPS = [
    StartupIn(
        external_id="S-PAY",
        name="PayNova",
        description="Paiement mobile, portefeuille électronique et passerelle de paiement en ligne sécurisée.",
        sectors=["fintech", "paiement"],
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
        external_id="S-ROAD",
        name="Atlas Chantiers",
        description="Travaux routiers, terrassement et réfection de chaussées pour les communes.",
        sectors=["btp"],
        cpv_codes=["45233140"],
        city="Marrakech",
        region="Marrakech-Safi",
        founding_year=2015,
        headcount=60,
        contact_email="bureau@atlas-chantiers.ma",
    ),
]


def _tenders() -> list[TenderIn]:
    return [
        TenderIn(
            external_id="T-PAY",
            title="Plateforme de paiement mobile pour la facturation de l'électricité",
            description="Conception et exploitation d'une passerelle de paiement mobile et en ligne sécurisée.",
            buyer_external_id="B-ONEE",
            cpv_codes=["72000000"],
            region="Casablanca-Settat",
            estimated_value=1_500_000,
            published_at=NOW - timedelta(days=3),
            deadline_at=NOW + timedelta(days=40),
            reserved_for_sme=True,
        ),
        TenderIn(
            external_id="T-ROAD",
            title="Réfection de la chaussée du boulevard Zerktouni",
            description="Travaux de voirie : rabotage, enrobés et signalisation horizontale.",
            buyer_external_id="B-CASA",
            cpv_codes=["45233140"],
            region="Casablanca-Settat",
            estimated_value=9_000_000,
            published_at=NOW - timedelta(days=2),
            deadline_at=NOW + timedelta(days=30),
        ),
        TenderIn(
            external_id="T-OLD",
            title="Paiement en ligne des vignettes (clos)",
            description="Passerelle de paiement mobile, marché clos.",
            buyer_external_id="B-ONEE",
            cpv_codes=["72000000"],
            published_at=NOW - timedelta(days=90),
            deadline_at=NOW - timedelta(days=30),
            status="closed",
        ),
    ]


Auth = Callable[[str | None], dict[str, str]]
METRICS_TOKEN = "metrics-test-token"
METRICS_AUTH = {"Authorization": f"Bearer {METRICS_TOKEN}"}


@dataclass(frozen=True)
class Seed:
    """The template database and the raw keys created in it (keys are only stored hashed)."""

    db_path: Path
    keys: dict[str, str]
    prefixes: dict[str, str]


ROLES_KEYS = {
    "staff": ("staff", None, None),
    "buyer_a": ("buyer", None, "B-ONEE"),
    "buyer_b": ("buyer", None, "B-CASA"),
    "startup_a": ("startup", "S-PAY", None),
    "startup_b": ("startup", "S-ROAD", None),
    "revoked": ("staff", None, None),
    "spare": ("staff", None, None),
}


def build_seed(home: Path) -> Seed:
    """Migrate and seed a store under `home` with buyers, startups, tenders and a key per caller."""
    store = Store(Settings(home=home))
    store.migrate()
    raw: dict[str, str] = {}
    prefixes: dict[str, str] = {}
    with store.session() as session:
        for buyer in BUYERS:
            repository.create_buyer(session, buyer)
        for startup in STARTUPS:
            repository.create_startup(session, startup, source="test")
        for tender in _tenders():
            repository.create_tender(session, tender, source="test")
        for name, (role, startup_id, buyer_id) in ROLES_KEYS.items():
            row, raw[name] = keys.create_key(session, role, name=name, startup_id=startup_id, buyer_id=buyer_id)
            prefixes[name] = row.prefix
        keys.revoke_key(session, prefixes["revoked"])
    store.dispose()
    return Seed(db_path=home / "tremplin.db", keys=raw, prefixes=prefixes)


@pytest.fixture(scope="session")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Seed:
    return build_seed(tmp_path_factory.mktemp("api-template"))


@pytest.fixture
def api_settings(settings: Settings, seed: Seed) -> Settings:
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{seed.db_path}{suffix}")
        if source.exists():
            shutil.copy(source, settings.home / source.name)
    return settings.model_copy(
        update={
            "embedder": "hashing",
            "max_upload_bytes": 64 * 1024,
            "metrics_enabled": True,
            "metrics_token": METRICS_TOKEN,
            "rate_limit_enabled": False,  # the throttling tests turn it on
        }
    )


@pytest.fixture
def raw_keys(seed: Seed) -> dict[str, str]:
    return seed.keys


@pytest.fixture
def auth(seed: Seed) -> Auth:
    """Headers for a caller name ('staff', 'buyer_a', …) or no key at all (None)."""

    def headers(caller: str | None) -> dict[str, str]:
        return {} if caller is None else {"Authorization": f"Bearer {seed.keys[caller]}"}

    return headers


@pytest.fixture
def client(api_settings: Settings) -> Iterator[TestClient]:
    """The app without the matching engine (loaded on first use): CRUD, auth, errors, operations."""
    with TestClient(create_app(api_settings, load_engine=False)) as test_client:
        yield test_client


@pytest.fixture
def engine_client(api_settings: Settings) -> Iterator[TestClient]:
    """The app with the real engine (hashing embedder: fast, deterministic), loaded at start-up."""
    with TestClient(create_app(api_settings)) as test_client:
        yield test_client
