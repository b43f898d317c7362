"""Run the protocol end to end: a fresh store, the real ingestion and the real Engine, plus baselines.

The profiles and held-out tenders go through `ingest_records` into a temporary state folder (the
user's store is never touched); embeddings come from the user's embedding cache, so a second run
embeds nothing. Every engine figure comes from `Engine.suppliers_for_tender` and
`Engine.recommend_tenders`, the calls the API makes.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from matcher.errors import ModelUnavailableError
from matcher.evaluation import baselines
from matcher.evaluation.metrics import Metrics, first_relevant_rank, summarize
from matcher.evaluation.protocol import (
    DEFAULT_SEED,
    EVAL_NOW,
    Award,
    Split,
    load_awards,
    past_awards,
    past_tender_records,
    split,
    startup_id,
    startup_records,
    tender_records,
)
from matcher.evaluation.regimes import REGIMES, TITLES
from matcher.evaluation.regimes import apply as apply_regime
from matcher.index.embedding import Embedder, load_embedder
from matcher.ingest import ingest_records
from matcher.ingest.cpv_catalogue import load_cpv_catalogue
from matcher.ingest.suppliers import apply_awards
from matcher.ingest.validate import AwardDraft
from matcher.ranking.results import TenderFilters
from matcher.settings import Settings, get_settings
from matcher.store import Startup, Store, Tender
from matcher.store.documents import startup_text, tender_text

DEFAULT_EMBEDDERS = ("minilm", "use")
CPV_LIST_NAME = "cpv-2008-fr-en.csv"
TOP = 10
FOLDS = 5
Progress = Callable[[str], None]


class EvaluationError(RuntimeError):
    """The evaluation could not run (data rejected by ingestion, nothing to evaluate…)."""


@dataclass
class Row:
    name: str
    buyer: Metrics
    startup: Metrics

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "buyer": self.buyer.as_dict(), "startup": self.startup.as_dict()}


@dataclass
class RegimeResult:
    """One regime of the same split: the engine cross-validated by supplier, its shipped weights, baselines."""

    regime: str
    cross_validated: Row
    shipped: Row
    baselines: list[Row] = field(default_factory=list)
    calibration: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "regime": self.regime,
            "calibration": self.calibration,
            "engine_cross_validated": self.cross_validated.as_dict(),
            "engine_shipped_weights": self.shipped.as_dict(),
            "baselines": [row.as_dict() for row in self.baselines],
        }


@dataclass
class Report:
    source: str
    seed: int
    suppliers: int
    tenders: int
    eligible_suppliers: int
    embedder: str
    ranking_model: str
    cpv_labels: str
    engine: Row
    baselines: list[Row] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    regimes: list[RegimeResult] = field(default_factory=list)
    folds: int = FOLDS

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "seed": self.seed,
            "suppliers": self.suppliers,
            "tenders": self.tenders,
            "suppliers_with_3_awards": self.eligible_suppliers,
            "embedder": self.embedder,
            "ranking_model": self.ranking_model,
            "cpv_labels": self.cpv_labels,
            "engine": self.engine.as_dict(),
            "baselines": [row.as_dict() for row in self.baselines],
            "unavailable": dict(self.unavailable),
            "seconds": {key: round(value, 1) for key, value in self.seconds.items()},
            "folds": self.folds,
            "regimes": [regime.as_dict() for regime in self.regimes],
        }

    def beats_every_baseline(self) -> bool:
        """Engine strictly above each baseline on HR@10 and MRR@10, on both sides."""
        return all(
            getattr(self.engine, side).hr10 > getattr(row, side).hr10
            and getattr(self.engine, side).mrr10 > getattr(row, side).mrr10
            for row in self.baselines
            for side in ("buyer", "startup")
        )


def eval_settings(home: Path, base: Settings, embedder: str | None = None) -> Settings:
    """Settings of the throw-away store: own home and SQLite file, the user's ranking model."""
    return Settings(
        home=home,
        database_url=None,
        embedder=embedder or base.embedder,
        query_prompt=base.query_prompt,
        document_prompt=base.document_prompt,
        embed_batch_size=base.embed_batch_size,
        ranking_model=base.ranking_model,
        cpv_inference_model=base.cpv_inference_model,
        calibration_model=base.calibration_model,
        infer_cpv=base.infer_cpv,
        candidate_pool=base.candidate_pool,
        index_kind="flat",
    )


def cached_embedder(base: Settings, name: str) -> Embedder:
    """The named embedder behind the user's persistent cache (not the temporary folder's)."""
    return load_embedder(base.model_copy(update={"embedder": name}))


