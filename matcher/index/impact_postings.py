"""Impact-ordered, truncated, float16 postings: the compact feature-major lexical index used at scale.

FAISS keeps resident only what every query touches and leaves the rest on disk; the lexical index does
the same here. Every query reads the postings of its features, so they stay compact and resident:
each feature's postings are sorted by weight (impact order) and cut after its ``cap`` strongest
documents (static index pruning), with float16 weights (2 bytes) and int32 document numbers (4 bytes).
The document-major rows, which only the shortlisted candidates touch, stay a mapped float32 file on
disk and give the exact cosine of every result (see ``LexicalIndex.search``): the pruning can only
change which documents reach the shortlist, never their scores.

A query scans at most ``scan`` entries of each feature: thanks to the impact order these are the
documents that feature weighs most in (early termination by a bounded postings length).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class ImpactPostings:
    """Per feature, its documents strongest first: ``indices[indptr[f]:indptr[f + 1]]`` with ``data``."""

    indptr: np.ndarray  # int64, one more than the number of features
    indices: np.ndarray  # int32 document rows
    data: np.ndarray  # float16 weights, non-increasing within a feature
    documents: int

    @property
    def nnz(self) -> int:
        return int(self.indptr[-1])

    @property
    def nbytes(self) -> int:
        return int(self.indptr.nbytes + self.indices.nbytes + self.data.nbytes)

    @classmethod
    def from_rows(cls, matrix: sp.csr_matrix, cap: int) -> ImpactPostings:
        """The transpose of the document rows, each feature's postings impact-ordered and cut at `cap`."""
        by_feature = sp.csr_matrix(matrix.T.tocsr())
        lengths = np.diff(by_feature.indptr)
        kept = np.minimum(lengths, cap)
        indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(kept, out=indptr[1:])
        indices = np.empty(int(indptr[-1]), dtype=np.int32)
        data = np.empty(int(indptr[-1]), dtype=np.float16)
        source_ptr, source_rows, source_weights = by_feature.indptr, by_feature.indices, by_feature.data
        for feature in np.flatnonzero(lengths):
            start, end = source_ptr[feature], source_ptr[feature + 1]
            weights = source_weights[start:end]
            if end - start > cap:
                strongest = np.argpartition(-weights, cap - 1)[:cap]
                order = strongest[np.argsort(-weights[strongest], kind="stable")]
            else:
                order = np.argsort(-weights, kind="stable")
            out = slice(indptr[feature], indptr[feature + 1])
            indices[out] = source_rows[start:end][order]
            data[out] = weights[order]
        return cls(indptr, indices, data, matrix.shape[0])

    def posted(self, features: np.ndarray) -> np.ndarray:
        """Whether each feature has postings."""
        return np.asarray(self.indptr[features + 1] > self.indptr[features])

    def scores(self, features: np.ndarray, weights: np.ndarray, scan: int) -> np.ndarray:
        """Approximate scores of every document: the first `scan` postings of each feature, weighted."""
        starts = self.indptr[features]
        ends = np.minimum(self.indptr[features + 1], starts + scan)
        rows = [self.indices[start:end] for start, end in zip(starts, ends, strict=True)]
        values = [
            self.data[start:end].astype(np.float32) * weight
            for start, end, weight in zip(starts, ends, weights, strict=True)
        ]
        if not rows:
            return np.zeros(self.documents, dtype=np.float64)
        return np.bincount(np.concatenate(rows), weights=np.concatenate(values), minlength=self.documents)
