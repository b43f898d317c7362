"""Persistent embedding cache: one SQLite file, so re-indexing unchanged text costs nothing.

SQLite in WAL mode gives what a cache shared by the API, the CLI and the digests needs: many
concurrent readers, one writer at a time, and a write either fully there or not at all after a
crash. A file that is not a database any more is moved aside and a fresh cache started (a cache
can always be recomputed).
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from matcher.text import normalize

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    model_id TEXT NOT NULL,
    key TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model_id, key)
) WITHOUT ROWID
"""
_CHUNK = 500  # SQLite bound-parameter limit is 999 on old builds


def cache_key(text: str, prompt: str = "") -> str:
    """sha256 of the prompt and the normalised text: what the model actually sees."""
    return hashlib.sha256(f"{prompt}\x1f{normalize(text)}".encode()).hexdigest()


class EmbeddingCache:
    """(model id, key) → float32 vector, in ``<folder>/embeddings.sqlite3``."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "embeddings.sqlite3"
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = self._open()

    @property
    def _conn(self) -> sqlite3.Connection:
        """The connection, opened again after `release` (called under `_lock`)."""
        if self._connection is None:
            self._connection = self._open()
        return self._connection

    def release(self) -> None:
        """Close the connection until the next use: a process about to fork must not hand an open
        SQLite connection to its children (SQLite forbids using one across a fork)."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def after_fork(self) -> None:
        """In a forked child: a fresh lock (the parent released the connection before forking)."""
        self._lock = threading.Lock()

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except sqlite3.DatabaseError as exc:
            aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
            log.warning("embedding cache %s is unreadable (%s); moved to %s", self.path, exc, aside)
            for suffix in ("", "-wal", "-shm"):
                candidate = Path(f"{self.path}{suffix}")
                if candidate.exists():
                    candidate.replace(Path(f"{aside}{suffix}"))
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute(_SCHEMA)
            conn.execute("SELECT count(*) FROM embeddings LIMIT 1").fetchone()
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def get_many(self, model_id: str, keys: Sequence[str], dimension: int) -> dict[str, np.ndarray]:
        """Vectors found for `keys`; a row of another dimension counts as absent."""
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        with self._lock:
            for start in range(0, len(unique), _CHUNK):
                chunk = unique[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"SELECT key, dim, vector FROM embeddings WHERE model_id = ? AND key IN ({marks})",
                    (model_id, *chunk),
                ).fetchall()
                for key, dim, blob in rows:
                    if dim == dimension and len(blob) == dimension * 4:
                        found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, model_id: str, items: Iterable[tuple[str, np.ndarray]]) -> None:
        """Store vectors in one transaction (all or nothing)."""
        rows = [
            (model_id, key, int(vector.shape[0]), np.ascontiguousarray(vector, dtype=np.float32).tobytes())
            for key, vector in items
        ]
        if not rows:
            return
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(
                    "INSERT OR REPLACE INTO embeddings (model_id, key, dim, vector) VALUES (?, ?, ?, ?)", rows
                )
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def count(self, model_id: str | None = None) -> int:
        with self._lock:
            if model_id is None:
                row = self._conn.execute("SELECT count(*) FROM embeddings").fetchone()
            else:
                row = self._conn.execute("SELECT count(*) FROM embeddings WHERE model_id = ?", (model_id,)).fetchone()
        return int(row[0])

    def close(self) -> None:
        self.release()