def _check(report: Any, kind: str) -> None:
    if report.rejected:
        first = report.rejected[0]
        raise EvaluationError(
            f"ingestion rejected {len(report.rejected)} {kind} record(s); first: record {first.line}"
            f"{', ' + first.field if first.field else ''}: {first.reason}"
        )


def default_cpv_list(awards: str | Path) -> Path | None:
    """The official CPV list when it sits next to the award file (as in ../shared/data)."""
    candidate = Path(awards).with_name(CPV_LIST_NAME)
    return candidate if candidate.is_file() else None


def populate(
    store: Store, data: Split, cpv_list: Path | None = None, now: datetime = EVAL_NOW, history: bool = True
) -> None:
    """CPV labels, profiles and held-out tenders, through the same loaders as any file a hub imports.

    With `history`, each profile's past awards are stored as awarded tenders with their award rows,
    as an award import leaves them: the suppliers' verified contracts (places, trades, sizes).
    """
    if cpv_list is not None:
        load_cpv_catalogue(store, cpv_list)
    _check(ingest_records(store, "startups", startup_records(data), source="eval"), "startup")
    _check(ingest_records(store, "tenders", tender_records(data, now), source="eval"), "tender")
    if history:
        _check(ingest_records(store, "tenders", past_tender_records(data, now), source="eval"), "past tender")
        record_awards(store, data)


def record_awards(store: Store, data: Split) -> None:
    """Award rows of the profiles' past contracts, through the importers' own `apply_awards`."""
    winners = past_awards(data)
    with store.session() as session:
        tenders = {t.external_id: t for t in session.scalars(select(Tender).where(Tender.external_id.in_(winners)))}
        batch = [
            (tenders[tender], [AwardDraft(startup_id(key), data.names[key], amount) for key, amount in keys])
            for tender, keys in winners.items()
        ]
        apply_awards(session, batch, "eval")


@contextmanager
def workspace(
    data: Split,
    base: Settings,
    embedder: Embedder,
    cpv_list: Path | None = None,
    inferrer: Any = None,
    history: bool = True,
) -> Iterator[Any]:
    """A loaded Engine over a temporary store holding only this split (`history`: see `populate`)."""
    from matcher.ranking.engine import Engine

    with tempfile.TemporaryDirectory(prefix="tremplin-eval-") as folder:
        settings = eval_settings(Path(folder) / "home", base)
        settings.ensure_home()
        store = Store(settings)
        try:
            store.migrate()
            populate(store, data, cpv_list, history=history)
            engine = Engine(store, settings, embedder)
            if inferrer is not None:
                engine.use_cpv_inferrer(inferrer)
            engine.load()
            yield engine
        finally:
            store.engine.dispose()


def engine_ranks(engine: Any, data: Split, now: datetime = EVAL_NOW) -> tuple[list[int | None], list[int | None]]:
    """Rank of the true winner per held-out tender, and of the held-out tender per supplier."""
    buyer: list[int | None] = []
    for tender, winners in sorted(data.winners.items()):
        matches = engine.suppliers_for_tender(tender, limit=TOP, include_ineligible=True, now=now, min_grade="any")
        buyer.append(first_relevant_rank([m.startup_id for m in matches], {startup_id(w) for w in winners}, TOP))
    filters = TenderFilters(include_ineligible=True, min_days_before_deadline=0)
    startup: list[int | None] = []
    for key in data.suppliers:
        matches = engine.recommend_tenders(startup_id(key), filters=filters, limit=TOP, now=now, min_grade="any")
        startup.append(first_relevant_rank([m.tender_id for m in matches], {data.tender_of(key)}, TOP))
    return buyer, startup


def problem_from_store(store: Store, data: Split) -> baselines.Problem:
    """The indexed texts and CPV codes of both sides, read back from the evaluation store."""
    with store.session() as session:
        tenders = {t.external_id: t for t in session.scalars(select(Tender))}
        startups = {s.external_id: s for s in session.scalars(select(Startup))}
        tender_ids = sorted(data.winners)
        supplier_ids = [startup_id(key) for key in data.suppliers]
        return baselines.Problem(
            tenders=baselines.Side(
                ids=tender_ids,
                texts=[tender_text(tenders[t]) for t in tender_ids],
                cpv_codes=[tuple(tenders[t].cpv_codes) for t in tender_ids],
            ),
            suppliers=baselines.Side(
                ids=supplier_ids,
                texts=[startup_text(startups[s]) for s in supplier_ids],
                cpv_codes=[tuple(startups[s].cpv_codes) for s in supplier_ids],
            ),
            references_count=[startups[s].references_count for s in supplier_ids],
        )


