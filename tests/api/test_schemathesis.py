"""Property-based run of schemathesis against the app's own OpenAPI document.

Every operation gets generated, schema-valid requests sent with a staff key; no answer may be a
server error, and every answer must fit the status codes, content types and schemas the document
declares. Bounded (few examples per operation, no shrinking) to stay well under two minutes.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from matcher.schemas import BuyerIn, StartupIn, TenderIn
from matcher.settings import Settings
from matcher.store import Buyer, Startup, Store, Tender, repository
from service.app import create_app
from service.schemas import BUYER_EXAMPLE, STARTUP_EXAMPLE, TENDER_EXAMPLE
from tests.api.conftest import build_seed

MAX_EXAMPLES = 12

# Built and seeded at import: schemathesis collects one test per operation from a schema loaded at
# import time (its lazy fixture loader does not work with this pytest), and it starts the app's
# lifespan (migrations, engine) once for the whole process when it loads the schema.
HOME = Path(tempfile.mkdtemp(prefix="tremplin-schemathesis-"))
atexit.register(shutil.rmtree, HOME, ignore_errors=True)
SEED = build_seed(HOME)


def restore_documented_examples(store: Store) -> dict[str, list[str]]:
    """(Re)create the records the OpenAPI examples name, so generated requests reach real data even
    after an earlier operation deleted them. Returns what was created, per index."""
    created: dict[str, list[str]] = {"startups": [], "tenders": []}
    with store.session() as session:
        if session.scalar(select(Buyer.id).where(Buyer.external_id == BUYER_EXAMPLE["external_id"])) is None:
            repository.create_buyer(session, BuyerIn.model_validate(BUYER_EXAMPLE))
        if session.scalar(select(Startup.id).where(Startup.external_id == STARTUP_EXAMPLE["external_id"])) is None:
            repository.create_startup(session, StartupIn.model_validate(STARTUP_EXAMPLE))
            created["startups"].append(STARTUP_EXAMPLE["external_id"])
        if session.scalar(select(Tender.id).where(Tender.external_id == TENDER_EXAMPLE["external_id"])) is None:
            deadline = (datetime.now(UTC) + timedelta(days=30)).isoformat()
            tender = {**TENDER_EXAMPLE, "published_at": None, "deadline_at": deadline}
            repository.create_tender(session, TenderIn.model_validate(tender))
            created["tenders"].append(TENDER_EXAMPLE["external_id"])
    return created


_seed_store = Store(Settings(home=HOME))
restore_documented_examples(_seed_store)
_seed_store.dispose()
APP = create_app(Settings(home=HOME, embedder="hashing", max_upload_bytes=64 * 1024))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE],
    max_examples=MAX_EXAMPLES,
    no_shrink=True,
    deterministic=True,
    with_security_parameters=False,
)


@pytest.fixture(autouse=True)
def documented_examples_exist() -> None:
    for kind, ids in restore_documented_examples(APP.state.store).items():
        APP.state.engine_slot.refresh(kind, ids)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_keeps_its_openapi_promises(case: schemathesis.Case) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {SEED.keys['staff']}"},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
    )


def test_openapi_document_is_complete(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert {"bearer", "apiKey"} <= set(document["components"]["securitySchemes"])
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert operation.get("summary"), where
            assert operation.get("description"), where
            if path not in {"/health", "/ready", "/metrics", "/alerts/feeds/{token}.atom"}:  # feed: secret URL
                assert "401" in operation["responses"], where
                assert operation["responses"]["401"]["content"]["application/json"]["example"]["error"], where
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in operation["responses"], where
            if "{" in path and path != "/keys/{prefix}" and method != "post":
                assert "404" in operation["responses"], where
    schemas = document["components"]["schemas"]
    for name in ("StartupCreate", "TenderCreate", "BuyerCreate", "SupplierSearch", "FeedbackCreate", "KeyCreate"):
        assert schemas[name].get("examples"), name
