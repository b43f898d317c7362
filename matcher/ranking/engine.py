"""The matching engine: indexes + catalogue + scorer, used by the API, CLI, digests and evaluation.

Every ranking goes the same way: candidates from dense ∪ lexical retrieval → hard filters → features
→ one score → optional diversity → explanation.
"""

from __future__ import annotations

import functools
import gc
import logging
import threading
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

import numpy as np
from sqlalchemy import select

from matcher import cpv
from matcher.errors import NotFoundError
from matcher.index.embedding import Embedder, load_embedder
from matcher.index.index_set import IndexSet
from matcher.ranking import casebase_snapshot, catalogue_snapshot, feedback
from matcher.ranking.calibration import NO_FLOOR, Calibrator, calibrator_or_identity
from matcher.ranking.casebase import CASE_FEATURES, CaseBase
from matcher.ranking.catalogue import Catalogue, StartupRecord, TenderRecord
from matcher.ranking.cpv_inference import CPVInferrer, shipped_inferrer
from matcher.ranking.eligibility import assess
from matcher.ranking.explain import cpv_matches, explain, track_record_note
from matcher.ranking.features import (
    QUERY_FEATURES,
    SUPPLIER_FEATURES,
    TENDER_FEATURES,
    assumed_features,
    public_track_record,
    row_variants,
    set_case_columns,
    supplier_features,
    tender_features,
)
from matcher.ranking.gate import FairGate
from matcher.ranking.relevance import evidence_of_meaning, meaningful_terms
from matcher.ranking.results import (
    Eligibility,
    EligibilityStatus,
    InferredCPV,
    SupplierFilters,
    SupplierMatch,
    TenderFilters,
    TenderMatch,
)
from matcher.ranking.scoring import LinearScorer, mmr_order
from matcher.settings import Settings, get_settings
from matcher.store import CPVCode, Store
from matcher.store.feedback import Verdict, latest_verdicts
from matcher.text import fold

log = logging.getLogger(__name__)

_Method = TypeVar("_Method", bound=Callable[..., Any])
CASE_POOL = 40  # tenders per request that get case-matching features (see Engine.tender_matrix)


def _gated(method: _Method) -> _Method:
    """Run a ranking under the engine's ranking gate (see `Settings.ranking_concurrency`)."""

    @functools.wraps(method)
    def gated(self: Engine, *args: Any, **kwargs: Any) -> Any:
        with self._ranking_gate:
            return method(self, *args, **kwargs)

    return cast(_Method, gated)


