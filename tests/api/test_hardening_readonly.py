"""Finding 6: a store that cannot write (full disk, read-only file) must not take reads down, and
/ready must say so. The store is made read-only with SQLite's `PRAGMA query_only`: every write then
fails with "attempt to write a readonly database", as on a full disk."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, select

from matcher.store import ApiKey, Store
from matcher.store.keys import note_use
from tests.api.conftest import Auth, Seed


def _read_only(store: Store) -> None:
    def on_connect(connection: Any, _record: Any) -> None:
        connection.execute("PRAGMA query_only = ON")

    event.listen(store.engine, "connect", on_connect)
    store.engine.dispose()  # pooled connections opened before are writable: drop them


def test_finding6_reads_answer_and_ready_is_false_when_the_store_cannot_write(
    client: TestClient, auth: Auth, seed: Seed
) -> None:
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    assert client.get("/ready").json()["checks"]["store_writable"] is True
    _read_only(store)

    for caller, path in (("spare", "/startups/S-PAY"), ("buyer_a", "/tenders"), ("startup_a", "/me")):
        response = client.get(path, headers=auth(caller))
        assert response.status_code == 200, (caller, path, response.text)
    ready = client.get("/ready")
    assert ready.status_code == 503
    assert ready.json()["checks"]["store"] is True and ready.json()["checks"]["store_writable"] is False

    refused_write = client.patch("/startups/S-PAY", json={"city": "Tanger"}, headers=auth("staff"))
    assert refused_write.status_code >= 500  # writes do fail; reads do not


def test_finding6_last_used_is_noted_at_most_once_a_minute_and_never_raises(store: Store) -> None:
    from matcher.store import keys

    with store.session() as session:
        row, _raw = keys.create_key(session, "staff", name="probe")
        key_id = row.id
    assert note_use(store, key_id) is True
    assert note_use(store, key_id) is False  # within the minute: no second write
    with store.session() as session:
        assert session.scalar(select(ApiKey.last_used_at).where(ApiKey.id == key_id)) is not None

    with store.session() as session:
        other, _raw = keys.create_key(session, "staff", name="probe-2")
        other_id = other.id
    _read_only(store)
    assert note_use(store, other_id) is False  # swallowed, logged
