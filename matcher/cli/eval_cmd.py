"""`tremplin eval decp FILE` and `tremplin train decp FILE`: ranking quality on real award data.

Both build a throw-away store from the hold-out split (the user's store is never touched) and go
through the same Engine as the API. Exit 1 with a one-line cause when the file cannot be used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from matcher.cli.common import console, err_console, fail, print_json
from matcher.evaluation.metrics import Metrics
from matcher.evaluation.protocol import DEFAULT_SEED, EvaluationDataError

GOAL_HR10 = 0.80  # shipped weights, standard regime (the first ranking goal)
GOAL_MRR10 = 0.45
# Buyer side, cross-validated by supplier, per regime: (HR@10, MRR@10) the relevance work aims at.
REGIME_GOALS = {"standard": (0.82, 0.47), "no_cpv": (0.75, 0.38)}
GOAL_ECE = 0.05

eval_app = typer.Typer(help="Measure ranking quality on real award data.", no_args_is_help=True)
train_app = typer.Typer(help="Learn the ranking weights from real award data.", no_args_is_help=True)


def _say(message: str) -> None:
    err_console.print(f"[dim]{message}[/]", highlight=False)


def _cells(metrics: Metrics) -> list[str]:
    return [f"{metrics.hr1:.3f}", f"{metrics.hr10:.3f}", f"{metrics.mrr10:.3f}", f"{metrics.ndcg10:.3f}"]


def _embedders(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        raise typer.BadParameter("give at least one embedder, e.g. minilm,use", param_hint="--embedders")
    return names


def _cpv_option(value: Path | None) -> Path | None:
    if value is not None and not value.is_file():
        raise typer.BadParameter(f"{value}: no such file", param_hint="--cpv")
    return value


@eval_app.command("decp")
def eval_decp(
    file: Path = typer.Argument(..., help="DECP award file (JSON with a 'marches' list)."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Seed of the hold-out draw."),
    embedders: str = typer.Option("minilm,use", "--embedders", help="Dense-only baselines to run, comma-separated."),
    cpv_list: Path | None = typer.Option(
        None, "--cpv", help="CPV list (code,label_fr,label_en); default: cpv-2008-fr-en.csv next to FILE if present."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON for scripts."),
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        help="Report JSON to write, with its reliability diagram (.png) next to it; "
        "default: $TREMPLIN_HOME/eval/decp-seed<SEED>.json.",
    ),
) -> None:
    """Hold out one award per supplier (a new buyer), rank with the engine, compare with baselines."""
    from matcher.errors import TremplinError
    from matcher.evaluation.runner import EvaluationError, run
    from matcher.ingest import IngestError

    names = _embedders(embedders)
    try:
        report = run(file, seed, names, progress=None if as_json else _say, cpv_list=_cpv_option(cpv_list))
    except (EvaluationDataError, EvaluationError, IngestError, TremplinError) as exc:
        fail(str(exc))
    written = _write_report(report, output)
    if as_json:
        print_json(report.as_dict())
        return
    console.print(
        f"[bold]{file.name}[/]: seed {report.seed}, {report.suppliers} suppliers kept (of "
        f"{report.eligible_suppliers} with ≥ 3 awards), {report.tenders} held-out tenders; embedder "
        f"{report.embedder}; weights {report.ranking_model}; CPV labels: {report.cpv_labels}",
        highlight=False,
    )
    sides = (
        ("buyer", f"Buyer side: rank of the winner among {report.suppliers} suppliers"),
        ("startup", f"Startup side: rank of the held-out tender among {report.tenders}"),
    )
    for side, title in sides:
        table = Table(title=title, title_justify="left")
        table.add_column("ranker")
        for metric in ("queries", "HR@1", "HR@10", "MRR@10", "nDCG@10"):
            table.add_column(metric, justify="right")
        for index, row in enumerate([report.engine, *report.baselines]):
            metrics = getattr(row, side)
            table.add_row(row.name, str(metrics.queries), *_cells(metrics), style="bold" if index == 0 else None)
        console.print(table)
    _regime_table(report)
    for name, reason in report.unavailable.items():
        console.print(f"[yellow]dense only ({name}) skipped:[/] {reason}")
    for result in report.regimes:
        for side, figures in result.calibration.items():
            console.print(
                f"calibration ({result.regime}, {side}): ECE {figures['ece']:.4f} out of sample"
                + (f", shipped map {figures['ece_shipped_map']:.4f}" if "ece_shipped_map" in figures else "")
                + f" (goal ≤ {GOAL_ECE}); {figures['pairs']} top-10 pairs, base rate {figures['base_rate']:.3f}",
                highlight=False,
            )
            for grade, cell in (figures.get("grades") or {}).items():
                console.print(
                    f"  {grade}: {cell['matches']} matches, precision {cell['precision']:.3f} "
                    f"({cell['winners']} winners)",
                    highlight=False,
                )
    console.print(f"report: {written[0]}; reliability diagram: {written[1]}", highlight=False)
    buyer = report.engine.buyer
    goal = buyer.hr10 >= GOAL_HR10 and buyer.mrr10 >= GOAL_MRR10
    console.print(
        f"buyer side, shipped weights (HR@10 ≥ {GOAL_HR10:.2f}, MRR@10 ≥ {GOAL_MRR10:.2f}): "
        f"{'met' if goal else 'NOT met'}; better than every baseline on both sides: "
        f"{'yes' if report.beats_every_baseline() else 'NO'}; {sum(report.seconds.values()):.0f} s.",
        highlight=False,
    )
    for result in report.regimes:
        if result.regime not in REGIME_GOALS:
            continue
        hr10, mrr10 = REGIME_GOALS[result.regime]
        figures = result.cross_validated.buyer
        console.print(
            f"buyer side, {result.regime}, cross-validated (HR@10 ≥ {hr10:.2f}, MRR@10 ≥ {mrr10:.2f}): "
            f"HR@10 {figures.hr10:.3f} {'met' if figures.hr10 >= hr10 else 'NOT met'}, "
            f"MRR@10 {figures.mrr10:.3f} {'met' if figures.mrr10 >= mrr10 else 'NOT met'}",
            highlight=False,
        )


def _write_report(report: Any, output: Path | None) -> tuple[Path, Path | None]:
    """The report as JSON and, when calibration was measured, its reliability diagram next to it."""
    import json

    from matcher.evaluation.calibration import diagram
    from matcher.settings import get_settings

    target = output or get_settings().home / "eval" / f"decp-seed{report.seed}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    standard = next((r for r in report.regimes if r.regime == "standard" and r.calibration), None)
    if standard is None:
        return target, None
    curves = {side: figures["reliability"] for side, figures in standard.calibration.items()}
    ece = {side: figures["ece"] for side, figures in standard.calibration.items()}
    return target, diagram(curves, ece, target.with_suffix(".png"))


def _regime_table(report: Any) -> None:
    """One row per (regime, ranker): the engine cross-validated by supplier first, then the baselines."""
    from matcher.evaluation.regimes import TITLES

    if not report.regimes:
        return
    table = Table(
        title=f"Regimes: engine cross-validated by supplier ({report.folds} folds), seed {report.seed}",
        title_justify="left",
    )
    for column in ("regime", "ranker", "buyer HR@10", "buyer MRR@10", "startup HR@10", "startup MRR@10"):
        table.add_column(column, justify="left" if column in ("regime", "ranker") else "right")
    for result in report.regimes:
        rows = [result.cross_validated, result.shipped, *result.baselines]
        for index, row in enumerate(rows):
            table.add_row(
                TITLES.get(result.regime, result.regime) if index == 0 else "",
                row.name,
                f"{row.buyer.hr10:.3f}",
                f"{row.buyer.mrr10:.3f}",
                f"{row.startup.hr10:.3f}",
                f"{row.startup.mrr10:.3f}",
                style="bold" if index == 0 else None,
                end_section=index == len(rows) - 1,
            )
    console.print(table)


@eval_app.command("linkage")
def eval_linkage(
    file: Path = typer.Argument(..., help="DECP award file (JSON with a 'marches' list)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON for scripts."),
    errors: bool = typer.Option(False, "--errors", help="Also list the wrong hard links of name + context."),
) -> None:
    """Link every award record to a company by name only (SIRENs hidden); precision and recall vs SIREN."""
    from rich.progress import Progress

    from matcher.evaluation.linkage import (
        CONTEXT_ROW,
        GOAL_HARD_PRECISION,
        GOAL_HARD_RECALL,
        GOAL_PRECISION,
        evaluate,
    )
    from matcher.ingest import IngestError

    try:
        if as_json:
            report = evaluate(file)
        else:
            with Progress(console=err_console, transient=True) as bar:
                task = bar.add_task("linking award records", total=None)
                report = evaluate(file, progress=lambda done, total: bar.update(task, completed=done, total=total))
    except (ValueError, IngestError) as exc:
        fail(str(exc))
    if as_json:
        print_json(report.as_dict())
        return
    table = Table(
        title=f"{file.name}: {report.records} award records, {report.companies} companies (SIREN), "
        f"hard part {report.hard_records} records",
        title_justify="left",
    )
    table.add_column("linker", no_wrap=True)
    for column in ("precision", "recall", "links", "hard precision", "hard recall", "hard links"):
        table.add_column(column, justify="right")
    for index, row in enumerate(report.rows):
        table.add_row(
            row.name,
            f"{row.overall.precision:.3f}",
            f"{row.overall.recall:.3f}",
            str(row.overall.links),
            f"{row.hard.precision:.3f}",
            f"{row.hard.recall:.3f}",
            str(row.hard.links),
            style="bold" if index < 2 else None,
        )
    console.print(table)
    for row in [*report.rows[:2], *(r for r in report.rows[4:] if r.name.startswith(CONTEXT_ROW))]:
        console.print(
            f"goal (hard precision ≥ {GOAL_HARD_PRECISION:.2f} at recall ≥ {GOAL_HARD_RECALL:.2f}, "
            f"overall precision ≥ {GOAL_PRECISION:.2f}), {row.name}: {'met' if report.goal_met(row) else 'NOT met'}"
        )
    if errors:
        wrong = Table(title=f"wrong hard links of name + context: {len(report.errors)}", title_justify="left")
        for column in ("record name", "linked to", "true company", "rule", "score", "second", "context"):
            wrong.add_column(column, justify="right" if column in ("score", "second") else "left")
        for item in report.errors:
            wrong.add_row(
                item.name, item.linked, item.truth, item.rule, f"{item.score:.3f}", f"{item.second:.3f}", item.context
            )
        console.print(wrong)


@train_app.command("decp")
def train_decp(
    file: Path = typer.Argument(..., help="DECP award file (JSON with a 'marches' list)."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Seed of the hold-out draw."),
    folds: int = typer.Option(5, "--folds", min=2, max=20, help="Cross-validation folds (grouped by supplier)."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Weights file to write; default: the ranking model in use (models/…)."
    ),
    cpv_list: Path | None = typer.Option(
        None, "--cpv", help="CPV list (code,label_fr,label_en); default: cpv-2008-fr-en.csv next to FILE if present."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the cross-validation figures and weights as JSON."),
    boosted: bool = typer.Option(
        False, "--compare-boosted", help="Also cross-validate gradient-boosted trees on the same folds."
    ),
) -> None:
    """Fit the linear ranking weights (pairwise logistic regression) and save them for the engine."""
    from matcher.errors import TremplinError
    from matcher.evaluation.calibration import fit_calibration
    from matcher.evaluation.calibration import save as save_calibration
    from matcher.evaluation.protocol import load_awards, split
    from matcher.evaluation.runner import (
        EvaluationError,
        cached_embedder,
        default_cpv_list,
        evaluation_inferrer,
        workspace,
    )
    from matcher.evaluation.train import model_document, save_model, train
    from matcher.ingest import IngestError
    from matcher.ranking.scoring import DEFAULT_MODEL, LinearScorer, ScoringModelError
    from matcher.settings import get_settings

    settings = get_settings()
    target = output or settings.ranking_model or DEFAULT_MODEL
    say = None if as_json else _say
    try:
        prior = LinearScorer.load(settings.ranking_model).weights
        awards = load_awards(file)
        data = split(awards, seed)
        if not data.suppliers:
            raise EvaluationError(f"{file}: no supplier has 3 awards with a held-out award from a new buyer")
        embedder = cached_embedder(settings, settings.embedder)
        labels = _cpv_option(cpv_list) or default_cpv_list(file)
        # CPV inference must not have seen the held-out tenders: train one on the other companies' awards
        inferrer = evaluation_inferrer(awards, data, labels) if settings.infer_cpv else None
        with workspace(data, settings, embedder, labels, inferrer) as engine:
            training = train(engine, data, prior, folds=folds, progress=say, compare_boosted=boosted)
        document = model_document(training, str(file), len(data.suppliers))
        save_model(document, target)
        calibration_target = target.with_name("calibration.json")
        calibration = fit_calibration(training, str(file), document["version"])
        save_calibration(calibration, calibration_target)
    except (EvaluationDataError, EvaluationError, IngestError, TremplinError, ScoringModelError, ValueError) as exc:
        fail(str(exc))
    if as_json:
        print_json(
            {
                "output": str(target),
                "cv": {k: m.as_dict() for k, m in training.cv.items()},
                "cv_boosted": {k: m.as_dict() for k, m in training.boosted.items()},
                **document,
            }
        )
        return
    table = Table(title=f"{folds}-fold cross-validation over suppliers (seed {seed})")
    table.add_column("direction")
    for metric in ("queries", "HR@1", "HR@10", "MRR@10", "nDCG@10"):
        table.add_column(metric, justify="right")
    for side, metrics in training.cv.items():
        table.add_row(f"{side} (linear)", str(metrics.queries), *_cells(metrics))
    for side, metrics in training.boosted.items():
        table.add_row(f"{side} (boosted trees)", str(metrics.queries), *_cells(metrics))
    console.print(table)
    console.print(f"weights written to [bold]{target}[/] (version {document['version']})")
    console.print(f"calibration written to [bold]{calibration_target}[/]")


@train_app.command("cpv")
def train_cpv(
    file: Path = typer.Argument(..., help="DECP award file: titles with their CPV codes."),
    cpv_list: Path | None = typer.Option(
        None, "--cpv", help="CPV list (code,label_fr,label_en); default: cpv-2008-fr-en.csv next to FILE if present."
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Model file; default: models/cpv-inference.npz."),
) -> None:
    """Fit the CPV inference model (codes for notices and profiles that have none)."""
    from datetime import UTC, datetime

    from matcher.evaluation.protocol import load_awards
    from matcher.evaluation.runner import cpv_label_texts, default_cpv_list
    from matcher.ranking.cpv_inference import DEFAULT_MODEL, train

    try:
        awards = [a for a in load_awards(file) if a.cpv_code]
    except EvaluationDataError as exc:
        fail(str(exc))
    labels_file = _cpv_option(cpv_list) or default_cpv_list(file)
    labels = cpv_label_texts(labels_file) if labels_file else {}
    if len({a.cpv_code[:3] for a in awards if a.cpv_code}) < 2:
        fail(f"{file}: fewer than two CPV groups among the titles; nothing to learn")
    version = f"{datetime.now(UTC).date().isoformat()}.{file.stem}"
    model = train([a.title for a in awards], [a.cpv_code or "" for a in awards], labels, version=version)
    target = output or DEFAULT_MODEL
    model.save(target)
    console.print(
        f"CPV inference model written to [bold]{target}[/]: {len(awards)} titles, {len(model.classes)} CPV groups, "
        f"{len(model.vocabulary)} character n-grams, softmax temperature {model.temperature}",
        highlight=False,
    )


@train_app.command("feedback")
def train_feedback(
    awards: Path | None = typer.Option(None, "--awards", help="DECP award file to learn from as well."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the refitted weights there (e.g. models/ranking-weights.json)."
    ),
) -> None:
    """Refit the startup-side weights from the verdicts in the store (plus award data) and report the effect."""
    import json

    from matcher.errors import TremplinError
    from matcher.evaluation.feedback_training import DIRECTION, refit
    from matcher.evaluation.protocol import load_awards, split
    from matcher.evaluation.runner import cached_embedder, default_cpv_list, evaluation_inferrer, workspace
    from matcher.evaluation.train import collect, save_model
    from matcher.ranking.engine import Engine
    from matcher.ranking.scoring import DEFAULT_MODEL, LinearScorer
    from matcher.settings import get_settings

    settings = get_settings()
    try:
        prior = LinearScorer.load(settings.ranking_model).weights
        award_queries = None
        if awards is not None:
            awarded = load_awards(awards)
            data = split(awarded, DEFAULT_SEED)
            labels = default_cpv_list(awards)
            inferrer = evaluation_inferrer(awarded, data, labels) if settings.infer_cpv else None
            embedder = cached_embedder(settings, settings.embedder)
            with workspace(data, settings, embedder, labels, inferrer) as scratch:
                award_queries = collect(scratch, data)[DIRECTION]
        engine = Engine.open(settings)
        fitted = refit(engine, prior[DIRECTION], award_queries)
    except (EvaluationDataError, TremplinError, ValueError) as exc:
        fail(str(exc))
    console.print(
        f"{fitted.startups} startups with verdict pairs, {fitted.pairs} pairs (relevant/applied/won vs not relevant)",
        highlight=False,
    )
    if fitted.pairs:
        console.print(
            f"verdict pairs in the right order: current weights {fitted.before:.3f}, "
            f"refitted (leave one startup out) {fitted.after:.3f}",
            highlight=False,
        )
    if fitted.award_before is not None and fitted.award_after is not None:
        console.print(
            f"award data, startup side: HR@10 {fitted.award_before.hr10:.3f} → {fitted.award_after.hr10:.3f}, "
            f"MRR@10 {fitted.award_before.mrr10:.3f} → {fitted.award_after.mrr10:.3f}",
            highlight=False,
        )
    for note in fitted.notes:
        console.print(f"[yellow]{note}[/]", highlight=False)
    if output is not None:
        source = settings.ranking_model or DEFAULT_MODEL
        document = json.loads(source.read_text(encoding="utf-8"))
        document[DIRECTION] = fitted.weights
        document["version"] = f"{document.get('version', 'weights')}+feedback"
        save_model(document, output)
        console.print(f"weights written to [bold]{output}[/]")


def register(app: typer.Typer) -> None:
    app.add_typer(eval_app, name="eval")
    app.add_typer(train_app, name="train")
