"""API keys in the domain (hashing, verification, revocation) and on the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from matcher.cli.main import app as cli
from matcher.errors import NotFoundError
from matcher.schemas import BuyerIn, StartupIn
from matcher.store import ApiKey, Store, keys, repository
from matcher.store.repository import FieldError


@pytest.fixture
def seeded(store: Store) -> Store:
    with store.session() as session:
        repository.create_startup(session, StartupIn(external_id="S-1", name="Une Pousse"))
        repository.create_buyer(session, BuyerIn(external_id="B-1", name="Un Acheteur"))
    return store


def test_only_a_hash_of_the_key_is_stored(seeded: Store) -> None:
    with seeded.session() as session:
        row, raw = keys.create_key(session, "startup", startup_id="S-1", name="cto")
        assert raw.startswith(f"tpl_{row.prefix}_")
        assert len(raw.split("_", 2)[2]) >= 43  # 256 random bits, base64url
        assert raw not in row.key_hash and row.key_hash.startswith("sha256$")
        identity = keys.verify_key(session, raw)
    assert identity is not None
    assert (identity.role, identity.startup_id, identity.buyer_id) == (keys.Role.startup, "S-1", None)


def test_wrong_secret_unknown_prefix_and_garbage_are_refused(seeded: Store) -> None:
    with seeded.session() as session:
        _, raw = keys.create_key(session, "staff")
        prefix = raw.split("_")[1]
        for candidate in (
            raw[:-1] + ("a" if raw[-1] != "a" else "b"),
            f"tpl_{'0' * 12}_{raw.split('_', 2)[2]}",
            f"tpl_{prefix}_",
            "tpl_XYZ_secret",
            "",
            None,
        ):
            assert keys.verify_key(session, candidate) is None, candidate


def test_revoked_key_stops_working_and_keeps_its_first_revocation_time(seeded: Store) -> None:
    with seeded.session() as session:
        row, raw = keys.create_key(session, "buyer", buyer_id="B-1")
        first = keys.revoke_key(session, row.prefix).revoked_at
        again = keys.revoke_key(session, row.prefix, now=datetime.now(UTC) + timedelta(days=1)).revoked_at
        assert first == again
        assert keys.verify_key(session, raw) is None
        with pytest.raises(NotFoundError):
            keys.revoke_key(session, "000000000000")


def test_last_used_is_recorded_at_most_once_a_minute(seeded: Store) -> None:
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    with seeded.session() as session:
        row, raw = keys.create_key(session, "staff")
        keys.verify_key(session, raw, now=start)
        keys.verify_key(session, raw, now=start + timedelta(seconds=20))
        assert row.last_used_at == start
        keys.verify_key(session, raw, now=start + timedelta(minutes=2))
        assert row.last_used_at == start + timedelta(minutes=2)


@pytest.mark.parametrize(
    ("role", "bindings", "field"),
    [
        ("startup", {}, "startup_id"),
        ("buyer", {}, "buyer_id"),
        ("staff", {"startup_id": "S-1"}, "startup_id"),
        ("startup", {"startup_id": "S-1", "buyer_id": "B-1"}, "buyer_id"),
        ("root", {}, "role"),
    ],
)
def test_key_must_fit_its_role(seeded: Store, role: str, bindings: dict[str, str], field: str) -> None:
    with seeded.session() as session, pytest.raises(FieldError) as raised:
        keys.create_key(session, role, **bindings)
    assert raised.value.field == field


def test_cli_creates_lists_and_revokes_keys(seeded: Store) -> None:
    runner = CliRunner()
    created = runner.invoke(cli, ["keys", "create", "--role", "startup", "--startup-id", "S-1", "--name", "cto"])
    assert created.exit_code == 0, created.output
    raw = created.stdout.strip().splitlines()[0]
    with seeded.session() as session:
        identity = keys.verify_key(session, raw)
        assert identity is not None and identity.startup_id == "S-1"

    as_json = runner.invoke(cli, ["keys", "create", "--role", "staff", "--json"])
    assert json.loads(as_json.stdout)["key"].startswith("tpl_")

    listed = json.loads(runner.invoke(cli, ["keys", "list", "--json"]).stdout)
    assert [(item["role"], item["startup_id"]) for item in listed] == [("startup", "S-1"), ("staff", None)]
    assert all("key" not in item for item in listed)

    prefix = listed[0]["prefix"]
    assert runner.invoke(cli, ["keys", "revoke", prefix]).exit_code == 0
    with seeded.session() as session:
        assert keys.verify_key(session, raw) is None
        assert session.scalar(select(ApiKey.revoked_at).where(ApiKey.prefix == prefix)) is not None
    active = json.loads(runner.invoke(cli, ["keys", "list", "--active", "--json"]).stdout)
    assert [item["role"] for item in active] == ["staff"]


def test_cli_refuses_bad_key_requests_with_one_line(seeded: Store) -> None:
    runner = CliRunner()
    unbound = runner.invoke(cli, ["keys", "create", "--role", "buyer"])
    assert unbound.exit_code == 1
    assert "buyer key needs the buyer" in unbound.output
    unknown = runner.invoke(cli, ["keys", "create", "--role", "startup", "--startup-id", "S-404"])
    assert unknown.exit_code == 1
    assert "S-404" in unknown.output
    assert runner.invoke(cli, ["keys", "revoke", "nope"]).exit_code == 1
