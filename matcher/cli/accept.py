"""Spread keep-alive connections evenly over pre-forked workers that share one listening socket.

Every worker waits on the socket the master bound. When clients connect at once, the first worker to
wake accepts every pending connection (asyncio and uvloop both drain the accept queue per wake-up), and
keep-alive then pins each client to it for good: measured at 32 clients, one worker held 22 connections
and the other 10, whose requests waited half as long. Here each worker accepts one connection per
wake-up, and only while it holds no more open connections than the least loaded live worker; otherwise
it steps back for a few milliseconds so a lighter worker takes it (like nginx's `accept_disabled`). A
worker that steps back too long (the others are stuck) accepts anyway: a connection is never left
waiting more than `MAX_DEFER` seconds. The kernel's accept queue (`listen` backlog) is left as it is.

The workers publish their counts in a small shared-memory board created by the master before it forks.
"""

from __future__ import annotations

import asyncio
import ctypes
import errno
import multiprocessing
import os
import select
import socket
from multiprocessing.sharedctypes import SynchronizedArray
from typing import Any

DEFER = 0.002  # a worker with more connections than another waits this long before looking again
MAX_DEFER = 0.05  # ... but never leaves a connection unaccepted longer than this
REFRESH = 0.5  # how often a worker re-publishes its count (connections also close between accepts)
RETRY = 1.0  # out of file descriptors or memory: try again after this long, as asyncio does


class Board:
    """Open connections per worker process, in memory shared by the master and its forked workers."""

    def __init__(self, workers: int) -> None:
        # (pid, connections) pairs; a spare slot per worker for one replaced while the old one still exits
        self._cells: SynchronizedArray[int] = multiprocessing.Array(ctypes.c_longlong, 2 * 2 * workers)

    def claim(self) -> int:
        """This process's slot: a free one, or one whose process has exited."""
        with self._cells.get_lock():
            for slot in range(len(self._cells) // 2):
                pid = self._cells[2 * slot]
                if pid == 0 or not _alive(pid):
                    self._cells[2 * slot], self._cells[2 * slot + 1] = os.getpid(), 0
                    return slot
        raise RuntimeError("accept board: no free slot")

    def publish(self, slot: int, connections: int) -> None:
        self._cells[2 * slot + 1] = connections  # one aligned word: no lock needed to write it

    def least_other(self, slot: int) -> int | None:
        """The fewest connections any other live worker holds (None: no other worker)."""
        counts = [
            self._cells[2 * other + 1]
            for other in range(len(self._cells) // 2)
            if other != slot and self._cells[2 * other] and _alive(self._cells[2 * other])
        ]
        return min(counts) if counts else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_board: Board | None = None


def share_board(workers: int) -> None:
    """Called in the master before it forks: the workers inherit the board."""
    global _board
    _board = Board(workers)


class BalancedAcceptLoop(asyncio.SelectorEventLoop):
    """asyncio's selector loop with the accept policy above (uvicorn takes it as a loop factory)."""

    def __init__(self, board: Board | None = None) -> None:
        super().__init__()
        self._board = board if board is not None else _board
        self._slot = self._board.claim() if self._board is not None else None
        self._open: list[asyncio.BaseTransport] = []
        self._starting = 0  # accepted, transport not made yet
        self._waiting_since: float | None = None
        if self._board is not None:
            self.call_soon(self._refresh)

    def open_connections(self) -> int:
        """Connections accepted here and not closed yet (closed ones are forgotten as a side effect)."""
        self._open = [transport for transport in self._open if not transport.is_closing()]
        return len(self._open) + self._starting

    def _refresh(self) -> None:
        self._publish()
        self.call_later(REFRESH, self._refresh)

    def _publish(self) -> None:
        if self._board is not None and self._slot is not None:
            self._board.publish(self._slot, self.open_connections())

    def my_turn(self) -> bool:
        """Accept now, or let a worker with fewer connections take this one?"""
        if self._board is None or self._slot is None:
            return True
        mine = self.open_connections()
        self._board.publish(self._slot, mine)
        least = self._board.least_other(self._slot)
        if least is None or mine <= least:
            return True
        now = self.time()
        if self._waiting_since is None:
            self._waiting_since = now
        return now - self._waiting_since >= MAX_DEFER

    # asyncio calls this each time the listening socket is readable (`BaseSelectorEventLoop._start_serving`).
    def _accept_connection(
        self,
        protocol_factory: Any,
        sock: socket.socket,
        sslcontext: Any = None,
        server: Any = None,
        backlog: int = 100,
        *timeouts: Any,
    ) -> None:
        if not self.my_turn():
            self._pause(sock, DEFER, protocol_factory, sslcontext, server, backlog, *timeouts)
            return
        try:
            conn, _ = sock.accept()
            conn.setblocking(False)
        except (BlockingIOError, InterruptedError, ConnectionAbortedError):
            return  # another worker took it
        except OSError as exc:
            if exc.errno not in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                raise  # the event loop logs and ignores it
            self.call_exception_handler({"message": "socket.accept() out of system resource", "exception": exc})
            self._pause(sock, RETRY, protocol_factory, sslcontext, server, backlog, *timeouts)
            return
        self._waiting_since = None
        self._starting += 1
        self._publish()
        self.create_task(self._serve_accepted(protocol_factory, conn, sslcontext, timeouts))

    async def _serve_accepted(self, protocol_factory: Any, conn: socket.socket, sslcontext: Any, timeouts: Any) -> None:
        options = {"ssl": sslcontext}
        if sslcontext:  # asyncio passes (handshake, shutdown) timeouts after the backlog
            options |= dict(zip(("ssl_handshake_timeout", "ssl_shutdown_timeout"), timeouts, strict=False))
        try:
            transport, _ = await self.connect_accepted_socket(protocol_factory, conn, **options)
        except OSError:
            conn.close()  # the client went away during the handshake
            return
        else:
            self._open.append(transport)
        finally:
            self._starting -= 1

    def _pause(self, sock: socket.socket, delay: float, *serving: Any) -> None:
        """Stop watching the socket for `delay` seconds (it stays readable until someone accepts)."""
        self.remove_reader(sock.fileno())
        self.call_later(delay, self._resume, sock, *serving)

    def _resume(self, sock: socket.socket, protocol_factory: Any, sslcontext: Any, server: Any, *rest: Any) -> None:
        if sock.fileno() == -1 or (server is not None and not server.is_serving()):
            return  # closed meanwhile (shutdown)
        poller = select.poll()
        poller.register(sock.fileno(), select.POLLIN)
        if not poller.poll(0):
            self._waiting_since = None  # another worker took what was waiting: the next one starts a new wait
        self.add_reader(sock.fileno(), self._accept_connection, protocol_factory, sock, sslcontext, server, *rest)
