"""TF-IDF lexical retrieval for French, Arabic and English text, accent-insensitive.

Two blocks, each L2-normalised and weighted so that the combined cosine is
``0.6·cos(words) + 0.4·cos(chars)``: word unigrams and bigrams of :func:`matcher.text.tokenize`
(folded, accent-free, Arabic article stripped) and ``char_wb`` 3–5-grams of the folded text, which
catch short French titles, plural/singular and accent-lost data ("march� public"). Sublinear tf.
The vocabulary is fitted on ``build`` only; ``upsert`` transforms with it (see ``stale_vocabulary``).
"""

from __future__ import annotations

import io
import itertools
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Collection, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeAlias

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher.errors import IndexCorruptError
from matcher.index.impact_postings import ImpactPostings
from matcher.index.phrases import readable_terms
from matcher.index.shared_ids import row_map, shared_list
from matcher.index.tfidf_rows import TfidfRows
from matcher.index.vector_index import (
    TOMBSTONE_RATIO,
    IdSelection,
    load_npy,
    next_version,
    npy_bytes,
    read_bundle,
    rows_of,
    write_bundle,
)
from matcher.text import fold, normalize, tokenize

WORD_WEIGHT = 0.6
CHAR_WEIGHT = 0.4
CHAR_PREFIX = 300  # char n-grams of the first characters only: title and opening carry them
# Features in more than this share of documents (" de", "tion"…) are skipped when scanning postings at
# scale, and a shortlist is re-scored exactly: 2.5x faster for long queries, same top 50 on 100k docs.
COMMON_FEATURE_SHARE = 0.1
SKIP_COMMON_FROM = 2_000  # below this many documents a full scan is cheap
# From this many documents the postings are compact (matcher.index.impact_postings): one-byte weights,
# impact-ordered, very common features cut after their COMMON_POSTINGS_CAP strongest documents; a query
# probes its COMPACT_PROBE_FEATURES strongest features and its shortlist (SHORTLIST_FACTOR x k) is
# re-scored exactly from the rows, mapped on disk. Below it nothing changes: the product and the
# evaluation run at ≤ 100k. Chosen by top-10 overlap with exhaustive search at 1M (bench_million.py).
COMPACT_POSTINGS_FROM = 200_000
COMMON_POSTINGS_CAP = 10_000
COMPACT_PROBE_FEATURES = 40
SHORTLIST_FACTOR = 8
_SURFACE = re.compile(r"[^\W_]+", re.UNICODE)


def word_analyzer(text: str) -> list[str]:
    """Folded word unigrams and bigrams (module level so a fitted vectorizer pickles)."""
    tokens = tokenize(text)
    return tokens + [f"{first} {second}" for first, second in itertools.pairwise(tokens)]


def char_preprocessor(text: str) -> str:
    return fold(text)[:CHAR_PREFIX]


def _new_blocks() -> list[tuple[TfidfVectorizer, float]]:
    word = TfidfVectorizer(analyzer=word_analyzer, sublinear_tf=True, dtype=np.float32)
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        preprocessor=char_preprocessor,
        lowercase=False,
        sublinear_tf=True,
        dtype=np.float32,
    )
    return [(word, WORD_WEIGHT), (chars, CHAR_WEIGHT)]


@lru_cache(maxsize=512)
def _surface_forms(text: str) -> dict[str, str]:
    """Folded token → the word as written in `text` (first occurrence)."""
    forms: dict[str, str] = {}
    for raw in _SURFACE.findall(normalize(text)):
        tokens = tokenize(raw)
        if len(tokens) == 1:
            forms.setdefault(tokens[0], raw)
    return forms


