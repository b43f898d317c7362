"""The vector and lexical indexes of a store's tenders and startups, kept in step with it.

Layout: ``<index_dir>/<name>/{vectors,lexical}/`` (bundles, see :mod:`matcher.index.vector_index`) and
``state.json``: what the two bundles were built from (model, store fingerprint, external id →
content hash). ``state.json`` is written after both bundles and names their tokens, so after a
crash a mismatch is detected and the index rebuilt rather than trusted.

Concurrency: ``lock`` serialises writers (load, sync, refresh, remove). Readers use the index
objects directly: each is internally locked, and full rebuilds build new objects then swap the
references, so a reader never sees a half-built index.

Snapshots: a write changes the in-memory indexes at once and marks its collection dirty; a
background :class:`~matcher.index.snapshots.Snapshotter` writes the snapshot later (setting
``snapshot_delay_seconds``; 0 writes it inside the write, as before). A snapshot *captures* under
the writer lock (FAISS serialised beside concurrent searches, lexical arrays by reference) and
*writes* with no index lock held, so readers never wait for it and writers only for the capture.
``_disk_lock`` keeps one writer of the folder at a time; lock order: ``_disk_lock`` then ``lock``.

Replicas: with ``snapshot_writer`` off (API replicas sharing ``snapshot_dir`` with one index writer)
nothing is written; the process maps the published snapshot and replays the store in memory.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from matcher.errors import IndexCorruptError
from matcher.index.embedding import Embedder
from matcher.index.lexical import LexicalIndex
from matcher.index.snapshots import Snapshotter
from matcher.index.vector_index import (
    FORMAT_VERSION,
    IndexMissingError,
    IndexModelMismatchError,
    VectorIndex,
    read_manifest,
    write_file_atomic,
)
from matcher.settings import Settings
from matcher.store import IndexState, Startup, Store, Tender
from matcher.store.documents import startup_text, tender_text
from matcher.store.fingerprint import source_fingerprint
from matcher.store.models import utcnow

log = logging.getLogger(__name__)

NAMES = ("tenders", "startups")
STATE_FILE = "state.json"
_CHUNK = 500


def collection_name(kind: str) -> str:
    """'tender'/'tenders' → 'tenders', 'startup'/'startups' → 'startups'."""
    name = kind if kind.endswith("s") else f"{kind}s"
    if name not in NAMES:
        raise ValueError(f"index kind must be 'tenders' or 'startups', not {kind!r}")
    return name


class IndexSet:
    """Owns ``tender_vectors``, ``startup_vectors``, ``tender_lexical`` and ``startup_lexical``."""

    def __init__(self, store: Store, settings: Settings, embedder: Embedder) -> None:
        self.store = store
        self.settings = settings
        self.embedder = embedder
        self.lock = threading.RLock()
        self.tender_vectors = self._empty_vectors()
        self.startup_vectors = self._empty_vectors()
        self.tender_lexical = LexicalIndex(settings.lexical_compact_from)
        self.startup_lexical = LexicalIndex(settings.lexical_compact_from)
        self.loaded = False
        self.details: dict[str, str] = {}
        self._hashes: dict[str, dict[str, str]] = {name: {} for name in NAMES}
        self._fingerprints: dict[str, str] = dict.fromkeys(NAMES, "")
        self._dirty: set[str] = set()
        self._tokens: dict[str, tuple[str | None, str | None]] = {}  # snapshot each collection was loaded from
        self._markers: dict[str, tuple[int, str]] = {}  # store (count, last update) when last in step
        self.last_changes: dict[str, list[str]] = {name: [] for name in NAMES}
        self._disk_lock = threading.RLock()
        self.snapshots = Snapshotter(
            self.snapshot, settings.snapshot_delay_seconds, settings.snapshot_max_delay_seconds
        )

    # helpers -----------------------------------------------------------------------------------
    def _empty_vectors(self) -> VectorIndex:
        return VectorIndex(
            self.embedder.dimension,
            self.settings.index_kind,
            self.settings.approximate_threshold,
            self.settings.ivfpq_threshold,
        )

    def folder(self, name: str) -> Path:
        return self.settings.index_dir / name

    def vectors(self, kind: str) -> VectorIndex:
        return self.tender_vectors if collection_name(kind) == "tenders" else self.startup_vectors

    def lexical(self, kind: str) -> LexicalIndex:
        return self.tender_lexical if collection_name(kind) == "tenders" else self.startup_lexical

    def indexed_hashes(self, kind: str) -> dict[str, str]:
        """External id → content hash of what is indexed now (a copy)."""
        return dict(self._hashes[collection_name(kind)])

    def _swap(self, name: str, vectors: VectorIndex, lexical: LexicalIndex) -> None:
        with self.lock:
            if name == "tenders":
                self.tender_vectors, self.tender_lexical = vectors, lexical
            else:
                self.startup_vectors, self.startup_lexical = vectors, lexical

    @staticmethod
    def _model(name: str) -> type[Tender] | type[Startup]:
        return Tender if name == "tenders" else Startup

    def _store_hashes(self, session: Session, name: str, ids: Iterable[str] | None = None) -> dict[str, str]:
        model = self._model(name)
        query = select(model.external_id, model.content_hash)
        if ids is None:
            return {external_id: content or "" for external_id, content in session.execute(query)}
        out: dict[str, str] = {}
        wanted = list(dict.fromkeys(ids))
        for start in range(0, len(wanted), _CHUNK):
            chunk = query.where(model.external_id.in_(wanted[start : start + _CHUNK]))
            out.update({external_id: content or "" for external_id, content in session.execute(chunk)})
        return out

    def _texts(self, session: Session, name: str, ids: Sequence[str] | None) -> dict[str, str]:
        """Indexed text per external id (documents.tender_text / startup_text)."""
        if name == "tenders":
            tender_query = select(Tender).options(selectinload(Tender.lots))
            batches = self._batches(tender_query, Tender, ids)
            return {t.external_id: tender_text(t) for batch in batches for t in session.scalars(batch)}
        startup_query = select(Startup)
        batches = self._batches(startup_query, Startup, ids)
        return {s.external_id: startup_text(s) for batch in batches for s in session.scalars(batch)}

    @staticmethod
    def _batches(query: Any, model: Any, ids: Sequence[str] | None) -> list[Any]:
        if ids is None:
            return [query]
        return [
            query.where(model.external_id.in_(list(ids[start : start + _CHUNK])))
            for start in range(0, len(ids), _CHUNK)
        ]

    # persistence -------------------------------------------------------------------------------
    def _save(self, name: str, vectors: VectorIndex, lexical: LexicalIndex, fingerprint: str) -> None:
        """Write one collection now (full builds and load-time fixes; caller holds ``lock``)."""
        if not self.settings.snapshot_writer:
            return  # a reading replica: the index writer publishes, this process keeps it in memory
        with self._disk_lock:
            captured = (vectors.capture(self.embedder.model_id), lexical.capture())
            self._write(name, vectors, lexical, captured, dict(self._hashes[name]), fingerprint)

    def _write(
        self,
        name: str,
        vectors: VectorIndex,
        lexical: LexicalIndex,
        captured: tuple[Any, Any],
        hashes: dict[str, str],
        fingerprint: str,
    ) -> None:
        folder = self.folder(name)
        vectors_token = vectors.write_capture(folder / "vectors", captured[0])
        lexical_token = lexical.write_capture(folder / "lexical", captured[1])
        state = {
            "format_version": FORMAT_VERSION,
            "model_id": self.embedder.model_id,
            "fingerprint": fingerprint,
            "vectors_token": vectors_token,
            "lexical_token": lexical_token,
            "hashes": hashes,
        }
        write_file_atomic(folder / STATE_FILE, json.dumps(state, ensure_ascii=False).encode("utf-8"))
        with self.store.session() as session:
            row = session.get(IndexState, name)
            if row is None:
                row = IndexState(name=name, model_id="", item_count=0, source_fingerprint="")
                session.add(row)
            row.model_id = self.embedder.model_id
            row.item_count = len(hashes)
            row.source_fingerprint = fingerprint
            row.built_at = utcnow()

    def _load(self, name: str) -> tuple[VectorIndex, LexicalIndex, dict[str, Any]]:
        folder = self.folder(name)
        vectors = VectorIndex.load(folder / "vectors", self.embedder.model_id)
        lexical = LexicalIndex.load(folder / "lexical", self.settings.lexical_compact_from)
        try:
            state = json.loads((folder / STATE_FILE).read_text("utf-8"))
        except FileNotFoundError as exc:
            raise IndexCorruptError(f"{folder / STATE_FILE} is missing") from exc
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise IndexCorruptError(f"{folder / STATE_FILE} is unreadable: {exc}") from exc
        if not isinstance(state, dict) or not isinstance(state.get("hashes"), dict):
            raise IndexCorruptError(f"{folder / STATE_FILE} has an unknown format")
        if state.get("model_id") != self.embedder.model_id:
            raise IndexModelMismatchError(f"{folder} was built with model {state.get('model_id')!r}")
        if (state.get("vectors_token"), state.get("lexical_token")) != (vectors.saved_token, lexical.saved_token):
            raise IndexCorruptError(f"{folder}: vector and lexical indexes are out of step (interrupted save)")
        if set(state["hashes"]) != set(vectors.ids()) or len(lexical) != len(vectors):
            raise IndexCorruptError(f"{folder}: indexed ids do not match {STATE_FILE}")
        return vectors, lexical, state

    # public API --------------------------------------------------------------------------------
    def load_or_build(self, progress: bool = False) -> dict[str, str]:
        """Load each index, or rebuild it from the store; per index what happened."""
        report: dict[str, str] = {}
        with self._disk_lock, self.lock:
            for name in NAMES:
                report[name] = self._load_or_build_one(name, progress)
            self.loaded = True
        self._schedule()  # changes replayed from the store (a stale snapshot) are written in the background
        return report

    def _load_or_build_one(self, name: str, progress: bool) -> str:
        folder = self.folder(name)
        first_time = not folder.exists() or not any(path.is_file() for path in folder.rglob("*"))
        try:
            vectors, lexical, state = self._load(name)
        except IndexMissingError as exc:
            return self._rebuild(name, progress, "built" if first_time else "rebuilt: missing", str(exc))
        except IndexModelMismatchError as exc:
            return self._rebuild(name, progress, "rebuilt: other model", str(exc))
        except IndexCorruptError as exc:
            return self._rebuild(name, progress, "rebuilt: corrupt", str(exc))
        self._tokens[name] = (vectors.saved_token, lexical.saved_token)
        kind_before = vectors.kind_in_use
        vectors.configure(self.settings.index_kind, self.settings.approximate_threshold, self.settings.ivfpq_threshold)
        self._hashes[name] = {str(k): str(v) for k, v in state["hashes"].items()}
        self._fingerprints[name] = str(state.get("fingerprint", ""))
        self._swap(name, vectors, lexical)
        with self.store.session() as session:
            self._markers[name] = self._store_marker(session, name)
            current = source_fingerprint(session, name)
            recorded = session.get(IndexState, name)
            recorded_ok = recorded is not None and (
                recorded.source_fingerprint == current and recorded.model_id == self.embedder.model_id
            )
        if current != self._fingerprints[name]:
            counts = self._sync_one(name, progress)
            changes = sum(counts.values())
            self.details[name] = f"{changes} change(s) applied incrementally"
            return "rebuilt: stale"
        if not recorded_ok or vectors.kind_in_use != kind_before:
            self._save(name, vectors, lexical, current)
        self.details[name] = f"{len(vectors)} items"
        return "loaded"

    def _rebuild(self, name: str, progress: bool, outcome: str, reason: str) -> str:
        if outcome != "built":
            log.warning("rebuilding the %s index: %s", name, reason)
        self.build(name, progress)
        self.details[name] = reason
        return outcome

    def build(self, kind: str, progress: bool = False) -> None:
        """Full rebuild of one collection's indexes from the store (new objects, then swap)."""
        name = collection_name(kind)
        with self._disk_lock, self.lock:
            with self.store.session() as session:
                self._markers[name] = self._store_marker(session, name)
                fingerprint = source_fingerprint(session, name)
                hashes = self._store_hashes(session, name)
                texts = self._texts(session, name, None)
            ids = sorted(texts)
            documents = [texts[external_id] for external_id in ids]
            vectors = self._empty_vectors()
            vectors.build(ids, self.embedder.encode_documents(documents, progress=progress))
            lexical = LexicalIndex(self.settings.lexical_compact_from)
            lexical.build(ids, documents)
            self._hashes[name] = {external_id: hashes.get(external_id, "") for external_id in ids}
            self._fingerprints[name] = fingerprint
            self._save(name, vectors, lexical, fingerprint)
            self._swap(name, vectors, lexical)

    def sync(self, progress: bool = False) -> dict[str, int]:
        """Bring both collections in step with the store: embed only new/changed, drop deleted."""
        counts: dict[str, int] = {}
        with self.lock:
            for name in NAMES:
                for key, value in self._sync_one(name, progress).items():
                    counts[f"{name}_{key}"] = value
        self._schedule()
        return counts

    def _sync_one(self, name: str, progress: bool) -> dict[str, int]:
        with self.store.session() as session:
            self._markers[name] = self._store_marker(session, name)
            current = self._store_hashes(session, name)
            indexed = self._hashes[name]
            removed = [external_id for external_id in indexed if external_id not in current]
            # An empty content hash says nothing: such rows are always re-indexed (the cache makes it cheap).
            changed = sorted(i for i, content in current.items() if not content or indexed.get(i) != content)
            texts = self._texts(session, name, changed) if changed else {}
            fingerprint = source_fingerprint(session, name)
        added = sum(1 for external_id in changed if external_id not in indexed)
        self.last_changes[name] = [*changed, *removed]
        self._apply(name, texts, current, removed, progress)
        if changed or removed or fingerprint != self._fingerprints[name]:
            self._dirty.add(name)  # written by the next snapshot (see _schedule)
        return {"added": added, "updated": len(changed) - added, "removed": len(removed)}

    def _apply(
        self, name: str, texts: dict[str, str], hashes: dict[str, str], removed: Sequence[str], progress: bool
    ) -> None:
        """Upsert `texts` and drop `removed` in both indexes; refit the vocabulary when it has aged."""
        vectors, lexical = self.vectors(name), self.lexical(name)
        if texts:
            ids = list(texts)
            documents = [texts[external_id] for external_id in ids]
            vectors.upsert(ids, self.embedder.encode_documents(documents, progress=progress))
            lexical.upsert(ids, documents)
            for external_id in ids:
                self._hashes[name][external_id] = hashes.get(external_id, "")
        if removed:
            vectors.remove(removed)
            lexical.remove(removed)
            for external_id in removed:
                self._hashes[name].pop(external_id, None)
        if lexical.stale_vocabulary:
            with self.store.session() as session:
                every = self._texts(session, name, sorted(self._hashes[name]))
            fresh = LexicalIndex(self.settings.lexical_compact_from)
            fresh.build(list(every), list(every.values()))
            self._swap(name, vectors, fresh)

    def refresh(self, kind: str, external_ids: Iterable[str], save: bool = True) -> dict[str, int]:
        """Re-index these ids from the store now (ids no longer in the store are removed)."""
        name = collection_name(kind)
        ids = list(dict.fromkeys(external_ids))
        with self.lock:
            with self.store.session() as session:
                texts = self._texts(session, name, ids)
                hashes = self._store_hashes(session, name, list(texts))
            removed = [external_id for external_id in ids if external_id not in texts]
            removed = [external_id for external_id in removed if external_id in self._hashes[name]]
            self._apply(name, texts, hashes, removed, progress=False)
            self._dirty.add(name)
        if save:
            self._schedule()
        return {"updated": len(texts), "removed": len(removed)}

    def remove(self, kind: str, external_ids: Iterable[str], save: bool = True) -> int:
        """Drop these ids from both indexes; returns how many were indexed."""
        name = collection_name(kind)
        with self.lock:
            removed = [external_id for external_id in dict.fromkeys(external_ids) if external_id in self._hashes[name]]
            self._apply(name, {}, {}, removed, progress=False)
            self._dirty.add(name)
        if save:
            self._schedule()
        return len(removed)

    # other processes ----------------------------------------------------------------------------
    def _store_marker(self, session: Session, name: str) -> tuple[int, str]:
        """A cheap sign that a collection changed in the store: row count and latest update."""
        model = self._model(name)
        count, latest = session.execute(select(func.count(model.id), func.max(model.updated_at))).one()
        return int(count or 0), str(latest)

    def _disk_tokens(self, name: str) -> tuple[str | None, str | None] | None:
        tokens = []
        for bundle in ("vectors", "lexical"):
            try:
                tokens.append(str(read_manifest(self.folder(name) / bundle)["token"]))
            except (IndexCorruptError, KeyError):
                return None
        return tokens[0], tokens[1]

    def poll(self) -> list[str]:
        """Catch up with other processes: map a newer snapshot (another worker's, or our own, which
        replaces in-memory copies and deltas by shared mapped files), then replay what the store has
        that the indexes lack. Returns the collections that may have changed."""
        touched: list[str] = []
        with self._disk_lock:
            for name in NAMES:
                tokens = self._disk_tokens(name)
                with self.store.session() as session:
                    marker = self._store_marker(session, name)
                newer = tokens is not None and tokens != self._tokens.get(name)
                if not newer and marker == self._markers.get(name):
                    continue
                loaded = None
                if newer:
                    try:
                        loaded = self._load(name)
                    except IndexCorruptError as exc:  # e.g. caught between two bundle writes: next time
                        log.info("snapshot of %s not taken up yet: %s", name, exc)
                with self.lock:
                    if loaded is not None:
                        vectors, lexical, state = loaded
                        vectors.configure(
                            self.settings.index_kind, self.settings.approximate_threshold, self.settings.ivfpq_threshold
                        )
                        self._hashes[name] = {str(k): str(v) for k, v in state["hashes"].items()}
                        self._fingerprints[name] = str(state.get("fingerprint", ""))
                        self._tokens[name] = (vectors.saved_token, lexical.saved_token)
                        self._swap(name, vectors, lexical)
                    self._sync_one(name, progress=False)
                touched.append(name)
        if touched:
            self._schedule()  # an index writer publishes what other replicas wrote to the store
        return touched

    def _schedule(self) -> None:
        """Snapshot what changed: now when the delay setting is 0, else in the background."""
        if not self._dirty or not self.settings.snapshot_writer:
            return
        if self.settings.snapshot_delay_seconds <= 0:
            self.snapshot()
        else:
            self.snapshots.mark()

    def save(self) -> None:
        """Persist both collections as they are in memory, now."""
        with self.lock:
            self._dirty.update(NAMES)
        self.snapshot()

    def flush(self) -> None:
        """Write a pending snapshot now (tests, shutdown)."""
        self.snapshots.flush()
        if self._dirty:
            self.snapshot()

    def close(self) -> None:
        """Stop the snapshot thread after writing what is pending."""
        self.snapshots.close()

    def snapshot(self) -> None:
        """Write the dirty collections: capture under the writer lock, write with no index lock held."""
        if not self.settings.snapshot_writer:
            return
        with self._disk_lock:
            with self.lock:
                names = sorted(self._dirty)
                self._dirty.clear()
                captures = {
                    name: (
                        self.vectors(name),
                        self.lexical(name),
                        (self.vectors(name).capture(self.embedder.model_id), self.lexical(name).capture()),
                        dict(self._hashes[name]),
                    )
                    for name in names
                }
            for name, (vectors, lexical, captured, hashes) in captures.items():
                try:
                    fingerprint = self._consistent_fingerprint(name, hashes)
                    self._write(name, vectors, lexical, captured, hashes, fingerprint)
                except Exception:
                    with self.lock:
                        self._dirty.add(name)
                    raise

    def _consistent_fingerprint(self, name: str, hashes: dict[str, str]) -> str:
        """The store's fingerprint if the captured content matches the store exactly; otherwise the
        last one recorded, so that the next start compares hashes and replays the difference."""
        with self.store.session() as session:
            current = self._store_hashes(session, name)
            fingerprint = source_fingerprint(session, name) if current == hashes else self._fingerprints[name]
        with self.lock:
            self._fingerprints[name] = fingerprint
        return fingerprint
