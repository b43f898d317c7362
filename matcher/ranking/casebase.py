"""Case matching: a tender against each supplier's past contracts, one reference at a time.

A buyer trusts a supplier that has done *this kind of contract* before. The profile-wide text
blurs that (a company with twenty references looks like all of them a little), so every reference
title is kept as its own document and compared on character n-grams (robust to accents lost in
the source, plural forms and short titles). Per (query, supplier) it gives:

- ``references``: character n-gram cosine of the query with all references plus the labels of the
  supplier's CPV codes;
- ``reference_terms``: the same on word stems (the first letters of folded words), which ties a
  tender's CPV label to the labels of the codes a supplier worked under;
- ``closest_reference``: the best cosine with a single reference;
- ``typical_reference``: the mean cosine over the references (how much of the record looks like it).

A company without references is compared through its own profile text instead (one pseudo-case).
Built in memory from the catalogue records (seconds for tens of thousands of references) and
updated in place when profiles change; the vocabulary is refitted once it has aged.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher.index.shared_ids import row_map
from matcher.index.tfidf_rows import TfidfRows
from matcher.ranking.catalogue import StartupRecord
from matcher.ranking.columns import Strings
from matcher.text import fold, tokenize

CASE_FEATURES = ("references", "reference_terms", "closest_reference", "typical_reference")
MAX_REFERENCES = 50  # per supplier: the most recent ones carry the signal, and bound the work
TENDER_CACHE_SIZE = 50_000  # tender vectors kept between requests (a few KB each)
STEM = 6  # letters kept of each folded word: plural and gender variants meet, meanings rarely do


def stems(text: str) -> list[str]:
    return [token[:STEM] for token in tokenize(text)]


def _characters() -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), preprocessor=fold, lowercase=False, sublinear_tf=True, dtype=np.float32
    )


def _words() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=stems, sublinear_tf=True, dtype=np.float32)


def _fitted(vectorizer: TfidfVectorizer, documents: list[str]) -> TfidfVectorizer:
    try:
        vectorizer.fit([d for d in documents if d.strip()] or ["-"])
    except ValueError:  # no usable term at all (blank or stop words only)
        vectorizer.fit(["placeholder"])
    return vectorizer


@dataclass(frozen=True)
class _Entry:
    record: StartupRecord
    profile: sp.csr_matrix  # 1 x V (characters)
    terms: sp.csr_matrix  # 1 x W (word stems)
    references: sp.csr_matrix  # n x V (n may be 0)


_SparseRow = tuple[np.ndarray, np.ndarray]  # (data, indices) of one CSR row: no scipy object per tender


def _split_rows(matrix: sp.csr_matrix) -> list[_SparseRow]:
    bounds = matrix.indptr
    return [(matrix.data[a:b], matrix.indices[a:b]) for a, b in itertools.pairwise(bounds)]


def _row_arrays(matrix: sp.csr_matrix, row: int) -> _SparseRow:
    start, end = matrix.indptr[row], matrix.indptr[row + 1]
    return matrix.data[start:end], matrix.indices[start:end]


def _stack_rows(rows: list[_SparseRow], width: int) -> sp.csr_matrix:
    """One CSR matrix from cached rows by concatenating their arrays (sp.vstack costs ~0.1 ms a row)."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(data) for data, _ in rows], out=indptr[1:])
    data = np.concatenate([d for d, _ in rows]) if rows else np.zeros(0, dtype=np.float32)
    indices = np.concatenate([i for _, i in rows]) if rows else np.zeros(0, dtype=np.int32)
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), width))


@dataclass(frozen=True)
class _WarmTenders:
    """Vectors of the tenders that can be recommended (the open ones), made once after a load: one
    matrix each, not an object per tender, so that neither requests nor the garbage collector pay."""

    row: dict[str, int]  # ids and rows shared with the indexes (matcher.index.shared_ids)
    texts: Strings  # one buffer: comparing a request's text with it copies no page in a forked worker
    characters: sp.csr_matrix
    words: sp.csr_matrix


@dataclass(frozen=True)
class _Stack:
    row: dict[str, int]
    profiles: sp.csr_matrix  # N x V
    terms: sp.csr_matrix  # N x W
    references: sp.csr_matrix  # R x V, each entry's references contiguous
    start: np.ndarray  # first reference row of each entry
    count: np.ndarray  # number of references of each entry


