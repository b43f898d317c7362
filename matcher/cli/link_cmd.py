"""`tremplin link awards`: link official award rows to registered startups (safe to re-run)."""

from __future__ import annotations

import typer
from rich.progress import Progress

from matcher.cli.common import console, err_console, open_store, print_json

link_app = typer.Typer(help="Record linkage between award records and companies.", no_args_is_help=True)


@link_app.command("awards")
def link_awards_cmd(as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON.")) -> None:
    """Link awards to startups by national id, or propose links by name for staff review."""
    from matcher.linkage.link import link_awards

    store = open_store()
    with store.session() as session:
        if as_json:
            counts = link_awards(session)
        else:
            with Progress(console=err_console, transient=True) as bar:
                task = bar.add_task("linking award suppliers", total=None)
                counts = link_awards(
                    session, progress=lambda done, total: bar.update(task, completed=done, total=total)
                )
    if as_json:
        print_json(counts)
        return
    console.print(
        f"{counts.get('suppliers', 0)} award suppliers, {counts.get('registered', 0)} registered startups: "
        f"{counts.get('matched_by_id', 0)} matched by id, {counts.get('matched_by_name', 0)} by name, "
        f"{counts.get('matched_by_context', 0)} by name with the tie broken by context; "
        f"{counts.get('links_created', 0)} new links, {counts.get('links_kept', 0)} already there",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(link_app, name="link")