class Engine:
    def __init__(self, store: Store, settings: Settings, embedder: Embedder | None = None) -> None:
        self.store = store
        self.settings = settings
        self.embedder = embedder or load_embedder(settings)
        self.indexes = IndexSet(store, settings, self.embedder)
        self.catalogue = Catalogue(shipped_inferrer(settings.cpv_inference_model) if settings.infer_cpv else None)
        self.scorer = LinearScorer.load(settings.ranking_model)
        self.calibrator: Calibrator = calibrator_or_identity(settings.calibration_model)
        self.cpv_labels: dict[str, cpv.CPVLabel] = {}
        self.casebase = CaseBase(lambda code: cpv.label(code, "fr", self.cpv_labels, official=False))
        self.index_report: dict[str, str] = {}
        self._write_lock = threading.RLock()
        # Ranking is CPU-bound and holds the GIL: threads beyond a few only take turns, each request in
        # flight slower and the tail longer. The rest wait here, in arrival order, at no CPU cost.
        self._ranking_gate = FairGate(settings.ranking_concurrency)
        self._loaded = False
        self._closed = threading.Event()
        self._watch: threading.Thread | None = None
        self._stamps: dict[str, Any] = {}

    @classmethod
    def open(cls, settings: Settings | None = None, embedder: Embedder | None = None) -> Engine:
        settings = settings or get_settings()
        settings.ensure_home()
        store = Store(settings)
        store.migrate()
        engine = cls(store, settings, embedder)
        engine.load()
        return engine

    def use_cpv_inferrer(self, inferrer: CPVInferrer | None) -> None:
        """Another CPV inference model (the evaluation trains its own); takes effect at the next load."""
        self.catalogue.infer = inferrer

    # -- keeping in step with the store -------------------------------------------------------
    def load(self, progress: bool = False) -> dict[str, str]:
        """Load indexes (rebuilding what is missing, stale or corrupt) and the catalogue."""
        with self._write_lock:
            self.index_report = self.indexes.load_or_build(progress=progress)
            self.index_report["catalogue"] = self._reload_catalogue(snapshot=True)
            self.index_report["casebase"] = self._load_casebase()
            self._loaded = True
        self._start_watch()
        # The loaded state (100k records, id maps: millions of objects) never becomes garbage; left in
        # the collected generations, each full collection walks all of it, a pause of ~0.1-0.3 s that
        # lands on some request's latency. Freezing moves it out of the collector's sight.
        gc.collect()
        gc.freeze()
        if self.settings.gc_young_threshold:
            gc.set_threshold(self.settings.gc_young_threshold, *gc.get_threshold()[1:])
        return self.index_report

    # -- worker processes forked from one loaded engine -------------------------------------
    def prepare_fork(self) -> None:
        """Make this loaded engine safe to fork into workers that share its memory copy-on-write.

        Only the forking thread survives a fork, and a lock another thread held stays held forever
        in the child; an open SQLite connection must not be used on both sides. So: stop the watcher
        and the snapshot thread (writing what is pending), close the store's and the embedding cache's
        connections (reopened on first use), and freeze everything loaded out of the collector's
        sight, so that a worker's collections never write to (and so copy) the shared pages.
        """
        self._closed.set()
        if self._watch is not None:
            self._watch.join()
        self.indexes.close()
        cache = getattr(self.embedder, "cache", None)
        if cache is not None:
            cache.release()
        self.store.dispose()
        # Read once here, the shipped CPV lists are shared by the workers; read on first use, each worker
        # held its own copy (~3 MB).
        cpv.official_labels()
        cpv.division_labels()
        others = [thread.name for thread in threading.enumerate() if thread is not threading.current_thread()]
        if others:
            log.warning("threads still running before the fork (they will not exist in the workers): %s", others)
        gc.collect()
        gc.freeze()

    def after_fork(self) -> None:
        """In a forked worker: start this worker's own snapshot thread and watcher (threads are not
        inherited); from here on it follows the other workers' writes and snapshots by itself."""
        self._closed = threading.Event()
        self._watch = None
        self.indexes.snapshots.after_fork()
        cache = getattr(self.embedder, "cache", None)
        if cache is not None:
            cache.after_fork()
        # A worker forked later (gunicorn replaces one that died) starts from the state loaded at boot:
        # catch up with the store and the latest snapshot before the first request, not 2 s later.
        try:
            self.poll()
        except Exception:  # the watcher tries again; a worker that cannot boot would stop the server
            log.exception("catching up after the fork failed; the watcher will retry")
        self._start_watch()

    # -- other processes ------------------------------------------------------------------------
    def _start_watch(self) -> None:
        """Every `snapshot_check_seconds`, take up a newer snapshot and other processes' writes."""
        if self.settings.snapshot_check_seconds <= 0 or self._watch is not None:
            return
        self._watch = threading.Thread(target=self._watch_loop, name="snapshot-watch", daemon=True)
        self._watch.start()

    def _watch_loop(self) -> None:
        while not self._closed.wait(self.settings.snapshot_check_seconds):
            try:
                self.poll()
            except Exception:
                log.exception("catching up with the store or a newer snapshot failed; retrying")

    def poll(self) -> list[str]:
        """Take up a newer snapshot and rows changed by other processes (indexes and catalogue)."""
        with self._write_lock:
            touched = self.indexes.poll()
            if touched:
                with self.store.session() as session:
                    stamps = catalogue_snapshot.stamps(session)
                    for kind in touched:
                        before, now = self._stamps.get(kind, {}), stamps[kind]
                        changed = [i for i, s in now.items() if before.get(i) != s] + [
                            i for i in before if i not in now
                        ]
                        if changed:
                            self.catalogue.refresh(session, kind, changed)
                    self._stamps = stamps
        return touched

    def _load_casebase(self) -> str:
        """Restore the saved case base (memory-mapped) or fit, warm and save it."""
        folder = self.settings.index_dir / "casebase"
        outcome = casebase_snapshot.restore(self.casebase, folder, self.catalogue.startups)
        if outcome == "loaded":
            return outcome
        self._warm_casebase()
        if self.settings.snapshot_writer:
            casebase_snapshot.save(self.casebase, folder)
        return outcome if outcome == "refitted" else f"built ({outcome})"

    def close(self) -> None:
        """Write a pending index snapshot and stop the threads (the store already has every change)."""
        self._closed.set()
        self.indexes.close()

    def sync(self, progress: bool = False) -> dict[str, int]:
        with self._write_lock:
            report = self.indexes.sync(progress=progress)
            self._reload_catalogue()
            self._warm_casebase()
        return report

    def refresh(self, kind: str, external_ids: Sequence[str]) -> None:
        """Re-index a few changed rows (API writes) without a full sync."""
        with self._write_lock:
            self.indexes.refresh(kind, list(external_ids))
            with self.store.session() as session:
                self.catalogue.refresh(session, kind, external_ids)

    def remove(self, kind: str, external_ids: Sequence[str]) -> None:
        with self._write_lock:
            self.indexes.remove(kind, list(external_ids))
            with self.store.session() as session:
                self.catalogue.refresh(session, kind, external_ids)

    def _reload_catalogue(self, snapshot: bool = False) -> str:
        """Catalogue and CPV labels from the store; with `snapshot`, from the saved catalogue when it
        is current (changed rows re-read), saving a fresh one otherwise."""
        folder = self.settings.index_dir / "catalogue"
        outcome = "loaded from the store"
        with self.store.session() as session:
            restored, stamps = catalogue_snapshot.restore(self.catalogue, folder, session) if snapshot else ("", None)
            if stamps is not None:
                outcome = "loaded"
            else:
                stamps = catalogue_snapshot.stamps(session) if snapshot else None
                self.catalogue.load(session)
                if stamps is not None and self.settings.snapshot_writer:
                    catalogue_snapshot.save(self.catalogue, folder, stamps)
                    outcome = f"built ({restored})"
            if stamps is not None:
                self._stamps = stamps  # what other processes' writes are compared with (poll)
            self.cpv_labels = {
                row.code: cpv.CPVLabel(row.code, row.label_fr, row.label_en) for row in session.scalars(select(CPVCode))
            }
            self.casebase.forget_labels()
        return outcome

    def _warm_casebase(self) -> None:
        """Fit the case base and vectorise the open tenders now, so that no request pays for either."""
        self.casebase.sync(self.catalogue.startups)
        records = self.catalogue.tenders.records
        self.casebase.warm_tenders(
            [
                (records[i].external_id, self.casebase.query_text(records[i].title, records[i].match_codes))
                for i in np.flatnonzero(self.catalogue.tenders.is_open)
            ]
        )

    def readiness(self) -> dict[str, bool]:
        store_ok = True
        try:
            with self.store.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except Exception:
            store_ok = False
        return {
            "store": store_ok,
            "indexes": self._loaded and len(self.indexes.tender_vectors) == len(self.catalogue.tenders.records),
            "model": self.embedder is not None and self.embedder.dimension > 0,
        }

    # -- tenders for a startup ----------------------------------------------------------------
    def startup(self, startup_id: str) -> StartupRecord:
        record = self.catalogue.startups.get(startup_id)
        if record is None:
            raise NotFoundError("startup", startup_id)
        return record

    def tender(self, tender_id: str) -> TenderRecord:
        record = self.catalogue.tenders.get(tender_id)
        if record is None:
            raise NotFoundError("tender", tender_id)
        return record

    def recommend_tenders(
        self,
        startup_id: str,
        filters: TenderFilters | None = None,
        limit: int = 10,
        offset: int = 0,
        now: datetime | None = None,
        diversity: float = 0.0,
        only_tenders: Collection[str] | None = None,
        min_grade: str | None = None,
    ) -> list[TenderMatch]:
        """Best tenders for a startup; those under the floor grade (`min_grade`, default the setting;
        'any' for none) are left out, so a startup with no good match gets an empty list."""
        return self.recommend_tenders_page(startup_id, filters, limit, offset, now, diversity, only_tenders, min_grade)[
            0
        ]

    @_gated
    def recommend_tenders_page(
        self,
        startup_id: str,
        filters: TenderFilters | None = None,
        limit: int = 10,
        offset: int = 0,
        now: datetime | None = None,
        diversity: float = 0.0,
        only_tenders: Collection[str] | None = None,
        min_grade: str | None = None,
    ) -> tuple[list[TenderMatch], int]:
        """One page of matches and how many were ranked in all (the pages that can be reached)."""
        filters = filters or TenderFilters()
        cut = self.floor(min_grade)
        now = now or datetime.now(UTC)
        startup = self.startup(startup_id)
        query_vector = self.indexes.startup_vectors.vector(startup_id)
        if query_vector is None:
            self.refresh("startups", [startup_id])
            query_vector = self.indexes.startup_vectors.vector(startup_id)
        assert query_vector is not None
        table = self.catalogue.tenders
        min_days = (
            filters.min_days_before_deadline
            if filters.min_days_before_deadline is not None
            else self.settings.min_days_before_deadline
        )
        open_mask = self.catalogue.open_tender_mask(now, min_days)
        accept = _tender_predicate(filters, now, only_tenders)

        def admissible(external_id: str) -> bool:
            position = table.position.get(external_id)
            if position is None or not open_mask[position]:
                return False
            # Without filters no record is read; with them, a view built from the shared columns.
            return accept is None or accept(table.hot(position))

        allowed = None
        if only_tenders is not None:
            allowed = [t for t in only_tenders if admissible(t)]
        candidates = self._candidates(
            self.indexes.tender_vectors, self.indexes.tender_lexical, query_vector, startup.text,
            admissible, allowed, need=limit + offset, population=int(open_mask.sum()),
        )  # fmt: skip
        if not candidates:
            return [], 0
        records, eligibilities, matrix = self.tender_matrix(
            startup, candidates, now, query_vector, case_limit=max(CASE_POOL, 3 * (limit + offset))
        )
        scores, parts = self.scorer.score("tender_for_startup", TENDER_FEATURES, matrix)
        verdicts = self.verdicts(startup_id)
        rejected = feedback.hidden(verdicts)
        notes: list[list[str]] = [[] for _ in candidates]
        if verdicts:
            delta, notes = feedback.adjustments(
                candidates, verdicts, self.indexes.tender_vectors.vectors,
                lambda t: self.indexes.tender_vectors.vector(t) is not None,
            )  # fmt: skip
            scores = scores + delta.astype(scores.dtype)
        probabilities = self.calibrator.probability("tender_for_startup", scores)
        keep = [
            i for i, e in enumerate(eligibilities)
            if (filters.include_ineligible or e.status != EligibilityStatus.ineligible) and probabilities[i] >= cut
            and candidates[i] not in rejected
        ]  # fmt: skip
        order = self._order(scores, keep, candidates, self.indexes.tender_vectors.vectors, diversity, limit + offset)
        matches = []
        for i in order[offset : offset + limit]:
            record = records[i]
            explanation = explain(
                TENDER_FEATURES, matrix[i], parts[i],
                self.indexes.tender_lexical.shared_terms(startup.text, record.external_id),
                cpv_matches(
                    startup.match_codes, record.match_codes, self.cpv_labels, startup.preferred_language,
                    inferred=not record.cpv_codes or not startup.cpv_codes,
                ),
                eligibilities[i],
            )  # fmt: skip
            explanation.notes.extend(notes[i])
            matches.append(
                TenderMatch(
                    tender_id=record.external_id,
                    title=record.title,
                    buyer_id=record.buyer_id,
                    buyer_name=record.buyer_name,
                    buyer_kind=record.buyer_kind,
                    region=record.region,
                    estimated_value=record.estimated_value,
                    currency=record.currency,
                    deadline_at=record.deadline_at,
                    published_at=record.published_at,
                    reserved_for_sme=record.reserved_for_sme,
                    cpv_codes=list(record.cpv_codes),
                    inferred_cpv_codes=[
                        InferredCPV(
                            code=code.code,
                            label=cpv.label(code.code, startup.preferred_language, self.cpv_labels),
                            confidence=code.confidence,
                        )
                        for code in record.inferred_cpv
                    ],
                    grade=self.calibrator.grade_of(float(probabilities[i])),
                    probability=round(float(probabilities[i]), 3),
                    score=round(float(scores[i]), 4),
                    eligibility=eligibilities[i],
                    explanation=explanation,
                )
            )
        return matches, len(keep)

    def tender_matrix(
        self,
        startup: StartupRecord,
        candidates: Sequence[str],
        now: datetime,
        query_vector: np.ndarray | None = None,
        case_limit: int | None = None,
    ) -> tuple[list[TenderRecord], list[Eligibility], np.ndarray]:
        """Features (TENDER_FEATURES) of these tenders for a startup: what ranking and training both use.
        The records returned are the catalogue's ranking views (`TenderTable.hot`: `text` left empty).

        Case matching re-vectorises each tender's text, the costly step; with `case_limit` it runs only
        for the candidates that lead on every other feature (the rest cannot reach the first page).
        """
        table = self.catalogue.tenders
        # Views rebuilt from the columns (all fields but `text`): a forked worker that read the stored
        # records would copy the pages holding them (see matcher.ranking.columns).
        records = table.hot_many([table.position[c] for c in candidates], candidates)
        if query_vector is None:
            query_vector = self.indexes.startup_vectors.vector(startup.external_id)
            assert query_vector is not None
        semantic = self.indexes.tender_vectors.vectors(list(candidates)) @ query_vector
        lexical = self.indexes.tender_lexical.scores(startup.text, list(candidates))
        eligibilities = [assess(startup, record, now) for record in records]
        matrix = tender_features(startup, records, semantic, lexical, eligibilities, now)
        rows = np.arange(len(records))
        if case_limit is not None and len(records) > case_limit:
            partial, _ = self.scorer.score("tender_for_startup", TENDER_FEATURES, matrix)
            rows = np.sort(np.argpartition(-partial, case_limit)[:case_limit])
        self.casebase.sync(self.catalogue.startups)
        cases = np.zeros((len(records), len(CASE_FEATURES)), dtype=np.float32)
        cases[rows] = self.casebase.tender_scores(
            startup.external_id,
            [
                (records[i].external_id, self.casebase.query_text(records[i].title, records[i].match_codes))
                for i in rows
            ],
        )
        set_case_columns(matrix, TENDER_FEATURES, cases)
        return records, eligibilities, matrix

    # -- suppliers for a tender or a need -----------------------------------------------------
    def suppliers_for_tender(
        self,
        tender_id: str,
        filters: SupplierFilters | None = None,
        limit: int = 10,
        offset: int = 0,
        include_ineligible: bool = False,
        now: datetime | None = None,
        min_grade: str | None = None,
    ) -> list[SupplierMatch]:
        return self.suppliers_for_tender_page(tender_id, filters, limit, offset, include_ineligible, now, min_grade)[0]

    @_gated
    def suppliers_for_tender_page(
        self,
        tender_id: str,
        filters: SupplierFilters | None = None,
        limit: int = 10,
        offset: int = 0,
        include_ineligible: bool = False,
        now: datetime | None = None,
        min_grade: str | None = None,
    ) -> tuple[list[SupplierMatch], int]:
        """One page of suppliers for a tender and how many were ranked in all."""
        tender = self.tender(tender_id)
        query_vector = self.indexes.tender_vectors.vector(tender_id)
        if query_vector is None:
            self.refresh("tenders", [tender_id])
            query_vector = self.indexes.tender_vectors.vector(tender_id)
        assert query_vector is not None
        return self._rank_suppliers(
            query_vector, tender.text, tender, filters, limit, offset, include_ineligible, now or datetime.now(UTC),
            min_grade,
        )  # fmt: skip

    def search_suppliers(
        self,
        query: str,
        filters: SupplierFilters | None = None,
        limit: int = 10,
        offset: int = 0,
        min_grade: str | None = None,
    ) -> list[SupplierMatch]:
        """Suppliers for a typed need; a query with no meaningful content (nonsense, stop words only,
        a script no profile is written in) finds no one rather than the 'least bad' suppliers."""
        return self.search_suppliers_page(query, filters, limit, offset, min_grade)[0]

    @_gated
    def search_suppliers_page(
        self,
        query: str,
        filters: SupplierFilters | None = None,
        limit: int = 10,
        offset: int = 0,
        min_grade: str | None = None,
    ) -> tuple[list[SupplierMatch], int]:
        """One page of suppliers for a free-text need and how many were ranked in all."""
        if not query or not query.strip():
            raise ValueError("query: must not be empty")
        if not meaningful_terms(query):
            return [], 0
        query_vector = self.embedder.encode_queries([query])[0]
        return self._rank_suppliers(
            query_vector, query, None, filters, limit, offset, True, datetime.now(UTC), min_grade
        )

    def _rank_suppliers(
        self,
        query_vector: np.ndarray,
        query_text: str,
        tender: TenderRecord | None,
        filters: SupplierFilters | None,
        limit: int,
        offset: int,
        include_ineligible: bool,
        now: datetime,
        min_grade: str | None = None,
    ) -> tuple[list[SupplierMatch], int]:
        startups = self.catalogue.startups
        cut = self.floor(min_grade)
        accept = _supplier_predicate(filters or SupplierFilters())
        allowed = None
        if filters is not None and filters.model_dump(exclude_defaults=True):
            allowed = [s.external_id for s in startups.values() if accept(s)]

        def admissible(external_id: str) -> bool:
            record = startups.get(external_id)
            return record is not None and accept(record)

        candidates = self._candidates(
            self.indexes.startup_vectors, self.indexes.startup_lexical, query_vector, query_text,
            admissible, allowed, need=limit + offset, population=len(startups),
        )  # fmt: skip
        if not candidates:
            return [], 0
        records, eligibilities, matrix = self.supplier_matrix(tender, query_text, candidates, now, query_vector)
        names = SUPPLIER_FEATURES if tender is not None else QUERY_FEATURES
        direction = "supplier_for_tender" if tender is not None else "supplier_for_query"
        scores, parts = self.scorer.score(direction, names, matrix, row_variants(tender, records))
        probabilities = self.calibrator.probability(direction, scores)
        if tender is None and cut > float("-inf") and not evidence_of_meaning(matrix, names):
            return [], 0
        keep = [
            i for i in range(len(records))
            if (include_ineligible or eligibilities is None or eligibilities[i].status != EligibilityStatus.ineligible)
            and probabilities[i] >= cut
        ]  # fmt: skip
        order = self._order(scores, keep, candidates, self.indexes.startup_vectors.vectors, 0.0, limit + offset)
        matches = []
        for i in order[offset : offset + limit]:
            record = records[i]
            eligibility = eligibilities[i] if eligibilities is not None else None
            pairs = (
                cpv_matches(
                    record.match_codes, tender.match_codes, self.cpv_labels,
                    inferred=not record.cpv_codes or not tender.cpv_codes,
                )
                if tender
                else []
            )  # fmt: skip
            division, contracts = public_track_record(record, tender.cpv_codes) if tender else (None, 0)
            explanation = explain(
                names, matrix[i], parts[i],
                self.indexes.startup_lexical.shared_terms(query_text, record.external_id), pairs, eligibility,
                track_record=track_record_note(division, contracts, self.cpv_labels),
                assumed=assumed_features(record, names),
            )  # fmt: skip
            matches.append(
                SupplierMatch(
                    startup_id=record.external_id,
                    name=record.name,
                    city=record.city,
                    region=record.region,
                    sectors=list(record.sectors),
                    certifications=list(record.certifications),
                    headcount=record.headcount,
                    references_count=record.references_count,
                    summary=record.summary,
                    verified_references=record.verified,
                    buyer_confirmed_references=record.buyer_confirmed,
                    grade=self.calibrator.grade_of(float(probabilities[i])),
                    probability=round(float(probabilities[i]), 3),
                    score=round(float(scores[i]), 4),
                    eligibility=eligibility,
                    explanation=explanation,
                )
            )
        return matches, len(keep)

    def supplier_matrix(
        self,
        tender: TenderRecord | None,
        query_text: str,
        candidates: Sequence[str],
        now: datetime,
        query_vector: np.ndarray | None = None,
    ) -> tuple[list[StartupRecord], list[Eligibility] | None, np.ndarray]:
        """Features of these startups for a tender (SUPPLIER_FEATURES) or a free-text need (QUERY_FEATURES)."""
        records = [self.catalogue.startups[c] for c in candidates]
        if query_vector is None:
            query_vector = (
                self.indexes.tender_vectors.vector(tender.external_id)
                if tender is not None
                else self.embedder.encode_queries([query_text])[0]
            )
            assert query_vector is not None
        semantic = self.indexes.startup_vectors.vectors(list(candidates)) @ query_vector
        lexical = self.indexes.startup_lexical.scores(query_text, list(candidates))
        eligibilities = [assess(record, tender, now) for record in records] if tender is not None else None
        self.casebase.sync(self.catalogue.startups)
        case_query = self.casebase.query_text(tender.title, tender.match_codes) if tender is not None else query_text
        cases = self.casebase.supplier_scores(case_query, list(candidates))
        matrix = supplier_features(tender, records, semantic, lexical, eligibilities, query_text, cases)
        return records, eligibilities, matrix

    def verdicts(self, startup_id: str) -> dict[str, Verdict]:
        """The startup's latest verdict per tender, read at each request (feedback acts at once)."""
        with self.store.session() as session:
            return latest_verdicts(session, startup_id)

    # -- shared steps -------------------------------------------------------------------------
    def floor(self, min_grade: str | None) -> float:
        """Lowest probability shown: that of `min_grade` (None: the setting; 'any': no floor)."""
        grade = self.settings.min_grade if min_grade is None else min_grade
        if grade in (None, "", NO_FLOOR):
            return float("-inf")
        return self.calibrator.cut(grade)

    def _candidates(
        self,
        vectors: object,
        lexical: object,
        query_vector: np.ndarray,
        query_text: str,
        admissible: Callable[[str], bool],
        allowed: list[str] | None,
        need: int,
        population: int,
    ) -> list[str]:
        """Dense ∪ lexical candidates that pass the hard filters, over-fetching until enough survive."""
        pool = max(self.settings.candidate_pool, need * 3)
        total = len(vectors)  # type: ignore[arg-type]
        if allowed is not None:
            dense = vectors.search(query_vector, min(pool, len(allowed)), allowed=allowed)  # type: ignore[attr-defined]
            words = lexical.search(query_text, min(pool // 2, len(allowed)), allowed=allowed)  # type: ignore[attr-defined]
            return _union(dense, words)
        fetch = min(total, int(pool * max(1.0, total / max(population, 1)) * 1.5))
        while True:
            dense = [(i, s) for i, s in vectors.search(query_vector, fetch) if admissible(i)]  # type: ignore[attr-defined]
            words = [(i, s) for i, s in lexical.search(query_text, fetch // 2) if admissible(i)]  # type: ignore[attr-defined]
            if len(dense) >= min(pool, population) or fetch >= total:
                return _union(dense[:pool], words[: pool // 2])
            fetch = min(total, fetch * 4)

    @staticmethod
    def _order(
        scores: np.ndarray,
        keep: list[int],
        candidates: list[str],
        vectors_of: Callable[[list[str]], np.ndarray],
        diversity: float,
        limit: int,
    ) -> list[int]:
        if not keep:
            return []
        kept_scores = scores[keep]
        if diversity > 0:
            pool = [keep[i] for i in np.argsort(-kept_scores)[: max(limit * 3, 30)]]
            local = mmr_order(scores[pool], vectors_of([candidates[i] for i in pool]), diversity, limit)
            return [pool[i] for i in local]
        return [keep[i] for i in np.argsort(-kept_scores, kind="stable")[:limit]]


def _union(dense: list[tuple[str, float]], words: list[tuple[str, float]]) -> list[str]:
    seen: dict[str, None] = {}
    for external_id, _ in dense + words:
        seen.setdefault(external_id, None)
    return list(seen)


def _tender_predicate(
    filters: TenderFilters, now: datetime, only: Collection[str] | None
) -> Callable[[TenderRecord], bool] | None:
    """The filters as a test on a record; None when they let every open tender through."""
    bounds = (filters.min_value, filters.max_value, filters.deadline_within_days)
    if only is None and not (filters.region or filters.cpv_prefix or filters.exclude_buyers) and bounds == (None,) * 3:
        return None
    region = fold(filters.region) if filters.region else None
    excluded = set(filters.exclude_buyers)
    only_set = set(only) if only is not None else None
    horizon = None
    if filters.deadline_within_days is not None:
        horizon = now.timestamp() + filters.deadline_within_days * 86400

    def accept(record: TenderRecord) -> bool:
        if only_set is not None and record.external_id not in only_set:
            return False
        if region and fold(record.region or "") != region:
            return False
        if filters.cpv_prefix and not any(c.startswith(filters.cpv_prefix) for c in record.cpv_codes):
            return False
        value = record.estimated_value
        if filters.min_value is not None and (value is None or value < filters.min_value):
            return False
        if filters.max_value is not None and (value is None or value > filters.max_value):
            return False
        if horizon is not None and (record.deadline_at is None or record.deadline_at.timestamp() > horizon):
            return False
        return not (record.buyer_id and record.buyer_id in excluded)

    return accept


def _supplier_predicate(filters: SupplierFilters) -> Callable[[StartupRecord], bool]:
    sector = fold(filters.sector) if filters.sector else None
    region = fold(filters.region) if filters.region else None
    certification = fold(filters.certification).replace(" ", "") if filters.certification else None

    def accept(record: StartupRecord) -> bool:
        if sector and not any(sector in fold(s) for s in record.sectors + record.tags):
            return False
        if region and fold(record.region or "") != region:
            return False
        if certification and not any(certification == fold(c).replace(" ", "") for c in record.certifications):
            return False
        if filters.min_headcount is not None and (record.headcount or 0) < filters.min_headcount:
            return False
        if filters.max_headcount is not None and (record.headcount is None or record.headcount > filters.max_headcount):
            return False
        return not (filters.cpv_prefix and not any(c.startswith(filters.cpv_prefix) for c in record.cpv_codes))

    return accept
