"""Digest fixtures: a small world of startups, buyers and tenders, a real SMTP server on loopback
(aiosmtpd) that records what it accepts, and batches made directly in the store."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from matcher.ranking.results import Reason
from matcher.schemas import BuyerIn, StartupIn, TenderIn
from matcher.settings import Settings
from matcher.store import Digest, DigestBatch, DigestItem, Startup, Store, Tender, repository

NOW = datetime.now(UTC).replace(microsecond=0)

BUYERS = [
    BuyerIn(
        external_id="B-ORMVA",
        name="Office Régional de Mise en Valeur Agricole du Souss-Massa",
        kind="public_enterprise",
        timezone="Africa/Casablanca",
        contact_email="achats@ormvasm.ma",
        digest_opt_in=True,
    ),
    BuyerIn(external_id="B-ONEE", name="Office National de l'Électricité et de l'Eau", kind="public_enterprise"),
    BuyerIn(external_id="B-CASA", name="Commune de Casablanca", kind="local_authority"),
]

STARTUPS = [
    StartupIn(
        external_id="S-IRRI",
        name="Irrigo",
        description="Irrigation goutte-à-goutte intelligente, capteurs d'humidité des sols et pompage solaire "
        "pour les exploitations agricoles.",
        sectors=["agritech", "irrigation"],
        cpv_codes=["42122000", "43320000"],
        region="Souss-Massa",
        founding_year=2019,
        headcount=14,
        annual_revenue=4_000_000,
        contact_email="contact@irrigo.ma",
    ),
    StartupIn(
        external_id="S-PAY",
        name="PayNova",
        description="Mobile payment platform, digital wallet and secure online payment gateway.",
        sectors=["fintech", "payment"],
        cpv_codes=["72212000", "66110000"],
        region="Casablanca-Settat",
        founding_year=2020,
        headcount=12,
        preferred_language="en",
        contact_email="hello@paynova.ma",
    ),
    StartupIn(
        external_id="S-SIHA",
        name="Sihati",
        description="نظام المعلومات الاستشفائي والملف الطبي الإلكتروني والطب عن بعد. Système d'information "
        "hospitalier et dossier patient informatisé.",
        sectors=["healthtech"],
        cpv_codes=["48814000"],
        region="Rabat-Salé-Kénitra",
        founding_year=2018,
        headcount=30,
        preferred_language="ar",
        contact_email="info@sihati.ma",
    ),
    StartupIn(
        external_id="S-OFF",
        name="Quiet Irrigation",
        description="Irrigation goutte-à-goutte et pompage solaire.",
        sectors=["agritech"],
        cpv_codes=["42122000"],
        contact_email="no@quiet.ma",
        digest_opt_in=False,
    ),
    StartupIn(
        external_id="S-NOMAIL",
        name="Nomail Pay",
        description="Paiement mobile et portefeuille électronique.",
        sectors=["fintech"],
    ),
]


def tender(external_id: str, title: str, buyer: str, cpv: str, **extra: Any) -> TenderIn:
    data: dict[str, Any] = {
        "external_id": external_id,
        "title": title,
        "description": title,
        "buyer_external_id": buyer,
        "cpv_codes": [cpv],
        "estimated_value": 1_200_000,
        "published_at": NOW - timedelta(days=2),
        "deadline_at": NOW + timedelta(days=30),
    }
    return TenderIn(**(data | extra))


IRRIGATION = "Irrigation goutte-à-goutte et pompage solaire"
TENDERS = [
    *(
        tender(f"T-IRR-{n}", f"{IRRIGATION} lot {n} (périmètre {n})", "B-ORMVA", "42122000", reserved_for_sme=True)
        for n in range(1, 5)
    ),
    tender(
        "T-IRR-5", f"{IRRIGATION} des stations de l'ONEE", "B-ONEE", "42122000", required_certifications=["ISO 9001"]
    ),
    tender("T-IRR-6", "Capteurs d'humidité des sols et irrigation goutte-à-goutte des parcs", "B-CASA", "43320000"),
    tender("T-PAY-1", "Plateforme de paiement mobile et portefeuille électronique", "B-ONEE", "72212000"),
    tender("T-PAY-2", "Mobile payment gateway for parking fees", "B-CASA", "66110000", language="en"),
    tender("T-SIH-1", "Système d'information hospitalier et dossier patient informatisé", "B-CASA", "48814000"),
    tender(
        "T-OLD",
        f"{IRRIGATION} (marché clos)",
        "B-ORMVA",
        "42122000",
        status="closed",
        published_at=NOW - timedelta(days=60),
        deadline_at=NOW - timedelta(days=20),
    ),
]


def _seed(home: Path) -> Path:
    store = Store(Settings(home=home))
    store.migrate()
    with store.session() as session:
        for buyer in BUYERS:
            repository.create_buyer(session, buyer)
        for startup in STARTUPS:
            repository.create_startup(session, startup, source="test")
        for item in TENDERS:
            repository.create_tender(session, item, source="test")
    store.dispose()
    return home / "tremplin.db"


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated and seeded once; each test works on its own copy."""
    return _seed(tmp_path_factory.mktemp("digest-world"))


