"""`tremplin index`, `match` and `suppliers`: the engine from the command line."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from matcher.cli.common import console, fail, print_json
from matcher.cli.words import LANG_OPTION, check_lang, eligibility_text, why_text
from matcher.errors import TremplinError
from matcher.ranking.results import SupplierFilters, SupplierMatch, TenderFilters, TenderMatch

if TYPE_CHECKING:
    from matcher.index.embedding import Embedder
    from matcher.ranking.engine import Engine

RAY_OPTION = typer.Option(
    None, "--ray", metavar="ADDRESS",
    help="Run the batch work on Ray: 'local' starts an instance here, else a cluster address (e.g. auto, "
    "host:6379). Needs the 'ray' extra.",
)  # fmt: skip
RAY_WORKERS_OPTION = typer.Option(
    None, "--ray-workers", min=1, help="Ray workers to use (default: every CPU of the instance)."
)


def _engine(progress: bool = False, embedder: Embedder | None = None) -> Engine:
    from matcher.cli.common import state_settings
    from matcher.ranking.engine import Engine

    settings = state_settings()
    try:
        from matcher.store import Store

        store = Store(settings)
        store.migrate()
        engine = Engine(store, settings, embedder)
        engine.load(progress=progress)
        return engine
    except TremplinError as exc:
        fail(str(exc))


def sync_summary(loaded: dict[str, str], synced: dict[str, int], model: str) -> str:
    """Two readable lines instead of the raw dicts: what was loaded, what the update changed."""
    states = Counter(loaded.values())
    first = "indexes: " + ", ".join(f"{count} {state}" for state, count in sorted(states.items()))
    changed = {name: count for name, count in synced.items() if count}
    second = (
        "updated: " + ", ".join(f"{name.replace('_', ' ')} {count}" for name, count in changed.items())
        if changed
        else "updated: nothing (already up to date)"
    )
    return f"{first} (model {model})\n{second}"


def index(
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
    ray: str | None = RAY_OPTION,
    ray_workers: int | None = RAY_WORKERS_OPTION,
) -> None:
    """Build or update the vector and lexical indexes from the store (only changed items are embedded;
    with --ray, in batches on Ray workers)."""
    embedder = None
    if ray is not None:
        from matcher.batch import ray_runner
        from matcher.cli.common import state_settings

        try:
            workers = min(ray_workers or 10**6, ray_runner.connect(ray, ray_workers))
        except TremplinError as exc:
            fail(str(exc))
        embedder = ray_runner.ray_embedder(state_settings(), workers)
    try:
        engine = _engine(progress=not as_json, embedder=embedder)
        report = engine.sync(progress=not as_json)
        engine.close()  # the snapshot is written before Ray goes away
    finally:
        if ray is not None:
            ray_runner.close_embedder(embedder)
            ray_runner.shutdown()
    summary = {"loaded": engine.index_report, "sync": report, "model": engine.embedder.model_id}
    if ray is not None:
        summary["ray_workers"] = workers
    if as_json:
        print_json(summary)
        return
    console.print(sync_summary(engine.index_report, report, engine.embedder.model_id), highlight=False)


def match(
    startup_id: str = typer.Argument(..., help="External id of the startup."),
    limit: int = typer.Option(10, "--limit", "-n", min=1, max=200),
    region: str | None = typer.Option(None, help="Only tenders in this region."),
    cpv_prefix: str | None = typer.Option(None, "--cpv", help="Only tenders with a CPV code starting so."),
    include_ineligible: bool = typer.Option(False, "--include-ineligible", help="Also show ineligible tenders."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
    lang: str = LANG_OPTION,
) -> None:
    """Recommended tenders for a startup, with eligibility and why."""
    lang = check_lang(lang)
    engine = _engine()
    filters = TenderFilters(region=region, cpv_prefix=cpv_prefix, include_ineligible=include_ineligible)
    try:
        matches = engine.recommend_tenders(startup_id, filters=filters, limit=limit)
    except TremplinError as exc:
        fail(str(exc))
    if as_json:
        print_json([m.model_dump(mode="json") for m in matches])
        return
    _print_tenders(matches, lang)


def suppliers(
    tender: str | None = typer.Option(None, "--tender", help="External id of a tender."),
    query: str | None = typer.Option(None, "--query", "-q", help="Free-text need (FR, AR or EN)."),
    limit: int = typer.Option(10, "--limit", "-n", min=1, max=200),
    sector: str | None = typer.Option(None, help="Sector or tag the supplier must have."),
    region: str | None = typer.Option(None, help="Supplier region."),
    certification: str | None = typer.Option(None, help="Certification the supplier must hold."),
    max_headcount: int | None = typer.Option(None, help="Largest headcount (size filter)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
    lang: str = LANG_OPTION,
) -> None:
    """Suppliers for one of a buyer's tenders or for a free-text need."""
    lang = check_lang(lang)
    if (tender is None) == (query is None):
        fail("give exactly one of --tender or --query")
    engine = _engine()
    filters = SupplierFilters(sector=sector, region=region, certification=certification, max_headcount=max_headcount)
    try:
        if tender is not None:
            matches = engine.suppliers_for_tender(tender, filters=filters, limit=limit)
        else:
            matches = engine.search_suppliers(query or "", filters=filters, limit=limit)
    except (TremplinError, ValueError) as exc:
        fail(str(exc))
    if as_json:
        print_json([m.model_dump(mode="json") for m in matches])
        return
    _print_suppliers(matches, lang)


