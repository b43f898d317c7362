"""Top-level `tremplin` app; subcommands live in sibling modules and register here."""

from __future__ import annotations

import logging

import typer

from matcher.cli.common import console, fit_console_to_output, open_store, print_json

app = typer.Typer(
    name="tremplin",
    help="Tremplin: match Moroccan startups with the tenders of large contractors.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug messages.")) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(message)s")
    fit_console_to_output()


@app.command()
def init() -> None:
    """Create the state folder and bring the database schema up to date."""
    store = open_store(create=True)
    console.print(f"store ready at [bold]{store.url}[/] (revision {store.current_revision()})", soft_wrap=True)


@app.command()
def status(as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts.")) -> None:
    """Counts per table and index freshness."""
    from rich.table import Table

    from matcher.store.status import index_freshness

    store = open_store()
    counts = store.counts()
    freshness = index_freshness(store)
    if as_json:
        print_json({"database": store.url, "counts": counts, "indexes": freshness})
        return
    table = Table(title=f"Store ({store.url})")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in counts.items():
        table.add_row(name, str(count))
    console.print(table)
    index_table = Table(title="Indexes")
    for column in ("index", "state", "items", "model", "built"):
        index_table.add_column(column)
    for name, info in freshness.items():
        index_table.add_row(
            name, info["state"], str(info.get("items", "")), str(info.get("model", "")), str(info.get("built_at", ""))
        )
    console.print(index_table)


def _register() -> None:
    """Attach command modules; each one owns its own commands."""
    import importlib

    for module in (
        "ingest_cmd",
        "engine_cmd",
        "keys_cmd",
        "serve_cmd",
        "digest_cmd",
        "alerts_cmd",
        "eval_cmd",
        "sample_cmd",
        "link_cmd",
    ):
        try:
            importlib.import_module(f"matcher.cli.{module}").register(app)
        except ModuleNotFoundError as exc:
            if exc.name != f"matcher.cli.{module}":
                raise


_register()
