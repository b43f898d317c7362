"""Large imports embedded and weekly digests ranked on Ray workers, with the single-process results.

Ray is an optional extra (`pip install 'tremplin[ray]'`); it is imported only by `connect`. Each
worker is a Ray actor that loads what it needs once (the embedding model; or a whole read-only
engine over the shared store and published snapshot) and then takes batches in order, so the
results come back in the order they were asked and the caller assembles exactly what one process
would have made. Workers never write the store or the snapshot: the driver does.

`address` is `local` (start a Ray instance on this machine with `cpus` CPUs) or any address
`ray.init` accepts (`auto`, `host:6379`, `ray://host:10001`). On a real cluster every node needs
Tremplin installed and the same store URL and snapshot folder (PostgreSQL and a shared path).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

import numpy as np

from matcher.digests.build import BuildReport, Recipient, rank_recipients
from matcher.digests.reconcile import Candidate
from matcher.errors import TremplinError
from matcher.index.embedding import CachedEmbedder, Embedder, load_embedder
from matcher.settings import Settings

log = logging.getLogger(__name__)

EMBED_BATCH = 512  # texts per Ray task: big enough to amortise the round trip, small enough to balance
RANK_CHUNKS_PER_WORKER = 4  # digest recipients are split in this many chunks per worker


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise TremplinError("Ray is not installed: pip install 'tremplin[ray]' (or drop --ray)") from exc
    return ray


def connect(address: str, cpus: int | None = None) -> int:
    """Join (or start, for `local`) a Ray instance; returns how many CPUs it offers."""
    ray = _ray()
    if not ray.is_initialized():
        try:
            if address == "local":
                ray.init(num_cpus=cpus, include_dashboard=False, logging_level=logging.WARNING)
            else:
                ray.init(address=address, logging_level=logging.WARNING)
        except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError…
            raise TremplinError(f"cannot reach the Ray cluster at {address!r}: {exc}") from exc
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def shutdown() -> None:
    ray = _ray()
    if ray.is_initialized():
        ray.shutdown()


def worker_settings(settings: Settings) -> Settings:
    """What a worker runs with: absolute paths (its working folder may differ), read-only snapshot."""
    return settings.model_copy(
        update={
            "home": settings.home.resolve(),
            "snapshot_dir": settings.index_dir.resolve(),
            "database_url": settings.sqlalchemy_url,
            "snapshot_writer": False,
            "snapshot_check_seconds": 0.0,
        }
    )


def _actors(cls: type, workers: int, *args: Any) -> list[Any]:
    ray = _ray()
    remote = ray.remote(num_cpus=1)(cls)
    return [remote.remote(*args) for _ in range(workers)]


def _ordered(actors: list[Any], method: str, payloads: Sequence[Any]) -> Iterator[Any]:
    """Results of `actor.method(payload)` in the order of `payloads`, workers kept busy."""
    from ray.util import ActorPool

    pool = ActorPool(actors)
    return pool.map(lambda actor, payload: getattr(actor, method).remote(*payload), list(payloads))


# -- embedding ---------------------------------------------------------------------------------
class _EmbedWorker:
    """One embedding model per Ray worker process, loaded once."""

    def __init__(self, settings: Settings) -> None:
        self.embedder = load_embedder(settings, cached=False)

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.embedder.encode_documents(texts)


class RayEmbedder:
    """Documents embedded in batches by Ray workers; queries (one short text) stay in this process."""

    def __init__(self, local: Embedder, settings: Settings, workers: int, batch: int = EMBED_BATCH) -> None:
        self.local = local
        self.model_id = local.model_id
        self.dimension = local.dimension
        self.query_prompt: str = getattr(local, "query_prompt", "")
        self.document_prompt: str = getattr(local, "document_prompt", "")
        self.batch = batch
        self.workers = workers
        self._settings = worker_settings(settings)
        self._pool: list[Any] | None = None  # started at the first large batch
        self.batches = 0

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.local.encode_queries(texts)

    def encode_documents(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        if len(texts) <= self.batch:  # a few edited rows: not worth a round trip
            return self.local.encode_documents(texts, progress=progress)
        if self._pool is None:
            self._pool = _actors(_EmbedWorker, self.workers, self._settings)
        chunks = [(list(texts[start : start + self.batch]),) for start in range(0, len(texts), self.batch)]
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        with _bar(progress, "embedding on Ray", len(texts)) as advance:
            start = 0
            for rows in _ordered(self._pool, "encode", chunks):
                out[start : start + len(rows)] = rows
                start += len(rows)
                self.batches += 1
                advance(len(rows))
        return out

    def close(self) -> None:
        """Stop the workers: they hold their CPUs (and a model each) until then."""
        for actor in self._pool or []:
            _ray().kill(actor)
        self._pool = None


def close_embedder(embedder: Embedder | None) -> None:
    """Stop the Ray workers behind an embedder made by `ray_embedder` (no-op for any other)."""
    inner = getattr(embedder, "inner", embedder)
    if isinstance(inner, RayEmbedder):
        inner.close()


def ray_embedder(settings: Settings, workers: int) -> Embedder:
    """The settings' embedder with its disk cache in this process and the misses embedded on Ray."""
    local = load_embedder(settings, cached=False)
    return CachedEmbedder(RayEmbedder(local, settings, workers), settings.cache_dir)


