"""The case base on disk, so that a start does not refit it (about 45 s at 10k startups, 54k open tenders).

What is saved: both fitted vectorizers, every startup's profile, word and reference rows (as the
stacked matrices requests use) with the profile text they were made from, and the warmed rows of the
open tenders with their query texts. Matrices are .npy files memory-mapped at load, so worker
processes share their pages. Restoring keeps an entry only while its startup's profile text is
unchanged; `CaseBase.sync` then vectorises what is new or changed with the saved vocabulary (the
usual refit policy applies), and warmed rows are only ever read for the same text.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp

from matcher.index.shared_ids import row_map
from matcher.index.vector_index import load_npy, npy_bytes, read_bundle, write_bundle
from matcher.ranking.casebase import CaseBase, _Entry, _Stack, _WarmTenders
from matcher.ranking.catalogue import StartupRecord
from matcher.ranking.columns import Strings

log = logging.getLogger(__name__)

BUNDLE = "casebase"
_MATRICES = ("profiles", "terms", "references", "warm_characters", "warm_words")


def _csr_files(name: str, matrix: sp.csr_matrix) -> dict[str, tuple[str, bytes]]:
    return {
        f"{name}.data": (".npy", npy_bytes(matrix.data.astype(np.float32, copy=False))),
        f"{name}.indices": (".npy", npy_bytes(matrix.indices.astype(np.int32, copy=False))),
        f"{name}.indptr": (".npy", npy_bytes(matrix.indptr.astype(np.int64, copy=False))),
    }


def _csr(folder: Path, manifest: dict[str, Any], name: str, shape: list[int]) -> sp.csr_matrix:
    parts = [load_npy(folder, manifest, f"{name}.{part}") for part in ("data", "indices", "indptr")]
    matrix = sp.csr_matrix((parts[0], parts[1], parts[2]), shape=tuple(shape), copy=False)
    return matrix


def save(casebase: CaseBase, folder: Path) -> bool:
    """Write the fitted case base (False when there is nothing fitted to save)."""
    with casebase._lock:
        if casebase._vectorizer is None or casebase._words is None:
            return False
        stack = casebase._stacked()
        ids = list(stack.row)
        texts = [casebase.profile_text(casebase._entries[i].record) for i in ids]
        warm = casebase._warm
        vectorizers = io.BytesIO()
        joblib.dump((casebase._vectorizer, casebase._words), vectorizers)
        matrices = {"profiles": stack.profiles, "terms": stack.terms, "references": stack.references}
        if warm is not None:
            matrices.update({"warm_characters": warm.characters, "warm_words": warm.words})
        meta = {
            "ids": ids,
            "texts": texts,
            "start": stack.start.tolist(),
            "count": stack.count.tolist(),
            "fitted_on": casebase._fitted_on,
            "changed_since_fit": casebase._changed_since_fit,
            "warm_ids": list(warm.row) if warm is not None else None,
            "warm_texts": warm.texts.tolist() if warm is not None else None,
            "shapes": {name: list(matrix.shape) for name, matrix in matrices.items()},
        }
    files: dict[str, tuple[str, bytes]] = {
        "vectorizers": (".joblib", vectorizers.getvalue()),
        "meta": (".json", json.dumps(meta, ensure_ascii=False).encode("utf-8")),
    }
    for name, matrix in matrices.items():
        files.update(_csr_files(name, sp.csr_matrix(matrix)))
    mapped = [logical for logical in files if logical.endswith((".data", ".indices", ".indptr"))]
    write_bundle(folder, BUNDLE, files, {"startups": len(ids)}, mapped=mapped)
    return True


def restore(casebase: CaseBase, folder: Path, startups: Mapping[str, StartupRecord]) -> str:
    """Load the saved case base into `casebase`; what happened: 'missing', 'loaded', 'corrupt: …', or
    'refitted' when so much changed since that `sync` refitted it (then the warmed rows are gone)."""
    if not (folder / "manifest.json").exists():
        return "missing"
    try:
        manifest, contents = read_bundle(folder, BUNDLE)
        meta = json.loads(contents["meta"].decode("utf-8"))
        vectorizer, words = joblib.load(io.BytesIO(contents["vectorizers"]))
        shapes = meta["shapes"]
        matrices = {name: _csr(folder, manifest, name, shapes[name]) for name in _MATRICES if name in shapes}
    except Exception as exc:  # unpickling and mapping fail in many ways; all mean "refit"
        log.warning("case base snapshot in %s cannot be read, refitting: %s", folder, exc)
        return f"corrupt: {exc}"
    ids: list[str] = meta["ids"]
    start = np.asarray(meta["start"], dtype=np.int64)
    count = np.asarray(meta["count"], dtype=np.int64)
    with casebase._lock:
        casebase._vectorizer, casebase._words = vectorizer, words
        casebase._rows = None
        casebase._tender_rows = {}
        casebase._fitted_on = int(meta["fitted_on"])
        casebase._changed_since_fit = int(meta["changed_since_fit"])
        entries: dict[str, _Entry] = {}
        kept = 0
        for row, (external_id, text) in enumerate(zip(ids, meta["texts"], strict=True)):
            record = startups.get(external_id)
            if record is None or casebase.profile_text(record) != text:
                continue  # removed or changed since: sync drops or re-vectorises it
            first, n = int(start[row]), int(count[row])
            entries[external_id] = _Entry(
                record,
                matrices["profiles"][row],
                matrices["terms"][row],
                matrices["references"][first : first + n],
            )
            kept += 1
        casebase._entries = entries
        casebase._stack = None
        if kept == len(ids):  # nothing changed: requests use the saved (mapped) stack as is
            casebase._stack = _Stack(
                row={external_id: n for n, external_id in enumerate(ids)},
                profiles=matrices["profiles"],
                terms=matrices["terms"],
                references=matrices["references"],
                start=start,
                count=count,
            )
        warm_ids = meta.get("warm_ids")
        casebase._warm = (
            _WarmTenders(
                row=row_map(warm_ids),
                texts=Strings(list(meta["warm_texts"])),
                characters=matrices["warm_characters"],
                words=matrices["warm_words"],
            )
            if warm_ids is not None
            else None
        )
        casebase._source = None
    casebase.sync(startups)
    return "loaded" if casebase._vectorizer is vectorizer else "refitted"
