"""A throwaway PostgreSQL cluster for tests, started from Debian's binaries when they are installed."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _bin_dir() -> Path | None:
    """Debian's newest PostgreSQL, else whatever `initdb` is on the PATH (e.g. /usr/local/bin)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def temporary_postgres() -> Iterator[str | None]:
    """Yield a SQLAlchemy URL to a fresh cluster, or None when no server can be started here."""
    if url := os.environ.get("TREMPLIN_TEST_POSTGRES_URL"):
        yield url
        return
    bin_dir = _bin_dir()
    if bin_dir is None:
        yield None
        return
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root; run the cluster as the postgres user
        if not shutil.which("runuser"):
            yield None
            return
        run_as = ["runuser", "-u", "postgres", "--"]
    folder = Path(tempfile.mkdtemp(prefix="tremplin-pg-"))
    os.chmod(folder, 0o777)
    data = folder / "data"
    port = _free_port()
    try:
        initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", "tremplin", "--auth=trust", "-E", "UTF8"]
        subprocess.run([*run_as, *initdb], check=True, capture_output=True)
        subprocess.run(
            [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-o",
             f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start"],
            check=True, capture_output=True,
        )  # fmt: skip
    except (subprocess.CalledProcessError, OSError):
        shutil.rmtree(folder, ignore_errors=True)
        yield None
        return
    try:
        yield f"postgresql+psycopg://tremplin@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