class CaseBase:
    """Profile and reference vectors per startup, keyed by external id."""

    def __init__(self, label: Callable[[str], str]) -> None:
        self._label = label
        self._labels: dict[str, str] = {}
        self._lock = threading.RLock()
        self._vectorizer: TfidfVectorizer | None = None
        self._words: TfidfVectorizer | None = None
        self._entries: dict[str, _Entry] = {}
        self._source: Mapping[str, StartupRecord] | None = None
        self._fitted_on = 0
        self._changed_since_fit = 0
        self._rows: tuple[TfidfRows, TfidfRows] | None = None
        self._tender_rows: dict[str, tuple[str, _SparseRow, _SparseRow]] = {}
        self._warm: _WarmTenders | None = None
        self._stack: _Stack | None = None

    # texts -------------------------------------------------------------------------------------
    @staticmethod
    def cases(record: StartupRecord) -> list[str]:
        """Past contracts; a company without any yet (Tremplin's very audience) is represented by
        what its profile says it does, so that it is not outranked for having no history."""
        return list(record.references[:MAX_REFERENCES]) or ([record.text] if record.text.strip() else [])

    def profile_text(self, record: StartupRecord) -> str:
        labels = [self._label(code) for code in record.match_codes[:10]]
        return " . ".join([*self.cases(record), *labels])

    def query_text(self, title: str, cpv_codes: Sequence[str]) -> str:
        """A tender as the case base reads it: its title and the labels of its CPV codes."""
        return " . ".join([title, *(self._code_label(code) for code in cpv_codes[:3])])

    def _code_label(self, code: str) -> str:
        # Label look-ups walk the code's ancestors; a request reads the labels of dozens of tenders.
        label = self._labels.get(code)
        if label is None:
            label = self._labels[code] = self._label(code)
        return label

    def forget_labels(self) -> None:
        """The CPV catalogue changed: look labels up again."""
        self._labels = {}

    # keeping in step with the catalogue --------------------------------------------------------
    def sync(self, startups: Mapping[str, StartupRecord]) -> None:
        """Follow the catalogue: (re)vectorise new or changed records, drop removed ones."""
        with self._lock:
            if startups is self._source:
                return
            if self._vectorizer is None or self._changed_since_fit > max(100, self._fitted_on):
                self._fit(startups)
            else:
                changed = [
                    r for key, r in startups.items() if (e := self._entries.get(key)) is None or e.record is not r
                ]
                for key in [key for key in self._entries if key not in startups]:
                    del self._entries[key]
                    self._stack = None
                self._add(changed)
                self._changed_since_fit += len(changed)
            self._source = startups

    def _fit(self, startups: Mapping[str, StartupRecord]) -> None:
        documents = [self.profile_text(record) for record in startups.values()]
        self._vectorizer = _fitted(_characters(), documents)
        self._words = _fitted(_words(), documents)
        self._rows = None
        self._entries = {}
        self._stack = None
        self._tender_rows = {}
        self._warm = None
        self._add(list(startups.values()))
        self._fitted_on = len(startups)
        self._changed_since_fit = 0

    def _add(self, records: Sequence[StartupRecord]) -> None:
        if not records:
            return
        self._stack = None
        assert self._vectorizer is not None and self._words is not None
        texts = [self.profile_text(r) for r in records]
        profiles = self._vectorizer.transform(texts)
        terms = self._words.transform(texts)
        references = [self.cases(r) for r in records]
        flat = [text for group in references for text in group]
        rows = self._vectorizer.transform(flat) if flat else sp.csr_matrix((0, profiles.shape[1]), dtype=np.float32)
        start = 0
        for position, record in enumerate(records):
            count = len(references[position])
            self._entries[record.external_id] = _Entry(
                record, profiles[position], terms[position], rows[start : start + count]
            )
            start += count

    # scores ------------------------------------------------------------------------------------
    def _transform(self, texts: Sequence[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        assert self._vectorizer is not None and self._words is not None
        if self._rows is None:
            self._rows = (TfidfRows(self._vectorizer), TfidfRows(self._words))
        characters, words = self._rows
        return characters.transform(list(texts)), words.transform(list(texts))

    def _stacked(self) -> _Stack:
        """All entries as matrices, rebuilt only after the entries changed: one sparse product per query."""
        if self._stack is None:
            ids = list(self._entries)
            entries = [self._entries[i] for i in ids]
            width = self._vectorizer.transform([""]).shape[1] if self._vectorizer is not None else 0
            words = self._words.transform([""]).shape[1] if self._words is not None else 0
            counts = np.array([e.references.shape[0] for e in entries], dtype=np.int64)
            self._stack = _Stack(
                row={external_id: n for n, external_id in enumerate(ids)},
                profiles=sp.vstack([e.profile for e in entries], format="csr")
                if entries
                else sp.csr_matrix((0, width), dtype=np.float32),
                terms=sp.vstack([e.terms for e in entries], format="csr")
                if entries
                else sp.csr_matrix((0, words), dtype=np.float32),
                references=sp.vstack([e.references for e in entries if e.references.shape[0]], format="csr")
                if counts.sum()
                else sp.csr_matrix((0, width), dtype=np.float32),
                start=np.concatenate([[0], np.cumsum(counts)[:-1]]) if len(counts) else counts,
                count=counts,
            )
        return self._stack

    def supplier_scores(self, query: str, startup_ids: Sequence[str]) -> np.ndarray:
        """Rows = startups, columns = CASE_FEATURES, for one query text."""
        out = np.zeros((len(startup_ids), len(CASE_FEATURES)), dtype=np.float32)
        with self._lock:
            if self._vectorizer is None or not query.strip():
                return out
            row, words = self._transform([query])
            stack = self._stacked()
        positions = np.array([stack.row.get(i, -1) for i in startup_ids], dtype=np.int64)
        known = positions >= 0
        if not known.any():
            return out
        rows = positions[known]
        out[known, 0] = (stack.profiles[rows] @ row.T).toarray().ravel()
        out[known, 1] = (stack.terms[rows] @ words.T).toarray().ravel()
        counts = stack.count[rows]
        with_refs = counts > 0
        if with_refs.any() and stack.references.shape[0]:
            sims = (stack.references @ row.T).toarray().ravel()
            starts, lengths = stack.start[rows][with_refs], counts[with_refs]
            segments = np.concatenate([np.arange(a, a + n) for a, n in zip(starts, lengths, strict=True)])
            bounds = np.concatenate([[0], np.cumsum(lengths)[:-1]])
            chosen = sims[segments]
            target = np.flatnonzero(known)[with_refs]
            out[target, 2] = np.maximum.reduceat(chosen, bounds)
            out[target, 3] = np.add.reduceat(chosen, bounds) / lengths
        return out

    def tender_scores(self, startup_id: str, tenders: Sequence[tuple[str, str]]) -> np.ndarray:
        """Rows = (tender id, query text) pairs, columns = CASE_FEATURES, for one startup."""
        out = np.zeros((len(tenders), len(CASE_FEATURES)), dtype=np.float32)
        with self._lock:
            entry = self._entries.get(startup_id)
            if self._vectorizer is None or entry is None or not tenders:
                return out
            matrix, words = self._tender_matrix(tenders)
        out[:, 0] = (matrix @ entry.profile.T).toarray().ravel()
        out[:, 1] = (words @ entry.terms.T).toarray().ravel()
        if entry.references.shape[0]:
            sims = (matrix @ entry.references.T).toarray()
            out[:, 2] = sims.max(axis=1)
            out[:, 3] = sims.mean(axis=1)
        return out

    def warm_tenders(self, tenders: Sequence[tuple[str, str]], batch: int = 2_000) -> None:
        """Vectorise these (tender id, query text) pairs ahead of requests; they are then read, not
        transformed, while their text stays the same. Call after `sync` (a refit forgets them)."""
        with self._lock:
            if self._vectorizer is None:
                return
            parts = [
                self._transform([text for _, text in tenders[i : i + batch]]) for i in range(0, len(tenders), batch)
            ]
            characters, words = self._transform([])
            if parts:
                characters = sp.csr_matrix(sp.vstack([c for c, _ in parts], format="csr"))
                words = sp.csr_matrix(sp.vstack([w for _, w in parts], format="csr"))
            self._warm = _WarmTenders(
                row=row_map([external_id for external_id, _ in tenders]),
                texts=Strings([text for _, text in tenders]),
                characters=characters,
                words=words,
            )

    def _cached_rows(self, external_id: str, text: str) -> tuple[_SparseRow, _SparseRow] | None:
        """This tender's vectors if made before from the same text: warmed at load, or by a request."""
        warm = self._warm
        if warm is not None and (row := warm.row.get(external_id)) is not None and warm.texts[row] == text:
            return _row_arrays(warm.characters, row), _row_arrays(warm.words, row)
        hit = self._tender_rows.get(external_id)
        return (hit[1], hit[2]) if hit is not None and hit[0] == text else None

    def _tender_matrix(self, tenders: Sequence[tuple[str, str]]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Character and word vectors of tender texts; only tenders never seen with this text are transformed."""
        found = [self._cached_rows(i, t) for i, t in tenders]
        missing = [pair for pair, rows in zip(tenders, found, strict=True) if rows is None]
        fresh: Iterator[tuple[_SparseRow, _SparseRow]] = iter(())
        if missing:
            excess = len(self._tender_rows) + len(missing) - TENDER_CACHE_SIZE
            if excess > 0:  # forget the oldest tenders, never the ones this request needs
                needed = {i for i, _ in tenders}
                for old in [k for k in self._tender_rows if k not in needed][:excess]:
                    del self._tender_rows[old]
            chars, words = self._transform([text for _, text in missing])
            made = list(zip(_split_rows(chars), _split_rows(words), strict=True))
            for (external_id, text), (char_row, word_row) in zip(missing, made, strict=True):
                self._tender_rows[external_id] = (text, char_row, word_row)
            fresh = iter(made)
        rows = [hit if hit is not None else next(fresh) for hit in found]
        assert self._vectorizer is not None and self._words is not None
        return (
            _stack_rows([c for c, _ in rows], len(self._vectorizer.vocabulary_)),
            _stack_rows([w for _, w in rows], len(self._words.vocabulary_)),
        )