# -- digests -----------------------------------------------------------------------------------
class _RankWorker:
    """A read-only engine over the shared store and published snapshot, loaded once per worker."""

    def __init__(self, settings: Settings) -> None:
        from matcher.ranking.engine import Engine
        from matcher.store import Store

        self.store = Store(settings)
        self.engine = Engine(self.store, settings)
        self.engine.load()

    def rank(
        self, recipients: dict[int, Recipient], head: BuildReport, now: datetime, per_tender: int
    ) -> tuple[dict[int, list[Candidate]], list[str], list[dict[str, Any]]]:
        report = BuildReport(batch_id=head.batch_id, week=head.week, audience=head.audience, status=head.status)
        ranked = rank_recipients(self.store, self.engine, recipients, report, now, per_tender)
        return ranked, report.errors, report.left_out


def ray_ranker(settings: Settings, workers: int) -> Callable[..., dict[int, list[Candidate]]]:
    """A `build_batch(ranker=…)` that splits the recipients over `workers` Ray engines."""

    def rank(
        recipients: dict[int, Recipient],
        report: BuildReport,
        now: datetime,
        per_tender: int,
        progress: Callable[[int, int], None] | None,
    ) -> dict[int, list[Candidate]]:
        if not recipients:
            return {}
        items = list(recipients.items())
        count = min(len(items), workers * RANK_CHUNKS_PER_WORKER)
        size = -(-len(items) // count)
        head = BuildReport(batch_id=report.batch_id, week=report.week, audience=report.audience, status=report.status)
        chunks = [(dict(items[i : i + size]), head, now, per_tender) for i in range(0, len(items), size)]
        actors = _actors(_RankWorker, min(workers, len(chunks)), worker_settings(settings))
        ranked: dict[int, list[Candidate]] = {}
        for part, errors, left_out in _ordered(actors, "rank", chunks):
            ranked.update(part)
            report.errors.extend(errors)
            report.left_out.extend(left_out)
            if progress:
                progress(len(ranked), len(items))
        for actor in actors:
            _ray().kill(actor)
        return ranked

    return rank


class _bar:
    """A rich progress bar on stderr when asked; `advance(n)` either way."""

    def __init__(self, show: bool, description: str, total: int) -> None:
        self.show, self.description, self.total = show, description, total
        self._progress: Any = None

    def __enter__(self) -> Callable[[int], None]:
        if not self.show:
            return lambda n: None
        from rich.console import Console
        from rich.progress import Progress

        self._progress = Progress(console=Console(stderr=True), transient=True)
        self._progress.__enter__()
        task = self._progress.add_task(self.description, total=self.total)
        return lambda n: self._progress.advance(task, n)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)