def _row(name: str, problem: baselines.Problem, data: Split, scores: Any) -> Row:
    by_tender, by_supplier = baselines.rankings(problem, scores)
    winners = [{startup_id(w) for w in data.winners[t]} for t in problem.tenders.ids]
    buyer = [first_relevant_rank(r, w, TOP) for r, w in zip(by_tender, winners, strict=True)]
    targets = [data.tender_of(key) for key in data.suppliers]
    startup = [first_relevant_rank(r, {t}, TOP) for r, t in zip(by_supplier, targets, strict=True)]
    return Row(name, summarize(buyer), summarize(startup))


def cross_validated(engine: Any, data: Split, folds: int = FOLDS) -> tuple[Row, dict[str, Any]]:
    """Both sides with weights fitted on the other folds' suppliers only (GroupKFold over suppliers),
    and the calibration of the shipped map measured on those held-out scores."""
    from matcher.evaluation.train import collect, cross_validate

    collected = collect(engine, data)
    buyer = cross_validate(collected["supplier_for_tender"], folds)
    startup = cross_validate(collected["tender_for_startup"], folds)
    return Row("engine (cross-validated)", buyer, startup), calibration_report(engine, collected, folds)


def calibration_report(engine: Any, collected: dict[str, Any], folds: int = FOLDS) -> dict[str, Any]:
    """Per side: out-of-sample ECE of the score → probability map, its reliability curve, grade counts."""
    from matcher.evaluation import calibration
    from matcher.evaluation.train import SIDE_OF, out_of_fold_scores
    from matcher.ranking.calibration import CalibrationError, shipped_calibrator

    try:
        shipped = shipped_calibrator(engine.settings.calibration_model)
    except CalibrationError:
        shipped = None
    out: dict[str, Any] = {}
    for direction, queries in collected.items():
        scores = out_of_fold_scores(queries, folds, engine.scorer.weights[direction])
        pairs = calibration.top_pairs(scores, queries.relevant, queries.groups)
        probabilities = calibration.cross_fitted(pairs, folds)
        side = SIDE_OF[direction]
        out[side] = {
            "ece": round(calibration.expected_calibration_error(probabilities, pairs.labels), 4),
            "pairs": len(pairs.labels),
            "base_rate": round(float(pairs.labels.mean()), 4),
            "reliability": calibration.reliability(probabilities, pairs.labels),
        }
        if shipped is not None:
            fitted = shipped.probability(direction, pairs.scores)
            out[side]["ece_shipped_map"] = round(calibration.expected_calibration_error(fitted, pairs.labels), 4)
            out[side]["grades"] = grade_precision(shipped, fitted, pairs.labels)
    return out


def grade_precision(calibrator: Any, probabilities: Any, labels: Any) -> dict[str, dict[str, float]]:
    """Per grade: how many top-10 matches get it and how often they are the real winner (precision)."""
    table: dict[str, dict[str, float]] = {}
    for grade in ("strong", "good", "possible", None):
        chosen = [i for i, p in enumerate(probabilities) if calibrator.grade_of(float(p)) == grade]
        hits = sum(float(labels[i]) for i in chosen)
        table[grade or "below floor"] = {
            "matches": len(chosen),
            "precision": round(hits / len(chosen), 4) if chosen else 0.0,
            "winners": int(hits),
        }
    return table


def _baseline_rows(problem: baselines.Problem, data: Split, embedder: Embedder | None, name: str) -> list[Row]:
    rows = [
        _row("most-awarded first", problem, data, baselines.popularity(problem)),
        _row("CPV only (deepest prefix)", problem, data, baselines.cpv_only(problem)),
        _row("TF-IDF char n-grams", problem, data, baselines.char_tfidf(problem)),
    ]
    if embedder is not None:
        rows.append(_row(f"dense only ({name})", problem, data, baselines.dense(problem, embedder)))
    return rows


def run_regime(
    regime: str,
    data: Split,
    base: Settings,
    embedder: Embedder,
    cpv_list: Path | None,
    folds: int = FOLDS,
    dense_baseline: bool = True,
    inferrer: Any = None,
) -> tuple[RegimeResult, str, baselines.Problem]:
    """One regime of the split through a fresh store: shipped weights, cross-validated weights, baselines."""
    variant = apply_regime(regime, data)
    # A thin profile is a founder on day one: one title typed in, no verified contract behind it.
    history = regime != "thin_profile"
    with workspace(variant, base, embedder, cpv_list, inferrer, history) as engine:
        buyer, startup = engine_ranks(engine, variant)
        shipped = Row("engine (shipped weights)", summarize(buyer), summarize(startup))
        cv, calibrated = cross_validated(engine, variant, folds)
        problem = problem_from_store(engine.store, variant)
        version = engine.scorer.version
    rows = _baseline_rows(problem, variant, embedder if dense_baseline else None, base.embedder)
    return RegimeResult(regime, cv, shipped, rows, calibrated), version, problem


