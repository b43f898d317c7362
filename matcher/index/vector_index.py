"""FAISS vector index over L2-normalised vectors, with external string ids and safe persistence.

Exact (flat) search below a size threshold, HNSW above, chosen automatically and overridable. A
float32 matrix of all vectors is kept beside FAISS: it makes exact similarities for small filtered
sets, MMR and HNSW rebuilds cheap. Internal int64 ids are matrix rows; a removed row is a tombstone
(removed from the flat index, filtered out of HNSW) and the index is compacted when tombstones pass
20%. Files are written under fresh names and committed by replacing ``manifest.json`` last, so a
crash leaves either the old index or the new one, never a mix that loads.

A saved HNSW index is loaded memory-mapped (``IO_FLAG_MMAP_IFC``): its vectors are read from the
page cache, shared by every process serving the same snapshot, and double as the vector matrix.
Such a *frozen* base cannot grow, so rows added afterwards form a small in-memory *delta* searched
exactly and merged with the base's results; removals are tombstones. The next snapshot folds the
delta into a new base file (off the request path), which processes then map in its place.

At scale (``ivfpq_threshold``, 500k by default) ``auto`` picks IVF-PQ with an exact re-rank, as FAISS's
guidelines advise for about 1M vectors when memory counts: only the PQ codes, ids and centroids stay
in memory (``IVF{nlist},PQ{m}x8np``: nlist ≈ 4·√N rounded to a power of two, at most 1024 and at most
N/39; m = the largest divisor of d not above d/4, 8-bit codes; ``np``: no polysemous training, which
only serves Hamming pre-filtering). A search takes k·20 candidates at nprobe 16 and re-scores them
exactly from a float16 copy of the vectors, saved beside the index and memory-mapped after load (it
doubles as the vector matrix: `vector()`, filtered exact search, MMR). Measured at 1M in
``benchmarks/bench_million.py``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import re
import threading
import time
import uuid
import weakref
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# FAISS's loader logs at info level which CPU build it tried (the AVX512 lines): detail for its own
# developers, noise in our set-up output. Warnings and errors still show.
logging.getLogger("faiss.loader").setLevel(logging.WARNING)

import faiss  # noqa: E402
import numpy as np  # noqa: E402

from matcher.errors import IndexCorruptError  # noqa: E402
from matcher.index.shared_ids import row_map, shared_list  # noqa: E402

FORMAT_VERSION = 1
SUPERSEDED_GRACE_SECONDS = 120.0  # a live replica takes up a new manifest within seconds
STRAY_AGE_SECONDS = 600.0  # an unlisted file this old is no writer's work in progress
_VERSIONED_FILE = re.compile(r"(.+)-[0-9a-f]{16}(\.[A-Za-z0-9.]+)?")
MANIFEST = "manifest.json"
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
EXACT_FILTER_LIMIT = 4096  # an allowed set this small is scored exactly with numpy
TOMBSTONE_RATIO = 0.2
IVFPQ_THRESHOLD = 500_000  # from this many items 'auto' uses IVF-PQ + re-rank (see module docstring)
IVFPQ_NPROBE = 16  # inverted lists visited per query (16 → 64 changed nothing at 1M: the codes limit recall)
IVFPQ_K_FACTOR = 20  # candidates re-ranked exactly per requested hit (0.975 recall@10 at 1M, 0.953 at 10)
IVFPQ_TRAIN_SAMPLE = 100_000  # rows the quantizers are trained on (seeded sample)
IVFPQ_MIN_TRAIN = 2_048  # fewer live rows: not trained yet, searched exactly (cheap at that size)
KINDS = ("auto", "flat", "hnsw", "ivfpq")
_faiss: Any = faiss  # the bundled stubs miss the search-parameter classes


class IndexMissingError(IndexCorruptError):
    """No committed index in the folder (never built, or the manifest is gone)."""


class IndexModelMismatchError(IndexCorruptError):
    """The index was built with another embedding model or dimension."""


# --- bundle files: data files under fresh names, manifest replaced last -----------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_file_atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_manifest(folder: Path) -> dict[str, Any]:
    """The committed manifest of a bundle folder; IndexMissingError/IndexCorruptError otherwise."""
    path = folder / MANIFEST
    if not path.exists():
        raise IndexMissingError(f"no index in {folder} (no {MANIFEST})")
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexCorruptError(f"{path} is unreadable: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        raise IndexCorruptError(f"{path} has an unknown format (expected version {FORMAT_VERSION})")
    return manifest


def write_bundle(
    folder: Path, bundle: str, files: dict[str, tuple[str, bytes]], meta: dict[str, Any], mapped: Collection[str] = ()
) -> str:
    """Write `files` (logical name → (suffix, bytes)) and commit them with a manifest; returns its token.

    Files named in `mapped` are memory-mapped at load rather than read into memory (see `mapped_path`).
    """
    folder.mkdir(parents=True, exist_ok=True)
    try:
        previous = read_manifest(folder)
    except IndexCorruptError:
        previous = {}
    token = uuid.uuid4().hex[:16]
    entries: dict[str, dict[str, Any]] = {}
    for logical, (suffix, data) in files.items():
        name = f"{logical}-{token}{suffix}"
        write_file_atomic(folder / name, data)
        entries[logical] = {"file": name, "sha256": _sha256(data), "bytes": len(data)}
        if logical in mapped:
            entries[logical]["mapped"] = True
    manifest = {
        **meta,
        "format_version": FORMAT_VERSION,
        "bundle": bundle,
        "token": token,
        "saved_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "files": entries,
        "superseded": _still_in_grace(previous, time.time()),
    }
    write_file_atomic(folder / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False).encode("utf-8"))
    _fsync_dir(folder)
    _remove_stale_files(folder, manifest)
    return token


def _still_in_grace(previous: dict[str, Any], now: float) -> dict[str, float]:
    """Superseded file → when it was superseded: the previous version's files from now on, and older
    ones until their grace period ends."""
    carried = previous.get("superseded", {})
    kept = {
        str(name): float(at)
        for name, at in (carried.items() if isinstance(carried, dict) else ())
        if isinstance(at, int | float) and now - float(at) < SUPERSEDED_GRACE_SECONDS
    }
    for entry in previous.get("files", {}).values():
        if isinstance(entry, dict) and entry.get("file"):
            kept[str(entry["file"])] = now
    return kept


def _remove_stale_files(folder: Path, manifest: dict[str, Any]) -> None:
    """Delete superseded files past their grace period, and strays old enough not to be another writer's.

    A superseded version stays on disk for `SUPERSEDED_GRACE_SECONDS`: a replica on another machine may
    still have it mapped through a shared folder (NFS answers "stale file handle" for a deleted file), and
    takes up the new manifest at its next check, seconds later."""
    keep = {entry["file"] for entry in manifest["files"].values()} | set(manifest["superseded"]) | {MANIFEST}
    now = time.time()
    for path in folder.iterdir():
        if path.name in keep or not path.is_file():
            continue
        try:
            past_version = (match := _VERSIONED_FILE.fullmatch(path.name)) and match[1] in manifest["files"]
            if past_version or now - path.stat().st_mtime > STRAY_AGE_SECONDS:
                path.unlink()
        except OSError:
            pass


def read_bundle(folder: Path, bundle: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Manifest and verified file contents; IndexCorruptError on any missing or altered file."""
    manifest = read_manifest(folder)
    if manifest.get("bundle") != bundle:
        raise IndexCorruptError(f"{folder} holds a {manifest.get('bundle')!r} index, not {bundle!r}")
    contents: dict[str, bytes] = {}
    for logical, entry in manifest.get("files", {}).items():
        path = folder / str(entry.get("file", ""))
        if entry.get("mapped"):
            continue  # opened by the caller through mapped_path
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise IndexCorruptError(f"{path} is missing or unreadable ({exc.strerror})") from exc
        if len(data) != entry.get("bytes") or _sha256(data) != entry.get("sha256"):
            raise IndexCorruptError(f"{path} does not match its checksum in {MANIFEST} (partial or altered)")
        contents[logical] = data
    return manifest, contents