def postings(matrix: sp.csr_matrix) -> tuple[sp.csr_matrix, np.ndarray]:
    """Feature-major copy of the rows (the postings) and each feature's document frequency.

    At scale the postings of common features (in more than COMMON_FEATURE_SHARE of the rows) are left
    out: searches never probe them (see `LexicalIndex._without_common`), and they hold ~45% of all
    entries (char n-grams such as " de", "tion"), so the transpose costs about half as much memory.
    """
    frequency = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.int64)
    by_feature = sp.csr_matrix(matrix.T.tocsr())
    if matrix.shape[0] < SKIP_COMMON_FROM:
        return by_feature, frequency
    common = frequency > COMMON_FEATURE_SHARE * matrix.shape[0]
    lengths = np.diff(by_feature.indptr)
    kept = np.repeat(~common, lengths)
    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(np.where(common, 0, lengths), out=indptr[1:])
    pruned = sp.csr_matrix(
        (by_feature.data[kept], by_feature.indices[kept], indptr), shape=by_feature.shape, dtype=np.float32
    )
    return pruned, frequency


def compact_postings(matrix: sp.csr_matrix) -> tuple[ImpactPostings, np.ndarray]:
    """The postings at scale (see matcher.index.impact_postings) and each feature's document frequency."""
    frequency = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.int64)
    common = frequency > COMMON_FEATURE_SHARE * matrix.shape[0]
    return ImpactPostings.from_rows(matrix, np.where(common, COMMON_POSTINGS_CAP, frequency)), frequency


_QUERY_CACHE_SIZE = 256
MAX_PROBE_FEATURES = 160  # retrieval probe; the shortlist is then scored with the whole query


# What a snapshot needs: rows, (postings, frequencies) when made, fitted blocks, ids, counters.
Posted: TypeAlias = sp.csr_matrix | ImpactPostings
Captured = tuple[sp.csr_matrix, tuple[Posted, Any] | None, list[Any], list[str | None], dict[str, int]]