def _id_column(table: Table, header: str, ids: list[str]) -> None:
    """An id column that is never cut: the id is what the next command needs, whole."""
    table.add_column(header, no_wrap=True, overflow="fold", min_width=max([len(header), *map(len, ids)]))


def _print_tenders(matches: list[TenderMatch], lang: str = "en") -> None:
    if not matches:
        console.print("no open tender matches this profile")
        return
    table = Table(show_lines=True)
    table.add_column("#", no_wrap=True)
    _id_column(table, "tender", [m.tender_id for m in matches])
    for column in ("title · buyer", "deadline", "score", "eligibility", "why"):
        table.add_column(column, no_wrap=column in {"deadline", "score"}, overflow="fold")
    for rank, m in enumerate(matches, start=1):
        deadline = m.deadline_at.date().isoformat() if m.deadline_at else "—"
        eligibility = eligibility_text(m.eligibility, lang)
        table.add_row(
            str(rank), m.tender_id, f"{m.title}\n{m.buyer_name or ''}".strip(), deadline, f"{m.score:.3f}",
            eligibility, why_text(m.explanation, lang),
        )  # fmt: skip
    console.print(table)


def _print_suppliers(matches: list[SupplierMatch], lang: str = "en") -> None:
    if not matches:
        console.print("no supplier matches")
        return
    table = Table(show_lines=True)
    table.add_column("#", no_wrap=True)
    _id_column(table, "startup", [m.startup_id for m in matches])
    for column in ("name", "region", "score", "eligibility", "why"):
        table.add_column(column, no_wrap=column == "score", overflow="fold")
    for rank, m in enumerate(matches, start=1):
        table.add_row(
            str(rank), m.startup_id, m.name, m.region or "", f"{m.score:.3f}",
            eligibility_text(m.eligibility, lang), why_text(m.explanation, lang),
        )  # fmt: skip
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("index")(index)
    app.command("match")(match)
    app.command("suppliers")(suppliers)
    app.command("synth")(synth)


def synth(
    startups: int = typer.Option(1000, "--startups", min=0, help="How many startups to generate."),
    tenders: int = typer.Option(10000, "--tenders", min=0, help="How many tenders to generate."),
    seed: int = typer.Option(1, help="Random seed (same seed, same corpus)."),
    out: str | None = typer.Option(None, help="Write JSONL files to this folder instead of the store."),
) -> None:
    """Generate a large realistic corpus for benchmarks (into the store, or as JSONL files)."""
    import json
    from pathlib import Path

    from matcher.datasets.synth import synth_startups, synth_tenders

    generated = {"startups": synth_startups(startups, seed), "tenders": synth_tenders(tenders, seed + 1)}
    if out is not None:
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        for kind, rows in generated.items():
            with open(folder / f"{kind}.jsonl", "w", encoding="utf-8") as handle:
                for row in rows:
                    handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            console.print(f"wrote {folder / f'{kind}.jsonl'}")
        return
    from matcher.cli.common import open_store
    from matcher.ingest import ingest_records

    store = open_store()
    for kind, rows in generated.items():
        report = ingest_records(store, kind, rows, source="synth")  # type: ignore[arg-type]
        console.print(f"{kind}: {report.created} created, {report.updated} updated, {len(report.rejected)} rejected")