@pytest.fixture
def world(settings: Settings, world_template: Path) -> Iterator[Store]:
    """A store with buyers, startups and tenders created through the repository (as the API does)."""
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{world_template}{suffix}")
        if source.exists():
            shutil.copy(source, settings.home / source.name)
    store = Store(settings)
    yield store
    store.dispose()


@pytest.fixture
def digest_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"embedder": "hashing", "digest_min_score": 0.2})


# -- batches made by hand (curate, render, send and export need no engine) ----------------------
EXPLANATION = {
    "summary": "Fits because of similar activity (meaning), matching CPV codes; shared terms: irrigation.",
    "features": [
        {"name": "semantic", "label": "similar activity (meaning)", "value": 0.81, "contribution": 0.32},
        {"name": "cpv", "label": "matching CPV codes", "value": 1.0, "contribution": 0.2},
        {"name": "eligibility", "label": "eligibility", "value": 1.0, "contribution": 0.1},
    ],
    "shared_terms": ["irrigation", "goutte-à-goutte"],
    "cpv_matches": [{"profile_code": "42122000", "tender_code": "42122000", "label": "Pompes", "similarity": 1.0}],
    "gaps": [],
    "eligibility": {"status": "eligible", "reasons": []},
}


def explanation(gaps: list[Reason] | None = None) -> dict[str, Any]:
    """The engine's explanation JSON, with eligibility gaps as codes (rendered per language) and English."""
    data = dict(EXPLANATION)
    if gaps:
        details = [gap.model_dump(mode="json") for gap in gaps]
        data["gaps"] = [gap.message for gap in gaps]
        data["gap_details"] = details
        data["eligibility"] = {"status": "eligible_with_gaps", "reasons": data["gaps"], "details": details}
    return data


def make_batch(
    store: Store,
    plan: dict[str, list[str]],
    week: str = "2026-W48",
    status: str = "draft",
    audience: str = "startup",
) -> int:
    """A batch with one digest per startup (external id) listing the given tenders, best first."""
    with store.session() as session:
        batch = DigestBatch(week=week, audience=audience, status=status)
        session.add(batch)
        for startup_id, tender_ids in plan.items():
            startup = session.scalar(select(Startup).where(Startup.external_id == startup_id))
            assert startup is not None
            digest = Digest(batch=batch, startup_id=startup.id)
            session.add(digest)
            for position, tender_id in enumerate(tender_ids):
                row = session.scalar(select(Tender).where(Tender.external_id == tender_id))
                assert row is not None
                gaps = (
                    [Reason.of("elig_gap_certification", certification=row.required_certifications[0])]
                    if row.required_certifications
                    else []
                )
                digest.items.append(
                    DigestItem(
                        tender_id=row.id,
                        position=position,
                        score=round(0.9 - position * 0.05, 4),
                        explanation=explanation(gaps),
                    )
                )
        session.flush()
        return batch.id


# -- a real SMTP server on loopback ----------------------------------------------------------------
@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Recorder:
    """aiosmtpd handler: keeps every accepted message; can refuse, defer, or crash the client."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    defer: dict[str, int] = field(default_factory=dict)  # address → how many 451 replies first
    down_after: int | None = None  # accept this many messages, then answer 421 to every DATA
    kill_at: tuple[int, int] | None = None  # (pid, n): SIGKILL pid while accepting message n

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        if self.defer.get(address, 0) > 0:
            self.defer[address] -= 1
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.down_after is not None and len(self.received) >= self.down_after:
            return "421 4.3.2 service shutting down"
        message = message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        if self.kill_at is not None and len(self.received) == self.kill_at[1]:
            os.kill(self.kill_at[0], signal.SIGKILL)
            await asyncio.sleep(0.2)  # the client dies before it can read our 250
        return "250 2.0.0 accepted"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


@dataclass
class SmtpServer:
    host: str
    port: int
    recorder: Recorder


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    recorder = Recorder()
    port = _free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, recorder)
    finally:
        controller.stop()


@pytest.fixture
def mail_settings(digest_settings: Settings, smtp_server: SmtpServer) -> Settings:
    return digest_settings.model_copy(
        update={
            "smtp_host": smtp_server.host,
            "smtp_port": smtp_server.port,
            "smtp_sender": "Tremplin <digest@tremplin.ma>",
        }
    )