class LexicalIndex:
    """Sparse TF-IDF rows keyed by external ids; cosine search by one sparse product."""

    def __init__(self, compact_from: int | None = None) -> None:
        self.saved_token: str | None = None
        self.compact_from = compact_from  # None: COMPACT_POSTINGS_FROM (settings.lexical_compact_from)
        self._lock = threading.RLock()
        self._blocks: list[tuple[TfidfVectorizer | None, float]] = []
        self._rows_for: object = None  # the blocks `_row_makers` were made from
        self._row_makers: list[tuple[TfidfRows, np.float32]] = []
        self._clear()

    def _clear(self) -> None:
        self._rows_matrix: sp.csr_matrix | None = None
        self._pending: list[sp.csr_matrix] = []
        self._by_feature: Posted | None = None
        self._document_frequency: np.ndarray | None = None
        self._external: list[str | None] = []
        self._row_of: dict[str, int] = {}
        self._alive = np.zeros(0, dtype=bool)
        self.fitted_docs = 0
        self.added_since_fit = 0
        self._names: list[np.ndarray] | None = None
        self._dense_query: np.ndarray | None = None
        self._version = next_version()
        # The vocabulary is fixed between builds, so a query's row can be reused: one request explains
        # ten matches against the same profile text.
        self._query_rows: OrderedDict[str, sp.csr_matrix | None] = OrderedDict()

    # fitting and transforming ----------------------------------------------------------------
    @property
    def fitted(self) -> bool:
        return any(vectorizer is not None for vectorizer, _ in self._blocks)

    @property
    def stale_vocabulary(self) -> bool:
        """True once more documents were added since the fit than it saw: time to rebuild."""
        return self.added_since_fit > max(100, self.fitted_docs)

    def _fit_transform(self, texts: list[str]) -> sp.csr_matrix:
        blocks: list[tuple[TfidfVectorizer | None, float]] = []
        parts = []
        for vectorizer, weight in _new_blocks():
            try:
                part = vectorizer.fit_transform(texts)
            except ValueError:  # empty vocabulary (only stop words, digits or nothing)
                blocks.append((None, weight))
                continue
            blocks.append((vectorizer, weight))
            parts.append(part * np.float32(np.sqrt(weight)))
        self._blocks = blocks
        self._names = None
        return self._stack(parts, len(texts))

    def _transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        if self._rows_for is not self._blocks:  # blocks refitted or loaded: new fast transformers
            self._row_makers = [(TfidfRows(v), np.float32(np.sqrt(w))) for v, w in self._blocks if v is not None]
            self._rows_for = self._blocks
        parts = [maker.transform(list(texts)) * scale for maker, scale in self._row_makers]
        if len(texts) == 1 and parts:  # a query: join the blocks' arrays directly (sp.hstack costs ~0.2 ms)
            offsets = np.cumsum([0] + [part.shape[1] for part in parts[:-1]])
            indices = np.concatenate([part.indices + offset for part, offset in zip(parts, offsets, strict=True)])
            data = np.concatenate([part.data for part in parts])
            width = sum(part.shape[1] for part in parts)
            return sp.csr_matrix((data, indices, np.array([0, len(data)])), shape=(1, width), dtype=np.float32)
        return self._stack(parts, len(texts))

    @staticmethod
    def _stack(parts: list[sp.csr_matrix], n: int) -> sp.csr_matrix:
        if not parts:
            return sp.csr_matrix((n, 0), dtype=np.float32)
        return sp.csr_matrix(sp.hstack(parts, format="csr", dtype=np.float32))

    # state ------------------------------------------------------------------------------------
    def _matrix(self) -> sp.csr_matrix:
        """All rows (pending upserts stacked in on first use)."""
        if self._pending:
            stacked = [self._rows_matrix, *self._pending] if self._rows_matrix is not None else self._pending
            self._rows_matrix = sp.csr_matrix(sp.vstack(stacked, format="csr", dtype=np.float32))
            self._pending = []
            self._by_feature = None
        if self._rows_matrix is None:
            width = sum(len(v.vocabulary_) for v, _ in self._blocks if v is not None)
            self._rows_matrix = sp.csr_matrix((0, width), dtype=np.float32)
        return self._rows_matrix

    def _compact_threshold(self) -> int:
        return COMPACT_POSTINGS_FROM if self.compact_from is None else self.compact_from

    def _feature_major(self) -> Posted:
        """The transpose in CSR (compact at scale): a query touches only the postings of its own features."""
        matrix = self._matrix()
        if self._by_feature is None:
            if matrix.shape[0] >= self._compact_threshold():
                self._by_feature, self._document_frequency = compact_postings(matrix)
            else:
                self._by_feature, self._document_frequency = postings(matrix)
        return self._by_feature

    def _append_rows(self, ids: list[str], rows: sp.csr_matrix) -> None:
        start = len(self._external)
        self._pending.append(rows)
        self._by_feature = None
        self._external.extend(ids)
        self._row_of.update({external_id: start + offset for offset, external_id in enumerate(ids)})
        self._alive = np.concatenate([self._alive, np.ones(len(ids), dtype=bool)])
        self._version = next_version()

    def _kill(self, ids: Collection[str]) -> None:
        for external_id in ids:
            row = self._row_of.pop(external_id, None)
            if row is not None:
                self._external[row] = None
                self._alive[row] = False
                self._version = next_version()

    def _maybe_compact(self) -> None:
        dead = len(self._external) - len(self._row_of)
        if dead <= TOMBSTONE_RATIO * max(len(self._external), 1):
            return
        rows = np.flatnonzero(self._alive)
        matrix = self._matrix()[rows]
        self._external = shared_list(self._external[row] for row in rows)
        self._row_of = row_map(self._external)
        self._alive = np.ones(len(rows), dtype=bool)
        self._rows_matrix, self._by_feature = sp.csr_matrix(matrix), None
        self._version = next_version()

    # public API -------------------------------------------------------------------------------
    def build(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        """Fit the vocabulary on `texts` and replace the whole content."""
        ids, texts = self._check(ids, texts)
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate ids in build")
        fresh = LexicalIndex(self.compact_from)
        if ids:
            matrix = fresh._fit_transform(texts)
            fresh._append_rows(ids, matrix)
            fresh.fitted_docs = len(ids)
            fresh._matrix()
        with self._lock:
            state = {key: value for key, value in fresh.__dict__.items() if key != "_lock"}
            self.__dict__.update(state)

    def upsert(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        """Add or replace documents, transformed with the fitted vocabulary."""
        ids, texts = self._check(ids, texts)
        last = {external_id: text for external_id, text in zip(ids, texts, strict=True)}
        with self._lock:
            if not self.fitted:
                # Nothing fitted yet (empty, or only texts without words): fit on what we have.
                blank = [external_id for external_id in self._row_of if external_id not in last]
                self.build(blank + list(last), [""] * len(blank) + list(last.values()))
                return
            self._kill(list(last))
            self._append_rows(list(last), self._transform(list(last.values())))
            self.added_since_fit += len(last)
            self._maybe_compact()

    def remove(self, ids: Sequence[str]) -> None:
        with self._lock:
            self._kill(set(ids))
            self._maybe_compact()

    @staticmethod
    def _check(ids: Sequence[str], texts: Sequence[str]) -> tuple[list[str], list[str]]:
        if len(ids) != len(texts):
            raise ValueError(f"{len(ids)} ids for {len(texts)} texts")
        for position, external_id in enumerate(ids):
            if not isinstance(external_id, str) or not external_id:
                raise ValueError(f"id at position {position} must be a non-empty string, got {external_id!r}")
        return list(ids), [text or "" for text in texts]

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, external_id: object) -> bool:
        return external_id in self._row_of

    def _query_row(self, query: str) -> sp.csr_matrix | None:
        if not self.fitted or not query or not query.strip():
            return None
        if query in self._query_rows:
            self._query_rows.move_to_end(query)
            return self._query_rows[query]
        row = self._transform([query])
        result = row if row.nnz else None
        self._query_rows[query] = result
        if len(self._query_rows) > _QUERY_CACHE_SIZE:
            self._query_rows.popitem(last=False)
        return result

    def search(self, query: str, k: int, allowed: Collection[str] | None = None) -> list[tuple[str, float]]:
        """Best first; only documents sharing something with the query (score > 0)."""
        with self._lock:
            row = self._query_row(query)
            if row is None or k <= 0 or not self._row_of:
                return []
            if allowed is not None:
                if isinstance(allowed, IdSelection):
                    rows = allowed.cached(self, self._version, lambda: rows_of(self._row_of, allowed))
                else:
                    rows = rows_of(self._row_of, allowed)
                if len(rows) == 0:
                    return []
                if len(rows) * 4 < len(self._external):
                    scores = self._dot(rows, row)
                    return self._top(scores, rows, k)
                mask = np.zeros(len(self._external), dtype=bool)
                mask[rows] = True
            else:
                mask = self._alive
            probe = self._without_common(row)
            scores = self._probe_scores(probe)
            scores[~mask] = 0.0
            if probe is row and not isinstance(self._by_feature, ImpactPostings):
                return self._top(scores, None, k)
            factor = SHORTLIST_FACTOR if isinstance(self._by_feature, ImpactPostings) else 4
            shortlist = self._top_rows(scores, factor * k)
            exact = self._dot(shortlist, row)
            return self._top(exact, shortlist, k)

    def _without_common(self, row: sp.csr_matrix) -> sp.csr_matrix:
        """The query without its very common features (itself when small, or when nothing else is left)."""
        if len(self._external) < SKIP_COMMON_FROM:
            return row
        self._feature_major()
        assert self._document_frequency is not None  # computed with the feature-major matrix
        keep = self._document_frequency[row.indices] <= COMMON_FEATURE_SHARE * len(self._external)
        if not keep.any():
            keep[:] = True
        most = COMPACT_PROBE_FEATURES if isinstance(self._by_feature, ImpactPostings) else MAX_PROBE_FEATURES
        if keep.sum() > most:  # a long profile text: probe with its strongest features only
            strongest = np.argsort(-np.where(keep, row.data, -np.inf))[:most]
            keep = np.zeros_like(keep)
            keep[strongest] = True
        if keep.all():
            return row
        order = np.flatnonzero(keep)
        return sp.csr_matrix(
            (row.data[order], row.indices[order], np.array([0, len(order)])), shape=row.shape, dtype=np.float32
        )

    def _probe_scores(self, probe: sp.csr_matrix) -> np.ndarray:
        """Scores of every row for a probe: only the postings of its features are read (one gather, one
        mat-vec); a probe holding common features, whose postings are not kept, scans all rows instead
        (a query made of nothing but very common n-grams: rare, and the same scores)."""
        by_feature = self._feature_major()
        assert self._document_frequency is not None  # computed with the feature-major matrix
        if isinstance(by_feature, ImpactPostings):  # every feature keeps its strongest postings
            return by_feature.scores(probe.indices, probe.data)
        posted = by_feature.indptr[probe.indices + 1] > by_feature.indptr[probe.indices]
        if (posted | (self._document_frequency[probe.indices] == 0)).all():
            return np.asarray(by_feature[probe.indices].T @ probe.data).ravel()
        matrix = self._matrix()
        dense = np.zeros(matrix.shape[1], dtype=np.float32)
        dense[probe.indices] = probe.data
        return np.asarray(matrix @ dense, dtype=np.float32)

    def _dot(self, rows: np.ndarray, row: sp.csr_matrix) -> np.ndarray:
        """Cosines of these documents with a query row, through a dense copy of the query (caller holds
        the lock): a sparse-times-dense product skips the sparse-times-sparse bookkeeping."""
        matrix = self._matrix()
        if self._dense_query is None or len(self._dense_query) != matrix.shape[1]:
            self._dense_query = np.zeros(matrix.shape[1], dtype=np.float32)
        self._dense_query[row.indices] = row.data
        try:
            return np.asarray(matrix[rows] @ self._dense_query, dtype=np.float32)
        finally:
            self._dense_query[row.indices] = 0.0

    @staticmethod
    def _top_rows(scores: np.ndarray, k: int) -> np.ndarray:
        positive = np.flatnonzero(scores > 0)
        if len(positive) > k:
            positive = positive[np.argpartition(-scores[positive], k - 1)[:k]]
        return positive

    def _top(self, scores: np.ndarray, rows: np.ndarray | None, k: int) -> list[tuple[str, float]]:
        positive = np.flatnonzero(scores > 0)
        if len(positive) > k:
            positive = positive[np.argpartition(-scores[positive], k - 1)[:k]]
        positive = positive[np.argsort(-scores[positive], kind="stable")]
        out = []
        for index in positive:
            row = int(rows[index]) if rows is not None else int(index)
            out.append((str(self._external[row]), float(scores[index])))
        return out

    def scores(self, query: str, ids: Sequence[str]) -> np.ndarray:
        """Cosine of the query with each id (0 for unknown ids)."""
        out = np.zeros(len(ids), dtype=np.float32)
        with self._lock:
            row = self._query_row(query)
            if row is None:
                return out
            positions = [(p, self._row_of[i]) for p, i in enumerate(ids) if i in self._row_of]
            if positions:
                where, rows = zip(*positions, strict=True)
                values = self._dot(np.array(rows), row)
                out[list(where)] = values
        return out

    def score_matrix(self, queries: Sequence[str], ids: Sequence[str]) -> np.ndarray:
        """Cosines of many queries with many documents (len(queries) × len(ids)) in one sparse product.

        Saved-search alerts score thousands of queries against the new tenders at once this way; unknown
        ids and empty queries score 0.
        """
        out = np.zeros((len(queries), len(ids)), dtype=np.float32)
        with self._lock:
            if not self.fitted or not queries or not ids:
                return out
            known = [(p, self._row_of[i]) for p, i in enumerate(ids) if i in self._row_of]
            if not known:
                return out
            where, rows = (np.array(part) for part in zip(*known, strict=True))
            query_rows = self._transform([q or "" for q in queries])
            if len(queries) == 1:
                query_rows = sp.csr_matrix(query_rows)
            product = query_rows @ self._matrix()[rows].T
            out[:, where] = np.asarray(product.todense(), dtype=np.float32)
        return out

    def _feature_names(self) -> list[np.ndarray]:
        if self._names is None:
            self._names = [
                vectorizer.get_feature_names_out() if vectorizer is not None else np.array([], dtype=object)
                for vectorizer, _ in self._blocks
            ]
        return self._names

    def shared_terms(self, query: str, doc_id: str, n: int = 5) -> list[str]:
        """Words (and word pairs) the query shares with a document, strongest contribution first,
        without filler words and with pairs as written in the query (see `matcher.index.phrases`)."""
        with self._lock:
            row = self._query_row(query)
            doc_row = self._row_of.get(doc_id)
            if row is None or doc_row is None or self._blocks[0][0] is None:
                return []
            names = self._feature_names()[0]
            matrix = self._matrix()
            start, end = matrix.indptr[doc_row], matrix.indptr[doc_row + 1]
            words = row.indices < len(names)  # the word block comes first
            # Raw CSR arrays, not scipy slicing: a request explains ten matches and slicing costs ~0.4 ms each.
            common, in_query, in_doc = np.intersect1d(
                row.indices[words], matrix.indices[start:end], assume_unique=True, return_indices=True
            )
            contribution = row.data[words][in_query] * matrix.data[start:end][in_doc]
            ranked = [str(names[column]) for column in common[np.argsort(-contribution, kind="stable")]]
        return readable_terms(ranked, query, _surface_forms(query), n)

    # persistence ---------------------------------------------------------------------------------
    def capture(self) -> Captured:
        """What a snapshot needs, taken in a moment under the lock: the stacked matrix and its
        feature-major transpose when made (neither modified in place afterwards), the fitted blocks
        (immutable) and a copy of the id list."""
        with self._lock:
            counters = {"fitted_docs": self.fitted_docs, "added_since_fit": self.added_since_fit}
            matrix = self._matrix()
            posted = (self._by_feature, self._document_frequency) if self._by_feature is not None else None
            return matrix, posted, list(self._blocks), list(self._external), counters

    def write_capture(
        self,
        folder: Path,
        captured: Captured,
    ) -> str:
        """Serialise and commit a capture with no lock held: readers go on meanwhile. The matrices are
        .npy arrays memory-mapped at load (shared by workers); the transpose is saved too, so that
        no process recomputes it after a start."""
        matrix, posted, blocks, rows, counters = captured
        if posted is not None and posted[1] is not None:
            by_feature, frequency = posted
        elif matrix.shape[0] >= self._compact_threshold():
            by_feature, frequency = compact_postings(matrix)
        else:
            by_feature, frequency = postings(matrix)
        model = io.BytesIO()
        joblib.dump(blocks, model)
        ids = json.dumps({"rows": rows, **counters}, ensure_ascii=False).encode("utf-8")
        files: dict[str, tuple[str, bytes]] = {"vectorizers": (".joblib", model.getvalue()), "ids": (".json", ids)}
        compact = isinstance(by_feature, ImpactPostings)
        for name, part in (("matrix", matrix), ("by_feature", by_feature)):
            weights = part.data.dtype if compact and name == "by_feature" else np.float32
            files[f"{name}.data"] = (".npy", npy_bytes(part.data.astype(weights, copy=False)))
            files[f"{name}.indices"] = (".npy", npy_bytes(part.indices.astype(np.int32, copy=False)))
            files[f"{name}.indptr"] = (".npy", npy_bytes(part.indptr.astype(np.int64, copy=False)))
        files["frequency"] = (".npy", npy_bytes(np.asarray(frequency, dtype=np.int64)))
        scale = by_feature.scale if isinstance(by_feature, ImpactPostings) else None
        quantised = scale is not None
        if scale is not None:
            files["by_feature.scale"] = (".npy", npy_bytes(scale.astype(np.float32, copy=False)))
        meta: dict[str, Any] = {
            "count": sum(1 for i in rows if i is not None),
            "rows": len(rows),
            "features": int(matrix.shape[1]),
        }
        if compact:  # lexical format 2; snapshots without the key hold a CSR transpose (format 1)
            meta |= {"lexical_format": 2, "postings": "impact-uint8" if quantised else "impact-float16"}
        mapped = [name for name in files if name.startswith(("matrix.", "by_feature.", "frequency"))]
        self.saved_token = write_bundle(folder, "lexical", files, meta, mapped=mapped)
        return self.saved_token

    def save(self, folder: Path) -> None:
        self.write_capture(folder, self.capture())

    @staticmethod
    def _mapped_csr(folder: Path, manifest: dict[str, Any], name: str, shape: tuple[int, int]) -> sp.csr_matrix:
        data, indices, indptr = (load_npy(folder, manifest, f"{name}.{part}") for part in ("data", "indices", "indptr"))
        return sp.csr_matrix((data, indices, indptr), shape=shape, copy=False)

    @classmethod
    def load(cls, folder: Path, compact_from: int | None = None) -> LexicalIndex:
        manifest, contents = read_bundle(folder, "lexical")
        loaded = cls(compact_from)
        try:
            ids = json.loads(contents["ids"].decode("utf-8"))
            blocks: Any = joblib.load(io.BytesIO(contents["vectorizers"]))
            rows: list[str | None] = ids["rows"]
            shape = (len(rows), int(manifest["features"]))
            by_feature: Posted | None = None
            if "matrix" in contents:  # written before matrices were mapped: read, transposed on first use
                matrix = sp.csr_matrix(sp.load_npz(io.BytesIO(contents["matrix"])), dtype=np.float32)
            else:
                matrix = cls._mapped_csr(folder, manifest, "matrix", shape)
                if manifest.get("postings") in ("impact-uint8", "impact-float16"):
                    indptr, indices, data = (
                        load_npy(folder, manifest, f"by_feature.{p}") for p in ("indptr", "indices", "data")
                    )
                    scale = load_npy(folder, manifest, "by_feature.scale") if data.dtype == np.uint8 else None
                    by_feature = ImpactPostings(indptr, indices, data, documents=shape[0], scale=scale)
                else:
                    by_feature = cls._mapped_csr(folder, manifest, "by_feature", (shape[1], shape[0]))
                # Snapshots from before the postings were pruned hold the full transpose and no frequencies.
                has_frequency = "frequency" in manifest.get("files", {})
                frequency = load_npy(folder, manifest, "frequency") if has_frequency else np.diff(by_feature.indptr)
        except Exception as exc:  # unpickling can fail in many ways; all mean "rebuild"
            raise IndexCorruptError(f"lexical index in {folder} cannot be read: {exc}") from exc
        if matrix.shape[0] != len(rows):
            raise IndexCorruptError(f"lexical index in {folder}: {matrix.shape[0]} rows for {len(rows)} ids")
        loaded._blocks = list(blocks)
        loaded._rows_matrix = matrix
        if by_feature is not None:
            loaded._by_feature = by_feature
            loaded._document_frequency = frequency
        loaded._external = shared_list(rows)
        loaded._row_of = row_map(loaded._external)  # one object per id and row (shared_ids)
        loaded._alive = np.array([i is not None for i in rows], dtype=bool)
        loaded.fitted_docs = int(ids.get("fitted_docs", 0))
        loaded.added_since_fit = int(ids.get("added_since_fit", 0))
        loaded.saved_token = str(manifest["token"])
        return loaded
