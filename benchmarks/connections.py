"""Which server process holds which TCP connection, read from /proc (Linux; no psutil needed).

A keep-alive connection is served for its whole life by the worker that accepted it, so the share of
connections per worker is the share of the load it gets. `/proc/net/tcp{,6}` lists each socket with its
inode; `/proc/PID/fd` links name the inodes a process holds.
"""

from __future__ import annotations

from pathlib import Path

ESTABLISHED = "01"


def _established(port: int) -> dict[int, int]:
    """Inode -> peer port of every ESTABLISHED socket whose local port is `port`."""
    sockets = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], int(fields[9])
            if state == ESTABLISHED and int(local.rsplit(":", 1)[1], 16) == port and inode:
                sockets[inode] = int(remote.rsplit(":", 1)[1], 16)
    return sockets


def peers_by_pid(port: int, pids: list[int]) -> dict[int, set[int]]:
    """For each pid, the client ports of the ESTABLISHED connections it holds on server port `port`."""
    sockets = _established(port)
    held: dict[int, set[int]] = {}
    for pid in pids:
        peers = set()
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    target = fd.readlink().name
                except OSError:  # closed between listing and reading
                    continue
                if target.startswith("socket:["):
                    inode = int(target[8:-1])
                    if inode in sockets:
                        peers.add(sockets[inode])
        except FileNotFoundError:  # the process exited
            pass
        held[pid] = peers
    return held
