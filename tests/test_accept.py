"""The accept policy of `tremplin serve --workers N` (matcher.cli.accept), in one process: a worker takes
one connection per wake-up, leaves a connection to a worker holding fewer, and never leaves it unaccepted
when that worker does not take it."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Callable, Iterator

import pytest

from matcher.cli import accept
from matcher.cli.accept import BalancedAcceptLoop, Board

PATIENCE = 30.0  # seconds: a bound on waiting, not an assertion on speed


class Recorder(asyncio.Protocol):
    connected: list[asyncio.BaseTransport] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.connected.append(transport)


@pytest.fixture
def listening() -> Iterator[socket.socket]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.setblocking(False)
    yield sock
    sock.close()


def _connect(sock: socket.socket, count: int) -> list[socket.socket]:
    return [socket.create_connection(sock.getsockname()) for _ in range(count)]


def _serve(loop: BalancedAcceptLoop, sock: socket.socket) -> list[asyncio.BaseTransport]:
    connected: list[asyncio.BaseTransport] = []

    def factory() -> Recorder:
        recorder = Recorder()
        recorder.connected = connected
        return recorder

    loop.run_until_complete(loop.create_server(factory, sock=sock, backlog=64))
    return connected


def _run_until(loop: BalancedAcceptLoop, check: Callable[[], bool], patience: float = PATIENCE) -> bool:
    async def wait() -> bool:
        deadline = loop.time() + patience
        while loop.time() < deadline:
            if check():
                return True
            await asyncio.sleep(0.005)
        return check()

    return loop.run_until_complete(wait())


def test_one_connection_per_wake_up_and_every_pending_one_is_served(listening: socket.socket) -> None:
    loop = BalancedAcceptLoop(board=None)
    try:
        connected = _serve(loop, listening)
        clients = _connect(listening, 5)
        loop.call_soon(loop.stop)
        loop.run_forever()  # one pass over the ready sockets: one accept
        assert loop.open_connections() == 1
        assert _run_until(loop, lambda: len(connected) == 5)
        for client in clients[:2]:
            client.close()
        assert _run_until(loop, lambda: loop.open_connections() == 3)  # closed connections are not counted
    finally:
        loop.close()


def test_a_worker_holding_more_leaves_a_new_connection_to_a_lighter_one(
    listening: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accept, "MAX_DEFER", 3600.0)  # the other worker is not stuck: no fallback here
    board = Board(2)
    other = board.claim()  # plays the other worker (same pid: alive)
    loop = BalancedAcceptLoop(board=board)
    try:
        connected = _serve(loop, listening)
        clients = _connect(listening, 1)  # kept open: the worker holds it
        assert _run_until(loop, lambda: len(connected) == 1)  # 0 here, 0 there: it takes the first one
        clients += _connect(listening, 1)
        assert not _run_until(loop, lambda: len(connected) == 2, patience=0.2)  # 1 here, 0 there: not its turn
        board.publish(other, 2)  # the other worker now holds more
        assert _run_until(loop, lambda: len(connected) == 2)
        assert loop.open_connections() == len(clients)
    finally:
        loop.close()


def test_a_connection_is_accepted_even_when_the_lighter_worker_does_not_take_it(listening: socket.socket) -> None:
    board = Board(2)
    board.claim()  # a worker with no connections that never accepts (stopped, or busy)
    loop = BalancedAcceptLoop(board=board)
    try:
        connected = _serve(loop, listening)
        clients = _connect(listening, 3)
        assert _run_until(loop, lambda: len(connected) == len(clients))
    finally:
        loop.close()


def test_a_board_has_a_spare_slot_per_worker_and_reuses_those_of_exited_workers() -> None:
    board = Board(1)
    pid = os.fork()
    if pid == 0:  # a worker that claims a slot, then exits
        board.claim()
        os._exit(0)
    os.waitpid(pid, 0)
    assert {board.claim(), board.claim()} == {0, 1}  # the exited worker's slot is free again
    with pytest.raises(RuntimeError, match="no free slot"):
        board.claim()
    board.publish(1, 7)
    assert board.least_other(0) == 7