def run(
    path: str | Path,
    seed: int = DEFAULT_SEED,
    embedders: Sequence[str] = DEFAULT_EMBEDDERS,
    settings: Settings | None = None,
    progress: Progress | None = None,
    cpv_list: Path | None = None,
    regimes: Sequence[str] = REGIMES,
    folds: int = FOLDS,
) -> Report:
    """The whole evaluation of one award file: engine and baselines on one split, in every regime."""
    base = settings or get_settings()
    say = progress or (lambda _message: None)
    clock = time.perf_counter()
    seconds: dict[str, float] = {}
    awards = load_awards(path)
    data = split(awards, seed)
    if not data.suppliers:
        raise EvaluationError(f"{path}: no supplier has {3} awards with a held-out award from a new buyer")
    say(f"split: {len(data.suppliers)} suppliers, {len(data.tenders)} held-out tenders")
    embedder = cached_embedder(base, base.embedder)
    cpv_list = cpv_list or default_cpv_list(path)
    say("CPV inference: training on the awards of companies outside the split")
    inferrer = evaluation_inferrer(awards, data, cpv_list) if base.infer_cpv else None
    seconds["split"] = time.perf_counter() - clock
    results: list[RegimeResult] = []
    standard: tuple[RegimeResult, str, baselines.Problem] | None = None
    for regime in ["standard", *[r for r in regimes if r != "standard"]]:
        say(f"regime {TITLES.get(regime, regime)}: engine (shipped and cross-validated weights), baselines")
        outcome = run_regime(regime, data, base, embedder, cpv_list, folds, inferrer=inferrer)
        seconds[regime] = time.perf_counter() - clock - sum(seconds.values())
        if regime == "standard":
            standard = outcome
        if regime in regimes:
            results.append(outcome[0])
    assert standard is not None
    first, model_version, problem = standard
    rows = [row for row in first.baselines if not row.name.startswith("dense only")]
    unavailable: dict[str, str] = {}
    for name in embedders:
        try:
            model = embedder if name == base.embedder else cached_embedder(base, name)
        except ModelUnavailableError as exc:
            unavailable[name] = str(exc)
            continue
        rows.append(_row(f"dense only ({name})", problem, data, baselines.dense(problem, model)))
    seconds["baselines"] = time.perf_counter() - clock - sum(seconds.values())
    return Report(
        source=str(path),
        seed=seed,
        suppliers=len(data.suppliers),
        tenders=len(data.tenders),
        eligible_suppliers=data.eligible_suppliers,
        embedder=embedder.model_id,
        ranking_model=model_version,
        cpv_labels=str(cpv_list) if cpv_list else "CPV division labels only",
        engine=Row(f"Tremplin engine ({base.embedder})", first.shipped.buyer, first.shipped.startup),
        baselines=rows,
        unavailable=unavailable,
        seconds=seconds,
        regimes=results,
        folds=folds,
    )


def evaluation_inferrer(awards: Sequence[Award], data: Split, cpv_list: Path | None) -> Any:
    """CPV inference trained on the other companies' awards only (with the official labels).

    The shipped model saw the whole file (held-out tenders included), so the evaluation trains its
    own on the awards that are neither a held-out tender nor part of a profile.
    """
    from matcher.ranking.cpv_inference import train

    used = {a.index for a in data.held_out.values()} | {a.index for p in data.profiles.values() for a in p}
    rows = [a for a in awards if a.cpv_code and a.index not in used]
    if len({a.cpv_code[:3] for a in rows if a.cpv_code}) < 2:
        return None
    labels = cpv_label_texts(cpv_list) if cpv_list else {}
    return train([a.title for a in rows], [a.cpv_code or "" for a in rows], labels, version="evaluation")


def cpv_label_texts(path: Path) -> dict[str, str]:
    """code → 'label_fr label_en' from the official list (code8 or code column)."""
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        return {
            (row.get("code8") or row.get("code") or "")[:8]: f"{row.get('label_fr', '')} {row.get('label_en', '')}"
            for row in csv.DictReader(handle)
        }