def mapped_path(folder: Path, manifest: dict[str, Any], logical: str) -> Path:
    """Path of a memory-mapped bundle file, checked for presence, size and checksum.

    The checksum is streamed from the file: it costs a read through the page cache (about 0.3 s per
    100 MB here), which also warms the pages the process is about to map.
    """
    entry = manifest.get("files", {}).get(logical)
    if not isinstance(entry, dict):
        raise IndexCorruptError(f"{folder / MANIFEST} names no {logical!r} file")
    path = folder / str(entry.get("file", ""))
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IndexCorruptError(f"{path} is missing or unreadable ({exc.strerror})") from exc
    if size != entry.get("bytes"):
        raise IndexCorruptError(f"{path} has {size} bytes, {MANIFEST} says {entry.get('bytes')} (partial or altered)")
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    if digest.hexdigest() != entry.get("sha256"):
        raise IndexCorruptError(f"{path} does not match its checksum in {MANIFEST} (partial or altered)")
    return path


def npy_bytes(array: np.ndarray) -> bytes:
    """An array as .npy file bytes (loadable with np.load(..., mmap_mode='r'))."""
    import io

    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def load_npy(folder: Path, manifest: dict[str, Any], logical: str) -> np.ndarray:
    """A bundle's .npy file, memory-mapped read-only: pages shared by every process that maps it."""
    try:
        return np.load(mapped_path(folder, manifest, logical), mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise IndexCorruptError(f"{folder}: {logical} cannot be mapped: {exc}") from exc


# --- reusable filters -------------------------------------------------------------------------

_VERSIONS = itertools.count(1)


def next_version() -> int:
    """A number no other state of any index has had: tells cached selections they are out of date."""
    return next(_VERSIONS)


class IdSelection(Collection[str]):
    """An immutable set of external ids to pass as `allowed` again and again (e.g. "open tenders").

    Each index caches the row positions of a selection until the index changes, so a reused
    selection costs nothing to translate; a plain set is translated on every search.
    """

    def __init__(self, ids: Iterable[str]) -> None:
        self._ids = frozenset(ids)
        self._rows: weakref.WeakKeyDictionary[Any, tuple[int, Any]] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def __contains__(self, item: object) -> bool:
        return item in self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def cached(self, index: Any, version: int, compute: Callable[[], Any]) -> Any:
        """What `compute` returns for `index` at `version`, computed once per version."""
        with self._lock:
            hit = self._rows.get(index)
        if hit is not None and hit[0] == version:
            return hit[1]
        value = compute()
        with self._lock:
            self._rows[index] = (version, value)
        return value


@contextmanager
def one_omp_thread() -> Iterator[None]:
    """One OpenMP thread for a single-query search (the setting is per calling thread).

    Parallelising one query buys nothing measurable, and on a busy 2-core machine the OpenMP
    hand-off dominates: flat search over 100k went from p50 15 ms (1 thread) to 80-120 ms (2).
    """
    saved = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(saved)


def rows_of(row_of: dict[str, int], allowed: Collection[str]) -> np.ndarray:
    """Sorted row positions of the known ids in `allowed`."""
    rows = np.fromiter((row for row in map(row_of.get, allowed) if row is not None), dtype=np.int64)
    rows.sort()
    return rows


# --- the index ------------------------------------------------------------------------------


def ivf_lists(count: int) -> int:
    """Inverted lists for `count` vectors: 4·√N rounded to a power of two, at most 1024 (as measured at
    1M) and at most N/39 (k-means wants about 39 training points per centroid)."""
    wanted = 2 ** round(np.log2(max(4 * np.sqrt(max(count, 1)), 1)))
    most = max(1, 2 ** int(np.log2(max(count // 39, 1))))
    return int(min(wanted, 1024, most))


def pq_subquantizers(dimension: int) -> int:
    """PQ sub-quantizers: the largest divisor of d not above d/4 (8-bit codes: d/4 bytes a vector when 4
    divides d, e.g. PQ64 for d=256 as in the 1M benchmark; PQ needs m to divide d)."""
    return next(m for m in range(max(dimension // 4, 1), 0, -1) if dimension % m == 0)


def _ivfpq_factory(dimension: int, lists: int) -> Any:
    index = faiss.index_factory(
        dimension, f"IVF{lists},PQ{pq_subquantizers(dimension)}x8np", faiss.METRIC_INNER_PRODUCT
    )
    faiss.extract_index_ivf(index).nprobe = IVFPQ_NPROBE
    return index


def _merge(first: list[tuple[str, float]], second: list[tuple[str, float]], k: int) -> list[tuple[str, float]]:
    """Best `k` of two best-first lists (base results and delta results)."""
    if not second:
        return first
    return sorted([*first, *second], key=lambda hit: -hit[1])[:k]


class VectorIndex:
    """Inner-product search over normalised vectors keyed by external string ids."""

    def __init__(
        self,
        dimension: int,
        kind: str = "auto",
        approximate_threshold: int = 20_000,
        ivfpq_threshold: int = IVFPQ_THRESHOLD,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"index kind must be 'auto', 'flat', 'hnsw' or 'ivfpq', not {kind!r}")
        if dimension <= 0:
            raise ValueError(f"dimension must be positive, not {dimension}")
        self.dimension = dimension
        self.kind = kind
        self.approximate_threshold = approximate_threshold
        self.ivfpq_threshold = ivfpq_threshold
        self.ef_search = HNSW_EF_SEARCH
        self.saved_token: str | None = None
        self._lock = threading.RLock()
        self._reset(0)

    # state -------------------------------------------------------------------------------
    def _reset(self, capacity: int) -> None:
        self._frozen = 0  # rows [0, _frozen) are in a read-only (mapped) FAISS base, vectors in _base
        self._base: np.ndarray = np.zeros((0, self.dimension), dtype=np.float32)
        self._matrix = np.zeros((max(capacity, 16), self.dimension), dtype=np.float32)  # rows from _frozen on
        self._alive = np.zeros(self._matrix.shape[0], dtype=bool)
        self._external: list[str | None] = []
        self._row_of: dict[str, int] = {}
        self.kind_in_use = self._choose_kind(capacity)
        self._faiss = self._new_faiss(self.kind_in_use)
        self._alive_bitmap: np.ndarray | None = None
        self._version = next_version()

    def _choose_kind(self, count: int) -> str:
        if self.kind != "auto":
            return self.kind
        if count >= self.ivfpq_threshold:
            return "ivfpq"
        return "hnsw" if count >= self.approximate_threshold else "flat"

    def _new_faiss(self, kind: str) -> Any:
        if kind == "hnsw":
            index = faiss.IndexHNSWFlat(self.dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            index.hnsw.efSearch = self.ef_search
            return index
        if kind == "ivfpq":  # a placeholder until there are enough rows to train on (`_train_ivfpq`)
            return _ivfpq_factory(self.dimension, 1)
        return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dimension))

    @property
    def _rows(self) -> int:
        return len(self._external)

    def _check(self, ids: Sequence[str], vectors: np.ndarray) -> tuple[list[str], np.ndarray]:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim == 1 and len(ids) == 1:
            vectors = vectors.reshape(1, -1)
        if vectors.ndim != 2 or vectors.shape[1] != self.dimension:
            raise ValueError(f"vectors must have shape (n, {self.dimension}), got {vectors.shape}")
        if vectors.shape[0] != len(ids):
            raise ValueError(f"{len(ids)} ids for {vectors.shape[0]} vectors")
        for position, external_id in enumerate(ids):
            if not isinstance(external_id, str) or not external_id:
                raise ValueError(f"id at position {position} must be a non-empty string, got {external_id!r}")
        if not np.isfinite(vectors).all():
            bad = int(np.argwhere(~np.isfinite(vectors).all(axis=1))[0, 0])
            raise ValueError(f"vector for id {ids[bad]!r} has NaN or infinite values")
        return list(ids), vectors

    def _take(self, rows: np.ndarray) -> np.ndarray:
        """Vectors of these rows, from the mapped base and the delta."""
        rows = np.asarray(rows, dtype=np.int64)
        if not self._frozen:
            return self._matrix[rows]
        out = np.empty((len(rows), self.dimension), dtype=np.float32)
        low = rows < self._frozen
        out[low] = self._base[rows[low]]
        out[~low] = self._matrix[rows[~low] - self._frozen]
        return out

    def _delta_rows(self) -> np.ndarray:
        """Live rows not in FAISS (added after a mapped base was loaded)."""
        if not self._frozen:
            return np.zeros(0, dtype=np.int64)
        return self._frozen + np.flatnonzero(self._alive[self._frozen : self._rows])

    def _append(self, ids: list[str], vectors: np.ndarray) -> None:
        start = self._rows
        needed = start + len(ids)
        local, local_needed = start - self._frozen, needed - self._frozen
        if local_needed > self._matrix.shape[0]:
            capacity = max(local_needed, self._matrix.shape[0] * 2)
            matrix = np.zeros((capacity, self.dimension), dtype=np.float32)
            matrix[:local] = self._matrix[:local]
            self._matrix = matrix
        if needed > self._alive.shape[0]:
            alive = np.zeros(max(needed, self._alive.shape[0] * 2), dtype=bool)
            alive[:start] = self._alive[:start]
            self._alive = alive
        self._matrix[local:local_needed] = vectors
        self._alive[start:needed] = True
        self._external.extend(ids)
        for offset, external_id in enumerate(ids):
            self._row_of[external_id] = start + offset
        if self._frozen:
            pass  # the delta: searched exactly until the next snapshot folds it into the base
        elif self.kind_in_use == "hnsw":
            self._faiss.add(vectors)
        elif self.kind_in_use == "ivfpq":
            if self._faiss.is_trained:
                self._faiss.add_with_ids(vectors, np.arange(start, needed, dtype=np.int64))
            elif len(self._row_of) >= IVFPQ_MIN_TRAIN:
                self._train_ivfpq()
        else:
            self._faiss.add_with_ids(vectors, np.arange(start, needed, dtype=np.int64))
        self._alive_bitmap = None
        self._version = next_version()

    def _kill(self, rows: list[int]) -> None:
        if not rows:
            return
        for row in rows:
            external_id = self._external[row]
            if external_id is not None:
                self._row_of.pop(external_id, None)
            self._external[row] = None
        self._alive[rows] = False
        if self.kind_in_use == "flat" and not self._frozen:
            self._faiss.remove_ids(np.asarray(rows, dtype=np.int64))
        self._alive_bitmap = None
        self._version = next_version()

    def _train_ivfpq(self) -> None:
        """Train IVF-PQ on a seeded sample of the live rows, then add them all (the index is not frozen)."""
        rows = np.flatnonzero(self._alive[: self._rows])
        sample = rows
        if len(rows) > IVFPQ_TRAIN_SAMPLE:
            sample = np.sort(np.random.default_rng(0).choice(rows, IVFPQ_TRAIN_SAMPLE, replace=False))
        index = _ivfpq_factory(self.dimension, ivf_lists(len(rows)))
        index.train(np.ascontiguousarray(self._matrix[sample]))
        for start in range(0, len(rows), 100_000):  # in chunks: no second copy of every vector
            chunk = rows[start : start + 100_000]
            index.add_with_ids(np.ascontiguousarray(self._matrix[chunk]), chunk.astype(np.int64))
        self._faiss = index

    def _maybe_restructure(self) -> None:
        """Compact when tombstones pass the ratio, or move up flat → HNSW → IVF-PQ when 'auto' says so."""
        dead = self._rows - len(self._row_of)
        wanted = self._choose_kind(len(self._row_of))
        upgrade = (wanted == "hnsw" and self.kind_in_use == "flat") or (
            wanted == "ivfpq" and self.kind_in_use != "ivfpq"
        )
        untrained = (  # a loaded (frozen) small IVF-PQ index whose delta now has enough rows to train on
            self.kind_in_use == "ivfpq" and not self._faiss.is_trained and len(self._row_of) >= IVFPQ_MIN_TRAIN
        )
        if upgrade or untrained or dead > TOMBSTONE_RATIO * max(self._rows, 1):
            self._rebuild(wanted)

    def _rebuild(self, kind: str) -> None:
        rows = np.flatnonzero(self._alive[: self._rows])
        ids = [self._external[row] for row in rows]
        vectors = self._take(rows).copy()
        self._reset(len(ids))
        self.kind_in_use = kind
        self._faiss = self._new_faiss(kind)
        if ids:
            self._append([str(external_id) for external_id in ids], vectors)

    # public API --------------------------------------------------------------------------
    def build(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        """Replace the whole content (duplicate ids are an error)."""
        ids, vectors = self._check(ids, vectors)
        if len(set(ids)) != len(ids):
            duplicate = next(external_id for external_id, n in Counter(ids).items() if n > 1)
            raise ValueError(f"duplicate id {duplicate!r} in build")
        fresh = VectorIndex(self.dimension, self.kind, self.approximate_threshold, self.ivfpq_threshold)
        fresh.ef_search = self.ef_search
        fresh._reset(len(ids))
        if ids:
            fresh._append(ids, vectors)
        with self._lock:
            self.__dict__.update({key: value for key, value in fresh.__dict__.items() if key != "_lock"})

    def upsert(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        """Add new ids and replace the vectors of known ones (the last occurrence wins)."""
        ids, vectors = self._check(ids, vectors)
        last: dict[str, int] = {external_id: position for position, external_id in enumerate(ids)}
        positions = list(last.values())
        with self._lock:
            self._kill([self._row_of[external_id] for external_id in last if external_id in self._row_of])
            if positions:
                self._append(list(last.keys()), vectors[positions])
            self._maybe_restructure()

    def remove(self, ids: Sequence[str]) -> None:
        """Forget these ids; unknown ids are ignored."""
        with self._lock:
            self._kill([self._row_of[external_id] for external_id in set(ids) if external_id in self._row_of])
            self._maybe_restructure()

    def configure(self, kind: str, approximate_threshold: int, ivfpq_threshold: int = IVFPQ_THRESHOLD) -> None:
        """Apply another kind/thresholds (e.g. changed settings) without re-embedding anything."""
        if kind not in KINDS:
            raise ValueError(f"index kind must be 'auto', 'flat', 'hnsw' or 'ivfpq', not {kind!r}")
        with self._lock:
            self.kind, self.approximate_threshold, self.ivfpq_threshold = kind, approximate_threshold, ivfpq_threshold
            wanted = self._choose_kind(len(self._row_of))
            if wanted != self.kind_in_use:
                self._rebuild(wanted)

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, external_id: object) -> bool:
        return external_id in self._row_of

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._row_of)

    def vector(self, external_id: str) -> np.ndarray | None:
        with self._lock:
            row = self._row_of.get(external_id)
            return None if row is None else self._take(np.array([row]))[0].copy()

    def vectors(self, ids: Sequence[str]) -> np.ndarray:
        """Rows for `ids` in that order; KeyError naming the first unknown id."""
        with self._lock:
            rows = []
            for external_id in ids:
                row = self._row_of.get(external_id)
                if row is None:
                    raise KeyError(f"id {external_id!r} is not in the index")
                rows.append(row)
            return self._take(np.asarray(rows, dtype=np.int64))

    def _query(self, query: np.ndarray) -> np.ndarray:
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        if query.shape[1] != self.dimension:
            raise ValueError(f"query has dimension {query.shape[1]}, the index has {self.dimension}")
        return query

    def _exact(self, query: np.ndarray, rows: np.ndarray, k: int) -> list[tuple[str, float]]:
        scores = self._take(rows) @ query[0]
        k = min(k, len(rows))
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k] if k < len(rows) else np.arange(len(rows))
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(str(self._external[rows[i]]), float(scores[i])) for i in top]

    def _selector_params(self, selector: Any, k: int) -> Any:
        if self.kind_in_use == "ivfpq":
            return _faiss.SearchParametersIVF(sel=selector, nprobe=IVFPQ_NPROBE)
        if self.kind_in_use == "hnsw":
            return _faiss.SearchParametersHNSW(sel=selector, efSearch=max(self.ef_search, k))
        return _faiss.SearchParameters(sel=selector)

    def _tombstone_selector(self) -> Any | None:
        """For HNSW/IVF-PQ with removed rows: a bitmap of live rows (kept alive with the index state)."""
        if (self.kind_in_use == "flat" and not self._frozen) or len(self._row_of) == self._rows:
            return None
        if self._alive_bitmap is None:
            self._alive_bitmap = np.packbits(self._alive[: self._rows], bitorder="little")
        return faiss.IDSelectorBitmap(self._rows, faiss.swig_ptr(self._alive_bitmap))

    def _collect(self, distances: np.ndarray, labels: np.ndarray) -> list[tuple[str, float]]:
        out = []
        for label, score in zip(labels, distances, strict=True):
            if label < 0 or not self._alive[label]:
                continue
            out.append((str(self._external[label]), float(score)))
        return out

    def _allowed(self, allowed: Collection[str]) -> tuple[np.ndarray, np.ndarray]:
        """Row positions and row bitmap of `allowed` (cached on an IdSelection)."""

        def compute() -> tuple[np.ndarray, np.ndarray]:
            rows = rows_of(self._row_of, allowed)
            mask = np.zeros(max(self._rows, 1), dtype=bool)
            mask[rows] = True
            return rows, np.packbits(mask, bitorder="little")

        if isinstance(allowed, IdSelection):
            result: tuple[np.ndarray, np.ndarray] = allowed.cached(self, self._version, compute)
            return result
        return compute()

    def search(self, query: np.ndarray, k: int, allowed: Collection[str] | None = None) -> list[tuple[str, float]]:
        """Best first; `allowed` restricts the search itself, so a narrow filter never starves it."""
        query = self._query(query)
        with self._lock:
            if self.kind_in_use == "ivfpq":
                return self._search_ivfpq(query, k, allowed)
            if allowed is not None:
                rows, bitmap = self._allowed(allowed)
                k = min(k, len(rows))
                if k <= 0:
                    return []
                if len(rows) <= EXACT_FILTER_LIMIT:
                    return self._exact(query, rows, k)
                within = faiss.IDSelectorBitmap(self._rows, faiss.swig_ptr(bitmap))
                with one_omp_thread():
                    distances, labels = self._faiss.search(query, k, params=self._selector_params(within, k))
                found = self._collect(distances[0], labels[0])
                if self._frozen:
                    found = _merge(found, self._exact(query, rows[rows >= self._frozen], k), k)
                return found if len(found) >= k else self._exact(query, rows, k)
            k = min(k, len(self._row_of))
            if k <= 0:
                return []
            selector = self._tombstone_selector()
            if self.kind_in_use == "hnsw" or selector is not None:
                params = self._selector_params(selector, k)
                with one_omp_thread():
                    distances, labels = self._faiss.search(query, k, params=params)
            else:
                with one_omp_thread():
                    distances, labels = self._faiss.search(query, k)
            found = self._collect(distances[0], labels[0])
            if self._frozen:
                found = _merge(found, self._exact(query, self._delta_rows(), k), k)
            if len(found) >= k:
                return found
            return self._exact(query, np.flatnonzero(self._alive[: self._rows]), k)

    def _search_ivfpq(self, query: np.ndarray, k: int, allowed: Collection[str] | None) -> list[tuple[str, float]]:
        """IVF-PQ candidates (k·IVFPQ_K_FACTOR) re-scored exactly from the stored vectors, plus the delta."""
        selector: Any
        if allowed is not None:
            rows, bitmap = self._allowed(allowed)
            selector = faiss.IDSelectorBitmap(self._rows, faiss.swig_ptr(bitmap))
        else:
            rows, selector = None, self._tombstone_selector()
        k = min(k, len(self._row_of) if rows is None else len(rows))
        if k <= 0:
            return []
        if not self._faiss.is_trained or (rows is not None and len(rows) <= EXACT_FILTER_LIMIT):
            return self._exact(query, np.flatnonzero(self._alive[: self._rows]) if rows is None else rows, k)
        depth = min(k * IVFPQ_K_FACTOR, int(self._faiss.ntotal))
        with one_omp_thread():
            _, labels = self._faiss.search(query, depth, params=self._selector_params(selector, depth))
        candidates = labels[0][labels[0] >= 0]
        candidates = candidates[self._alive[candidates]]
        if self._frozen:
            delta = self._delta_rows()
            if rows is not None:
                delta = delta[np.isin(delta, rows)]
            candidates = np.concatenate([candidates, delta])
        found = self._exact(query, candidates, k)
        if len(found) >= k:
            return found
        return self._exact(query, np.flatnonzero(self._alive[: self._rows]) if rows is None else rows, k)

    def search_many(self, queries: np.ndarray, k: int) -> list[list[tuple[str, float]]]:
        """Unfiltered search for a batch of queries (one FAISS call)."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if queries.ndim != 2 or queries.shape[1] != self.dimension:
            raise ValueError(f"queries must have shape (n, {self.dimension}), got {queries.shape}")
        with self._lock:
            if self.kind_in_use == "ivfpq":
                return [self._search_ivfpq(queries[row : row + 1], k, None) for row in range(len(queries))]
            k = min(k, len(self._row_of))
            if k <= 0 or len(queries) == 0:
                return [[] for _ in range(len(queries))]
            selector = self._tombstone_selector()
            if self.kind_in_use == "hnsw" or selector is not None:
                params = self._selector_params(selector, k)
                distances, labels = self._faiss.search(queries, k, params=params)
            else:
                distances, labels = self._faiss.search(queries, k)
            results = []
            alive_rows: np.ndarray | None = None
            delta = self._delta_rows()
            for row in range(len(queries)):
                found = self._collect(distances[row], labels[row])
                if len(delta):
                    found = _merge(found, self._exact(queries[row : row + 1], delta, k), k)
                if len(found) < k:
                    if alive_rows is None:
                        alive_rows = np.flatnonzero(self._alive[: self._rows])
                    found = self._exact(queries[row : row + 1], alive_rows, k)
                results.append(found)
            return results

    # persistence -------------------------------------------------------------------------
    def capture(self, model_id: str) -> tuple[Any, np.ndarray, dict[str, Any], bytes]:
        """What a snapshot needs, taken without the readers' lock.

        An in-memory FAISS index is serialised here (FAISS reads are thread-safe, so beside concurrent
        searches; the caller keeps *mutations* out: IndexSet holds its writer lock). A mapped base is
        immutable, so only the delta is copied; folding it in, and writing, happen in `write_capture`
        with no lock at all.
        """
        base: Any = self._faiss if self._frozen else faiss.serialize_index(self._faiss).tobytes()
        delta = self._matrix[: self._rows - self._frozen].copy() if self._frozen else np.zeros((0, self.dimension))
        if self.kind_in_use == "ivfpq":  # with the float16 vectors: the mapped base (immutable) or a copy
            base = (base, self._base if self._frozen else self._matrix[: self._rows].astype(np.float16))
        rows = list(self._external)
        ids_bytes = json.dumps({"rows": rows}, ensure_ascii=False).encode("utf-8")
        meta = {
            "model_id": model_id,
            "dimension": self.dimension,
            "count": len(self._row_of),
            "rows": len(rows),
            "kind": self.kind_in_use,
            "requested_kind": self.kind,
            "approximate_threshold": self.approximate_threshold,
            "ivfpq_threshold": self.ivfpq_threshold,
            "hnsw": {"M": HNSW_M, "ef_construction": HNSW_EF_CONSTRUCTION, "ef_search": self.ef_search},
        }
        if self.kind_in_use == "ivfpq":
            meta["ivfpq"] = {"nprobe": IVFPQ_NPROBE, "k_factor": IVFPQ_K_FACTOR, "m": pq_subquantizers(self.dimension)}
        return base, delta, meta, ids_bytes

    def write_capture(self, folder: Path, captured: tuple[Any, np.ndarray, dict[str, Any], bytes]) -> str:
        """Commit a capture to `folder` atomically (see module docstring); returns and records its token."""
        base, delta, meta, ids_bytes = captured
        if meta["kind"] == "ivfpq":
            return self._write_ivfpq(folder, base, delta, meta, ids_bytes)
        if isinstance(base, bytes):
            faiss_bytes = base
        else:  # a mapped base plus its delta: an owned copy, the delta added in row order
            owned = faiss.deserialize_index(faiss.serialize_index(base))
            if len(delta):
                owned.add(np.ascontiguousarray(delta, dtype=np.float32))
            faiss_bytes = faiss.serialize_index(owned).tobytes()
            del owned
        files = {"vectors": (".faiss", faiss_bytes), "ids": (".json", ids_bytes)}
        self.saved_token = write_bundle(folder, "vectors", files, meta, mapped=("vectors",))
        return self.saved_token

    def _write_ivfpq(
        self, folder: Path, base: tuple[Any, np.ndarray], delta: np.ndarray, meta: dict[str, Any], ids_bytes: bytes
    ) -> str:
        """IVF-PQ (read into memory at load) + all rows' vectors as float16 .npy (mapped at load)."""
        index, half = base
        if isinstance(index, bytes):
            faiss_bytes = index
        else:  # a loaded base plus its delta, added under their row numbers
            owned = faiss.deserialize_index(faiss.serialize_index(index))
            if len(delta) and owned.is_trained:
                first = len(half)
                owned.add_with_ids(
                    np.ascontiguousarray(delta, dtype=np.float32), np.arange(first, first + len(delta), dtype=np.int64)
                )
            faiss_bytes = faiss.serialize_index(owned).tobytes()
            del owned
            if len(delta):
                half = np.concatenate([half, delta.astype(np.float16)])
        files = {
            "vectors": (".faiss", faiss_bytes),
            "half": (".npy", npy_bytes(half)),
            "ids": (".json", ids_bytes),
        }
        self.saved_token = write_bundle(folder, "vectors", files, meta, mapped=("vectors", "half"))
        return self.saved_token

    def save(self, folder: Path, model_id: str) -> None:
        """Commit the index to `folder` atomically (capture and write, mutations kept out)."""
        with self._lock:
            captured = self.capture(model_id)
        self.write_capture(folder, captured)

    @classmethod
    def load(cls, folder: Path, model_id: str) -> VectorIndex:
        """Load and verify; IndexCorruptError (or a subclass) when it cannot be served as is."""
        manifest = read_manifest(folder)
        if manifest.get("model_id") != model_id:
            raise IndexModelMismatchError(
                f"index in {folder} was built with model {manifest.get('model_id')!r}, not {model_id!r}"
            )
        manifest, contents = read_bundle(folder, "vectors")
        try:
            dimension = int(manifest["dimension"])
            rows: list[str | None] = json.loads(contents["ids"].decode("utf-8"))["rows"]
            kind = str(manifest["kind"])
            path = str(mapped_path(folder, manifest, "vectors"))
            # HNSW is mapped (shared page cache, nothing copied); a flat index is small and mutable.
            index = faiss.read_index(path, faiss.IO_FLAG_MMAP_IFC) if kind == "hnsw" else faiss.read_index(path)
            loaded = cls(
                dimension,
                str(manifest.get("requested_kind", "auto")),
                int(manifest["approximate_threshold"]),
                int(manifest.get("ivfpq_threshold", IVFPQ_THRESHOLD)),
            )
            half = load_npy(folder, manifest, "half") if kind == "ivfpq" else None
        except (KeyError, TypeError, ValueError, RuntimeError, UnicodeDecodeError) as exc:
            raise IndexCorruptError(f"index in {folder} cannot be read: {exc}") from exc
        if index.d != dimension:
            raise IndexModelMismatchError(f"index in {folder} has dimension {index.d}, manifest says {dimension}")
        loaded.ef_search = int(manifest.get("hnsw", {}).get("ef_search", HNSW_EF_SEARCH))
        try:
            loaded._restore(index, kind, rows, folder, half)
        except (AttributeError, IndexError, TypeError, ValueError, RuntimeError) as exc:
            raise IndexCorruptError(f"index in {folder} does not match its manifest: {exc}") from exc
        loaded.saved_token = str(manifest["token"])
        return loaded

    def _restore(
        self, index: Any, kind: str, rows: list[str | None], folder: Path, half: np.ndarray | None = None
    ) -> None:
        alive_rows = [row for row, external_id in enumerate(rows) if external_id is not None]
        self._reset(len(rows))
        self.kind_in_use = kind
        self._faiss = index
        if kind == "ivfpq":  # codes in memory, vectors float16 mapped: a frozen base like HNSW's
            if half is None or half.shape != (len(rows), self.dimension) or index.ntotal > len(rows):
                raise IndexCorruptError(f"index in {folder}: the IVF-PQ files do not match {len(rows)} rows")
            self._frozen = len(rows)
            self._base = half
            self._matrix = np.zeros((16, self.dimension), dtype=np.float32)
            self._alive = np.zeros(max(len(rows), 16), dtype=bool)
            self._alive[alive_rows] = True
            self._external = shared_list(rows)
            self._row_of = row_map(self._external, alive_rows)
            if len(self._row_of) != len(alive_rows):
                raise IndexCorruptError(f"index in {folder}: duplicate ids in the id map")
            return
        if kind == "hnsw":
            if index.ntotal != len(rows):
                raise IndexCorruptError(f"index in {folder}: {index.ntotal} vectors for {len(rows)} rows")
            storage: Any = faiss.downcast_index(index.storage)
            self._frozen = int(index.ntotal)
            self._base = (
                faiss.rev_swig_ptr(storage.get_xb(), self._frozen * self.dimension).reshape(self._frozen, -1)
                if self._frozen
                else np.zeros((0, self.dimension), dtype=np.float32)
            )
            self._matrix = np.zeros((16, self.dimension), dtype=np.float32)  # the delta, empty
            self._alive = np.zeros(max(len(rows), 16), dtype=bool)
            self._alive[alive_rows] = True
            self._external = shared_list(rows)
            self._row_of = row_map(self._external, alive_rows)  # one object per id and row (shared_ids)
            if len(self._row_of) != len(alive_rows):
                raise IndexCorruptError(f"index in {folder}: duplicate ids in the id map")
            return
        else:
            positions = faiss.vector_to_array(index.id_map).astype(np.int64)
            if index.ntotal != len(alive_rows) or set(positions.tolist()) != set(alive_rows):
                raise IndexCorruptError(f"index in {folder}: FAISS ids do not match the id map")
            stored = index.reconstruct_batch(positions) if len(positions) else np.zeros((0, self.dimension))
        self._matrix = np.zeros((max(len(rows), 16), self.dimension), dtype=np.float32)
        self._matrix[positions] = stored
        self._alive = np.zeros(self._matrix.shape[0], dtype=bool)
        self._alive[alive_rows] = True
        self._external = shared_list(rows)
        self._row_of = row_map(self._external, alive_rows)
        if len(self._row_of) != len(alive_rows):
            raise IndexCorruptError(f"index in {folder}: duplicate ids in the id map")
