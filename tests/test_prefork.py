"""Workers forked from one loaded engine (`tremplin serve --workers N`): they serve the same results,
each takes up the others' writes (store change marker) and a newer snapshot, without a restart."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from matcher.index.embedding import CachedEmbedder, HashingEmbedder
from matcher.ingest import ingest_records
from matcher.ranking.engine import Engine
from matcher.settings import Settings
from matcher.store import Store, keys
from tests.snapshot_helpers import NEW_TITLE, fill, nearest_tender, tender_record

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="pre-fork serving needs os.fork")

NEW_TENDER = "AO-FORK-001"
PATIENCE = 60.0  # seconds a worker is given to catch up (a bound on waiting, not an assertion on speed)


def _until(check: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def test_a_forked_worker_takes_up_a_write_and_a_snapshot_of_another_worker(settings: Settings, store: Store) -> None:
    watching = settings.model_copy(update={"snapshot_check_seconds": 0.05, "snapshot_delay_seconds": 3600.0})
    fill(store)
    engine = Engine(store, watching, CachedEmbedder(HashingEmbedder(256), watching.cache_dir))
    engine.load()
    engine.prepare_fork()
    to_child, from_parent = os.pipe()
    from_child, to_parent = os.pipe()
    pid = os.fork()
    if pid == 0:  # the forked worker: its own watcher thread must find the other worker's changes
        status = 1
        try:
            engine.after_fork()
            seen = _until(lambda: nearest_tender(engine, "maintenance des ascenseurs") == NEW_TENDER)
            os.write(to_parent, b"seen\n" if seen else b"missed\n")
            token = os.read(to_child, 100).decode().strip()
            mapped = _until(lambda: engine.indexes.tender_vectors.saved_token == token)
            os.write(to_parent, b"mapped\n" if mapped else b"not mapped\n")
            status = 0
        finally:
            os._exit(status)
    # This process plays the other worker: a write through it (store first, then its indexes).
    ingest_records(store, "tenders", [tender_record(NEW_TENDER, NEW_TITLE)], source="api")
    engine.refresh("tenders", [NEW_TENDER])
    replies = os.fdopen(from_child)
    assert replies.readline().strip() == "seen"
    engine.indexes.flush()  # its snapshot: the forked worker maps it in place of its own copy
    token = engine.indexes.tender_vectors.saved_token
    assert token
    os.write(from_parent, f"{token}\n".encode())
    assert replies.readline().strip() == "mapped"
    _, code = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(code) == 0


# -- the real server: gunicorn master + 2 uvicorn workers -------------------------------------------
def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _workers(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(child) for child in (task / "children").read_text().split()]
    return children


@pytest.fixture
def served(settings: Settings, store: Store) -> Iterator[tuple[str, str, Any, list[int]]]:
    """`tremplin serve --workers 2` on a small corpus: base URL, a staff key, the server, its workers."""
    fill(store)
    with store.session() as session:
        _, key = keys.create_key(session, "staff", name="prefork test")
    port = _free_port()
    env = os.environ | {
        "TREMPLIN_HOME": str(settings.home),
        "TREMPLIN_EMBEDDER": "hashing",
        "TREMPLIN_SNAPSHOT_CHECK_SECONDS": "0.2",
        "TREMPLIN_SNAPSHOT_DELAY_SECONDS": "0.2",
        "TREMPLIN_RATE_LIMIT_ENABLED": "false",
    }
    tremplin = str(Path(sys.executable).with_name("tremplin"))
    command = [tremplin, "serve", "--port", str(port), "--workers", "2", "--log-level", "warning"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:

        def ready() -> bool:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            try:
                return httpx.get(f"{base}/ready", timeout=5).status_code == 200 and len(_workers(server.pid)) == 2
            except httpx.TransportError:
                return False

        assert _until(ready)
        yield base, key, server, _workers(server.pid)
    finally:
        for worker in _workers(server.pid):
            os.kill(worker, signal.SIGCONT)
        server.terminate()
        server.wait(timeout=60)


def _get(base: str, key: str, path: str) -> httpx.Response:
    """A fresh connection each time, so that whichever worker is accepting answers."""
    return httpx.get(f"{base}{path}", headers={"Authorization": f"Bearer {key}"}, timeout=30)


def _search_ids(base: str, key: str) -> list[str]:
    hits = _get(base, key, "/tenders/search?q=maintenance+ascenseurs+monte-charges&limit=5").json()["data"]
    return [hit["external_id"] for hit in hits]


def test_two_forked_workers_serve_the_same_matches_and_each_sees_the_others_writes(
    served: tuple[str, str, Any, list[int]],
) -> None:
    base, key, _, (first, second) = served
    path = "/startups/SYN-ST-000003/matches?limit=10&min_grade=any"
    try:  # a stopped worker accepts no connection: each phase pins the requests to the other one
        os.kill(second, signal.SIGSTOP)
        from_first = _get(base, key, path).json()
        os.kill(second, signal.SIGCONT)
        os.kill(first, signal.SIGSTOP)
        from_second = _get(base, key, path).json()
        assert from_first["data"], "no matches to compare"
        assert from_second == from_first

        new = {"external_id": NEW_TENDER, "title": NEW_TITLE, "description": NEW_TITLE, "deadline_at": "2099-01-01"}
        written = httpx.post(f"{base}/tenders", json=new, headers={"Authorization": f"Bearer {key}"}, timeout=30)
        assert written.status_code == 201, written.text  # through the second worker
        assert NEW_TENDER in _search_ids(base, key)  # matchable there at once
        os.kill(first, signal.SIGCONT)
        os.kill(second, signal.SIGSTOP)
        assert _until(lambda: NEW_TENDER in _search_ids(base, key))  # the first worker replayed it
    finally:
        os.kill(first, signal.SIGCONT)
        os.kill(second, signal.SIGCONT)


def _connections(pid: int, port: int) -> int:
    """ESTABLISHED TCP connections on server port `port` that process `pid` holds (from /proc)."""
    established = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                established.add(f"socket:[{fields[9]}]")
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            held += os.readlink(fd) in established
        except OSError:
            continue
    return held


def test_keep_alive_clients_connecting_at_once_are_spread_over_both_workers(
    served: tuple[str, str, Any, list[int]],
) -> None:
    base, _, _, workers = served
    port = int(base.rsplit(":", 1)[1])
    clients = 16
    # A burst of keep-alive connections, as a load balancer's pool or a benchmark opens them: each
    # stays with the worker that accepted it, so this share is each worker's share of the requests.
    opened = [socket.create_connection(("127.0.0.1", port)) for _ in range(clients)]
    try:
        held: list[int] = []

        def all_accepted() -> bool:
            held[:] = [_connections(pid, port) for pid in workers]
            return sum(held) == clients

        assert _until(all_accepted), held
        assert min(held) >= clients // 4, f"connections per worker: {held}"
    finally:
        for connection in opened:
            connection.close()
